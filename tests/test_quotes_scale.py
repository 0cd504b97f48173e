"""Quotes at scale: extraction in worker processes, grouping without the documents' text."""

from __future__ import annotations

import importlib
import math
import pickle
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from reprints.model import Document
from reprints.normalize import tokenize
from reprints.params import Params
from reprints.quotes import (
    QuoteCollector,
    extract_quotes,
    extract_quotes_many,
    find_quotes,
    group_document_quotes,
    group_families,
)
from reprints.quotes import families as families_module
from reprints.quotes.surroundings import WordFrequencies, word_hash
from test_quotes_families import three_articles


def seeds_and_articles(sample_corpus):
    quiet = Document("f.txt", "The council will vote again in March on the school funding plan.", outlet="Town Gazette")
    return list(sample_corpus.documents) + three_articles() + [quiet]


def test_extraction_in_worker_processes_gives_the_same_families(sample_corpus):
    docs = seeds_and_articles(sample_corpus)
    expected = find_quotes(docs)
    assert expected[1], "the seeds and the test articles hold quote families"
    chunks = [docs[k::2] for k in range(2)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(extract_quotes_many, chunks))
    # chunks come back in any order, and every document counts, quotes or none
    extracted = [d for chunk in reversed(results) for d in chunk]
    assert any(not d.quotes for d in extracted)
    assert group_document_quotes(extracted) == expected


def test_quotes_spilled_to_a_temporary_file_give_the_same_families(sample_corpus):
    docs = seeds_and_articles(sample_corpus)
    extracted = extract_quotes_many(docs)
    expected = group_document_quotes(extracted)
    collector = QuoteCollector(spill_after=2)  # a spill every two quotations
    for found in reversed(extracted):
        collector.add(found)
    assert collector._spilled is not None, "the collector wrote quotes out"
    assert collector.families() == expected


def test_spilled_quotes_keep_words_that_fold_to_several():
    """NFKC spells the Arabic ligature U+FDFA out in four words, spaces and all: a quote
    holding it comes back from the spill file with the same words, and still finds its
    twin in another outlet's article."""
    said = "\u201cPeace \ufdfa be upon the people of this city,\u201d the imam said on Friday."
    docs = [
        Document("a.txt", f"Crowds gathered at dawn. {said} Prayers went on.", outlet="Daily A", date="2024-03-01"),
        Document("b.txt", f"Thousands came. {said} Shops closed early.", outlet="Daily B", date="2024-03-02"),
        Document("c.txt", "\u201cWe will rebuild the market,\u201d the mayor said on Friday.", outlet="Daily C"),
    ]
    extracted = extract_quotes_many(docs)
    assert any(" " in w for d in extracted for norms in d.norms for w in norms)
    expected = group_document_quotes(extracted)
    assert any({q.doc for q in f.quotes} == {"a.txt", "b.txt"} for f in expected[1])
    collector = QuoteCollector(spill_after=1)
    for found in extracted:
        collector.add(found)
    assert collector._spilled is not None
    records = collector._records()
    assert [r.norms for r in records] == [d.norms for d in extracted if d.quotes]
    again = QuoteCollector(spill_after=1)
    for found in extracted:
        again.add(found)
    assert again.families() == expected


def test_a_scan_that_spills_its_quotes_finds_the_same_ones(sample_corpus, monkeypatch):
    scan_module = importlib.import_module("reprints.scan")
    expected = scan_module.scan(sample_corpus.documents)
    monkeypatch.setattr(scan_module, "QUOTE_SPILL", 3)
    spilled = scan_module.scan(reversed(sample_corpus.documents))
    assert spilled.quotes == expected.quotes
    assert spilled.quote_families == expected.quote_families
    # The Duran's "safer regions" is still found trimmed out of SouthFront's long quotation
    trimmed = [q for f in spilled.quote_families if set(f.outlets) == {"SouthFront", "The Duran"} for q in f.quotes]
    assert [q.text for q in trimmed if q.change == "trimmed"] == ["safer regions"]


def test_extracted_documents_are_plain_picklable_values_without_text(sample_corpus):
    extracted = extract_quotes_many(sample_corpus.documents)
    again = pickle.loads(pickle.dumps(extracted))
    assert [d.quotes for d in again] == [tuple(extract_quotes(d)) for d in sample_corpus.documents]
    for d, doc in zip(again, sample_corpus.documents, strict=True):
        assert not hasattr(d, "text")
        assert len(pickle.dumps(d)) < len(doc.text.encode()) * 4  # quotes and hashes, not tokens
        for k, q in enumerate(d.quotes):
            assert d.norms[k] == tokenize(q.text).norms
            assert all(h != 0 for h in d.surroundings(k).tolist())


def test_group_families_from_quotes_and_documents_is_find_quotes(sample_corpus):
    docs = seeds_and_articles(sample_corpus)
    quotes = [q for d in docs for q in extract_quotes(d)]
    assert group_families(list(reversed(quotes)), docs) == find_quotes(docs)


def test_quotes_without_their_documents_still_group_by_their_words():
    docs = three_articles()
    quotes = [q for d in docs for q in extract_quotes(d)]
    # only the quotes are given: no surroundings to check, nothing read from documents
    _, families = group_families(quotes, [])
    assert len(families) == 1
    assert {q.doc for q in families[0].quotes} >= {"a.txt", "b.txt", "c.txt", "d.txt"}
    # outlets fall back to document ids when the documents are unknown
    assert set(families[0].outlets) >= {"a.txt", "b.txt"}


def test_a_much_repeated_short_quote_still_forms_one_family_with_capped_comparisons():
    story = (
        "Trump told supporters at a rally in Colorado Springs that the election was "
        '"rigged" against him, repeating a charge he has made at campaign events for weeks '
        "as his poll numbers slipped in swing states."
    )
    docs = [Document(f"{k}.txt", story, outlet=f"Paper {k}", date=f"2016-10-1{k}") for k in range(6)]
    docs += three_articles() * 2  # other news, so the story's words are not everywhere
    docs += [Document(f"x{k}.txt", d.text, outlet=d.outlet) for k, d in enumerate(three_articles())]
    capped = Params(quote_max_twins=2)
    _, families = find_quotes(docs, capped)
    # each occurrence meets only the two after it, yet the chain holds all six
    rigged = [f for f in families if f.quotes[0].text == "rigged"]
    assert len(rigged) == 1 and {q.doc for q in rigged[0].quotes} == {f"{k}.txt" for k in range(6)}
    uncapped = [f for f in find_quotes(docs)[1] if f.quotes[0].text == "rigged"]
    assert uncapped == rigged


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 12), max_size=8), min_size=2, max_size=12),
    st.data(),
)
def test_shared_word_counts_agree_with_sparse_products(rows, data):
    matrix = sparse.csr_matrix(
        (np.ones(sum(len(set(r)) for r in rows), dtype=np.float32),
         ([k for k, r in enumerate(rows) for _ in set(r)], [w for r in rows for w in sorted(set(r))])),
        shape=(len(rows), 13),
    )
    matrix.sort_indices()
    n = len(rows)
    a = np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=20)), dtype=np.int64)
    b = np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=a.size, max_size=a.size)), dtype=np.int64)
    expected = [len(set(rows[i]) & set(rows[j])) for i, j in zip(a.tolist(), b.tolist(), strict=True)]
    fast = families_module._shared_words(matrix.indptr, matrix.indices, a, b)
    reference = families_module._shared_words_numpy(matrix.indptr, matrix.indices, a, b)
    assert fast.tolist() == reference.tolist() == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["deir", "ezzor", "helicopter", "sputnik", "airlift", "false"]), max_size=6), min_size=1, max_size=30))
def test_word_frequencies_counted_in_pieces_give_log_n_over_df(documents):
    counts = WordFrequencies()
    counts.merge_every = 3  # merge often, as a long run does
    for words in documents:
        counts.add(np.unique(np.asarray([word_hash(w) for w in words], dtype=np.uint64)))
    idf = counts.idf()
    for word in {w for words in documents for w in words}:
        df = sum(word in words for words in documents)
        got = idf.of(np.asarray([word_hash(word)], dtype=np.uint64))[0]
        assert math.isclose(got, math.log(len(documents) / df))
    assert idf.of(np.asarray([word_hash("absent")], dtype=np.uint64)).tolist() == [0.0]


def test_word_hashes_skip_stop_words_and_are_stable():
    assert word_hash("the") == 0 and word_hash("a") == 0
    assert word_hash("helicopter") == word_hash("helicopter") != 0
    assert word_hash("helicopter") == int.from_bytes(
        __import__("hashlib").blake2b(b"helicopter", digest_size=8).digest(), "little"
    )


def test_the_twin_cap_limits_which_occurrences_of_a_short_quote_are_compared():
    story = (
        "Trump told supporters at a rally in Colorado Springs that the election was "
        '"rigged" against him, repeating a charge he has made at campaign events for weeks '
        "as his poll numbers slipped in swing states."
    )
    other = (
        "The Chelsea manager complained after Saturday's defeat at Anfield that the penalty "
        'decision had been "rigged" by a referee who ignored two handballs in the second half.'
    )
    docs = [
        Document("0.txt", story, outlet="Paper 0", date="2016-10-10"),
        Document("1.txt", other, outlet="Paper 1", date="2016-10-11"),
        Document("2.txt", story, outlet="Paper 2", date="2016-10-12"),
        *three_articles(),
    ]

    def rigged(params: Params | None) -> list[set[str]]:
        return [{q.doc for q in f.quotes} for f in find_quotes(docs, params)[1] if f.quotes[0].text == "rigged"]

    # compared with every twin, the two rally reports join and the football one stays out
    assert rigged(None) == [{"0.txt", "2.txt"}]
    # compared only with the next twin (the football report), neither rally report meets the other
    assert rigged(Params(quote_max_twins=1)) == []


def test_grouping_leaves_the_cycle_collector_as_it_found_it(sample_corpus):
    import gc

    docs = seeds_and_articles(sample_corpus)
    extracted = extract_quotes_many(docs)
    expected = group_document_quotes(extracted)  # collector on: it comes back on
    assert gc.isenabled()
    gc.disable()
    try:
        assert group_document_quotes(extracted) == expected
        assert not gc.isenabled(), "a caller that paused collection finds it still paused"
    finally:
        gc.enable()
