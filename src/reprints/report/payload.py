"""Turn a ScanResult into the compact JSON the report's script reads.

The report embeds one JSON block; the browser builds the DOM only for what is on screen, so
the block is laid out as flat arrays indexed by position (documents by index, matches as rows)
to stay small and quick to parse with tens of thousands of matches.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ResultsError
from ..export import NO_OUTLET
from ..model import Document, Edit, Match, Quote, QuoteFamily, ScanResult

KINDS = ("verbatim", "reworded")
DIRECTIONS = ("a->b", "b->a", "undirected")

# Which edit operations change words on each side of a passage pair.
_CHANGED_A = frozenset({"change", "drop"})
_CHANGED_B = frozenset({"change", "add"})


def _merged(ranges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Sort and merge touching ranges, leaving empty ones out."""
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _side_ranges(edits: Iterable[Edit], side: str, ops: frozenset[str]) -> list[list[int]]:
    return _merged(
        (e.a_start, e.a_end) if side == "a" else (e.b_start, e.b_end) for e in edits if e.op in ops
    )


def _minus(ranges: list[list[int]], holes: list[list[int]]) -> list[list[int]]:
    """Cut ``holes`` out of ``ranges`` (both sorted and merged)."""
    out: list[list[int]] = []
    k = 0
    for start, end in ranges:
        while k < len(holes) and holes[k][1] <= start:
            k += 1
        j = k
        while j < len(holes) and holes[j][0] < end:
            if holes[j][0] > start:
                out.append([start, holes[j][0]])
            start = max(start, holes[j][1])
            j += 1
        if start < end:
            out.append([start, end])
    return out


def changed_ranges(edits: Iterable[Edit], side: str) -> list[int]:
    """Return the changed character ranges of one side as a flat ``[start, end, ...]`` list.

    ``side`` is ``"a"`` (words changed or dropped) or ``"b"`` (words changed or added);
    touching ranges are merged, and empty ones left out. A word a ``keep`` edit also covers
    (a moved word, see :func:`moved_ranges`) is kept, not changed: a keep wins.
    """
    edits = list(edits)
    ops = _CHANGED_A if side == "a" else _CHANGED_B
    changed = _side_ranges(edits, side, ops)
    kept = _side_ranges(edits, side, frozenset({"keep"}))
    return [offset for pair in _minus(changed, kept) for offset in pair]


def moved_ranges(edits: Iterable[Edit], side: str) -> list[int]:
    """Return the moved words of one side as a flat ``[start, end, ...]`` list.

    A moved word is one the in-order edit script changed (or added, or dropped) but a
    ``keep`` edit lying over it pairs with the same word elsewhere in the other passage
    (``align.moved_words``): the words were kept, in another place.
    """
    edits = list(edits)
    ops = _CHANGED_A if side == "a" else _CHANGED_B
    changed = _side_ranges(edits, side, ops)
    kept = _side_ranges(edits, side, frozenset({"keep"}))
    return [offset for pair in _minus(kept, _minus(kept, changed)) for offset in pair]


def match_words(match: Match, texts: dict[str, str]) -> int:
    """Return the words a match carries (its counted words, else the words of its b passage)."""
    counted = match.verbatim_words + match.reworded_words
    if counted:
        return counted
    return len(texts.get(match.b.doc, "")[match.b.start : match.b.end].split())


@dataclass(frozen=True)
class ReportInput:
    """What the report reads: a result whose matches and document texts may be streamed.

    ``result`` holds everything else (its ``matches`` may be empty and its documents' texts
    ``""``); ``matches(edits)`` yields the matches in their order, with or without edit
    scripts; ``texts()`` yields ``(id, text)`` of every document, sorted by id; and
    ``passage_words(i, match)`` gives match ``i``'s words (:func:`match_words`).
    """

    result: ScanResult
    matches: Callable[[bool], Iterable[Match]]
    texts: Callable[[], Iterable[tuple[str, str]]]
    passage_words: Callable[[int, Match], int]

    @classmethod
    def of(cls, result: ScanResult) -> ReportInput:
        """Read everything from a :class:`ScanResult` in memory."""
        texts = {d.id: d.text for d in result.documents}
        return cls(
            result=result,
            matches=lambda edits: result.matches,
            texts=lambda: ((d.id, d.text) for d in sorted(result.documents, key=lambda d: d.id)),
            passage_words=lambda _i, m: match_words(m, texts),
        )

    @classmethod
    def from_results(cls, conn: sqlite3.Connection) -> ReportInput:
        """Read from an open ``results.db`` (``store.open_results``), streaming the matches
        and texts: memory holds no edit script and no text beyond the one being written."""
        from ..store import document_texts, iter_matches, read_results

        def passage_words(index: int, match: Match) -> int:
            counted = match.verbatim_words + match.reworded_words
            if counted:
                return counted
            row = conn.execute("SELECT b_text FROM matches WHERE id = ?", (index,)).fetchone()
            text = row[0] if row else None
            return len((text or "").split())

        return cls(
            result=read_results(conn, matches=False, texts=False),
            matches=lambda edits: iter_matches(conn, edits=edits),
            texts=lambda: document_texts(conn),
            passage_words=passage_words,
        )


@dataclass(frozen=True)
class MatchSummary:
    """One pass over the matches: what the report needs before it lays them out.

    ``rows[i]`` is ``(a doc index, b doc index, kind index, words, credited)`` of match ``i``
    (documents indexed in id order); ``graph`` is the outlet reuse graph
    (``export.reuse_graph``; node word counts left at 0).
    """

    documents: list[Document]
    rows: list[tuple[int, int, int, int, bool | None]]
    graph: Any

    @classmethod
    def of(cls, source: ReportInput) -> MatchSummary:
        """Read the matches once, without edit scripts."""
        from ..export import reuse_graph

        documents = sorted(source.result.documents, key=lambda d: d.id)
        doc_index = {d.id: i for i, d in enumerate(documents)}
        rows: list[tuple[int, int, int, int, bool | None]] = []

        def counted(matches: Iterable[Match]) -> Iterator[Match]:
            for i, m in enumerate(matches):
                rows.append(
                    (
                        doc_index.get(m.a.doc, -1),
                        doc_index.get(m.b.doc, -1),
                        KINDS.index(m.kind),
                        source.passage_words(i, m),
                        m.credited,
                    )
                )
                if rows[-1][0] < 0 or rows[-1][1] < 0:
                    missing = m.a.doc if rows[-1][0] < 0 else m.b.doc
                    raise ResultsError(_missing_message([missing]))
                yield m

        graph = reuse_graph(((d.id, d.outlet, 0) for d in documents), counted(source.matches(False)))
        return cls(documents, rows, graph)

    def pairs(self) -> list[tuple[int, int, list[int], int]]:
        """Group matches by document pair: ``(a, b, match indices, words)``, most words first."""
        grouped: dict[tuple[int, int], list[int]] = defaultdict(list)
        for index, row in enumerate(self.rows):
            grouped[(row[0], row[1])].append(index)
        pairs = [
            (a, b, indices, sum(self.rows[i][3] for i in indices))
            for (a, b), indices in grouped.items()
        ]
        pairs.sort(key=lambda p: (-p[3], p[0], p[1]))
        return pairs


def _missing_message(unknown: Sequence[str]) -> str:
    return (
        f"matches or quotes point into {len(unknown)} document(s) missing from the "
        f"results, e.g. {unknown[0]!r}; re-run the scan so the documents are stored"
    )


def document_pairs(result: ScanResult) -> list[tuple[str, str, list[int], int]]:
    """Group matches by document pair: ``(a, b, match indices, words)``, most words first."""
    summary = MatchSummary.of(ReportInput.of(result))
    ids = [d.id for d in summary.documents]
    return [(ids[a], ids[b], indices, words) for a, b, indices, words in summary.pairs()]


def _family_quotes(
    quotes: Sequence[Quote], families: Sequence[QuoteFamily]
) -> tuple[list[Quote], dict[tuple[str, int, int], int]]:
    """Return every quote once (the result's, then any only a family holds) and their index."""
    ordered = list(quotes)
    index = {(q.doc, q.start, q.end): i for i, q in enumerate(ordered)}
    for family in families:
        for quote in family.quotes:
            key = (quote.doc, quote.start, quote.end)
            if key not in index:
                index[key] = len(ordered)
                ordered.append(quote)
    return ordered, index


def _family_row(family: QuoteFamily, quote_index: dict[tuple[str, int, int], int]) -> list[Any]:
    """Lay out one quote family as ``[id, quote indices, outlets, origin quote index]``."""
    members = [quote_index[(q.doc, q.start, q.end)] for q in family.quotes]
    origin = members[family.origin] if 0 <= family.origin < len(members) else -1
    return [family.id, members, list(family.outlets), origin]


def build_payload(result: ScanResult, *, title: str, mode: str = "report") -> dict[str, Any]:
    """Lay out ``result`` as the report's JSON: documents, matches, pairs, quotes, stories.

    Document texts are carried only for documents that some match or quote points into
    (in ``mode="pair"``, for every document).
    """
    source = ReportInput.of(result)
    summary = MatchSummary.of(source)
    payload = stream_payload(source, summary, summary.pairs(), title=title, mode=mode)
    return {key: list(value) if isinstance(value, Iterator) else value for key, value in payload.items()}


def stream_payload(
    source: ReportInput,
    summary: MatchSummary,
    pairs: list[tuple[int, int, list[int], int]],
    *,
    title: str,
    mode: str = "report",
) -> dict[str, Any]:
    """Lay out the report's JSON with the documents and matches as iterators (read once).

    ``pairs`` (from ``summary.pairs()``) are the document pairs to show: their matches are
    laid out, in order, and the others left out. Write it with :func:`payload_chunks`.
    """
    result = source.result
    documents = summary.documents
    doc_index = {d.id: i for i, d in enumerate(documents)}
    quotes, quote_index = _family_quotes(result.quotes, result.quote_families)
    shown = sorted(i for _, _, indices, _ in pairs for i in indices)
    position = {index: k for k, index in enumerate(shown)}
    needed = {documents[summary.rows[i][0]].id for i in shown}
    needed |= {documents[summary.rows[i][1]].id for i in shown}
    needed |= {q.doc for q in quotes}
    if mode == "pair":  # the pair page shows both articles even when they share nothing
        needed |= doc_index.keys()
    unknown = sorted(needed - doc_index.keys())
    if unknown:
        raise ResultsError(_missing_message(unknown))

    outlets = sorted({d.outlet for d in documents if d.outlet})
    outlet_index = {name: i for i, name in enumerate(outlets)}

    family_ids = {f.id: i for i, f in enumerate(result.quote_families)}
    family_order = sorted(
        range(len(result.quote_families)),
        key=lambda i: (
            -len(result.quote_families[i].outlets),
            -len(result.quote_families[i].quotes),
            result.quote_families[i].id,
        ),
    )
    stories = sorted(result.stories, key=lambda s: (-len(s.docs), s.first_date or "", s.id))

    def doc_rows() -> Iterator[list[Any]]:
        texts = iter(source.texts())
        for d in documents:
            doc_id, text = next(texts)
            if doc_id != d.id:  # the texts come in the same id order as the documents
                raise ResultsError(f"document texts out of order at {d.id!r}")
            yield [
                d.id,
                outlet_index.get(d.outlet, -1) if d.outlet else -1,
                d.date,
                d.title,
                d.url,
                text if d.id in needed else None,
            ]

    def match_rows() -> Iterator[list[Any]]:
        for i, m in enumerate(source.matches(True)):
            if i not in position:
                continue
            yield [
                doc_index[m.a.doc],
                m.a.start,
                m.a.end,
                doc_index[m.b.doc],
                m.b.start,
                m.b.end,
                KINDS.index(m.kind),
                round(m.score, 3),
                DIRECTIONS.index(m.direction),
                m.credited,
                summary.rows[i][3],
                changed_ranges(m.edits, "a"),
                changed_ranges(m.edits, "b"),
                moved_ranges(m.edits, "a"),
                moved_ranges(m.edits, "b"),
            ]

    return {
        "version": 1,
        "mode": mode,
        "title": title,
        "outlets": outlets,
        "no_outlet": NO_OUTLET,
        # [id, outlet index or -1, date, title, url, text or null]
        "docs": doc_rows(),
        # [a doc, a start, a end, b doc, b start, b end, kind, score, direction, credited,
        #  words, a changed ranges, b changed ranges, a moved ranges, b moved ranges]
        "matches": match_rows(),
        # [a doc, b doc, [match indices], words]
        "pairs": [[a, b, [position[i] for i in indices], words] for a, b, indices, words in pairs],
        # [doc, start, end, speaker, speaker start, speaker end, kind, family or -1, change,
        #  cue, medium, changed ranges against the family's earliest occurrence, every change]
        "quotes": [
            [
                doc_index[q.doc],
                q.start,
                q.end,
                q.speaker,
                q.speaker_start,
                q.speaker_end,
                q.kind,
                family_ids.get(q.family, -1) if q.family else -1,
                q.change,
                q.cue,
                q.medium,
                changed_ranges(q.edits, "b"),
                list(q.changes),
            ]
            for q in quotes
        ],
        # [id, [quote indices], outlets, origin quote index], most outlets first
        "families": [_family_row(result.quote_families[i], quote_index) for i in family_order],
        # [doc, start, end, reason, articles]: text left out of reuse, in documents shown
        "boilerplate": [
            [doc_index[b.span.doc], b.span.start, b.span.end, b.reason, b.count]
            for b in sorted(result.boilerplate, key=lambda b: (b.span.doc, b.span.start, b.span.end))
            if b.span.doc in needed and b.span.doc in doc_index
        ],
        # [doc, start, end, kind, [source doc indices]]: runs of words taken from the sources,
        # in documents shown, by the word-level layer (reprints.derive)
        "derived": [
            [
                doc_index[d.doc],
                d.start,
                d.end,
                KINDS.index(d.kind),
                sorted(doc_index[s] for s in d.sources if s in doc_index),
            ]
            for d in sorted(result.derived, key=lambda d: (d.doc, d.start, d.end, d.outlet or "", d.sources))
            if d.doc in needed and d.doc in doc_index
        ],
        # [id, [doc indices], origin doc or -1, outlets, first date, last date], largest first
        "stories": [
            [
                s.id,
                sorted(doc_index[d] for d in s.docs if d in doc_index),
                doc_index.get(s.origin, -1) if s.origin else -1,
                list(s.outlets),
                s.first_date,
                s.last_date,
            ]
            for s in stories
        ],
    }


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _escaped(text: str) -> str:
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def payload_chunks(payload: dict[str, Any]) -> Iterator[str]:
    """Serialise ``payload`` piece by piece, as :func:`payload_json` does in one string.

    Values that are iterators (from :func:`stream_payload`) are written element by element,
    so a payload with every document text and edit script never sits whole in memory.
    """
    yield "{"
    for n, (key, value) in enumerate(payload.items()):
        yield ("," if n else "") + _escaped(_JSON.encode(key)) + ":"
        if isinstance(value, Iterator):
            yield "["
            for k, item in enumerate(value):
                yield ("," if k else "") + _escaped(_JSON.encode(item))
            yield "]"
        else:
            yield _escaped(_JSON.encode(value))
    yield "}"


def payload_json(payload: dict[str, Any]) -> str:
    """Serialise ``payload`` so it can sit inside a ``<script>`` element and not break out.

    Every ``<``, ``>`` and ``&`` is written as a ``\\u`` escape, so no ``</script>``,
    ``<!--`` or ``<script`` sequence can appear in the block, whatever the articles contain.
    """
    return "".join(payload_chunks(payload))
