"""Quotes' fast paths (numba kernels, vectorised lookups, prefilters) against the plain ones."""

from __future__ import annotations

import importlib
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reprints.model import Quote
from reprints.normalize import sentence_spans, tokenize
from reprints.params import Params
from reprints.quotes import extract_quotes, find_quotes
from reprints.quotes import families as families_module
from reprints.quotes import surroundings as surroundings_module
from reprints.quotes.surroundings import quote_tokens, token_hashes

# the package exports a function named ``attribute``: take the module itself
attribute_module = importlib.import_module("reprints.quotes.attribute")


def seed_words(sample_corpus) -> list[str]:
    return sorted({w for d in sample_corpus.documents for w in tokenize(d.text).norms if len(w) > 1})


def test_quote_tokens_say_what_tokens_between_says_on_the_seeds(sample_corpus):
    for doc in sample_corpus.documents:
        tokens = tokenize(doc.text)
        quotes = extract_quotes(doc)
        first, last, own = quote_tokens(doc.text, tokens, [q.start for q in quotes], [q.end for q in quotes])
        for q, i, j, same in zip(quotes, first.tolist(), last.tolist(), own.tolist(), strict=True):
            assert (i, j) == tokens.between(q.start, q.end)
            if same:  # no word crosses the quote's edges: its own words are the text's tokens there
                assert tokenize(q.text).norms == tokens.norms[i:j]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_quote_tokens_on_any_span_of_a_seed(sample_corpus, data):
    doc = data.draw(st.sampled_from(list(sample_corpus.documents)))
    tokens = tokenize(doc.text)
    spans = data.draw(st.lists(st.tuples(st.integers(0, len(doc.text)), st.integers(0, 400)), max_size=6))
    starts = [s for s, _ in spans]
    ends = [min(len(doc.text), s + n) for s, n in spans]
    first, last, own = quote_tokens(doc.text, tokens, starts, ends)
    for start, end, i, j, same in zip(starts, ends, first.tolist(), last.tolist(), own.tolist(), strict=True):
        assert (i, j) == tokens.between(start, end)
        crossing = (i > 0 and int(tokens.ends[i - 1]) > start) or (j < len(tokens) and int(tokens.starts[j]) < end)
        assert same == (not crossing)
        if same:
            assert tokenize(doc.text[start:end]).norms == tokens.norms[i:j]


def test_words_around_quotes_kernel_matches_numpy_on_the_seeds(sample_corpus):
    width = Params().quote_context_width
    for doc in sample_corpus.documents:
        tokens = tokenize(doc.text)
        quotes = extract_quotes(doc)
        hashes = token_hashes(tokens.norms)
        first, last, _ = quote_tokens(doc.text, tokens, [q.start for q in quotes], [q.end for q in quotes])
        fast = surroundings_module._around(hashes, first, last, width)
        plain = surroundings_module._around_numpy(hashes, first, last, width)
        assert fast[0].dtype == plain[0].dtype == np.uint64
        assert fast[0].tolist() == plain[0].tolist() and fast[1].tolist() == plain[1].tolist()
        assert int(fast[1][-1]) == len(fast[0])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([0, 1, 7, 2**63 + 5, 2**64 - 1]), max_size=40),
    st.lists(st.tuples(st.integers(0, 45), st.integers(0, 6)), max_size=5),
    st.integers(0, 8),
)
def test_words_around_quotes_kernel_matches_numpy_on_any_ranges(values, ranges, width):
    hashes = np.asarray(values, dtype=np.uint64)
    first = np.asarray([min(f, hashes.size) for f, _ in ranges], dtype=np.int64)
    last = np.asarray([min(f + n, hashes.size) for f, n in ranges], dtype=np.int64)
    fast = surroundings_module._around(hashes, first, last, width)
    plain = surroundings_module._around_numpy(hashes, first, last, width)
    assert fast[0].tolist() == plain[0].tolist() and fast[1].tolist() == plain[1].tolist()


def _idf_sum_reference(mine: list[int], weights: dict[int, float], theirs: list[int]) -> float:
    """The figure the grouping used before pairs were judged in batches: a Python sum in
    ascending hash order."""
    return float(sum(weights[w] for w in sorted(set(mine) & set(theirs))))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sets(st.integers(1, 2**64 - 1), max_size=12), min_size=1, max_size=6),
    st.lists(st.sets(st.integers(1, 2**64 - 1), max_size=12), min_size=1, max_size=6),
    st.data(),
)
def test_shared_idf_sums_are_the_same_bits_as_python_sums(mine_sets, their_sets, data):
    # draw the other side's words partly from this side's, so pairs share some
    pool = sorted(set().union(*mine_sets)) or [1]
    their_sets = [s | set(data.draw(st.lists(st.sampled_from(pool), max_size=5))) for s in their_sets]
    mine = [sorted(s) for s in mine_sets]
    theirs = [sorted(s) for s in their_sets]
    every = sorted(set().union(*mine_sets))
    weights = dict(zip(every, data.draw(st.lists(st.floats(0, 12), min_size=len(every), max_size=len(every))), strict=True))
    pairs = data.draw(st.lists(st.tuples(st.integers(0, len(mine) - 1), st.integers(0, len(theirs) - 1)), min_size=1, max_size=10))
    mine_at, mine_flat = families_module._rows(mine)
    their_at, their_flat = families_module._rows(theirs)
    w = np.asarray([weights[h] for h in mine_flat.tolist()], dtype=np.float64)
    pm = np.asarray([p for p, _ in pairs], dtype=np.int64)
    pt = np.asarray([t for _, t in pairs], dtype=np.int64)
    arrays = (mine_at, mine_flat, w, their_at, their_flat, pm, pt)
    total, whole = families_module._shared_weights(*arrays)
    plain_total, plain_whole = families_module._shared_weights_py(*(a.tolist() for a in arrays))
    expected = [_idf_sum_reference(mine[p], weights, theirs[t]) for p, t in pairs]
    assert total.tolist() == plain_total.tolist() == expected  # bit for bit, not approximately
    assert whole.tolist() == plain_whole.tolist() == [float(sum(weights[h] for h in row)) for row in mine]


def _occurrences(quotations: list[list[str]], docs: list[int]) -> list:
    out = []
    for index, (norms, doc) in enumerate(zip(quotations, docs, strict=True)):
        quote = Quote(doc=f"{doc}.txt", start=0, end=1, text=" ".join(norms), kind="fragment")
        out.append(families_module._Occurrence(index, quote, tuple(norms), None, 0, doc))
    return out


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_candidate_pairs_are_the_same_with_the_kernel_and_with_sparse_products(sample_corpus, data):
    words = seed_words(sample_corpus)
    vocabulary = data.draw(st.lists(st.sampled_from(words), min_size=6, max_size=30, unique=True))
    quotations = data.draw(st.lists(st.lists(st.sampled_from(vocabulary), min_size=4, max_size=14), min_size=2, max_size=40))
    docs = data.draw(st.lists(st.integers(0, 5), min_size=len(quotations), max_size=len(quotations)))
    content = families_module._ContentWords(_occurrences(quotations, docs), 3)
    params = Params(quote_max_postings=data.draw(st.integers(2, 12)))
    fast = families_module._candidate_pairs(content, params)
    kernel = families_module._enough_shared
    try:
        families_module._enough_shared = families_module._enough_shared_numpy
        plain = families_module._candidate_pairs(content, params)
    finally:
        families_module._enough_shared = kernel
    assert fast == plain


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_content_words_are_the_sorted_content_of_each_longer_quotation(sample_corpus, data):
    words = [*seed_words(sample_corpus), "the", "of", "a", "x", "9"]
    quotations = data.draw(st.lists(st.lists(st.sampled_from(words), min_size=1, max_size=12), min_size=1, max_size=25))
    occurrences = _occurrences(quotations, list(range(len(quotations))))
    content = families_module._ContentWords(occurrences, 3)
    names = sorted(content.vocab, key=content.vocab.__getitem__)
    expected = [(o, sorted({w for w in o.norms if w not in families_module.STOPWORDS and len(w) > 1})) for o in occurrences if len(o.norms) > 3]
    expected = [(o, row) for o, row in expected if row]
    assert [o.index for o in content.longer] == [o.index for o, _ in expected]
    for k, (_, row) in enumerate(expected):
        assert [names[i] for i in content.ids[content.indptr[k] : content.indptr[k + 1]].tolist()] == row
    for word in {w for _, row in expected for w in row}:
        holders = [o.index for o, row in expected if word in row]
        assert content.count(word) == len(holders)
        assert [o.index for o in content.holding(word)] == holders
    assert content.count("never-said") == 0


def test_grouping_with_the_python_kernels_gives_the_same_families(sample_corpus, monkeypatch):
    docs = list(sample_corpus.documents)
    expected = find_quotes(docs)
    assert expected[1], "the seeds hold quote families"

    def listed(*arrays):
        return families_module._shared_weights_py(*(a.tolist() for a in arrays))

    monkeypatch.setattr(families_module, "_shared_weights", listed)
    monkeypatch.setattr(families_module, "_enough_shared", families_module._enough_shared_numpy)
    monkeypatch.setattr(surroundings_module, "_around", surroundings_module._around_numpy)
    assert find_quotes(docs) == expected


_PLAIN_MEDIUM = re.compile(
    r"(?i:contacted by|speaking to|spoke to|in an interview with|interview with|told)\s+((?:the\s+)?[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*){0,3})"
)


def _medium_reference(sentence: str) -> str | None:
    m = _PLAIN_MEDIUM.search(sentence)
    return attribute_module._strip_possessive(m.group(1)) if m else None


class _Sentence:
    def __init__(self, text: str) -> None:
        self.text = text


def test_medium_prefilter_finds_what_the_pattern_finds_in_every_seed_sentence(sample_corpus):
    found = 0
    for doc in sample_corpus.documents:
        for start, end in sentence_spans(doc.text):
            got = attribute_module._medium_in(_Sentence(doc.text), start, end)  # type: ignore[arg-type]
            assert got == _medium_reference(doc.text[start:end])
            found += got is not None
    assert found, "the seeds name media ('told Sputnik')"


@pytest.mark.parametrize(
    "sentence",
    ["The minister told Sputnik News that", "He ſpoke to CNN on Monday", "İn an İnterview with Reuters", "When CONTACTED BY The Guardian, she", "He was tOLD AP", "Nothing here at all"],
)
def test_medium_prefilter_keeps_case_blind_matches(sentence):
    assert attribute_module._medium_in(_Sentence(sentence), 0, len(sentence)) == _medium_reference(sentence)  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("toldTOLDspkeaingSPKEAINGcbyrvwCBYRVW ſİıK\u212aNC")), max_size=40))
def test_medium_prefilter_on_any_text(sentence):
    assert attribute_module._medium_in(_Sentence(sentence), 0, len(sentence)) == _medium_reference(sentence)  # type: ignore[arg-type]


def test_quote_kinds_count_words_as_a_quotation_of_its_own_would(sample_corpus):
    params = Params()
    for doc in sample_corpus.documents:
        for q in extract_quotes(doc, params):
            if q.kind != "attributed":
                words = len(tokenize(q.text).norms)
                assert (q.kind == "scare") == (words <= params.scare_quote_words)


def test_token_hashes_by_word_id_are_word_hashes(sample_corpus):
    from reprints.normalize import word_ids
    from reprints.quotes.surroundings import word_hash

    words = [*seed_words(sample_corpus), "the", "a", "x", "zxq-never-seen", "l'équipe"]
    expected = [word_hash(w) for w in words]
    assert token_hashes(words).tolist() == expected
    assert token_hashes(words, word_ids(words)).tolist() == expected
    assert token_hashes([]).dtype == np.uint64 and len(token_hashes([])) == 0


QUOTY = st.text(alphabet=st.sampled_from(list("ab 1.,\n\"“”„‟«»‘’‚‛‹›'`\ud800")), max_size=120)


@settings(max_examples=400, deadline=None)
@given(QUOTY, st.integers(0, 120), st.integers(0, 120))
def test_quotation_marks_tried_at_their_characters_are_finditers(text, start, end):
    """Marks looked for only at quotation-mark characters are the ones ``finditer`` finds."""
    extract = importlib.import_module("reprints.quotes.extract")
    start, end = min(start, end, len(text)), min(max(start, end), len(text))
    offsets = extract._mark_offsets(text)
    if "\ud800" in text:
        assert offsets is None
        return
    assert extract._marks_in(text, start, end, offsets) == extract._marks_in(text, start, end)
    plain = [m.span() for m in extract._MARK_RE.finditer(text, start, end)]
    tried = [m.span() for m in extract._matches_at(text, end, [k for k in offsets if start <= k < end])]
    assert tried == plain
