"""Find the document pairs worth aligning, without comparing all pairs.

Two channels, both MinHash + LSH banding over passage windows, so the work grows with the
number of windows, not with the number of pairs:

* **verbatim**: sets of word shingles (``shingle_size``-grams) of windows of ``window`` words
  every ``stride`` words. A lift of a few paragraphs inside a long article shares most
  shingles with one window of its source, even when the articles overall share little.
* **reworded**: sets of content words (stopwords out, cut to their first
  ``reword_prefix`` letters so "transferred" meets "transfer") of windows of
  ``reword_window`` content words every ``reword_stride``. A reworded passage keeps many of its
  content words while sharing few 5-grams; banded with fewer rows per band, this channel
  catches window pairs with a Jaccard similarity around 0.3. A document pair becomes a
  candidate when at least ``reword_min_hits`` window pairs collide.

Buckets bigger than ``max_bucket`` are stock text and give no candidates. With dates and
``date_window_days``, articles further apart in time are not paired.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from . import lsh
from .errors import ParameterError
from .minhash import MinHasher
from .normalize import Tokens
from .params import Params
from .shingle import kgram_hashes, window_shingle_ranges, window_starts, word_hashes

# Words that say nothing about which passage a window holds; "said" and friends are as
# common in news as any stopword.
STOPWORDS = frozenset(ENGLISH_STOP_WORDS) | frozenset(
    "said says say told according also would could just like new year years one two".split()
)

# Windows signed per batch: bounds the scratch memory of signing.
_BATCH_WINDOWS = 8192


@dataclass(frozen=True, order=True)
class Candidate:
    """A document pair to align: indices into the document list (a < b), and why.

    ``channel`` is ``"verbatim"`` when shingle windows collided (possibly reworded too) and
    ``"reworded"`` when only content-word windows did; ``hits`` counts colliding window pairs
    of both channels.
    """

    a: int
    b: int
    channel: str
    hits: int


@dataclass(frozen=True)
class Windows:
    """Band keys of the passage windows of a batch of documents, and each window's document."""

    keys: np.ndarray
    """uint64, shape (windows, bands)."""
    docs: np.ndarray
    """int64 document index of each window."""

    @staticmethod
    def concat(parts: Sequence[Windows], bands: int) -> Windows:
        if not parts:
            return Windows(np.zeros((0, bands), dtype=np.uint64), np.zeros(0, dtype=np.int64))
        return Windows(np.concatenate([p.keys for p in parts]), np.concatenate([p.docs for p in parts]))


def content_words(tokens: Tokens, prefix: int) -> list[str]:
    """Return the content words of ``tokens`` (stopwords and one-letter words out), cut to ``prefix`` letters."""
    return [w[:prefix] for w in tokens.norms if len(w) > 1 and w not in STOPWORDS]


def _sign_batches(
    values: list[np.ndarray],
    ranges: list[tuple[np.ndarray, np.ndarray]],
    doc_ids: list[int],
    hasher: MinHasher,
    bands: int,
    rows: int,
) -> Windows:
    """Sign every window range of every document and cut the signatures into band keys."""
    parts: list[Windows] = []
    i = 0
    while i < len(values):
        j, n_windows = i, 0
        while j < len(values) and (n_windows == 0 or n_windows + len(ranges[j][0]) <= _BATCH_WINDOWS):
            n_windows += len(ranges[j][0])
            j += 1
        offsets = np.zeros(j - i + 1, dtype=np.int64)
        np.cumsum([len(v) for v in values[i:j]], out=offsets[1:])
        flat = np.concatenate(values[i:j]) if j > i else np.zeros(0, dtype=np.uint32)
        starts = np.concatenate([r[0] + offsets[k] for k, r in enumerate(ranges[i:j])])
        ends = np.concatenate([r[1] + offsets[k] for k, r in enumerate(ranges[i:j])])
        docs = np.repeat(np.asarray(doc_ids[i:j], dtype=np.int64), [len(r[0]) for r in ranges[i:j]])
        if len(starts):
            signatures = hasher.sign_ranges(flat, starts, ends)[:, : bands * rows]
            parts.append(Windows(lsh.band_keys(signatures, bands), docs))
        i = j
    return Windows.concat(parts, bands)


def verbatim_windows(
    docs_tokens: Sequence[Tokens], params: Params, first_doc: int = 0, hasher: MinHasher | None = None
) -> Windows:
    """Return the band keys of the word-shingle windows of ``docs_tokens`` (documents numbered from ``first_doc``)."""
    hasher = hasher or MinHasher(params.num_perm, params.seed)
    values, ranges, ids = [], [], []
    for k, tokens in enumerate(docs_tokens):
        shingles = kgram_hashes(word_hashes(tokens.norms), params.shingle_size)
        starts, ends = window_shingle_ranges(len(tokens), params.window, params.stride, params.shingle_size)
        if len(starts):
            values.append(shingles)
            ranges.append((starts, ends))
            ids.append(first_doc + k)
    return _sign_batches(values, ranges, ids, hasher, params.bands, params.rows)


def reword_windows(
    docs_tokens: Sequence[Tokens], params: Params, first_doc: int = 0, hasher: MinHasher | None = None
) -> Windows:
    """Return the band keys of the content-word windows of ``docs_tokens`` (see the module docstring)."""
    hasher = hasher or MinHasher(params.num_perm, params.seed)
    values, ranges, ids = [], [], []
    for k, tokens in enumerate(docs_tokens):
        words = content_words(tokens, params.reword_prefix)
        if len(words) < 2:
            continue
        hashes = (word_hashes(words) >> np.uint64(32)).astype(np.uint32)
        starts = window_starts(len(words), params.reword_window, params.reword_stride)
        ends = np.minimum(starts + params.reword_window, len(words))
        values.append(hashes)
        ranges.append((starts, ends))
        ids.append(first_doc + k)
    return _sign_batches(values, ranges, ids, hasher, params.reword_bands, params.reword_rows)


def doc_pairs(
    windows: Windows, max_bucket: int | None, n_docs: int, min_bands: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return document pairs (a < b) with window pairs sharing ``min_bands`` bands, and how many such window pairs."""
    wi, wj, bands = lsh.candidate_pairs(windows.keys, groups=windows.docs, max_bucket=max_bucket)
    if min_bands > 1:
        wi, wj = wi[bands >= min_bands], wj[bands >= min_bands]
    if not len(wi):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), empty.copy()
    da, db = windows.docs[wi], windows.docs[wj]
    lo, hi = np.minimum(da, db), np.maximum(da, db)
    codes, hits = np.unique(lo * np.int64(n_docs) + hi, return_counts=True)
    return codes // n_docs, codes % n_docs, hits.astype(np.int64)


def _days(dates: Sequence[str | None]) -> np.ndarray:
    """Day numbers of ISO dates (NaN where unknown or unreadable)."""
    out = np.full(len(dates), np.nan)
    for i, d in enumerate(dates):
        if d:
            try:
                out[i] = dt.date.fromisoformat(str(d)[:10]).toordinal()
            except ValueError:
                continue
    return out


def merge_channels(
    verbatim: tuple[np.ndarray, np.ndarray, np.ndarray],
    reworded: tuple[np.ndarray, np.ndarray, np.ndarray],
    params: Params,
    n_docs: int,
    *,
    dates: Sequence[str | None] | None = None,
    outlets: Sequence[str | None] | None = None,
) -> list[Candidate]:
    """Combine the two channels' document pairs into sorted candidates, applying the filters."""
    va, vb, vh = verbatim
    ra, rb, rh = reworded
    keep = rh >= params.reword_min_hits
    ra, rb, rh = ra[keep], rb[keep], rh[keep]
    codes = np.concatenate([va * np.int64(n_docs) + vb, ra * np.int64(n_docs) + rb])
    hits = np.concatenate([vh, rh])
    is_verbatim = np.concatenate([np.ones(len(va), dtype=bool), np.zeros(len(ra), dtype=bool)])
    if not len(codes):
        return []
    unique, inverse = np.unique(codes, return_inverse=True)
    total = np.bincount(inverse, weights=hits, minlength=len(unique)).astype(np.int64)
    verbatim_any = np.bincount(inverse, weights=is_verbatim, minlength=len(unique)) > 0
    a, b = unique // n_docs, unique % n_docs
    keep = np.ones(len(unique), dtype=bool)
    if dates is not None and params.date_window_days is not None:
        days = _days(dates)
        gap = np.abs(days[a] - days[b])
        keep &= ~(gap > params.date_window_days)  # unknown dates (NaN) are kept
    if outlets is not None and params.cross_outlet_only:
        names = np.asarray([o or "" for o in outlets], dtype=object)
        keep &= (names[a] != names[b]) | (names[a] == "")
    return [
        Candidate(int(x), int(y), "verbatim" if v else "reworded", int(h))
        for x, y, v, h in zip(a[keep], b[keep], verbatim_any[keep], total[keep])
    ]


def find_candidates(
    docs_tokens: Sequence[Tokens],
    params: Params | None = None,
    *,
    dates: Sequence[str | None] | None = None,
    outlets: Sequence[str | None] | None = None,
) -> list[Candidate]:
    """Return the document pairs to align, sorted by (a, b); indices into ``docs_tokens``.

    ``dates`` (ISO 8601) and ``outlets`` are parallel to ``docs_tokens``; they only matter
    with ``params.date_window_days`` and ``params.cross_outlet_only``. The result depends
    only on the documents' order and the parameters.
    """
    params = params or Params()
    n = len(docs_tokens)
    for name, seq in (("dates", dates), ("outlets", outlets)):
        if seq is not None and len(seq) != n:
            raise ParameterError(f"{name} has {len(seq)} entries for {n} documents")
    if n < 2:
        return []
    hasher = MinHasher(params.num_perm, params.seed)
    verbatim = doc_pairs(verbatim_windows(docs_tokens, params, 0, hasher), params.max_bucket, n)
    reworded = doc_pairs(
        reword_windows(docs_tokens, params, 0, hasher), params.max_bucket, n, params.reword_min_bands
    )
    return merge_channels(verbatim, reworded, params, n, dates=dates, outlets=outlets)
