"""Stable 32-bit hashes of word shingles (word k-grams), and the passage windows over them.

Each folded word is hashed with 64-bit FNV-1a over its UTF-8 bytes, finished with the
MurmurHash3 64-bit finaliser (a numba loop over the space-joined words, or plain Python), so
hashes are the same on every run and platform; Python's ``hash()`` is never used. A k-gram's hash is a polynomial
mix of its k word hashes in 64-bit arithmetic, finished with the MurmurHash3 64-bit
finaliser and cut to its high 32 bits. Everything past the word lookup is vectorised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from .normalize import Tokens, folded_words, tokenize

# Odd 64-bit multiplier of the polynomial k-gram mix (the golden-ratio constant).
_MIX = np.uint64(0x9E3779B97F4A7C15)
_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK64 = (1 << 64) - 1

try:  # numba hashes the joined words without a Python step per word
    import numba

    @numba.njit(cache=True, nogil=True)
    def _fnv_words(buffer, n_words):  # pragma: no cover - compiled
        out = np.empty(n_words, dtype=np.uint64)
        h = np.uint64(_FNV_OFFSET)
        k = 0
        for i in range(len(buffer)):
            c = buffer[i]
            if c == 32:
                if k < n_words:
                    out[k] = h
                k += 1
                h = np.uint64(_FNV_OFFSET)
            else:
                h = (h ^ np.uint64(c)) * np.uint64(_FNV_PRIME)
        if k < n_words:
            out[k] = h
        return out

    @numba.njit(cache=True, nogil=True)
    def fmix64_one(h):  # pragma: no cover - compiled
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xC4CEB9FE1A85EC53)
        return h ^ (h >> np.uint64(33))

    @numba.njit(cache=True, nogil=True)
    def _shingles_kernel(buffer, lengths, size):  # pragma: no cover - compiled
        # Word hashes (FNV-1a + fmix64) of the space-joined words of all texts, then each
        # text's k-grams (polynomial mix, fmix64, high 32 bits), never across two texts.
        n_words = 0
        for d in range(len(lengths)):
            n_words += lengths[d]
        words = _fnv_words(buffer, n_words)
        for k in range(n_words):
            words[k] = fmix64_one(words[k])
        return _kgrams_kernel(words, lengths, size)

    @numba.njit(cache=True, nogil=True)
    def _kgrams_kernel(words, lengths, size):  # pragma: no cover - compiled
        n_grams = 0
        for d in range(len(lengths)):
            n_grams += max(lengths[d] - size + 1, 0)
        out = np.empty(n_grams, dtype=np.uint32)
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        first = 0
        g = 0
        for d in range(len(lengths)):
            for s in range(first, first + lengths[d] - size + 1):
                acc = words[s]
                for j in range(1, size):
                    acc = acc * np.uint64(0x9E3779B97F4A7C15) + words[s + j]
                out[g] = np.uint32(fmix64_one(acc) >> np.uint64(32))
                g += 1
            first += lengths[d]
            offsets[d + 1] = g
        return out, offsets

    @numba.njit(cache=True, nogil=True)
    def _hash_words(codes, n_words, prefix, utf8):  # pragma: no cover - compiled
        # Per word (a run of non-spaces): FNV-1a + fmix64 of its bytes, of the bytes of its
        # first `prefix` characters, and its character count. `codes` are UTF-8 bytes when
        # `utf8` (a lead byte starts a character), else code points, which are the UTF-8
        # bytes when ASCII (the other words are patched by the caller).
        full = np.zeros(n_words, dtype=np.uint64)
        head = np.zeros(n_words, dtype=np.uint64)
        chars = np.zeros(n_words, dtype=np.int64)
        h = np.uint64(_FNV_OFFSET)
        hp = np.uint64(_FNV_OFFSET)
        nc = 0
        k = 0
        for i in range(len(codes) + 1):
            c = codes[i] if i < len(codes) else 32
            if c == 32:
                if nc > 0:
                    if k < n_words:
                        full[k] = fmix64_one(h)
                        head[k] = fmix64_one(hp)
                        chars[k] = nc
                    k += 1
                    h = np.uint64(_FNV_OFFSET)
                    hp = np.uint64(_FNV_OFFSET)
                    nc = 0
            else:
                if not utf8 or (c & 0xC0) != 0x80:
                    nc += 1
                h = (h ^ np.uint64(c)) * np.uint64(_FNV_PRIME)
                if nc <= prefix:
                    hp = (hp ^ np.uint64(c)) * np.uint64(_FNV_PRIME)
        return full, head, chars

except ImportError:  # pragma: no cover - exercised only without numba
    _hash_words = None  # type: ignore[assignment]
    fmix64_one = None  # type: ignore[assignment]
    _fnv_words = None  # type: ignore[assignment]
    _shingles_kernel = None  # type: ignore[assignment]
    _kgrams_kernel = None  # type: ignore[assignment]


def word_hash(word: str) -> int:
    """Return the stable 64-bit hash of one folded word: FNV-1a over UTF-8, then fmix64."""
    h = _FNV_OFFSET
    for byte in word.encode("utf-8"):
        h = ((h ^ byte) * _FNV_PRIME) & _MASK64
    return int(_fmix64(np.array([h], dtype=np.uint64))[0])


def word_hashes(words: Sequence[str]) -> np.ndarray:
    """Return the uint64 hash of each word (``word_hash``), in order.

    Words are folded tokens, which never contain a space, so the batch is hashed as one
    space-joined UTF-8 buffer.
    """
    if not len(words):
        return np.zeros(0, dtype=np.uint64)
    if _fnv_words is None:
        return np.array([word_hash(w) for w in words], dtype=np.uint64)
    buffer = np.frombuffer(" ".join(words).encode("utf-8"), dtype=np.uint8)
    return _fmix64(_fnv_words(buffer, len(words)))


def word_hashes_with_prefix(words: Sequence[str], prefix: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return, per word, ``word_hash(w)``, ``word_hash(w[:prefix])`` and ``len(w)``, in order."""
    n = len(words)
    if not n:
        empty = np.zeros(0, dtype=np.uint64)
        return empty, empty.copy(), np.zeros(0, dtype=np.int64)
    if _hash_words is None:
        return (
            word_hashes(words),
            word_hashes([w[:prefix] for w in words]),
            np.fromiter(map(len, words), dtype=np.int64, count=n),
        )
    buffer = np.frombuffer(" ".join(words).encode("utf-8"), dtype=np.uint8)
    return _hash_words(buffer, n, prefix, True)


def text_word_hashes(texts: Sequence[str], prefix: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``word_hashes_with_prefix`` of the words of all ``texts``, and each text's word count.

    The same values as tokenising each text and hashing its ``norms``, without making a
    string per word: the tokenizer's folded code points are hashed directly, and only words
    with non-ASCII letters (and texts the fast path cannot take) go through ``fold``.
    """
    lengths = np.zeros(len(texts), dtype=np.int64)
    if _hash_words is None:
        tokens = [tokenize(t) for t in texts]
        lengths[:] = [len(t) for t in tokens]
        full, head, chars = word_hashes_with_prefix([w for t in tokens for w in t.norms], prefix)
        return full, head, chars, lengths
    arrays: list[np.ndarray] = []
    odd_at: list[np.ndarray] = []
    odd_norms: list[str] = []
    space = np.full(1, 32, dtype=np.uint32)
    first = 0
    for i, text in enumerate(texts):
        words = folded_words(text)
        if words is None:  # every word of this text is patched from tokenize's norms
            norms = tokenize(text).norms
            n = len(norms)
            arrays.append(np.full(n, ord("x"), dtype=np.uint32).repeat(2)[: max(2 * n - 1, 0)])
            arrays[-1][1::2] = 32
            odd_at.append(first + np.arange(n))
            odd_norms.extend(norms)
        else:
            n = len(words)
            arrays.append(words.folded)
            odd = np.flatnonzero(words.odd)
            odd_at.append(first + odd)
            odd_norms.extend(words.norm(k) for k in odd.tolist())
        arrays.append(space)
        lengths[i] = n
        first += n
    codes = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.uint32)
    full, head, chars = _hash_words(codes, first, prefix, False)
    if odd_norms:
        at = np.concatenate(odd_at)
        full[at], head[at], chars[at] = word_hashes_with_prefix(odd_norms, prefix)
    return full, head, chars, lengths


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def kgram_hashes(hashes: np.ndarray, size: int) -> np.ndarray:
    """Combine per-word uint64 hashes into one uint32 hash per k-gram of ``size`` words.

    Returns ``len(hashes) - size + 1`` values (none when there are fewer words than ``size``).
    """
    n = len(hashes) - size + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint32)
    with np.errstate(over="ignore"):
        acc = hashes[:n].copy()
        for i in range(1, size):
            acc *= _MIX
            acc += hashes[i : i + n]
        return (_fmix64(acc) >> np.uint64(32)).astype(np.uint32)


def shingle_hashes(tokens: Tokens, size: int) -> np.ndarray:
    """Return one stable uint32 hash per word k-gram of ``tokens`` (k = ``size``), in order.

    Shingle ``i`` covers tokens ``[i, i + size)``; a text shorter than ``size`` words has none.
    """
    return kgram_hashes(word_hashes(tokens.norms), size)


def shingle_hashes_many(docs_tokens: Sequence[Tokens], size: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the shingle hashes of many texts at once: (values, offsets), text i's in ``values[offsets[i]:offsets[i+1]]``.

    Same values as ``shingle_hashes`` per text; one word lookup and one k-gram pass for the
    whole batch instead of one per text.
    """
    lengths = np.fromiter((len(t) for t in docs_tokens), dtype=np.int64, count=len(docs_tokens))
    if _shingles_kernel is None:
        hashes = word_hashes([w for tokens in docs_tokens for w in tokens.norms])
        return kgram_hashes_many(hashes, lengths, size)
    joined = " ".join(" ".join(t.norms) for t in docs_tokens if len(t))
    return _shingles_kernel(np.frombuffer(joined.encode("utf-8"), dtype=np.uint8), lengths, size)


def kgram_hashes_many(hashes: np.ndarray, lengths: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """k-gram hashes of concatenated texts, dropping the k-grams that cross a text boundary."""
    if _kgrams_kernel is not None:
        return _kgrams_kernel(np.ascontiguousarray(hashes, dtype=np.uint64), lengths.astype(np.int64), size)
    all_grams = kgram_hashes(hashes, size)
    n_grams = np.maximum(lengths - size + 1, 0)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(n_grams, out=offsets[1:])
    word_starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=word_starts[1:])
    # k-gram g of text i starts at word word_starts[i] + g in the concatenation.
    index = np.repeat(word_starts - offsets[:-1], n_grams) + np.arange(offsets[-1])
    return all_grams[index] if len(index) else np.zeros(0, dtype=np.uint32), offsets


def window_starts(n_words: int, window: int, stride: int) -> np.ndarray:
    """Return the first word of each passage window of a text of ``n_words`` words.

    Windows of ``window`` words start every ``stride`` words; the last window is moved back so
    it ends at the last word, so the tail of a text is always covered. A text shorter than one
    window is one window.
    """
    if n_words <= window:
        return np.zeros(1 if n_words > 0 else 0, dtype=np.int64)
    starts = np.arange(0, n_words - window + 1, stride, dtype=np.int64)
    if starts[-1] + window < n_words:
        starts = np.append(starts, n_words - window)
    return starts


def window_shingle_ranges(
    n_words: int, window: int, stride: int, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``[first, last)`` shingle indices of each passage window (see ``window_starts``).

    A text with fewer than ``size`` words has no shingles and so no windows.
    """
    n_shingles = n_words - size + 1
    if n_shingles <= 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy()
    starts = window_starts(n_words, window, stride)
    ends = np.minimum(starts + window - size + 1, n_shingles)
    return starts, ends


def concat_shingles(per_doc: Iterable[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate per-document shingle arrays; return (values, offsets) with offsets[i] the start of doc i."""
    arrays = list(per_doc)
    offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
    np.cumsum([len(a) for a in arrays], out=offsets[1:])
    values = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.uint32)
    return values.astype(np.uint32, copy=False), offsets
