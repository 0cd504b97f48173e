"""A numpy LSH band index: the candidates of datasketch's ``MinHashLSH``, from sorted band keys.

A signature of ``bands * rows`` values is cut into ``bands`` bands of ``rows`` values; each band
becomes one 64-bit key. Two items are candidates when they share the key of at least one
band, exactly as in ``MinHashLSH(num_perm, params=(bands, rows))``. Instead of hash tables,
the keys of each band are sorted and equal runs are buckets, which is far faster and smaller
in numpy. Buckets holding more than ``max_bucket`` items are stock text (datelines, footers,
formulaic sentences) and are skipped, which datasketch does not do.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .errors import ParameterError

_MIX = np.uint64(0x9E3779B97F4A7C15)


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def sorted_unique(values: np.ndarray, *, counts: bool = False, inverse: bool = False, overwrite: bool = False):
    """Return the sorted distinct values, and optionally their counts and each value's position.

    Like ``np.unique``, by sorting: numpy 2.4's hash-based ``np.unique`` takes seconds on a
    few million integers (about 100x slower than sorting them). With ``overwrite`` (and no
    ``inverse``), ``values`` (an array the caller no longer needs) is sorted in place
    instead of copied.
    """
    values = np.asarray(values)
    order = np.argsort(values, kind="stable") if inverse else None
    if inverse:
        sorted_values = values[order]
    elif overwrite:
        values.sort()
        sorted_values = values
    else:
        sorted_values = np.sort(values)
    if counts and not inverse and _runs_kernel is not None and sorted_values.dtype.kind in "iu":
        return _runs_kernel(sorted_values)  # one pass instead of numpy's five
    new = np.empty(len(sorted_values), dtype=bool)
    if len(new):
        new[0] = True
        np.not_equal(sorted_values[1:], sorted_values[:-1], out=new[1:])
    out = [sorted_values[new]]
    if counts:
        starts = np.flatnonzero(new)
        out.append(np.diff(np.append(starts, len(sorted_values))))
    if inverse:
        inv = np.empty(len(values), dtype=np.int64)
        inv[order] = np.cumsum(new) - 1
        out.append(inv)
    return out[0] if len(out) == 1 else tuple(out)


def band_keys(signatures: np.ndarray, bands: int) -> np.ndarray:
    """Return the uint64 key of each band of each signature, shape (items, bands).

    Equal band values always give equal keys; different values collide with probability
    about 2**-64 per pair, so buckets match datasketch's (which keys on the raw bytes).
    """
    signatures = np.asarray(signatures)
    if signatures.ndim != 2 or signatures.shape[1] % bands:
        raise ParameterError(
            f"signatures of shape {signatures.shape} cannot be cut into {bands} bands; "
            f"num_perm must be a multiple of bands"
        )
    rows = signatures.shape[1] // bands
    if _band_keys_kernel is not None and len(signatures):
        return _band_keys_kernel(np.ascontiguousarray(signatures, dtype=np.uint32), bands, rows)
    cut = signatures.reshape(len(signatures), bands, rows).astype(np.uint64)
    with np.errstate(over="ignore"):
        acc = cut[:, :, 0].copy()
        for r in range(1, rows):
            acc = _fmix64(acc * _MIX + cut[:, :, r])
        return _fmix64(acc + np.uint64(rows))


def bucket_pairs(
    keys: np.ndarray,
    *,
    groups: np.ndarray | None = None,
    max_bucket: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the item pairs ``(i, j)``, i < j, that share a key in one band's ``keys``.

    ``groups`` (e.g. the document of each window) drops pairs inside one group. Buckets with
    more than ``max_bucket`` items yield nothing. Pairs may repeat only across bands, never
    within one call.
    """
    keys = np.asarray(keys, dtype=np.uint64)
    n = len(keys)
    empty = np.zeros(0, dtype=np.int64)
    if n < 2:
        return empty, empty.copy()
    order = np.argsort(keys)
    sorted_keys = keys[order]
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, n))
    keep = sizes >= 2
    if max_bucket is not None:
        keep &= sizes <= max_bucket
    if not keep.any():
        return empty, empty.copy()
    starts, sizes = starts[keep], sizes[keep]
    # Every position of a kept bucket pairs with each later position of the same bucket:
    # position p of a bucket of size s contributes s - 1 - p pairs, generated in one go.
    pos = np.repeat(starts, sizes) + (np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes))
    later = np.repeat(starts + sizes, sizes) - pos - 1
    first = np.repeat(pos, later)
    run_starts = np.cumsum(later) - later
    second = first + 1 + (np.arange(len(first)) - np.repeat(run_starts, later))
    i, j = order[first], order[second]
    if groups is not None:
        differ = groups[i] != groups[j]
        i, j = i[differ], j[differ]
    return np.minimum(i, j).astype(np.int64), np.maximum(i, j).astype(np.int64)


def pair_codes(
    keys: np.ndarray,
    ids: np.ndarray,
    *,
    groups: np.ndarray | None = None,
    max_bucket: int | None = None,
    distinct_ids: bool = False,
) -> np.ndarray:
    """Return the id pairs of items sharing a key as sorted distinct codes ``lo * 2**32 + hi``.

    Item ``k`` has id ``ids[k]`` (ids below 2**32; the same id may appear more than once);
    pairs of one id, or of one group, are left out, as are buckets over ``max_bucket`` items.
    The set of codes is ``bucket_pairs``' pairs mapped to ids; a numba kernel writes them in
    one pass when numba is installed. With ``distinct_ids`` (the caller's promise that no id
    repeats, so no pair can come twice) the codes are the same set, in no set order: for a
    caller that sorts them together with others anyway.
    """
    keys = np.asarray(keys)
    ids = np.asarray(ids, dtype=np.int64)
    if _pair_codes_kernel is None or len(keys) < 2:
        i, j = bucket_pairs(keys, groups=groups, max_bucket=max_bucket)
        wi, wj = ids[i], ids[j]
        codes = (np.minimum(wi, wj) << 32) | np.maximum(wi, wj)
        return sorted_unique(codes[wi != wj], overwrite=True)
    order = np.argsort(keys)
    grp = np.zeros(len(keys), dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)[order]
    limit = len(keys) if max_bucket is None else max_bucket
    codes = _pair_codes_kernel(keys[order], ids[order], grp, groups is not None, limit)
    return codes if distinct_ids else sorted_unique(codes, overwrite=True)


def block_segments(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the items in block order, and each range of that order that is bucketed apart: (order, g, lo, hi).

    An item of block ``d`` meets the items of blocks ``d - 1``, ``d`` and ``d + 1``: range
    ``g`` holds the items of blocks ``g - 1`` and ``g``, for every ``g`` that is a block or
    one after a block (so a block next to no other is also bucketed alone).
    """
    blocks = np.asarray(blocks, dtype=np.int64)
    sorted_already = len(blocks) < 2 or bool((blocks[1:] >= blocks[:-1]).all())
    order = np.arange(len(blocks), dtype=np.int64) if sorted_already else np.argsort(blocks, kind="stable")
    ordered = blocks[order]
    first = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    present = ordered[first]
    groups = np.union1d(present, present + 1)
    lo = np.searchsorted(ordered, groups - 1, side="left")
    hi = np.searchsorted(ordered, groups, side="right")
    return order, groups, lo.astype(np.int64), hi.astype(np.int64)


def block_pair_codes(
    keys: np.ndarray,
    ids: np.ndarray,
    blocks: np.ndarray,
    *,
    groups: np.ndarray | None = None,
    max_bucket: int | None = None,
) -> np.ndarray:
    """Return the id pairs sharing a key whose blocks differ by at most one, as sorted codes.

    The same codes as ``pair_codes`` over every item salted with its own block and again
    with the next one (``candidates.band_items``), bucket sizes included, but each range of
    two neighbouring blocks is sorted on its own: the work grows with the items, not with
    ``n log n`` of the whole corpus, and each sort fits in cache.
    """
    keys = np.asarray(keys)
    ids = np.asarray(ids, dtype=np.int64)
    order, _groups, lo, hi = block_segments(blocks)
    limit = len(keys) if max_bucket is None else max_bucket
    parts = []
    for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
        if b - a < 2:
            continue
        part = order[a:b]
        segment = keys[part]
        # numpy's argsort (vectorised) beats numba's several times over on these sizes.
        by_key = np.argsort(segment)
        part = part[by_key]
        if _pair_codes_kernel is not None:
            grp = np.zeros(len(part), dtype=np.int64) if groups is None else np.asarray(groups[part], dtype=np.int64)
            parts.append(_pair_codes_kernel(segment[by_key], ids[part], grp, groups is not None, limit))
            continue
        i, j = bucket_pairs(keys[part], groups=None if groups is None else groups[part], max_bucket=max_bucket)
        wi, wj = ids[part][i], ids[part][j]
        parts.append(((np.minimum(wi, wj) << 32) | np.maximum(wi, wj))[wi != wj])
    return sorted_unique(np.concatenate(parts), overwrite=True) if parts else np.zeros(0, dtype=np.int64)


try:  # numba writes the pairs of each bucket directly; the numpy path gives the same codes
    import numba

    from .shingle import fmix64_one  # the one fmix64 of the project's kernels

    @numba.njit(cache=True, nogil=True)
    def _pair_codes_kernel(sorted_keys, sorted_ids, sorted_groups, use_groups, max_bucket):  # pragma: no cover
        n = len(sorted_keys)
        out = np.empty(1024, dtype=np.int64)
        count = 0
        s = 0
        while s < n:
            e = s + 1
            while e < n and sorted_keys[e] == sorted_keys[s]:
                e += 1
            if 2 <= e - s <= max_bucket:
                for p in range(s, e):
                    for q in range(p + 1, e):
                        if use_groups and sorted_groups[p] == sorted_groups[q]:
                            continue
                        a, b = sorted_ids[p], sorted_ids[q]
                        if a == b:
                            continue
                        if count == len(out):
                            grown = np.empty(2 * len(out), dtype=np.int64)
                            grown[:count] = out
                            out = grown
                        out[count] = (min(a, b) << 32) | max(a, b)
                        count += 1
            s = e
        return out[:count].copy()

    @numba.njit(cache=True, nogil=True)
    def _band_keys_kernel(signatures, bands, rows):  # pragma: no cover - compiled
        # band_keys' numpy arithmetic, one key at a time.
        out = np.empty((signatures.shape[0], bands), dtype=np.uint64)
        for i in range(signatures.shape[0]):
            for band in range(bands):
                acc = np.uint64(signatures[i, band * rows])
                for r in range(1, rows):
                    acc = fmix64_one(acc * np.uint64(0x9E3779B97F4A7C15) + np.uint64(signatures[i, band * rows + r]))
                out[i, band] = fmix64_one(acc + np.uint64(rows))
        return out

    @numba.njit(cache=True, nogil=True)
    def _runs_kernel(sorted_values):  # pragma: no cover - compiled
        # the distinct values of a sorted array and the length of each one's run
        n = sorted_values.size
        distinct = 0
        for i in range(n):
            if i == 0 or sorted_values[i] != sorted_values[i - 1]:
                distinct += 1
        values = np.empty(distinct, dtype=sorted_values.dtype)
        counts = np.zeros(distinct, dtype=np.int64)
        k = -1
        for i in range(n):
            if i == 0 or sorted_values[i] != sorted_values[i - 1]:
                k += 1
                values[k] = sorted_values[i]
            counts[k] += 1
        return values, counts

except ImportError:  # pragma: no cover - exercised only without numba
    _pair_codes_kernel = None  # type: ignore[assignment]
    _band_keys_kernel = None  # type: ignore[assignment]
    _runs_kernel = None  # type: ignore[assignment]


def iter_band_pairs(
    keys: np.ndarray,
    *,
    groups: np.ndarray | None = None,
    max_bucket: int | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield the candidate pairs of each band of ``keys`` (shape (items, bands)), band by band."""
    keys = np.asarray(keys)
    for band in range(keys.shape[1]):
        yield bucket_pairs(np.ascontiguousarray(keys[:, band]), groups=groups, max_bucket=max_bucket)


def candidate_pairs(
    keys: np.ndarray,
    *,
    groups: np.ndarray | None = None,
    max_bucket: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return unique item pairs ``(i, j)``, i < j, sharing at least one band, and in how many bands.

    Sorted by (i, j). With ``max_bucket=None`` and no ``groups`` these are exactly the pairs
    that datasketch's ``MinHashLSH`` with the same bands and rows would return.
    """
    keys = np.asarray(keys)
    ids = np.arange(len(keys), dtype=np.int64)
    codes = [
        pair_codes(np.ascontiguousarray(keys[:, band]), ids, groups=groups, max_bucket=max_bucket)
        for band in range(keys.shape[1])
    ]
    if not codes:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), empty.copy()
    unique, counts = sorted_unique(np.concatenate(codes), counts=True, overwrite=True)
    return unique >> 32, unique & 0xFFFFFFFF, counts.astype(np.int64)
