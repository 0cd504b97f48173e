"""Quotes: find them in each article, say who is quoted, and follow each quote across outlets.

``extract_quotes(doc)`` finds the quotations of one document with their speakers;
``group_families(quotes, documents)`` groups occurrences of the same quotation across the
corpus and names how each differs from the earliest; ``find_quotes(documents)`` does both.
For many documents, map ``extract_quotes_many`` (or ``extract_document_quotes``) over
worker processes and give every result to ``group_document_quotes`` (or add them to a
``QuoteCollector`` as they arrive): same result, and no document text is needed for the
grouping.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ..model import Document, Quote, QuoteFamily, QuoteKind
from ..normalize import Tokens, paragraph_spans, tokenize
from ..params import Params
from .attribute import Attribution, attribute
from .extract import Quotation, find_quotations
from .families import QuoteCollector, group_document_quotes, group_families
from .surroundings import DocumentQuotes, document_quotes, quote_tokens

__all__ = [
    "Attribution",
    "DocumentQuotes",
    "Quotation",
    "QuoteCollector",
    "attribute",
    "extract_document_quotes",
    "extract_quotes",
    "extract_quotes_many",
    "find_quotations",
    "find_quotes",
    "group_document_quotes",
    "group_families",
]


def extract_quotes(doc: Document, params: Params | None = None) -> list[Quote]:
    """Return the quotations of ``doc`` in reading order, each with its speaker when found.

    ``kind`` is ``attributed`` when a speaker was found, ``scare`` for a short unattributed
    quotation (at most ``params.scare_quote_words`` words), and ``fragment`` otherwise.
    """
    return _extract(doc, params or Params())[0]


def extract_document_quotes(
    doc: Document,
    params: Params | None = None,
    *,
    tokens: Tokens | None = None,
    paragraphs: list[tuple[int, int]] | None = None,
    sentences: list[tuple[int, int]] | None = None,
    ids: np.ndarray | None = None,
) -> DocumentQuotes:
    """Return the quotes of ``doc`` (as :func:`extract_quotes`) with what grouping them into
    families needs: plain picklable values, no text (see :class:`DocumentQuotes`).

    ``tokens``, ``paragraphs`` and ``sentences`` (``tokenize``, ``paragraph_spans`` and
    ``sentence_spans`` of the text, with the document's paragraph mark) and ``ids``
    (:func:`~reprints.normalize.word_ids` of the tokens) save working them out again when
    the caller has them.
    """
    params = params or Params()
    quotes, tokens, places = _extract(doc, params, tokens, paragraphs, sentences)
    return document_quotes(doc, quotes, params.quote_context_width, tokens, ids, places)


def extract_quotes_many(documents: Iterable[Document], params: Params | None = None) -> list[DocumentQuotes]:
    """Run :func:`extract_document_quotes` on each document, in the order given.

    The unit of work to map over worker processes; give every result (of every document,
    with quotes or not) to :func:`group_document_quotes`.
    """
    params = params or Params()
    return [extract_document_quotes(d, params) for d in documents]


def _extract(
    doc: Document,
    params: Params,
    tokens: Tokens | None = None,
    paragraphs: list[tuple[int, int]] | None = None,
    sentences: list[tuple[int, int]] | None = None,
) -> tuple[list[Quote], Tokens, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The quotes of ``doc``, the text's tokens and the quotes' :func:`quote_tokens`."""
    tokens = tokens if tokens is not None else tokenize(doc.text)
    if paragraphs is None:
        paragraphs = paragraph_spans(doc.text, doc.paragraph_mark)
    quotations = find_quotations(doc.text, doc.paragraph_mark, paragraphs=paragraphs)
    attributions = attribute(
        doc.text, quotations, doc.paragraph_mark, tokens=tokens, paragraphs=paragraphs, sentences=sentences
    )
    places = quote_tokens(doc.text, tokens, [q.start for q in quotations], [q.end for q in quotations])
    first, last, own = places
    words = [n if same else None for n, same in zip((last - first).tolist(), own.tolist(), strict=True)]
    quotes = [_quote(doc, q, a, n, params) for q, a, n in zip(quotations, attributions, words, strict=True)]
    return quotes, tokens, places


def _quote(doc: Document, q: Quotation, a: Attribution | None, words: int | None, params: Params) -> Quote:
    """The quote of quotation ``q``; ``words`` is its number of words when the text's tokens
    say it (None when a word runs across its edge)."""
    text = doc.text[q.start : q.end]
    kind: QuoteKind
    if a is not None:
        kind = "attributed"
    elif (words if words is not None else len(tokenize(text).norms)) <= params.scare_quote_words:
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
    and ``change`` set when it belongs to a family of two or more occurrences. Documents are
    read one at a time; only their quotes and the words around them are kept.
    """
    params = params or Params()
    docs: Sequence[Document] = sorted(documents, key=lambda d: d.id)
    return group_document_quotes((extract_document_quotes(d, params) for d in docs), params)
