"""Boilerplate: repeated outlet furniture and corpus-wide stock lines are marked, not matched."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reprints.align import segment
from reprints.boilerplate import CHROME_MAX_WORDS, find_boilerplate, page_chrome
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


def test_the_seed_comment_policy_seen_once_is_not_outlet_boilerplate(sample_corpus):
    docs = sample_corpus.documents
    found = find_boilerplate(docs, [segment(d) for d in docs], Params(chrome_lines=0))
    assert found == []


def test_seed_page_chrome_is_marked_and_article_text_is_not(sample_corpus):
    docs = sample_corpus.documents
    found = find_boilerplate(docs, [segment(d) for d in docs], Params())
    assert {b.reason for b in found} == {"page"}
    texts = {d.id: d.text for d in docs}
    chrome = {doc_id: [texts[doc_id][b.span.start : b.span.end] for b in found if b.span.doc == doc_id] for doc_id in texts}
    sputnik = " ".join(chrome["000_01f78c86e39ec8cf.txt"])
    # The top menu's dateline "19:33 GMT +309 September 2017" reads as a label: numbers do not
    # count as words, so the menu around it is one run.
    assert any(s.startswith("Register\n19:33 GMT") and s.endswith("Islamic state") for s in chrome["000_01f78c86e39ec8cf.txt"])
    for menu in ("Get short URL", "Community standards", "Comment via Facebook", "All news", "Log inPrivacy Policy", "Password recovery"):
        assert menu in sputnik
    assert any(s.startswith("65 points") and "Downvotes: 6" in s for s in chrome["004_dc875d24e25a1aad.txt"])
    assert chrome["003_d4c8003fef5c7388.txt"] == [] and chrome["001_ea1662580eef0643.txt"] == []
    # No sentence of the articles' prose is inside page chrome.
    for item in found:
        inside = texts[item.span.doc][item.span.start : item.span.end]
        assert "Kwiatkowski" not in inside and "Sputnik that" not in inside
        assert all(len(line.split()) <= CHROME_MAX_WORDS for line in inside.splitlines())


def test_prose_in_a_narrow_column_is_not_page_chrome():
    column = (
        "The court heard that\nthe two men had been\ndrinking in a pub in\nthe town centre before\n"
        "they walked to the\nstation, where the\nattack took place.\n"
    )
    assert page_chrome(column, 4) == []


def test_a_menu_is_page_chrome_with_exact_offsets():
    text = "Home\nWorld\nBusiness\nSport\n\nMinisters met on Monday to agree a budget for the year.\n"
    [(start, end)] = page_chrome(text, 4)
    assert text[start:end] == "Home\nWorld\nBusiness\nSport"
    assert page_chrome(text, 5) == []


def test_prose_broken_at_every_few_words_is_not_page_chrome():
    # Text taken from markup often keeps a line break at every tag.
    broken = "Angel-faced \nJohn Smith \nwas given old-fashioned \npeppermint water \nand \nfined £1,000 \nby magistrates.\n"
    assert page_chrome(broken, 4) == []


def test_a_one_word_line_in_many_articles_is_not_boilerplate(sample_texts):
    bodies = _bodies(sample_texts)[:4]
    docs = [Document(f"d{k}.txt", f"Mr\n\n{body}", outlet="One Outlet") for k, body in enumerate(bodies)]
    found = find_boilerplate(docs, [segment(d) for d in docs], Params(chrome_lines=0))
    assert found == []


def test_page_chrome_from_the_texts_tokens_equals_page_chrome_from_each_line(sample_texts):
    from reprints.normalize import tokenize

    texts = [*sample_texts.values(), "Log in\nSign up\n\nTotal votes: 77\nPrivacy Policy\nContact us\nBody text follows here."]
    for text in texts:
        for lines in (2, 3, 4):
            assert page_chrome(text, lines, tokenize(text)) == page_chrome(text, lines)


@given(st.lists(st.sampled_from(["Log in", "Home", "News", "Total votes: 77", "it's the end.", "Don't", "l'Équipe",
                                 "a, b", "— ·", "", "   ", "Sputnik’s", "19:33 GMT", "word word word word word word"]),
                min_size=1, max_size=20))
def test_page_chrome_with_tokens_is_page_chrome_without(lines):
    from reprints.normalize import tokenize

    text = "\n".join(lines)
    assert page_chrome(text, 3, tokenize(text)) == page_chrome(text, 3)
