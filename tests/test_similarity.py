"""``similarity`` and ``SentenceScorer`` score rewordings of the seed articles high, the rest low."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import GOLD_L2, find_span
from reprints.errors import ParameterError
from reprints.normalize import sentence_spans
from reprints.similarity import FEATURES, WEIGHTS, SentenceScorer, similarity

NEWSY = st.text(alphabet=st.sampled_from(list("abcdeXYZ .,!?'\"\n-–“”‘’0123 Сοé")), max_size=200)

SOUTHFRONT_2015 = "003_d4c8003fef5c7388.txt"

# The whole of seed gold link L1 (conftest's GOLD_L1 holds only its opening words).
L1_FULL = (
    "001_ea1662580eef0643.txt",
    "a military and diplomatic source told Sputnik News that the first such extraction took place on August 26th, when a “US Air Force helicopter” evacuated 2 Daesh field commanders of “European origin” with members of their families.",
    "004_dc875d24e25a1aad.txt",
    "The source said that on August 26, a ‘US Air Force helicopter’ had evacuated 2 Daesh field commanders of ‘European origin’ with members of their families from an area located to the north-west of Deir ez-Zor at night.",
)


def _gold_texts(sample_texts: dict[str, str], link: tuple[str, str, str, str]) -> tuple[str, str]:
    file_a, needle_a, file_b, needle_b = link
    sa, ea = find_span(sample_texts[file_a], needle_a)
    sb, eb = find_span(sample_texts[file_b], needle_b)
    return sample_texts[file_a][sa:ea], sample_texts[file_b][sb:eb]


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_gold_rewordings_score_above_half(sample_texts):
    for link in (L1_FULL, GOLD_L2):
        a, b = _gold_texts(sample_texts, link)
        assert similarity(a, b) > 0.5


def test_unrelated_sentences_of_the_2015_story_score_low(sample_texts):
    a, _ = _gold_texts(sample_texts, GOLD_L2)
    for sentence in _sentences(sample_texts[SOUTHFRONT_2015])[:12]:
        assert similarity(a, sentence) < 0.3, sentence


def test_a_rewording_outscores_a_same_theme_sentence(sample_texts):
    a, b = _gold_texts(sample_texts, GOLD_L2)
    same_theme = (
        "The United States is said to have evacuated their allies IS terrorists from Syria."
    )
    assert same_theme in sample_texts[SOUTHFRONT_2015]
    assert similarity(a, b) > similarity(a, same_theme) + 0.3


def test_a_changed_number_lowers_the_score(sample_texts):
    _, b = _gold_texts(sample_texts, GOLD_L2)
    assert similarity(b, b.replace("20 Daesh", "200 Daesh")) < similarity(b, b.rstrip("a"))


def test_identical_and_empty_texts():
    line = "The source said that on August 26, a US Air Force helicopter had evacuated 2 Daesh field commanders"
    assert similarity(line, line) == 1.0
    assert similarity(line, "  " + line.upper() + " ") == 1.0  # folded words are the same
    assert similarity("", line) == 0.0
    assert similarity("", "") == 1.0


@given(NEWSY, NEWSY)
@settings(max_examples=80, deadline=None)
def test_similarity_is_a_symmetric_score_in_unit_range(a, b):
    forward = similarity(a, b)
    assert 0.0 <= forward <= 1.0
    assert forward == pytest.approx(similarity(b, a), abs=1e-12)


@given(NEWSY)
@settings(max_examples=40, deadline=None)
def test_a_text_is_fully_similar_to_itself(a):
    assert similarity(a, a) == 1.0


def test_score_matrix_finds_the_gold_sentence_among_the_whole_article(sample_texts):
    scorer = SentenceScorer().fit(sample_texts.values())
    a, b = _gold_texts(sample_texts, GOLD_L2)
    sentences_b = _sentences(sample_texts[GOLD_L2[2]])
    grid = scorer.score_matrix([a], sentences_b)
    assert grid.shape == (1, len(sentences_b))
    best = sentences_b[int(np.argmax(grid[0]))]
    assert b in best
    assert grid.min() >= 0.0 and grid.max() <= 1.0


def test_score_matrix_and_score_pairs_agree(sample_texts):
    scorer = SentenceScorer().fit(sample_texts.values())
    left = _sentences(sample_texts[L1_FULL[0]])[:9]
    right = _sentences(sample_texts[L1_FULL[2]])[:7]
    grid = scorer.score_matrix(left, right)
    flat_a = [x for x in left for _ in right]
    flat_b = [y for _ in left for y in right]
    pairs = scorer.score_pairs(flat_a, flat_b)
    np.testing.assert_allclose(grid.ravel(), pairs, atol=1e-9)
    np.testing.assert_allclose(grid, scorer.score_matrix(right, left).T, atol=1e-9)


def test_fitted_idf_discounts_words_common_in_the_corpus(sample_texts):
    scorer = SentenceScorer().fit(sample_texts.values())
    # Both pairs share three words; "Syria" is in every seed, "Kwiatkowski" in few.
    common = scorer.score("Fighting in Syria goes on", "Syria goes on")
    rare = scorer.score("Fighting near Kwiatkowski goes on", "Kwiatkowski goes on")
    assert rare > common


def test_bad_arguments_raise_parameter_errors():
    with pytest.raises(ParameterError, match="same length"):
        SentenceScorer().score_pairs(["a b"], [])
    with pytest.raises(ParameterError, match=str(len(FEATURES))):
        SentenceScorer(weights=WEIGHTS[:-1])
    assert SentenceScorer().score_matrix([], ["a b"]).shape == (0, 1)
