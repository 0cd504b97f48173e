"""MinHash signatures: bit-identical to datasketch's affine32 MinHash, in every code path."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from reprints.minhash import HAVE_NUMBA, MinHasher
from reprints.normalize import tokenize
from reprints.shingle import shingle_hashes, shingle_hashes_many, window_shingle_ranges

PATHS = [False, True] if HAVE_NUMBA else [False]
PINNED = 3740511270


def _datasketch(values, num_perm: int, seed: int) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=lambda v: v)
    if len(values):
        m.update_batch([int(v) for v in values])
    return m.hashvalues


@pytest.mark.parametrize("use_numba", PATHS)
def test_seed_article_signature_equals_datasketch(sample_texts, use_numba):
    text = sample_texts["004_dc875d24e25a1aad.txt"]
    shingles = shingle_hashes(tokenize(text), 5)
    hasher = MinHasher(128, 1, use_numba=use_numba)
    assert np.array_equal(hasher.sign(shingles), _datasketch(shingles, 128, 1))


@pytest.mark.parametrize("use_numba", PATHS)
def test_window_signatures_equal_datasketch_per_window(sample_texts, use_numba):
    tokens = tokenize(sample_texts["001_ea1662580eef0643.txt"])
    shingles = shingle_hashes(tokens, 5)
    starts, ends = window_shingle_ranges(len(tokens), 50, 25, 5)
    signatures = MinHasher(64, 7, use_numba=use_numba).sign_ranges(shingles, starts, ends)
    assert signatures.shape == (len(starts), 64)
    for k in (0, 1, len(starts) // 2, len(starts) - 1):
        assert np.array_equal(signatures[k], _datasketch(shingles[starts[k] : ends[k]], 64, 7))


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.integers(0, 2**32 - 1), max_size=60),
    num_perm=st.sampled_from([1, 16, 128]),
    seed=st.integers(0, 2**31),
    cuts=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), min_size=1, max_size=8),
)
def test_numpy_and_numba_paths_agree_with_datasketch(values, num_perm, seed, cuts):
    arr = np.asarray(values, dtype=np.uint32)
    starts = np.array([min(a, b, len(arr)) for a, b in cuts], dtype=np.int64)
    ends = np.array([min(max(a, b), len(arr)) for a, b in cuts], dtype=np.int64)
    expected = np.stack([_datasketch(arr[s:e], num_perm, seed) for s, e in zip(starts, ends, strict=True)])
    for use_numba in PATHS:
        got = MinHasher(num_perm, seed, use_numba=use_numba).sign_ranges(arr, starts, ends)
        assert np.array_equal(got, expected)


def test_shingle_hashes_are_stable_and_order_sensitive():
    a = shingle_hashes(tokenize("US choppers transferred 20 Daesh field commanders"), 3)
    b = shingle_hashes(tokenize("US CHOPPERS transferred 20 Daesh field commanders!"), 3)
    c = shingle_hashes(tokenize("choppers US transferred 20 Daesh field commanders"), 3)
    assert a.dtype == np.uint32 and len(a) == 5
    assert np.array_equal(a, b)  # folded: case and punctuation do not matter
    assert a[0] != c[0] and np.array_equal(a[2:], c[2:])
    # Pinned: the hash must not change between runs, platforms or versions.
    assert int(shingle_hashes(tokenize("the first such extraction"), 4)[0]) == PINNED


def test_batch_shingles_equal_per_text_shingles(sample_texts):
    tokens = [tokenize(t) for t in sample_texts.values()] + [tokenize("too short"), tokenize("")]
    values, offsets = shingle_hashes_many(tokens, 5)
    for k, tok in enumerate(tokens):
        assert np.array_equal(values[offsets[k] : offsets[k + 1]], shingle_hashes(tok, 5))


def test_text_shorter_than_a_shingle_has_no_shingles():
    assert len(shingle_hashes(tokenize("two words"), 5)) == 0
    assert np.array_equal(MinHasher(8).sign(np.zeros(0, dtype=np.uint32)), np.full(8, 2**32 - 1))
