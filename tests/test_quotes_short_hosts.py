"""A short quotation cut from a longer one joins it, whatever its words (digits, letters)."""

from __future__ import annotations

import pytest

from reprints.model import Document
from reprints.quotes import find_quotes

FED = (
    "Fed chair says rates will rise if inflation stays high\n\n"
    "Federal Reserve Chair Jerome Powell told reporters in Washington on Wednesday that "
    '"the committee is prepared to raise rates again if inflation stays above 5 percent '
    'through the summer, and we will not hesitate to act." Markets fell after the remarks, '
    "with the Dow Jones index closing down 1.2 percent and Treasury yields climbing.\n"
)

FED_TRIMMED = (
    "Stocks slide as Powell signals more rate rises\n\n"
    "Stocks fell on Wednesday after Federal Reserve Chair Jerome Powell told reporters in "
    'Washington that the committee would raise rates if inflation stayed "above 5 percent" '
    "through the summer. The Dow Jones index closed down 1.2 percent and Treasury yields "
    "climbed.\n"
)

BREXIT = (
    "May keeps no-deal option open\n\n"
    "Prime Minister Theresa May told the Commons on Tuesday that "
    '"there is a Plan B if Parliament rejects the deal, and the government will set it out '
    'to members in good time." Labour leader Jeremy Corbyn accused her of running down the '
    "clock on the Brexit negotiations with Brussels.\n"
)

BREXIT_TRIMMED = (
    "Corbyn accuses May of running down the clock\n\n"
    'Theresa May insisted in the Commons on Tuesday that there was "a Plan B" if Parliament '
    "rejected the Brexit deal. Labour leader Jeremy Corbyn accused her of running down the "
    "clock on the negotiations with Brussels.\n"
)


def with_other_news(sample_corpus, *articles):
    # the surroundings of two occurrences are weighed by IDF over the corpus: with only the
    # two articles, every shared word would weigh nothing
    return list(sample_corpus.documents) + list(articles)


@pytest.mark.parametrize(
    ("source", "trimmed", "needle"),
    [(FED, FED_TRIMMED, "above 5 percent"), (BREXIT, BREXIT_TRIMMED, "a Plan B")],
    ids=["digit", "one-letter word"],
)
def test_short_quote_with_a_digit_or_letter_joins_the_quotation_it_is_cut_from(sample_corpus, source, trimmed, needle):
    docs = with_other_news(
        sample_corpus,
        Document("a.txt", source, outlet="Wire", date="2019-01-15"),
        Document("b.txt", trimmed, outlet="Daily", date="2019-01-16"),
    )
    quotes, families = find_quotes(docs)
    short = next(q for q in quotes if q.doc == "b.txt" and q.text == needle)
    assert short.family, f"{needle!r} is in no family"
    family = next(f for f in families if f.id == short.family)
    origin = family.quotes[family.origin]
    assert origin.doc == "a.txt" and needle in origin.text
    assert short.change == "trimmed"


def test_short_quote_with_a_digit_from_another_story_stays_apart(sample_corpus):
    madrid = (
        "Spain's jobless rate falls for third month\n\n"
        "Labour Minister Yolanda Diaz said on Friday that unemployment among young people was "
        'still "above 5 percent" in every region, and promised new training schemes for '
        "school leavers in Andalusia and Extremadura.\n"
    )
    docs = with_other_news(
        sample_corpus,
        Document("a.txt", FED, outlet="Wire", date="2019-01-15"),
        Document("c.txt", madrid, outlet="El Diario", date="2019-01-16"),
    )
    quotes, _ = find_quotes(docs)
    short = next(q for q in quotes if q.doc == "c.txt" and q.text == "above 5 percent")
    assert short.family is None
