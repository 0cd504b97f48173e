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


def find_stories(documents: Sequence[Document], matches: Sequence[Match]) -> list[Story]:
    """Return the connected components (two or more articles) of the reuse graph.

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

    for m in matches:
        if m.a.doc in parent and m.b.doc in parent and m.a.doc != m.b.doc:
            ra, rb = root(m.a.doc), root(m.b.doc)
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
