"""Quotes: find them in each article, say who is quoted, and follow each quote across outlets.

``extract_quotes(doc)`` finds the quotations of one document with their speakers;
``group_families(quotes, documents)`` groups occurrences of the same quotation across the
corpus and names how each differs from the earliest; ``find_quotes(documents)`` does both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..model import Document, Quote, QuoteFamily, QuoteKind
from ..normalize import tokenize
from ..params import Params
from .attribute import Attribution, attribute
from .extract import Quotation, find_quotations
from .families import group_families

__all__ = [
    "Attribution",
    "Quotation",
    "attribute",
    "extract_quotes",
    "find_quotations",
    "find_quotes",
    "group_families",
]


def extract_quotes(doc: Document, params: Params | None = None) -> list[Quote]:
    """Return the quotations of ``doc`` in reading order, each with its speaker when found.

    ``kind`` is ``attributed`` when a speaker was found, ``scare`` for a short unattributed
    quotation (at most ``params.scare_quote_words`` words), and ``fragment`` otherwise.
    """
    params = params or Params()
    quotations = find_quotations(doc.text, doc.paragraph_mark)
    attributions = attribute(doc.text, quotations, doc.paragraph_mark)
    quotes = []
    for q, a in zip(quotations, attributions, strict=True):
        quotes.append(_quote(doc, q, a, params))
    return quotes


def _quote(doc: Document, q: Quotation, a: Attribution | None, params: Params) -> Quote:
    text = doc.text[q.start : q.end]
    kind: QuoteKind
    if a is not None:
        kind = "attributed"
    elif len(tokenize(text)) <= params.scare_quote_words:
        kind = "scare"
    else:
        kind = "fragment"
    return Quote(
        doc=doc.id,
        start=q.start,
        end=q.end,
        text=text,
        kind=kind,
        speaker=a.speaker if a else None,
        speaker_start=a.speaker_start if a else None,
        speaker_end=a.speaker_end if a else None,
        cue=a.cue if a else None,
        medium=a.medium if a else None,
    )


def find_quotes(
    documents: Iterable[Document], params: Params | None = None
) -> tuple[list[Quote], list[QuoteFamily]]:
    """Extract the quotes of every document and group them into families across the corpus.

    Returns ``(quotes, families)``: quotes sorted by (doc, start, end), each with ``family``
    and ``change`` set when it belongs to a family of two or more occurrences.
    """
    docs: Sequence[Document] = sorted(documents, key=lambda d: d.id)
    quotes = [q for d in docs for q in extract_quotes(d, params)]
    return group_families(quotes, docs, params)
