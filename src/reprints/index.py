"""A persistent, incremental reuse index in one SQLite file: add articles, ask where one came from.

The file holds the documents (id, content hash, outlet, date, title, url, text), the LSH
band keys of each document's passage windows, a word index for the rewording channel, and
the :class:`~reprints.params.Params` it was built with (a ``meta`` table with a schema
version). Nothing is pickled: every table is plain SQL a user can open in Datasette.

How a query finds its sources:

* **Verbatim channel.** Each indexed document is cut into non-overlapping windows of
  ``Params.window`` words (``index_stride``); each window is MinHash-signed (``affine32``,
  :mod:`reprints.minhash`) over word shingles and only ``index_bands`` of its ``bands`` band
  keys are stored. The query is cut into densely overlapping windows (``query_stride``), so
  any copied passage that covers an indexed window meets a query window within a few words
  of it, whose signature then agrees in at least one stored band with high probability.
  Storing few keys per document is what keeps the index near 1 KB per article.
* **Rewording channel.** For each content word held by at most ``index_word_cap`` articles,
  the index keeps the sorted list of those articles as a blob of 32-bit article numbers
  (``postings``; a commoner word's list is dropped for good). A query looks up the rarest
  content words of each of its sentences (by document frequency in the index), reads their
  lists in one statement and ranks indexed documents by the IDF they share with a passage
  of the query, in numpy. What a query reads is bounded by the cap, not by the index size.
* The best candidates of both channels are aligned with the query by :mod:`reprints.align`,
  which reports verbatim and reworded passages with exact spans and edit scripts.

Every ``add`` batch is one transaction, so a killed process loses at most the batch in
flight, and re-running the add skips what is already there (a document is its id plus a
hash of its text; changed text under a known id replaces the old document).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import math
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import __version__
from .errors import ParameterError, ReprintsError, ResultsError
from .lsh import band_keys, sorted_unique
from .minhash import MinHasher
from .model import Document, Match, Quote, QuoteFamily, ScanResult
from .normalize import Tokens, tokenize
from .params import Params
from .shingle import (
    kgram_hashes_many,
    shingle_hashes,
    text_word_hashes,
    window_shingle_ranges,
    word_hashes,
)

if TYPE_CHECKING:
    from .tfidf import SentenceModel

SCHEMA_VERSION = 3
"""Version of the index file layout; an index of another version is refused, not guessed at.

Version 2 (reprints 0.2): band keys in two tables (recent keys, merged in bulk), document
frequencies of every content term (digits and short words too) for the query's IDF, and a
running word count in ``meta``. Version 3: the rewording channel's FTS5 word index is
replaced by ``postings`` (article-number blobs per rare content word, capped by
``index_word_cap``). Older indexes must be rebuilt (the documents' text is in them: see the
error message)."""

# Parameters that shape what is stored: a query or add must use the index's own values.
STORED_PARAMS = (
    "shingle_size",
    "num_perm",
    "bands",
    "seed",
    "window",
    "index_stride",
    "index_bands",
    "index_word_cap",
)

# Article rows of 2-6 KB waste most of a 4 KB page each (one row per page); larger pages pack
# them, for a few µs more per band-key lookup. Measured in benchmarks/index.md.
PAGE_SIZE = 16384

# New band keys go to a small table, which stays in the page cache so a batch rewrites few
# pages, and move to the large one in bulk once it holds this many rows: inserting each
# batch's keys straight into a table of tens of millions of rows rewrote most of its pages
# every batch (855 articles/s for the band rows alone at 1M, benchmarks/index.md).
RECENT_BAND_ROWS = 2_000_000

# Each add batch appends one part (a blob of article numbers) per word it holds; once this
# many parts have been appended they are merged into one blob per word, so a query reads at
# most this many + 1 rows per word.
POSTING_PARTS = 16

# A word's list is kept while it is held by up to this many times the share of articles a
# query looks up, so that words near the share stay usable as the index grows.
LIST_MARGIN = 2.0

# A query's IDF counts sentences, as a scan's does; the index keeps a running word count.
WORDS_PER_SENTENCE = 22

# Band keys are stored as 47-bit integers: SQLite writes them in 6 bytes instead of 8, and
# at a billion stored keys a false collision still happens about once per 140k lookups.
_KEY_SHIFT = np.uint64(17)
_BAND_MIX = np.uint64(0x9E3779B97F4A7C15)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    docno INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    content_hash BLOB NOT NULL,
    outlet TEXT,
    date TEXT,
    title TEXT,
    url TEXT,
    words INTEGER NOT NULL,
    keys INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bands (
    key INTEGER NOT NULL,
    docno INTEGER NOT NULL,
    PRIMARY KEY (key, docno)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS recent_bands (
    key INTEGER NOT NULL,
    docno INTEGER NOT NULL,
    PRIMARY KEY (key, docno)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS postings (
    word INTEGER NOT NULL,
    part INTEGER NOT NULL,
    docnos BLOB NOT NULL,
    PRIMARY KEY (word, part)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS words (
    word INTEGER PRIMARY KEY,
    docs INTEGER NOT NULL
);
"""


class IndexBusyError(ReprintsError):
    """Another process held the index's write lock for longer than the busy timeout."""


@dataclass(frozen=True)
class AddReport:
    """What one ``add`` did: documents added, replaced (changed text) and skipped (unchanged)."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    batches: int = 0


@dataclass(frozen=True)
class IndexStats:
    """Counts and sizes of an index; ``bytes_per_document`` excludes the stored text."""

    path: str
    documents: int
    band_keys: int
    words: int
    text_bytes: int
    file_bytes: int
    outlets: dict[str, int]
    first_date: str | None
    last_date: str | None
    params: dict[str, Any]
    schema_version: int
    created_with: str

    @property
    def bytes_per_document(self) -> float:
        """Index bytes per document beyond the UTF-8 text itself."""
        return (self.file_bytes - self.text_bytes) / self.documents if self.documents else 0.0


@dataclass(frozen=True)
class Candidate:
    """An indexed document worth aligning with a query, and why."""

    docno: int
    band_hits: int = 0
    shared_idf: float = 0.0


@dataclass(frozen=True)
class _Signed:
    """What the index stores for a run of texts, as flat arrays (made in worker processes).

    Text ``i`` has ``words[i]`` words, the band keys ``keys[key_at[i]:key_at[i+1]]`` (sorted,
    distinct) and the distinct IDF terms ``terms[term_at[i]:term_at[i+1]]`` (word hashes,
    int64), of which those flagged in ``content`` are content words (longer than two letters).
    """

    words: np.ndarray
    keys: np.ndarray
    key_at: np.ndarray
    terms: np.ndarray
    term_at: np.ndarray
    content: np.ndarray

    def take(self, keep: np.ndarray) -> _Signed:
        """Return the arrays of the texts where ``keep`` is true, in order."""
        key_counts = np.diff(self.key_at)
        term_counts = np.diff(self.term_at)
        keys_kept = np.repeat(keep, key_counts)
        terms_kept = np.repeat(keep, term_counts)
        return _Signed(
            words=self.words[keep],
            keys=self.keys[keys_kept],
            key_at=_offsets(key_counts[keep]),
            terms=self.terms[terms_kept],
            term_at=_offsets(term_counts[keep]),
            content=self.content[terms_kept],
        )

    @staticmethod
    def join(parts: Sequence[_Signed]) -> _Signed:
        """Return the arrays of several runs of texts, one after the other."""
        return _Signed(
            words=np.concatenate([p.words for p in parts]),
            keys=np.concatenate([p.keys for p in parts]),
            key_at=_offsets(np.concatenate([np.diff(p.key_at) for p in parts])),
            terms=np.concatenate([p.terms for p in parts]),
            term_at=_offsets(np.concatenate([np.diff(p.term_at) for p in parts])),
            content=np.concatenate([p.content for p in parts]),
        )


@dataclass
class _PendingBatch:
    """A batch whose new documents are being signed (inline, or by worker processes)."""

    todo: list[tuple[Document, bytes]]
    skipped: int
    done: _Signed | None = None
    futures: list[Future[_Signed]] | None = None


def content_hash(text: str) -> bytes:
    """Return the 8-byte BLAKE2b hash of a document's text (its identity, with the id)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()


_HASHERS: dict[tuple[int, int], MinHasher] = {}
_BLAS: list[Any] = []
_MAX_VARIABLES = 30_000  # host parameters per statement (SQLite allows 32,766 since 3.32)
_JOB_CHUNK = 250
# A query scores passages only for the documents sharing the most rare-word IDF with it.
_SCORED_DOCUMENTS = 4000
_FUNCTION_HASHES: list[np.ndarray] = []


def _offsets(counts: np.ndarray) -> np.ndarray:
    out = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def _hasher(params: Params) -> MinHasher:
    hasher = _HASHERS.get((params.num_perm, params.seed))
    if hasher is None:
        hasher = _HASHERS[(params.num_perm, params.seed)] = MinHasher(params.num_perm, params.seed)
    return hasher


def _sign_texts(texts: Sequence[str], params: Params) -> _Signed:
    """Return the band keys and vocabulary of each text, all texts in one pass per step.

    Words are hashed straight from the texts (:func:`reprints.shingle.text_word_hashes`, no
    string per word); shingles, signatures and band keys are made for every window of every
    text at once. The keys equal :func:`window_band_keys` of each text (tested).
    """
    n = len(texts)
    if not n:
        empty = np.zeros(0, dtype=np.int64)
        return _Signed(empty, empty, np.zeros(1, dtype=np.int64), empty, np.zeros(1, dtype=np.int64),
                       np.zeros(0, dtype=bool))
    full, _, chars, lengths = text_word_hashes(texts, 1)
    shingles, shingle_at = kgram_hashes_many(full, lengths, params.shingle_size)
    starts, ends, per_text = [], [], np.zeros(n, dtype=np.int64)
    for i, words in enumerate(lengths.tolist()):
        first, last = window_shingle_ranges(words, params.window, params.index_stride, params.shingle_size)
        starts.append(first + shingle_at[i])
        ends.append(last + shingle_at[i])
        per_text[i] = len(first)
    keys = _band_keys_of(
        shingles, np.concatenate(starts), np.concatenate(ends), params, _hasher(params)
    )
    window_at = _offsets(per_text)
    flat = []
    key_counts = np.zeros(n, dtype=np.int64)
    for i in range(n):
        distinct = sorted_unique(keys[window_at[i] : window_at[i + 1]].ravel())
        flat.append(distinct)
        key_counts[i] = len(distinct)
    # Distinct IDF terms per text (every word but function words), one small sort per text.
    word_at = _offsets(lengths)
    terms, content = [], []
    term_counts = np.zeros(n, dtype=np.int64)
    for i in range(n):
        hashes = full[word_at[i] : word_at[i + 1]]
        order = np.argsort(hashes)
        hashes = hashes[order]
        new = np.ones(len(hashes), dtype=bool)
        np.not_equal(hashes[1:], hashes[:-1], out=new[1:])
        new[new] = ~_is_function_word(hashes[new])
        terms.append(hashes[new])
        content.append(chars[word_at[i] : word_at[i + 1]][order[new]] > 2)
        term_counts[i] = len(terms[-1])
    return _Signed(
        words=lengths,
        keys=np.concatenate(flat) if flat else np.zeros(0, dtype=np.int64),
        key_at=_offsets(key_counts),
        terms=np.concatenate(terms).view(np.int64),
        term_at=_offsets(term_counts),
        content=np.concatenate(content),
    )


def _band_keys_of(
    shingles: np.ndarray, starts: np.ndarray, ends: np.ndarray, params: Params, hasher: MinHasher
) -> np.ndarray:
    """Return the stored band keys (int64, windows x index_bands) of shingle ranges."""
    if len(starts) == 0:
        return np.zeros((0, params.index_bands), dtype=np.int64)
    # Only the stored bands are ever compared, so only their permutations are signed.
    rows = params.num_perm // params.bands
    signatures = hasher.sign_ranges(shingles, starts, ends, perms=slice(0, params.index_bands * rows))
    keys = band_keys(signatures, params.index_bands)
    with np.errstate(over="ignore"):
        keys = keys + np.arange(1, keys.shape[1] + 1, dtype=np.uint64)[None, :] * _BAND_MIX
    return (keys >> _KEY_SHIFT).astype(np.int64)


def window_band_keys(
    tokens: Tokens, params: Params, *, stride: int, hasher: MinHasher | None = None
) -> np.ndarray:
    """Return the sorted distinct stored band keys (int64) of the windows of ``tokens``.

    Windows of ``params.window`` words start every ``stride`` words; only the first
    ``params.index_bands`` of the ``params.bands`` bands of each window are kept.
    """
    hashes = shingle_hashes(tokens, params.shingle_size)
    starts, ends = window_shingle_ranges(len(tokens), params.window, stride, params.shingle_size)
    keys = _band_keys_of(hashes, starts, ends, params, hasher or _hasher(params))
    return sorted_unique(keys.ravel())


def _function_words() -> frozenset[str]:
    from .tfidf import FUNCTION_WORDS

    return FUNCTION_WORDS


def _is_function_word(hashes: np.ndarray) -> np.ndarray:
    """Tell which word hashes are those of function words."""
    if not _FUNCTION_HASHES:
        _FUNCTION_HASHES.append(np.sort(word_hashes(sorted(_function_words()))))
    table = _FUNCTION_HASHES[0]
    at = np.minimum(np.searchsorted(table, hashes), len(table) - 1)
    return table[at] == hashes


def _vocabulary(norms: Sequence[str]) -> tuple[set[str], list[str]]:
    """Return a text's distinct IDF terms (every word but function words) and content words.

    IDF terms are the unigrams :func:`reprints.tfidf.sentence_terms` weighs; content words
    (longer than two letters, numbers too) are what the rewording channel indexes, sorted.
    """
    terms = set(norms)
    terms.difference_update(_function_words())
    return terms, sorted(w for w in terms if len(w) > 2)


def _term_keys(words: Sequence[str]) -> list[int]:
    """Return the stored key (the signed 64-bit word hash) of each word."""
    return word_hashes(list(words)).view(np.int64).tolist()


def content_words(tokens: Tokens) -> list[str]:
    """Return the distinct content words of a text, sorted (what the rewording channel indexes)."""
    return _vocabulary(tokens.norms)[1]


# --- article-number lists: ascending numbers as LEB128 varints of their gaps -------------


def _encode_groups_py(values: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Encode runs ``values[starts[i]:starts[i]+counts[i]]`` (each ascending) one after another.

    Each run's first number is written whole, the rest as gaps to the one before; a number
    takes one byte per 7 bits, the high bit set on all but its last byte. Returns the bytes
    and where each run's bytes end.
    """
    out = np.zeros(max(1, 10 * len(values)), dtype=np.uint8)
    ends = np.zeros(len(starts), dtype=np.int64)
    n = 0
    for g in range(len(starts)):
        before = 0
        for k in range(starts[g], starts[g] + counts[g]):
            gap = values[k] - before
            before = values[k]
            while gap >= 0x80:
                out[n] = (gap & 0x7F) | 0x80
                n += 1
                gap >>= 7
            out[n] = gap
            n += 1
        ends[g] = n
    return out[:n], ends


def _decode_blobs_py(raw: np.ndarray, blob_ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decode blobs of :func:`_encode_groups_py` laid end to end: (numbers, how many per blob)."""
    out = np.zeros(len(raw), dtype=np.int64)
    counts = np.zeros(len(blob_ends), dtype=np.int64)
    n = 0
    pos = 0
    for b in range(len(blob_ends)):
        first = n
        total = 0
        value = 0
        shift = 0
        while pos < blob_ends[b]:
            byte = raw[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if byte & 0x80:
                shift += 7
            else:
                total += value
                out[n] = total
                n += 1
                value = 0
                shift = 0
        counts[b] = n - first
    return out[:n], counts


try:  # the loops above, compiled; plain Python otherwise (correct, slow)
    import numba

    _encode_groups = numba.njit(cache=True, nogil=True)(_encode_groups_py)
    _decode_blobs = numba.njit(cache=True, nogil=True)(_decode_blobs_py)
except ImportError:  # pragma: no cover - numba is a dependency
    _encode_groups = _encode_groups_py
    _decode_blobs = _decode_blobs_py


def encode_docnos(docnos: np.ndarray) -> bytes:
    """Return ascending article numbers as one blob (see :func:`_encode_groups_py`)."""
    values = np.ascontiguousarray(docnos, dtype=np.int64)
    raw, _ = _encode_groups(values, np.zeros(1, dtype=np.int64), np.array([len(values)], dtype=np.int64))
    return raw.tobytes()


def encode_runs(values: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> list[bytes]:
    """Return one blob per run of ascending article numbers ``values[start:start+count]``."""
    raw, ends = _encode_groups(
        np.ascontiguousarray(values, dtype=np.int64),
        np.ascontiguousarray(starts, dtype=np.int64),
        np.ascontiguousarray(counts, dtype=np.int64),
    )
    if not len(ends):
        return []
    data = raw.tobytes()
    begins = [0, *ends[:-1].tolist()]
    return [data[a:b] for a, b in zip(begins, ends.tolist(), strict=True)]


def decode_docnos(blobs: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Return the article numbers of several blobs, one after the other, and how many each holds."""
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    ends = np.cumsum(np.fromiter((len(b) for b in blobs), dtype=np.int64, count=len(blobs)))
    return _decode_blobs(raw, ends)


class Index:
    """An open reuse index; create with :meth:`create`, open with :meth:`open`, then close."""

    def __init__(self, connection: sqlite3.Connection, path: Path, params: Params) -> None:
        self._db = connection
        self.path = path
        self.params = params
        self._hasher = MinHasher(params.num_perm, params.seed)
        self._model: SentenceModel | None = None
        self._df: dict[str, int] = {}
        self._df_version: int | None = None

    # --- opening ---------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, params: Params | None = None, *, timeout: float = 30.0) -> Index:
        """Create a new, empty index file at ``path`` (refused if the file exists)."""
        path = Path(path)
        if path.exists():
            raise ParameterError(f"{path} already exists; remove it first or add to it with `reprints index add`")
        params = params or Params()
        db = _connect(path, timeout, page_size=PAGE_SIZE)
        try:
            with db:
                db.executescript(_SCHEMA)
                db.executemany(
                    "INSERT INTO meta(key, value) VALUES (?, ?)",
                    [
                        ("schema_version", str(SCHEMA_VERSION)),
                        ("params", json.dumps(params.to_dict(), sort_keys=True)),
                        ("created_with", f"reprints {__version__}"),
                        ("words", "0"),
                        ("documents", "0"),
                    ],
                )
        except BaseException:
            db.close()
            raise
        return cls(db, path, params)

    @classmethod
    def open(cls, path: str | Path, params: Params | None = None, *, timeout: float = 30.0) -> Index:
        """Open an existing index; ``params``, if given, must agree with the stored ones.

        Only the parameters that shape what is stored must agree (``STORED_PARAMS``);
        alignment knobs of ``params`` (thresholds, ``index_candidates``) apply to queries.
        """
        path = Path(path)
        if not path.is_file():
            raise ResultsError(f"no index at {path}; create one with `reprints index create {path}`")
        db = _connect(path, timeout)
        try:
            stored = _read_meta(db, path)
        except BaseException:
            db.close()
            raise
        if params is None:
            params = stored
        else:
            _check_params(stored, params)
        return cls(db, path, params)

    def close(self) -> None:
        """Close the database connection (checkpointing the WAL when no one else has it open)."""
        self._db.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------

    def add(
        self,
        documents: Iterable[Document],
        *,
        batch_size: int = 2000,
        jobs: int = 1,
        progress: Callable[[AddReport], None] | None = None,
    ) -> AddReport:
        """Add documents, committing every ``batch_size``; unchanged ones are skipped.

        A document whose id is already indexed with other text replaces it. Within one
        batch, the last of several documents with the same id wins. With ``jobs`` > 1,
        that many worker processes tokenise and sign while this one writes. ``progress`` is
        called after each committed batch with the running totals.
        """
        if batch_size < 1:
            raise ParameterError(f"batch_size must be at least 1, got {batch_size}")
        if jobs < 1:
            raise ParameterError(f"jobs must be at least 1, got {jobs}")
        report = AddReport()
        pool = ProcessPoolExecutor(jobs) if jobs > 1 else None
        try:
            pending: _PendingBatch | None = None
            for batch in _batches(documents, batch_size):
                started = self._start_batch(batch, pool)
                if pending is not None:  # batch k is written while batch k+1 is being signed
                    report = self._finish_batch(pending, report)
                    if progress is not None:
                        progress(report)
                pending = started
            if pending is not None:
                report = self._finish_batch(pending, report)
                if progress is not None:
                    progress(report)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        return report

    def _start_batch(self, batch: list[Document], pool: ProcessPoolExecutor | None) -> _PendingBatch:
        latest: dict[str, Document] = {}
        for doc in batch:
            latest[doc.id] = doc
        known = self._existing(list(latest))
        todo = [
            (doc, digest)
            for doc in latest.values()
            if (digest := content_hash(doc.text)) != known.get(doc.id, (0, b""))[1]
        ]
        skipped = len(batch) - len(todo)
        texts = [doc.text for doc, _ in todo]
        if pool is None:
            return _PendingBatch(todo, skipped, done=_sign_texts(texts, self.params))
        futures = [pool.submit(_sign_texts, chunk, self.params) for chunk in _chunks(texts, _JOB_CHUNK)]
        return _PendingBatch(todo, skipped, futures=futures)

    def _finish_batch(self, pending: _PendingBatch, report: AddReport) -> AddReport:
        if pending.futures is not None:
            signed = _Signed.join([f.result() for f in pending.futures]) if pending.futures else _sign_texts([], self.params)
        else:
            signed = pending.done if pending.done is not None else _sign_texts([], self.params)
        added = replaced = 0
        unchanged = pending.skipped
        with self._write():
            # Checked again under the write lock: another writer may have come in between.
            existing = self._existing([doc.id for doc, _ in pending.todo])
            rows: list[tuple[Document, bytes]] = []
            keep = np.ones(len(pending.todo), dtype=bool)
            for k, (doc, digest) in enumerate(pending.todo):
                old = existing.get(doc.id)
                if old is not None and old[1] == digest:
                    unchanged += 1
                    keep[k] = False
                    continue
                if old is not None:
                    self._delete(old[0])
                    replaced += 1
                else:
                    added += 1
                rows.append((doc, digest))
            self._insert(rows, signed if keep.all() else signed.take(keep))
        self._merge_recent_bands()
        self._merge_postings()
        return AddReport(
            added=report.added + added,
            replaced=report.replaced + replaced,
            unchanged=report.unchanged + unchanged,
            batches=report.batches + 1,
        )

    def _existing(self, ids: list[str]) -> dict[str, tuple[int, bytes]]:
        found: dict[str, tuple[int, bytes]] = {}
        for chunk in _chunks(ids, 900):
            marks = ",".join("?" * len(chunk))
            for docno, doc_id, digest in self._db.execute(
                f"SELECT docno, id, content_hash FROM documents WHERE id IN ({marks})", chunk
            ):
                found[doc_id] = (docno, bytes(digest))
        return found

    def _insert(self, documents: list[tuple[Document, bytes]], signed: _Signed) -> None:
        if not documents:
            return
        self._df_version = None  # this connection's own writes do not change data_version
        (top,) = self._db.execute("SELECT coalesce(max(docno), 0) FROM documents").fetchone()
        n = len(documents)
        docnos = np.arange(top + 1, top + 1 + n, dtype=np.int64)
        key_counts = np.diff(signed.key_at)
        rows = [
            (docno, d.id, digest, d.outlet, d.date, d.title, d.url, words, keys, d.text)
            for docno, (d, digest), words, keys in zip(
                docnos.tolist(), documents, signed.words.tolist(), key_counts.tolist(), strict=True
            )
        ]
        self._db.executemany("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        # Inserting in key order touches each B-tree page once per batch.
        key_docnos = np.repeat(docnos, key_counts)
        order = np.lexsort((key_docnos, signed.keys))
        self._db.executemany(
            "INSERT OR IGNORE INTO recent_bands(key, docno) VALUES (?, ?)",
            zip(signed.keys[order].tolist(), key_docnos[order].tolist(), strict=True),
        )
        # Document frequencies: stored count + this batch's.
        term_docnos = np.repeat(docnos, np.diff(signed.term_at))
        order = np.argsort(signed.terms, kind="stable")  # docnos stay ascending within a word
        terms, term_docnos, content = signed.terms[order], term_docnos[order], signed.content[order]
        words, first, counts = _groups(terms)
        before = self._stored_frequencies(words)
        self._db.executemany(
            "INSERT OR REPLACE INTO words(word, docs) VALUES (?, ?)",
            zip(words.tolist(), (before + counts).tolist(), strict=True),
        )
        # Rare content words' lists: one part (this batch's article numbers) per word.
        limit = _listed_limit(self.params, top + n, LIST_MARGIN)
        listed = content[first] & (before + counts <= limit)
        dropped = content[first] & (before <= limit) & (before > 0) & (before + counts > limit)
        self._db.executemany("DELETE FROM postings WHERE word = ?", ((w,) for w in words[dropped].tolist()))
        blobs = encode_runs(term_docnos, first[listed], counts[listed])
        self._db.executemany(
            "INSERT INTO postings(word, part, docnos) VALUES (?, ?, ?)",
            ((w, top + 1, blob) for w, blob in zip(words[listed].tolist(), blobs, strict=True)),
        )
        if listed.any():
            self._db.execute(
                "INSERT INTO meta(key, value) VALUES ('posting_parts', '1') "
                "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
            )
        self._count_words(int(signed.words.sum()), n)

    def _stored_frequencies(self, words: np.ndarray) -> np.ndarray:
        """Return the stored document frequency of each word key (0 for a new word)."""
        found: dict[int, int] = {}
        for chunk in _chunks(words.tolist(), _MAX_VARIABLES):
            marks = ",".join("?" * len(chunk))
            found.update(self._db.execute(f"SELECT word, docs FROM words WHERE word IN ({marks})", chunk))
        return np.array([found.get(w, 0) for w in words.tolist()], dtype=np.int64)

    def _merge_postings(self) -> None:
        """Merge each word's appended parts into one blob once ``POSTING_PARTS`` have piled up."""
        row = self._db.execute("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'posting_parts'").fetchone()
        if row is None or row[0] < POSTING_PARTS:
            return
        with self._write():
            rows = self._db.execute(
                "SELECT word, docnos FROM postings WHERE word IN "
                "(SELECT DISTINCT word FROM postings WHERE part > 0) ORDER BY word, part"
            ).fetchall()
            values, per_blob = decode_docnos([blob for _, blob in rows])
            words, first, _ = _groups(np.array([w for w, _ in rows], dtype=np.int64))
            value_at = _offsets(per_blob)
            merged = encode_runs(values, value_at[first], np.add.reduceat(per_blob, first) if len(first) else first)
            self._db.execute("DELETE FROM postings WHERE part > 0")
            self._db.executemany(
                "INSERT OR REPLACE INTO postings(word, part, docnos) VALUES (?, 0, ?)",
                zip(words.tolist(), merged, strict=True),
            )
            self._db.execute("UPDATE meta SET value = '0' WHERE key = 'posting_parts'")

    def _count_words(self, words: int, documents: int) -> None:
        """Keep the running word and document counts (a count(*) reads the whole id index)."""
        self._db.executemany(
            "UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = ?",
            [(words, "words"), (documents, "documents")],
        )

    def _merge_recent_bands(self) -> None:
        """Move the recent band keys into the large table once there are enough of them."""
        row = self._db.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM recent_bands LIMIT {RECENT_BAND_ROWS})"
        ).fetchone()
        if row[0] < RECENT_BAND_ROWS:
            return
        with self._write():
            self._db.execute(
                "INSERT OR IGNORE INTO bands(key, docno) SELECT key, docno FROM recent_bands ORDER BY key, docno"
            )
            self._db.execute("DELETE FROM recent_bands")

    def _delete(self, docno: int) -> None:
        """Delete one document and everything derived from it (recomputed from its text)."""
        self._df_version = None
        (text, words) = self._db.execute(
            "SELECT text, words FROM documents WHERE docno = ?", (docno,)
        ).fetchone()
        signed = _sign_texts([text], self.params)
        keys = [(k, docno) for k in signed.keys.tolist()]
        self._db.executemany("DELETE FROM bands WHERE key = ? AND docno = ?", keys)
        self._db.executemany("DELETE FROM recent_bands WHERE key = ? AND docno = ?", keys)
        for chunk in _chunks(signed.terms[signed.content].tolist(), _MAX_VARIABLES):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT word, part, docnos FROM postings WHERE word IN ({marks})", chunk
            ).fetchall()
            for word, part, blob in rows:
                docnos = decode_docnos([blob])[0]
                kept = docnos[docnos != docno]
                if len(kept) == len(docnos):
                    continue
                if len(kept):
                    self._db.execute(
                        "UPDATE postings SET docnos = ? WHERE word = ? AND part = ?",
                        (encode_docnos(kept), word, part),
                    )
                else:
                    self._db.execute("DELETE FROM postings WHERE word = ? AND part = ?", (word, part))
        listed = [(w,) for w in signed.terms.tolist()]
        self._db.executemany("UPDATE words SET docs = docs - 1 WHERE word = ?", listed)
        self._db.executemany("DELETE FROM words WHERE word = ? AND docs <= 0", listed)
        self._db.execute("DELETE FROM documents WHERE docno = ?", (docno,))
        self._count_words(-int(words), -1)

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents by id in one transaction; return the ids that were not indexed."""
        wanted = list(dict.fromkeys(ids))
        with self._write():
            existing = self._existing(wanted)
            for doc_id in wanted:
                if doc_id in existing:
                    self._delete(existing[doc_id][0])
        return [doc_id for doc_id in wanted if doc_id not in existing]

    def _write(self) -> _WriteTransaction:
        return _WriteTransaction(self._db, self.path)

    # --- reading ---------------------------------------------------------------------

    def __len__(self) -> int:
        (count,) = self._db.execute("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'documents'").fetchone()
        return int(count)

    def __contains__(self, doc_id: object) -> bool:
        row = self._db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row is not None

    def document(self, doc_id: str) -> Document | None:
        """Return the indexed document with this id, or None."""
        rows = self._documents("id = ?", (doc_id,))
        return rows[0] if rows else None

    def ids(self) -> list[str]:
        """Return every indexed document id, sorted."""
        return [r[0] for r in self._db.execute("SELECT id FROM documents ORDER BY id")]

    def _documents(self, where: str, args: Sequence[Any]) -> list[Document]:
        return [
            Document(id=r[0], text=r[1], outlet=r[2], date=r[3], title=r[4], url=r[5])
            for r in self._db.execute(
                f"SELECT id, text, outlet, date, title, url FROM documents WHERE {where}", args
            )
        ]

    def candidates(self, text: str, *, date: str | None = None, exclude: str | None = None) -> list[Candidate]:
        """Return the indexed documents worth aligning with ``text``, best first.

        Verbatim-channel hits (shared band keys) rank before rewording-channel neighbours;
        at most ``params.index_candidates`` are returned. With ``date`` and
        ``params.date_window_days``, documents dated further away are left out.
        """
        from .align import segment

        segments = segment(Document("query", text), tokenize(text))
        with self._read():
            return self._candidates(segments, self._known_frequencies(), date=date, exclude=exclude)

    def _candidates(
        self,
        segments: tuple[Tokens, np.ndarray, np.ndarray],
        df: dict[str, int],
        *,
        date: str | None,
        exclude: str | None,
    ) -> list[Candidate]:
        """Rank the candidates (inside a read snapshot); fills ``df`` with the query's frequencies."""
        band_hits = self._band_hits(segments[0])
        shared_idf = self._shared_idf(segments, df)
        found = set(band_hits) | set(shared_idf)
        if not found:
            return []
        allowed = self._allowed(found, date=date, exclude=exclude)
        ranked = sorted(
            (Candidate(n, band_hits.get(n, 0), round(shared_idf.get(n, 0.0), 6)) for n in allowed),
            key=lambda c: (-c.band_hits, -c.shared_idf, c.docno),
        )
        return ranked[: self.params.index_candidates]

    def _band_hits(self, tokens: Tokens) -> dict[int, int]:
        keys = window_band_keys(tokens, self.params, stride=self.params.query_stride, hasher=self._hasher)
        if not len(keys):
            return {}
        per_key: dict[int, list[int]] = {}
        for chunk in _chunks(keys.tolist(), _MAX_VARIABLES // 2):
            marks = ",".join("?" * len(chunk))
            for key, docno in self._db.execute(
                f"SELECT key, docno FROM bands WHERE key IN ({marks}) "
                f"UNION ALL SELECT key, docno FROM recent_bands WHERE key IN ({marks})",
                chunk + chunk,
            ):
                per_key.setdefault(key, []).append(docno)
        hits: dict[int, int] = {}
        for docnos in per_key.values():
            if len(docnos) > self.params.max_bucket:
                continue  # stock text shared by too many articles to say anything
            for docno in docnos:
                hits[docno] = hits.get(docno, 0) + 1
        return hits

    def _known_frequencies(self) -> dict[str, int]:
        """Return the document frequencies read so far, emptied when the index has changed.

        Call inside a read snapshot. ``PRAGMA data_version`` changes when another connection
        commits; this connection's own writes empty the cache themselves.
        """
        (version,) = self._db.execute("PRAGMA data_version").fetchone()
        if version != self._df_version or len(self._df) > 2_000_000:
            self._df.clear()
            self._df_version = version
        return self._df

    def _frequencies(self, words: Iterable[str], into: dict[str, int]) -> dict[str, int]:
        """Add the indexed document frequency of each word not yet in ``into`` (0 if unknown)."""
        wanted = [w for w in words if w not in into]
        if not wanted:
            return into
        word_of = dict(zip(_term_keys(wanted), wanted, strict=True))
        for chunk in _chunks(list(word_of), _MAX_VARIABLES):
            marks = ",".join("?" * len(chunk))
            for key, docs in self._db.execute(f"SELECT word, docs FROM words WHERE word IN ({marks})", chunk):
                into[word_of[key]] = docs
        for w in wanted:
            into.setdefault(w, 0)
        return into

    def _shared_idf(self, segments: tuple[Tokens, np.ndarray, np.ndarray], df: dict[str, int]) -> dict[int, float]:
        """Score indexed documents by the rare words they share with one passage of the query.

        Each query sentence contributes its ``index_terms`` rarest content words (by document
        frequency in the index, see ``index_word_share``); a document's score is the best IDF sum
        it shares with any two neighbouring sentences, so words scattered over an unrelated
        article count little. ``df`` receives the frequencies of every IDF term of the query.
        """
        tokens, _, ranges = segments
        norms = tokens.norms
        function_words = _function_words()
        terms, _ = _vocabulary(norms)
        (total,) = self._db.execute("SELECT coalesce(max(docno), 0) FROM documents").fetchone()
        if not total or not terms:
            return {}
        self._frequencies(terms, df)
        sentences = [
            {w for w in norms[i:j] if len(w) > 2 and w not in function_words}
            for i, j in ranges.tolist()
        ]
        # A word in more than index_word_share of the articles (and more than max_bucket) is
        # no evidence of reuse, and its postings would cost more than they tell; nor is one
        # held by more than index_word_cap articles, whose list the index did not keep.
        limit = _listed_limit(self.params, total, 1.0)
        picked: list[list[str]] = []
        for sentence in sentences:
            usable = sorted((df[w], w) for w in sentence if 0 < df.get(w, 0) <= limit)
            picked.append([w for _, w in usable[: self.params.index_terms]])
        words = sorted(set().union(*map(set, picked)))
        if not words:
            return {}
        column_of = {w: k for k, w in enumerate(words)}
        column_of_key = {key: k for k, key in enumerate(_term_keys(words))}
        blobs: list[bytes] = []
        blob_word: list[int] = []
        for chunk in _chunks(list(column_of_key), _MAX_VARIABLES):
            marks = ",".join("?" * len(chunk))
            for key, blob in self._db.execute(
                f"SELECT word, docnos FROM postings WHERE word IN ({marks})", chunk
            ):
                blobs.append(blob)
                blob_word.append(column_of_key[key])
        listed, per_blob = decode_docnos(blobs)
        if not len(listed):
            return {}
        word_of = np.repeat(np.array(blob_word, dtype=np.int64), per_blob)
        weight = np.array([math.log((total + 1) / (df[w] + 0.5)) for w in words])
        # One row per passage (a sentence and the next), one column per word: the word's IDF
        # where the passage holds it.
        passage_words = np.zeros((len(picked), len(words)), dtype=np.float64)
        for k in range(len(picked)):
            window = set(picked[k]) | (set(picked[k + 1]) if k + 1 < len(picked) else set())
            for term in window:
                passage_words[k, column_of[term]] = weight[column_of[term]]
        # A document's best passage scores at most its IDF over all the query's words: score
        # passages only for the documents with the largest totals (the rest cannot be kept).
        # The lists are ascending runs, which a stable (merging) sort puts together quickly.
        order = np.argsort(listed, kind="stable")
        in_order = listed[order]
        new = np.ones(len(in_order), dtype=bool)
        np.not_equal(in_order[1:], in_order[:-1], out=new[1:])
        first = np.flatnonzero(new)
        docnos = in_order[first]
        totals = np.add.reduceat(weight[word_of][order], first)
        column = np.empty(len(listed), dtype=np.int64)
        column[order] = np.cumsum(new) - 1
        if len(docnos) > _SCORED_DOCUMENTS:
            cut = np.partition(totals, len(totals) - _SCORED_DOCUMENTS)[len(totals) - _SCORED_DOCUMENTS]
            above = np.flatnonzero(totals > cut)  # ties at the cut: lower article numbers first
            best = np.sort(np.concatenate([above, np.flatnonzero(totals == cut)[: _SCORED_DOCUMENTS - len(above)]]))
            remap = np.full(len(docnos), -1, dtype=np.int64)
            remap[best] = np.arange(len(best))
            column = remap[column]
            docnos = docnos[best]
        entries = column >= 0
        word_of, column = word_of[entries], column[entries]
        incidence = np.zeros((len(words), len(docnos)), dtype=np.float64)
        incidence[word_of, column] = 1.0
        scores = (passage_words @ incidence).max(axis=0)
        # Only documents sharing a good part of the best passage's rare-word mass are neighbours.
        floor = scores.max() * self.params.index_idf_share
        keep = np.flatnonzero(scores >= floor)
        order = keep[np.lexsort((docnos[keep], -scores[keep]))][: self.params.index_neighbours]
        return {int(docnos[i]): float(scores[i]) for i in order}

    def _allowed(self, docnos: set[int], *, date: str | None, exclude: str | None) -> list[int]:
        window = self.params.date_window_days
        query_day = _day(date) if date and window is not None else None
        allowed = []
        for chunk in _chunks(sorted(docnos), 900):
            marks = ",".join("?" * len(chunk))
            for docno, doc_id, doc_date in self._db.execute(
                f"SELECT docno, id, date FROM documents WHERE docno IN ({marks})", chunk
            ):
                if exclude is not None and doc_id == exclude:
                    continue
                if query_day is not None and window is not None:
                    day = _day(doc_date) if doc_date else None
                    if day is not None and abs((day - query_day).days) > window:
                        continue
                allowed.append(docno)
        return allowed

    def query(
        self,
        text: str,
        *,
        outlet: str | None = None,
        date: str | None = None,
        top: int = 10,
        doc_id: str = "query",
        title: str | None = None,
    ) -> list[Match]:
        """Return the passages of indexed articles that ``text`` reuses, verbatim or reworded.

        See :meth:`lookup`, which also returns the source documents and the reused quotes.
        """
        return list(self.lookup(text, outlet=outlet, date=date, top=top, doc_id=doc_id, title=title).matches)

    def lookup(
        self,
        text: str,
        *,
        outlet: str | None = None,
        date: str | None = None,
        top: int = 10,
        doc_id: str = "query",
        title: str | None = None,
        quotes: bool = False,
    ) -> ScanResult:
        """Find where ``text`` came from: matched passages, their source articles, reused quotes.

        ``outlet`` and ``date`` describe the queried article: the date sets each match's
        direction (the earlier article is the source) and, with ``date_window_days``, which
        indexed articles are considered; the outlet tells whether a source is credited. The
        query is named ``doc_id`` (an indexed document with that id is never its own source).
        Matches come from at most ``top`` source articles, those with the most matched words,
        sorted by (a.doc, a.start, b.doc, b.start). ``documents`` holds the query and those
        sources; with ``quotes``, quotations the query shares with them come too (families
        spanning the query and a source). An empty query or index gives no matches.
        """
        with one_blas_thread():
            return self._lookup(text, outlet, date, top, doc_id, title, quotes)

    def _lookup(
        self, text: str, outlet: str | None, date: str | None, top: int, doc_id: str,
        title: str | None, quotes: bool,
    ) -> ScanResult:
        from .align import AlignContext, align_pair, prepare_many, segment

        query_doc = Document(id=doc_id, text=text, outlet=outlet, date=date, title=title)
        query_segments = segment(query_doc, tokenize(text))
        with self._read():
            df = self._known_frequencies()
            found = self._candidates(query_segments, df, date=date, exclude=doc_id) if top > 0 else []
            if not found:
                return ScanResult(documents=(query_doc,), params=self.params.to_dict())
            by_docno = {}
            for chunk in _chunks([c.docno for c in found], _MAX_VARIABLES):
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(
                    f"SELECT docno, id, text, outlet, date, title, url FROM documents WHERE docno IN ({marks})",
                    chunk,
                ):
                    by_docno[row[0]] = Document(*row[1:])
            candidates = [(c, by_docno[c.docno]) for c in found if c.docno in by_docno]
            query_stems = _sentence_stems(query_segments[0], query_segments[2])
            sources: list[Document] = []
            segments = [query_segments]
            for cand, doc in candidates:
                doc_segments = segment(doc)
                # Verbatim hits are evidence already; a rare-word neighbour must first show one
                # sentence sharing enough content with one of the query's (cheap sets, no TF-IDF).
                if cand.band_hits or _shares_a_sentence(
                    query_stems, _sentence_stems(doc_segments[0], doc_segments[2]), self.params
                ):
                    sources.append(doc)
                    segments.append(doc_segments)
            if not sources:
                return ScanResult(documents=(query_doc,), params=self.params.to_dict())
            # IDF comes from the index's document frequencies (with the query counted in), so
            # a pair aligns the same whichever other candidates a query brings.
            model = self._idf_model(segments, df)
        context = AlignContext(self.params, model)
        context.prepared.update(
            prepare_many([query_doc, *sources], segments, context.model, min_words=self.params.min_words)
        )
        per_source: list[tuple[int, Document, list[Match]]] = []
        for source in sources:
            matches = [_with_direction(m, query_doc, source) for m in align_pair(query_doc, source, context)]
            if matches:
                words = sum(m.verbatim_words + m.reworded_words for m in matches)
                per_source.append((words, source, matches))
        per_source.sort(key=lambda s: (-s[0], s[1].id))
        kept = per_source[:top]
        out = sorted(
            (m for _, _, matches in kept for m in matches),
            key=lambda m: (m.a.doc, m.a.start, m.b.doc, m.b.start, m.a.end, m.b.end),
        )
        documents = tuple(sorted([query_doc, *(s for _, s, _ in kept)], key=lambda d: d.id))
        found_quotes, families = _shared_quotes(documents, doc_id) if quotes and kept else ((), ())
        return ScanResult(
            documents=documents,
            matches=tuple(out),
            quotes=found_quotes,
            quote_families=families,
            params=self.params.to_dict(),
        )

    def _idf_model(
        self, segments: Sequence[tuple[Tokens, np.ndarray, np.ndarray]], df: dict[str, int]
    ) -> SentenceModel:
        """Return a sentence model whose IDF, for every term of these texts, comes from the index.

        The first text is the query. A term's document frequency is the number of indexed
        articles holding it, plus one if the query does; the number of "documents" is the
        index's sentence count (estimated from its word count) plus the query's sentences, as
        if the query were indexed. A bigram weighs as its rarer content word.
        """
        from .tfidf import BIGRAM_BUCKETS, FUNCTION_WORDS, UNIGRAM_BUCKETS, SentenceModel

        query_terms = _vocabulary(segments[0][0].norms)[0]
        vocabulary: set[str] = set(query_terms)
        bigrams: set[tuple[str, str]] = set()
        for tokens, _, ranges in segments:
            norms = tokens.norms
            vocabulary.update(norms)
            for i, j in ranges.tolist():
                sentence = norms[i:j]
                bigrams.update(itertools.pairwise(sentence))
        vocabulary.difference_update(FUNCTION_WORDS)
        bigrams = {(x, y) for x, y in bigrams if x not in FUNCTION_WORDS or y not in FUNCTION_WORDS}
        self._frequencies(vocabulary, df)
        (indexed_words, documents) = self._db.execute(
            "SELECT (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'words'), "
            "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'documents')"
        ).fetchone()
        n = max(indexed_words / WORDS_PER_SENTENCE, documents) + len(segments[0][2])
        words = sorted(vocabulary)
        idf = {
            w: math.log((1.0 + n) / (1.0 + df[w] + (w in query_terms))) + 1.0 for w in words
        }
        pairs = sorted(bigrams)
        pair_idf = [max(idf.get(x, 0.0), idf.get(y, 0.0)) for x, y in pairs]
        if self._model is None:
            self._model = SentenceModel(np.ones(UNIGRAM_BUCKETS + BIGRAM_BUCKETS, dtype=np.float32), 0)
        model = self._model
        # Only the buckets of these texts' terms are read when they are vectorised, so setting
        # them is enough (other buckets keep values from earlier queries, never read).
        if words:
            buckets = self._buckets(words, UNIGRAM_BUCKETS, 0)
            values = np.array([idf[w] for w in words], dtype=np.float32)
            model.idf[buckets] = values
            model._unigram_idf[buckets] = values
        if pairs:
            buckets = self._buckets([f"{x} {y}" for x, y in pairs], BIGRAM_BUCKETS, UNIGRAM_BUCKETS)
            model.idf[buckets] = np.array(pair_idf, dtype=np.float32)
        model.sentences = int(n)
        return model

    def _buckets(self, terms: list[str], buckets: int, offset: int) -> np.ndarray:
        """Return the column of each term in :mod:`reprints.tfidf`'s hashed term space.

        As scikit-learn's ``HashingVectorizer``: ``|murmurhash3_32(term, seed=0)| mod buckets``
        (signed), for all terms in one compiled pass over their UTF-8 bytes.
        """
        from .tfidf import term_columns

        return term_columns(terms, buckets) + offset

    def _read(self) -> _ReadSnapshot:
        return _ReadSnapshot(self._db)

    # --- health ----------------------------------------------------------------------

    def stats(self) -> IndexStats:
        """Return counts and sizes (the file size includes the WAL)."""
        db = self._db
        with self._read():
            (documents, words, keys, text_bytes) = db.execute(
                "SELECT count(*), coalesce(sum(words), 0), coalesce(sum(keys), 0), "
                "coalesce(sum(length(CAST(text AS BLOB))), 0) FROM documents"
            ).fetchone()
            outlets = {
                (o or ""): int(n)
                for o, n in db.execute(
                    "SELECT outlet, count(*) FROM documents GROUP BY outlet ORDER BY count(*) DESC, outlet"
                )
            }
            first, last = db.execute(
                "SELECT min(date), max(date) FROM documents WHERE date IS NOT NULL"
            ).fetchone()
            version, created = db.execute(
                "SELECT (SELECT value FROM meta WHERE key='schema_version'), "
                "(SELECT value FROM meta WHERE key='created_with')"
            ).fetchone()
        file_bytes = sum(
            p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists()
        )
        return IndexStats(
            path=str(self.path),
            documents=int(documents),
            band_keys=int(keys),
            words=int(words),
            text_bytes=int(text_bytes),
            file_bytes=file_bytes,
            outlets=outlets,
            first_date=first,
            last_date=last,
            params=self.params.to_dict(),
            schema_version=int(version),
            created_with=str(created),
        )

    def check(self) -> list[str]:
        """Return what is wrong with the index file (an empty list when it is consistent).

        Runs SQLite's integrity check and checks that the band rows are exactly the keys
        recorded for the documents (no orphans, none missing).
        """
        problems: list[str] = []
        db = self._db
        with self._read():
            result = [r[0] for r in db.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                problems.extend(f"integrity_check: {r}" for r in result)
            (orphans,) = db.execute(
                "SELECT count(*) FROM (SELECT docno FROM bands UNION ALL SELECT docno FROM recent_bands) "
                "WHERE docno NOT IN (SELECT docno FROM documents)"
            ).fetchone()
            if orphans:
                problems.append(f"{orphans} band keys belong to no document")
            (stored,) = db.execute(
                "SELECT (SELECT count(*) FROM bands) + (SELECT count(*) FROM recent_bands)"
            ).fetchone()
            (expected,) = db.execute("SELECT coalesce(sum(keys), 0) FROM documents").fetchone()
            if stored != expected:
                problems.append(f"{stored} band rows stored, but documents record {expected}")
            known = np.array([r[0] for r in db.execute("SELECT docno FROM documents ORDER BY docno")], dtype=np.int64)
            listed = 0
            for (blob,) in db.execute("SELECT docnos FROM postings"):
                docnos = decode_docnos([blob])[0]
                at = np.searchsorted(known, docnos)
                if len(docnos) and (at.max() >= len(known) or np.any(known[np.minimum(at, len(known) - 1)] != docnos)):
                    listed += 1
            if listed:
                problems.append(f"{listed} word lists name articles that are not indexed")
            for what, total in (("words", "coalesce(sum(words), 0)"), ("documents", "count(*)")):
                (have, counted) = db.execute(
                    f"SELECT (SELECT {total} FROM documents), "
                    f"(SELECT CAST(value AS INTEGER) FROM meta WHERE key = '{what}')"
                ).fetchone()
                if have != counted:
                    problems.append(f"the index holds {have} {what}, but the running count says {counted}")
            (negative,) = db.execute("SELECT count(*) FROM words WHERE docs < 1").fetchone()
            if negative:
                problems.append(f"{negative} words have a document count below 1")
        return problems


# --- transactions ---------------------------------------------------------------------


class _WriteTransaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``: take the write lock up front, waiting up to the timeout."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self._path = path

    def __enter__(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            if "locked" in str(err) or "busy" in str(err):
                raise IndexBusyError(
                    f"{self._path} is being written by another process; wait for it to finish "
                    f"(or raise the wait with --timeout) and try again"
                ) from err
            raise

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self._db.execute("COMMIT")
        else:
            self._db.execute("ROLLBACK")


class _ReadSnapshot:
    """A read transaction, so a query sees one consistent state while a writer commits."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._owner = False

    def __enter__(self) -> None:
        if not self._db.in_transaction:
            self._db.execute("BEGIN")
            self._owner = True

    def __exit__(self, *exc: object) -> None:
        if self._owner:
            self._db.execute("COMMIT")


def _connect(path: Path, timeout: float, *, page_size: int | None = None) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(str(path), timeout=timeout, isolation_level=None, check_same_thread=False)
        if page_size is not None:  # only takes effect before the first table is written
            db.execute(f"PRAGMA page_size={int(page_size)}")
        db.execute("PRAGMA journal_mode=WAL")
    except sqlite3.DatabaseError as err:
        raise ResultsError(f"{path} is not a reprints index ({err})") from err
    db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA cache_size=-262144")
    return db


def _read_meta(db: sqlite3.Connection, path: Path) -> Params:
    try:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as err:
        raise ResultsError(f"{path} is not a reprints index ({err})") from err
    version = int(meta.get("schema_version", "0"))
    if version != SCHEMA_VERSION:
        raise ResultsError(
            f"{path} is an index of schema version {version}, this reprints reads version "
            f"{SCHEMA_VERSION}; rebuild it with `reprints index create` and `reprints index add`"
        )
    return Params.from_dict(json.loads(meta["params"]))


def _listed_limit(params: Params, total: int, margin: float) -> int:
    """Return how many articles may hold a word whose list is looked up (kept: ``margin`` x)."""
    share = int(total * params.index_word_share * margin)
    return min(params.index_word_cap, max(params.max_bucket, share))


def _check_params(stored: Params, given: Params) -> None:
    """Refuse parameters that would make the query's keys differ from the stored ones."""
    for name in STORED_PARAMS:
        have, want = getattr(stored, name), getattr(given, name)
        if have != want:
            flag = "--" + name.replace("_", "-")
            raise ParameterError(
                f"index was built with {name}={have}, not {want}; rebuild it or pass {flag} {have}"
            )


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _with_direction(match: Match, query: Document, source: Document) -> Match:
    """Set ``direction`` from the two dates and ``credited`` from the later article's text."""
    from .credit import with_direction

    doc_a, doc_b = (query, source) if match.a.doc == query.id else (source, query)
    return with_direction(match, doc_a, doc_b)


def _shared_quotes(documents: Sequence[Document], query_id: str) -> tuple[tuple[Quote, ...], tuple[QuoteFamily, ...]]:
    """Return the quotations of the query that a source also carries, and their families."""
    try:
        from .quotes import find_quotes
    except ImportError:  # quotes arrive with their own module; until then there are none
        return (), ()
    quotes, families = find_quotes(list(documents))
    shared = tuple(
        f for f in families if any(q.doc == query_id for q in f.quotes) and len({q.doc for q in f.quotes}) > 1
    )
    keep = {f.id for f in shared}
    return tuple(q for q in quotes if q.family in keep), shared


def _sentence_stems(tokens: Tokens, ranges: np.ndarray) -> list[frozenset[str]]:
    """Return each sentence's content words cut to 5 letters ("transferred" meets "transfer")."""
    from .tfidf import FUNCTION_WORDS

    norms = tokens.norms
    return [
        frozenset(w[:5] for w in norms[i:j] if len(w) > 2 and w not in FUNCTION_WORDS and not w.isdigit())
        for i, j in ranges
    ]


def _shares_a_sentence(query: list[frozenset[str]], other: list[frozenset[str]], params: Params) -> bool:
    """Tell whether some sentence pair shares ``index_gate_words`` content words, and at least
    ``index_gate_share`` of the smaller sentence's."""
    least = params.index_gate_words
    others = [b for b in other if len(b) >= least]
    for a in query:
        if len(a) < least:
            continue
        for b in others:
            shared = len(a & b)
            if shared >= least and shared >= params.index_gate_share * min(len(a), len(b)):
                return True
    return False


def one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """Return a context in which BLAS (numpy's matrix products) runs on one thread.

    A query multiplies many small matrices; OpenBLAS's worker threads cost far more than they
    save there, and on a busy machine they wait for cores: a 40 x 3,000 by 3,000 x 35 product
    took 33 ms with OpenBLAS's threads and 0.23 ms on one (median, load average 12).
    """
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - scikit-learn depends on threadpoolctl
        return contextlib.nullcontext()
    if not _BLAS:
        _BLAS.append(ThreadpoolController())
    return _BLAS[0].limit(limits=1, user_api="blas")


def lookup_json(result: ScanResult, query_id: str) -> dict[str, Any]:
    """Return the one JSON answer of a lookup (``index query --json`` and ``POST /query``).

    ``{"query": {"id", "outlet", "date", "title", "words"}, "sources": [...], "matches": [...],
    "quotes": [...]}``: ``sources`` lists each source article (``id``, ``outlet``, ``date``,
    ``title``, ``url``, ``passages``, ``verbatim_words``, ``reworded_words``), most reused words
    first; ``matches`` and ``quotes`` are objects of the ``matches.jsonl`` and ``quotes.jsonl``
    formats of ``reprints scan``.
    """
    from .store import match_json, quote_json

    documents = {d.id: d for d in result.documents}
    query = documents.get(query_id)
    reuse: dict[str, list[int]] = {}
    for m in result.matches:
        source = m.b.doc if m.a.doc == query_id else m.a.doc
        counts = reuse.setdefault(source, [0, 0, 0])
        counts[0] += 1
        counts[1] += m.verbatim_words
        counts[2] += m.reworded_words
    sources = [
        {
            "id": doc_id,
            "outlet": documents[doc_id].outlet,
            "date": documents[doc_id].date,
            "title": documents[doc_id].title,
            "url": documents[doc_id].url,
            "passages": passages,
            "verbatim_words": verbatim,
            "reworded_words": reworded,
        }
        for doc_id, (passages, verbatim, reworded) in sorted(
            reuse.items(), key=lambda kv: (-(kv[1][1] + kv[1][2]), kv[0])
        )
    ]
    return {
        "query": {
            "id": query_id,
            "outlet": query.outlet if query else None,
            "date": query.date if query else None,
            "title": query.title if query else None,
            "words": len(tokenize(query.text)) if query else 0,
        },
        "sources": sources,
        "matches": [match_json(m, documents) for m in result.matches],
        "quotes": [quote_json(q, documents) for q in result.quotes],
    }


def _batches(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for doc in documents:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _chunks(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


__all__ = [
    "STORED_PARAMS",
    "AddReport",
    "Candidate",
    "Index",
    "IndexBusyError",
    "IndexStats",
    "content_hash",
    "content_words",
    "lookup_json",
    "one_blas_thread",
    "window_band_keys",
]


def _groups(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the distinct values of a sorted array, where each run starts, and its length."""
    if not len(sorted_values):
        empty = np.zeros(0, dtype=np.int64)
        return sorted_values[:0], empty, empty.copy()
    new = np.ones(len(sorted_values), dtype=bool)
    new[1:] = sorted_values[1:] != sorted_values[:-1]
    first = np.flatnonzero(new)
    return sorted_values[first], first, np.diff(np.append(first, len(sorted_values)))
