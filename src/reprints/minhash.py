"""MinHash signatures in datasketch 2's ``affine32`` scheme, signed in batches.

For the same 32-bit input values, ``num_perm`` and ``seed``, a signature here is bit-identical
to ``datasketch.MinHash(num_perm, seed, hashfunc=<identity>)`` fed those values: each value is
pre-mixed with the MurmurHash3 32-bit finaliser, then permutation k maps it to
``a_k * h + b_k mod 2**32``, with ``(a, b)`` drawn from ``numpy.random.RandomState(seed)``
exactly as datasketch draws them. Batch signing computes the signatures of many ranges of
one value array at once (e.g. all passage windows of many documents). A numba kernel does it
when numba is installed; the pure-numpy path gives identical signatures.
"""

from __future__ import annotations

import numpy as np

from .errors import ParameterError

try:  # numba is optional: the numpy path gives the same signatures, only slower.
    import numba

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only without numba
    numba = None  # type: ignore[assignment]
    HAVE_NUMBA = False

EMPTY = np.uint32(0xFFFFFFFF)
"""Signature value of an empty set (datasketch's sentinel for ``affine32``)."""

# Values signed per numpy step: bounds the (values x num_perm) scratch matrix to ~32 MB.
_NUMPY_CHUNK = 1 << 16


def fmix32(values: np.ndarray) -> np.ndarray:
    """Apply the MurmurHash3 32-bit finaliser (datasketch's ``affine32`` pre-mix)."""
    h = values.astype(np.uint32, copy=True)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def affine32_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return datasketch's ``affine32`` permutation parameters ``(a, b)`` for ``seed``."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


class MinHasher:
    """Sign sets of 32-bit values with ``num_perm`` ``affine32`` permutations."""

    def __init__(self, num_perm: int = 128, seed: int = 1, *, use_numba: bool | None = None):
        if num_perm < 1:
            raise ParameterError(f"num_perm must be at least 1, got {num_perm}")
        self.num_perm = num_perm
        self.seed = seed
        self.a, self.b = affine32_permutations(num_perm, seed)
        self.use_numba = HAVE_NUMBA if use_numba is None else (use_numba and HAVE_NUMBA)

    def sign(self, values: np.ndarray) -> np.ndarray:
        """Return the uint32 signature of one set of values (all EMPTY for an empty set)."""
        values = np.asarray(values, dtype=np.uint32)
        ends = np.array([len(values)], dtype=np.int64)
        return self.sign_ranges(values, np.zeros(1, dtype=np.int64), ends)[0]

    def sign_ranges(
        self, values: np.ndarray, starts: np.ndarray, ends: np.ndarray, perms: slice | None = None
    ) -> np.ndarray:
        """Return one signature per range ``values[starts[i]:ends[i]]``, shape (ranges, perms).

        Ranges may overlap (passage windows do); each value is permuted once. An empty range
        gets the empty signature. ``perms`` picks a slice of the permutations (columns of the
        full signature), so bands can be signed a few at a time.
        """
        a, b = (self.a, self.b) if perms is None else (self.a[perms], self.b[perms])
        values = np.ascontiguousarray(values, dtype=np.uint32)
        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        if len(starts) != len(ends):
            raise ParameterError(f"{len(starts)} range starts but {len(ends)} range ends")
        if len(starts) == 0:
            return np.zeros((0, len(a)), dtype=np.uint32)
        if np.any(ends < starts) or starts.min() < 0 or ends.max() > len(values):
            raise ParameterError("ranges must satisfy 0 <= start <= end <= len(values)")
        if self.use_numba:
            return _sign_ranges_numba(values, starts, ends, a, b)
        return _sign_ranges_numpy(values, starts, ends, a, b)


def _sign_ranges_numpy(
    values: np.ndarray, starts: np.ndarray, ends: np.ndarray, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    bounds, blk_lo, blk_hi = _blocks(starts, ends)
    n_blocks = len(bounds) - 1
    block_min = np.full((max(n_blocks, 0), len(a)), EMPTY, dtype=np.uint32)
    mixed = fmix32(values)
    # Sign the blocks in groups whose values fit the scratch budget.
    k = 0
    while k < n_blocks:
        j = k + 1
        while j < n_blocks and bounds[j + 1] - bounds[k] <= _NUMPY_CHUNK:
            j += 1
        lo, hi = bounds[k], bounds[j]
        if hi > lo:
            phv = mixed[lo:hi, None] * a[None, :]
            phv += b[None, :]
            sizes = bounds[k + 1 : j + 1] - bounds[k:j]
            nonempty = sizes > 0
            idx = (bounds[k:j] - lo)[nonempty]
            block_min[k:j][nonempty] = np.minimum.reduceat(phv, idx, axis=0)
        k = j
    out = np.full((len(starts), len(a)), EMPTY, dtype=np.uint32)
    span = blk_hi - blk_lo
    for t in range(int(span.max(initial=0))):
        rows = np.nonzero(span > t)[0]
        out[rows] = np.minimum(out[rows], block_min[blk_lo[rows] + t])
    return out


def _blocks(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut the union of ranges at every range boundary; return bounds and each range's block span."""
    both = np.sort(np.concatenate([starts, ends]))
    bounds = both[np.append(True, both[1:] != both[:-1])] if len(both) else both
    blk_lo = np.searchsorted(bounds, starts)
    blk_hi = np.searchsorted(bounds, ends)
    return bounds, blk_lo, blk_hi


if HAVE_NUMBA:

    @numba.njit(cache=True, nogil=True)
    def _sign_kernel(mixed, bounds, blk_lo, blk_hi, a, b):  # pragma: no cover - compiled
        # `mixed` is already fmix32-ed. Three simple loops over the permutations, each on
        # uint32 arrays, are what LLVM vectorises best (np.uint32 wraps like datasketch's).
        n_blocks = len(bounds) - 1
        num_perm = len(a)
        block_min = np.empty((max(n_blocks, 0), num_perm), dtype=np.uint32)
        scratch = np.empty(num_perm, dtype=np.uint32)
        for k in range(n_blocks):
            row = block_min[k]
            row[:] = np.uint32(0xFFFFFFFF)
            for i in range(bounds[k], bounds[k + 1]):
                h = mixed[i]
                for p in range(num_perm):
                    scratch[p] = a[p] * h
                for p in range(num_perm):
                    scratch[p] += b[p]
                for p in range(num_perm):
                    if scratch[p] < row[p]:
                        row[p] = scratch[p]
        out = np.empty((len(blk_lo), num_perm), dtype=np.uint32)
        for r in range(len(blk_lo)):
            orow = out[r]
            orow[:] = np.uint32(0xFFFFFFFF)
            for k in range(blk_lo[r], blk_hi[r]):
                row = block_min[k]
                for p in range(num_perm):
                    if row[p] < orow[p]:
                        orow[p] = row[p]
        return out


def _sign_ranges_numba(values, starts, ends, a, b) -> np.ndarray:
    bounds, blk_lo, blk_hi = _blocks(starts, ends)
    return _sign_kernel(fmix32(values), bounds.astype(np.int64), blk_lo.astype(np.int64),
                        blk_hi.astype(np.int64), np.ascontiguousarray(a), np.ascontiguousarray(b))
