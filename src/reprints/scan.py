"""Find reuse across a corpus: the whole pipeline from documents to a :class:`ScanResult`.

tokenise and cut into sentences → mark boilerplate → fit TF-IDF once → candidate document
pairs (MinHash/LSH and the rewording channel, :mod:`reprints.candidates`) → align each pair →
direction and credit → derived words
(:mod:`reprints.derive`) → quotes (:mod:`reprints.quotes`) → stories.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise
from typing import Any

from threadpoolctl import threadpool_limits

from .align import AlignContext, align_pair, fit_model, prepare, prepare_many, segment
from .boilerplate import find_boilerplate, spans_by_document
from .candidates import find_candidates
from .credit import with_direction
from .derive import find_derived
from .errors import InputError
from .model import Boilerplate, Document, Match, ScanResult
from .params import Params
from .quotes import find_quotes
from .stories import find_stories

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while a scan runs (the CLI draws bars)."""


def _candidate_pairs(
    documents: Sequence[Document], segments: Sequence[Any], params: Params, engine: Any = None
) -> list[tuple[int, int]]:
    """Return the document index pairs ``(a, b)``, ``a < b``, worth aligning."""
    found = find_candidates(
        [tokens for tokens, _spans, _ranges in segments],
        params,
        dates=[d.date for d in documents],
        outlets=[d.outlet for d in documents],
        engine=engine,
    )
    return sorted({(min(c.a, c.b), max(c.a, c.b)) for c in found if c.a != c.b})


def match_sort_key(match: Match) -> tuple[str, int, str, int, int, int]:
    """Order matches by (a.doc, a.start, b.doc, b.start), the order results are written in."""
    return (match.a.doc, match.a.start, match.b.doc, match.b.start, match.a.end, match.b.end)


def prepare_corpus(
    docs: Sequence[Document],
    params: Params,
    progress: Progress | None = None,
    boilerplate_among: Callable[[Document], bool] | None = None,
) -> tuple[list[Any], list[Boilerplate], AlignContext]:
    """Cut sorted documents into sentences, mark boilerplate, fit TF-IDF and prepare them.

    Boilerplate is looked for among the documents ``boilerplate_among`` accepts (all by
    default). Returns the segments (tokens, sentence spans, token ranges) in document order,
    the boilerplate found, and the :class:`~reprints.align.AlignContext` alignment uses.
    """
    report = progress or (lambda stage, done, total: None)
    segments = []
    for k, doc in enumerate(docs):
        segments.append(segment(doc))
        if k % 1000 == 0:
            report("read", k, len(docs))
    report("read", len(docs), len(docs))
    among = [k for k, doc in enumerate(docs) if boilerplate_among is None or boilerplate_among(doc)]
    boilerplate = find_boilerplate([docs[k] for k in among], [segments[k] for k in among], params)
    excluded = spans_by_document(boilerplate)
    model = fit_model([(tokens, ranges) for tokens, _spans, ranges in segments])
    context = AlignContext(params, model)
    context.prepared.update(
        prepare_many(docs, segments, model, excluded=excluded, min_words=params.min_words)
    )
    return segments, boilerplate, context


def scan(
    documents: Iterable[Document],
    params: Params | None = None,
    *,
    quotes: bool = True,
    progress: Progress | None = None,
    engine: Any = None,
    **overrides: Any,
) -> ScanResult:
    """Find the passages and quotes reused across ``documents``.

    Keyword arguments override single fields of ``params`` (``scan(docs, min_words=12)``).
    The result does not depend on the order of ``documents``. ``engine`` (from
    :func:`reprints.engine.make_engine`: worker processes or a Dask cluster) runs the
    candidate and alignment stages; every engine gives the same result. Raises
    :class:`~reprints.errors.InputError` when two documents share an id.
    """
    params = Params.resolve(params, **overrides)
    docs = sorted(documents, key=lambda d: d.id)
    for first, second in pairwise(docs):
        if first.id == second.id:
            raise InputError(f"two documents have the id {first.id!r}; ids must be unique")
    report = progress or (lambda stage, done, total: None)

    segments, boilerplate, context = prepare_corpus(docs, params, report)

    pairs = _candidate_pairs(docs, segments, params, engine)
    report("candidates", len(pairs), len(pairs))
    matches: list[Match] = []
    by_id = {doc.id: doc for doc in docs}
    # Alignment multiplies many tiny matrices: BLAS threads only fight over them.
    with threadpool_limits(limits=1, user_api="blas"):
        if engine is not None:
            aligned = engine.align_pairs(docs, pairs, context)
            matches = [with_direction(m, by_id[m.a.doc], by_id[m.b.doc]) for m in aligned]
        else:
            for k, (i, j) in enumerate(pairs):
                for match in align_pair(docs[i], docs[j], context):
                    matches.append(with_direction(match, docs[i], docs[j]))
                if k % 200 == 0:
                    report("align", k, len(pairs))
    report("align", len(pairs), len(pairs))
    matches.sort(key=match_sort_key)

    derived = find_derived(docs, matches, context) if params.derive_words else []
    report("derive", len(docs), len(docs))
    found_quotes, families = find_quotes(docs, params) if quotes else ([], [])
    report("quotes", len(docs), len(docs))
    stories = find_stories(
        docs, matches, params.story_min_share, params.story_reworded_share, params.shingle_size
    )
    return ScanResult(
        documents=tuple(docs),
        matches=tuple(matches),
        quotes=tuple(found_quotes),
        quote_families=tuple(families),
        stories=tuple(stories),
        boilerplate=tuple(sorted(boilerplate, key=lambda b: (b.span.doc, b.span.start))),
        params=params.to_dict(),
        derived=tuple(derived),
    )


def compare(text_a: str, text_b: str, params: Params | None = None, **overrides: Any) -> list[Match]:
    """Return the passages two texts share; the first text is ``a``, the second ``b``.

    No boilerplate is removed (one article of each side says nothing about what repeats).
    """
    params = Params.resolve(params, **overrides)
    doc_a, doc_b = Document("a", text_a), Document("b", text_b)
    segments = [segment(doc_a), segment(doc_b)]
    model = fit_model([(tokens, ranges) for tokens, _spans, ranges in segments])
    context = AlignContext(params, model)
    for doc, (tokens, _spans, _ranges) in zip((doc_a, doc_b), segments, strict=False):
        context.prepared[doc.id] = prepare(doc, model, tokens=tokens, min_words=params.min_words)
    with threadpool_limits(limits=1, user_api="blas"):
        return align_pair(doc_a, doc_b, context)
