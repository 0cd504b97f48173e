"""Candidate document pairs: every gold seed link is proposed, input order does not matter."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reprints.candidates import Candidate, find_candidates
from reprints.errors import ParameterError
from reprints.normalize import tokenize
from reprints.params import Params

GOLD = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds" / "gold.json"



def _seed_tokens(sample_corpus):
    docs = sample_corpus.documents
    return docs, [tokenize(d.text) for d in docs]


def _gold_pairs() -> set[tuple[str, str]]:
    links = json.loads(Path(GOLD).read_text())["links"]
    return {tuple(sorted((link["a"]["file"], link["b"]["file"]))) for link in links}


@pytest.mark.skipif(not GOLD.exists(), reason="gold labels live in ../shared")
def test_every_gold_seed_pair_is_a_candidate(sample_corpus):
    docs, tokens = _seed_tokens(sample_corpus)
    found = {(docs[c.a].id, docs[c.b].id) for c in find_candidates(tokens, Params())}
    gold = _gold_pairs()
    assert gold, "gold.json has links"
    assert gold <= found


def test_the_2015_story_that_copies_nothing_is_never_a_verbatim_candidate(sample_corpus):
    docs, tokens = _seed_tokens(sample_corpus)
    candidates = find_candidates(tokens, Params())
    assert candidates
    with_003 = [c for c in candidates if "003" in docs[c.a].id or "003" in docs[c.b].id]
    # It shares the theme (so the rewording channel may propose it), never a passage.
    assert all(c.channel == "reworded" for c in with_003)
    strongest_gold = max(c.hits for c in candidates if c not in with_003)
    assert all(c.hits < strongest_gold / 10 for c in with_003)


def test_a_lifted_paragraph_is_a_verbatim_candidate(sample_corpus):
    docs, _tokens = _seed_tokens(sample_corpus)
    texts = [d.text for d in docs]
    duran = texts[4]
    lifted = " ".join(duran.split()[60:130])  # a 70-word passage from The Duran
    texts[3] = texts[3][:1500] + "\n\n" + lifted + "\n\n" + texts[3][1500:]
    candidates = find_candidates([tokenize(t) for t in texts], Params())
    pair = [c for c in candidates if (c.a, c.b) == (3, 4)]
    assert pair and pair[0].channel == "verbatim"


def test_date_window_drops_pairs_years_apart(sample_corpus):
    docs, tokens = _seed_tokens(sample_corpus)
    texts = [d.text for d in docs]
    texts[3] = texts[3] + "\n\n" + texts[4]  # 2015 article now contains the 2017 one
    tokens = [tokenize(t) for t in texts]
    dates = [d.date for d in docs]
    everything = find_candidates(tokens, Params(), dates=dates)
    windowed = find_candidates(tokens, Params(date_window_days=365), dates=dates)
    assert any(c.a == 3 or c.b == 3 for c in everything)
    assert not any(c.a == 3 or c.b == 3 for c in windowed)
    assert {(c.a, c.b) for c in windowed} == {(c.a, c.b) for c in everything if 3 not in (c.a, c.b)}


@settings(max_examples=8, deadline=None)
@given(order=st.permutations(range(5)))
def test_input_order_does_not_change_the_pairs(sample_corpus, order):
    docs, tokens = _seed_tokens(sample_corpus)
    base = {(docs[c.a].id, docs[c.b].id, c.channel, c.hits) for c in find_candidates(tokens, Params())}
    shuffled = find_candidates([tokens[k] for k in order], Params())
    assert shuffled == sorted(shuffled)
    got = set()
    for c in shuffled:
        a, b = sorted((docs[order[c.a]].id, docs[order[c.b]].id))
        got.add((a, b, c.channel, c.hits))
    assert got == base


def test_candidates_are_sorted_pairs_with_a_below_b(sample_corpus):
    _, tokens = _seed_tokens(sample_corpus)
    candidates = find_candidates(tokens + tokens[:2], Params())
    assert candidates == sorted(candidates)
    assert all(isinstance(c, Candidate) and c.a < c.b for c in candidates)
    # Exact duplicates of two seeds pair with their originals through the verbatim channel.
    assert {(0, 5), (1, 6)} <= {(c.a, c.b) for c in candidates if c.channel == "verbatim"}


def test_mismatched_dates_are_refused(sample_corpus):
    _, tokens = _seed_tokens(sample_corpus)
    with pytest.raises(ParameterError, match="dates has 2 entries for 5 documents"):
        find_candidates(tokens, Params(), dates=["2017-09-08", None])


WORDY = st.lists(
    st.text(alphabet=st.sampled_from(list("abcdeé’'ßﬁСо0")), min_size=1, max_size=12), max_size=40
)


@given(st.lists(WORDY, min_size=1, max_size=4), st.integers(min_value=1, max_value=6))
@settings(max_examples=100, deadline=None)
def test_content_words_are_picked_in_hash_space_like_content_words(texts, prefix):
    from reprints import shingle
    from reprints.candidates import content_words, features
    from reprints.shingle import word_hashes

    docs = [tokenize(" ".join(words) + " said the minister") for words in texts]
    feats = features(docs, Params(reword_prefix=prefix))
    expected = [content_words(t, prefix) for t in docs]
    assert list(feats.word_offsets) == [0, *np.cumsum([len(c) for c in expected]).tolist()]
    want = (word_hashes([w for c in expected for w in c]) >> np.uint64(32)).astype(np.uint32)
    assert feats.words.tolist() == want.tolist()
    # The pure-Python path (no numba) gives the same hashes.
    words = [w for t in docs for w in t.norms]
    saved = shingle._hash_words
    shingle._hash_words = None
    try:
        slow = shingle.word_hashes_with_prefix(words, prefix)
    finally:
        shingle._hash_words = saved
    fast = shingle.word_hashes_with_prefix(words, prefix)
    assert all(np.array_equal(x, y) for x, y in zip(slow, fast, strict=True))


NEWS_TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 _'’ʼ`\n.,-—“”\u00a0") + list("СоαéßİﬁÉ\u0301") + ["😀"]),
    max_size=400,
)


@given(st.lists(NEWS_TEXT, max_size=5))
@settings(max_examples=60, deadline=None)
def test_features_straight_from_texts_equal_features_of_their_tokens(texts):
    from reprints.candidates import features, text_features

    params = Params(shingle_size=2, reword_prefix=3)
    want = features([tokenize(t) for t in texts], params, 7)
    got = text_features(texts, params, 7)
    assert got.first == want.first == 7
    for name in ("shingles", "shingle_offsets", "words", "word_offsets"):
        assert getattr(got, name).tolist() == getattr(want, name).tolist()


@settings(max_examples=80, deadline=None)
@given(
    items=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 6), st.integers(0, 9)), min_size=0, max_size=60),
    max_bucket=st.one_of(st.none(), st.integers(2, 8)),
    wide=st.booleans(),
)
def test_banding_by_date_block_pairs_what_salted_keys_pair(items, max_bucket, wide):
    """Sorting one pair of neighbouring date blocks at a time finds the salted keys' pairs, bucket caps included."""
    from reprints import lsh
    from reprints.candidates import band_items, band_pairs, bucket_codes

    keys = np.asarray([k for k, _, _ in items], dtype=np.uint64 if wide else np.uint32)
    blocks = np.asarray([b for _, b, _ in items], dtype=np.int64)
    docs = np.asarray([d for _, _, d in items], dtype=np.int64)
    wids = np.arange(len(keys), dtype=np.int64)
    want = bucket_codes(*band_items(keys, wids, docs, blocks), max_bucket).tolist()
    assert band_pairs(keys, docs, max_bucket, blocks).tolist() == want
    saved = lsh._pair_codes_kernel
    lsh._pair_codes_kernel = None  # the numpy path
    try:
        assert band_pairs(keys, docs, max_bucket, blocks).tolist() == want
    finally:
        lsh._pair_codes_kernel = saved


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 40), max_size=12),
    size=st.integers(1, 12),
    step=st.integers(1, 6),
)
def test_windows_start_where_window_starts_puts_them(lengths, size, step):
    """Every document's windows, placed at once, are the ones ``window_starts`` gives one document at a time."""
    from reprints.candidates import _offsets, _window_ranges
    from reprints.shingle import window_starts

    offsets = _offsets(lengths)
    starts, ends, docs, k = _window_ranges(np.asarray(lengths, dtype=np.int64), offsets[:-1], size, step)
    want = [
        (int(s + offsets[i]), int(min(s + size, n) + offsets[i]), i, at)
        for i, n in enumerate(lengths)
        for at, s in enumerate(window_starts(n, size, step).tolist())
    ]
    assert list(zip(starts.tolist(), ends.tolist(), docs.tolist(), k.tolist(), strict=True)) == want


def test_rewording_pairs_counted_block_by_block_equal_all_at_once(sample_corpus):
    """Counting band agreements one pair of date blocks at a time finds the same pairs and hits."""
    from reprints.candidates import (
        channel_doc_pairs,
        common_words,
        content_weights,
        date_blocks,
        features,
        iter_channel_pairs,
        propose_bands,
        reworded_pairs,
        window_doc_pairs,
        windows,
        word_frequencies,
    )

    _docs, tokens = _seed_tokens(sample_corpus)
    # The seeds again 5, 9 and 30 days later: pairs inside a block, across neighbours, and apart.
    dates = ["2017-09-08", "2017-09-09", "2017-09-10", "2017-09-13", "2017-09-08"]
    shifted = [f"2017-09-{8 + k:02d}" for k in (5, 9)] + ["2017-10-08"]
    all_tokens = tokens * 4
    all_dates = dates + [d for s in shifted for d in [s] * 5]
    params = Params(date_window_days=7, reword_min_hits=1)
    feats = features(all_tokens, params)
    blocks = date_blocks(all_dates, params)
    wins = windows(feats, "reworded", params, common_words(feats, params))
    codes = list(iter_channel_pairs(wins, "reworded", params, doc_blocks=blocks))
    proposed = window_doc_pairs(codes, wins.docs, len(all_tokens), params.reword_min_bands, propose_bands(params))
    frequencies = word_frequencies(feats.words, feats.word_offsets)
    want = reworded_pairs(proposed, params, content_weights(feats.words, feats.word_offsets, frequencies))
    got = channel_doc_pairs(feats, "reworded", params, len(all_tokens), doc_blocks=blocks)
    assert (proposed[2] == 0).any()  # pairs only verification can keep are among them
    assert len(want[0]) > 5  # copies pair with each other, within and across blocks
    assert len(set(blocks[want[0]].tolist()) | set(blocks[want[1]].tolist())) >= 2
    for x, y in zip(got, want, strict=True):
        assert x.tolist() == y.tolist()


def _seed_shares(sample_corpus, compiled: bool = True) -> dict[tuple[str, str], float]:
    from itertools import combinations

    from reprints.candidates import features, verify_shares, word_frequencies

    docs, tokens = _seed_tokens(sample_corpus)
    feats = features(tokens, Params())
    pairs = list(combinations(range(len(docs)), 2))
    shares = verify_shares(
        np.array([a for a, _ in pairs]),
        np.array([b for _, b in pairs]),
        feats.words,
        feats.word_offsets,
        word_frequencies(feats.words, feats.word_offsets),
        len(docs),
        Params().reword_verify_window,
        compiled=compiled,
    )
    return {(docs[a].id[:3], docs[b].id[:3]): float(v) for (a, b), v in zip(pairs, shares, strict=True)}


def test_verification_separates_retellings_from_the_story_that_copies_nothing(sample_corpus):
    """Sputnik, its follow-up and The Duran share most of a passage's weight; 003 shares little."""
    shares = _seed_shares(sample_corpus)
    for pair in (("000", "001"), ("000", "004"), ("001", "004")):
        assert shares[pair] >= Params().reword_verify_share, (pair, shares[pair])
    with_003 = [v for pair, v in shares.items() if "003" in pair]
    assert len(with_003) == 4 and max(with_003) < Params().reword_verify_share
    assert all(0.0 <= v <= 1.0 for v in shares.values())


def test_compiled_verification_equals_the_plain_python_reference(sample_corpus):
    assert _seed_shares(sample_corpus) == _seed_shares(sample_corpus, compiled=False)


def test_pairs_too_weak_for_banding_are_candidates_when_they_verify(sample_corpus):
    """With hits out of reach, only verification keeps rewording pairs: the retellings, not 003."""
    docs, tokens = _seed_tokens(sample_corpus)
    strict = Params(reword_min_hits=1000)
    ids = lambda cands: {(docs[c.a].id[:3], docs[c.b].id[:3]) for c in cands if c.channel == "reworded"}  # noqa: E731
    verified = ids(find_candidates(tokens, strict))
    assert {("000", "001"), ("000", "004"), ("001", "004")} <= verified
    assert not any("003" in pair for pair in verified)
    assert ids(find_candidates(tokens, strict.replace(reword_verify_share=None))) == set()
    # and verification only adds: every pair the default rule finds is still there
    default = find_candidates(tokens, Params())
    assert {(c.a, c.b) for c in default} == {
        (c.a, c.b) for c in find_candidates(tokens, Params(reword_verify_share=None))
    }


def test_bad_verification_parameters_are_refused():
    with pytest.raises(ParameterError, match="reword_verify_bands"):
        Params(reword_verify_bands=0)
    with pytest.raises(ParameterError, match="reword_verify_window"):
        Params(reword_verify_window=0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 12), max_size=40), min_size=2, max_size=6),
    st.integers(1, 25),
)
def test_verification_shares_are_each_run_recounted_directly(docs, window):
    """The kernel's running sums give what summing every run afresh gives (all in [0, 1])."""
    from reprints.candidates import verify_shares, word_frequencies

    words = np.array([w for d in docs for w in d], dtype=np.uint32)
    offsets = np.cumsum([0] + [len(d) for d in docs]).astype(np.int64)
    vocab, df = word_frequencies(words, offsets)
    n = len(docs)
    a, b = np.triu_indices(n, 1)
    got = verify_shares(a, b, words, offsets, (vocab, df), n, window)
    weight = {int(w): np.log((n + 1) / (c + 1.0)) for w, c in zip(vocab.tolist(), df.tolist(), strict=True)}

    def best(one, other):
        runs = [one[k : k + window] for k in range(max(1, len(one) - window + 1))] if one else []
        shares = []
        for run in runs:
            total = sum(weight[w] for w in run)
            if total > 1e-9:
                shares.append(sum(weight[w] for w in run if w in set(other)) / total)
        return max(shares, default=0.0)

    for t, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        one = best(docs[x], docs[y])
        want = min(one, best(docs[y], docs[x])) if one > 0 else 0.0
        assert got[t] == pytest.approx(want, abs=1e-9)
        assert 0.0 <= got[t] <= 1.0


def test_window_plan_cuts_any_documents_as_all_windows_number_them(sample_corpus):
    """Windows cut for some documents (a date block's) are those documents' windows of the
    whole corpus, with the same ids, and ``docs_of`` maps each id back to its document."""
    from reprints.candidates import common_words, features, window_plan, windows

    _docs, tokens = _seed_tokens(sample_corpus)
    params = Params()
    feats = features(tokens * 3, params)
    drop = common_words(feats, Params(reword_max_df=0.5, reword_min_df_docs=0))
    assert len(drop)  # some words are dropped, so the offsets are rebuilt
    for channel in ("verbatim", "reworded"):
        whole = windows(feats, channel, params, drop)
        plan = window_plan(feats, channel, params, drop)
        assert len(plan) == len(whole.starts)
        assert plan.docs_of(np.arange(len(plan))).tolist() == whole.docs.tolist()
        some = np.asarray([13, 2, 7, 8])
        cut, ids = plan.cut(some)
        assert sorted(set(cut.docs.tolist())) == sorted(some.tolist())
        assert whole.docs[ids].tolist() == cut.docs.tolist()
        assert cut.values[cut.starts].tolist() == whole.values[whole.starts[ids]].tolist()
        assert (cut.ends - cut.starts).tolist() == (whole.ends - whole.starts)[ids].tolist()


def test_word_frequencies_in_chunks_equal_one_count(sample_corpus):
    """Counting document frequencies a few documents at a time gives the counts of one pass."""
    from reprints.candidates import _drop_values, features, word_frequencies

    _docs, tokens = _seed_tokens(sample_corpus)
    feats = features(tokens * 3, Params())
    vocab, df = word_frequencies(feats.words, feats.word_offsets, chunk_docs=10**6)
    for chunk in (1, 2, 4):
        v, d = word_frequencies(feats.words, feats.word_offsets, chunk_docs=chunk)
        assert v.tolist() == vocab.tolist() and d.tolist() == df.tolist()
    assert df.max() >= 3 and (df <= 15).all()
    drop = vocab[df >= 6].astype(np.uint32)
    values, offsets = _drop_values(feats.words, feats.word_offsets, drop, chunk_docs=1 << 16)
    for chunk in (1, 4):
        v, o = _drop_values(feats.words, feats.word_offsets, drop, chunk_docs=chunk)
        assert v.tolist() == values.tolist() and o.tolist() == offsets.tolist()
    assert not np.isin(values, drop).any() and len(values) < len(feats.words)
