"""The words around each quotation and the corpus's word frequencies, as compact hashes.

Quote families check a short quotation against the words around it (a chance twin is
said in other surroundings). Those words are taken once per document, when its quotes
are extracted, as sorted 64-bit hashes of the content words ``params.quote_context_width``
words before and after each quotation; the document frequencies that weigh them are
counted from each document's content-word hashes as documents go by. Nothing keeps a
document's text or tokens, so the memory grows with the number of quotations.
"""

from __future__ import annotations

import hashlib
import operator
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..lsh import sorted_unique
from ..model import Document, Quote
from ..normalize import VOCABULARY, Tokens, fold, tokenize

STOPWORDS = frozenset(
    ["a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by", "from", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "he", "she", "they", "we", "i", "you", "his", "her", "their", "our", "my", "your", "not", "no", "so", "if", "than", "then", "there", "here", "has", "have", "had", "do", "does", "did", "will", "would", "can", "could", "should", "may", "might", "must", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "all", "any", "some", "very", "just", "also", "more", "most", "into", "out", "up", "about", "over", "after", "before", "under", "again", "further", "once", "only", "own", "same", "too", "s", "t"]
)
PRONOUN_SPEAKERS = frozenset(["he", "she", "they", "i", "we", "it"])
_EMPTY = np.zeros(0, dtype=np.uint64)

# Folded word -> its hash (0 for a stop word or a one-letter word). Bounded: cleared when full.
_HASHES: dict[str, int] = {}
_HASHES_MAX = 1 << 21


def word_hash(word: str) -> int:
    """Stable 64-bit hash of a folded content word; 0 for stop words and one-letter words.

    The same in every process and run (BLAKE2b, not Python's ``hash``), so hashes taken in
    worker processes can be compared and counted in another.
    """
    found = _HASHES.get(word)
    if found is None:
        found = _hash(word)
        if len(_HASHES) >= _HASHES_MAX:
            _HASHES.clear()
        _HASHES[word] = found
    return found


def _hash(word: str) -> int:
    """:func:`word_hash`, worked out afresh."""
    if word in STOPWORDS or len(word) <= 1:
        return 0
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little") or 1


class _HashesById:
    """:func:`word_hash` of the words of :data:`~reprints.normalize.VOCABULARY` by id,
    each worked out the first time its id is asked for."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hashes = np.zeros(1 << 12, dtype=np.uint64)
        self.known = np.zeros(1 << 12, dtype=bool)

    def of(self, ids: np.ndarray) -> np.ndarray:
        hashes, known = self.hashes, self.known
        if ids.size and (int(ids.max()) >= known.size or not known[ids].all()):
            with self.lock:
                if int(ids.max()) >= self.known.size:
                    size = max(2 * self.known.size, int(ids.max()) + 1)
                    self.hashes = np.concatenate((self.hashes, np.zeros(size - self.hashes.size, dtype=np.uint64)))
                    self.known = np.concatenate((self.known, np.zeros(size - self.known.size, dtype=bool)))
                hashes, known = self.hashes, self.known
                words = VOCABULARY.words
                for k in np.unique(ids[~known[ids]]).tolist():
                    hashes[k] = _hash(words[k])
                    known[k] = True  # after the hash: readers take no lock
        return hashes[ids]


_BY_ID = _HashesById()


def token_hashes(words: Sequence[str], ids: np.ndarray | None = None) -> np.ndarray:
    """:func:`word_hash` of each of ``words``, in order (uint64).

    ``ids`` are :func:`~reprints.normalize.word_ids` of ``words`` when the caller has them
    (a scan's read pass numbers every word anyway); without them the words are looked up in
    :func:`word_hash`'s bounded table, so a run that only extracts quotes never holds a
    vocabulary.
    """
    if ids is not None:
        return _BY_ID.of(ids)
    if len(words) < 2:
        return np.asarray([word_hash(w) for w in words], dtype=np.uint64)
    lookup = operator.itemgetter(*words)
    try:
        found = lookup(_HASHES)
    except KeyError:
        for w in set(words).difference(_HASHES):
            word_hash(w)
        try:
            found = lookup(_HASHES)
        except KeyError:  # the table was cleared while filling it
            found = [word_hash(w) for w in words]
    return np.asarray(found, dtype=np.uint64)


@dataclass(frozen=True)
class DocumentQuotes:
    """The quotes of one document and what grouping them into families needs; plain, picklable.

    ``norms`` holds each quote's folded words (those of ``tokenize(quote.text)``);
    ``pronoun`` whether its speaker mention is a pronoun ("he said"); ``words`` the sorted
    hashes of the document's content words (its share of the corpus's document
    frequencies); quote ``k``'s surroundings are ``around[bounds[k]:bounds[k + 1]]`` (the
    hashes of the content words ``quote_context_width`` words before and after it, in text
    order, repeats kept), and ``inside[k]`` the hashes of the content words of the text
    inside it when they are not those of its own words (a word running across a quotation
    mark), else None.
    """

    doc: str
    date: str | None
    outlet: str | None
    quotes: tuple[Quote, ...]
    norms: tuple[tuple[str, ...], ...]
    pronoun: tuple[bool, ...]
    words: np.ndarray
    around: np.ndarray
    bounds: np.ndarray
    inside: tuple[np.ndarray | None, ...]

    def surroundings(self, k: int) -> np.ndarray:
        """Content-word hashes around quote ``k`` (not its own words; repeats kept)."""
        return self.around[int(self.bounds[k]) : int(self.bounds[k + 1])]


def quote_tokens(
    text: str, tokens: Tokens, starts: Sequence[int], ends: Sequence[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Token range ``[first, last)`` of each quotation ``[starts[k], ends[k])`` of ``text``,
    and whether its words are the text's own tokens there (False when a word runs across
    the quotation's edge: then only ``tokenize`` of the quotation gives its words)."""
    n = len(tokens)
    at = np.asarray(starts, dtype=np.int64)
    to = np.asarray(ends, dtype=np.int64)
    first = np.searchsorted(tokens.starts, at, side="left")
    last = np.maximum(first, np.searchsorted(tokens.ends, to, side="right"))
    if not n:
        return first, last, np.ones(at.size, dtype=bool)
    crossing = (first > 0) & (tokens.ends[np.maximum(first - 1, 0)] > at)
    crossing |= (last < n) & (tokens.starts[np.minimum(last, n - 1)] < to)
    return first, last, ~crossing


def _around_numpy(hashes: np.ndarray, first: np.ndarray, last: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The non-zero ``hashes`` of tokens ``[first - width, first)`` and ``[last, last + width)``
    of each quotation, in text order, and each quotation's bounds in them."""
    n = hashes.size
    ranges_from = np.stack((np.maximum(0, first - width), last), axis=1).ravel()
    ranges_to = np.stack((first, np.minimum(n, last + width)), axis=1).ravel()
    lengths = ranges_to - ranges_from
    offsets = np.cumsum(lengths) - lengths
    around_at = np.arange(int(lengths.sum())) - np.repeat(offsets - ranges_from, lengths)
    near = hashes[around_at]
    kept = near != 0
    owner = np.repeat(np.arange(lengths.size) // 2, lengths)  # two ranges per quote
    counts = np.bincount(owner[kept], minlength=first.size)
    return near[kept], np.concatenate(([0], np.cumsum(counts))).astype(np.int64)


def _around_py(hashes, first, last, width):
    """:func:`_around_numpy`, one token at a time (the numba kernel's source)."""
    n = hashes.size
    bounds = np.zeros(first.size + 1, dtype=np.int64)
    for fill in range(2):  # count, then fill
        around = np.empty(bounds[-1], dtype=np.uint64)
        at = 0
        for k in range(first.size):
            for lo, hi in ((max(0, first[k] - width), first[k]), (last[k], min(n, last[k] + width))):
                for t in range(lo, hi):
                    if hashes[t] != 0:
                        if fill:
                            around[at] = hashes[t]
                        at += 1
            bounds[k + 1] = at
    return around, bounds


try:  # numba walks the tokens around each quote once; numpy's index arithmetic gives the same
    import numba

    _around = numba.njit(cache=True, nogil=True)(_around_py)
except ImportError:  # pragma: no cover - exercised only without numba
    _around = _around_numpy  # type: ignore[assignment]


def document_quotes(
    doc: Document,
    quotes: Sequence[Quote],
    width: int,
    tokens: Tokens | None = None,
    ids: np.ndarray | None = None,
    places: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> DocumentQuotes:
    """Take what quote families need from ``doc`` and its ``quotes``.

    ``tokens`` are ``tokenize(doc.text)`` when the caller already has them, ``ids`` their
    :func:`~reprints.normalize.word_ids`, and ``places`` the quotes' :func:`quote_tokens`.
    """
    tokens = tokens if tokens is not None else tokenize(doc.text)
    hashes = token_hashes(tokens.norms, ids)
    words = sorted_unique(hashes)
    words = words[1:] if words.size and words[0] == 0 else words
    if places is None:
        places = quote_tokens(doc.text, tokens, [q.start for q in quotes], [q.end for q in quotes])
    first, last, own = places
    around, bounds = _around(hashes, first, last, width)
    norms: list[tuple[str, ...]] = []
    pronoun: list[bool] = []
    inside: list[np.ndarray | None] = []
    text = doc.text
    for q, i, j, same in zip(quotes, first.tolist(), last.tolist(), own.tolist(), strict=True):
        same = same and text[q.start : q.end] == q.text
        pronoun.append(
            q.speaker_start is not None
            and q.speaker_end is not None
            and fold(text[q.speaker_start : q.speaker_end]) in PRONOUN_SPEAKERS
        )
        if same:
            norms.append(tokens.norms[i:j])
            inside.append(None)
        else:
            norms.append(tokenize(q.text).norms)
            held = hashes[i:j]
            inside.append(held[held != 0])
    return DocumentQuotes(
        doc=doc.id,
        date=doc.date,
        outlet=doc.outlet,
        quotes=tuple(quotes),
        norms=tuple(norms),
        pronoun=tuple(pronoun),
        words=words,
        around=around,
        bounds=bounds,
        inside=tuple(inside),
    )


class WordFrequencies:
    """Document frequencies of content-word hashes, counted a document at a time."""

    merge_every = 4_000_000
    """Hashes held back before they are merged into the counts (memory against sorting)."""

    def __init__(self) -> None:
        self.documents = 0
        self.keys = _EMPTY
        self.counts = np.zeros(0, dtype=np.int64)
        self._pending: list[np.ndarray] = []
        self._pending_size = 0

    def add(self, words: np.ndarray) -> None:
        """Count one document's sorted unique content-word hashes."""
        self.documents += 1
        self._pending.append(words)
        self._pending_size += words.size
        if self._pending_size > self.merge_every:
            self._merge()

    def _merge(self) -> None:
        if not self._pending:
            return
        batch = np.concatenate(self._pending)
        self._pending, self._pending_size = [], 0
        keys, counts = sorted_unique(batch, counts=True, overwrite=True)
        merged = np.concatenate((self.keys, keys))
        order = np.argsort(merged, kind="stable")
        merged = merged[order]
        weights = np.concatenate((self.counts, counts))[order]
        self.keys, held = sorted_unique(merged, counts=True, overwrite=True)
        first = np.cumsum(held) - held
        self.counts = np.add.reduceat(weights, first) if merged.size else weights

    def idf(self) -> IdfTable:
        """log(documents / document frequency) of every counted hash."""
        self._merge()
        values = np.log(self.documents / self.counts) if self.counts.size else np.zeros(0)
        return IdfTable(self.keys, values)


@dataclass(frozen=True)
class IdfTable:
    """IDF by content-word hash (0 for a hash never counted)."""

    keys: np.ndarray
    values: np.ndarray

    def of(self, hashes: np.ndarray) -> np.ndarray:
        """The IDF of each of ``hashes`` (float64)."""
        if not hashes.size or not self.keys.size:
            return np.zeros(hashes.size)
        at = np.minimum(np.searchsorted(self.keys, hashes), self.keys.size - 1)
        return np.where(self.keys[at] == hashes, self.values[at], 0.0)

