"""TF-IDF of sentences, fitted once per corpus and shared by every document pair.

A sentence's terms are its content words (folded tokens from :func:`normalize.tokenize`,
English function words left out) and its word bigrams that hold at least one content word.
The IDF is learnt from the corpus's sentences, so words every article uses weigh little and
the names, numbers and places of one story weigh much. Two matrices come out per batch of
sentences: L2-normalised TF-IDF rows (for cosine similarity) and IDF-weighted binary rows of
content words (for how much of one sentence's content the other carries).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer
from sklearn.preprocessing import normalize

from .normalize import VOCABULARY, word_ids

# Function words carry no evidence of reuse; sklearn's list plus the clitics our tokenizer
# keeps inside words ("it's", "don't") and a few reporting fillers every article uses.
FUNCTION_WORDS = frozenset(ENGLISH_STOP_WORDS) | frozenset(
    ["it's", "that's", "he's", "she's", "they're", "we're", "i'm", "don't", "didn't", "doesn't", "isn't", "wasn't", "won't", "can't", "s", "t", "also", "just", "said", "says", "told", "would", "could"]
)


def sentence_terms(norms: Sequence[str]) -> list[str]:
    """Return the terms of one sentence: content words and bigrams touching one."""
    content = [w not in FUNCTION_WORDS for w in norms]
    terms = [w for w, c in zip(norms, content, strict=False) if c]
    terms.extend(
        f"{norms[k]} {norms[k + 1]}"
        for k in range(len(norms) - 1)
        if content[k] or content[k + 1]
    )
    return terms


def sentence_trigrams(norms: Sequence[str]) -> list[str]:
    """Return the word trigrams of one sentence that hold at least one content word."""
    return [
        f"{norms[k]} {norms[k + 1]} {norms[k + 2]}"
        for k in range(len(norms) - 2)
        if not (
            norms[k] in FUNCTION_WORDS
            and norms[k + 1] in FUNCTION_WORDS
            and norms[k + 2] in FUNCTION_WORDS
        )
    ]


def _identity(terms: list[str]) -> list[str]:
    return terms


# Trigram counts only ever meet within one pair of documents, so hashing them (murmurhash:
# stable across runs and platforms) is as good as a vocabulary and needs no fitting.
_TRIGRAMS = HashingVectorizer(
    analyzer=_identity, n_features=1 << 22, alternate_sign=False, norm=None, binary=True,
    dtype=np.float32,
)


# Above this many cells a dense block costs more memory than a sparse product saves time.
_DENSE_CELLS = 4_000_000


def _dense(block: sp.csr_matrix, columns: np.ndarray) -> np.ndarray:
    out = np.zeros((block.shape[0], len(columns)), dtype=np.float32)
    row_of = np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))
    out[row_of, np.searchsorted(columns, block.indices)] = block.data
    return out


def pair_product(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
    """Return the dense ``a @ b.T`` of two small row blocks of one corpus-wide matrix.

    Both blocks are re-indexed onto the columns either uses first: a product over the
    corpus-wide column space would pay for every column (millions of hashed terms) on each
    document pair. Small blocks are multiplied densely (no sparse-matrix overhead).
    """
    columns = np.union1d(a.indices, b.indices)
    width = max(len(columns), 1)
    if (a.shape[0] + b.shape[0]) * width <= _DENSE_CELLS:
        return _dense(a, columns) @ _dense(b, columns).T
    a_local = sp.csr_matrix(
        (a.data, np.searchsorted(columns, a.indices), a.indptr), shape=(a.shape[0], width)
    )
    b_local = sp.csr_matrix(
        (b.data, np.searchsorted(columns, b.indices), b.indptr), shape=(b.shape[0], width)
    )
    return (a_local @ b_local.T).toarray()


@dataclass(frozen=True)
class SentenceVectors:
    """TF-IDF rows (L2-normalised) and IDF-weighted content-word rows, one per sentence."""

    tfidf: sp.csr_matrix
    content: sp.csr_matrix
    """Binary content-word indicators times IDF: ``content @ content_binary.T`` sums shared IDF."""
    mass: np.ndarray
    """Row sums of ``content``: the IDF mass of each sentence's content words."""
    trigrams: sp.csr_matrix
    """Binary hashed word trigrams: ``trigrams @ trigrams.T`` counts shared trigrams."""
    words: np.ndarray
    """Number of words of each sentence."""


UNIGRAM_BUCKETS = 1 << 20
BIGRAM_BUCKETS = 1 << 21
_UNIGRAMS = HashingVectorizer(
    analyzer=_identity, n_features=UNIGRAM_BUCKETS, alternate_sign=False, norm=None,
    dtype=np.float32,
)
_BIGRAMS = HashingVectorizer(
    analyzer=_identity, n_features=BIGRAM_BUCKETS, alternate_sign=False, norm=None,
    dtype=np.float32,
)
_FIT_BATCH = 20_000


def _term_counts(sentences: Sequence[Sequence[str]], ids: _WordIds | None = None) -> sp.csr_matrix:
    """Hashed term counts: content-word columns first, then bigram columns.

    ``ids`` are ``_WORDS.word_ids(sentences)`` when the caller has them.
    """
    if _term_kernel is not None and len(sentences):
        return _hashed_terms(sentences, trigrams=False, ids=ids)
    return _vectorizer_term_counts(sentences)


def _vectorizer_term_counts(sentences: Sequence[Sequence[str]]) -> sp.csr_matrix:
    """:func:`_term_counts` with scikit-learn's ``HashingVectorizer`` (the reference; no numba)."""
    unigrams, bigrams = [], []
    for norms in sentences:
        terms = sentence_terms(norms)
        split = sum(1 for t in terms if " " not in t)
        unigrams.append(terms[:split])
        bigrams.append(terms[split:])
    return sp.hstack(
        [_UNIGRAMS.transform(unigrams), _BIGRAMS.transform(bigrams)], format="csr"
    )


def _trigram_matrix(sentences: Sequence[Sequence[str]], ids: _WordIds | None = None) -> sp.csr_matrix:
    """Binary hashed word trigrams of each sentence (see :func:`sentence_trigrams`)."""
    if _term_kernel is not None and len(sentences):
        return _hashed_terms(sentences, trigrams=True, ids=ids)
    return _TRIGRAMS.transform([sentence_trigrams(s) for s in sentences]).tocsr()


class _Words:
    """The UTF-8 bytes of every word of :data:`~reprints.normalize.VOCABULARY` (by its id)
    and whether it is a content word.

    Terms are hashed from these bytes (murmurhash3, as ``HashingVectorizer`` does), so no
    string is built per bigram or trigram. The byte, offset and content arrays grow by
    doubling, so a batch pays only for its new words, not for the whole vocabulary. Grows
    with the corpus vocabulary; a lock keeps it whole when threads share it.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._count = 0
        self._encoded = np.empty(1 << 16, dtype=np.uint8)
        self._offsets = np.zeros(1 << 12, dtype=np.int64)
        self._content = np.empty(1 << 12, dtype=bool)
        self._unencodable: set[int] = set()

    def word_ids(self, sentences: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Return the word ids of all ``sentences`` (concatenated) and each sentence's offset."""
        lengths = [len(norms) for norms in sentences]
        flat = word_ids(chain.from_iterable(sentences))
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return flat, offsets

    def arrays(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the words' bytes, their ``len + 1`` offsets and content flags (views),
        covering every word of ``ids``.

        Raises UnicodeEncodeError when one of ``ids`` is a word UTF-8 cannot encode (a lone
        surrogate), as ``HashingVectorizer`` does.
        """
        with self.lock:
            if self._count < len(VOCABULARY):
                self._cover(len(VOCABULARY))
            if self._unencodable and not self._unencodable.isdisjoint(ids.tolist()):
                bad = VOCABULARY.words[min(self._unencodable.intersection(ids.tolist()))]
                bad.encode("utf-8")  # raises
            n = self._count
            return self._encoded[: int(self._offsets[n])], self._offsets[: n + 1], self._content[:n]

    def _cover(self, n: int) -> None:
        """Add the bytes of vocabulary words ``[self._count, n)``."""
        words = VOCABULARY.words[self._count : n]
        encoded = []
        for k, word in enumerate(words, start=self._count):
            try:
                encoded.append(word.encode("utf-8"))
            except UnicodeEncodeError:
                self._unencodable.add(k)
                encoded.append(word.encode("utf-8", "surrogatepass"))
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        start = int(self._offsets[self._count])
        end = start + int(lengths.sum())
        if end > len(self._encoded):
            self._encoded = np.resize(self._encoded, max(2 * len(self._encoded), end))
        if n + 1 > len(self._offsets):
            size = max(2 * len(self._offsets), n + 1)
            self._offsets = np.resize(self._offsets, size)
            self._content = np.resize(self._content, size)
        self._encoded[start:end] = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        np.cumsum(lengths, out=self._offsets[self._count + 1 : n + 1])
        self._offsets[self._count + 1 : n + 1] += start
        self._content[self._count : n] = [word not in FUNCTION_WORDS for word in words]
        self._count = n


_WORDS = _Words()
_WordIds = tuple[np.ndarray, np.ndarray]
"""Word ids of sentences (concatenated) and each sentence's offset: ``_Words.word_ids``."""


def _hashed_terms(sentences: Sequence[Sequence[str]], *, trigrams: bool, ids: _WordIds | None = None) -> sp.csr_matrix:
    """The matrix of :func:`_vectorizer_term_counts` (or of binary trigrams) from word bytes, in numba."""
    flat, offsets = ids if ids is not None else _WORDS.word_ids(sentences)
    encoded, word_offsets, content = _WORDS.arrays(flat)
    rows, cols = _term_kernel(flat, offsets, encoded, word_offsets, content, UNIGRAM_BUCKETS, BIGRAM_BUCKETS,
                              _TRIGRAM_BUCKETS, trigrams)
    width = _TRIGRAM_BUCKETS if trigrams else UNIGRAM_BUCKETS + BIGRAM_BUCKETS
    matrix = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(sentences), width), dtype=np.float32
    )
    matrix.sum_duplicates()
    if trigrams:
        matrix.data.fill(1)
    return matrix


_TRIGRAM_BUCKETS = 1 << 22

try:  # numba hashes the terms; without it HashingVectorizer does (same matrices)
    import numba

    @numba.njit(cache=True, nogil=True, inline="always")
    def _rotl32(x, r):  # pragma: no cover - compiled
        return ((x << np.uint32(r)) | (x >> np.uint32(32 - r))) & np.uint32(0xFFFFFFFF)

    @numba.njit(cache=True, nogil=True)
    def _murmur3_column(buf, n, buckets):  # pragma: no cover - compiled
        # murmurhash3_x86_32, seed 0, and HashingVectorizer's column rule for its signed value.
        c1, c2 = np.uint32(0xCC9E2D51), np.uint32(0x1B873593)
        h = np.uint32(0)
        blocks = n // 4
        for b in range(blocks):
            k = (np.uint32(buf[4 * b]) | (np.uint32(buf[4 * b + 1]) << np.uint32(8))
                 | (np.uint32(buf[4 * b + 2]) << np.uint32(16)) | (np.uint32(buf[4 * b + 3]) << np.uint32(24)))
            k = np.uint32(k * c1)
            k = _rotl32(k, 15)
            k = np.uint32(k * c2)
            h ^= k
            h = _rotl32(h, 13)
            h = np.uint32(h * np.uint32(5) + np.uint32(0xE6546B64))
        k = np.uint32(0)
        tail = n & 3
        at = 4 * blocks
        if tail >= 3:
            k ^= np.uint32(buf[at + 2]) << np.uint32(16)
        if tail >= 2:
            k ^= np.uint32(buf[at + 1]) << np.uint32(8)
        if tail >= 1:
            k ^= np.uint32(buf[at])
            k = np.uint32(k * c1)
            k = _rotl32(k, 15)
            k = np.uint32(k * c2)
            h ^= k
        h ^= np.uint32(n)
        h ^= h >> np.uint32(16)
        h = np.uint32(h * np.uint32(0x85EBCA6B))
        h ^= h >> np.uint32(13)
        h = np.uint32(h * np.uint32(0xC2B2AE35))
        h ^= h >> np.uint32(16)
        signed = np.int64(h)
        if signed >= 2147483648:
            signed -= 4294967296
        if signed == -2147483648:
            return (2147483647 - (buckets - 1)) % buckets
        return abs(signed) % buckets

    @numba.njit(cache=True, nogil=True)
    def _term_kernel(ids, offsets, encoded, word_offsets, content, uni, bi, tri, trigrams):  # pragma: no cover
        n_sent = len(offsets) - 1
        total = 0
        for s in range(n_sent):
            total += 3 * (offsets[s + 1] - offsets[s])
        rows = np.empty(total, dtype=np.int64)
        cols = np.empty(total, dtype=np.int64)
        longest = 0
        for t in range(len(ids)):  # the words of these sentences only, not the vocabulary
            longest = max(longest, word_offsets[ids[t] + 1] - word_offsets[ids[t]])
        buf = np.empty(3 * longest + 2, dtype=np.uint8)
        count = 0
        for s in range(n_sent):
            lo, hi = offsets[s], offsets[s + 1]
            width = 3 if trigrams else 2
            if not trigrams:
                for t in range(lo, hi):
                    if content[ids[t]]:
                        w = ids[t]
                        m = word_offsets[w + 1] - word_offsets[w]
                        buf[:m] = encoded[word_offsets[w]:word_offsets[w + 1]]
                        rows[count] = s
                        cols[count] = _murmur3_column(buf, m, uni)
                        count += 1
            for t in range(lo, hi - width + 1):
                if trigrams:
                    if not (content[ids[t]] or content[ids[t + 1]] or content[ids[t + 2]]):
                        continue
                elif not (content[ids[t]] or content[ids[t + 1]]):
                    continue
                m = 0
                for g in range(width):
                    if g:
                        buf[m] = 32
                        m += 1
                    w = ids[t + g]
                    length = word_offsets[w + 1] - word_offsets[w]
                    buf[m:m + length] = encoded[word_offsets[w]:word_offsets[w + 1]]
                    m += length
                rows[count] = s
                cols[count] = _murmur3_column(buf, m, tri) if trigrams else uni + _murmur3_column(buf, m, bi)
                count += 1
        return rows[:count], cols[:count]

    @numba.njit(cache=True, nogil=True)
    def _count_once_per_row(rows, cols, df):  # pragma: no cover - compiled
        # df[c] += 1 for each distinct column c of each row (rows come sorted): the
        # bincount of the summed-up count matrix's indices, without building the matrix.
        start = 0
        while start < len(rows):
            end = start
            while end < len(rows) and rows[end] == rows[start]:
                end += 1
            seen = np.sort(cols[start:end])
            for k in range(len(seen)):
                if k == 0 or seen[k] != seen[k - 1]:
                    df[seen[k]] += 1
            start = end

    @numba.njit(cache=True, nogil=True)
    def _columns_kernel(data, count, buckets):  # pragma: no cover - compiled
        out = np.empty(count, dtype=np.int64)
        start = 0
        for t in range(count):
            end = start
            while end < len(data) and data[end] != 0:
                end += 1
            out[t] = _murmur3_column(data[start:end], end - start, buckets)
            start = end + 1
        return out

except ImportError:  # pragma: no cover - exercised only without numba
    _term_kernel = None  # type: ignore[assignment]
    _count_once_per_row = None  # type: ignore[assignment]
    _columns_kernel = None  # type: ignore[assignment]


def term_columns(terms: Sequence[str], buckets: int) -> np.ndarray:
    """Return the column of each term in a hashed space of ``buckets`` columns.

    As scikit-learn's ``HashingVectorizer`` places a term: ``|murmurhash3_32(term, seed=0)|
    mod buckets`` of the signed hash. One compiled pass over the terms' UTF-8 bytes; terms
    must not hold NUL (folded words never do).
    """
    if not terms:
        return np.zeros(0, dtype=np.int64)
    if _columns_kernel is None:
        from sklearn.utils import murmurhash3_32

        def column(h: int) -> int:
            return (2147483647 - (buckets - 1)) % buckets if h == -2147483648 else abs(h) % buckets

        return np.array([column(murmurhash3_32(t, seed=0)) for t in terms], dtype=np.int64)
    data = "\0".join(terms).encode("utf-8")
    return _columns_kernel(np.frombuffer(data, dtype=np.uint8), len(terms), buckets)


def sentence_word_ids(ids: Sequence[np.ndarray], ranges: Sequence[np.ndarray]) -> _WordIds:
    """Return the word ids of the sentences of many texts (concatenated) and each sentence's offset.

    ``ids[k]`` are text ``k``'s :func:`~reprints.normalize.word_ids` of its tokens and
    ``ranges[k]`` its sentences' ``[i, j)`` token ranges: the sentences' words are
    ``tokens.norms[i:j]``, in the order given.
    """
    n_sentences = [len(r) for r in ranges]
    if not sum(n_sentences):
        return np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64)
    first = np.cumsum([0] + [len(k) for k in ids[:-1]])
    spans = np.concatenate([np.asarray(r, dtype=np.int64).reshape(-1, 2) for r in ranges])
    spans += np.repeat(first, n_sentences)[:, None]
    lengths = spans[:, 1] - spans[:, 0]
    offsets = np.zeros(len(spans) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    at = np.arange(offsets[-1], dtype=np.int64) - np.repeat(offsets[:-1] - spans[:, 0], lengths)
    return np.concatenate(ids)[at], offsets


class SentenceFrequencies:
    """Count, a batch of sentences at a time, how many sentences hold each hashed term.

    Counts add up, so a corpus can be fed in any number of batches (a scan feeds each chunk
    of documents as it reads them) and :meth:`model` gives the same IDF as one ``fit``.
    """

    def __init__(self) -> None:
        self.df = np.zeros(UNIGRAM_BUCKETS + BIGRAM_BUCKETS, dtype=np.int64)
        self.sentences = 0

    def add(self, sentences: Sequence[Sequence[str]], ids: _WordIds | None = None) -> None:
        """Count the terms of ``sentences`` (folded tokens); each term once per sentence.

        ``ids`` are the sentences' word ids (:func:`sentence_word_ids`) when the caller has them.
        """
        if not len(sentences):
            return
        if _term_kernel is None:
            for at in range(0, len(sentences), _FIT_BATCH):
                counts = _vectorizer_term_counts(sentences[at : at + _FIT_BATCH])
                self.df += np.bincount(counts.indices, minlength=len(self.df))
        else:
            flat, offsets = ids if ids is not None else _WORDS.word_ids(sentences)
            encoded, word_offsets, content = _WORDS.arrays(flat)
            # a batch at a time: the kernel's scratch is 48 bytes a word
            for at in range(0, len(sentences), _FIT_BATCH):
                stop = min(len(sentences), at + _FIT_BATCH)
                lo, hi = int(offsets[at]), int(offsets[stop])
                rows, cols = _term_kernel(flat[lo:hi], offsets[at : stop + 1] - lo, encoded, word_offsets, content,
                                          UNIGRAM_BUCKETS, BIGRAM_BUCKETS, _TRIGRAM_BUCKETS, False)
                _count_once_per_row(rows, cols, self.df)
        self.sentences += len(sentences)

    def sparse(self) -> tuple[np.ndarray, np.ndarray, int]:
        """Return the counted terms, their sentence counts and the sentences counted (to ship)."""
        terms = np.flatnonzero(self.df)
        return terms, self.df[terms], self.sentences

    def add_sparse(self, terms: np.ndarray, counts: np.ndarray, sentences: int) -> None:
        """Add counts another :class:`SentenceFrequencies` gave by :meth:`sparse` (distinct terms)."""
        self.df[terms] += counts
        self.sentences += sentences

    def model(self) -> SentenceModel:
        """Return the IDF model of every sentence counted so far."""
        n = self.sentences
        idf = np.log((1.0 + n) / (1.0 + self.df)) + 1.0
        return SentenceModel(idf, n)


class SentenceModel:
    """IDF of hashed sentence terms, learnt once from a corpus's sentences.

    Terms are hashed (murmurhash, stable across runs and platforms) instead of kept in a
    vocabulary, so fitting streams over any number of sentences in constant memory and the
    model is two arrays that can be shipped to workers.
    """

    def __init__(self, idf: np.ndarray, sentences: int) -> None:
        self.idf = idf.astype(np.float32)
        self.sentences = sentences
        self._unigram_idf = self.idf.copy()
        self._unigram_idf[UNIGRAM_BUCKETS:] = 0.0

    @classmethod
    def fit(cls, sentences: Iterable[Sequence[str]]) -> SentenceModel:
        """Learn IDF (smoothed, as scikit-learn's) from sentences given as folded tokens."""
        counter = SentenceFrequencies()
        batch: list[Sequence[str]] = []
        for norms in sentences:
            batch.append(norms)
            if len(batch) >= _FIT_BATCH:
                counter.add(batch)
                batch = []
        counter.add(batch)
        return counter.model()

    def transform(self, sentences: Sequence[Sequence[str]]) -> SentenceVectors:
        """Vectorise sentences (folded token sequences) with the fitted IDF."""
        # the words' ids once, for the term counts and the trigrams both
        ids = _WORDS.word_ids(sentences) if _term_kernel is not None and len(sentences) else None
        counts = _term_counts(sentences, ids)
        tfidf = counts.copy()
        tfidf.data = (1.0 + np.log(tfidf.data)) * self.idf[tfidf.indices]
        tfidf = normalize(tfidf, norm="l2", copy=False).astype(np.float32)
        content = counts.copy()
        content.data = self._unigram_idf[content.indices]
        content.eliminate_zeros()
        mass = np.asarray(content.sum(axis=1)).ravel()
        trigrams = _trigram_matrix(sentences, ids)
        words = np.fromiter((len(s) for s in sentences), dtype=np.int64, count=len(sentences))
        return SentenceVectors(tfidf.tocsr(), content.tocsr(), mass, trigrams, words)


def rows(vectors: SentenceVectors, start: int, end: int) -> SentenceVectors:
    """Return the vectors of sentences ``[start, end)``."""
    return SentenceVectors(
        _row_slice(vectors.tfidf, start, end),
        _row_slice(vectors.content, start, end),
        vectors.mass[start:end],
        _row_slice(vectors.trigrams, start, end),
        vectors.words[start:end],
    )


def _row_slice(matrix: sp.csr_matrix, start: int, end: int) -> sp.csr_matrix:
    """Rows ``[start, end)`` of a CSR matrix as views of its arrays (what ``matrix[start:end]``
    gives, in about half the time: scipy's indexing checks more than a row range needs)."""
    lo, hi = matrix.indptr[start], matrix.indptr[end]
    return sp.csr_matrix(
        (matrix.data[lo:hi], matrix.indices[lo:hi], matrix.indptr[start : end + 1] - lo),
        shape=(end - start, matrix.shape[1]),
        copy=False,
    )
