"""Group articles connected by reuse into stories, with the earliest as the likely origin."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timezone

from .credit import _when
from .model import Document, Match, Story
from .normalize import WORD_RE


def _date_key(date: str | None) -> tuple[int, str]:
    """Sort dated articles first, earliest first; compare by UTC where a zone is given."""
    if not date:
        return (1, "")
    when = _when(date)
    if when is None:
        return (1, date)
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return (0, when.isoformat() if len(date.strip()) > 10 else when.date().isoformat())


def _covered(spans: list[tuple[int, int]]) -> int:
    """Characters covered by the union of ``spans``."""
    total, reach = 0, -1
    for start, end in sorted(spans):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def linked_pairs(
    documents: Sequence[Document],
    matches: Sequence[Match],
    min_share: float,
    reworded_share: float = 1.1,
    min_run_words: int = 5,
) -> list[tuple[str, str]]:
    """Return the document pairs that belong in one story.

    A pair is linked when verbatim runs of ``min_run_words`` words or more cover
    ``min_share`` of one side's characters, or when the two are each other's partner with
    the most coverage and all their passages cover ``reworded_share`` of one side.
    """
    texts = {d.id: d.text for d in documents}
    lengths = {d.id: max(len(d.text.strip()), 1) for d in documents}
    passages: dict[tuple[str, str], tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    runs: dict[tuple[str, str], tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    for m in matches:
        if m.a.doc == m.b.doc or m.a.doc not in lengths or m.b.doc not in lengths:
            continue
        pair = (m.a.doc, m.b.doc)
        a_spans, b_spans = passages.setdefault(pair, ([], []))
        a_spans.append((m.a.start, m.a.end))
        b_spans.append((m.b.start, m.b.end))
        a_runs, b_runs = runs.setdefault(pair, ([], []))
        for e in m.edits:
            if e.op == "keep" and len(WORD_RE.findall(texts[m.a.doc], e.a_start, e.a_end)) >= min_run_words:
                a_runs.append((e.a_start, e.a_end))
                b_runs.append((e.b_start, e.b_end))

    def share(pair: tuple[str, str], spans: tuple[list[tuple[int, int]], list[tuple[int, int]]]) -> float:
        return max(_covered(spans[0]) / lengths[pair[0]], _covered(spans[1]) / lengths[pair[1]])

    linked = {pair for pair, spans in runs.items() if spans[0] and share(pair, spans) >= min_share}
    best: dict[str, tuple[float, tuple[str, str]]] = {}
    for pair, spans in sorted(passages.items()):
        value = share(pair, spans)
        if value < reworded_share:
            continue
        for doc_id in pair:
            if doc_id not in best or (value, pair) > best[doc_id]:
                best[doc_id] = (value, pair)
    linked |= {pair for _, pair in best.values() if best[pair[0]][1] == pair == best[pair[1]][1]}
    return sorted(linked)


def find_stories(
    documents: Sequence[Document],
    matches: Sequence[Match],
    min_share: float = 0.0,
    reworded_share: float = 1.1,
    min_run_words: int = 5,
) -> list[Story]:
    """Return the connected components (two or more articles) of the reuse graph.

    The links are those of :func:`linked_pairs` (with the defaults, any verbatim run links).

    Stories are numbered ``story-1``, ``story-2``, … by their earliest date, then by their
    smallest document id, so the numbering does not depend on input order.
    """
    by_id = {d.id: d for d in documents}
    parent = {d.id: d.id for d in documents}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for first, second in linked_pairs(documents, matches, min_share, reworded_share, min_run_words):
        ra, rb = root(first), root(second)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for doc_id in sorted(parent):
        groups.setdefault(root(doc_id), []).append(doc_id)
    components = [ids for ids in groups.values() if len(ids) > 1]

    def first_key(ids: list[str]) -> tuple[tuple[int, str], str]:
        return min(_date_key(by_id[i].date) for i in ids), ids[0]

    stories = []
    for number, ids in enumerate(sorted(components, key=first_key), start=1):
        dated = sorted((_date_key(by_id[i].date), i) for i in ids if by_id[i].date)
        origin = dated[0][1] if dated else None
        dates = [by_id[i].date for _, i in dated]
        outlets = sorted({by_id[i].outlet for i in ids if by_id[i].outlet})  # type: ignore[type-var]
        stories.append(
            Story(
                id=f"story-{number}",
                docs=tuple(ids),
                origin=origin,
                outlets=tuple(outlets),  # type: ignore[arg-type]
                first_date=dates[0] if dates else None,
                last_date=dates[-1] if dates else None,
            )
        )
    return stories
