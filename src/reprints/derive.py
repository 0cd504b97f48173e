"""Which words of a document come from its confirmed sources: a word-level derivation layer.

Sentence alignment (:mod:`reprints.align`) finds the passages two articles share, but a
rewriting journalist also lifts single names, figures and phrases ("14 years", "the
attempted murder") into sentences that are otherwise new, and adds new clauses inside
sentences that are otherwise taken. Once the candidate stage and alignment have confirmed
that a document reuses some sources (at least one passage matched), this module labels each
of its words NEW, REWORDED or VERBATIM from per-word evidence:

- the passages and edit scripts alignment produced (inside a passage; kept by an edit);
- word n-grams shared with the sources (how long a shared run passes through the word);
- how dense source words are around the word (a few words either side, its sentence);
- the best alignment score of the word's sentence against the sources' sentences;
- what the word is (function word, number, capitalised) and where it sits.

A small multinomial logistic model turns these into three probabilities; a second pass of
the same kind adds the first pass's probabilities of the neighbouring words (smoothing, so a
lone shared "the" stays new and a new word inside a lifted run stays derived). The weights
are constants fitted on METER courts by document-level cross-validation
(``benchmarks/fit_derive.py``; procedure and out-of-fold figures in ``benchmarks/scan.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .model import DerivedWords, Match
from .tfidf import FUNCTION_WORDS

NEW, REWORDED, VERBATIM = 0, 1, 2
"""Word labels (METER's New / Rewrite / Verbatim)."""

RUN_LENGTHS = (1, 2, 3, 4, 6, 8, 12)
"""Shared word n-gram lengths checked for each word (the longest one through it counts)."""

WINDOWS = (2, 5, 10)
"""Half-widths, in words, of the neighbourhoods whose share of source words is a feature."""


@dataclass(frozen=True)
class DerivationInput:
    """One target document's words and sentences, and what its sources share with it.

    ``norms`` are the target's folded tokens, ``original`` their original spellings,
    ``sentence_of`` the sentence index of each token, ``sentence_score`` the best alignment
    score of each target sentence against any source sentence, ``source_norms`` the folded
    tokens of each source, ``matches`` the target's aligned passages with the sources (as
    ``(start, end, keeps)`` token ranges of the target: the passage and its kept words).
    """

    norms: tuple[str, ...]
    original: tuple[str, ...]
    sentence_of: np.ndarray
    sentence_score: np.ndarray
    source_norms: tuple[tuple[str, ...], ...]
    passages: tuple[tuple[int, int, tuple[tuple[int, int], ...]], ...]
    partner_words: tuple[frozenset[str], ...] = ()
    """Per target sentence, the words of its best-scoring source sentence."""


class WordCache:
    """Word ids, word kinds and k-gram hashes of token sequences, computed once per run.

    A document is a source or target of several groups; its tokens (the same tuple object
    each time) are looked at once. Only equality of ids matters, so results do not depend
    on the order documents are seen in.
    """

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._seen: dict[int, tuple[tuple[str, ...], dict[object, np.ndarray]]] = {}
        self._scores: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def _entry(self, norms: tuple[str, ...]) -> dict[object, np.ndarray]:
        found = self._seen.get(id(norms))
        if found is None or found[0] is not norms:
            found = (norms, {})
            self._seen[id(norms)] = found
        return found[1]

    def ids(self, norms: tuple[str, ...]) -> np.ndarray:
        entry = self._entry(norms)
        if "ids" not in entry:
            vocab = self.vocab
            entry["ids"] = np.fromiter(
                (vocab.setdefault(w, len(vocab)) for w in norms), dtype=np.uint64, count=len(norms)
            )
        return entry["ids"]

    def kinds(self, norms: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Return (function word or punctuation, holds a digit) per token."""
        entry = self._entry(norms)
        if "function" not in entry:
            n = len(norms)
            entry["function"] = np.fromiter(
                (w in FUNCTION_WORDS or not any(c.isalnum() for c in w) for w in norms), dtype=bool, count=n
            )
            entry["number"] = np.fromiter((any(c.isdigit() for c in w) for w in norms), dtype=bool, count=n)
        return entry["function"], entry["number"]

    def best_sentences(self, target, source) -> tuple[np.ndarray, np.ndarray]:
        """Return, per sentence of ``target``, its best score against ``source`` and the sentence.

        One score matrix serves both directions of a pair of prepared documents.
        """
        from .align import sentence_scores

        key = (target.doc.id, source.doc.id)
        if key not in self._scores:
            scores = sentence_scores(target, source)
            self._scores[key] = (scores.max(axis=1), scores.argmax(axis=1))
            self._scores[(source.doc.id, target.doc.id)] = (scores.max(axis=0), scores.argmax(axis=0))
        return self._scores.pop(key)

    def grams(self, norms: tuple[str, ...], k: int, *, sort: bool = False) -> np.ndarray:
        """Return the k-gram hashes of ``norms`` in position order (or sorted)."""
        entry = self._entry(norms)
        key = (k, sort)
        if key not in entry:
            hashes = _gram_hashes(self.ids(norms), k)
            entry[key] = np.sort(hashes) if sort else hashes
        return entry[key]


_MULT = np.uint64(0x9E3779B97F4A7C15)


def _gram_hashes(ids: np.ndarray, k: int) -> np.ndarray:
    """Return one uint64 hash per word k-gram (deterministic, wrap-around arithmetic)."""
    n = len(ids) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(k):
            h = (h * _MULT) ^ (ids[i : i + n] + np.uint64(i + 1))
    return h


def _window_mean(values: np.ndarray, half: int) -> np.ndarray:
    """Mean of ``values`` over ``[i - half, i + half]`` (clipped at the ends)."""
    n = len(values)
    if n == 0:
        return values.astype(np.float64)
    csum = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    idx = np.arange(n)
    lo = np.maximum(idx - half, 0)
    hi = np.minimum(idx + half + 1, n)
    return (csum[hi] - csum[lo]) / (hi - lo)


def _sentence_mean(values: np.ndarray, sentence_of: np.ndarray) -> np.ndarray:
    """Mean of ``values`` over each word's sentence."""
    if len(values) == 0:
        return values.astype(np.float64)
    sums = np.bincount(sentence_of, weights=values)
    counts = np.bincount(sentence_of)
    return (sums / np.maximum(counts, 1))[sentence_of]


FEATURES = (
    "bias",
    "in_passage",
    "kept",
    "shared_word",
    "shared_content",
    *(f"run_{k}" for k in RUN_LENGTHS[1:]),
    "log_run",
    *(f"content_share_{w}" for w in WINDOWS),
    *(f"run3_share_{w}" for w in WINDOWS),
    *(f"passage_share_{w}" for w in WINDOWS),
    "sentence_run2",
    "sentence_content_share",
    "sentence_score",
    "sentence_in_passage",
    "in_partner",
    "in_partner_content",
    "sentence_partner_share",
    "sentence_score_sq",
    "doc_content_share",
    "doc_run3_share",
    "doc_passage_share",
    "doc_kept_share",
    "near_run3",
    "near_shared_content",
    "content_share_20",
    "run3_share_20",
    "function_word",
    "number",
    "capitalised",
    "position",
    "shared_x_function",
    "kept_x_function",
)


def word_features(item: DerivationInput, cache: WordCache | None = None) -> np.ndarray:
    """Return the ``(words, len(FEATURES))`` feature matrix of one target document."""
    n = len(item.norms)
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return out
    cache = cache if cache is not None else WordCache()
    function, number = cache.kinds(item.norms)
    capitalised = np.fromiter((w[:1].isupper() for w in item.original), dtype=bool, count=n)
    covered = {}
    for k in RUN_LENGTHS:
        mark = np.zeros(n, dtype=bool)
        grams = cache.grams(item.norms, k)
        if len(grams) and item.source_norms:
            pools = [cache.grams(s, k, sort=True) for s in item.source_norms]
            pool = pools[0] if len(pools) == 1 else np.sort(np.concatenate(pools))
            if len(pool):
                at = np.minimum(np.searchsorted(pool, grams), len(pool) - 1)
                hit = pool[at] == grams
                for i in range(k):
                    mark[i : i + len(hit)] |= hit
        covered[k] = mark
    run = np.zeros(n, dtype=np.float64)
    for k in RUN_LENGTHS:
        run[covered[k]] = k
    in_passage = np.zeros(n, dtype=bool)
    kept = np.zeros(n, dtype=bool)
    for start, end, keeps in item.passages:
        in_passage[start:end] = True
        for ks, ke in keeps:
            kept[ks:ke] = True
    shared = covered[1]
    shared_content = shared & ~function
    content = (~function).astype(np.float64)
    cols: dict[str, np.ndarray] = {
        "bias": np.ones(n),
        "in_passage": in_passage,
        "kept": kept,
        "shared_word": shared,
        "shared_content": shared_content,
        "log_run": np.log1p(run),
        "sentence_run2": _sentence_mean(covered[2].astype(np.float64), item.sentence_of),
        "sentence_content_share": _sentence_mean(shared_content.astype(np.float64), item.sentence_of)
        / np.maximum(_sentence_mean(content, item.sentence_of), 1e-9),
        "sentence_score": item.sentence_score[item.sentence_of] if len(item.sentence_score) else np.zeros(n),
        "sentence_in_passage": _sentence_mean(in_passage.astype(np.float64), item.sentence_of),
        "function_word": function,
        "number": number,
        "capitalised": capitalised,
        "position": np.arange(n) / max(n - 1, 1),
        "shared_x_function": shared & function,
        "kept_x_function": kept & function,
    }
    for k in RUN_LENGTHS[1:]:
        cols[f"run_{k}"] = covered[k]
    partner = item.partner_words
    in_partner = np.fromiter(
        (bool(partner) and w in partner[s] for w, s in zip(item.norms, item.sentence_of.tolist(), strict=True)),
        dtype=bool, count=n,
    )
    in_partner_content = in_partner & ~function
    cols["in_partner"] = in_partner
    cols["in_partner_content"] = in_partner_content
    cols["sentence_partner_share"] = _sentence_mean(in_partner_content.astype(np.float64), item.sentence_of) / np.maximum(
        _sentence_mean(content, item.sentence_of), 1e-9
    )
    cols["sentence_score_sq"] = cols["sentence_score"] ** 2
    n_content = max(content.sum(), 1.0)
    cols["doc_content_share"] = np.full(n, shared_content.sum() / n_content)
    cols["doc_run3_share"] = np.full(n, covered[3].mean())
    cols["doc_passage_share"] = np.full(n, in_passage.mean())
    cols["doc_kept_share"] = np.full(n, kept.mean())
    cols["near_run3"] = np.log1p(_distance(covered[3]))
    cols["near_shared_content"] = np.log1p(_distance(shared_content))
    content_20 = _window_mean(content, 20)
    cols["content_share_20"] = _window_mean(shared_content.astype(np.float64), 20) / np.maximum(content_20, 1e-9)
    cols["run3_share_20"] = _window_mean(covered[3].astype(np.float64), 20)
    for w in WINDOWS:
        content_here = _window_mean(content, w)
        cols[f"content_share_{w}"] = _window_mean(shared_content.astype(np.float64), w) / np.maximum(
            content_here, 1e-9
        ) * (content_here > 0)
        cols[f"run3_share_{w}"] = _window_mean(covered[3].astype(np.float64), w)
        cols[f"passage_share_{w}"] = _window_mean(in_passage.astype(np.float64), w)
    for c, name in enumerate(FEATURES):
        out[:, c] = cols[name]
    np.clip(out, 0.0, 1.0e6, out=out)
    return out


DISTANCE_CAP = 50


def _distance(mark: np.ndarray) -> np.ndarray:
    """Words from each word to the nearest marked word (0 on one; capped)."""
    n = len(mark)
    out = np.full(n, float(DISTANCE_CAP))
    where = np.flatnonzero(mark)
    if len(where) == 0:
        return out
    idx = np.arange(n)
    right = np.searchsorted(where, idx, side="left")
    after = np.where(right < len(where), where[np.minimum(right, len(where) - 1)] - idx, DISTANCE_CAP)
    before = np.where(right > 0, idx - where[np.maximum(right - 1, 0)], DISTANCE_CAP)
    return np.minimum(np.minimum(after, before), DISTANCE_CAP).astype(np.float64)


NEIGHBOUR_WINDOWS = (1, 3, 8, 20)


def neighbour_features(probs: np.ndarray, sentence_of: np.ndarray) -> np.ndarray:
    """Return the second pass's extra features: first-pass probabilities around each word."""
    cols = [probs[:, 1], probs[:, 2]]
    for w in NEIGHBOUR_WINDOWS:
        for c in (1, 2):
            cols.append(_window_mean(probs[:, c], w))
    for c in (1, 2):
        cols.append(_sentence_mean(probs[:, c], sentence_of))
    for c in (1, 2):
        cols.append(np.full(len(probs), probs[:, c].mean() if len(probs) else 0.0))
    derived = probs[:, 1] + probs[:, 2]
    cols.append(derived * derived)
    cols.append(_window_mean(derived, 2) * _sentence_mean(derived, sentence_of))
    if not len(probs):
        return np.zeros((0, len(cols)))
    return np.stack(cols, axis=1)


def passages_of(doc_id: str, tokens_starts: np.ndarray, tokens_ends: np.ndarray, matches: Sequence[Match]):
    """Return ``(start, end, keeps)`` token ranges of ``doc_id``'s side of each match."""
    out = []
    for match in matches:
        if match.b.doc == doc_id:
            side, pick = match.b, lambda e: (e.b_start, e.b_end)
        elif match.a.doc == doc_id:
            side, pick = match.a, lambda e: (e.a_start, e.a_end)
        else:
            continue
        i = int(np.searchsorted(tokens_starts, side.start, side="left"))
        j = max(i, int(np.searchsorted(tokens_ends, side.end, side="right")))
        keeps = []
        for edit in match.edits:
            if edit.op == "keep":
                s, e = pick(edit)
                ki = int(np.searchsorted(tokens_starts, s, side="left"))
                kj = int(np.searchsorted(tokens_ends, e, side="right"))
                keeps.append((max(ki, i), min(kj, j)))
        out.append((i, j, tuple(keeps)))
    return tuple(out)


def derivation_input(
    target, sources, matches: Sequence[Match], cache: WordCache | None = None
) -> DerivationInput:
    """Gather what :func:`word_features` needs from prepared documents and the target's matches."""
    cache = cache if cache is not None else WordCache()
    tokens = target.tokens
    n = len(tokens)
    text = target.doc.text
    ranges = target.token_ranges
    sentence_of = np.zeros(n, dtype=np.int64)
    if len(ranges):
        sentence_of = np.clip(np.searchsorted(ranges[:, 0], np.arange(n), side="right") - 1, 0, None)
    best = np.zeros(max(len(ranges), 1), dtype=np.float64)
    partner: list[frozenset[str]] = [frozenset()] * len(ranges)
    for source in sources:
        if len(ranges) and len(source.token_ranges):
            top, arg = cache.best_sentences(target, source)
            if len(top):
                for s_ in np.flatnonzero(top > best[: len(ranges)]).tolist():
                    i, j = source.token_ranges[arg[s_]]
                    partner[s_] = frozenset(source.tokens.norms[i:j])
                best[: len(ranges)] = np.maximum(best[: len(ranges)], top)
    return DerivationInput(
        norms=tokens.norms,
        original=tuple(text[s:e] for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist(), strict=True)),
        sentence_of=sentence_of,
        sentence_score=best,
        source_norms=tuple(s.tokens.norms for s in sources),
        passages=passages_of(target.doc.id, tokens.starts, tokens.ends, matches),
        partner_words=tuple(partner),
    )


# --- the fitted model ---------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One multinomial logistic pass: standardise the features, then softmax of a linear map."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[tuple[float, ...], ...]
    """One row per label (NEW, REWORDED, VERBATIM)."""
    intercept: tuple[float, ...]

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Return ``(words, 3)`` probabilities of NEW, REWORDED and VERBATIM."""
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        logits = z @ np.asarray(self.coef).T + np.asarray(self.intercept)
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)


def label_words(
    first: Stage, second: Stage, threshold: float, item: DerivationInput, cache: WordCache | None = None
) -> np.ndarray:
    """Label each target word NEW, REWORDED or VERBATIM with the two fitted passes.

    A word is derived when the second pass gives REWORDED + VERBATIM at least ``threshold``,
    and then VERBATIM when that is the likelier of the two.
    """
    features = word_features(item, cache)
    if len(features) == 0:
        return np.zeros(0, dtype=np.int8)
    p1 = first.probabilities(features)
    p2 = second.probabilities(np.hstack([features, neighbour_features(p1, item.sentence_of)]))
    derived = p2[:, REWORDED] + p2[:, VERBATIM] >= threshold
    return np.where(derived, np.where(p2[:, VERBATIM] >= p2[:, REWORDED], VERBATIM, REWORDED), NEW).astype(
        np.int8
    )


# --- fitted constants: generated by benchmarks/fit_derive.py --constants (METER courts, seed 0, 3 inner folds) ---

FIRST_PASS = Stage(
    mean=(1.0, 0.584567, 0.38247, 0.812111, 0.348614, 0.572937, 0.403846, 0.325971, 0.243886, 0.202166, 0.154189, 1.173703, 0.673071, 0.686112, 0.688311, 0.403953, 0.403981, 0.404207, 0.584624, 0.584838, 0.585221, 0.572937, 0.683203, 0.478479, 0.584567, 0.520005, 0.252157, 0.499162, 0.346757, 0.690708, 0.403846, 0.584567, 0.38247, 1.233951, 0.680543, 0.689343, 0.404476, 0.497327, 0.019718, 0.156489, 0.5, 0.463497, 0.168726,),
    scale=(1.0, 0.492797, 0.485991, 0.390624, 0.476532, 0.494652, 0.490667, 0.468736, 0.429425, 0.401616, 0.36113, 0.841252, 0.379237, 0.302278, 0.263972, 0.418768, 0.373391, 0.341754, 0.483638, 0.472353, 0.454805, 0.320542, 0.296144, 0.343241, 0.491782, 0.4996, 0.434251, 0.324395, 0.378968, 0.16865, 0.233951, 0.279144, 0.254636, 1.261715, 0.627667, 0.235524, 0.312278, 0.499993, 0.139031, 0.363319, 0.289493, 0.498666, 0.37451,),
    coef=(
        (0.0, 0.022744, 0.005753, -0.048894, 0.067826, -0.037528, 0.05906, -0.045392, 0.101317, -0.006819, 0.077735, 0.008437, 0.033283, -0.015839, -0.055263, -0.01154, -0.035695, -0.060834, 0.035021, 0.081079, -0.110124, -0.160691, -0.059744, 0.47427, -0.081324, -0.094212, 0.103889, -0.353019, -0.257115, -0.004592, 0.361331, -0.140366, -0.561716, 0.083798, 0.246939, -0.108645, -0.085628, 0.173943, 0.023659, -0.05698, 0.168182, -0.103116, -0.059952,),
        (0.0, -0.004132, -0.224547, -0.078712, -0.167586, -0.093168, -0.131159, -0.039052, -0.147363, -0.130387, -0.209808, -0.148482, -0.025724, 0.021024, 0.104728, -0.032636, 0.072087, -0.028065, 0.105385, -0.053402, 0.082226, 0.082028, -0.148817, -0.218814, 0.00681, -0.170505, -0.080319, 0.273862, -0.080718, 0.10964, 0.112375, 0.211133, -0.21512, -0.067229, -0.097975, 0.246512, -0.065715, 0.039095, -0.152474, -0.189678, -0.138354, 0.09849, -0.089772,),
        (0.0, -0.018613, 0.218794, 0.127606, 0.09976, 0.130696, 0.0721, 0.084444, 0.046046, 0.137206, 0.132073, 0.140046, -0.007559, -0.005186, -0.049465, 0.044176, -0.036391, 0.088899, -0.140406, -0.027677, 0.027898, 0.078662, 0.20856, -0.255456, 0.074514, 0.264717, -0.02357, 0.079157, 0.337833, -0.105048, -0.473706, -0.070767, 0.776836, -0.016569, -0.148964, -0.137867, 0.151343, -0.213039, 0.128815, 0.246658, -0.029828, 0.004627, 0.149724,),
    ),
    intercept=(0.52576, -0.851594, 0.325834,),
)
SECOND_PASS = Stage(
    mean=(1.0, 0.584567, 0.38247, 0.812111, 0.348614, 0.572937, 0.403846, 0.325971, 0.243886, 0.202166, 0.154189, 1.173703, 0.673071, 0.686112, 0.688311, 0.403953, 0.403981, 0.404207, 0.584624, 0.584838, 0.585221, 0.572937, 0.683203, 0.478479, 0.584567, 0.520005, 0.252157, 0.499162, 0.346757, 0.690708, 0.403846, 0.584567, 0.38247, 1.233951, 0.680543, 0.689343, 0.404476, 0.497327, 0.019718, 0.156489, 0.5, 0.463497, 0.168726, 0.14669, 0.418986, 0.146679, 0.419019, 0.146771, 0.418917, 0.146801, 0.418921, 0.146648, 0.419302, 0.14669, 0.418986, 0.14669, 0.418986, 0.43027, 0.421713,),
    scale=(1.0, 0.492797, 0.485991, 0.390624, 0.476532, 0.494652, 0.490667, 0.468736, 0.429425, 0.401616, 0.36113, 0.841252, 0.379237, 0.302278, 0.263972, 0.418768, 0.373391, 0.341754, 0.483638, 0.472353, 0.454805, 0.320542, 0.296144, 0.343241, 0.491782, 0.4996, 0.434251, 0.324395, 0.378968, 0.16865, 0.233951, 0.279144, 0.254636, 1.261715, 0.627667, 0.235524, 0.312278, 0.499993, 0.139031, 0.363319, 0.289493, 0.498666, 0.37451, 0.169752, 0.384602, 0.140438, 0.360274, 0.120777, 0.342076, 0.104399, 0.322711, 0.091032, 0.300202, 0.115629, 0.341101, 0.056179, 0.241702, 0.370314, 0.360037,),
    coef=(
        (0.0, -0.028756, -0.065842, -0.076955, 0.035819, -0.075208, 0.037168, -0.104493, 0.129664, -0.025231, 0.116575, -0.011809, 0.024814, -0.034129, -0.103671, -0.014244, -0.051753, -0.053596, 0.038347, 0.157192, -0.195138, -0.084973, 0.093453, 0.594831, 0.006571, -0.154873, 0.083367, -0.394398, -0.107675, -0.240185, 0.628549, -0.240248, -1.309328, 0.054379, 0.273292, -0.106975, 0.051628, 0.223335, 0.023714, -0.106398, 0.19237, -0.094511, -0.122865, 0.234166, 0.770696, -0.000668, -0.160876, -0.145177, -0.38756, 0.050514, 0.055311, -0.078354, -0.237439, -0.211879, -1.471226, 0.158047, 0.684844, 0.373126, 0.810865,),
        (0.0, 0.039778, -0.224172, -0.08034, -0.20464, -0.106393, -0.147054, -0.014827, -0.16223, -0.1292, -0.241239, -0.159187, -0.03121, 0.034055, 0.150088, -0.02824, 0.081682, -0.044117, 0.253185, -0.195686, 0.127149, 0.067197, -0.214247, -0.237754, -0.097718, -0.182058, -0.065051, 0.280433, -0.241081, 0.404154, -0.066205, 0.565001, -0.531386, -0.079727, -0.171277, 0.189124, -0.23378, 0.013156, -0.183132, -0.210016, -0.134881, 0.132623, -0.078661, -0.155871, -0.23716, -0.048859, -0.102174, 0.029517, 0.105441, -0.201307, -0.234812, 0.147354, 0.440801, 0.21293, 0.721907, -0.25918, -0.087769, -0.235907, -0.086524,),
        (0.0, -0.011022, 0.290014, 0.157295, 0.16882, 0.181601, 0.109886, 0.119321, 0.032565, 0.154432, 0.124664, 0.170996, 0.006396, 7.3e-05, -0.046417, 0.042484, -0.029929, 0.097713, -0.291532, 0.038495, 0.067989, 0.017776, 0.120793, -0.357077, 0.091147, 0.336931, -0.018316, 0.113965, 0.348756, -0.163969, -0.562344, -0.324754, 1.840714, 0.025348, -0.102015, -0.082149, 0.182152, -0.236492, 0.159418, 0.316414, -0.057489, -0.038112, 0.201526, -0.078295, -0.533536, 0.049527, 0.26305, 0.11566, 0.282118, 0.150793, 0.179501, -0.068999, -0.203362, -0.001051, 0.749319, 0.101133, -0.597076, -0.13722, -0.724341,),
    ),
    intercept=(0.564335, -0.878658, 0.314323,),
)
DERIVED_THRESHOLD = 0.45


# --- derived words of a corpus ------------------------------------------------------------


def source_groups(
    matches: Sequence[Match], outlet_of: dict[str, str | None]
) -> dict[tuple[str, str | None], tuple[tuple[str, ...], tuple[Match, ...]]]:
    """Group each document's confirmed sources by outlet.

    A document's sources are the partners of its matches, except a partner that the match's
    direction says is the later article (``a->b`` makes ``a`` a source of ``b`` only). The
    key is ``(document, outlet of the sources)``; the value holds the source ids (sorted)
    and the matches with them.
    """
    found: dict[tuple[str, str | None], tuple[set[str], list[Match]]] = {}
    for match in matches:
        for target, source, allowed in (
            (match.b.doc, match.a.doc, match.direction != "b->a"),
            (match.a.doc, match.b.doc, match.direction != "a->b"),
        ):
            if not allowed:
                continue
            ids, found_matches = found.setdefault((target, outlet_of.get(source)), (set(), []))
            ids.add(source)
            found_matches.append(match)
    return {
        key: (tuple(sorted(ids)), tuple(found_matches))
        for key, (ids, found_matches) in sorted(
            found.items(), key=lambda kv: (kv[0][0], kv[0][1] is not None, kv[0][1] or "")
        )
    }


def word_runs(tokens_starts: np.ndarray, tokens_ends: np.ndarray, labels: np.ndarray) -> list[tuple[int, int, int]]:
    """Return ``(start, end, label)`` character spans of the runs of derived words."""
    out = []
    n = len(labels)
    k = 0
    while k < n:
        label = int(labels[k])
        if label == NEW:
            k += 1
            continue
        j = k
        while j + 1 < n and labels[j + 1] == label:
            j += 1
        out.append((int(tokens_starts[k]), int(tokens_ends[j]), label))
        k = j + 1
    return out


def labels_from_spans(tokens_starts: np.ndarray, tokens_ends: np.ndarray, spans) -> np.ndarray:
    """Label each word from :class:`~reprints.model.DerivedWords` records of its document.

    A word inside a verbatim span is VERBATIM, inside a reworded one REWORDED (verbatim wins
    where spans of several outlets overlap), otherwise NEW.
    """
    labels = np.zeros(len(tokens_starts), dtype=np.int8)
    for span in spans:
        i = int(np.searchsorted(tokens_starts, span.start, side="left"))
        j = max(i, int(np.searchsorted(tokens_ends, span.end, side="right")))
        value = VERBATIM if span.kind == "verbatim" else REWORDED
        labels[i:j] = np.maximum(labels[i:j], value)
    return labels


def derive_labels(
    target, sources, matches: Sequence[Match], cache: WordCache | None = None
) -> np.ndarray:
    """Label the words of a prepared ``target`` against its prepared ``sources`` (fitted model)."""
    if not sources:
        return np.zeros(len(target.tokens), dtype=np.int8)
    item = derivation_input(target, sources, matches, cache)
    return label_words(FIRST_PASS, SECOND_PASS, DERIVED_THRESHOLD, item, cache)


def find_derived(documents, matches: Sequence[Match], context) -> list[DerivedWords]:
    """Return the derived-word spans of every document that alignment found reusing others.

    ``context`` is the :class:`~reprints.align.AlignContext` the matches were aligned with
    (its prepared documents are reused). Spans are sorted by (doc, start, outlet).
    """
    by_id = {d.id: d for d in documents}
    outlet_of = {d.id: d.outlet for d in documents}
    out: list[DerivedWords] = []
    cache = WordCache()
    for (target, outlet), (source_ids, found) in source_groups(matches, outlet_of).items():
        prepared = context.get(by_id[target])
        labels = derive_labels(prepared, [context.get(by_id[s]) for s in source_ids], found, cache)
        for start, end, label in word_runs(prepared.tokens.starts, prepared.tokens.ends, labels):
            kind = "verbatim" if label == VERBATIM else "reworded"
            out.append(DerivedWords(target, start, end, kind, outlet, source_ids))  # type: ignore[arg-type]
    return sorted(out, key=derived_order)


def derived_order(span: DerivedWords) -> tuple[object, ...]:
    """Sort key of derived-word spans: (doc, start, outlet, end, kind, sources)."""
    return (span.doc, span.start, span.outlet is not None, span.outlet or "", span.end, span.kind, span.sources)
