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
from functools import cached_property
from itertools import pairwise

import numpy as np

from .align import capital_initials, filler_word, sentence_scores
from .model import DerivedWords, Document, Match

NEW, REWORDED, VERBATIM = 0, 1, 2
"""Word labels (METER's New / Rewrite / Verbatim)."""

RUN_LENGTHS = (1, 2, 3, 4, 6, 8, 12)
"""Shared word n-gram lengths checked for each word (the longest one through it counts)."""

WINDOWS = (2, 5, 10)
"""Half-widths, in words, of the neighbourhoods whose share of source words is a feature."""


@dataclass(frozen=True)
class DerivationInput:
    """One target document's words and sentences, and what its sources share with it.

    ``norms`` are the target's folded tokens, ``capitalised`` whether each starts with a
    capital letter in the original text, ``sentence_of`` the sentence index of each token,
    ``sentence_score`` the best alignment score of each target sentence against any source
    sentence, ``source_norms`` the folded tokens of each source, ``matches`` the target's
    aligned passages with the sources (as ``(start, end, keeps)`` token ranges of the
    target: the passage and its kept words).
    """

    norms: tuple[str, ...]
    capitalised: np.ndarray
    sentence_of: np.ndarray
    sentence_score: np.ndarray
    source_norms: tuple[tuple[str, ...], ...]
    passages: tuple[tuple[int, int, tuple[tuple[int, int], ...]], ...]
    partner_words: tuple[frozenset[str], ...] = ()
    """Per target sentence, the words of its best-scoring source sentence."""


class WordCache:
    """Word ids, word kinds and k-gram hashes of token sequences, computed once per run.

    A document is a source or target of several groups; its tokens (the same tuple object
    each time) are looked at once, and each distinct word's kind once. Only equality of ids
    matters, so results do not depend on the order documents are seen in.
    """

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._words: list[str] = []
        self._function = np.zeros(0, dtype=bool)
        self._number = np.zeros(0, dtype=bool)
        self._seen: dict[int, tuple[tuple[str, ...], dict[object, np.ndarray]]] = {}
        self._scores: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def _entry(self, norms: tuple[str, ...]) -> dict[object, np.ndarray]:
        found = self._seen.get(id(norms))
        if found is None or found[0] is not norms:
            found = (norms, {})
            self._seen[id(norms)] = found
        return found[1]

    def ids(self, norms: tuple[str, ...]) -> np.ndarray:
        """Return each token's word id (ids are given in order of first appearance)."""
        entry = self._entry(norms)
        if "ids" not in entry:
            vocab = self.vocab
            found = list(map(vocab.get, norms))
            if None in found:
                for word in dict.fromkeys(norms):  # new words in order of first appearance
                    if word not in vocab:
                        vocab[word] = len(vocab)
                        self._words.append(word)
                found = list(map(vocab.__getitem__, norms))
            entry["ids"] = np.array(found, dtype=np.uint64).reshape(len(norms))
        return entry["ids"]

    def kinds(self, norms: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Return (function word or punctuation, holds a digit) per token."""
        entry = self._entry(norms)
        if "function" not in entry:
            ids = self.ids(norms).astype(np.intp)
            known = len(self._function)
            if known < len(self._words):
                new = self._words[known:]
                self._function = np.concatenate(
                    [self._function, np.fromiter(map(filler_word, new), dtype=bool, count=len(new))]
                )
                self._number = np.concatenate(
                    [self._number, np.fromiter((any(c.isdigit() for c in w) for w in new), dtype=bool, count=len(new))]
                )
            entry["function"] = self._function[ids]
            entry["number"] = self._number[ids]
        return entry["function"], entry["number"]

    def best_sentences(self, target, source) -> tuple[np.ndarray, np.ndarray]:
        """Return, per sentence of ``target``, its best score against ``source`` and the sentence.

        One score matrix serves both directions of a pair of prepared documents.
        """
        key = (target.doc.id, source.doc.id)
        if key not in self._scores:
            scores = sentence_scores(target, source)
            self._scores[key] = (scores.max(axis=1), scores.argmax(axis=1))
            self._scores[(source.doc.id, target.doc.id)] = (scores.max(axis=0), scores.argmax(axis=0))
        return self._scores.pop(key)

    def capitalised(self, tokens, text: str) -> np.ndarray:
        """Return whether each token of ``text`` starts with a capital letter."""
        entry = self._entry(tokens.norms)
        if "capitalised" not in entry:
            entry["capitalised"] = capital_initials(text, tokens.starts)
        return entry["capitalised"]

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
    if _gram_kernel is not None:
        return _gram_kernel(ids, k)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(k):
            h = (h * _MULT) ^ (ids[i : i + n] + np.uint64(i + 1))
    return h


def _covered(grams: np.ndarray, pool: np.ndarray, k: int, n: int) -> np.ndarray:
    """Mark each of ``n`` words inside a k-gram (hashes ``grams``, by position) found in sorted ``pool``."""
    if _cover_kernel is not None:
        return _cover_kernel(grams, pool, k, n)
    mark = np.zeros(n, dtype=bool)
    if len(grams) and len(pool):
        at = np.minimum(np.searchsorted(pool, grams), len(pool) - 1)
        hit = pool[at] == grams
        for i in range(k):
            mark[i : i + len(hit)] |= hit
    return mark


try:  # numba hashes k-grams and marks shared ones in one pass each; the numpy path is the same
    import numba

    @numba.njit(cache=True, nogil=True)
    def _gram_kernel(ids, k):  # pragma: no cover - compiled
        n = len(ids) - k + 1
        out = np.zeros(n, dtype=np.uint64)
        for t in range(n):
            h = np.uint64(0)
            for i in range(k):
                h = (h * np.uint64(0x9E3779B97F4A7C15)) ^ (ids[t + i] + np.uint64(i + 1))
            out[t] = h
        return out

    @numba.njit(cache=True, nogil=True)
    def _cover_kernel(grams, pool, k, n):  # pragma: no cover - compiled
        mark = np.zeros(n, dtype=np.bool_)
        if len(pool) == 0:
            return mark
        for t in range(len(grams)):
            at = np.searchsorted(pool, grams[t])
            if at < len(pool) and pool[at] == grams[t]:
                mark[t : t + k] = True
        return mark

    @numba.njit(cache=True, nogil=True)
    def _window_kernel(values, halves):  # pragma: no cover - compiled
        # numpy's running sum adds in order, as this loop does: the same sums, bit for bit
        n = len(values)
        csum = np.empty(n + 1, dtype=np.float64)
        csum[0] = 0.0
        for i in range(n):
            csum[i + 1] = csum[i] + values[i]
        out = np.empty((len(halves), n), dtype=np.float64)
        for h in range(len(halves)):
            for i in range(n):
                lo = max(i - halves[h], 0)
                hi = min(i + halves[h] + 1, n)
                out[h, i] = (csum[hi] - csum[lo]) / (hi - lo)
        return out

    @numba.njit(cache=True, nogil=True)
    def _distance_kernel(mark, cap):  # pragma: no cover - compiled
        n = len(mark)
        out = np.empty(n, dtype=np.float64)
        last = -1  # the nearest marked word before, then after, each word
        for i in range(n):
            if mark[i]:
                last = i
            out[i] = min(i - last, cap) if last >= 0 else cap
        last = -1
        for i in range(n - 1, -1, -1):
            if mark[i]:
                last = i
            if last >= 0:
                out[i] = min(out[i], last - i)
        return out

except ImportError:  # pragma: no cover - exercised only without numba
    _gram_kernel = None  # type: ignore[assignment]
    _cover_kernel = None  # type: ignore[assignment]
    _window_kernel = None  # type: ignore[assignment]
    _distance_kernel = None  # type: ignore[assignment]


def _window_mean(values: np.ndarray, half: int) -> np.ndarray:
    """Mean of ``values`` over ``[i - half, i + half]`` (clipped at the ends)."""
    return _window_means(values, (half,))[0]


def _window_means(values: np.ndarray, halves: Sequence[int]) -> list[np.ndarray]:
    """:func:`_window_mean` of ``values`` for each of ``halves`` (one running sum for all)."""
    n = len(values)
    if n == 0:
        return [values.astype(np.float64) for _ in halves]
    if _window_kernel is not None and values.dtype == np.float64:
        return list(_window_kernel(values, np.asarray(halves, dtype=np.int64)))
    csum = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    idx = np.arange(n)
    out = []
    for half in halves:
        lo = np.maximum(idx - half, 0)
        hi = np.minimum(idx + half + 1, n)
        out.append((csum[hi] - csum[lo]) / (hi - lo))
    return out


def _sentence_mean(values: np.ndarray, sentence_of: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Mean of ``values`` over each word's sentence (``counts``: ``np.bincount(sentence_of)``)."""
    if len(values) == 0:
        return values.astype(np.float64)
    sums = np.bincount(sentence_of, weights=values)
    counts = np.bincount(sentence_of) if counts is None else counts
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
    "log_sentence_words",
    "sentence_position",
    "lead_sentence",
    "log_source_count",
    "partner_bigram",
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
    covered = {}
    for k in RUN_LENGTHS:
        grams = cache.grams(item.norms, k)
        pool = grams[:0]
        if len(grams) and item.source_norms:
            pools = [cache.grams(s, k, sort=True) for s in item.source_norms]
            pool = pools[0] if len(pools) == 1 else np.sort(np.concatenate(pools))
        covered[k] = _covered(grams, pool, k, n)
    run = np.zeros(n, dtype=np.float64)
    for k in RUN_LENGTHS:
        run[covered[k]] = k
    in_passage = np.zeros(n, dtype=bool)
    kept = np.zeros(n, dtype=bool)
    for start, end, keeps in item.passages:
        in_passage[start:end] = True
        for ks, ke in keeps:
            kept[ks:ke] = True
    sentence_of = item.sentence_of
    sentence_words = np.bincount(sentence_of)

    def sentence_mean(values: np.ndarray) -> np.ndarray:
        return _sentence_mean(values, sentence_of, sentence_words)

    shared = covered[1]
    shared_content = shared & ~function
    content = (~function).astype(np.float64)
    content_in_sentence = np.maximum(sentence_mean(content), 1e-9)
    cols: dict[str, np.ndarray] = {
        "bias": np.ones(n),
        "in_passage": in_passage,
        "kept": kept,
        "shared_word": shared,
        "shared_content": shared_content,
        "log_run": np.log1p(run),
        "sentence_run2": sentence_mean(covered[2].astype(np.float64)),
        "sentence_content_share": sentence_mean(shared_content.astype(np.float64)) / content_in_sentence,
        "sentence_score": item.sentence_score[sentence_of] if len(item.sentence_score) else np.zeros(n),
        "sentence_in_passage": sentence_mean(in_passage.astype(np.float64)),
        "function_word": function,
        "number": number,
        "capitalised": item.capitalised,
        "position": np.arange(n) / max(n - 1, 1),
        "shared_x_function": shared & function,
        "kept_x_function": kept & function,
    }
    for k in RUN_LENGTHS[1:]:
        cols[f"run_{k}"] = covered[k]
    in_partner = _in_partner(item.norms, sentence_of, item.partner_words)
    in_partner_content = in_partner & ~function
    cols["in_partner"] = in_partner
    cols["in_partner_content"] = in_partner_content
    cols["sentence_partner_share"] = sentence_mean(in_partner_content.astype(np.float64)) / content_in_sentence
    cols["sentence_score_sq"] = cols["sentence_score"] ** 2
    n_content = max(content.sum(), 1.0)
    cols["doc_content_share"] = np.full(n, shared_content.sum() / n_content)
    cols["doc_run3_share"] = np.full(n, covered[3].mean())
    cols["doc_passage_share"] = np.full(n, in_passage.mean())
    cols["doc_kept_share"] = np.full(n, kept.mean())
    cols["near_run3"] = np.log1p(_distance(covered[3]))
    cols["near_shared_content"] = np.log1p(_distance(shared_content))
    halves = (*WINDOWS, 20)
    content_near = _window_means(content, halves)
    shared_near = _window_means(shared_content.astype(np.float64), halves)
    run3_near = _window_means(covered[3].astype(np.float64), halves)
    passage_near = _window_means(in_passage.astype(np.float64), WINDOWS)
    cols["content_share_20"] = shared_near[-1] / np.maximum(content_near[-1], 1e-9)
    cols["run3_share_20"] = run3_near[-1]
    cols["log_sentence_words"] = np.log1p(sentence_words[sentence_of].astype(np.float64))
    last_sentence = max(int(sentence_of[-1]), 1)
    cols["sentence_position"] = sentence_of / last_sentence
    cols["lead_sentence"] = sentence_of <= 1
    cols["log_source_count"] = np.log1p(_source_counts(item, cache).astype(np.float64)) / max(len(item.source_norms), 1)
    # a word and its neighbour both in the sentence's best source sentence
    pair = np.zeros(n, dtype=bool)
    both = in_partner[:-1] & in_partner[1:] & (sentence_of[1:] == sentence_of[:-1])
    pair[:-1] |= both
    pair[1:] |= both
    cols["partner_bigram"] = pair & ~function
    for k, w in enumerate(WINDOWS):
        content_here = content_near[k]
        cols[f"content_share_{w}"] = shared_near[k] / np.maximum(content_here, 1e-9) * (content_here > 0)
        cols[f"run3_share_{w}"] = run3_near[k]
        cols[f"passage_share_{w}"] = passage_near[k]
    for c, name in enumerate(FEATURES):
        out[:, c] = cols[name]
    np.clip(out, 0.0, 1.0e6, out=out)
    return out


def _in_partner(norms: tuple[str, ...], sentence_of: np.ndarray, partner: tuple[frozenset[str], ...]) -> np.ndarray:
    """Return whether each word occurs in its sentence's best source sentence."""
    out = np.zeros(len(norms), dtype=bool)
    if not partner:
        return out
    bounds = [0, *(np.flatnonzero(np.diff(sentence_of)) + 1).tolist(), len(norms)]
    for lo, hi in pairwise(bounds):
        words = partner[sentence_of[lo]]
        if words:
            out[lo:hi] = list(map(words.__contains__, norms[lo:hi]))
    return out


def _source_counts(item: DerivationInput, cache: WordCache) -> np.ndarray:
    """Return how often each target word occurs in the sources, all together."""
    ids = cache.ids(item.norms)
    if not item.source_norms:
        return np.zeros(len(ids), dtype=np.int64)
    pool = np.sort(np.concatenate([cache.ids(s) for s in item.source_norms]))
    return np.searchsorted(pool, ids, side="right") - np.searchsorted(pool, ids, side="left")


DISTANCE_CAP = 50


def _distance(mark: np.ndarray) -> np.ndarray:
    """Words from each word to the nearest marked word (0 on one; capped)."""
    if _distance_kernel is not None:
        return _distance_kernel(mark, DISTANCE_CAP)
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
    near = [_window_means(probs[:, c], NEIGHBOUR_WINDOWS) for c in (1, 2)]
    for k in range(len(NEIGHBOUR_WINDOWS)):
        cols.extend((near[0][k], near[1][k]))
    counts = np.bincount(sentence_of) if len(probs) else None
    for c in (1, 2):
        cols.append(_sentence_mean(probs[:, c], sentence_of, counts))
    for c in (1, 2):
        cols.append(np.full(len(probs), probs[:, c].mean() if len(probs) else 0.0))
    derived = probs[:, 1] + probs[:, 2]
    cols.append(derived * derived)
    cols.append(_window_mean(derived, 2) * _sentence_mean(derived, sentence_of, counts))
    if not len(probs):
        return np.zeros((0, len(cols)))
    return np.stack(cols, axis=1)


def passages_of(doc_id: str, tokens_starts: np.ndarray, tokens_ends: np.ndarray, matches: Sequence[Match]):
    """Return ``(start, end, keeps)`` token ranges of ``doc_id``'s side of each match."""
    out = []
    for match in matches:
        if match.b.doc == doc_id:
            side = match.b
            kept = [(e.b_start, e.b_end) for e in match.edits if e.op == "keep"]
        elif match.a.doc == doc_id:
            side = match.a
            kept = [(e.a_start, e.a_end) for e in match.edits if e.op == "keep"]
        else:
            continue
        i = int(np.searchsorted(tokens_starts, side.start, side="left"))
        j = max(i, int(np.searchsorted(tokens_ends, side.end, side="right")))
        keeps: tuple[tuple[int, int], ...] = ()
        if kept:
            chars = np.asarray(kept, dtype=np.int64)
            ki = np.maximum(np.searchsorted(tokens_starts, chars[:, 0], side="left"), i)
            kj = np.minimum(np.searchsorted(tokens_ends, chars[:, 1], side="right"), j)
            keeps = tuple(zip(ki.tolist(), kj.tolist(), strict=True))
        out.append((i, j, keeps))
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
        capitalised=cache.capitalised(tokens, text),
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

    @cached_property
    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return np.asarray(self.mean), np.asarray(self.scale), np.asarray(self.coef), np.asarray(self.intercept)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Return ``(words, 3)`` probabilities of NEW, REWORDED and VERBATIM."""
        mean, scale, coef, intercept = self._arrays
        z = features - mean
        z /= scale
        logits = z @ coef.T
        logits += intercept
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits


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
    mean=(1.0, 0.584567, 0.38247, 0.812111, 0.348614, 0.572937, 0.403846, 0.325971, 0.243886, 0.202166, 0.154189, 1.173703, 0.673071, 0.686112, 0.688311, 0.403953, 0.403981, 0.404207, 0.584624, 0.584838, 0.585221, 0.572937, 0.683203, 0.478479, 0.584567, 0.520005, 0.252157, 0.499162, 0.346757, 0.690708, 0.403846, 0.584567, 0.38247, 1.233951, 0.680543, 0.689343, 0.404476, 2.907748, 0.496738, 0.08678, 0.692408, 0.226875, 0.497327, 0.019718, 0.156489, 0.5, 0.463497, 0.168726,),
    scale=(1.0, 0.492797, 0.485991, 0.390624, 0.476532, 0.494652, 0.490667, 0.468736, 0.429425, 0.401616, 0.36113, 0.841252, 0.379237, 0.302278, 0.263972, 0.418768, 0.373391, 0.341754, 0.483638, 0.472353, 0.454805, 0.320542, 0.296144, 0.343241, 0.491782, 0.4996, 0.434251, 0.324395, 0.378968, 0.16865, 0.233951, 0.279144, 0.254636, 1.261715, 0.627667, 0.235524, 0.312278, 0.575792, 0.304903, 0.281513, 0.708754, 0.418811, 0.499993, 0.139031, 0.363319, 0.289493, 0.498666, 0.37451,),
    coef=(
        (0.0, -0.013291, 0.018884, -0.024644, 0.018134, -0.043128, 0.033439, -0.008974, 0.098085, -0.033009, -0.002036, -0.001154, 0.00723, -0.022784, -0.046319, -0.036179, -0.023277, -0.017105, 0.058784, 0.112064, -0.143161, -0.136853, -0.078392, -0.385957, -0.059842, -0.086751, 0.089901, 0.046532, 0.111896, -0.079941, 0.163391, -0.165243, -0.313851, 0.017226, 0.162946, -0.08026, -0.055267, 0.390814, -0.021251, -0.158612, -0.114409, 0.006656, 0.141886, 0.03015, -0.00719, 0.136874, -0.036634, -0.059611,),
        (0.0, 0.009567, -0.22798, -0.086952, -0.150511, -0.09224, -0.124163, -0.056924, -0.139896, -0.115322, -0.172772, -0.143025, -0.019967, 0.009191, 0.077589, -0.014086, 0.064593, -0.054921, 0.096063, -0.07444, 0.10237, 0.083669, -0.071626, 0.180484, 0.001975, -0.174385, -0.060304, 0.079404, -0.280806, 0.134218, 0.20681, 0.214032, -0.313009, -0.04101, -0.066075, 0.213766, -0.081221, -0.179908, -0.148375, 0.054453, 0.043597, -0.018676, 0.05059, -0.156581, -0.217886, 0.025049, 0.075717, -0.092764,),
        (0.0, 0.003724, 0.209096, 0.111596, 0.132376, 0.135368, 0.090724, 0.065898, 0.041812, 0.148332, 0.174808, 0.144179, 0.012736, 0.013593, -0.03127, 0.050264, -0.041316, 0.072025, -0.154847, -0.037624, 0.040792, 0.053184, 0.150019, 0.205473, 0.057867, 0.261136, -0.029596, -0.125936, 0.16891, -0.054277, -0.370201, -0.048789, 0.62686, 0.023784, -0.096872, -0.133506, 0.136489, -0.210905, 0.169627, 0.10416, 0.070812, 0.012019, -0.192476, 0.126431, 0.225076, -0.161923, -0.039083, 0.152375,),
    ),
    intercept=(0.530867, -0.852896, 0.322029,),
)
SECOND_PASS = Stage(
    mean=(1.0, 0.584567, 0.38247, 0.812111, 0.348614, 0.572937, 0.403846, 0.325971, 0.243886, 0.202166, 0.154189, 1.173703, 0.673071, 0.686112, 0.688311, 0.403953, 0.403981, 0.404207, 0.584624, 0.584838, 0.585221, 0.572937, 0.683203, 0.478479, 0.584567, 0.520005, 0.252157, 0.499162, 0.346757, 0.690708, 0.403846, 0.584567, 0.38247, 1.233951, 0.680543, 0.689343, 0.404476, 2.907748, 0.496738, 0.08678, 0.692408, 0.226875, 0.497327, 0.019718, 0.156489, 0.5, 0.463497, 0.168726, 0.14427, 0.416745, 0.144248, 0.416774, 0.144341, 0.416649, 0.144347, 0.416607, 0.14408, 0.416829, 0.14427, 0.416745, 0.14427, 0.416745, 0.432074, 0.423767,),
    scale=(1.0, 0.492797, 0.485991, 0.390624, 0.476532, 0.494652, 0.490667, 0.468736, 0.429425, 0.401616, 0.36113, 0.841252, 0.379237, 0.302278, 0.263972, 0.418768, 0.373391, 0.341754, 0.483638, 0.472353, 0.454805, 0.320542, 0.296144, 0.343241, 0.491782, 0.4996, 0.434251, 0.324395, 0.378968, 0.16865, 0.233951, 0.279144, 0.254636, 1.261715, 0.627667, 0.235524, 0.312278, 0.575792, 0.304903, 0.281513, 0.708754, 0.418811, 0.499993, 0.139031, 0.363319, 0.289493, 0.498666, 0.37451, 0.174937, 0.387244, 0.14482, 0.363094, 0.124904, 0.344821, 0.108378, 0.325061, 0.094276, 0.301942, 0.121403, 0.345221, 0.058596, 0.242587, 0.376711, 0.366036,),
    coef=(
        (0.0, -0.121344, -0.069463, -0.031523, -0.021946, -0.080011, 0.031354, -0.074394, 0.121037, -0.083727, -0.027345, -0.026783, -0.002779, -0.044749, -0.096882, -0.063982, -0.057737, -0.033984, 0.134805, 0.197023, -0.247379, -0.228188, -0.131536, -0.63946, -0.021944, -0.16349, 0.098215, 0.097627, 0.213334, -0.002649, 0.315577, -0.057081, -0.735018, -0.002576, 0.207706, -0.036432, -0.014696, 0.687538, 0.012349, -0.26994, -0.20137, -0.042729, 0.20797, 0.023599, -0.06031, 0.179667, -0.003722, -0.150565, 0.402657, 1.143199, -0.042105, -0.200914, -0.193711, -0.342052, 0.056322, 0.145006, -0.146527, -0.34969, 0.089024, -0.352368, -0.108803, -0.135229, 0.319815, 0.472924,),
        (0.0, 0.06587, -0.242159, -0.111957, -0.197785, -0.119386, -0.150683, -0.037223, -0.1516, -0.100739, -0.169402, -0.159274, -0.030069, 0.024308, 0.122775, -0.032998, 0.073806, -0.092192, 0.234223, -0.234021, 0.171815, 0.147039, -0.060363, 0.399631, -0.061944, -0.200472, -0.06081, 0.05378, -0.501786, 0.284232, 0.103605, 0.519518, -0.804696, -0.092113, -0.13909, 0.207439, -0.232796, -0.322995, -0.265336, 0.095664, 0.090037, 0.012633, 0.030728, -0.191979, -0.257796, 0.080058, 0.101306, -0.086841, -0.109951, -0.057589, -0.045224, -0.111718, -0.05545, -0.117903, -0.159592, -0.132961, 0.119975, 0.414961, -0.000256, 0.009287, -0.12913, 0.291941, -0.348601, 0.245317,),
        (0.0, 0.055475, 0.311622, 0.14348, 0.219731, 0.199397, 0.119328, 0.111618, 0.030563, 0.184466, 0.196747, 0.186057, 0.032848, 0.020441, -0.025893, 0.09698, -0.016069, 0.126176, -0.369028, 0.036998, 0.075565, 0.081149, 0.191899, 0.239829, 0.083888, 0.363963, -0.037405, -0.151407, 0.288453, -0.281583, -0.419183, -0.462437, 1.539714, 0.09469, -0.068617, -0.171007, 0.247492, -0.364543, 0.252986, 0.174276, 0.111333, 0.030096, -0.238698, 0.16838, 0.318106, -0.259725, -0.097584, 0.237406, -0.292705, -1.08561, 0.087329, 0.312633, 0.249161, 0.459955, 0.103269, -0.012045, 0.026552, -0.065271, -0.088767, 0.343081, 0.237933, -0.156712, 0.028786, -0.71824,),
    ),
    intercept=(0.579917, -0.868308, 0.288391,),
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


STRAY_WORDS = 2
"""A derived run of at most this many function words between new words is new ("of the")."""


def drop_stray_function_words(labels: np.ndarray, norms: Sequence[str], function: np.ndarray | None = None) -> None:
    """Label NEW, in place, each short derived run of function words with new words around it.

    ``function`` (per word: function word or punctuation) saves testing each word again.
    """
    starts, ends = _runs(labels != NEW)
    short = (ends - starts <= STRAY_WORDS) & (starts > 0) & (ends < len(labels))
    for k, j in zip(starts[short].tolist(), ends[short].tolist(), strict=True):
        if function[k:j].all() if function is not None else all(map(filler_word, norms[k:j])):
            labels[k:j] = NEW


def _runs(mark: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the starts and ends (exclusive) of the runs of True in ``mark``."""
    edges = np.diff(mark.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def word_runs(tokens_starts: np.ndarray, tokens_ends: np.ndarray, labels: np.ndarray) -> list[tuple[int, int, int]]:
    """Return ``(start, end, label)`` character spans of the runs of derived words."""
    n = len(labels)
    if n == 0:
        return []
    change = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    first = np.concatenate([[0], change])
    last = np.concatenate([change, [n]]) - 1
    derived = labels[first] != NEW
    first, last = first[derived], last[derived]
    return list(
        zip(tokens_starts[first].tolist(), tokens_ends[last].tolist(), labels[first].astype(int).tolist(), strict=True)
    )


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
    """Label the words of a prepared ``target`` against its prepared ``sources`` (fitted model).

    Words inside the target's boilerplate (``target.excluded``) are always NEW.
    """
    if not sources:
        return np.zeros(len(target.tokens), dtype=np.int8)
    cache = cache if cache is not None else WordCache()
    item = derivation_input(target, sources, matches, cache)
    labels = label_words(FIRST_PASS, SECOND_PASS, DERIVED_THRESHOLD, item, cache)
    norms = target.tokens.norms
    drop_stray_function_words(labels, norms, cache.kinds(norms)[0])
    # A word no source has is not verbatim ("Facebook Twitter" next to a lifted headline):
    # at most reworded. On METER courts this moves 0.0002 of macro-F1 and no derived word.
    verbatim = np.flatnonzero(labels == VERBATIM)
    if len(verbatim):
        source_ids = np.concatenate([cache.ids(s.tokens.norms) for s in sources])
        labels[verbatim[~np.isin(cache.ids(norms)[verbatim], source_ids)]] = REWORDED
    for start, end in getattr(target, "excluded", ()):
        i, j = target.tokens.between(start, end)
        labels[i:j] = NEW
    return labels


def find_derived(documents, matches: Sequence[Match], context) -> list[DerivedWords]:
    """Return the derived-word spans of every document that alignment found reusing others.

    ``context`` is the :class:`~reprints.align.AlignContext` the matches were aligned with
    (its prepared documents are reused; their boilerplate is never derived). Spans are
    sorted by (doc, start, outlet).
    """
    return sorted(derive_groups(derive_work(documents, matches), context), key=derived_order)


DeriveItem = tuple[str, "str | None", tuple[str, ...], tuple[Match, ...], Document, tuple[Document, ...]]
"""One unit of word-layer work: target id, source outlet, source ids, their matches, the
target document and the source documents."""


def derive_work(documents, matches: Sequence[Match]) -> list[DeriveItem]:
    """Return the word layer's work: one item per (target document, source outlet), in order."""
    by_id = {d.id: d for d in documents}
    outlet_of = {d.id: d.outlet for d in documents}
    return [
        (target, outlet, source_ids, found, by_id[target], tuple(by_id[s] for s in source_ids))
        for (target, outlet), (source_ids, found) in source_groups(matches, outlet_of).items()
    ]


def derive_groups(work: Sequence[DeriveItem], context) -> list[DerivedWords]:
    """Return the derived-word spans of ``work`` items (unsorted).

    Documents are prepared through ``context`` in the order the items ask for them, a batch
    ahead, and forgotten after their last use, so a block of work can run on its own worker.
    """
    context.follow([doc for item in work for doc in (item[4], *item[5])])
    out: list[DerivedWords] = []
    cache = WordCache()
    for target, outlet, source_ids, found, target_doc, source_docs in work:
        prepared = context.get(target_doc)
        labels = derive_labels(prepared, [context.get(s) for s in source_docs], found, cache)
        for start, end, label in word_runs(prepared.tokens.starts, prepared.tokens.ends, labels):
            kind = "verbatim" if label == VERBATIM else "reworded"
            out.append(DerivedWords(target, start, end, kind, outlet, source_ids))  # type: ignore[arg-type]
    context.follow([])
    return out


def derived_order(span: DerivedWords) -> tuple[object, ...]:
    """Sort key of derived-word spans: (doc, start, outlet, end, kind, sources)."""
    return (span.doc, span.start, span.outlet is not None, span.outlet or "", span.end, span.kind, span.sources)
