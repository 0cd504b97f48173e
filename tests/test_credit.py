"""Direction from dates, and credit to the source outlet under any of its names."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reprints.credit import (
    canonical_outlet,
    credit_pattern,
    credited_outlets,
    credits,
    direction,
    reuse_credited,
)
from reprints.model import Document


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("a military and diplomatic source told Sputnik News that the first such extraction", "Sputnik"),
        ("Sputnik reports,", "sputniknews.com"),
        ("WASHINGTON (AP) — President Donald Trump said on Monday", "Associated Press"),
        ("The summit ended without a statement. — Reuters", "Reuters"),
        ("according to AFP, the talks lasted two hours", "Agence France-Presse"),
        ("By The Associated Press", "AP"),
        ("the Syrian Arab News Agency (SANA) said", "SANA"),
    ],
)
def test_credits_are_found_under_aliases(text, outlet):
    assert credits(text, outlet)


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("The AP Stylebook and an AP exam were mentioned", "Associated Press"),
        ("Prices rose 3 per cent, PA figures from the council show", "Press Association"),
        ("The United States is said to have evacuated their allies", "Sputnik"),
    ],
)
def test_ordinary_words_are_not_credits(text, outlet):
    assert not credits(text, outlet)


def test_canonical_names_fold_domains_and_case():
    assert canonical_outlet("sputniknews.com") == "Sputnik"
    assert canonical_outlet("Sputnik News") == "Sputnik"
    assert canonical_outlet("www.reuters.com/article") == "Reuters"
    assert canonical_outlet("the associated press") == "Associated Press"
    assert canonical_outlet("yahoo.com/news") == "yahoo.com/news"


def test_seed_credits(sample_corpus):
    docs = {d.id: d for d in sample_corpus.documents}
    sputnik = docs["000_01f78c86e39ec8cf.txt"]
    for reuser in ("001_ea1662580eef0643.txt", "002_0eec5a486a0ac0bb.txt", "004_dc875d24e25a1aad.txt"):
        assert reuse_credited(sputnik, docs[reuser]) is True
    assert reuse_credited(docs["001_ea1662580eef0643.txt"], sputnik) is False
    assert "Reuters" in credited_outlets("WASHINGTON (Reuters) - The summit")


def test_direction_follows_dates():
    early = Document("a", "x", date="2018-07-15T07:54:28-04:00")
    late = Document("b", "x", date="2018-07-15T13:00:00+01:00")
    undated = Document("c", "x")
    same_day = Document("d", "x", date="2018-07-15")
    assert direction(early, late) == "a->b"
    assert direction(late, early) == "b->a"
    assert direction(early, undated) == "undirected"
    assert direction(early, same_day) == "undirected"


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("President Trump speaks in Helsinki. (AP Photo/Pablo Martinez Monsivais)", "Associated Press"),
        ("The two leaders shake hands. Evan Vucci/Associated Press", "Associated Press"),
        ("Copyright 2018 The Associated Press. All rights reserved.", "Associated Press"),
        ("© 2018 Thomson Reuters. All rights reserved.", "Reuters"),
        ("The palace in Helsinki. (Jorge Silva/Reuters)", "Reuters"),
        ("Photo by Reuters", "Reuters"),
        ("The Associated Press Stylebook is updated every year.", "Associated Press"),
        ("like Reuters and Bloomberg, most outlets covered the summit", "Reuters"),
    ],
)
def test_captions_copyright_lines_and_bare_mentions_are_not_credits(text, outlet):
    assert not credits(text, outlet)


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("Sputnik has reported that a presently undisclosed source", "Sputnik"),
        ("The Russian state-run media outlet Sputnik said on September 7", "Sputnik"),
        ("BRUSSELS (Reuters) - The summit opened", "Reuters"),
        ("By Reuters\nThe summit opened", "Reuters"),
        ("summit ### By Jill Colvin, Associated Press ### President Trump", "Associated Press"),
        ("The summit ended. ### — Reuters ### Related", "Reuters"),
        ("Associated Press writers Ken Thomas and Zeke Miller contributed.", "Associated Press"),
        ("a diplomatic source told Sputnik News on Friday", "sputniknews.com"),
        ("This report contains material from Bloomberg News, Reuters and The Associated Press.", "Reuters"),
        ("The Associated Press — By David Koenig - AP Business Writer", "Associated Press"),
    ],
)
def test_crediting_forms_count_anywhere_even_between_paragraph_marks(text, outlet):
    assert credits(text, outlet)


def test_a_caption_or_copyright_line_alone_does_not_credit_a_seed_reuse(sample_corpus):
    docs = {d.id: d for d in sample_corpus.documents}
    sputnik, duran = docs["000_01f78c86e39ec8cf.txt"], docs["004_dc875d24e25a1aad.txt"]
    without = dataclasses.replace(
        duran,
        text=duran.text.replace("Sputnik has reported", "It has been reported").replace(
            "Sputnik reports,", "It reports,"
        ),
    )
    assert reuse_credited(sputnik, without) is False
    captioned = dataclasses.replace(
        without, text=without.text + "\n(Sputnik Photo/Staff)\nCopyright 2017 Sputnik News."
    )
    assert reuse_credited(sputnik, captioned) is False
    signed = dataclasses.replace(without, text=without.text + "\n— Sputnik")
    assert reuse_credited(sputnik, signed) is True


def test_byline_forms_are_the_wire_rules_and_leave_body_attributions_out():
    told = "A diplomatic source told Reuters on Monday that talks had stalled."
    assert credits(told, "Reuters")
    assert not credit_pattern("Reuters", byline=True).search(told)
    assert credit_pattern("Agence France-Presse", byline=True).search("The talks stalled.\n© 2018 AFP")
    assert credit_pattern("Agence France-Presse", byline=True).search("Talks stalled.\nAFP\n")


_PIECES = (
    "(AP)", "( Reuters )", "told Sputnik", "told sputnik", "By REUTERS", "by the Associated Press",
    "İnterfax reports", "ınterfax", "INTERFAX", "sputniknews.com", "ap", "AP", "Associated Press", "—", " — ",
    "\n", " ", "says", "reports", "according to", "AFP", "Afp", "TASS", "ſputnik", "###", "Photo by",
    "Moscow", "the", "wrote", "© 2018", "/", "JILL COLVIN", "Sputnik News", "Reuters.", "Kremlin",
)


@example(["İnterfax reports"], "Interfax")
@example(["ınterfax", "reports"], "Interfax")
@example(["told", "ſputnik"], "Sputnik")
@given(
    st.lists(st.sampled_from(_PIECES), max_size=14),
    st.sampled_from(("AP", "Sputnik", "Reuters", "Interfax", "AFP", "TASS", "sputniknews.com")),
)
def test_credits_agrees_with_its_pattern(pieces, outlet):
    """The quick name check before the pattern never changes the answer."""
    text = " ".join(pieces)
    assert credits(text, outlet) == (credit_pattern(outlet).search(text) is not None)
