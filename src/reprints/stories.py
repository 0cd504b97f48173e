"""Group articles connected by reuse into stories, with the earliest as the likely origin."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timezone

from .credit import _when
from .model import Document, Match, Story


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
    documents: Sequence[Document], matches: Sequence[Match], min_share: float
) -> list[tuple[str, str]]:
    """Return the document pairs whose passages cover ``min_share`` of one side's characters."""
    lengths = {d.id: max(len(d.text.strip()), 1) for d in documents}
    sides: dict[tuple[str, str], tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    for m in matches:
        if m.a.doc == m.b.doc or m.a.doc not in lengths or m.b.doc not in lengths:
            continue
        a_spans, b_spans = sides.setdefault((m.a.doc, m.b.doc), ([], []))
        a_spans.append((m.a.start, m.a.end))
        b_spans.append((m.b.start, m.b.end))
    return sorted(
        pair
        for pair, (a_spans, b_spans) in sides.items()
        if max(_covered(a_spans) / lengths[pair[0]], _covered(b_spans) / lengths[pair[1]])
        >= min_share
    )


def find_stories(
    documents: Sequence[Document], matches: Sequence[Match], min_share: float = 0.0
) -> list[Story]:
    """Return the connected components (two or more articles) of the reuse graph.

    Two articles are linked when their passages cover at least ``min_share`` of the
    characters of one of them.

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

    for first, second in linked_pairs(documents, matches, min_share):
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
