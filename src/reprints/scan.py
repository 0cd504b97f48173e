"""Find reuse across a corpus: the whole pipeline from documents to a :class:`ScanResult`.

tokenise and cut into sentences, and find each document's quotes → mark boilerplate → fit
TF-IDF once → candidate document pairs (MinHash/LSH and the rewording channel,
:mod:`reprints.candidates`) → align each pair → direction and credit → derived words
(:mod:`reprints.derive`) → quote families (:mod:`reprints.quotes`) → stories.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain, pairwise
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from .align import (
    AlignContext,
    align_pair,
    fit_model,
    prepare,
    prepare_many,
    segment,
    sentence_norms,
)
from .boilerplate import (
    boilerplate_from_keys,
    find_boilerplate,
    page_chrome,
    sentence_keys,
    spans_by_document,
)
from .candidates import Features, candidates_from_features, features
from .credit import with_direction
from .derive import derive_groups, derive_work, derived_order
from .engine.local import Deferred, LocalEngine, cycle_collector_paused
from .errors import InputError
from .model import Boilerplate, DerivedWords, Document, Match, ScanResult
from .normalize import paragraph_spans, sentence_spans, tokenize, word_ids
from .params import Params
from .quotes import DocumentQuotes, QuoteCollector, extract_document_quotes
from .stories import find_stories
from .tfidf import SentenceFrequencies, sentence_word_ids

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while a scan runs (the CLI draws bars)."""


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


READ_CHUNK = 2000
"""Documents tokenised at a time by the first pass of a scan (their tokens are then dropped)."""

QUOTE_SPILL = 50_000
"""Quotations a scan holds in memory from the reading pass to their grouping; past that, the
quotes found so far go to a temporary file until the grouping reads them back."""

ALIGN_BLOCK = 20_000
"""Candidate pairs handed to an engine at a time (one pool of workers each; they prepare the
documents their chunks need, so a block costs the parent only its list of documents)."""


@dataclass(frozen=True)
class ChunkReading:
    """What the reading pass keeps of a run of consecutive documents (their tokens dropped)."""

    features: Features
    keys: list[np.ndarray]
    spans: list[np.ndarray]
    chrome: list[list[tuple[int, int]]]
    frequencies: tuple[np.ndarray, np.ndarray, int]
    quotes: list[DocumentQuotes] = field(default_factory=list)
    words: list[int] = field(default_factory=list)


def read_chunk(docs: Sequence[Document], params: Params, quotes: bool = False) -> ChunkReading:
    """Tokenise and cut ``docs`` (numbered from 0) and keep what later stages need.

    Keeps the candidate features, each document's 64-bit sentence keys (for boilerplate),
    sentence spans and page-chrome ranges, and the TF-IDF sentence frequencies; with
    ``quotes``, each document's quotes too (from the same tokens and sentences).
    """
    chunk = []
    found: list[DocumentQuotes] = []
    texts = [tokenize(doc.text) for doc in docs]
    # every word of the chunk looked up as a string once, in one go (the table stays in cache)
    flat = word_ids(chain.from_iterable(tokens.norms for tokens in texts))
    ends = np.cumsum([len(tokens) for tokens in texts]).tolist()
    ids = [flat[end - len(tokens) : end] for tokens, end in zip(texts, ends, strict=True)]
    for doc, tokens, doc_ids in zip(docs, texts, ids, strict=True):
        paragraphs = paragraph_spans(doc.text, doc.paragraph_mark)
        sentences = sentence_spans(doc.text, paragraphs=paragraphs)
        chunk.append(segment(doc, tokens, sentences))
        if quotes:
            found.append(
                extract_document_quotes(
                    doc, params, tokens=tokens, paragraphs=paragraphs, sentences=sentences, ids=doc_ids
                )
            )
    feats = features([tokens for tokens, _spans, _ranges in chunk], params)
    keys, spans, chrome = [], [], []
    for doc, (tokens, doc_spans, ranges) in zip(docs, chunk, strict=True):
        keys.append(sentence_keys(tokens, ranges))
        spans.append(doc_spans)
        chrome.append(page_chrome(doc.text, params.chrome_lines, tokens) if params.chrome_lines > 0 else [])
    frequencies = SentenceFrequencies()
    sentences = [norms for tokens, _spans, ranges in chunk for norms in sentence_norms(tokens, ranges)]
    frequencies.add(sentences, sentence_word_ids(ids, [ranges for _tokens, _spans, ranges in chunk]))
    words = [len(tokens.starts) for tokens, _spans, _ranges in chunk]
    return ChunkReading(feats, keys, spans, chrome, frequencies.sparse(), found, words)


def read_corpus_pass(
    docs: Sequence[Document],
    params: Params,
    progress: Progress | None = None,
    engine: Any = None,
    quotes: QuoteCollector | None = None,
    words: list[int] | None = None,
) -> tuple[Features, list[Boilerplate], AlignContext]:
    """Read sorted documents once, a chunk at a time, keeping only what later stages need.

    Each chunk is tokenised and cut into sentences (:func:`read_chunk`, on the ``engine``'s
    workers when it has them); its candidate features, sentence keys (for boilerplate) and
    TF-IDF term counts are kept and its tokens dropped. With a ``quotes`` collector, each
    document's quotes are found from the same tokens and added to it; each document's number
    of words is appended to ``words`` when given. Returns the candidate features, the
    boilerplate, and an :class:`~reprints.align.AlignContext` with the fitted model and every
    document's boilerplate ranges that prepares documents on demand. Same boilerplate and
    model as :func:`prepare_corpus`, in memory that does not grow with the text of the corpus.
    """
    report = progress or (lambda stage, done, total: None)
    parts: list[Features] = []
    keys: list[Any] = []
    spans: list[Any] = []
    chrome: list[list[tuple[int, int]]] = []
    frequencies = SentenceFrequencies()
    ranges, readings = _map_ranges(engine, read_chunk, docs, READ_CHUNK, params, quotes is not None)
    report("read", 0, len(docs))
    for (lo, hi), reading in zip(ranges, readings, strict=True):
        parts.append(replace(reading.features, first=lo))  # each chunk was read as from 0
        keys.extend(reading.keys)
        spans.extend(reading.spans)
        chrome.extend(reading.chrome)
        frequencies.add_sparse(*reading.frequencies)
        if quotes is not None:
            for found in reading.quotes:
                quotes.add(found)
        if words is not None:
            words.extend(reading.words)
        report("read", hi, len(docs))
    report("boilerplate", 0, 1)
    boilerplate = boilerplate_from_keys(docs, keys, spans, params, chrome)
    del keys, spans, chrome
    report("boilerplate", 1, 1)
    context = AlignContext(params, frequencies.model(), excluded=spans_by_document(boilerplate))
    feats = Features.concat(parts) if parts else features([], params)
    return feats, boilerplate, context


def align_all(
    docs: Sequence[Document],
    pairs: Sequence[tuple[int, int]],
    context: AlignContext,
    engine: Any = None,
    progress: Progress | None = None,
) -> list[Match]:
    """Align the candidate ``pairs`` (indices into sorted ``docs``); return the matches sorted.

    Documents are prepared in batches just before their first pair and forgotten after
    their last, so only the documents of pairs in flight are held; with an ``engine``, its
    workers prepare the documents of their own chunks of pairs.
    """
    report = progress or (lambda stage, done, total: None)
    matches: list[Match] = []
    report("align", 0, len(pairs))
    # Alignment multiplies many tiny matrices: BLAS threads only fight over them.
    with threadpool_limits(limits=1, user_api="blas"):
        if engine is None:
            context.follow([docs[k] for pair in pairs for k in pair])
            for k, (i, j) in enumerate(pairs):
                for match in align_pair(docs[i], docs[j], context):
                    matches.append(with_direction(match, docs[i], docs[j]))
                if k % 200 == 0:
                    report("align", k, len(pairs))
            context.follow([])
        else:
            for lo in range(0, len(pairs), ALIGN_BLOCK):
                block = pairs[lo : lo + ALIGN_BLOCK]
                members = sorted({k for pair in block for k in pair})
                position = {k: n for n, k in enumerate(members)}
                block_docs = [docs[k] for k in members]
                # the workers prepare the documents their pairs need
                block_context = AlignContext(context.params, context.model, {}, context.excluded)
                aligned = engine.align_pairs(block_docs, [(position[i], position[j]) for i, j in block], block_context)
                by_id = {d.id: d for d in block_docs}
                matches.extend(with_direction(m, by_id[m.a.doc], by_id[m.b.doc]) for m in aligned)
                report("align", min(lo + ALIGN_BLOCK, len(pairs)), len(pairs))
    context.prepared.clear()
    report("align", len(pairs), len(pairs))
    matches.sort(key=match_sort_key)
    return matches


DERIVE_BLOCK = 500
"""(Target document, source outlet) groups of the word layer handed to an engine at a time."""


def find_derived_words(docs: Sequence[Document], matches: Sequence[Match], context: AlignContext, engine: Any = None) -> list[DerivedWords]:
    """Return the word layer of ``matches``, sorted; blocks of it run on the engine's workers."""
    with threadpool_limits(limits=1, user_api="blas"):
        _ranges, blocks = _map_ranges(engine, derive_groups, derive_work(docs, matches), DERIVE_BLOCK, context)
        derived = [span for block in blocks for span in block]
    context.prepared.clear()
    return sorted(derived, key=derived_order)


def _map_ranges(
    engine: Any, fn: Callable[..., Any], items: Sequence[Any], size: int, *args: Any
) -> tuple[list[tuple[int, int]], Iterator[Any]]:
    """Cut ``items`` into ranges of ``size``; return them and ``fn(items[lo:hi], *args)`` of
    each, in order, on the engine's workers (in this process for an engine without them)."""
    ranges = [(lo, min(lo + size, len(items))) for lo in range(0, len(items), size)]
    mapper = engine if engine is not None and hasattr(engine, "map_ranges") else LocalEngine()
    return ranges, mapper.map_ranges(fn, items, ranges, *args)


def _defer(engine: Any, fn: Callable[..., Any], *args: Any) -> Deferred:
    """Start ``fn(*args)`` on the engine beside the stages that follow; without an engine
    that can, it runs when its result is asked for."""
    if engine is not None and hasattr(engine, "defer"):
        return engine.defer(fn, *args)
    return Deferred(fn, *args, fork=False)


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
    reading pass (quote extraction included), the candidate stage, alignment and the word layer; every
    engine gives the same result. Raises
    :class:`~reprints.errors.InputError` when two documents share an id.
    """
    params = Params.resolve(params, **overrides)
    docs = sorted(documents, key=lambda d: d.id)
    for first, second in pairwise(docs):
        if first.id == second.id:
            raise InputError(f"two documents have the id {first.id!r}; ids must be unique")
    with cycle_collector_paused():  # no cycles among its records: see the function
        return _scan_sorted(docs, params, quotes, progress, engine)


def _scan_sorted(
    docs: list[Document], params: Params, quotes: bool, progress: Progress | None, engine: Any
) -> ScanResult:
    """:func:`scan` of documents sorted by id (ids unique)."""
    report = progress or (lambda stage, done, total: None)

    collector = QuoteCollector(params, spill_after=QUOTE_SPILL) if quotes else None
    words: list[int] = []
    feats, boilerplate, context = read_corpus_pass(docs, params, report, engine, collector, words)
    # quote families need nothing the later stages find: an engine that overlaps work groups
    # them beside those stages
    quote_families = _defer(engine, collector.families) if collector is not None else None
    report("candidates", 0, 1)
    found = (engine.candidates_from_features if engine is not None else candidates_from_features)(
        feats, params, dates=[d.date for d in docs], outlets=[d.outlet for d in docs]
    )
    del feats
    pairs = sorted({(min(c.a, c.b), max(c.a, c.b)) for c in found if c.a != c.b})
    report("candidates", len(pairs), len(pairs))
    matches = align_all(docs, pairs, context, engine, report)

    if params.derive_words:
        report("derive", 0, len(docs))
        derived = find_derived_words(docs, matches, context, engine)
    else:
        derived = []
    report("derive", len(docs), len(docs))
    report("quotes", 0, len(docs))
    found_quotes, families = quote_families.result() if quote_families is not None else ([], [])
    report("quotes", len(docs), len(docs))
    report("stories", 0, 1)
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
        words=tuple(words),
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
