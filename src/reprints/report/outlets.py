"""Who took from whom: outlet→outlet reuse counts, as a matrix and as a drawn graph (SVG)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from ..export import NO_OUTLET, outlet_graph
from ..model import ScanResult

if TYPE_CHECKING:
    import networkx as nx

UNKNOWN_OUTLET = NO_OUTLET



@dataclass(frozen=True)
class OutletFlow:
    """Passages that travelled from one outlet's articles into another's (one graph edge).

    ``words`` is the edge's weight: reused words, or passages when no word counts are known.
    """

    source: str
    reuser: str
    passages: int
    words: int
    undirected: int
    credited: int


def outlet_flows(result: ScanResult) -> list[OutletFlow]:
    """List the edges of the outlet reuse graph (``export.outlet_graph``), most words first."""
    return graph_flows(outlet_graph(result))


def graph_flows(graph: nx.DiGraph) -> list[OutletFlow]:
    """List the edges of an outlet reuse graph (``export.reuse_graph``), most words first."""
    flows = [
        OutletFlow(
            source,
            reuser,
            edge["passages"],
            edge["weight"],
            edge["undirected_passages"],
            edge["credited_passages"],
        )
        for source, reuser, edge in graph.edges(data=True)
    ]
    flows.sort(key=lambda f: (-f.words, f.source, f.reuser))
    return flows


def busiest_outlets(flows: list[OutletFlow], limit: int) -> list[str]:
    """Return up to ``limit`` outlets with the most reused words in or out, by name."""
    weight: dict[str, int] = defaultdict(int)
    for flow in flows:
        weight[flow.source] += flow.words
        weight[flow.reuser] += flow.words
    ranked = sorted(weight, key=lambda name: (-weight[name], name))[:limit]
    return sorted(ranked, key=str.casefold)


def _flow_title(flow: OutletFlow) -> str:
    parts = [
        f"{flow.source} → {flow.reuser}: {flow.passages} passage{'s' * (flow.passages != 1)}",
        f"{flow.words} words",
    ]
    if flow.credited:
        parts.append(f"{flow.credited} credited")
    if flow.undirected:
        parts.append(f"{flow.undirected} with no known direction (counted a→b by name)")
    return ", ".join(parts)


def matrix_html(flows: list[OutletFlow], limit: int = 25) -> str:
    """Render the source×reuser matrix as an HTML table; cell tint grows with reused words."""
    if not flows:
        return '<p class="empty">No reuse between outlets was found.</p>'
    names = busiest_outlets(flows, limit)
    shown = set(names)
    cell = {(f.source, f.reuser): f for f in flows if f.source in shown and f.reuser in shown}
    peak = max((f.words for f in cell.values()), default=1) or 1
    rows = [
        '<table class="matrix"><thead><tr><th class="corner">source ↓ · reused by →</th>'
        + "".join(
            f'<th class="col" data-outlet="{escape(n)}"><span>{escape(n)}</span></th>' for n in names
        )
        + "</tr></thead><tbody>"
    ]
    for source in names:
        cells = []
        for reuser in names:
            flow = cell.get((source, reuser))
            if flow is None:
                cells.append('<td class="zero"></td>')
                continue
            strength = math.log1p(flow.words) / math.log1p(peak)
            cells.append(
                f'<td class="hit" style="--w:{strength:.2f}" data-source="{escape(source)}" '
                f'data-reuser="{escape(reuser)}" title="{escape(_flow_title(flow))}">'
                f"{flow.passages}</td>"
            )
        rows.append(
            f'<tr data-outlet="{escape(source)}"><th class="row">{escape(source)}</th>'
            + "".join(cells)
            + "</tr>"
        )
    rows.append("</tbody></table>")
    note = ""
    if len(names) < len({f.source for f in flows} | {f.reuser for f in flows}):
        note = f'<p class="note">Showing the {len(names)} outlets with the most reuse.</p>'
    return "".join(rows) + note


def graph_svg(
    flows: list[OutletFlow], limit: int = 14, max_edges: int = 40, size: int = 420, margin: int = 120
) -> str:
    """Draw outlets on a circle with an arrow from source to reuser, thicker for more words.

    Only the ``limit`` busiest outlets and the ``max_edges`` strongest flows among them are
    drawn, so a large corpus still gives a graph one can read; the matrix has the rest.
    """
    between = [f for f in flows if f.source != f.reuser]
    names = busiest_outlets(between, limit)
    if len(names) < 2:
        return '<p class="empty">Fewer than two outlets share text, so there is no graph.</p>'
    centre, radius = size / 2, size / 2 - 40
    position = {
        name: (
            margin + centre + radius * math.cos(2 * math.pi * i / len(names) - math.pi / 2),
            centre + radius * math.sin(2 * math.pi * i / len(names) - math.pi / 2),
        )
        for i, name in enumerate(names)
    }
    edges = [f for f in between if f.source in position and f.reuser in position][:max_edges]
    hidden = sum(1 for f in between if f not in edges)
    peak = max((f.words for f in edges), default=1) or 1
    volume: dict[str, int] = defaultdict(int)
    for flow in edges:
        volume[flow.source] += flow.words
        volume[flow.reuser] += flow.words
    top_volume = max(volume.values(), default=1) or 1
    parts = [
        f'<svg class="graph" viewBox="0 0 {size + 2 * margin} {size}" width="{size + 2 * margin}" '
        f'height="{size}" '
        'role="img" aria-label="Outlet reuse graph: arrows run from source to reusing outlet">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="14" '
        'markerHeight="14" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" '
        'fill="#64748b"/></marker></defs>',
    ]
    for flow in sorted(edges, key=lambda f: (f.words, f.source, f.reuser)):
        (x1, y1), (x2, y2) = position[flow.source], position[flow.reuser]
        # Bend each edge to its right so a→b and b→a stay apart.
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        cx, cy = mx + (y2 - y1) * 0.15, my - (x2 - x1) * 0.15
        # Stop short of the target node so the arrowhead shows.
        r_target = _node_radius(volume[flow.reuser], top_volume) + 3
        tx, ty = x2 - cx, y2 - cy
        t_len = math.hypot(tx, ty) or 1.0
        ex, ey = x2 - tx / t_len * r_target, y2 - ty / t_len * r_target
        width = 1 + 6 * math.log1p(flow.words) / math.log1p(peak)
        parts.append(
            f'<path class="edge" data-source="{escape(flow.source)}" '
            f'data-reuser="{escape(flow.reuser)}" d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} '
            f'{ex:.1f},{ey:.1f}" stroke-width="{width:.1f}" marker-end="url(#arrow)">'
            f"<title>{escape(_flow_title(flow))}</title></path>"
        )
    for name in names:
        x, y = position[name]
        r = _node_radius(volume[name], top_volume)
        anchor = "start" if x > margin + centre + 1 else "end" if x < margin + centre - 1 else "middle"
        lx = x + (r + 6) * (1 if anchor == "start" else -1 if anchor == "end" else 0)
        ly = y + (0 if anchor != "middle" else (r + 14) * (1 if y > centre else -0.6))
        parts.append(
            f'<g class="node" data-outlet="{escape(name)}"><circle cx="{x:.1f}" cy="{y:.1f}" '
            f'r="{r:.1f}"><title>{escape(name)}: {volume[name]} words reused in or out</title>'
            f'</circle><text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}">'
            f"{escape(_shorten(name, 22))}</text></g>"
        )
    parts.append("</svg>")
    if hidden:
        parts.append(
            f'<p class="note">The graph draws the {len(edges)} strongest flows among the '
            f"{len(names)} busiest outlets; {hidden} weaker ones are in the matrix only.</p>"
        )
    return '<figure class="graph">' + "".join(parts) + "</figure>"


def _node_radius(volume: int, top_volume: int) -> float:
    return 6 + 12 * math.sqrt(volume / top_volume)


def _shorten(name: str, limit: int) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
