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

from .normalize import Tokens

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
                out[k] = h
                k += 1
                h = np.uint64(_FNV_OFFSET)
            else:
                h = (h ^ np.uint64(c)) * np.uint64(_FNV_PRIME)
        if k < n_words:
            out[k] = h
        return out

    @numba.njit(cache=True, nogil=True)
    def _fnv_words_prefix(buffer, n_words, prefix):  # pragma: no cover - compiled
        # Per space-separated word: FNV-1a of all its bytes, of the bytes of its first
        # `prefix` characters (UTF-8 lead bytes start a character), and its character count.
        full = np.empty(n_words, dtype=np.uint64)
        head = np.empty(n_words, dtype=np.uint64)
        chars = np.empty(n_words, dtype=np.int64)
        h = np.uint64(_FNV_OFFSET)
        hp = np.uint64(_FNV_OFFSET)
        nc = 0
        k = 0
        for i in range(len(buffer)):
            c = buffer[i]
            if c == 32:
                full[k] = h
                head[k] = hp
                chars[k] = nc
                k += 1
                h = np.uint64(_FNV_OFFSET)
                hp = np.uint64(_FNV_OFFSET)
                nc = 0
            else:
                if (c & 0xC0) != 0x80:
                    nc += 1
                h = (h ^ np.uint64(c)) * np.uint64(_FNV_PRIME)
                if nc <= prefix:
                    hp = (hp ^ np.uint64(c)) * np.uint64(_FNV_PRIME)
        if k < n_words:
            full[k] = h
            head[k] = hp
            chars[k] = nc
        return full, head, chars

except ImportError:  # pragma: no cover - exercised only without numba
    _fnv_words = None  # type: ignore[assignment]
    _fnv_words_prefix = None  # type: ignore[assignment]


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
    if _fnv_words_prefix is None:
        return (
            word_hashes(words),
            word_hashes([w[:prefix] for w in words]),
            np.fromiter(map(len, words), dtype=np.int64, count=n),
        )
    buffer = np.frombuffer(" ".join(words).encode("utf-8"), dtype=np.uint8)
    full, head, chars = _fnv_words_prefix(buffer, n, prefix)
    return _fmix64(full), _fmix64(head), chars


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
    if _fnv_words is None:
        hashes = word_hashes([w for tokens in docs_tokens for w in tokens.norms])
    else:
        joined = " ".join(" ".join(t.norms) for t in docs_tokens if len(t))
        buffer = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)
        total = int(lengths.sum())
        hashes = _fmix64(_fnv_words(buffer, total)) if total else np.zeros(0, dtype=np.uint64)
    return kgram_hashes_many(hashes, lengths, size)


def kgram_hashes_many(hashes: np.ndarray, lengths: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """k-gram hashes of concatenated texts, dropping the k-grams that cross a text boundary."""
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
