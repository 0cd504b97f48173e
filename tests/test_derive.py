"""The word-level derivation layer: which words of an article come from its sources."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reprints import derive
from reprints.model import DerivedWords, Document
from reprints.normalize import tokenize
from reprints.scan import scan
from reprints.store import load_results, write_results
from reprints.tfidf import FUNCTION_WORDS
from reprints.wire import word_labels

NEGATIVE = "003_d4c8003fef5c7388.txt"
SPUTNIK = "000_01f78c86e39ec8cf.txt"

# An invented paragraph on another subject: nothing in it comes from any seed.
INVENTED = (
    "Meanwhile in Lisbon, the city council voted on Tuesday to extend the tram line along the "
    "river by four kilometres. Residents of the eastern districts had asked for the extension "
    "for years, and the mayor promised that the first carriages would run before the summer "
    "festival. Critics said the budget of the project was never published in full."
)


@pytest.fixture(scope="module")
def seeds_result(sample_corpus):
    return scan(sample_corpus.documents, quotes=False)


def test_derived_spans_are_inside_their_documents_and_name_their_sources(seeds_result):
    texts = {d.id: d.text for d in seeds_result.documents}
    outlets = {d.id: d.outlet for d in seeds_result.documents}
    assert seeds_result.derived
    for span in seeds_result.derived:
        assert 0 <= span.start < span.end <= len(texts[span.doc])
        assert span.kind in {"verbatim", "reworded"}
        assert span.sources and span.doc not in span.sources
        assert {outlets[s] for s in span.sources} == {span.outlet}
        assert NEGATIVE not in (span.doc, *span.sources)
    assert list(seeds_result.derived) == sorted(seeds_result.derived, key=derive.derived_order)


def test_a_verbatim_word_is_one_its_sources_have(seeds_result):
    """"Facebook Twitter YouTube SoundCloud RSS" above 21st Century Wire's lifted headline is
    not The Duran's: whatever the model makes of it, it is never labelled verbatim."""
    texts = {d.id: d.text for d in seeds_result.documents}
    verbatim = [s for s in seeds_result.derived if s.kind == "verbatim"]
    assert verbatim
    for span in verbatim:
        source_words = set().union(*(tokenize(texts[s]).norms for s in span.sources))
        missing = set(tokenize(texts[span.doc][span.start : span.end]).norms) - source_words
        assert not missing, (span, missing)


def test_boilerplate_is_never_derived(seeds_result):
    # The Sputnik page's menus ("Community standards", "All news") are page chrome, not text
    # taken from 21st Century Wire, however many of their words the rewrite shares.
    chrome = [b.span for b in seeds_result.boilerplate]
    assert chrome
    for span in seeds_result.derived:
        for b in chrome:
            if b.doc == span.doc:
                assert span.end <= b.start or span.start >= b.end, (span, b)


def test_words_an_aligned_passage_keeps_come_out_derived(seeds_result):
    """Words the edit script of a passage keeps (runs of 3+ words, 2+ of them content words) are derived."""
    docs = {d.id: d for d in seeds_result.documents}
    checked = 0
    for match in seeds_result.matches:
        sides = [(match.b, match.a.doc, lambda e: (e.b_start, e.b_end))] if match.direction != "b->a" else []
        if match.direction != "a->b":
            sides.append((match.a, match.b.doc, lambda e: (e.a_start, e.a_end)))
        for side, source, pick in sides:
            spans = [d for d in seeds_result.derived if d.doc == side.doc and source in d.sources]
            tokens = tokenize(docs[side.doc].text)
            labels = derive.labels_from_spans(tokens.starts, tokens.ends, spans)
            kept = np.zeros(len(tokens), dtype=bool)
            for edit in match.edits:
                i, j = tokens.between(*pick(edit))
                content = sum(w not in FUNCTION_WORDS for w in tokens.norms[i:j])
                if edit.op == "keep" and j - i >= 3 and content >= 2:
                    kept[i:j] = True
            if kept.any():
                assert (labels[kept] != derive.NEW).mean() >= 0.8
                checked += 1
    assert checked >= 4


def test_an_invented_paragraph_added_to_a_copy_stays_new(sample_corpus):
    """A copy of the Sputnik seed's opening with a new paragraph: the copy derived, the new text not."""
    source = next(d for d in sample_corpus.documents if d.id == SPUTNIK)
    paragraphs = [p for p in source.text.split("\n") if len(p.split()) >= 15][:4]
    copied = "\n\n".join(paragraphs)
    text = copied + "\n\n" + INVENTED + "\n"
    target = Document("zz-copy.txt", text, outlet="Copycat", date="2017-09-10")
    result = scan([*sample_corpus.documents, target], quotes=False)
    spans = [d for d in result.derived if d.doc == target.id and SPUTNIK in d.sources]
    tokens = tokenize(text)
    labels = derive.labels_from_spans(tokens.starts, tokens.ends, spans)
    cut = tokens.index_at(len(copied))
    assert (labels[:cut] != derive.NEW).mean() >= 0.8
    assert (labels[cut:] == derive.NEW).mean() >= 0.8


def test_word_labels_follow_the_derived_spans(seeds_result):
    span = seeds_result.derived[0]
    doc = next(d for d in seeds_result.documents if d.id == span.doc)
    tokens = tokenize(doc.text)
    labels = word_labels(doc, [], tokens, derived=[span])
    i, j = tokens.between(span.start, span.end)
    expected = derive.VERBATIM if span.kind == "verbatim" else derive.REWORDED
    assert (labels[i:j] == expected).all()
    assert (labels[:i] == derive.NEW).all() and (labels[j:] == derive.NEW).all()


def test_derive_words_off_leaves_no_layer(sample_corpus):
    assert scan(sample_corpus.documents, quotes=False, derive_words=False).derived == ()


def test_derived_layer_is_stored_and_independent_of_input_order(sample_corpus, seeds_result, tmp_path):
    docs = list(sample_corpus.documents)
    random.Random(3).shuffle(docs)
    outputs = []
    for name, result in (("sorted", seeds_result), ("shuffled", scan(docs, quotes=False))):
        out = tmp_path / name
        write_results(out, result)
        assert load_results(out).derived == result.derived
        outputs.append((out / "derived.jsonl").read_bytes())
    assert outputs[0] == outputs[1] and outputs[0]


def test_word_runs_and_labels_from_spans_round_trip():
    text = "Smith was fined 500 pounds on Monday by the court in Leeds"
    tokens = tokenize(text)
    labels = np.array([2, 2, 2, 2, 2, 0, 0, 1, 1, 1, 0, 0], dtype=np.int8)
    runs = derive.word_runs(tokens.starts, tokens.ends, labels)
    assert [text[s:e] for s, e, _ in runs] == ["Smith was fined 500 pounds", "by the court"]
    spans = [
        DerivedWords("d", s, e, "verbatim" if k == derive.VERBATIM else "reworded", None, ("src",))
        for s, e, k in runs
    ]
    assert (derive.labels_from_spans(tokens.starts, tokens.ends, spans) == labels).all()


def test_word_labels_with_sources_and_context_agree_with_the_stored_layer(sample_corpus, seeds_result):
    """``reprints wire``'s path (sources + alignment context) labels words as the scan's layer does."""
    from reprints.params import Params
    from reprints.scan import prepare_corpus

    docs = sorted(sample_corpus.documents, key=lambda d: d.id)
    by_id = {d.id: d for d in docs}
    _segments, _boilerplate, context = prepare_corpus(docs, Params())
    groups = derive.source_groups(seeds_result.matches, {d.id: d.outlet for d in docs})
    assert groups
    for (target, outlet), (source_ids, found) in groups.items():
        doc = by_id[target]
        tokens = tokenize(doc.text)
        direct = word_labels(doc, found, tokens, sources=[by_id[s] for s in source_ids], context=context)
        stored = [d for d in seeds_result.derived if d.doc == target and d.outlet == outlet]
        assert (direct == derive.labels_from_spans(tokens.starts, tokens.ends, stored)).all()


def test_a_stray_of_the_between_new_words_is_new():
    import numpy as np

    norms = ("the", "court", "heard", "of", "the", "plan", "jailed", "for", "life")
    labels = np.array([0, 0, 0, 1, 1, 0, 2, 2, 2], dtype=np.int8)
    derive.drop_stray_function_words(labels, norms)
    # "of the" between new words goes; "jailed for life", a run with content words, stays.
    assert labels.tolist() == [0, 0, 0, 0, 0, 0, 2, 2, 2]


def _seed_inputs(sample_corpus, seeds_result):
    """Each seed (target, outlet) group's prepared target, sources and derivation input."""
    from reprints.params import Params
    from reprints.scan import prepare_corpus

    docs = sorted(sample_corpus.documents, key=lambda d: d.id)
    by_id = {d.id: d for d in docs}
    _segments, _boilerplate, context = prepare_corpus(docs, Params())
    out = []
    for (target, _outlet), (source_ids, found) in derive.source_groups(
        seeds_result.matches, {d.id: d.outlet for d in docs}
    ).items():
        prepared = context.get(by_id[target])
        sources = [context.get(by_id[s]) for s in source_ids]
        out.append((prepared, sources, derive.derivation_input(prepared, sources, found)))
    assert out
    return out


def test_vectorised_word_features_follow_the_per_word_rules(sample_corpus, seeds_result):
    """Word kinds, capitals, words of the partner sentence and source counts of the seed groups
    are what testing each word on its own gives."""
    from collections import Counter

    col = {name: k for k, name in enumerate(derive.FEATURES)}
    for prepared, sources, item in _seed_inputs(sample_corpus, seeds_result):
        text, tokens = prepared.doc.text, prepared.tokens
        feats = derive.word_features(item)
        function = [w in FUNCTION_WORDS or not any(c.isalnum() for c in w) for w in tokens.norms]
        assert feats[:, col["function_word"]].tolist() == [float(f) for f in function]
        assert feats[:, col["number"]].tolist() == [float(any(c.isdigit() for c in w)) for w in tokens.norms]
        assert feats[:, col["capitalised"]].tolist() == [float(text[s:e][:1].isupper()) for s, e in zip(tokens.starts, tokens.ends, strict=True)]
        partner = item.partner_words
        in_partner = [bool(partner) and w in partner[s] for w, s in zip(tokens.norms, item.sentence_of.tolist(), strict=True)]
        assert any(in_partner)
        assert feats[:, col["in_partner"]].tolist() == [float(p) for p in in_partner]
        pair = [False] * len(in_partner)
        for k in range(len(pair) - 1):
            if item.sentence_of[k] == item.sentence_of[k + 1] and in_partner[k] and in_partner[k + 1]:
                pair[k] = pair[k + 1] = True
        assert feats[:, col["partner_bigram"]].tolist() == [float(p and not f) for p, f in zip(pair, function, strict=True)]
        counts = Counter(w for s in sources for w in s.tokens.norms)
        expected = np.log1p([float(counts[w]) for w in tokens.norms]) / len(sources)
        assert feats[:, col["log_source_count"]].tobytes() == np.clip(expected, 0, 1e6).tobytes()


def test_features_do_not_depend_on_what_the_cache_saw_before(sample_corpus, seeds_result):
    inputs = _seed_inputs(sample_corpus, seeds_result)
    shared = derive.WordCache()
    for _prepared, _sources, item in reversed(inputs):
        derive.word_features(item, shared)
    for _prepared, _sources, item in inputs:
        assert derive.word_features(item, shared).tobytes() == derive.word_features(item).tobytes()


def _stray_one_by_one(labels, norms):
    labels = labels.copy()
    k, n = 0, len(labels)
    while k < n:
        if labels[k] == derive.NEW:
            k += 1
            continue
        j = k
        while j < n and labels[j] != derive.NEW:
            j += 1
        if j - k <= derive.STRAY_WORDS and k > 0 and j < n and all(
            w in FUNCTION_WORDS or not any(c.isalnum() for c in w) for w in norms[k:j]
        ):
            labels[k:j] = derive.NEW
        k = j
    return labels


def _runs_one_by_one(starts, ends, labels):
    out, k = [], 0
    while k < len(labels):
        if labels[k] == derive.NEW:
            k += 1
            continue
        j = k
        while j + 1 < len(labels) and labels[j + 1] == labels[k]:
            j += 1
        out.append((int(starts[k]), int(ends[j]), int(labels[k])))
        k = j + 1
    return out


@settings(deadline=None, max_examples=80)
@given(st.lists(st.tuples(st.sampled_from(["the", "of", "court", "500", "—", "jailed", "a", "Leeds"]),
                          st.sampled_from([0, 1, 2])), max_size=30))
def test_stray_words_and_runs_match_the_word_by_word_loops(words):
    norms = tuple(w for w, _ in words)
    labels = np.array([k for _, k in words], dtype=np.int8)
    starts = np.arange(len(words), dtype=np.int64) * 10
    ends = starts + 4
    expected = _stray_one_by_one(labels, norms)
    for function in (None, derive.WordCache().kinds(norms)[0]):
        got = labels.copy()
        derive.drop_stray_function_words(got, norms, function)
        assert got.tolist() == expected.tolist()
    assert derive.word_runs(starts, ends, expected) == _runs_one_by_one(starts, ends, expected)


@settings(deadline=None, max_examples=60)
@given(st.lists(st.integers(0, 6), max_size=40), st.lists(st.lists(st.integers(0, 6), max_size=30), max_size=3),
       st.sampled_from(derive.RUN_LENGTHS))
def test_compiled_shared_runs_equal_the_numpy_path(target, sources, k):
    """The numba k-gram hashes and shared-run marks are the numpy path's, word for word."""
    ids = np.array(target, dtype=np.uint64)
    pools = [derive._gram_hashes(np.array(s, dtype=np.uint64), k) for s in sources]
    pool = np.sort(np.concatenate(pools)) if pools else np.zeros(0, dtype=np.uint64)
    grams = derive._gram_hashes(ids, k)
    marks = derive._covered(grams, pool, k, len(ids))
    kernels = (derive._gram_kernel, derive._cover_kernel)
    try:
        derive._gram_kernel = derive._cover_kernel = None
        assert derive._gram_hashes(ids, k).tobytes() == grams.tobytes()
        assert derive._covered(grams, pool, k, len(ids)).tolist() == marks.tolist()
    finally:
        derive._gram_kernel, derive._cover_kernel = kernels
    # a word is marked exactly when some k-gram through it occurs in a source
    runs = {tuple(s[i : i + k]) for s in sources for i in range(len(s) - k + 1)}
    expected = [any(tuple(target[i : i + k]) in runs for i in range(max(0, w - k + 1), min(w, len(target) - k) + 1))
                for w in range(len(target))]
    assert marks.tolist() == expected


@settings(deadline=None, max_examples=60)
@given(st.lists(st.floats(0.0, 1.0, allow_nan=False), max_size=60), st.lists(st.integers(0, 25), min_size=1, max_size=5))
def test_compiled_window_means_equal_numpys_running_sums(values, halves):
    """Window means from the numba running sum are numpy's, bit for bit (second-pass inputs are real probabilities)."""
    values = np.array(values, dtype=np.float64)
    got = derive._window_means(values, halves)
    column = np.stack([values, values[::-1]], axis=1)[:, 1]  # strided, as neighbour_features passes them
    got_column = derive._window_means(column, halves)
    kernel = derive._window_kernel
    try:
        derive._window_kernel = None
        expected = derive._window_means(values, halves)
        expected_column = derive._window_means(column, halves)
    finally:
        derive._window_kernel = kernel
    assert [g.tobytes() for g in got] == [e.tobytes() for e in expected]
    assert [g.tobytes() for g in got_column] == [e.tobytes() for e in expected_column]


@settings(deadline=None, max_examples=80)
@given(st.lists(st.booleans(), max_size=140))
def test_compiled_distances_to_marked_words_equal_the_numpy_path(marks):
    mark = np.array(marks, dtype=bool)
    got = derive._distance(mark)
    kernel = derive._distance_kernel
    try:
        derive._distance_kernel = None
        expected = derive._distance(mark)
    finally:
        derive._distance_kernel = kernel
    assert got.tobytes() == expected.tobytes()
    where = [i for i, m in enumerate(marks) if m]
    assert got.tolist() == [float(min([abs(i - w) for w in where] + [derive.DISTANCE_CAP])) for i in range(len(marks))]
