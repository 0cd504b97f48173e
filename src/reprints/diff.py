"""Two articles side by side: aligned passages level with each other, changed words marked.

:func:`pair_view` lays out the rows (plain data, offsets into each text); :func:`render_pair`
turns them into a rich renderable for the terminal (the library never prints). The two
documents and their matches come from two files (:func:`compare_files`), a results folder
(:func:`pair_from_results`, which reads only those two) or a corpus
(:func:`documents_from_corpus`); :func:`find_id` resolves what the user typed to an id.

The left document is always the first one named. Matches whose ``a`` side is the right
document are flipped (:func:`flip`), so in a :class:`PairView` ``match.a`` is always left.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rich.console import Group
from rich.table import Table
from rich.text import Text

from .errors import InputError, ResultsError
from .model import Document, Edit, Match, Quote, ScanResult, Span
from .normalize import sentence_spans

Role = Literal["verbatim", "reworded", "changed", "added", "dropped", "unmatched"]

_FLIPPED_OP = {"keep": "keep", "change": "change", "add": "drop", "drop": "add"}
_FLIPPED_DIRECTION = {"a->b": "b->a", "b->a": "a->b", "undirected": "undirected"}

STYLES: dict[str, str] = {
    "verbatim": "green",
    "reworded": "yellow",
    "changed": "bold black on yellow",
    "added": "bold black on cyan",
    "dropped": "bold red strike",
    "unmatched": "dim",
    "quote": "underline",
    "speaker": "bold italic",
    "skip": "dim italic",
}
"""Rich style of each role, and of quotes, speakers and skipped-text markers."""

MARKS: dict[str, tuple[str, str]] = {
    "changed": ("[", "]"),
    "added": ("{+", "+}"),
    "dropped": ("[-", "-]"),
}
"""Brackets around marked words when colour is not available (``marks=True``)."""


@dataclass(frozen=True)
class Piece:
    """A run of one document's text ``[start, end)`` shown in one role."""

    start: int
    end: int
    role: Role
    quote: bool = False
    speaker: bool = False


@dataclass(frozen=True)
class Skip:
    """Unmatched text left out of the view: ``sentences`` sentences."""

    sentences: int


Cell = tuple["Piece | Skip", ...]


@dataclass(frozen=True)
class Row:
    """One row of the side-by-side view.

    ``kind`` is ``passage`` (part of an aligned passage pair, ``match`` set, ``match.a`` on
    the left) or ``context`` (unmatched text between passages). ``quotes_left`` and
    ``quotes_right`` are the quotes that overlap what the row shows.
    """

    kind: Literal["passage", "context"]
    left: Cell
    right: Cell
    match: Match | None = None
    quotes_left: tuple[Quote, ...] = ()
    quotes_right: tuple[Quote, ...] = ()
    part: int = 0
    """Which row of its passage this is (a long passage is cut at aligned sentence ends)."""


@dataclass(frozen=True)
class PairView:
    """Two documents and the rows that show them side by side."""

    left: Document
    right: Document
    matches: tuple[Match, ...]
    rows: tuple[Row, ...]


# --- matches between the two documents ------------------------------------------------------


def flip(match: Match) -> Match:
    """Return ``match`` with its sides swapped (edits, direction and all)."""
    return dataclasses.replace(
        match,
        a=match.b,
        b=match.a,
        edits=tuple(
            Edit(_FLIPPED_OP[e.op], e.b_start, e.b_end, e.a_start, e.a_end)  # type: ignore[arg-type]
            for e in match.edits
        ),
        direction=_FLIPPED_DIRECTION[match.direction],  # type: ignore[arg-type]
    )


def orient(matches: Iterable[Match], left: str, right: str) -> list[Match]:
    """Return the matches between documents ``left`` and ``right``, with ``a`` on the left.

    Sorted by position in the left document, then in the right one.
    """
    oriented = []
    for match in matches:
        if (match.a.doc, match.b.doc) == (left, right):
            oriented.append(match)
        elif (match.a.doc, match.b.doc) == (right, left):
            oriented.append(flip(match))
    return sorted(oriented, key=lambda m: (m.a.start, m.b.start, m.a.end, m.b.end))


# --- layout -------------------------------------------------------------------------------


def pair_view(
    left: Document,
    right: Document,
    matches: Iterable[Match],
    quotes: Iterable[Quote] = (),
    *,
    context: int | None = 1,
    split: bool = True,
) -> PairView:
    """Lay out ``left`` and ``right`` side by side, one row per aligned passage pair.

    ``context`` is how many sentences of unmatched text to show around each passage (0: only
    the passages; None: the whole texts). Passages are in the order of the left document; a
    right-side passage that comes earlier than one already shown (reordered text) is shown
    again where it matches. With ``split``, a long passage is cut into several rows where
    both sides end a sentence at corresponding points of the edit script, so that aligned
    sentences stand level with each other.
    """
    oriented = orient(matches, left.id, right.id)
    quotes_by_doc: dict[str, list[Quote]] = {left.id: [], right.id: []}
    for quote in quotes:
        if quote.doc in quotes_by_doc:
            quotes_by_doc[quote.doc].append(quote)
    sides = (_Side(left, quotes_by_doc[left.id]), _Side(right, quotes_by_doc[right.id]))

    rows: list[Row] = []
    cursor = [0, 0]
    for k, match in enumerate(oriented):
        where = "lead" if k == 0 else "between"
        gaps = [
            side.gap(cursor[i], span.start, where, context)
            for i, (side, span) in enumerate(zip(sides, (match.a, match.b), strict=True))
        ]
        _add_context(rows, sides, gaps)
        parts = _sentence_parts(match, sides[0].sentences, sides[1].sentences) if split else []
        parts = parts or [(match.a.start, match.a.end, match.b.start, match.b.end)]
        for part, (a0, a1, b0, b1) in enumerate(parts):
            left_cell = sides[0].passage(Span(left.id, a0, a1), match.edits, match.kind, left_side=True)
            right_cell = sides[1].passage(Span(right.id, b0, b1), match.edits, match.kind, left_side=False)
            rows.append(
                Row(
                    "passage", left_cell, right_cell, match,
                    sides[0].quotes_in(left_cell), sides[1].quotes_in(right_cell), part,
                )
            )
        cursor = [max(cursor[0], match.a.end), max(cursor[1], match.b.end)]
    if oriented or context is None:
        where = "tail" if oriented else "all"
        gaps = [side.gap(cursor[i], len(side.document.text), where, context) for i, side in enumerate(sides)]
        _add_context(rows, sides, gaps)
    return PairView(left, right, tuple(oriented), tuple(rows))


SNAP_CHARS = 60
"""How far (in characters) a mapped sentence end may be from a real one on the right side."""


def _sentence_parts(
    match: Match, left_sentences: Sequence[tuple[int, int]], right_sentences: Sequence[tuple[int, int]]
) -> list[tuple[int, int, int, int]]:
    """Cut a passage pair at left sentence starts whose place on the right is a sentence start.

    The place on the right comes from the edit script (or, without one, from the relative
    position in the passage), snapped to the nearest right sentence start within
    :data:`SNAP_CHARS`. Returns ``(a_start, a_end, b_start, b_end)`` parts, or [] for no cut.
    """
    a, b = match.a, match.b
    left_starts = [s for s, _ in left_sentences if a.start < s < a.end]
    right_starts = [s for s, _ in right_sentences if b.start < s < b.end]
    if not left_starts or not right_starts:
        return []
    anchors = _anchors(match)
    cuts: list[tuple[int, int]] = []
    last_b = b.start
    for x in left_starts:
        y = _map_offset(anchors, x)
        nearest = min(right_starts, key=lambda r: (abs(r - y), r))
        if abs(nearest - y) <= SNAP_CHARS and nearest > last_b:
            cuts.append((x, nearest))
            last_b = nearest
    if not cuts:
        return []
    bounds = [(a.start, b.start), *cuts, (a.end, b.end)]
    return [(a0, a1, b0, b1) for (a0, b0), (a1, b1) in itertools.pairwise(bounds)]


def _anchors(match: Match) -> list[tuple[int, int]]:
    points = [(match.a.start, match.b.start)]
    for edit in sorted(match.edits, key=lambda e: (e.a_start, e.b_start)):
        points.append((edit.a_start, edit.b_start))
        points.append((edit.a_end, edit.b_end))
    points.append((match.a.end, match.b.end))
    monotone: list[tuple[int, int]] = []
    for x, y in points:
        if not monotone or (x >= monotone[-1][0] and y >= monotone[-1][1]):
            monotone.append((x, y))
    return monotone


def _map_offset(anchors: Sequence[tuple[int, int]], x: int) -> float:
    """Map a left offset to the right side, linearly between the surrounding anchors."""
    for (x0, y0), (x1, y1) in itertools.pairwise(anchors):
        if x0 <= x <= x1:
            return y0 if x1 == x0 else y0 + (x - x0) * (y1 - y0) / (x1 - x0)
    return anchors[-1][1]


def _add_context(rows: list[Row], sides: Sequence[_Side], gaps: Sequence[Cell]) -> None:
    if any(gaps):
        rows.append(
            Row("context", gaps[0], gaps[1], None, sides[0].quotes_in(gaps[0]), sides[1].quotes_in(gaps[1]))
        )


class _Side:
    """One document of the pair: its sentences and quotes, and how to cut pieces of it."""

    def __init__(self, document: Document, quotes: list[Quote]) -> None:
        self.document = document
        self.sentences = sentence_spans(document.text, document.paragraph_mark)
        self.quotes = sorted(quotes, key=lambda q: (q.start, q.end))

    def passage(self, span: Span, edits: Sequence[Edit], kind: str, *, left_side: bool) -> Cell:
        span = Span(span.doc, *_strip(self.document.text, span.start, span.end))
        marks: list[tuple[int, int, Role]] = []
        for edit in edits:
            start, end = (edit.a_start, edit.a_end) if left_side else (edit.b_start, edit.b_end)
            role = _edit_role(edit.op, left_side)
            if role is not None and end > start:
                marks.append((start, end, role))
        return tuple(self._pieces(span.start, span.end, kind, marks))

    def gap(self, start: int, end: int, where: str, context: int | None) -> Cell:
        """Unmatched text of ``[start, end)``: whole, or ``context`` sentences at its edges."""
        text = self.document.text
        start, end = _strip(text, start, end)
        if end <= start or context == 0:
            return ()
        sentences = [
            (max(s, start), min(e, end)) for s, e in self.sentences if e > start and s < end
        ] or [(start, end)]
        # A stray ". or ”." left over where a passage ended is not a sentence worth showing.
        sentences = [(s, e) for s, e in sentences if any(c.isalnum() for c in text[s:e])]
        if not sentences:
            return ()
        start, end = sentences[0][0], sentences[-1][1]
        if context is None:
            keep_head, keep_tail = len(sentences), 0
        else:
            keep_head = context if where in ("between", "tail") else 0
            keep_tail = context if where in ("between", "lead") else 0
        if keep_head + keep_tail >= len(sentences):
            return tuple(self._pieces(start, end, "unmatched", []))
        cell: list[Piece | Skip] = []
        if keep_head:
            cell.extend(self._pieces(start, sentences[keep_head - 1][1], "unmatched", []))
        cell.append(Skip(len(sentences) - keep_head - keep_tail))
        if keep_tail:
            cell.extend(self._pieces(sentences[-keep_tail][0], end, "unmatched", []))
        return tuple(cell)

    def quotes_in(self, cell: Cell) -> tuple[Quote, ...]:
        shown = [(p.start, p.end) for p in cell if isinstance(p, Piece)]
        return tuple(q for q in self.quotes if any(q.start < e and q.end > s for s, e in shown))

    def _pieces(self, start: int, end: int, base: str, marks: list[tuple[int, int, Role]]) -> list[Piece]:
        quoted = [(q.start, q.end) for q in self.quotes if q.start < end and q.end > start]
        spoken = [
            (q.speaker_start, q.speaker_end)
            for q in self.quotes
            if q.speaker_start is not None and q.speaker_end is not None
            and q.speaker_start < end and q.speaker_end > start
        ]
        cuts = {start, end}
        for s, e in [(s, e) for s, e, _ in marks] + quoted + spoken:
            cuts.update(x for x in (s, e) if start < x < end)
        ordered = sorted(cuts)
        pieces: list[Piece] = []
        for s, e in itertools.pairwise(ordered):
            role = next((r for ms, me, r in reversed(marks) if ms <= s < me), base)
            piece = Piece(
                s, e, role,  # type: ignore[arg-type]
                quote=any(qs <= s < qe for qs, qe in quoted),
                speaker=any(ss <= s < se for ss, se in spoken),
            )
            last = pieces[-1] if pieces else None
            if last and (last.role, last.quote, last.speaker) == (piece.role, piece.quote, piece.speaker):
                pieces[-1] = dataclasses.replace(last, end=e)
            else:
                pieces.append(piece)
        return pieces


def _edit_role(op: str, left_side: bool) -> Role | None:
    if op == "change":
        return "changed"
    if op == "drop":
        return "dropped" if left_side else None
    if op == "add":
        return None if left_side else "added"
    return None


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --- terminal rendering -------------------------------------------------------------------


def render_pair(view: PairView, *, marks: bool = False) -> Group:
    """Return a rich renderable of ``view``: a two-column table and a one-line summary.

    With ``marks``, changed, added and dropped words are also bracketed (``[changed]``,
    ``{+added+}``, ``[-dropped-]``) so they stay visible without colour.
    """
    if not view.rows:
        return Group(_summary(view))
    table = Table(show_lines=True, expand=True, pad_edge=False, highlight=False)
    table.add_column(_heading(view.left), ratio=1, overflow="fold")
    table.add_column("", width=6, justify="center", no_wrap=True)
    table.add_column(_heading(view.right), ratio=1, overflow="fold")
    for row in view.rows:
        gutter = Text()
        if row.match is not None and row.part:
            gutter = Text("┆", style=STYLES[row.match.kind])
        elif row.match is not None:
            symbol = "=" if row.match.kind == "verbatim" else "≈"
            arrow = {"a->b": "→", "b->a": "←"}.get(row.match.direction, "")
            gutter = Text(f"{symbol}{arrow}\n{row.match.score:.2f}", style=STYLES[row.match.kind])
        table.add_row(
            _cell_text(view.left.text, row.left, row.quotes_left, marks),
            gutter,
            _cell_text(view.right.text, row.right, row.quotes_right, marks),
        )
    return Group(table, _summary(view))


def _heading(document: Document) -> Text:
    if not document.outlet:
        return Text(document.id, style="bold")
    heading = Text(document.outlet, style="bold")
    if document.date:
        heading.append(f" · {document.date}")
    heading.append(f"\n{document.id}", style="dim")
    return heading


def _cell_text(text: str, cell: Cell, quotes: Sequence[Quote], marks: bool) -> Text:
    out = Text()
    open_mark: str | None = None
    for item in cell:
        role = item.role if isinstance(item, Piece) else None
        if marks and open_mark is not None and role != open_mark:
            out.append(MARKS[open_mark][1], style=STYLES[open_mark])
            open_mark = None
        if isinstance(item, Skip):
            if out and not out.plain.endswith("\n"):
                out.append("\n")
            noun = "sentence" if item.sentences == 1 else "sentences"
            out.append(f"⋯ {item.sentences} {noun} ⋯\n", style=STYLES["skip"])
            continue
        style = STYLES[item.role]
        if item.quote:
            style += " " + STYLES["quote"]
        if item.speaker:
            style += " " + STYLES["speaker"]
        if marks and item.role in MARKS and open_mark is None:
            out.append(MARKS[item.role][0], style=STYLES[item.role])
            open_mark = item.role
        out.append(text[item.start : item.end], style=style)
    if open_mark is not None:
        out.append(MARKS[open_mark][1], style=STYLES[open_mark])
    for quote in quotes:
        who = quote.speaker or ("no speaker" if quote.kind == "attributed" else quote.kind)
        via = f" ({quote.cue})" if quote.cue else ""
        if quote.medium and quote.medium not in via:
            via = f" ({quote.cue or 'via'} {quote.medium})"
        snippet = quote.text if len(quote.text) <= 60 else quote.text[:57] + "…"
        out.append(f"\n❝ {who}{via}: “{snippet}”", style="dim")
    return out


def _summary(view: PairView) -> Text:
    if not view.matches:
        return Text("No reused passages found between these two texts.", style="bold")
    verbatim = sum(1 for m in view.matches if m.kind == "verbatim")
    reworded = len(view.matches) - verbatim
    words = sum(m.verbatim_words + m.reworded_words for m in view.matches)
    noun = "passage" if len(view.matches) == 1 else "passages"
    summary = Text(
        f"{len(view.matches)} {noun} ({verbatim} verbatim, {reworded} reworded), "
        f"{words} words reused."
    )
    for way, source, reuser in (("a->b", view.left, view.right), ("b->a", view.right, view.left)):
        taken = [m for m in view.matches if m.direction == way]
        if taken:
            credited = sum(1 for m in taken if m.credited)
            summary.append(
                f"\n{_name(reuser)} took {len(taken)} {'passage' if len(taken) == 1 else 'passages'} "
                f"from {_name(source)} (the earlier article): {credited} credited, "
                f"{len(taken) - credited} not."
            )
    summary.append("\n")
    for role in ("verbatim", "reworded", "changed", "added", "dropped"):
        summary.append(role, style=STYLES[role])
        summary.append(" ")
    summary.append("quote", style=STYLES["quote"])
    return summary


def _name(document: Document) -> str:
    return document.outlet or document.id


# --- getting the two documents --------------------------------------------------------------


def compare_files(path_a: str | Path, path_b: str | Path, **params: Any) -> ScanResult:
    """Read two files and find the passages they share (no corpus needed).

    The documents keep their file names as ids (their paths when the names are equal).
    Returns a :class:`ScanResult` with the two documents, their matches and their quotes.
    """
    left, right = _read_file(path_a), _read_file(path_b)
    if left.id == right.id:
        left = dataclasses.replace(left, id=str(path_a))
        right = dataclasses.replace(right, id=str(path_b))
    return compare_documents(left, right, **params)


def compare_documents(left: Document, right: Document, **params: Any) -> ScanResult:
    """Align two documents with :func:`reprints.scan.compare` and extract their quotes."""
    try:
        from .scan import compare
    except ImportError as err:
        raise ResultsError(f"comparing texts needs reprints.scan ({err})") from err
    found = compare(left.text, right.text, **params)
    matches = []
    for match in found:
        # compare() calls its first text "a" and its second "b"; give them the real ids.
        relabelled = dataclasses.replace(
            match, a=dataclasses.replace(match.a, doc=left.id), b=dataclasses.replace(match.b, doc=right.id)
        )
        matches.append(relabelled if left.id < right.id else flip(relabelled))
    documents = tuple(sorted((left, right), key=lambda d: d.id))
    return ScanResult(
        documents=documents,
        matches=tuple(sorted(matches, key=lambda m: (m.a.doc, m.a.start, m.b.doc, m.b.start))),
        quotes=tuple(quote for doc in documents for quote in _extract_quotes(doc)),
    )


def documents_from_results(result: ScanResult, id_a: str, id_b: str) -> tuple[Document, Document]:
    """Return the two documents of ``result`` named ``id_a`` and ``id_b`` (see :func:`find_id`)."""
    by_id = {d.id: d for d in result.documents}
    return by_id[find_id(by_id, id_a)], by_id[find_id(by_id, id_b)]


def pair_from_results(out_dir: str | Path, id_a: str, id_b: str) -> tuple[ScanResult, Document, Document]:
    """Read two documents, their matches and quotes from a results folder (nothing else)."""
    from .store import document_ids, load_pair

    ids = document_ids(out_dir)
    first, second = find_id(ids, id_a), find_id(ids, id_b)
    result = load_pair(out_dir, first, second)
    left, right = documents_from_results(result, first, second)
    return result, left, right


def documents_from_corpus(paths: Sequence[str | Path], id_a: str, id_b: str) -> ScanResult:
    """Read a corpus, pick two documents by id (see :func:`find_id`) and compare them."""
    from .read import read_corpus

    corpus = read_corpus(list(paths))
    by_id = {d.id: d for d in corpus.documents}
    return compare_documents(by_id[find_id(by_id, id_a)], by_id[find_id(by_id, id_b)])


def find_id(ids: Collection[str], wanted: str) -> str:
    """Return the id in ``ids`` that ``wanted`` names.

    ``wanted`` may be the id, a path ending in it (``sample_data/004_….txt``), or a file name
    that only one id has. Raises ``InputError`` naming the closest ids when none fits.
    """
    if wanted in ids:
        return wanted
    posix = wanted.replace("\\", "/")
    endings = [doc_id for doc_id in ids if posix.endswith("/" + doc_id) or doc_id.endswith("/" + posix)]
    named = [doc_id for doc_id in ids if doc_id.rsplit("/", 1)[-1] == posix.rsplit("/", 1)[-1]]
    for candidates in (endings, named):
        if len(candidates) == 1:
            return candidates[0]
    close = difflib.get_close_matches(wanted, list(ids), n=3)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise InputError(f"no document with id {wanted!r} ({len(ids)} documents){hint}")


def _read_file(path: str | Path) -> Document:
    from .read import read_corpus

    file = Path(path)
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    corpus = read_corpus([file])
    if not corpus.documents:
        why = "; ".join(str(p) for p in corpus.problems) or "no text found"
        raise InputError(f"{file}: cannot read it ({why})")
    return corpus.documents[0]


def _extract_quotes(document: Document) -> list[Quote]:
    try:
        from .quotes import extract_quotes
    except ImportError:
        return []
    return list(extract_quotes(document))
