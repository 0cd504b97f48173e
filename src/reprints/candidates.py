"""Find the document pairs worth aligning, without comparing all pairs.

Two channels, both MinHash + LSH banding over passage windows, so the work grows with the
number of windows, not with the number of pairs:

* **verbatim**: sets of word shingles (``shingle_size``-grams) of windows of ``window`` words
  every ``stride`` words. A lift of a few paragraphs inside a long article shares most
  shingles with one window of its source, even when the articles overall share little.
* **reworded**: sets of content words (stopwords out, cut to their first ``reword_prefix``
  letters so "transferred" meets "transfer") of windows of ``reword_window`` content words
  every ``reword_stride``. A reworded passage keeps many of its content words while sharing
  few 5-grams. Two windows collide when they share at least ``reword_min_bands`` of the
  ``reword_bands`` bands of ``reword_rows`` rows (about: content-word Jaccard >= 0.3), and a
  document pair becomes a candidate with at least ``reword_min_hits`` colliding window pairs.
  A pair with fewer is *verified* (``verify_shares``) when one of its window pairs shares
  ``reword_verify_bands`` bands: it is a candidate when a run of ``reword_verify_window``
  content words of each article has ``reword_verify_share`` of its IDF weight in the other.
  Banding estimates the overlap from a few permutations, and a short reworded passage
  keeps only a few of the rarer words the windows are cut from; the exact check weighs
  every content word, common ones included, by its rarity.

The work is split in stages that a process pool or a Dask cluster can run apart:
``features`` (tokens -> per-document shingle and content-word hashes, small),
``channel_keys`` (features -> band keys, a few bands at a time), ``band_pairs`` (keys of one
band -> colliding window pairs) and ``merge_channels``. Buckets bigger than ``max_bucket``
are stock text and give no candidates. With dates and ``date_window_days``, articles further
apart in time are not paired.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from . import lsh
from .errors import ParameterError
from .minhash import MinHasher
from .normalize import Tokens
from .params import Params
from .shingle import kgram_hashes_many, text_word_hashes, word_hashes, word_hashes_with_prefix

# Words that say nothing about which passage a window holds; "said" and friends are as
# common in news as any stopword.
STOPWORDS = frozenset(ENGLISH_STOP_WORDS) | frozenset(
    ("said", "says", "say", "told", "according", "also", "would", "could", "just", "like", "new",
     "year", "years", "one", "two")
)

CHANNELS = ("verbatim", "reworded")

# Windows signed per batch, and bands signed per pass: bound the scratch memory of signing.
_BATCH_WINDOWS = 1 << 15
_BANDS_PER_PASS = 8


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
class Features:
    """Per-document hashes of a run of consecutive documents, all a later stage needs.

    ``shingles[shingle_offsets[i]:shingle_offsets[i + 1]]`` are document ``first + i``'s word
    shingle hashes; ``words``/``word_offsets`` likewise its content-word hashes. About 3 KB
    for a 500-word article, so a million articles fit in memory (or spill to ``.npy``).
    """

    first: int
    shingles: np.ndarray
    shingle_offsets: np.ndarray
    words: np.ndarray
    word_offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.shingle_offsets) - 1

    def part(self, lo: int, hi: int) -> Features:
        """Return the features of this run's documents ``[lo, hi)`` (numbered as before)."""
        s0, s1 = self.shingle_offsets[lo], self.shingle_offsets[hi]
        w0, w1 = self.word_offsets[lo], self.word_offsets[hi]
        return Features(
            self.first + lo,
            self.shingles[s0:s1],
            self.shingle_offsets[lo : hi + 1] - s0,
            self.words[w0:w1],
            self.word_offsets[lo : hi + 1] - w0,
        )

    @staticmethod
    def concat(parts: Sequence[Features]) -> Features:
        """Join features of consecutive runs (each part's ``first`` follows the previous)."""
        if not parts:
            return features([], Params())
        first = parts[0].first
        expect = first
        for p in parts:
            if p.first != expect:
                raise ParameterError(f"feature runs are not consecutive: expected {expect}, got {p.first}")
            expect += len(p)
        return Features(
            first,
            np.concatenate([p.shingles for p in parts]),
            join_offsets([p.shingle_offsets for p in parts]),
            np.concatenate([p.words for p in parts]),
            join_offsets([p.word_offsets for p in parts]),
        )


def join_offsets(offsets: Sequence[np.ndarray]) -> np.ndarray:
    """Join the offset arrays of consecutive runs of documents into one (each starts at 0)."""
    out = [np.zeros(1, dtype=np.int64)]
    base = 0
    for o in offsets:
        out.append(o[1:] + base)
        base += int(o[-1])
    return np.concatenate(out)


def _offsets(lengths: Iterable[int]) -> np.ndarray:
    lengths = list(lengths)
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out[1:])
    return out


def content_words(tokens: Tokens, prefix: int) -> list[str]:
    """Return the content words of ``tokens`` (stopwords and one-letter words out), cut to ``prefix`` letters."""
    return [w[:prefix] for w in tokens.norms if len(w) > 1 and w not in STOPWORDS]


def features(docs_tokens: Sequence[Tokens], params: Params, first: int = 0) -> Features:
    """Hash the shingles and content words of ``docs_tokens`` (documents numbered from ``first``).

    The content words (``content_words``) are picked in hash space: one pass hashes every
    word, its ``reword_prefix``-letter head and its length, and stopwords are dropped by
    their hashes.
    """
    lengths = np.fromiter((len(t) for t in docs_tokens), dtype=np.int64, count=len(docs_tokens))
    all_words = [w for t in docs_tokens for w in t.norms]
    full, head, chars = word_hashes_with_prefix(all_words, params.reword_prefix)
    return _features_from_hashes(full, head, chars, lengths, params, first)


def text_features(texts: Sequence[str], params: Params, first: int = 0) -> Features:
    """Return ``features([tokenize(t) for t in texts], params, first)``, without a string per word."""
    full, head, chars, lengths = text_word_hashes(texts, params.reword_prefix)
    return _features_from_hashes(full, head, chars, lengths, params, first)


def _features_from_hashes(
    full: np.ndarray, head: np.ndarray, chars: np.ndarray, lengths: np.ndarray, params: Params, first: int
) -> Features:
    shingles, shingle_offsets = kgram_hashes_many(full, lengths, params.shingle_size)
    content = (chars > 1) & ~_is_stopword(full)
    words = (head[content] >> np.uint64(32)).astype(np.uint32)
    doc_of = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    per_doc = np.bincount(doc_of[content], minlength=len(lengths))
    return Features(first, shingles, shingle_offsets, words, _offsets(per_doc.tolist()))


_STOP_HASHES: list[np.ndarray] = []


def _is_stopword(hashes: np.ndarray) -> np.ndarray:
    """Mask of the word hashes that are hashes of ``STOPWORDS``."""
    if not _STOP_HASHES:
        _STOP_HASHES.append(np.sort(word_hashes(sorted(STOPWORDS))))
    stop = _STOP_HASHES[0]
    at = np.minimum(np.searchsorted(stop, hashes), len(stop) - 1)
    return stop[at] == hashes


@dataclass(frozen=True)
class Windows:
    """The windows of one channel over a run of documents, as ranges into its value array."""

    values: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    docs: np.ndarray
    """Global document index of each window."""


def word_frequencies(
    words: np.ndarray, word_offsets: np.ndarray, chunk_docs: int = 1 << 16
) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct content-word hashes (sorted, int64) and how many documents hold each.

    ``words[word_offsets[i]:word_offsets[i + 1]]`` are document ``i``'s content words.
    Counted ``chunk_docs`` documents at a time, so the scratch memory (16 bytes a word) is a
    chunk's, not the corpus's (4 GB at a million articles).
    """
    n = len(word_offsets) - 1
    parts = []
    for lo in range(0, max(n, 1), chunk_docs):
        hi = min(lo + chunk_docs, n)
        chunk = words[word_offsets[lo] : word_offsets[hi]]
        doc_of = np.repeat(np.arange(hi - lo, dtype=np.int64), np.diff(word_offsets[lo : hi + 1]))
        # One count per (document, word): unique pairs, then count per word.
        pairs = lsh.sorted_unique((doc_of << 32) | chunk.astype(np.int64), overwrite=True)
        vocab, df = lsh.sorted_unique(pairs & 0xFFFFFFFF, counts=True, overwrite=True)
        parts.append((vocab, np.asarray(df, dtype=np.int64)))
    if len(parts) == 1:
        return parts[0]
    vocab, inverse = lsh.sorted_unique(np.concatenate([v for v, _df in parts]), inverse=True)
    df = np.bincount(inverse, weights=np.concatenate([d for _v, d in parts]), minlength=len(vocab))
    return vocab, df.astype(np.int64)


def common_words(
    feats: Features, params: Params, frequencies: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """Return the content-word hashes too common to tell passages apart (sorted).

    A word in more than ``reword_max_df`` of the documents, and in more than
    ``reword_min_df_docs`` of them, is left out of the rewording windows: topical words like
    "president" or "court" pair every article of a beat with every other. ``frequencies``
    (``word_frequencies`` of ``feats``) saves counting again.
    """
    words, df = frequencies if frequencies is not None else word_frequencies(feats.words, feats.word_offsets)
    limit = max(params.reword_max_df * len(feats), params.reword_min_df_docs)
    return words[df > limit].astype(np.uint32)


@dataclass(frozen=True)
class WindowPlan:
    """Where every document's windows of one channel are, without cutting them all.

    Window ids follow the documents: document ``first + i``'s windows are ids
    ``first_window[i]`` to ``first_window[i + 1]``, numbered as ``windows`` numbers them.
    ``cut`` gives the windows of some documents. The rewording channel counts a million
    articles' ~100 million windows one pair of date blocks at a time: the ranges of all of
    them would take ~5 GB (start, end, document, block and order of each), a block's a
    fiftieth of that.
    """

    values: np.ndarray
    doc_starts: np.ndarray
    """Where each document's values start in ``values``."""
    lengths: np.ndarray
    """Values of each document that windows cover (0: none)."""
    first_window: np.ndarray
    size: int
    step: int
    first: int

    def __len__(self) -> int:
        return int(self.first_window[-1])

    def docs_of(self, ids: np.ndarray) -> np.ndarray:
        """Return the (global) document of each window id."""
        return np.searchsorted(self.first_window, ids, side="right") - 1 + self.first

    def cut(self, docs: np.ndarray) -> tuple[Windows, np.ndarray]:
        """Return the windows of documents ``docs`` (indices from 0, in the order given) and their ids."""
        docs = np.asarray(docs, dtype=np.int64)
        starts, ends, local, k = _window_ranges(self.lengths[docs], self.doc_starts[docs], self.size, self.step)
        return Windows(self.values, starts, ends, docs[local] + self.first), self.first_window[docs][local] + k


def window_plan(feats: Features, channel: str, params: Params, drop: np.ndarray | None = None) -> WindowPlan:
    """Return the ``WindowPlan`` of ``channel`` ("verbatim" or "reworded") over ``feats``.

    ``drop`` (sorted uint32) removes those content words before the rewording windows are
    cut (see ``common_words``).
    """
    if channel == "verbatim":
        values, offsets = feats.shingles, feats.shingle_offsets
        # A window of `window` words holds window - shingle_size + 1 shingles.
        size, step = params.window - params.shingle_size + 1, params.stride
    elif channel == "reworded":
        values, offsets = feats.words, feats.word_offsets
        size, step = params.reword_window, params.reword_stride
        if drop is not None and len(drop):
            values, offsets = _drop_values(values, offsets, drop)
    else:
        raise ParameterError(f"unknown channel {channel!r}; use one of {', '.join(CHANNELS)}")
    lengths = np.diff(offsets)
    if channel == "reworded":
        lengths = np.where(lengths >= 2, lengths, 0)  # one content word is no evidence
    counts, _regular = _window_counts(lengths, size, step)
    first_window = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(counts, out=first_window[1:])
    return WindowPlan(values, np.asarray(offsets[:-1], dtype=np.int64), lengths, first_window, size, step, feats.first)


def windows(feats: Features, channel: str, params: Params, drop: np.ndarray | None = None) -> Windows:
    """Return the windows of ``channel`` ("verbatim" or "reworded") over ``feats``: every
    document's windows of its ``window_plan``, in id order."""
    return window_plan(feats, channel, params, drop).cut(np.arange(len(feats)))[0]


def _drop_values(
    values: np.ndarray, offsets: np.ndarray, drop: np.ndarray, chunk_docs: int = 1 << 16
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``values`` without those in ``drop`` (sorted) and the new per-document offsets,
    ``chunk_docs`` documents at a time (scratch memory of a chunk's words, not the corpus's)."""
    n = len(offsets) - 1
    kept, lengths = [], np.zeros(n, dtype=np.int64)
    for lo in range(0, n, chunk_docs):
        hi = min(lo + chunk_docs, n)
        chunk = values[offsets[lo] : offsets[hi]]
        # searchsorted on the sorted list: np.isin takes seconds on millions of words.
        at = np.minimum(np.searchsorted(drop, chunk), len(drop) - 1)
        keep = drop[at] != chunk
        before = np.zeros(len(chunk) + 1, dtype=np.int64)
        np.cumsum(keep, out=before[1:])
        local = offsets[lo : hi + 1] - offsets[lo]
        lengths[lo:hi] = before[local[1:]] - before[local[:-1]]
        kept.append(chunk[keep])
    return (np.concatenate(kept) if kept else values[:0]), _offsets(lengths.tolist())


def _window_counts(lengths: np.ndarray, size: int, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Return how many windows each document of ``lengths`` values has (``window_starts``),
    and how many of them start every ``step`` (the rest is a window ending at the end)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    regular = np.where(lengths > size, (lengths - size) // step + 1, (lengths > 0).astype(np.int64))
    tail = (lengths > size) & ((regular - 1) * step + size < lengths)
    return regular + tail, regular


def _window_ranges(
    lengths: np.ndarray, doc_starts: np.ndarray, size: int, step: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (starts, ends, document, k) of the windows of documents with ``lengths`` values
    starting at ``doc_starts``, as ``window_starts`` places them: document is a position in
    ``lengths``, k the window's number in its document."""
    lengths = np.asarray(lengths, dtype=np.int64)
    counts, regular = _window_counts(lengths, size, step)
    doc = np.repeat(np.arange(len(lengths), dtype=np.int64), counts)
    k = np.arange(len(doc), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    n = lengths[doc]
    local = np.where(k < regular[doc], k * step, n - size)
    base = np.asarray(doc_starts, dtype=np.int64)[doc]
    return local + base, np.minimum(local + size, n) + base, doc, k


def channel_bands(channel: str, params: Params) -> tuple[int, int]:
    """Return (bands, rows) of ``channel``."""
    if channel == "verbatim":
        return params.bands, params.rows
    return params.reword_bands, params.reword_rows


def channel_max_bucket(channel: str, params: Params) -> int:
    """Return the largest bucket ``channel`` pairs windows in."""
    return params.max_bucket if channel == "verbatim" else params.reword_max_bucket


def channel_keys(
    wins: Windows, channel: str, params: Params, band_lo: int, band_hi: int, hasher: MinHasher | None = None
) -> np.ndarray:
    """Return the band keys of bands ``[band_lo, band_hi)`` of every window, shape (windows, bands).

    Verbatim keys are uint64; rewording keys are uint32, since a window pair must share
    several rewording bands anyway and a chance 32-bit collision never does.
    """
    hasher = hasher or MinHasher(params.num_perm, params.seed)
    _bands, rows = channel_bands(channel, params)
    perms = slice(band_lo * rows, band_hi * rows)
    dtype = np.uint64 if channel == "verbatim" else np.uint32
    out = np.empty((len(wins.starts), band_hi - band_lo), dtype=dtype)
    for lo in range(0, len(wins.starts), _BATCH_WINDOWS):
        hi = min(lo + _BATCH_WINDOWS, len(wins.starts))
        first, last = int(wins.starts[lo]), int(wins.ends[lo:hi].max())
        signatures = hasher.sign_ranges(
            wins.values[first:last], wins.starts[lo:hi] - first, wins.ends[lo:hi] - first, perms
        )
        keys = lsh.band_keys(signatures, band_hi - band_lo)
        out[lo:hi] = keys if dtype is np.uint64 else (keys >> np.uint64(32)).astype(np.uint32)
    return out


def band_items(
    keys: np.ndarray, wids: np.ndarray, docs: np.ndarray, blocks: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the (key, window id, document) items one band puts into buckets.

    Without ``blocks`` each window is one item. With ``blocks`` (a date block per window,
    see ``date_blocks``) each window goes in twice, salted with its own block and with the
    next one, so windows only meet windows of their own or the neighbouring block: the work
    grows with the corpus, not with its square.
    """
    if blocks is None:
        return keys, wids, docs
    wide = keys.astype(np.uint64)
    return (
        np.concatenate([_salt(wide, blocks), _salt(wide, blocks + 1)]),
        np.concatenate([wids, wids]),
        np.concatenate([docs, docs]),
    )


def bucket_codes(keys: np.ndarray, wids: np.ndarray, docs: np.ndarray, max_bucket: int | None) -> np.ndarray:
    """Return the window pairs sharing a key as sorted distinct codes ``lo * 2**32 + hi`` (window ids).

    Items of the same document never pair; buckets over ``max_bucket`` items are skipped.
    """
    return lsh.pair_codes(keys, wids, groups=docs, max_bucket=max_bucket)


def band_pairs(
    keys: np.ndarray, docs: np.ndarray, max_bucket: int | None, blocks: np.ndarray | None = None
) -> np.ndarray:
    """Return the colliding window pairs of one band (window ids = positions in ``keys``) as codes.

    With ``blocks`` these are ``bucket_codes(*band_items(...))``'s codes, found one pair of
    neighbouring date blocks at a time (``lsh.block_pair_codes``), so the cost per window
    does not grow with the corpus.
    """
    wids = np.arange(len(keys), dtype=np.int64)
    if blocks is not None:
        return lsh.block_pair_codes(keys, wids, blocks, groups=docs, max_bucket=max_bucket)
    return bucket_codes(keys, wids, docs, max_bucket)


def _salt(keys: np.ndarray, blocks: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return lsh._fmix64(keys ^ (blocks.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)))


def date_blocks(dates: Sequence[str | None] | None, params: Params) -> np.ndarray | None:
    """Return each document's date block (``date_window_days`` days wide), or None.

    None (no blocking) when there is no date window, or when any date is unknown: an article
    without a date must be compared with every other.
    """
    if dates is None or params.date_window_days is None:
        return None
    days = _days(dates)
    if np.isnan(days).any():
        return None
    return (days // max(params.date_window_days, 1)).astype(np.int64)


def iter_channel_pairs(
    wins: Windows,
    channel: str,
    params: Params,
    hasher: MinHasher | None = None,
    doc_blocks: np.ndarray | None = None,
    map_passes: Callable[..., Iterable[list[np.ndarray]]] = map,
) -> Iterator[np.ndarray]:
    """Yield the colliding window-pair codes of every band of ``channel``, in band order.

    Bands are signed a few at a time (a *pass*); ``map_passes`` runs the passes (the builtin
    ``map`` here, a thread pool's ``map`` for ``--jobs``: the numba kernel releases the GIL).
    """
    hasher = hasher or MinHasher(params.num_perm, params.seed)
    bands, _rows = channel_bands(channel, params)
    blocks = doc_blocks[wins.docs] if doc_blocks is not None else None
    max_bucket = channel_max_bucket(channel, params)

    def one_pass(lo: int) -> list[np.ndarray]:
        hi = min(lo + _BANDS_PER_PASS, bands)
        keys = channel_keys(wins, channel, params, lo, hi, hasher)
        return [
            band_pairs(np.ascontiguousarray(keys[:, band]), wins.docs, max_bucket, blocks)
            for band in range(hi - lo)
        ]

    for codes in map_passes(one_pass, range(0, bands, _BANDS_PER_PASS)):
        yield from codes


def window_doc_pairs(
    codes: Sequence[np.ndarray],
    window_docs: np.ndarray | Callable[[np.ndarray], np.ndarray],
    n_docs: int,
    min_bands: int,
    propose_bands: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn window-pair codes from all bands into document pairs (a < b) and their window-pair hits.

    A window pair counts as a hit when it collided in at least ``min_bands`` bands. With
    ``propose_bands`` (fewer than ``min_bands``), every document pair with a window pair
    colliding in that many bands is returned too, with its hits (possibly 0): the pairs
    ``reworded_pairs`` verifies. ``window_docs`` gives each window's document: an array
    indexed by window id, or a function of the ids (``WindowPlan.docs_of``).
    """
    empty = np.zeros(0, dtype=np.int64)
    if not codes or not sum(len(c) for c in codes):
        return empty, empty.copy(), empty.copy()
    unique, counts = lsh.sorted_unique(np.concatenate(codes), counts=True, overwrite=True)
    low = min_bands if propose_bands is None else min(propose_bands, min_bands)
    keep = counts >= low
    unique, strong = unique[keep], counts[keep] >= min_bands
    docs_of = window_docs if callable(window_docs) else window_docs.__getitem__
    da, db = docs_of(unique >> 32), docs_of(unique & 0xFFFFFFFF)
    lo, hi = np.minimum(da, db), np.maximum(da, db)
    if propose_bands is None:
        pairs, hits = lsh.sorted_unique(lo * np.int64(n_docs) + hi, counts=True, overwrite=True)
        return pairs // n_docs, pairs % n_docs, hits.astype(np.int64)
    pairs, inverse = lsh.sorted_unique(lo * np.int64(n_docs) + hi, inverse=True)
    hits = np.bincount(inverse, weights=strong, minlength=len(pairs)).astype(np.int64)
    return pairs // n_docs, pairs % n_docs, hits


def _window_share(ids, weights, lo, hi, stamp, mark, window):  # pragma: no cover - compiled
    """The largest share of IDF weight, over runs of ``window`` positions of ``ids[lo:hi]``,
    held by words the other document has (those whose ``stamp`` is ``mark``)."""
    best = 0.0
    shared = 0.0
    total = 0.0
    n = hi - lo
    for i in range(n):
        weight = weights[ids[lo + i]]
        shared += weight if stamp[ids[lo + i]] == mark else 0.0
        total += weight
        if i >= window:
            gone = ids[lo + i - window]
            shared -= weights[gone] if stamp[gone] == mark else 0.0
            total -= weights[gone]
        # running sums leave rounding residue: a run whose words every article has weighs ~0
        if (i >= window - 1 or i == n - 1) and total > 1e-9 and shared / total > best:
            best = min(shared / total, 1.0)
    return best


def _shares(first, second, ids, weights, offsets, window):  # pragma: no cover - compiled
    out = np.zeros(len(first))
    stamp = np.full(len(weights), -1, dtype=np.int64)  # stamp[word] == mark: the other document has it
    for t in range(len(first)):
        a0, a1 = offsets[first[t]], offsets[first[t] + 1]
        b0, b1 = offsets[second[t]], offsets[second[t] + 1]
        for j in range(b0, b1):
            stamp[ids[j]] = 2 * t
        one = _window_share(ids, weights, a0, a1, stamp, 2 * t, window)
        if one > 0.0:
            for j in range(a0, a1):
                stamp[ids[j]] = 2 * t + 1
            out[t] = min(one, _window_share(ids, weights, b0, b1, stamp, 2 * t + 1, window))
    return out


try:  # the same functions compiled; ``_shares.py_func`` is the plain-Python reference
    import numba

    _window_share = numba.njit(cache=True, nogil=True)(_window_share)
    _shares = numba.njit(cache=True, nogil=True)(_shares)
except ImportError:  # pragma: no cover - exercised only without numba
    pass


@dataclass(frozen=True)
class ContentWeights:
    """Every document's content words as vocabulary ids, and each id's IDF weight
    ``log((n_docs + 1) / (df + 1))`` (a word every document has weighs nothing): what
    verification reads. Built once per corpus (``content_weights``)."""

    ids: np.ndarray
    offsets: np.ndarray
    weights: np.ndarray


def content_weights(
    words: np.ndarray,
    word_offsets: np.ndarray,
    frequencies: tuple[np.ndarray, np.ndarray],
    n_docs: int | None = None,
) -> ContentWeights:
    """Return the ``ContentWeights`` of ``words``/``word_offsets`` (every document's content
    words, numbered from 0; ``frequencies`` their ``word_frequencies``). ``n_docs`` defaults
    to the number of documents in ``word_offsets``."""
    vocab, df = frequencies
    n_docs = len(word_offsets) - 1 if n_docs is None else n_docs
    words = np.asarray(words)
    # 4-byte ids when they fit (1 GB less at a million articles), looked up a chunk at a time
    ids = np.empty(len(words), dtype=np.int32 if len(vocab) < 2**31 else np.int64)
    for lo in range(0, len(words), 1 << 24):
        ids[lo : lo + (1 << 24)] = np.searchsorted(vocab, words[lo : lo + (1 << 24)].astype(np.int64))
    return ContentWeights(
        ids,
        np.asarray(word_offsets, dtype=np.int64),
        np.log((n_docs + 1) / (np.asarray(df, dtype=np.float64) + 1.0)),
    )


def shares_of(a: np.ndarray, b: np.ndarray, weights: ContentWeights, window: int, *, compiled: bool = True) -> np.ndarray:
    """Return how much of a passage each article pair ``(a[t], b[t])`` shares, in [0, 1].

    For each article, the best run of ``window`` consecutive content words (the whole
    article if shorter) is the one whose weight is most held by words the other article
    has; the pair's share is the smaller of the two articles' shares. ``compiled=False``
    runs the plain-Python reference.
    """
    args = (np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64), weights.ids, weights.weights, weights.offsets, int(window))
    return _shares(*args) if compiled else getattr(_shares, "py_func", _shares)(*args)


def verify_shares(
    a: np.ndarray,
    b: np.ndarray,
    words: np.ndarray,
    word_offsets: np.ndarray,
    frequencies: tuple[np.ndarray, np.ndarray],
    n_docs: int,
    window: int,
    *,
    compiled: bool = True,
) -> np.ndarray:
    """Return ``shares_of`` the pairs, weighing the words afresh (one call; many calls on the
    same corpus should build ``content_weights`` once and call ``shares_of``)."""
    return shares_of(a, b, content_weights(words, word_offsets, frequencies, n_docs), window, compiled=compiled)


def reworded_pairs(
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray], params: Params, weights: ContentWeights | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keep the rewording channel's document pairs with ``reword_min_hits`` hits, or that verify.

    ``pairs`` is ``window_doc_pairs``' (a, b, hits) with ``propose_bands`` set; a pair with
    fewer hits is kept when ``shares_of`` gives it at least ``reword_verify_share``.
    ``weights`` (``content_weights`` of the corpus) may be None only without verification.
    """
    a, b, hits = pairs
    keep = hits >= params.reword_min_hits
    if params.reword_verify_share is not None and not keep.all():
        if weights is None:
            raise ParameterError("verifying rewording pairs needs the corpus's content_weights")
        check = np.flatnonzero(~keep)
        shares = shares_of(a[check], b[check], weights, params.reword_verify_window)
        keep[check[shares >= params.reword_verify_share]] = True
    return a[keep], b[keep], hits[keep]


def propose_bands(params: Params) -> int | None:
    """Return the bands a window pair needs to propose its document pair for verification (None: off)."""
    return params.reword_verify_bands if params.reword_verify_share is not None else None


def channel_doc_pairs(
    feats: Features,
    channel: str,
    params: Params,
    n_docs: int,
    hasher: MinHasher | None = None,
    doc_blocks: np.ndarray | None = None,
    map_passes: Callable[..., Iterable[list[np.ndarray]]] = map,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the document pairs of one channel over all of ``feats`` (in this process).

    The rewording channel's pairs are those ``reworded_pairs`` keeps.
    """
    if channel != "reworded":
        wins = windows(feats, channel, params)
        codes = list(iter_channel_pairs(wins, channel, params, hasher, doc_blocks, map_passes))
        return window_doc_pairs(codes, wins.docs, n_docs, 1)
    frequencies = word_frequencies(feats.words, feats.word_offsets)
    plan = window_plan(feats, channel, params, common_words(feats, params, frequencies))
    weights = (
        content_weights(feats.words, feats.word_offsets, frequencies) if params.reword_verify_share is not None else None
    )

    def keep(proposed: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return reworded_pairs(proposed, params, weights)

    if doc_blocks is not None:
        hasher = hasher or MinHasher(params.num_perm, params.seed)
        return _doc_pairs_by_block(plan, params, n_docs, hasher, doc_blocks, map_passes, keep)
    wins = plan.cut(np.arange(len(feats)))[0]
    codes = list(iter_channel_pairs(wins, channel, params, hasher, doc_blocks, map_passes))
    return keep(window_doc_pairs(codes, wins.docs, n_docs, params.reword_min_bands, propose_bands(params)))


def _doc_pairs_by_block(
    plan: WindowPlan,
    params: Params,
    n_docs: int,
    hasher: MinHasher,
    doc_blocks: np.ndarray,
    map_passes: Callable[..., Iterable[list[np.ndarray]]] = map,
    keep: Callable[[tuple[np.ndarray, np.ndarray, np.ndarray]], tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``window_doc_pairs`` of the rewording channel (with its proposed pairs), one pair of neighbouring date blocks at a time.

    ``keep`` (``reworded_pairs``) filters each step's finished pairs as they come, so only
    kept pairs accumulate over the corpus, not every proposed one.

    The same document pairs and hits as banding every window at once, but only two blocks'
    windows are cut and signed, and only their colliding window pairs held while their band
    agreements are counted, so memory follows the articles per date window, not the corpus
    (at a million articles a year the single-band collisions of all bands are ~60 GB). A
    pair inside block ``d`` collides in the ranges of blocks (d-1, d) and (d, d+1); its bands
    are joined before counting.
    """
    bands, _rows = channel_bands("reworded", params)
    max_bucket = channel_max_bucket("reworded", params)
    order, groups, lo, hi = lsh.block_segments(doc_blocks)  # documents in block order
    ordered = doc_blocks[order]
    windows_per_doc = np.diff(plan.first_window)
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    pending: list[np.ndarray] = []
    pending_block: int | None = None

    def count(per_band: list[np.ndarray]) -> None:
        if per_band:
            pairs = window_doc_pairs(per_band, plan.docs_of, n_docs, params.reword_min_bands, propose_bands(params))
            found.append(keep(pairs) if keep is not None else pairs)

    def block_of(ids: np.ndarray) -> np.ndarray:
        return doc_blocks[plan.docs_of(ids) - plan.first]

    passes = range(0, bands, _BANDS_PER_PASS)
    held_block: int | None = None
    held: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # the last block's window keys, ids and documents
    for g, a, b in zip(groups.tolist(), lo.tolist(), hi.tolist(), strict=True):
        if pending_block is not None and pending_block != g - 1:
            count(pending)  # nothing after that block meets it
            pending, pending_block = [], None
        split = a + int(np.searchsorted(ordered[a:b], g))  # block g - 1's documents come first
        reuse = held if held_block == g - 1 else None
        sub, sub_ids = plan.cut(order[split:b] if reuse is not None else order[a:b])

        def sign(band_lo: int, sub: Windows = sub) -> np.ndarray:
            return channel_keys(sub, "reworded", params, band_lo, min(band_lo + _BANDS_PER_PASS, bands), hasher)

        signed = np.hstack(list(map_passes(sign, passes))) if len(sub_ids) else np.zeros((0, bands), dtype=np.uint32)
        if reuse is not None:
            keys = np.vstack([reuse[0], signed])
            ids, docs = np.concatenate([reuse[1], sub_ids]), np.concatenate([reuse[2], sub.docs])
            before = len(reuse[1])
        else:
            keys, ids, docs = signed, sub_ids, sub.docs
            before = int(windows_per_doc[order[a:split]].sum())
        held_block, held = g, (keys[before:], ids[before:], docs[before:])

        def band(band_lo: int, keys: np.ndarray = keys, ids: np.ndarray = ids, docs: np.ndarray = docs) -> list[np.ndarray]:
            return [
                # window ids are distinct: each band's codes are distinct, sorted later with others
                lsh.pair_codes(np.ascontiguousarray(keys[:, k]), ids, groups=docs, max_bucket=max_bucket, distinct_ids=True)
                for k in range(band_lo, min(band_lo + _BANDS_PER_PASS, bands))
            ]

        per_band = [c for codes in map_passes(band, passes) for c in codes]
        done, later = [], []
        for k, codes in enumerate(per_band):
            inside_g = (block_of(codes >> 32) == g) & (block_of(codes & 0xFFFFFFFF) == g)
            finished = codes[~inside_g]
            if pending:
                finished = lsh.sorted_unique(np.concatenate([finished, pending[k]]), overwrite=True)
            done.append(finished)
            later.append(codes[inside_g])
        count(done)
        pending, pending_block = later, g
    count(pending)
    empty = np.zeros(0, dtype=np.int64)
    if not found:
        return empty, empty.copy(), empty.copy()
    a_all = np.concatenate([f[0] for f in found])
    b_all = np.concatenate([f[1] for f in found])
    h_all = np.concatenate([f[2] for f in found])
    # Each document pair is finished in one step (both its articles' blocks are fixed).
    by_pair = np.argsort(a_all * np.int64(n_docs) + b_all, kind="stable")
    return a_all[by_pair], b_all[by_pair], h_all[by_pair]


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


def _top_partners(a: np.ndarray, b: np.ndarray, hits: np.ndarray, k: int) -> np.ndarray:
    """Mask of the pairs among the ``k`` best partners (most hits, then lowest index) of a or b.

    Bounds the rewording channel to ``k`` partners per article, so its output grows with the
    corpus, not with the square of it: chance overlaps have few hits, rewordings many.
    """
    keep = np.zeros(len(a), dtype=bool)
    for mine, other in ((a, b), (b, a)):
        order = np.lexsort((other, -hits, mine))
        sorted_mine = mine[order]
        first = np.searchsorted(sorted_mine, sorted_mine, side="left")
        rank = np.arange(len(order)) - first
        keep[order[rank < k]] = True
    return keep


def merge_channels(
    verbatim: tuple[np.ndarray, np.ndarray, np.ndarray],
    reworded: tuple[np.ndarray, np.ndarray, np.ndarray],
    params: Params,
    n_docs: int,
    *,
    dates: Sequence[str | None] | None = None,
    outlets: Sequence[str | None] | None = None,
) -> list[Candidate]:
    """Combine the two channels' document pairs into sorted candidates, applying the filters.

    ``reworded`` holds the rewording pairs ``reworded_pairs`` kept.
    """
    va, vb, vh = verbatim
    ra, rb, rh = reworded
    keep = _top_partners(ra, rb, rh, params.neighbours)
    ra, rb, rh = ra[keep], rb[keep], rh[keep]
    codes = np.concatenate([va * np.int64(n_docs) + vb, ra * np.int64(n_docs) + rb])
    if not len(codes):
        return []
    hits = np.concatenate([vh, rh])
    is_verbatim = np.concatenate([np.ones(len(va)), np.zeros(len(ra))])
    unique, inverse = lsh.sorted_unique(codes, inverse=True)
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
        for x, y, v, h in zip(a[keep], b[keep], verbatim_any[keep], total[keep], strict=True)
    ]


def candidates_from_features(
    feats: Features,
    params: Params,
    *,
    dates: Sequence[str | None] | None = None,
    outlets: Sequence[str | None] | None = None,
    map_passes: Callable[..., Iterable[list[np.ndarray]]] = map,
) -> list[Candidate]:
    """Return the candidates of all documents in ``feats`` (which must start at document 0).

    ``map_passes`` runs the band passes (see :func:`iter_channel_pairs`); the result is the
    same whichever map is used.
    """
    n = len(feats)
    if n < 2:
        return []
    hasher = MinHasher(params.num_perm, params.seed)
    blocks = date_blocks(dates, params)
    verbatim = channel_doc_pairs(feats, "verbatim", params, n, hasher, blocks, map_passes)
    reworded = channel_doc_pairs(feats, "reworded", params, n, hasher, blocks, map_passes)
    return merge_channels(verbatim, reworded, params, n, dates=dates, outlets=outlets)


def find_candidates(
    docs_tokens: Sequence[Tokens],
    params: Params | None = None,
    *,
    dates: Sequence[str | None] | None = None,
    outlets: Sequence[str | None] | None = None,
    engine: Any = None,
) -> list[Candidate]:
    """Return the document pairs to align, sorted by (a, b); indices into ``docs_tokens``.

    ``dates`` (ISO 8601) and ``outlets`` are parallel to ``docs_tokens``; they only matter
    with ``params.date_window_days`` and ``params.cross_outlet_only``. The result depends
    only on the documents and the parameters: reordering the input reorders the indices.
    ``engine`` (from ``reprints.engine.make_engine``: worker threads, or a Dask cluster)
    runs the signing and banding; the result is the same.
    """
    params = params or Params()
    n = len(docs_tokens)
    for name, seq in (("dates", dates), ("outlets", outlets)):
        if seq is not None and len(seq) != n:
            raise ParameterError(f"{name} has {len(seq)} entries for {n} documents")
    feats = features(docs_tokens, params)
    if engine is not None:
        return engine.candidates_from_features(feats, params, dates=dates, outlets=outlets)
    return candidates_from_features(feats, params, dates=dates, outlets=outlets)
