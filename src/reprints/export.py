"""Export results for other tools: matches as CSV, the outlet reuse graph for Gephi.

The graph (:func:`outlet_graph`) has one node per outlet and one edge per (source outlet,
reusing outlet) pair. A match whose direction is known counts on the edge from the earlier
article's outlet to the later one's; an undirected match (dates unknown or equal) counts on the
edge between its two outlets in alphabetical order, in ``undirected_passages``.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import ParameterError, ResultsError
from .model import Document, Match, ScanResult
from .store import (
    SCORE_DIGITS,
    document_outlets,
    iter_matches,
    match_order,
    open_results,
    word_counts,
)

if TYPE_CHECKING:
    import networkx as nx

NO_OUTLET = "(no outlet)"
"""Node name for documents whose outlet is unknown."""

MATCH_COLUMNS = (
    "a_doc", "a_start", "a_end", "a_outlet", "a_date",
    "b_doc", "b_start", "b_end", "b_outlet", "b_date",
    "kind", "score", "direction", "credited", "verbatim_words", "reworded_words",
    "a_text", "b_text",
)
"""Columns of the matches CSV, in order (offsets as in ``matches.jsonl``)."""

GRAPH_FORMATS = (".gexf", ".graphml")


def write_matches_csv(result: ScanResult, target: str | Path | IO[str]) -> int:
    """Write one CSV row per match (header :data:`MATCH_COLUMNS`); return the row count.

    ``credited`` is ``true``, ``false`` or empty (unknown). Edit scripts are left out; they are
    in ``matches.jsonl`` and ``results.db``.
    """
    documents = {d.id: d for d in result.documents}
    rows = (_match_row(m, documents) for m in sorted(result.matches, key=match_order))
    return _write_csv(rows, target)


def export_matches_csv(out_dir: str | Path, target: str | Path | IO[str]) -> int:
    """Write the matches CSV straight from ``out_dir/results.db``, streaming its rows.

    The same file as :func:`write_matches_csv` of the loaded results, without loading them.
    """
    with open_results(out_dir) as conn:
        rows = (
            (*row[:13], "" if row[13] is None else str(bool(row[13])).lower(), *row[14:])
            for row in conn.execute(f"SELECT {', '.join(MATCH_COLUMNS)} FROM matches ORDER BY id")
        )
        return _write_csv(rows, target)


def _write_csv(rows: Iterable[Iterable[Any]], target: str | Path | IO[str]) -> int:
    if isinstance(target, (str, Path)):
        try:
            with Path(target).open("w", encoding="utf-8", newline="") as handle:
                return _write_csv(rows, handle)
        except OSError as err:
            raise ResultsError(f"cannot write {target}: {err.strerror}") from err
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(MATCH_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def outlet_graph(result: ScanResult) -> nx.DiGraph:
    """Return the outlet→outlet reuse graph.

    Nodes are outlet names (:data:`NO_OUTLET` when unknown) with ``articles`` and ``words``.
    Edges run from the source outlet to the reusing outlet and carry ``passages``,
    ``directed_passages``, ``undirected_passages``, ``article_pairs``, ``words``,
    ``verbatim_words``, ``reworded_words``, ``credited_passages``, ``uncredited_passages``
    and ``weight`` (= ``words``, or ``passages`` when no word counts are known). A match
    between two articles of the same outlet is a self-loop.
    """
    return reuse_graph(
        ((d.id, d.outlet, words) for d, words in zip(result.documents, word_counts(result), strict=True)),
        result.matches,
    )


def export_outlet_graph(out_dir: str | Path) -> nx.DiGraph:
    """Build :func:`outlet_graph` straight from ``out_dir/results.db``, streaming the matches."""
    with open_results(out_dir) as conn:
        return reuse_graph(document_outlets(conn), iter_matches(conn, edits=False))


def reuse_graph(
    documents: Iterable[tuple[str, str | None, int]], matches: Iterable[Match]
) -> nx.DiGraph:
    """Build :func:`outlet_graph` from ``(id, outlet, words)`` of each document and the matches.

    Both may be streams (the matches are read once, edit scripts unused).
    """
    import networkx as nx

    outlets: dict[str, str] = {}
    articles: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for doc_id, outlet, doc_words in documents:
        name = outlet or NO_OUTLET
        outlets[doc_id] = name
        articles[name] += 1
        words[name] += doc_words

    edges: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    pairs: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for match in matches:
        source_doc, reuser_doc = _source_and_reuser(match)
        source = outlets.get(source_doc, NO_OUTLET)
        reuser = outlets.get(reuser_doc, NO_OUTLET)
        if match.direction == "undirected" and reuser < source:
            source, reuser = reuser, source
        counts = edges[(source, reuser)]
        counts["passages"] += 1
        counts["directed_passages" if match.direction != "undirected" else "undirected_passages"] += 1
        counts["words"] += match.verbatim_words + match.reworded_words
        counts["verbatim_words"] += match.verbatim_words
        counts["reworded_words"] += match.reworded_words
        if match.credited is True:
            counts["credited_passages"] += 1
        elif match.credited is False:
            counts["uncredited_passages"] += 1
        pairs[(source, reuser)].add((source_doc, reuser_doc))

    graph = nx.DiGraph(name="outlet reuse")
    for outlet in sorted(set(articles) | {o for edge in edges for o in edge}):
        graph.add_node(outlet, label=outlet, articles=articles[outlet], words=words[outlet])
    keys = (
        "passages", "directed_passages", "undirected_passages", "words", "verbatim_words",
        "reworded_words", "credited_passages", "uncredited_passages",
    )
    for (source, reuser), counts in sorted(edges.items()):
        attributes = {key: counts[key] for key in keys}
        attributes["article_pairs"] = len(pairs[(source, reuser)])
        attributes["weight"] = counts["words"] or counts["passages"]
        graph.add_edge(source, reuser, **attributes)
    return graph


def write_graph(graph: nx.DiGraph, path: str | Path) -> None:
    """Write ``graph`` as GEXF or GraphML, chosen by the file's suffix (for Gephi).

    The output is deterministic: no timestamp is written.
    """
    import networkx as nx
    from networkx.readwrite.gexf import GEXFWriter

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in GRAPH_FORMATS:
        raise ParameterError(
            f"cannot tell the graph format of {target.name!r}; name it *.gexf or *.graphml"
        )
    try:
        if suffix == ".gexf":
            writer = GEXFWriter(encoding="utf-8", prettyprint=True)
            meta = writer.xml.find("meta")
            if meta is not None:
                # networkx stamps today's date here, which would make equal graphs differ.
                meta.attrib.pop("lastmodifieddate", None)
            writer.add_graph(graph)
            writer.write(str(target))
        else:
            nx.write_graphml(graph, str(target), encoding="utf-8", prettyprint=True)
    except OSError as err:
        raise ResultsError(f"cannot write {target}: {err.strerror}") from err


def _source_and_reuser(match: Match) -> tuple[str, str]:
    if match.direction == "b->a":
        return match.b.doc, match.a.doc
    return match.a.doc, match.b.doc


def _match_row(match: Match, documents: dict[str, Document]) -> Iterable[Any]:
    a, b = documents.get(match.a.doc), documents.get(match.b.doc)
    credited = "" if match.credited is None else str(match.credited).lower()
    return (
        match.a.doc, match.a.start, match.a.end, a.outlet if a else "", a.date if a else "",
        match.b.doc, match.b.start, match.b.end, b.outlet if b else "", b.date if b else "",
        match.kind, round(match.score, SCORE_DIGITS), match.direction, credited,
        match.verbatim_words, match.reworded_words,
        a.text[match.a.start : match.a.end] if a else "",
        b.text[match.b.start : match.b.end] if b else "",
    )
