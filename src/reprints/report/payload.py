"""Turn a ScanResult into the compact JSON the report's script reads.

The report embeds one JSON block; the browser builds the DOM only for what is on screen, so
the block is laid out as flat arrays indexed by position (documents by index, matches as rows)
to stay small and quick to parse with tens of thousands of matches.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

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


def document_pairs(result: ScanResult) -> list[tuple[str, str, list[int], int]]:
    """Group matches by document pair: ``(a, b, match indices, words)``, most words first."""
    grouped: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, match in enumerate(result.matches):
        grouped[(match.a.doc, match.b.doc)].append(index)
    texts = {d.id: d.text for d in result.documents}
    pairs = [
        (a, b, indices, sum(match_words(result.matches[i], texts) for i in indices))
        for (a, b), indices in grouped.items()
    ]
    pairs.sort(key=lambda p: (-p[3], p[0], p[1]))
    return pairs


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
    documents: list[Document] = sorted(result.documents, key=lambda d: d.id)
    doc_index = {d.id: i for i, d in enumerate(documents)}
    texts = {d.id: d.text for d in documents}
    quotes, quote_index = _family_quotes(result.quotes, result.quote_families)
    needed = {m.a.doc for m in result.matches} | {m.b.doc for m in result.matches}
    needed |= {q.doc for q in quotes}
    if mode == "pair":  # the pair page shows both articles even when they share nothing
        needed |= doc_index.keys()
    unknown = sorted(needed - doc_index.keys())
    if unknown:
        from ..errors import ResultsError

        raise ResultsError(
            f"matches or quotes point into {len(unknown)} document(s) missing from the "
            f"results, e.g. {unknown[0]!r}; re-run the scan so the documents are stored"
        )

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

    return {
        "version": 1,
        "mode": mode,
        "title": title,
        "outlets": outlets,
        "no_outlet": NO_OUTLET,
        # [id, outlet index or -1, date, title, url, text or null]
        "docs": [
            [
                d.id,
                outlet_index.get(d.outlet, -1) if d.outlet else -1,
                d.date,
                d.title,
                d.url,
                d.text if d.id in needed else None,
            ]
            for d in documents
        ],
        # [a doc, a start, a end, b doc, b start, b end, kind, score, direction, credited,
        #  words, a changed ranges, b changed ranges, a moved ranges, b moved ranges]
        "matches": [
            [
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
                match_words(m, texts),
                changed_ranges(m.edits, "a"),
                changed_ranges(m.edits, "b"),
                moved_ranges(m.edits, "a"),
                moved_ranges(m.edits, "b"),
            ]
            for m in result.matches
        ],
        # [a doc, b doc, [match indices], words]
        "pairs": [
            [doc_index[a], doc_index[b], indices, words]
            for a, b, indices, words in document_pairs(result)
        ],
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


def payload_json(payload: dict[str, Any]) -> str:
    """Serialise ``payload`` so it can sit inside a ``<script>`` element and not break out.

    Every ``<``, ``>`` and ``&`` is written as a ``\\u`` escape, so no ``</script>``,
    ``<!--`` or ``<script`` sequence can appear in the block, whatever the articles contain.
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
