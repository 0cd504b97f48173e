"""How much wire copy each article and outlet reprints: wire share, METER classes, per month.

The wire copy is every article of the named wire outlets (``--wire "Press Association"``),
or, with ``wire="auto"``, the articles that credit a wire agency in their byline or dateline
("(AP)", "By Reuters", "AFP", "Sputnik reports"): they stand in for the agency's own copy
when the corpus does not hold it. Each other article is aligned (:mod:`reprints.align`)
against the wire stories that the candidate stage (:mod:`reprints.candidates`) pairs it with,
only wire stories dated at most ``Params.wire_window_days`` before it (same day included).

Word accounting follows METER: an article word inside a passage aligned to wire copy is
*verbatim* when the edit script keeps it, *reworded* otherwise; every other word is *new*.
``wire_share`` = (verbatim + reworded) / words. The class (wholly-, partially- or
non-derived) is ``wholly-derived`` when the share reaches ``Params.wire_wholly``,
``partially-derived`` when it reaches ``Params.wire_partially``, else ``non-derived``; with
``Params.wire_classes = "evidence"`` it comes from the model of :mod:`reprints.wire_classes`
fitted on METER courts (``benchmarks/meter_wire.py``, ``benchmarks/wire.md``).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import itertools
import json
import math
import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from . import derive
from .align import AlignContext, align_pair
from .credit import WIRE_AGENCIES, _when, canonical_outlet, credits, direction, outlet_aliases
from .errors import InputError, ParameterError
from .model import ArticleWireShare, DerivedWords, Document, Match, ScanResult, WireClass
from .normalize import Tokens, paragraph_spans, tokenize
from .params import Params
from .scan import prepare_corpus
from .wire_classes import WireStory, article_evidence, fitted_model, tfidf_vector

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while a wire run goes (the CLI draws bars)."""

AUTO = "auto"
"""Pass as ``wire`` to recognise wire copy from credits in the text."""

BYLINE_CHARS = 400
"""Characters at each end of an article searched for a wire credit by ``wire="auto"``."""

CLASSES: tuple[WireClass, ...] = ("wholly-derived", "partially-derived", "non-derived")


# --- which documents are wire copy ---------------------------------------------------------


_BYLINE_FORMS = (
    r"\(\s*{a}\s*\)",  # "WASHINGTON (AP) —"
    r"^[ \t]*(?:by|from|via|source:|copyright|©)\s+(?:the\s+)?{a}\b",  # "By Reuters"
    r"^[ \t]*(?:the\s+)?{a}[ \t]*(?:staff|news|wire|reporters?)?[ \t]*[.,]?[ \t]*$",  # a line "AFP"
    r"[—–-]{{1,2}}[ \t]*(?:the\s+)?{a}[ \t]*\.?[ \t]*$",  # "— Reuters" closing a line
    r"\b{a}(?:'s)?\s+(?:reports?|reported|contributed)\b",  # "Sputnik reports", "AP contributed"
    r"^[ \t]*©[ \t]*(?:\d{{4}}\s+)?{a}\b",  # "© 2018 AFP"
    # "JILL COLVIN and VLADIMIR ISACHENKOV / AP": names in capitals, as wire bylines are set;
    # a photographer's "Evan Vucci/Associated Press" under a picture is not a text credit.
    r"^[ \t]*(?-i:[A-Z][A-Z.'-]+(?:(?:,|\s+and)?\s+[A-Z][A-Z.'-]+)*)[ \t]*/[ \t]*{a}[ \t]*$",
)


_PARAGRAPH_MARK_RE = re.compile(r"[ \t]*#{3,}[ \t]*")


@lru_cache(maxsize=256)
def _byline_pattern(agency: str) -> re.Pattern[str]:
    alt = "|".join(re.escape(a) for a in outlet_aliases(agency))
    # Short all-capital aliases (AP, AFP, PA) must keep their case; longer names need not.
    names = rf"(?:{alt})"
    forms = [f.format(a=rf"(?-i:{names})" if _all_caps(agency) else names) for f in _BYLINE_FORMS]
    return re.compile("|".join(f"(?:{f})" for f in forms), re.IGNORECASE | re.MULTILINE)


def _all_caps(agency: str) -> bool:
    return any(len(a) <= 3 and a.isupper() for a in outlet_aliases(agency))


def byline_credits(text: str) -> list[str]:
    """Return the wire agencies credited in the byline, dateline or sign-off of ``text``.

    Only crediting forms count ("(AP)", "By Reuters", a line reading "AFP", "— Reuters",
    "Sputnik reports", "AP contributed", "© AFP"), and only in the first two paragraphs
    (at least :data:`BYLINE_CHARS` characters) and the last :data:`BYLINE_CHARS`: a source
    "told Reuters" in the body does not make an article wire copy.
    """
    # Scrapes often mark paragraphs with " ### " (the asprout sets do): read them as breaks.
    text = _PARAGRAPH_MARK_RE.sub("\n\n", text)
    paragraphs = paragraph_spans(text)
    head_end = max(BYLINE_CHARS, paragraphs[1][1] if len(paragraphs) > 1 else 0)
    zones = text[: min(len(text), head_end, 4 * BYLINE_CHARS)] + "\n\n" + text[-BYLINE_CHARS:]
    return sorted(a for a in WIRE_AGENCIES if _byline_pattern(a).search(zones))


def wire_agencies(documents: Sequence[Document], wire: Sequence[str] | str) -> dict[str, str]:
    """Return ``{doc id: wire agency}`` for the documents that are wire copy.

    ``wire`` is a list of outlet names (matched through :func:`canonical_outlet` aliases) or
    ``"auto"``: documents whose outlet is a wire agency, and documents whose byline or
    dateline credits one (see :func:`byline_credits`; the first agency credited counts).
    Raises :class:`ParameterError` when no document is wire copy.
    """
    found: dict[str, str] = {}
    if (isinstance(wire, str) and wire == AUTO) or list(wire) == [AUTO]:
        agencies = {canonical_outlet(a) for a in WIRE_AGENCIES}
        for doc in documents:
            outlet = canonical_outlet(doc.outlet) if doc.outlet else None
            if outlet in agencies:
                found[doc.id] = outlet
                continue
            credited = byline_credits(doc.text)
            if credited:
                found[doc.id] = _first_credited(doc.text, credited)
        if not found:
            raise ParameterError(
                "--wire auto found no wire copy: no article is by, or credits in its byline, "
                f"one of {', '.join(WIRE_AGENCIES)}; name the wire outlets with --wire OUTLET"
            )
        return found
    names = [wire] if isinstance(wire, str) else list(wire)
    wanted = {canonical_outlet(n): n for n in names}
    for doc in documents:
        if doc.outlet and canonical_outlet(doc.outlet) in wanted:
            found[doc.id] = canonical_outlet(doc.outlet)
    if not found:
        outlets = sorted({d.outlet for d in documents if d.outlet})
        shown = ", ".join(outlets[:12]) + (" …" if len(outlets) > 12 else "")
        raise ParameterError(
            f"no article belongs to the wire outlet(s) {', '.join(names)}; "
            f"outlets in the corpus: {shown or 'none (no outlet known)'}"
        )
    return found


def _first_credited(text: str, agencies: list[str]) -> str:
    """Of several credited agencies, the one whose name appears first in the text."""
    folded = text.casefold()

    def where(agency: str) -> int:
        hits = [folded.find(a.casefold()) for a in outlet_aliases(agency)]
        hits = [h for h in hits if h >= 0]
        return min(hits) if hits else len(text)

    return min(agencies, key=lambda a: (where(a), a))


# --- classification -----------------------------------------------------------------------


def classify(share: float, params: Params) -> WireClass:
    """Return the METER class of an article with this ``wire_share``."""
    if share >= params.wire_wholly:
        return "wholly-derived"
    if share >= params.wire_partially:
        return "partially-derived"
    return "non-derived"


# --- the run ------------------------------------------------------------------------------


def _day(value: str | None) -> dt.date | None:
    if not value:
        return None
    when = _when(value)
    return when.date() if when is not None else None


def in_window(wire_date: str | None, article_date: str | None, days: int | None) -> bool:
    """True when the wire story is dated at most ``days`` before the article (same day counts).

    Unknown dates, or ``days=None``, put no limit.
    """
    if days is None:
        return True
    wire_day, article_day = _day(wire_date), _day(article_date)
    if wire_day is None or article_day is None:
        return True
    gap = (article_day - wire_day).days
    return 0 <= gap <= days


def _pairs(
    docs: Sequence[Document],
    segments: Sequence[tuple[Tokens, np.ndarray, np.ndarray]],
    is_wire: Sequence[bool],
    params: Params,
) -> list[tuple[int, int]]:
    """Candidate (wire, article) index pairs within the date window, from the candidate stage."""
    from .candidates import find_candidates

    window = params.wire_window_days
    search = params.replace(reword_verify_share=params.wire_reword_verify_share)
    search = search if window is None else search.replace(date_window_days=window)
    found = find_candidates(
        [tokens for tokens, _spans, _ranges in segments],
        search,
        dates=[d.date for d in docs],
        outlets=[d.outlet for d in docs],
    )
    pairs: set[tuple[int, int]] = set()
    for cand in found:
        for w, x in ((cand.a, cand.b), (cand.b, cand.a)):
            if not is_wire[w] or (docs[w].outlet and docs[w].outlet == docs[x].outlet):
                continue
            if in_window(docs[w].date, docs[x].date, window):
                pairs.add((w, x))
    return sorted(pairs)


def wire_share(
    documents: Iterable[Document],
    wire: Sequence[str] | str,
    params: Params | None = None,
    *,
    progress: Progress | None = None,
    **overrides: Any,
) -> tuple[list[ArticleWireShare], list[Match]]:
    """Measure how much of each non-wire article is derived from the wire copy.

    ``wire`` names the wire outlets, or is ``"auto"`` (see :func:`wire_agencies`). Returns
    one :class:`ArticleWireShare` per article that is not by a wire outlet (articles that
    only credit a wire agency under ``"auto"`` are scored too, against the *other* wire
    copy), sorted by id, and the wire↔article matches sorted like a scan's. The class is set
    as ``Params.wire_classes`` says (thresholds on wire share, or :mod:`reprints.wire_classes`).
    Keyword arguments override fields of ``params``. Raises :class:`InputError` on
    duplicate ids.
    """
    articles, matches, _evidence = _measure(documents, wire, params, progress, overrides, False)
    return articles, matches


def wire_evidence(
    documents: Iterable[Document],
    wire: Sequence[str] | str,
    params: Params | None = None,
    *,
    progress: Progress | None = None,
    **overrides: Any,
) -> tuple[list[ArticleWireShare], list[Match], dict[str, dict[str, float]]]:
    """Run :func:`wire_share` and also return each article's class evidence.

    The third value maps article id to ``{measure: value}`` for
    :data:`reprints.wire_classes.EVIDENCE` (what the class model reads; used to refit it).
    """
    return _measure(documents, wire, params, progress, overrides, True)


def _measure(
    documents: Iterable[Document],
    wire: Sequence[str] | str,
    params: Params | None,
    progress: Progress | None,
    overrides: dict[str, Any],
    keep_evidence: bool,
) -> tuple[list[ArticleWireShare], list[Match], dict[str, dict[str, float]]]:
    params = Params.resolve(params, **overrides)
    docs = sorted(documents, key=lambda d: d.id)
    for first, second in itertools.pairwise(docs):
        if first.id == second.id:
            raise InputError(f"two documents have the id {first.id!r}; ids must be unique")
    report = progress or (lambda stage, done, total: None)
    agency_of = wire_agencies(docs, wire)
    is_wire = [d.id in agency_of for d in docs]
    agency_outlets = {canonical_outlet(a) for a in WIRE_AGENCIES}
    auto = (isinstance(wire, str) and wire == AUTO) or list(wire) == [AUTO]
    wire_names = {canonical_outlet(w) for w in ([wire] if isinstance(wire, str) else wire)}

    def is_article(doc: Document) -> bool:
        outlet = canonical_outlet(doc.outlet) if doc.outlet else None
        if auto:
            return outlet not in agency_outlets
        return outlet not in wire_names

    # Boilerplate is looked for among the articles only: a wire service repeats whole
    # paragraphs across the updates of a story (PA's "1", "2", "ld", "sub" versions), and
    # that repeated text is exactly what the articles reprint.
    segments, _boilerplate, context = prepare_corpus(docs, params, report, boilerplate_among=is_article)

    pairs = [(w, x) for w, x in _pairs(docs, segments, is_wire, params) if is_article(docs[x])]
    report("candidates", len(pairs), len(pairs))
    by_pair: dict[tuple[int, int], list[Match]] = {}

    def aligned(w: int, x: int) -> list[Match]:
        key = (min(w, x), max(w, x))
        if key not in by_pair:
            by_pair[key] = [_directed(m, docs[w], docs[x]) for m in align_pair(docs[w], docs[x], context)]
        return by_pair[key]

    for k, (w, x) in enumerate(pairs):
        aligned(w, x)
        if k % 200 == 0:
            report("align", k, len(pairs))
    report("align", len(pairs), len(pairs))

    used: dict[int, list[tuple[int, list[Match]]]] = defaultdict(list)
    pool: dict[int, list[int]] = defaultdict(list)
    for w, x in pairs:
        pool[x].append(w)
        found = by_pair[(min(w, x), max(w, x))]
        if found:
            used[x].append((w, found))
    measure = keep_evidence or params.wire_classes == "evidence"
    idf = word_idf(segments) if measure or params.wire_nearest_cosine is not None else {}
    if params.wire_nearest_cosine is not None:
        # Articles with no aligned passage: the most similar in-window wire story is their
        # probable source (short rewrites share too few sentences for the aligner).
        unsourced = [x for x, doc in enumerate(docs) if is_article(doc) and not used.get(x)]
        for x, w in _nearest_wire(docs, segments, idf, is_wire, unsourced, params).items():
            if w not in pool[x]:
                pool[x].append(w)
            if all(w != u for u, _found in used[x]):
                used[x].append((w, aligned(w, x)))
    judge = _Judge(docs, segments, params, measure, idf)
    articles = []
    evidence: dict[str, dict[str, float]] = {}
    for x, doc in enumerate(docs):
        if not is_article(doc):
            continue
        article, measured = _article_share(
            doc, segments[x][0], used.get(x, []), docs, agency_of, context, judge, pool.get(x, [])
        )
        articles.append(article)
        if keep_evidence and measured is not None:
            evidence[doc.id] = measured
    matches = sorted(
        {m for found in by_pair.values() for m in found},
        key=lambda m: (m.a.doc, m.a.start, m.b.doc, m.b.start, m.a.end, m.b.end, m.kind, m.score),
    )
    return articles, matches, evidence


def word_idf(segments: Sequence[tuple[Tokens, np.ndarray, np.ndarray]]) -> dict[str, float]:
    """Smoothed IDF of each folded word over the documents of ``segments``:
    ln((1 + n) / (1 + df)) + 1, as scikit-learn's ``TfidfVectorizer`` computes it."""
    df: dict[str, int] = defaultdict(int)
    for tokens, _spans, _ranges in segments:
        for word in set(tokens.norms):
            df[word] += 1
    n = len(segments)
    return {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}


def _nearest_wire(
    docs: Sequence[Document],
    segments: Sequence[tuple[Tokens, np.ndarray, np.ndarray]],
    idf: dict[str, float],
    is_wire: Sequence[bool],
    targets: Sequence[int],
    params: Params,
) -> dict[int, int]:
    """Return ``{article index: wire index}``: each target's most similar in-window wire story.

    Similarity is the cosine of :func:`~reprints.wire_classes.tfidf_vector` vectors
    (sublinear tf, ``idf`` from :func:`word_idf` over all documents); only wire stories of another outlet within ``Params.wire_window_days``
    count, and only a cosine of at least ``Params.wire_nearest_cosine``. Ties go to the
    wire story first in id order.
    """
    from scipy import sparse

    threshold = params.wire_nearest_cosine
    wires = [w for w, flag in enumerate(is_wire) if flag]
    if threshold is None or not targets or not wires:
        return {}
    column = {w: k for k, w in enumerate(idf)}

    def matrix(rows: Sequence[int]) -> Any:
        indptr, indices, values = [0], [], []
        for r in rows:
            vector = tfidf_vector(segments[r][0], idf)
            indices.extend(column[w] for w in vector)
            values.extend(vector.values())
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.array(values, dtype=np.float64), np.array(indices, dtype=np.int64), np.array(indptr)),
            shape=(len(rows), len(column)),
        )

    wire_matrix = matrix(wires).T.tocsc()
    window = params.wire_window_days
    days = [_day(docs[w].date) for w in wires]
    wire_day = np.array([d.toordinal() if d else 0 for d in days], dtype=np.int64)
    wire_dated = np.array([d is not None for d in days])
    wire_outlet = np.array([docs[w].outlet or "" for w in wires], dtype=object)
    nearest: dict[int, int] = {}
    block = 1000
    for lo in range(0, len(targets), block):
        rows = targets[lo : lo + block]
        scores = (matrix(rows) @ wire_matrix).toarray()
        for k, x in enumerate(rows):
            allowed = np.ones(len(wires), dtype=bool)
            if docs[x].outlet:
                allowed &= wire_outlet != docs[x].outlet
            day = _day(docs[x].date)
            if window is not None and day is not None:
                gap = day.toordinal() - wire_day
                allowed &= ~wire_dated | ((gap >= 0) & (gap <= window))
            row = np.where(allowed, scores[k], -1.0)
            j = int(np.argmax(row))  # ties: the first wire story in id order
            if row[j] >= threshold:
                nearest[x] = wires[j]
    return nearest


class _Judge:
    """Decides an article's class: the fitted evidence model, or thresholds on wire share."""

    def __init__(
        self,
        docs: Sequence[Document],
        segments: Sequence[tuple[Tokens, np.ndarray, np.ndarray]],
        params: Params,
        measure: bool,
        idf: dict[str, float],
    ) -> None:
        self.docs, self.segments, self.params = docs, segments, params
        self.measure = measure
        self.model = fitted_model() if params.wire_classes == "evidence" else None
        self.idf = idf  # word_idf over all documents (needed when measuring)
        self.vectors: dict[int, dict[str, float]] = {}

    def story(self, w: int, found: Sequence[Match] = ()) -> WireStory:
        if w not in self.vectors:
            self.vectors[w] = tfidf_vector(self.segments[w][0], self.idf)
        return WireStory(self.docs[w].id, self.segments[w][0], tuple(found), self.vectors[w])

    def judge(
        self,
        doc: Document,
        tokens: Tokens,
        labels: np.ndarray,
        used: list[tuple[int, list[Match]]],
        pool: Sequence[int],
    ) -> tuple[WireClass, dict[str, float] | None]:
        share = float((labels != NEW).sum()) / len(tokens) if len(tokens) else 0.0
        if not self.measure:
            return classify(share, self.params), None
        measured = article_evidence(
            doc.id,
            doc.text,
            tokens,
            labels,
            [self.story(w, found) for w, found in used],
            [self.story(w) for w in pool],
            self.idf,
        )
        if self.model is None:
            return classify(share, self.params), measured
        if not used:
            return "non-derived", measured  # no source found: nothing shows derivation
        return self.model.classify(measured), measured


def _directed(match: Match, wire_doc: Document, article: Document) -> Match:
    """Set direction wire -> article (the wire copy is the source by definition) and credit."""
    wire_is_a = match.a.doc == wire_doc.id
    way = direction(wire_doc, article) if wire_is_a else direction(article, wire_doc)
    if way == "undirected":
        way = "a->b" if wire_is_a else "b->a"
    return dataclasses.replace(match, direction=way)


NEW, REWORDED, VERBATIM = 0, 1, 2
"""Word labels returned by :func:`word_labels` (METER's New / Rewrite / Verbatim)."""


def word_labels(
    doc: Document,
    matches: Iterable[Match],
    tokens: Tokens | None = None,
    *,
    sources: Sequence[Document] = (),
    context: AlignContext | None = None,
    derived: Iterable[DerivedWords] | None = None,
) -> np.ndarray:
    """Label each word of ``doc``: VERBATIM, REWORDED or NEW, from its matches with wire copy.

    Given ``derived`` spans (``ScanResult.derived`` of ``doc``, e.g. those of the wire
    outlet), the words they cover are derived and every other word is new. Given the wire
    ``sources`` the matches were aligned with and the ``context`` they were aligned in (and
    ``Params.derive_words`` on), the word-level model of :mod:`reprints.derive` labels the
    words. Otherwise a word inside a matched passage of ``doc`` is VERBATIM when an edit
    keeps it, REWORDED otherwise; a word verbatim in one match stays verbatim whatever
    another match says. Returns an int8 array parallel to ``tokenize(doc.text)``.
    """
    tokens = tokens if tokens is not None else tokenize(doc.text)
    if derived is not None:
        own = [d for d in derived if d.doc == doc.id]
        return derive.labels_from_spans(tokens.starts, tokens.ends, own)
    matches = list(matches)
    if context is not None and sources and context.params.derive_words:
        target = context.get(doc)
        if target.tokens.norms == tokens.norms:
            used = sorted({s.id: s for s in sources}.values(), key=lambda s: s.id)
            return derive.derive_labels(target, [context.get(s) for s in used], matches)
    labels = np.zeros(len(tokens), dtype=np.int8)
    for match in matches:
        if match.b.doc == doc.id:
            side, pick = match.b, lambda e: (e.b_start, e.b_end)
        elif match.a.doc == doc.id:
            side, pick = match.a, lambda e: (e.a_start, e.a_end)
        else:
            continue
        i, j = tokens.between(side.start, side.end)
        labels[i:j] = np.maximum(labels[i:j], REWORDED)
        for edit in match.edits:
            if edit.op == "keep":
                ki, kj = tokens.between(*pick(edit))
                labels[max(ki, i) : min(kj, j)] = VERBATIM
    return labels


def _article_share(
    doc: Document,
    tokens: Tokens,
    used: list[tuple[int, list[Match]]],
    docs: Sequence[Document],
    agency_of: dict[str, str],
    context: AlignContext,
    judge: _Judge,
    pool: Sequence[int],
) -> tuple[ArticleWireShare, dict[str, float] | None]:
    """Count the article's verbatim, reworded and new words over all its wire sources.

    The words are labelled by the word-level model of :mod:`reprints.derive`, as in the
    scan's derived layer (from the passages alone with ``Params.derive_words`` off). Returns
    the article and, when measured, its class evidence.
    """
    found_in = [docs[w] for w, _found in used]
    labels = word_labels(
        doc, [m for _w, found in used for m in found], tokens, sources=found_in, context=context
    )
    if not any(found for _w, found in used) and not (labels != NEW).any():
        # The nearest wire story (no aligned passage) gave no derived word: no source.
        used, found_in = [], []
    sources = [source.id for source in found_in]
    verbatim_words = int((labels == VERBATIM).sum())
    reworded_words = int((labels == REWORDED).sum())
    n = len(tokens)
    wire_class, measured = judge.judge(doc, tokens, labels, used, pool)
    agencies = sorted({agency_of[s] for s in sources})
    bylines = byline_credits(doc.text) if agencies else []
    credited = any(credits(doc.text, a) or a in bylines for a in agencies)
    article = ArticleWireShare(
        doc=doc.id,
        outlet=doc.outlet,
        date=doc.date,
        words=n,
        verbatim_words=verbatim_words,
        reworded_words=reworded_words,
        wire_class=wire_class,
        sources=tuple(sorted(sources)),
        credited=credited,
    )
    return article, measured


def wire_run(
    documents: Iterable[Document],
    wire: Sequence[str] | str,
    params: Params | None = None,
    *,
    progress: Progress | None = None,
    **overrides: Any,
) -> ScanResult:
    """Run :func:`wire_share` and package it as a :class:`ScanResult` for ``store``."""
    params = Params.resolve(params, **overrides)
    docs = tuple(sorted(documents, key=lambda d: d.id))
    articles, matches = wire_share(docs, wire, params, progress=progress)
    wire_names = [wire] if isinstance(wire, str) else list(wire)
    recorded = {**params.to_dict(), "wire": wire_names}
    return ScanResult(documents=docs, matches=tuple(matches), wire=tuple(articles), params=recorded)


# --- per outlet and month -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class OutletSummary:
    """Wire share of one outlet, over all its articles (``month`` None) or one month."""

    outlet: str
    month: str | None
    articles: int
    wholly_derived: int
    partially_derived: int
    non_derived: int
    mean_wire_share: float
    median_wire_share: float
    uncredited_share: float
    """Share of the outlet's wire-derived words that sit in articles not crediting the wire."""
    derived_words: int


def _month(value: str | None) -> str | None:
    day = _day(value)
    return f"{day.year:04d}-{day.month:02d}" if day else None


def summarise(articles: Sequence[ArticleWireShare]) -> list[OutletSummary]:
    """Return one row per outlet (month None) and one per outlet and month, sorted.

    Articles with no outlet count under ``"(unknown)"``; with no date, only in the overall row.
    """
    groups: dict[tuple[str, str | None], list[ArticleWireShare]] = defaultdict(list)
    for art in articles:
        outlet = art.outlet or "(unknown)"
        groups[(outlet, None)].append(art)
        month = _month(art.date)
        if month:
            groups[(outlet, month)].append(art)
    rows = []
    for (outlet, month), group in groups.items():
        shares = [a.wire_share for a in group]
        derived = sum(a.verbatim_words + a.reworded_words for a in group)
        uncredited = sum(a.verbatim_words + a.reworded_words for a in group if not a.credited)
        rows.append(
            OutletSummary(
                outlet=outlet,
                month=month,
                articles=len(group),
                wholly_derived=sum(a.wire_class == "wholly-derived" for a in group),
                partially_derived=sum(a.wire_class == "partially-derived" for a in group),
                non_derived=sum(a.wire_class == "non-derived" for a in group),
                mean_wire_share=round(statistics.fmean(shares), 4),
                median_wire_share=round(statistics.median(shares), 4),
                uncredited_share=round(uncredited / derived, 4) if derived else 0.0,
                derived_words=derived,
            )
        )
    return sorted(rows, key=lambda r: (r.outlet, r.month is not None, r.month or ""))


OUTLET_COLUMNS = tuple(f.name for f in dataclasses.fields(OutletSummary))


def write_outlets_csv(path: str | Path, rows: Sequence[OutletSummary]) -> None:
    """Write the per-outlet rows (``month`` empty for the all-time row) as CSV."""
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(OUTLET_COLUMNS)
        for row in rows:
            writer.writerow(["" if v is None else v for v in dataclasses.astuple(row)])


def uncredited_outlets(
    articles: Sequence[ArticleWireShare], params: Params
) -> list[tuple[str, int, int]]:
    """Return ``(outlet, uncredited derived articles, derived articles)``, most uncredited first.

    A derived article is one whose class is not ``non-derived``.
    """
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for art in articles:
        if art.wire_class != "non-derived":
            entry = counts[art.outlet or "(unknown)"]
            entry[1] += 1
            entry[0] += not art.credited
    rows = [(outlet, c[0], c[1]) for outlet, c in counts.items() if c[0]]
    return sorted(rows, key=lambda r: (-r[1], -r[2], r[0]))


# --- charts -------------------------------------------------------------------------------


def _series(rows: Sequence[OutletSummary], top: int) -> dict[str, list[tuple[str, float, int]]]:
    """Monthly (month, mean share, articles) per outlet, for the ``top`` outlets by articles."""
    overall = sorted((r for r in rows if r.month is None), key=lambda r: (-r.articles, r.outlet))
    keep = {r.outlet for r in overall[:top]}
    series: dict[str, list[tuple[str, float, int]]] = defaultdict(list)
    for r in rows:
        if r.month is not None and r.outlet in keep:
            series[r.outlet].append((r.month, r.mean_wire_share, r.articles))
    return {k: sorted(v) for k, v in sorted(series.items())}


def chart_png(rows: Sequence[OutletSummary], path: str | Path, *, top: int = 12) -> None:
    """Draw mean wire share per outlet: per month when there are several, else one bar each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = _series(rows, top)
    months = sorted({m for points in series.values() for m, _, _ in points})
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=100)
    if len(months) > 1:
        for k, (outlet, points) in enumerate(series.items()):
            xs = [months.index(m) for m, _, _ in points]
            ax.plot(
                xs,
                [s for _, s, _ in points],
                marker="osD^v"[k % 5],
                color=_PALETTE[k % len(_PALETTE)],
                label=outlet,
            )
        ax.set_xticks(range(len(months)), months, rotation=45, ha="right")
        ax.set_xlabel("month")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        overall = sorted(
            (r for r in rows if r.month is None and r.outlet in series),
            key=lambda r: (-r.mean_wire_share, r.outlet),
        )
        names = [r.outlet for r in overall]
        ax.barh(range(len(names)), [r.mean_wire_share for r in overall], color="#4c72b0")
        ax.set_yticks(range(len(names)), names)
        ax.invert_yaxis()
        ax.set_xlabel("mean wire share" + (f" ({months[0]})" if months else ""))
    ax.set_ylim(bottom=0) if len(months) > 1 else ax.set_xlim(0, 1)
    ax.set_title("Wire share per outlet")
    if len(months) > 1:
        ax.set_ylabel("mean wire share")
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#000000",
    "#b8860b",
)  # matplotlib's tab10, then black and dark goldenrod: twelve lines, twelve colours


def chart_html(
    rows: Sequence[OutletSummary], *, top: int = 12, title: str = "Wire share per outlet"
) -> str:
    """Return a self-contained HTML page (inline SVG and JS, no network) charting wire share.

    One line per outlet over months; hovering a point shows outlet, month, mean share and
    article count; clicking an outlet in the legend hides or shows it.
    """
    series = _series(rows, top)
    overall = {r.outlet: r for r in rows if r.month is None}
    months = sorted({m for points in series.values() for m, _, _ in points}) or ["(all)"]
    payload = {
        "months": months,
        "series": [
            {
                "outlet": outlet,
                "color": _PALETTE[k % len(_PALETTE)],
                "points": [[months.index(m), s, n] for m, s, n in points]
                or [[0, overall[outlet].mean_wire_share, overall[outlet].articles]],
            }
            for k, (outlet, points) in enumerate(series.items())
        ],
    }
    if not payload["series"]:
        payload["series"] = [
            {
                "outlet": r.outlet,
                "color": _PALETTE[k % len(_PALETTE)],
                "points": [[0, r.mean_wire_share, r.articles]],
            }
            for k, r in enumerate(
                sorted(overall.values(), key=lambda r: (-r.articles, r.outlet))[:top]
            )
        ]
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return _HTML.replace("__TITLE__", html.escape(title)).replace("__DATA__", data)


_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
#legend{display:flex;flex-wrap:wrap;max-width:900px}
#legend span{cursor:pointer;margin-right:1em;white-space:nowrap}
#legend span.off{opacity:.35}
#tip{position:absolute;background:#fff;border:1px solid #999;padding:4px 6px;font-size:12px;
pointer-events:none;display:none}
svg text{font-size:11px;fill:#444}
</style></head><body>
<h1>__TITLE__</h1>
<p>Mean share of each outlet's article words derived from wire copy, per month.
Hover a point for details; click an outlet to hide or show it.</p>
<div id="legend"></div><svg id="chart" width="900" height="470" role="img"></svg>
<div id="tip"></div>
<script>
const D = __DATA__;
const W = 900, H = 470, L = 50, R = 20, T = 15, B = 120;
const svg = document.getElementById("chart"), tip = document.getElementById("tip");
const NS = "http://www.w3.org/2000/svg";
const hidden = new Set();
function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  svg.appendChild(e); return e;
}
function x(i) { const n = D.months.length; return n < 2 ? L + (W - L - R) / 2 : L + i * (W - L - R) / (n - 1); }
function y(v) { return T + (1 - v) * (H - T - B); }
function draw() {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  for (let v = 0; v <= 1.0001; v += 0.25) {
    el("line", {x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#ddd"});
    el("text", {x: L - 6, y: y(v) + 4, "text-anchor": "end"}, v.toFixed(2));
  }
  if (D.months.length < 2) { drawBars(); return; }
  D.months.forEach((m, i) => {
    const t = el("text", {x: x(i), y: H - B + 14, "text-anchor": "end",
      transform: "rotate(-40 " + x(i) + " " + (H - B + 14) + ")"}, m);
  });
  for (const s of D.series) {
    if (hidden.has(s.outlet)) continue;
    if (s.points.length > 1) el("polyline", {fill: "none", stroke: s.color, "stroke-width": 2,
      points: s.points.map(p => x(p[0]) + "," + y(p[1])).join(" ")});
    for (const p of s.points) {
      const c = el("circle", {cx: x(p[0]), cy: y(p[1]), r: 5, fill: s.color});
      c.addEventListener("mousemove", ev => {
        tip.style.display = "block"; tip.style.left = (ev.pageX + 12) + "px"; tip.style.top = (ev.pageY + 12) + "px";
        tip.textContent = s.outlet + " \\u00b7 " + D.months[p[0]] + ": mean wire share " + p[1].toFixed(3) + " over " + p[2] + " articles";
      });
      c.addEventListener("mouseleave", () => { tip.style.display = "none"; });
    }
  }
}
function drawBars() {
  // One month only: one bar per outlet, highest share first.
  const shown = D.series.filter(s => !hidden.has(s.outlet))
    .sort((a, b) => b.points[0][1] - a.points[0][1] || (a.outlet < b.outlet ? -1 : 1));
  const step = (W - L - R) / Math.max(shown.length, 1);
  shown.forEach((s, i) => {
    const p = s.points[0], left = L + i * step + step * 0.15, mid = L + (i + 0.5) * step;
    const bar = el("rect", {x: left, y: y(p[1]), width: step * 0.7, height: y(0) - y(p[1]), fill: s.color});
    bar.addEventListener("mousemove", ev => {
      tip.style.display = "block"; tip.style.left = (ev.pageX + 12) + "px"; tip.style.top = (ev.pageY + 12) + "px";
      tip.textContent = s.outlet + " \\u00b7 " + D.months[0] + ": mean wire share " + p[1].toFixed(3) + " over " + p[2] + " articles";
    });
    bar.addEventListener("mouseleave", () => { tip.style.display = "none"; });
    el("text", {x: mid, y: H - B + 14, "text-anchor": "end",
      transform: "rotate(-40 " + mid + " " + (H - B + 14) + ")"}, s.outlet);
  });
}
const legend = document.getElementById("legend");
for (const s of D.series) {
  const span = document.createElement("span");
  span.textContent = "\\u25cf " + s.outlet; span.style.color = s.color;
  span.addEventListener("click", () => {
    if (hidden.has(s.outlet)) hidden.delete(s.outlet); else hidden.add(s.outlet);
    span.classList.toggle("off"); draw();
  });
  legend.appendChild(span);
}
draw();
</script></body></html>
"""


__all__ = [
    "AUTO",
    "OutletSummary",
    "byline_credits",
    "chart_html",
    "chart_png",
    "classify",
    "in_window",
    "summarise",
    "uncredited_outlets",
    "wire_agencies",
    "wire_evidence",
    "wire_run",
    "wire_share",
    "word_labels",
    "write_outlets_csv",
]
