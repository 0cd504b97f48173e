"""The numpy band index yields exactly datasketch MinHashLSH's candidates."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from reprints import lsh
from reprints.minhash import MinHasher
from reprints.normalize import sentence_spans, tokenize
from reprints.shingle import shingle_hashes


def _datasketch_pairs(signatures: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    index = MinHashLSH(num_perm=signatures.shape[1], params=(bands, rows))
    sketches = [MinHash(num_perm=signatures.shape[1], hashvalues=s, scheme="affine32") for s in signatures]
    for k, m in enumerate(sketches):
        index.insert(k, m)
    return {(min(k, j), max(k, j)) for k, m in enumerate(sketches) for j in index.query(m) if j != k}


def _sentence_signatures(sample_texts) -> np.ndarray:
    """Signatures of every sentence of the seeds, 2-word shingles: many near-duplicates across seeds."""
    hasher = MinHasher(32, 1)
    sigs = []
    for text in sample_texts.values():
        for s, e in sentence_spans(text):
            shingles = shingle_hashes(tokenize(text[s:e]), 2)
            if len(shingles):
                sigs.append(hasher.sign(shingles))
    return np.stack(sigs)


def test_seed_sentence_candidates_equal_datasketch(sample_texts):
    signatures = _sentence_signatures(sample_texts)
    for bands, rows in ((16, 2), (8, 4), (32, 1)):
        i, j, _ = lsh.candidate_pairs(lsh.band_keys(signatures, bands))
        ours = set(zip(i.tolist(), j.tolist(), strict=True))
        assert ours == _datasketch_pairs(signatures, bands, rows)
        assert ours  # the seeds share sentences: the comparison is not vacuous


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(st.lists(st.integers(0, 3), min_size=8, max_size=8), min_size=2, max_size=25),
    bands=st.sampled_from([2, 4, 8]),
)
def test_small_alphabet_signatures_equal_datasketch(rows, bands):
    signatures = np.asarray(rows, dtype=np.uint32)
    i, j, counts = lsh.candidate_pairs(lsh.band_keys(signatures, bands))
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == _datasketch_pairs(signatures, bands, 8 // bands)
    cut = signatures.reshape(len(signatures), bands, -1)
    for a, b, c in zip(i, j, counts, strict=True):
        assert c == int((cut[a] == cut[b]).all(axis=1).sum())


def test_big_buckets_and_same_group_pairs_are_skipped():
    keys = np.array([[1], [1], [1], [2], [2], [3]], dtype=np.uint64)
    i, j, _ = lsh.candidate_pairs(keys, max_bucket=2)
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == [(3, 4)]
    groups = np.array([0, 0, 1, 2, 2, 3])
    i, j, _ = lsh.candidate_pairs(keys, groups=groups)
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 2), (1, 2)]


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(st.integers(0, 6), min_size=0, max_size=60),
    n_ids=st.integers(1, 30),
    n_groups=st.integers(1, 8),
    max_bucket=st.one_of(st.none(), st.integers(2, 10)),
)
def test_pair_codes_are_bucket_pairs_mapped_to_ids(keys, n_ids, n_groups, max_bucket):
    keys = np.asarray(keys, dtype=np.uint64)
    ids = np.arange(len(keys), dtype=np.int64) % n_ids  # an id may appear twice (date blocks)
    groups = ids % n_groups
    i, j = lsh.bucket_pairs(keys, groups=groups, max_bucket=max_bucket)
    want = {(min(a, b), max(a, b)) for a, b in zip(ids[i].tolist(), ids[j].tolist(), strict=True) if a != b}
    codes = lsh.pair_codes(keys, ids, groups=groups, max_bucket=max_bucket)
    assert codes.tolist() == sorted({(a << 32) | b for a, b in want})
    saved = lsh._pair_codes_kernel
    lsh._pair_codes_kernel = None  # the numpy path
    try:
        assert lsh.pair_codes(keys, ids, groups=groups, max_bucket=max_bucket).tolist() == codes.tolist()
    finally:
        lsh._pair_codes_kernel = saved


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.integers(-3, 3), st.integers(-(2**62), 2**62)), max_size=300))
def test_distinct_values_and_counts_are_numpys(values):
    array = np.asarray(values, dtype=np.int64)  # small values repeat: runs of equal values
    distinct, counts = lsh.sorted_unique(array, counts=True)
    expected, expected_counts = np.unique(array, return_counts=True)
    assert distinct.tolist() == expected.tolist()
    assert counts.tolist() == expected_counts.tolist()
    assert distinct.dtype == array.dtype and counts.dtype == np.int64
