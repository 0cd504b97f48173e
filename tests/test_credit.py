"""Direction from dates, and credit to the source outlet under any of its names."""

from __future__ import annotations

import pytest

from reprints.credit import canonical_outlet, credited_outlets, credits, direction, reuse_credited
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
