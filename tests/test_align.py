"""Alignment finds the reworded passages a reader finds, with exact spans and edit scripts."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import GOLD_L1, GOLD_L2, find_span
from reprints import compare
from reprints.align import segment, sentence_norms
from reprints.model import Document
from reprints.normalize import tokenize
from reprints.params import Params
from reprints.scan import scan

DURAN = "004_dc875d24e25a1aad.txt"
WIRE = "001_ea1662580eef0643.txt"


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _pair_result(sample_corpus):
    docs = [d for d in sample_corpus.documents if d.id in {DURAN, WIRE}]
    return scan(docs, quotes=False)


def test_l1_and_l2_are_found_between_21st_century_wire_and_the_duran(sample_corpus, sample_texts):
    result = _pair_result(sample_corpus)
    for a_doc, a_text, b_doc, b_text in (GOLD_L1, GOLD_L2):
        gold_a = find_span(sample_texts[a_doc], a_text)
        gold_b = find_span(sample_texts[b_doc], b_text)
        hits = [
            m
            for m in result.matches
            if m.a.doc == a_doc
            and m.b.doc == b_doc
            and _overlap((m.a.start, m.a.end), gold_a) >= 0.5 * (gold_a[1] - gold_a[0])
            and _overlap((m.b.start, m.b.end), gold_b) >= 0.5 * (gold_b[1] - gold_b[0])
        ]
        assert hits, f"no match covers {a_text[:40]!r}"
        assert all(m.kind == "reworded" for m in hits)


def test_edit_script_marks_kept_and_changed_words_of_l2(sample_corpus, sample_texts):
    result = _pair_result(sample_corpus)
    wire, duran = sample_texts[WIRE], sample_texts[DURAN]
    gold_a = find_span(wire, GOLD_L2[1])
    match = next(m for m in result.matches if _overlap((m.a.start, m.a.end), gold_a) > 0)
    kept = {duran[e.b_start : e.b_end] for e in match.edits if e.op == "keep"}
    changed = [(wire[e.a_start : e.a_end], duran[e.b_start : e.b_end]) for e in match.edits if e.op == "change"]
    assert any("US choppers" in k for k in kept)
    assert any("ISIS" in a and "Daesh" in b for a, b in changed)
    assert match.verbatim_words > 0 and match.reworded_words > 0


def test_the_2015_southfront_piece_matches_nothing(sample_corpus):
    result = scan(sample_corpus.documents, quotes=False)
    negative = "003_d4c8003fef5c7388.txt"
    assert result.matches, "the seeds do share passages"
    assert not [m for m in result.matches if negative in (m.a.doc, m.b.doc)]


def test_a_text_compared_with_itself_is_one_verbatim_passage(sample_texts):
    text = sample_texts[DURAN]
    matches = compare(text, text)
    assert len(matches) == 1
    (match,) = matches
    assert match.kind == "verbatim"
    assert match.score > 0.99
    assert all(e.op == "keep" for e in match.edits)


def test_unrelated_articles_give_no_match(sample_texts):
    assert compare(sample_texts["003_d4c8003fef5c7388.txt"], sample_texts[DURAN]) == []


def test_a_paragraph_lifted_into_another_article_is_found_verbatim(sample_texts):
    lifted = sample_texts[DURAN][find_span(sample_texts[DURAN], "While Donald Trump famously")[0] :].split("\n\n")[0]
    host = sample_texts["003_d4c8003fef5c7388.txt"]
    cut = host.index("Independent confirmation")
    combined = host[:cut] + lifted + "\n\n" + host[cut:]
    (match,) = compare(sample_texts[DURAN], combined)
    assert match.kind == "verbatim"
    assert combined[match.b.start : match.b.end] == lifted.strip().rstrip(".")  or lifted.strip().startswith(
        combined[match.b.start : match.b.end]
    )


SENTENCES = st.lists(
    st.sampled_from(
        [
            "US choppers transferred 20 Daesh field commanders to northern Syria.",
            "The source said that on August 26, a US Air Force helicopter evacuated two commanders.",
            "The coalition's press office told Sputnik that the allegations were false.",
            "Kwiatkowski said this is standard operating procedure for black operations.",
            "Syrian government troops broke the siege of the city of Deir ez-Zor this week.",
        ]
    ),
    min_size=1,
    max_size=6,
)
NOISE = st.text(alphabet=st.sampled_from(list("ab \n\u00a0“”’—.")), max_size=20)


@given(SENTENCES, SENTENCES, NOISE, NOISE)
@settings(max_examples=25, deadline=None)
def test_match_and_edit_offsets_slice_back_to_the_original(first, second, pad_a, pad_b):
    text_a = pad_a + " ".join(first)
    text_b = "\n\n".join(second) + pad_b
    for m in compare(text_a, text_b):
        assert 0 <= m.a.start < m.a.end <= len(text_a)
        assert 0 <= m.b.start < m.b.end <= len(text_b)
        assert 0.0 <= m.score <= 1.0
        for e in m.edits:
            assert m.a.start <= e.a_start <= e.a_end <= m.a.end
            assert m.b.start <= e.b_start <= e.b_end <= m.b.end
            if e.op == "keep":
                assert tokenize(text_a[e.a_start : e.a_end]).norms == tokenize(text_b[e.b_start : e.b_end]).norms


def test_params_reach_alignment(sample_texts):
    text = sample_texts[DURAN]
    assert compare(text, text, min_words=100000) == []
    assert Params().min_words == 8


def test_documents_get_direction_from_dates():
    first = Document("x", "The coalition's press office told Sputnik that the allegations were plainly false and baseless.", outlet="Sputnik", date="2017-09-07")
    second = Document("y", "The coalition's press office told Sputnik that the allegations were plainly false and baseless, Sputnik reports.", outlet="The Duran", date="2017-09-08")
    (match,) = scan([second, first], quotes=False).matches
    assert match.direction == "a->b"
    assert match.credited is True


MOVED_A = (
    "US Air Force helicopters evacuated a group of Daesh field commanders from Deir ez-Zor "
    "on Friday, a military and diplomatic source told Sputnik."
)
MOVED_B = (
    "A military and diplomatic source told Sputnik that a group of Daesh field commanders "
    "was evacuated from Deir ez-Zor on Friday by US Air Force helicopters."
)


def _kept_b_words(matches) -> set[str]:
    return {
        MOVED_B[e.b_start : e.b_end]
        for m in matches
        for e in m.edits
        if e.op == "keep" and e.b_end - e.b_start and " " not in MOVED_B[e.b_start : e.b_end]
    }


def test_words_a_rewrite_moves_are_kept_not_changed():
    moved = compare(MOVED_A, MOVED_B)
    in_order = compare(MOVED_A, MOVED_B, moved_words=False)
    assert moved and in_order
    # difflib keeps one of the two clauses in order; the other clause's names move.
    newly_kept = _kept_b_words(moved) - _kept_b_words(in_order)
    assert "helicopters" in newly_kept or "Sputnik" in newly_kept
    # Each moved keep pairs the same word on both sides, and function words never move.
    for m in moved:
        for e in m.edits:
            if e.op == "keep":
                assert MOVED_A[e.a_start : e.a_end].lower() == MOVED_B[e.b_start : e.b_end].lower()
    # Function words move only inside a moved phrase, next to a moved content word.
    moved_keeps = sorted(
        (e.b_start, e.b_end)
        for m in moved
        for e in m.edits
        if e.op == "keep" and MOVED_B[e.b_start : e.b_end] in newly_kept
    )
    for k, (start, end) in enumerate(moved_keeps):
        if MOVED_B[start:end].lower() in {"a", "of", "by", "on", "the", "from"}:
            near = moved_keeps[max(0, k - 1) : k] + moved_keeps[k + 1 : k + 2]
            assert any(abs(s - end) <= 1 or abs(start - e) <= 1 for s, e in near)
    # kind and the verbatim word count still describe the in-order script.
    assert [(m.kind, m.verbatim_words) for m in moved] == [(m.kind, m.verbatim_words) for m in in_order]


WORDS = ["the", "of", "court", "heard", "a", "judge", "fined", "pharmacist", "and", "baby", "."]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=25),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=25),
)
def test_stray_kept_function_words_fold_into_changes(a_words, b_words):
    from reprints.align import drop_stray_keeps, edit_script
    from reprints.tfidf import FUNCTION_WORDS

    a, b = tokenize(" ".join(a_words)), tokenize(" ".join(b_words))
    assume(len(a) > 0 and len(b) > 0)  # a lone "." is no word
    ops = edit_script(a, (0, len(a)), b, (0, len(b)))
    folded = drop_stray_keeps(a, ops)
    # Still one contiguous script over both sides, with the same kept content words.
    assert folded[0][1] == 0 and folded[0][3] == 0
    assert folded[-1][2] == len(a) and folded[-1][4] == len(b)
    for (_o, _i1, i2, _j1, j2), (_p, k1, _k2, l1, _l2) in pairwise(folded):
        assert (i2, j2) == (k1, l1)
    def content_kept(script):
        return [
            a.norms[i] for op, i1, i2, _j1, _j2 in script if op == "keep"
            for i in range(i1, i2) if a.norms[i] not in FUNCTION_WORDS and a.norms[i] != "."
        ]
    assert content_kept(folded) == content_kept(ops)
    # No lone keep of one or two function words is left between two changed stretches.
    for k in range(1, len(folded) - 1):
        op, i1, i2, _j1, _j2 = folded[k]
        if op == "keep" and folded[k - 1][0] != "keep" and folded[k + 1][0] != "keep":
            assert i2 - i1 > 2 or any(a.norms[i] not in FUNCTION_WORDS and a.norms[i] != "." for i in range(i1, i2))


def test_sentences_break_at_the_documents_paragraph_mark():
    text = "Leaders met in Helsinki on Monday ### The summit ended without a joint statement"
    plain = segment(Document("a.txt", text))[1]
    marked = segment(Document("a.txt", text, paragraph_mark="###"))[1]
    assert len(plain) == 1
    assert [text[s:e] for s, e in marked] == [
        "Leaders met in Helsinki on Monday",
        "The summit ended without a joint statement",
    ]


def test_a_followed_plan_prepares_ahead_and_forgets_after_the_last_use(sample_corpus):
    from reprints.align import AlignContext, fit_model, prepare_many

    docs = sorted(sample_corpus.documents, key=lambda d: d.id)
    segments = [segment(d) for d in docs]
    model = fit_model([(tokens, ranges) for tokens, _spans, ranges in segments])
    expected = prepare_many(docs, segments, model)
    context = AlignContext(Params(), model)
    plan = [docs[0], docs[1], docs[0], docs[2]]
    context.follow(plan, batch=2)
    first = context.get(docs[0])
    assert set(context.prepared) == {docs[0].id, docs[1].id}  # prepared two at a time
    for doc in plan[1:]:
        got = context.get(doc)
        assert (got.vectors.tfidf != expected[doc.id].vectors.tfidf).nnz == 0
    assert (first.vectors.content != expected[docs[0].id].vectors.content).nnz == 0
    assert context.prepared == {}  # each was forgotten after its last planned use
    assert context.get(docs[3]).doc is docs[3]  # outside a plan, documents stay
    assert docs[3].id in context.prepared


WORDS = st.sampled_from(["the", "of", "said", "it's", "Sputnik", "sputnik", "syria", "é", "naïve", "l'équipe", "20",
                         "commanders", "isis", "a", "ок", "東京", "déjà-vu", "x" * 40, "don't", "’"])


@settings(deadline=None)
@given(st.lists(st.lists(WORDS, max_size=12), min_size=1, max_size=8))
def test_hashed_sentence_terms_equal_hashing_vectorizers(sentences):
    """The numba term hashing gives scikit-learn HashingVectorizer's matrices, column for column."""
    from reprints import tfidf

    sentences = [tuple(s) for s in sentences]
    fast, reference = tfidf._term_counts(sentences), tfidf._vectorizer_term_counts(sentences)
    assert fast.shape == reference.shape
    assert (fast != reference).nnz == 0 and fast.has_sorted_indices
    fast_tri = tfidf._trigram_matrix(sentences)
    reference_tri = tfidf._TRIGRAMS.transform([tfidf.sentence_trigrams(s) for s in sentences]).tocsr()
    assert (fast_tri != reference_tri).nnz == 0
    # the word ids worked out once serve both matrices (as SentenceModel.transform does)
    ids = tfidf._WORDS.word_ids(sentences)
    assert (tfidf._term_counts(sentences, ids) != reference).nnz == 0
    assert (tfidf._trigram_matrix(sentences, ids) != reference_tri).nnz == 0


def test_sentence_rows_are_scipys_row_slices(sample_corpus):
    """``tfidf.rows`` cuts a document's sentences out of a block as scipy's slicing would."""
    import numpy as np

    from reprints import tfidf
    from reprints.align import fit_model

    docs = sorted(sample_corpus.documents, key=lambda d: d.id)
    segments = [segment(d) for d in docs]
    model = fit_model([(tokens, ranges) for tokens, _spans, ranges in segments])
    vectors = model.transform([n for tokens, _s, ranges in segments for n in sentence_norms(tokens, ranges)])
    at = 0
    for _tokens, _spans, ranges in segments:
        part = tfidf.rows(vectors, at, at + len(ranges))
        for name in ("tfidf", "content", "trigrams"):
            mine, scipys = getattr(part, name), getattr(vectors, name)[at : at + len(ranges)]
            assert mine.shape == scipys.shape and (mine != scipys).nnz == 0
            assert np.array_equal(mine.indptr, scipys.indptr) and np.array_equal(mine.indices, scipys.indices)
        assert part.mass.tolist() == vectors.mass[at : at + len(ranges)].tolist()
        at += len(ranges)
    assert at == vectors.tfidf.shape[0] > 100


def _prepared_seeds(sample_corpus):
    from reprints.align import fit_model, prepare_many

    docs = sorted(sample_corpus.documents, key=lambda d: d.id)
    segments = [segment(d) for d in docs]
    model = fit_model([(tokens, ranges) for tokens, _spans, ranges in segments])
    return prepare_many(docs, segments, model)


def test_sentence_score_products_equal_tfidf_pair_product_bit_for_bit(sample_corpus, monkeypatch):
    """The compiled dense blocks give tfidf.pair_product's products exactly, on every seed pair."""
    import numpy as np

    from reprints import align, tfidf

    prepared = list(_prepared_seeds(sample_corpus).values())
    for a in prepared:
        for b in prepared:
            for name in ("tfidf", "content", "trigrams"):
                x, y = getattr(a.vectors, name), getattr(b.vectors, name)
                expected = tfidf.pair_product(x, y)
                got = align._pair_product(x, y)
                assert got.dtype == expected.dtype and got.shape == expected.shape
                assert got.tobytes() == expected.tobytes()
            binary = b.vectors.content.copy()
            binary.data[:] = 1.0
            expected = tfidf.pair_product(a.vectors.content, binary)
            assert align._pair_product(a.vectors.content, b.vectors.content, binary_b=True).tobytes() == expected.tobytes()
            assert b.vectors.content.data.max() > 1.0  # the binary copy was not written back
    # blocks too big to make dense go the sparse way, as in tfidf.pair_product
    monkeypatch.setattr(align, "_DENSE_CELLS", 0)
    a, b = prepared[0], prepared[1]
    assert np.allclose(align._pair_product(a.vectors.tfidf, b.vectors.tfidf), tfidf.pair_product(a.vectors.tfidf, b.vectors.tfidf))


def _headlines_one_by_one(text, tokens, ranges):
    """The per-sentence, per-word rule ``align._headlines`` computes in one pass."""
    from reprints.align import HEADLINE_CAPITALISED

    out = []
    for i, j in ranges:
        words = [text[tokens.starts[t]] for t in range(i, j) if tokens.norms[t].isalpha()]
        out.append(len(words) >= 3 and sum(w.isupper() for w in words) > HEADLINE_CAPITALISED * len(words))
    return out


def test_headlines_and_capitals_of_the_seeds_follow_the_per_word_rule(sample_corpus):
    from reprints.align import _headlines, capital_initials

    found = 0
    for doc in sample_corpus.documents:
        tokens, _spans, ranges = segment(doc)
        assert capital_initials(doc.text, tokens.starts).tolist() == [doc.text[s].isupper() for s in tokens.starts]
        headlines = _headlines(doc.text, tokens, ranges)
        assert headlines.tolist() == _headlines_one_by_one(doc.text, tokens, ranges)
        found += int(headlines.sum())
    assert found  # the seeds have Title Case lines (menus, related-story links)


TITLE_WORDS = st.sampled_from(["The", "the", "Élan", "élan", "Straße", "ǅemal", "iPhone", "3D", "МОСКВА", "Москва",
                               "and", "U.S.", "O'Brien", "ΑΘΗΝΑ", "東京", "Ⅻ", "ﬁnal", "Ǉ", "NATO", "x"])


@settings(deadline=None, max_examples=60)
@given(st.lists(st.lists(TITLE_WORDS, min_size=1, max_size=8), min_size=1, max_size=6))
def test_headlines_follow_the_per_word_rule_on_any_letters(lines):
    from reprints.align import _headlines, capital_initials

    doc = Document("d", "\n\n".join(" ".join(line) for line in lines))
    tokens, _spans, ranges = segment(doc)
    assert capital_initials(doc.text, tokens.starts).tolist() == [doc.text[s].isupper() for s in tokens.starts]
    assert _headlines(doc.text, tokens, ranges).tolist() == _headlines_one_by_one(doc.text, tokens, ranges)


def _difflib_script(a_words, b_words):
    from difflib import SequenceMatcher

    names = {"equal": "keep", "replace": "change", "delete": "drop", "insert": "add"}
    matcher = SequenceMatcher(None, a_words, b_words, autojunk=False)
    return [(names[tag], i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]


@settings(deadline=None, max_examples=200)
@given(st.lists(st.sampled_from("abcde"), max_size=40), st.lists(st.sampled_from("abcdef"), max_size=40))
def test_compiled_edit_script_is_difflibs(a_words, b_words):
    """Same longest matches, same ties, same opcodes as SequenceMatcher(autojunk=False), on
    sequences full of repeats (where ties decide)."""
    from reprints.align import edit_script
    from reprints.normalize import Tokens

    def tokens(words):
        import numpy as np

        return Tokens(np.zeros(len(words), dtype=np.int64), np.zeros(len(words), dtype=np.int64), tuple(words))

    from reprints import align

    expected = _difflib_script(a_words, b_words)
    assert edit_script(tokens(a_words), (0, len(a_words)), tokens(b_words), (0, len(b_words))) == expected
    kernel = align._opcodes_kernel
    try:  # and the path without numba
        align._opcodes_kernel = None
        assert edit_script(tokens(a_words), (0, len(a_words)), tokens(b_words), (0, len(b_words))) == expected
    finally:
        align._opcodes_kernel = kernel


def test_edit_scripts_of_seed_passages_are_difflibs(sample_corpus):
    """Every seed article against every other, whole texts and each sentence pair's ranges."""
    from reprints.align import edit_script

    docs = sorted(sample_corpus.documents, key=lambda d: d.id)
    segments = [segment(d) for d in docs]
    for tokens_a, _s, ranges_a in segments:
        for tokens_b, _t, ranges_b in segments:
            whole_a, whole_b = (0, len(tokens_a)), (0, len(tokens_b))
            assert edit_script(tokens_a, whole_a, tokens_b, whole_b) == [
                (op, i1, i2, j1, j2) for op, i1, i2, j1, j2 in _difflib_script(tokens_a.norms, tokens_b.norms)
            ]
            for (i, j), (k, m) in zip(ranges_a[:6].tolist(), ranges_b[:6].tolist(), strict=False):
                expected = _difflib_script(tokens_a.norms[i:j], tokens_b.norms[k:m])
                assert edit_script(tokens_a, (i, j), tokens_b, (k, m)) == [
                    (op, i + i1, i + i2, k + j1, k + j2) for op, i1, i2, j1, j2 in expected
                ]


@settings(deadline=None)
@given(st.lists(st.lists(WORDS, max_size=12), min_size=1, max_size=8), st.integers(0, 8))
def test_sentence_frequencies_from_word_ids_are_the_reference_counts(sentences, cut):
    """Each term counts once per sentence, from the sentences' words or from two texts' word ids."""
    import numpy as np

    from reprints import tfidf
    from reprints.normalize import word_ids

    sentences = [tuple(s) for s in sentences]
    reference = tfidf._vectorizer_term_counts(sentences)
    expected = np.bincount(reference.indices, minlength=tfidf.UNIGRAM_BUCKETS + tfidf.BIGRAM_BUCKETS)
    texts, ranges = [], []
    for part in (sentences[:cut], sentences[cut:]):  # a word between sentences belongs to none
        words: list[str] = []
        spans = []
        for norms in part:
            words.append("between")
            spans.append((len(words), len(words) + len(norms)))
            words.extend(norms)
        texts.append(word_ids(words))
        ranges.append(np.asarray(spans, dtype=np.int64).reshape(-1, 2))
    ids = tfidf.sentence_word_ids(texts, ranges)
    assert ids[0].tolist() == word_ids([w for s in sentences for w in s]).tolist()
    for given_ids in (None, ids):
        counted = tfidf.SentenceFrequencies()
        counted.add(sentences, given_ids)
        assert np.array_equal(counted.df, expected) and counted.sentences == len(sentences)
    kernel, tfidf._term_kernel = tfidf._term_kernel, None  # the path without numba
    try:
        counted = tfidf.SentenceFrequencies()
        counted.add(sentences, ids)
    finally:
        tfidf._term_kernel = kernel
    assert np.array_equal(counted.df, expected)


def test_a_word_utf8_cannot_encode_raises_as_hashing_vectorizer_does_and_only_then():
    import pytest

    from reprints import tfidf

    counted = tfidf.SentenceFrequencies()
    with pytest.raises(UnicodeEncodeError):
        counted.add([("lone\ud800", "word")])
    counted.add([("fine", "words")])  # the bad word stays out of later batches
    assert counted.sentences == 1
