"""METER's classes (wholly-, partially-, non-derived) from evidence measured on each article.

One number, ``wire_share``, does not separate METER's classes: a newspaper's own report of a
court case shares names, figures and quoted words with the wire story of the same hearing,
and a tabloid's short rewrite of the wire story may keep few of its words. So the class is
read from several measures of one article against the wire copy it was paired with
(:data:`EVIDENCE`): its word accounting (verbatim, reworded), how long the verbatim runs are,
how much of it the wire stories' word 3-, 5- and 8-grams tile, how many of its sentences are
tiled, in which order the passages follow the source, and how much of the derived text sits
inside quotation marks. An article with no passage aligned to wire copy is non-derived
whatever the measures say (the model is fitted, and applied, only to articles with one).

A multinomial logistic regression over these measures, fitted on the 770 METER ``courts``
stories by ``benchmarks/meter_wire.py --write-weights src/reprints/wire_weights.py`` (the
procedure and its cross-validated figures are in ``benchmarks/wire.md``), turns them into
the class; its weights ship in :mod:`reprints.wire_weights`. ``Params.wire_classes =
"share"`` switches back to two thresholds on ``wire_share`` (``wire_partially``,
``wire_wholly``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .model import Match, WireClass
from .normalize import Tokens, sentence_spans
from .shingle import shingle_hashes

CLASS_ORDER: tuple[WireClass, ...] = ("wholly-derived", "partially-derived", "non-derived")

EVIDENCE: tuple[str, ...] = (
    "wire_share",
    "verbatim_share",
    "reworded_share",
    "longest_verbatim",
    "long_verbatim_share",
    "passages",
    "sources",
    "source_covered",
    "tiles_1",
    "tiles_3",
    "tiles_5",
    "tiles_8",
    "pool_tiles_3",
    "pool_tiles_5",
    "plain_tiles_3",
    "best_cosine",
    "max_cosine",
    "quoted_share",
    "derived_in_quotes",
    "first_derived",
    "lead_derived",
    "sentences_tiled",
    "sentences_untiled",
    "in_order",
)
"""The measures, in the order of the fitted weights (definitions in :func:`article_evidence`)."""

LONG_RUN = 8
"""Words from which a verbatim run counts as long (``long_verbatim_share``)."""

LEAD_WORDS = 60
"""Words at the top of an article whose derived share is ``lead_derived``."""

_QUOTE_RE = re.compile(
    r"\"[^\"\n]{3,}?\"|“[^”]{3,}?”|``[^\n]{3,}?''|‘[^’\n]{10,}?’"
    r"|(?<![A-Za-z])'[^'\n]{10,}?'(?![A-Za-z])"
)


@dataclass(frozen=True)
class WireStory:
    """One wire story an article was paired with, and the passages aligned between them."""

    id: str
    tokens: Tokens
    matches: tuple[Match, ...] = ()
    vector: Mapping[str, float] | None = None
    """Its TF-IDF vector (:func:`tfidf_vector`), when the caller keeps one per story."""


def _covered(tokens: Tokens, pool_hashes: np.ndarray, size: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Per word of ``tokens``: True when it lies in a word ``size``-gram found in the pool."""
    n = len(tokens)
    out = np.zeros(n, dtype=bool)
    if n < size or not len(pool_hashes):
        return out
    hits = np.isin(shingle_hashes(tokens, size), pool_hashes)
    if mask is not None:
        hits &= mask
    starts = np.flatnonzero(hits)
    if not len(starts):
        return out
    delta = np.zeros(n + 1, dtype=np.int64)
    np.add.at(delta, starts, 1)
    np.add.at(delta, starts + size, -1)
    return np.cumsum(delta[:n]) > 0


def _hashes(stories: Sequence[WireStory], size: int) -> np.ndarray:
    parts = [shingle_hashes(s.tokens, size) for s in stories]
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.uint32)


def tfidf_vector(tokens: Tokens, idf: Mapping[str, float]) -> dict[str, float]:
    """Return the unit-length TF-IDF vector (sublinear tf) of a text's folded words.

    Words missing from ``idf`` get the largest idf in it.
    """
    top = max(idf.values(), default=1.0)
    counts: dict[str, int] = {}
    for w in tokens.norms:
        counts[w] = counts.get(w, 0) + 1
    vec = {w: (1 + math.log(c)) * idf.get(w, top) for w, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {w: v / norm for w, v in vec.items()} if norm else vec


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(v * b[w] for w, v in a.items() if w in b)


def _vector_of(story: WireStory, idf: Mapping[str, float]) -> Mapping[str, float]:
    return story.vector if story.vector is not None else tfidf_vector(story.tokens, idf)


def _side(match: Match, doc_id: str):  # noqa: ANN202 - a Span
    return match.a if match.a.doc == doc_id else match.b


def article_evidence(
    doc_id: str,
    text: str,
    tokens: Tokens,
    labels: np.ndarray,
    used: Sequence[WireStory],
    pool: Sequence[WireStory],
    idf: Mapping[str, float],
) -> dict[str, float]:
    """Measure one article against its wire copy; return ``{name: value}`` for :data:`EVIDENCE`.

    ``labels`` are the article's word labels (0 new, 1 reworded, 2 verbatim, as
    :func:`reprints.wire.word_labels`); ``used`` the wire stories it has aligned passages with
    (their ``matches``); ``pool`` every wire story the candidate stage paired it with in the
    date window (used or not); ``idf`` inverse document frequencies of folded words.
    Shares are over the article's words; counts are log-scaled (``log1p``). The article's
    length is deliberately not a measure: METER's wholly-derived stories are short tabloid
    items, which says nothing about other corpora.
    """
    n = len(tokens)
    size = max(n, 1)
    derived = labels != 0
    verbatim = labels == 2
    runs = _runs(verbatim)
    best = max(used, key=lambda s: (_derived_against(doc_id, tokens, s), s.id), default=None)
    vector = tfidf_vector(tokens, idf)
    f: dict[str, float] = {
        "wire_share": float(derived.sum()) / size,
        "verbatim_share": float(verbatim.sum()) / size,
        "reworded_share": float((labels == 1).sum()) / size,
        "longest_verbatim": math.log1p(max(runs, default=0)),
        "long_verbatim_share": sum(r for r in runs if r >= LONG_RUN) / size,
        "passages": math.log1p(sum(len(s.matches) for s in used)),
        "sources": math.log1p(len(used)),
    }
    if best is not None:
        covered = np.zeros(len(best.tokens), dtype=bool)
        for m in best.matches:
            side = _side(m, best.id)
            i, j = best.tokens.between(side.start, side.end)
            covered[i:j] = True
        f["source_covered"] = float(covered.mean()) if len(covered) else 0.0
        f["best_cosine"] = _cosine(vector, _vector_of(best, idf))
        f["in_order"] = _in_order(doc_id, best)
    else:
        f.update(source_covered=0.0, best_cosine=0.0, in_order=0.0)
    for k in (1, 3, 5, 8):
        f[f"tiles_{k}"] = float(_covered(tokens, _hashes(used, k), k).mean()) if n else 0.0
    pool3 = _hashes(pool, 3)
    tiled3 = _covered(tokens, pool3, 3)
    f["pool_tiles_3"] = float(tiled3.mean()) if n else 0.0
    f["pool_tiles_5"] = float(_covered(tokens, _hashes(pool, 5), 5).mean()) if n else 0.0
    plain = np.array([not (text[s].isupper() or text[s].isdigit()) for s in tokens.starts], dtype=bool)
    if n >= 3:
        plain3 = plain[:-2] & plain[1:-1] & plain[2:]
        f["plain_tiles_3"] = float(_covered(tokens, pool3, 3, plain3).mean())
    else:
        f["plain_tiles_3"] = 0.0
    f["max_cosine"] = max((_cosine(vector, _vector_of(s, idf)) for s in pool), default=0.0)
    quoted = np.zeros(n, dtype=bool)
    for q in _QUOTE_RE.finditer(text):
        i, j = tokens.between(q.start(), q.end())
        quoted[i:j] = True
    f["quoted_share"] = float(quoted.sum()) / size
    f["derived_in_quotes"] = float((derived & quoted).sum()) / max(int(derived.sum()), 1)
    f["first_derived"] = float(np.argmax(derived)) / size if derived.any() else 1.0
    f["lead_derived"] = float(derived[:LEAD_WORDS].mean()) if n else 0.0
    shares = []
    for start, end in sentence_spans(text):
        i, j = tokens.between(start, end)
        if j - i >= 3:
            shares.append(float(tiled3[i:j].mean()))
    f["sentences_tiled"] = sum(s >= 0.8 for s in shares) / len(shares) if shares else 0.0
    f["sentences_untiled"] = sum(s < 0.2 for s in shares) / len(shares) if shares else 1.0
    return {name: float(f[name]) for name in EVIDENCE}


def _runs(mask: np.ndarray) -> list[int]:
    """Lengths of the runs of True in ``mask``."""
    if not mask.any():
        return []
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return (np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)).tolist()


def _derived_against(doc_id: str, tokens: Tokens, story: WireStory) -> int:
    """Article words inside passages aligned with ``story``."""
    covered = np.zeros(len(tokens), dtype=bool)
    for m in story.matches:
        side = _side(m, doc_id)
        i, j = tokens.between(side.start, side.end)
        covered[i:j] = True
    return int(covered.sum())


def _in_order(doc_id: str, story: WireStory) -> float:
    """Share of passage pairs that follow the source's order (1.0 with one passage)."""
    at = sorted((_side(m, doc_id).start, _side(m, story.id).start) for m in story.matches)
    where = [s for _a, s in at]
    pairs = len(where) * (len(where) - 1) // 2
    if not pairs:
        return 1.0
    inversions = sum(1 for i in range(len(where)) for j in range(i + 1, len(where)) if where[i] > where[j])
    return 1.0 - inversions / pairs


# --- the fitted model ----------------------------------------------------------------------


@dataclass(frozen=True)
class ClassModel:
    """A multinomial logistic regression over standardised :data:`EVIDENCE`."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[tuple[float, ...], ...]
    """One row per class of :data:`CLASS_ORDER`."""
    intercept: tuple[float, ...]

    def probabilities(self, evidence: Mapping[str, float]) -> dict[WireClass, float]:
        """Return each class's probability for one article's evidence."""
        x = (np.array([evidence[k] for k in self.features]) - np.array(self.mean)) / np.array(self.scale)
        z = np.array(self.coef) @ x + np.array(self.intercept)
        z = np.exp(z - z.max())
        p = z / z.sum()
        return {c: float(v) for c, v in zip(CLASS_ORDER, p, strict=True)}

    def classify(self, evidence: Mapping[str, float]) -> WireClass:
        """Return the most probable class (ties go to the first of :data:`CLASS_ORDER`)."""
        p = self.probabilities(evidence)
        return max(CLASS_ORDER, key=lambda c: (p[c], -CLASS_ORDER.index(c)))


def fitted_model() -> ClassModel:
    """Return the model fitted on METER courts (:mod:`reprints.wire_weights`)."""
    from . import wire_weights

    return ClassModel(
        features=wire_weights.FEATURES,
        mean=wire_weights.MEAN,
        scale=wire_weights.SCALE,
        coef=wire_weights.COEF,
        intercept=wire_weights.INTERCEPT,
    )


def weights_module(model: ClassModel, *, provenance: str) -> str:
    """Return the source of ``wire_weights.py`` holding ``model`` (``provenance`` as comment)."""

    def floats(values: Sequence[float]) -> str:
        return "(" + ", ".join(repr(round(float(v), 6)) for v in values) + ("," if len(values) == 1 else "") + ")"

    rows = "\n".join(f"    {floats(r)}," for r in model.coef)
    comment = "\n".join(f"# {line}" if line else "#" for line in provenance.splitlines())
    return (
        '"""Fitted weights of the METER class model (:mod:`reprints.wire_classes`); generated, do not edit."""\n\n'
        f"{comment}\n\n"
        "from __future__ import annotations\n\n"
        f"FEATURES: tuple[str, ...] = {tuple(model.features)!r}\n"
        f"MEAN: tuple[float, ...] = {floats(model.mean)}\n"
        f"SCALE: tuple[float, ...] = {floats(model.scale)}\n"
        f"COEF: tuple[tuple[float, ...], ...] = (\n{rows}\n)\n"
        f"INTERCEPT: tuple[float, ...] = {floats(model.intercept)}\n"
    )


__all__ = [
    "CLASS_ORDER",
    "EVIDENCE",
    "ClassModel",
    "WireStory",
    "article_evidence",
    "fitted_model",
    "tfidf_vector",
    "weights_module",
]
