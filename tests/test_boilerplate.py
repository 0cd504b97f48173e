"""Boilerplate: repeated outlet furniture and corpus-wide stock lines are marked, not matched."""

from __future__ import annotations

from reprints.align import segment
from reprints.boilerplate import find_boilerplate
from reprints.model import Document
from reprints.params import Params

STOCK = "Follow us on Twitter and Facebook for the latest breaking news and analysis from the region."


def _bodies(sample_texts) -> list[str]:
    """Distinct real paragraphs from the seed articles, one per made-up article."""
    paragraphs = [
        p.strip()
        for text in sample_texts.values()
        for p in text.split("\n\n")
        if len(p.split()) > 25
    ]
    return paragraphs[:8]


def test_a_stock_line_in_many_outlets_is_corpus_boilerplate(sample_texts):
    bodies = _bodies(sample_texts)
    docs = [Document(f"d{k}.txt", f"{body}\n\n{STOCK}", outlet=f"Outlet {k}") for k, body in enumerate(bodies)]
    found = find_boilerplate(docs, [segment(d) for d in docs], Params())
    assert {b.span.doc for b in found} == {d.id for d in docs}
    for item in found:
        doc = next(d for d in docs if d.id == item.span.doc)
        assert doc.text[item.span.start : item.span.end] == STOCK
        assert item.reason == "corpus"
        assert item.count == len(docs)


def test_a_line_in_two_articles_is_not_boilerplate(sample_texts):
    bodies = _bodies(sample_texts)[:4]
    docs = [Document(f"d{k}.txt", body + ("\n\n" + STOCK if k < 2 else ""), outlet="One Outlet") for k, body in enumerate(bodies)]
    assert find_boilerplate(docs, [segment(d) for d in docs], Params()) == []


def test_the_seed_comment_policy_seen_once_is_not_boilerplate(sample_corpus):
    docs = sample_corpus.documents
    found = find_boilerplate(docs, [segment(d) for d in docs], Params())
    assert found == []
