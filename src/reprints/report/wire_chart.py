"""Wire share per outlet: a month-by-month line chart (SVG) and a per-outlet table."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from html import escape

from ..model import ArticleWireShare
from .outlets import UNKNOWN_OUTLET

# Colour-blind-safe line colours (Okabe–Ito), one per outlet in the chart.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")


def _month(date: str | None) -> str | None:
    return date[:7] if date and len(date) >= 7 else None


def _outlets_by_articles(wire: Sequence[ArticleWireShare]) -> list[str]:
    count: dict[str, int] = defaultdict(int)
    for article in wire:
        count[article.outlet or UNKNOWN_OUTLET] += 1
    return sorted(count, key=lambda name: (-count[name], name))


def wire_table_html(wire: Sequence[ArticleWireShare]) -> str:
    """Render articles, classes, mean/median wire share and uncredited share per outlet."""
    rows: dict[str, list[ArticleWireShare]] = defaultdict(list)
    for article in wire:
        rows[article.outlet or UNKNOWN_OUTLET].append(article)
    body = []
    for outlet in _outlets_by_articles(wire):
        articles = rows[outlet]
        shares = [a.wire_share for a in articles]
        derived = sum(a.verbatim_words + a.reworded_words for a in articles)
        uncredited = sum(a.verbatim_words + a.reworded_words for a in articles if not a.credited)
        classes = {c: sum(a.wire_class == c for a in articles) for c in
                   ("wholly-derived", "partially-derived", "non-derived")}
        body.append(
            f'<tr data-outlet="{escape(outlet)}"><th>{escape(outlet)}</th>'
            f'<td>{len(articles)}</td><td>{classes["wholly-derived"]}</td>'
            f'<td>{classes["partially-derived"]}</td><td>{classes["non-derived"]}</td>'
            f"<td>{statistics.fmean(shares):.0%}</td><td>{statistics.median(shares):.0%}</td>"
            f"<td>{(uncredited / derived if derived else 0):.0%}</td></tr>"
        )
    return (
        '<table class="numbers"><thead><tr><th>outlet</th><th>articles</th><th>wholly</th>'
        "<th>partially</th><th>non-derived</th><th>mean share</th><th>median share</th>"
        "<th>uncredited reuse</th></tr></thead><tbody>" + "".join(body) + "</tbody></table>"
    )


def wire_chart_svg(wire: Sequence[ArticleWireShare], limit: int = len(PALETTE)) -> str:
    """Draw mean wire share per month for the outlets with the most articles."""
    outlets = _outlets_by_articles(wire)[:limit]
    monthly: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for article in wire:
        month = _month(article.date)
        outlet = article.outlet or UNKNOWN_OUTLET
        if month and outlet in outlets:
            monthly[outlet][month].append(article.wire_share)
    months = sorted({m for by_month in monthly.values() for m in by_month})
    if not months:
        return '<p class="empty">The wire results carry no dates, so there is no timeline.</p>'
    width, height, left, right, top, bottom = 720, 260, 44, 170, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_of(month: str) -> float:
        return left + (months.index(month) + 0.5) * plot_w / len(months)

    def y_of(share: float) -> float:
        return top + (1 - share) * plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-label="Mean wire share per outlet per month">'
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = y_of(tick)
        parts.append(
            f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:.0%}</text>'
        )
    step = max(1, -(-len(months) // 6))
    for i, month in enumerate(months):
        if i % step == 0:
            parts.append(
                f'<text class="tick" x="{x_of(month):.1f}" y="{height - bottom + 18}" '
                f'text-anchor="middle">{escape(month)}</text>'
            )
    for n, outlet in enumerate(outlets):
        colour = PALETTE[n % len(PALETTE)]
        points = [
            (x_of(m), y_of(statistics.fmean(monthly[outlet][m])), m, len(monthly[outlet][m]))
            for m in months
            if m in monthly[outlet]
        ]
        group = [f'<g class="series" data-outlet="{escape(outlet)}" stroke="{colour}" fill="{colour}">']
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            group.append(f'<polyline fill="none" stroke-width="2" points="{path}"/>')
        for x, y, month, count in points:
            share = 1 - (y - top) / plot_h
            group.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5"><title>{escape(outlet)}, {month}: '
                f"{share:.0%} mean wire share over {count} article{'s' * (count != 1)}"
                "</title></circle>"
            )
        ly = top + 10 + n * 18
        group.append(
            f'<rect x="{width - right + 14}" y="{ly - 8}" width="12" height="4" rx="1"/>'
            f'<text class="legend" x="{width - right + 32}" y="{ly - 2}" stroke="none">'
            f"{escape(outlet[:22])}</text></g>"
        )
        parts.append("".join(group))
    parts.append("</svg>")
    return "".join(parts)
