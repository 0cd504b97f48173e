"""Find quotations in one text: every quotation mark paired, with offsets into the original.

Handles the forms news uses: straight and curly double quotes; single quotes nested inside
double ones, or used as the outer mark (told apart from apostrophes: "Trump's", "don't",
"'90s", "users' rights"); quotations over several paragraphs, where each paragraph reopens
the mark and only the last closes it (or, as some outlets do, only the last paragraph closes
it without any reopening); unbalanced marks (an opened quotation never closed runs to the end
of its paragraph); « » and „ “; PA wire copy's ``…'' and `…'; and short scare quotes.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..normalize import paragraph_spans

Family = Literal["double", "single"]
Role = Literal["open", "close", "either"]


@dataclass(frozen=True)
class Quotation:
    """One quotation found by its marks.

    ``start``/``end`` cover the quoted words without the marks (white space and a trailing
    comma trimmed). ``open_at`` is the offset of the opening mark; ``close_at`` that of the
    closing mark, or None when the quotation is never closed. ``parent`` indexes the
    enclosing quotation in the returned list (None at top level). ``paragraphs`` counts the
    paragraphs the quotation runs over.
    """

    start: int
    end: int
    open_at: int
    close_at: int | None
    mark: Family
    parent: int | None = None
    paragraphs: int = 1


_MARK_RE = re.compile(r"``|''|[\"“”„‟«»‘’‚‛‹›'`]")
_DOUBLE = frozenset(['"', "“", "”", "„", "‟", "«", "»", "``", "''"])
_QUOTE_CHARS = frozenset("\"“”„‟«»‘’‚‛‹›'`")
_OPEN_PUNCT = frozenset("([{—–-/\u2014")
_CLOSE_PUNCT = frozenset(".,;:!?)]}…—–-/*<")
# Word beginnings after which a leading apostrophe is an elision, not an opening mark.
_ELISION_RE = re.compile(r"(?:em|tis|twas|til|cause|n|s|bout|round|nuff|cos|ol)\b", re.IGNORECASE)


@dataclass(slots=True)
class _Mark:
    at: int
    end: int
    family: Family
    role: Role
    glyph: str


@dataclass(slots=True)
class _Open:
    mark: _Mark
    first_paragraph: int


_BEFORE_OPENING = _OPEN_PUNCT | _QUOTE_CHARS
_AFTER_CLOSING = _CLOSE_PUNCT | _QUOTE_CHARS


def _classify(text: str, m: re.Match[str]) -> _Mark | None:
    glyph = m.group()
    at, end = m.span()
    prev = text[at - 1] if at > 0 else ""
    nxt = text[end] if end < len(text) else ""
    prev_space = prev == "" or prev.isspace()  # the text's edge counts as space
    next_space = nxt == "" or nxt.isspace()
    left = (prev_space or prev in _BEFORE_OPENING) and not next_space and nxt not in ".,;:!?"
    right = (
        not prev_space
        and (next_space or nxt in _AFTER_CLOSING)
        and not (prev in _OPEN_PUNCT and prev not in "-–—")
    )
    family: Family = "double" if glyph in _DOUBLE else "single"
    if family == "double":
        if glyph in ("„", "‟", "«", "``"):
            role: Role = "open"
        elif glyph == "»":
            role = "close"
        elif left and not right:
            role = "open"
        elif right and not left:
            role = "close"
        elif left and right:  # word“word: trust the glyph
            role = "close" if glyph == "”" else "open" if glyph == "“" else "either"
        else:  # between spaces, or a stray space before the closing mark: pair it up
            role = "either"
        return _Mark(at, end, family, role, glyph)
    # Single marks: first rule out apostrophes.
    if prev.isalnum() and nxt.isalnum():
        return None  # don't, Trump's, O'Neill
    if left and nxt.isdigit():
        return None  # '90s
    if left and glyph in ("'", "’") and _ELISION_RE.match(text, end):
        return None  # 'em, 'tis, rock 'n' roll
    if glyph in ("‘", "‚", "‹", "`", "‛"):
        role = "close" if right and not left else "open"
    elif glyph in ("’", "›"):
        if left and not right:
            role = "open"
        elif right:
            role = "close"
        else:
            return None
    else:  # straight '
        if left and not right:
            role = "open"
        elif right and not left:
            role = "close"
        else:
            return None
    return _Mark(at, end, family, role, glyph)


def _mark_offsets(text: str) -> list[int] | None:
    """Offsets of the quotation-mark characters of ``text``, in order; None when numpy
    cannot take the text (lone surrogates)."""
    try:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:
        return None
    return np.flatnonzero(_IS_MARK[np.minimum(codes, _IS_MARK.size - 1)]).tolist()


# True at the code point of each quotation-mark character; the last entry (False) stands
# for every code point above them.
_IS_MARK = np.zeros(max(map(ord, _QUOTE_CHARS)) + 2, dtype=bool)
_IS_MARK[[ord(ch) for ch in _QUOTE_CHARS]] = True


def _matches_at(text: str, end: int, offsets: list[int]) -> Iterator[re.Match[str]]:
    """The ``_MARK_RE`` matches ``finditer`` finds before ``end``, tried only at ``offsets``.

    Every match starts at a quotation-mark character and one matches at each of them, so
    trying the regex there (skipping the second mark of a ``''`` or a double backquote)
    gives ``finditer``'s matches without its slow test of every character.
    """
    after = 0
    for at in offsets:
        if at >= after and (m := _MARK_RE.match(text, at, end)) is not None:
            after = m.end()
            yield m


def _marks_in(text: str, start: int, end: int, offsets: list[int] | None = None) -> list[_Mark]:
    """The quotation marks in ``[start, end)``; ``offsets`` are :func:`_mark_offsets` of ``text``."""
    if offsets is None:
        found: Iterable[re.Match[str]] = _MARK_RE.finditer(text, start, end)
    else:
        found = _matches_at(text, end, offsets[bisect_left(offsets, start) : bisect_left(offsets, end)])
    return [mark for m in found if (mark := _classify(text, m)) is not None]


def _inner(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim white space (and a trailing comma, which belongs to the reporting sentence)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",<"):
        end -= 1
    return start, end


def find_quotations(
    text: str, paragraph_mark: str | None = None, *, paragraphs: list[tuple[int, int]] | None = None
) -> list[Quotation]:
    """Return every quotation in ``text``, nested ones included, sorted by start.

    A quotation with no words between its marks is skipped. Single marks that are never
    closed are taken for apostrophes and dropped; a double mark that is never closed opens a
    quotation running to the end of its paragraph (or on, when the next paragraph reopens
    the mark or closes it). ``paragraph_mark`` is a paragraph separator besides line breaks
    (``Document.paragraph_mark``); ``paragraphs`` are ``paragraph_spans(text,
    paragraph_mark)`` when the caller has them.
    """
    if paragraphs is None:
        paragraphs = paragraph_spans(text, paragraph_mark)
    found: list[tuple[int, int, int, int | None, Family, int]] = []  # start,end,open,close,mark,paras
    carried: _Open | None = None
    carried_end = 0
    offsets = _mark_offsets(text)
    for p_index, (p_start, p_end) in enumerate(paragraphs):
        marks = _marks_in(text, p_start, p_end, offsets)
        stack: list[_Open] = []
        i = 0
        if carried is not None:
            first_double = next((m for m in marks if m.family == "double"), None)
            reopens = (
                first_double is not None
                and first_double.role in ("open", "either")
                and text[p_start:first_double.at].strip() == ""
            )
            # Some outlets close a two-paragraph quotation without reopening it: accept that
            # only when the closing mark ends the next paragraph (The Duran's “… northern Syria”.)
            closes_later = (
                not reopens
                and first_double is not None
                and first_double.role in ("close", "either")
                and not re.search(r"\w", text[first_double.end : p_end])
            )
            if reopens:
                assert first_double is not None
                stack.append(carried)
                i = marks.index(first_double) + 1  # the reopening mark is consumed
            elif closes_later:
                stack.append(carried)
            else:
                _emit_unclosed(text, found, carried, carried_end, p_index)
            carried = None
        for mark in marks[i:]:
            if mark.family == "double":
                top_double = _last_index(stack, "double")
                if mark.role == "open" or (mark.role == "either" and top_double is None):
                    stack.append(_Open(mark, p_index))
                elif top_double is not None:
                    opened = stack[top_double]
                    del stack[top_double:]  # unclosed singles inside were apostrophes
                    start, end = _inner(text, opened.mark.end, mark.at)
                    found.append((start, end, opened.mark.at, mark.at, "double", p_index - opened.first_paragraph + 1))
                # a closing double mark with nothing open is a stray: ignored
            else:
                if mark.role == "open":
                    stack.append(_Open(mark, p_index))
                elif stack and stack[-1].mark.family == "single":
                    opened = stack.pop()
                    start, end = _inner(text, opened.mark.end, mark.at)
                    found.append((start, end, opened.mark.at, mark.at, "single", 1))
                # a closing single mark with no single open is an apostrophe ("users' rights")
        doubles = [o for o in stack if o.mark.family == "double"]
        if doubles:
            carried = doubles[0]
            carried_end = p_end
            for inner_open in doubles[1:]:
                _emit_unclosed(text, found, inner_open, p_end, p_index + 1)
    if carried is not None:
        _emit_unclosed(text, found, carried, carried_end, len(paragraphs))
    return _with_parents(text, found)


def _last_index(stack: list[_Open], family: Family) -> int | None:
    for k in range(len(stack) - 1, -1, -1):
        if stack[k].mark.family == family:
            return k
    return None


def _emit_unclosed(
    text: str,
    found: list[tuple[int, int, int, int | None, Family, int]],
    opened: _Open,
    end: int,
    next_paragraph: int,
) -> None:
    start, stop = _inner(text, opened.mark.end, end)
    found.append((start, stop, opened.mark.at, None, "double", next_paragraph - opened.first_paragraph))


def _with_parents(text: str, found: list[tuple[int, int, int, int | None, Family, int]]) -> list[Quotation]:
    rows = sorted(
        {r for r in found if r[1] > r[0] and any(ch.isalnum() for ch in text[r[0]:r[1]])},
        key=lambda r: (r[0], -r[1], r[2]),
    )
    out: list[Quotation] = []
    open_chain: list[int] = []  # indexes of quotations that may still enclose the next one
    for start, end, open_at, close_at, mark, paras in rows:
        while open_chain and not (out[open_chain[-1]].open_at < open_at and end <= out[open_chain[-1]].end):
            open_chain.pop()
        parent = open_chain[-1] if open_chain else None
        out.append(Quotation(start, end, open_at, close_at, mark, parent, max(1, paras)))
        open_chain.append(len(out) - 1)
    return out
