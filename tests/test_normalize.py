"""The tokenizer, sentence splitter and comparison view keep exact offsets into the original."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reprints.normalize import comparison_view, fold, paragraph_spans, sentence_spans, tokenize

NEWSY = st.text(
    alphabet=st.sampled_from(list("abcXYZ .,!?'\"\n-–—“”‘’«»\u00a0Сοé0123ﬁ")), max_size=300
)


@given(NEWSY)
@settings(max_examples=300)
def test_token_offsets_slice_back_to_the_original(text):
    tokens = tokenize(text)
    for start, end, norm in zip(tokens.starts, tokens.ends, tokens.norms, strict=True):
        piece = text[start:end]
        assert piece and fold(piece) == norm


@given(NEWSY)
@settings(max_examples=300)
def test_sentences_are_ordered_trimmed_slices(text):
    last = 0
    for start, end in sentence_spans(text):
        assert last <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        last = end


@given(NEWSY)
@settings(max_examples=200)
def test_view_maps_back_into_the_original(text):
    view = comparison_view(text)
    assert len(view.source) == len(view.text) + 1
    for i in range(len(view.text)):
        s, e = view.original(i, i + 1)
        assert 0 <= s < e <= len(text)


def test_homoglyph_and_no_break_space_fold_but_original_is_kept(sample_texts):
    text = sample_texts["000_01f78c86e39ec8cf.txt"]
    tokens = tokenize(text)
    i = tokens.norms.index("comment")
    # The seed page writes "Сomment" with a Cyrillic capital Es; the original keeps it.
    hits = [text[tokens.starts[j] : tokens.ends[j]] for j, n in enumerate(tokens.norms) if n == "comment"]
    assert "\u0421omment" in hits
    assert i >= 0
    assert "\u00a0" in text


def test_sentence_splitter_knows_news_abbreviations():
    text = (
        'Retired US Air Force Lieut Col. Karen Kwiatkowski spoke on Sept. 7 in the U.S. '
        'The U.S. military denied it. "It is false. Completely," the office said. "Is it?" he asked.'
    )
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == [
        "Retired US Air Force Lieut Col. Karen Kwiatkowski spoke on Sept. 7 in the U.S.",
        "The U.S. military denied it.",
        '"It is false.',
        'Completely," the office said.',
        '"Is it?" he asked.',
    ]


def test_hard_wrapped_wire_copy_joins_lines_but_keeps_paragraphs():
    # Wire copy as agencies file it: lines broken at a fixed width, "<" ending a paragraph.
    text = (
        "The jury in the harbour fraud trial were today resuming their deliberations\n"
        "for a third day.<\n"
        "\x19The nine men and three women have so far spent just over 12 hours considering\n"
        "their verdicts on 11 fraud charges at Exeter Crown Court since retiring on\n"
        "Tuesday morning.<\n"
    )
    paras = [text[s:e] for s, e in paragraph_spans(text)]
    assert len(paras) == 2
    assert paras[0].startswith("The jury") and paras[0].endswith("third day.<")


# The vectorised path of `tokenize` (long texts) must give the regex path's tokens exactly.
TRICKY = st.text(
    alphabet=st.sampled_from(
        list("abcXYZ019 _'’ʼ`‘\n\t.,-–—“”\u00a0\u202f\u2009")
        + list("СсаеоріΑοéÉßİﬁ²٣\u0301")  # lookalikes, accents, ligature, odd digits, combining
        + ["𝐀", "😀"]  # outside the Basic Multilingual Plane
    ),
    min_size=0,
    max_size=600,
)


def _same_tokens(a, b) -> bool:
    return a.norms == b.norms and list(a.starts) == list(b.starts) and list(a.ends) == list(b.ends)


@given(TRICKY)
@settings(max_examples=300, deadline=None)
def test_fast_tokenizer_gives_the_regex_tokens(text):
    from reprints import normalize

    expected = normalize._tokenize_regex(text)
    assert _same_tokens(tokenize(text), expected)
    for kernel in ([None], list(normalize._kernel)):  # the numpy twin, then numba (if installed)
        saved = list(normalize._kernel)
        normalize._kernel[:] = kernel
        try:
            fast = normalize._tokenize_codes(text)
        finally:
            normalize._kernel[:] = saved
        assert fast is None or _same_tokens(fast, expected)


def test_fast_tokenizer_matches_on_real_articles(sample_texts):
    from reprints import normalize

    for text in sample_texts.values():
        assert len(text) >= normalize._FAST_MIN_CHARS
        assert _same_tokens(normalize._tokenize_codes(text), normalize._tokenize_regex(text))


def test_lone_surrogate_falls_back_to_the_regex_path():
    text = "The minister\ud800 said it was final. " * 10
    tokens = tokenize(text)
    assert tokens.norms[:3] == ("the", "minister", "said")


def test_word_ids_number_each_word_once_in_the_order_first_seen():
    from reprints.normalize import VOCABULARY, word_ids

    words = ["zxq-alpha", "zxq-gamma", "zxq-alpha", "zxq-beta"]
    first = word_ids(words)
    assert first.tolist() == [first[0], first[0] + 1, first[0], first[0] + 2]  # new words take the next ids
    assert [VOCABULARY.words[k] for k in first.tolist()] == words
    assert word_ids(("zxq-beta", "zxq-alpha")).tolist() == [first[3], first[0]]
    assert word_ids(iter([])).dtype.kind == "i" and len(word_ids([])) == 0


SENTENCY = st.text(alphabet=st.sampled_from(list("aZ .!?…'\"”’»)]“(\n\u00a0ŞU.S.")), max_size=200)


@given(SENTENCY)
@settings(max_examples=400)
def test_sentence_boundaries_tried_at_stops_are_finditers(text):
    """The splitter tries its boundary regex only at [.!?…]; it must find what ``finditer`` finds."""
    from reprints import normalize

    stops = normalize._stop_offsets(text)
    assert [m.span() for m in normalize._BOUNDARY_RE.finditer(text)] == list(normalize._boundaries(text, stops))
    regex_path = [s for a, b in paragraph_spans(text) for s in normalize._split_paragraph(text, a, b)]
    assert sentence_spans(text) == regex_path


def test_sentence_splitter_takes_lone_surrogates():
    text = "He said it.\ud800 Then he left. The U.S. Army. "
    assert [text[a:b] for a, b in sentence_spans(text)] == ["He said it.\ud800 Then he left.", "The U.S. Army."]
