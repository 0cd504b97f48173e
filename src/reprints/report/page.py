"""Assemble the self-contained HTML report and the one-pair page.

Everything the page needs is inline: the stylesheet, the script and the results as one JSON
block. Parts drawn in Python (overview, matrix, graph, wire chart) are HTML-escaped here;
the script builds the pair, quote and story views from the JSON with ``textContent`` only.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from html import escape
from importlib import resources
from pathlib import Path

from ..errors import InputError
from ..model import ScanResult
from .outlets import UNKNOWN_OUTLET, graph_flows, graph_svg, matrix_html
from .payload import (
    KINDS,
    MatchSummary,
    ReportInput,
    build_payload,
    payload_chunks,
    payload_json,
    stream_payload,
)
from .wire_chart import wire_chart_svg, wire_table_html

# Records script errors on <html data-errors="..."> before anything else runs, so a test (or a
# person with the DOM inspector) can see them even where no console is at hand.
_ERROR_TRAP = """(function(){var seen=[];function note(m){seen.push(String(m));
document.documentElement.setAttribute('data-errors',JSON.stringify(seen));}
window.addEventListener('error',function(e){note(e.message||'error');});
window.addEventListener('unhandledrejection',function(e){note(e.reason);});
var original=console.error;console.error=function(){note(Array.prototype.join.call(arguments,' '));
return original.apply(console,arguments);};})();"""


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _stat(number: object, label: str, cls: str = "") -> str:
    return f'<div class="stat {cls}"><b>{escape(str(number))}</b><span>{escape(label)}</span></div>'


def _overview_html(result: ScanResult, summary: MatchSummary, pair_count: int) -> str:
    documents = result.documents
    dates = sorted(d.date[:10] for d in documents if d.date)
    outlets = {d.outlet for d in documents if d.outlet}
    kinds: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for _a, _b, kind, count, _credited in summary.rows:
        kinds[KINDS[kind]] += 1
        words[KINDS[kind]] += count
    cross = sum(1 for f in result.quote_families if len(f.outlets) > 1)
    judged = [row[4] for row in summary.rows if row[4] is not None]
    stats = [
        _stat(len(documents), "documents"),
        _stat(len(outlets), "outlets"),
        _stat(f"{dates[0]} – {dates[-1]}" if dates else "undated", "dates", "wide"),
        _stat(len(summary.rows), "reused passages"),
        _stat(kinds["verbatim"], f"verbatim ({words['verbatim']} words)", "verbatim"),
        _stat(kinds["reworded"], f"reworded ({words['reworded']} words)", "reworded"),
        _stat(pair_count, "document pairs"),
        _stat(
            f"{sum(judged)} of {len(judged)}" if judged else "–",
            "passages whose later article credits the source",
        ),
        _stat(len(result.quotes), "quotes", "quotes"),
        _stat(len(result.quote_families), f"quote families ({cross} across outlets)", "quotes"),
        _stat(len(result.stories), "stories"),
    ]
    if result.boilerplate:
        stats.append(_stat(len(result.boilerplate), "boilerplate spans left out"))
    if result.wire:
        stats.append(_stat(len(result.wire), "articles scored for wire share"))
    problems = ""
    if result.problems:
        shown = "".join(f"<li>{escape(str(p))}</li>" for p in result.problems[:20])
        more = len(result.problems) - 20
        problems = (
            f'<details class="problems"><summary>{len(result.problems)} input problem(s)'
            f"</summary><ul>{shown}{f'<li>… and {more} more</li>' if more > 0 else ''}</ul>"
            "</details>"
        )
    return f'<div class="stats">{"".join(stats)}</div>{problems}'


def _filters_html(result: ScanResult, outlets: list[str]) -> str:
    choices = [(str(i), name) for i, name in enumerate(outlets)]
    if any(not d.outlet for d in result.documents):
        choices.append(("-1", UNKNOWN_OUTLET))
    boxes = "".join(
        f'<label><input type="checkbox" value="{value}" data-name="{escape(name)}"> '
        f"{escape(name)}</label>"
        for value, name in choices
    )
    return (
        '<form id="filters">'
        '<details class="picker" id="f-outlets"><summary>All outlets</summary>'
        f'<div class="picker-list">{boxes}</div></details>'
        '<label>From <input id="f-from" type="date"></label>'
        '<label>to <input id="f-to" type="date"></label>'
        '<button type="reset">show all</button></form>'
    )


def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _page_parts(title: str, header: str, body: str) -> tuple[str, str]:
    """Return the page before and after its JSON data block."""
    # The policy lets only our own two scripts run (by hash) and loads nothing from anywhere:
    # a second line of defence should article text ever slip through unescaped.
    trap, script = _ERROR_TRAP, _asset("report.js")
    policy = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src {_script_hash(trap)} {_script_hash(script)}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        f"<title>{escape(title)}</title><script>{trap}</script>"
        f"<style>{_asset('report.css')}</style></head><body>{header}<main>{body}</main>"
        '<script type="application/json" id="reprints-data">',
        f"</script><script>{script}</script></body></html>\n",
    )


def _page(title: str, header: str, body: str, payload: str) -> str:
    head, tail = _page_parts(title, header, body)
    return head + payload + tail


@dataclass(frozen=True)
class ReportCounts:
    """What a written report holds: passages (all, and shown) and quote families."""

    passages: int
    shown: int
    quote_families: int


def render_report(
    result: ScanResult, *, title: str = "reprints report", max_pairs: int | None = None
) -> str:
    """Render the whole result as one self-contained HTML page (no network needed to open it).

    ``max_pairs`` keeps only that many document pairs (most shared words first) in the page,
    with their matches and texts, so a very large result still gives a file a browser opens
    quickly; the overview, matrix, graph, stories and quote families still cover everything.
    """
    chunks, _ = report_chunks(ReportInput.of(result), title=title, max_pairs=max_pairs)
    return "".join(chunks)


def write_report(
    results_dir: str | Path,
    target: str | Path,
    *,
    title: str = "reprints report",
    max_pairs: int | None = None,
) -> ReportCounts:
    """Write the report of ``results_dir/results.db`` to ``target``, streaming from SQLite.

    The same page as ``render_report(load_results(results_dir))``, but the matches and
    document texts are read one at a time and written out as they come: memory holds the
    quotes, stories and a few numbers per match, never every edit script or text. The page
    goes to a temporary file renamed into place, so a failed run leaves no half page.
    Raises ``ResultsError`` (unreadable results) or ``OSError`` (target not writable).
    """
    from ..store import open_results

    target = Path(target)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open_results(results_dir) as conn:
        chunks, counts = report_chunks(ReportInput.from_results(conn), title=title, max_pairs=max_pairs)
        try:
            with temp.open("w", encoding="utf-8", newline="\n") as handle:
                for chunk in chunks:
                    handle.write(chunk)
            temp.replace(target)
        finally:
            temp.unlink(missing_ok=True)
    return counts


def report_chunks(
    source: ReportInput, *, title: str, max_pairs: int | None = None
) -> tuple[Iterator[str], ReportCounts]:
    """Lay out the report; return its text as chunks (matches and texts read as written)."""
    result = source.result
    summary = MatchSummary.of(source)
    pairs = summary.pairs()
    shown_pairs = pairs[:max_pairs] if max_pairs is not None else pairs
    payload = stream_payload(source, summary, shown_pairs, title=title)
    flows = graph_flows(summary.graph)
    nav = [("overview", "Overview"), ("outlets", "Outlets")]
    if result.wire:
        nav.append(("wire", "Wire share"))
    nav += [("stories", "Stories"), ("pairs", "Pairs"), ("quotes", "Quotes")]
    header = (
        '<header class="top"><h1><span class="brand">reprints</span> report</h1>'
        f'<span class="sub">{escape(title)}</span><nav>'
        + "".join(f'<a href="#{anchor}">{label}</a>' for anchor, label in nav)
        + "</nav>"
        + _filters_html(result, payload["outlets"])
        + "</header>"
    )
    sections = [
        '<section id="pair-view" hidden></section>',
        '<section id="overview"><h2>Overview</h2>'
        '<p class="lead">What this run read and found.</p>'
        + _overview_html(result, summary, len(pairs))
        + "</section>",
        '<section id="outlets"><h2>Who took from whom</h2><p class="lead">Reused passages '
        "from each source outlet (rows) in each reusing outlet (columns); the earlier article "
        "counts as the source. Hover a cell or an arrow for words and credits.</p>"
        '<div class="outlet-views">' + matrix_html(flows) + graph_svg(flows) + "</div></section>",
    ]
    if result.wire:
        sections.append(
            '<section id="wire"><h2>Wire share per outlet</h2><p class="lead">Mean share of '
            "each article's words derived from wire copy, per month.</p>"
            + wire_chart_svg(result.wire)
            + wire_table_html(result.wire)
            + "</section>"
        )
    sections += [
        '<section id="stories"><h2>Stories</h2><p class="lead">Articles connected by reuse, '
        "on one timeline; the red dot is the likely origin. Click a story for its articles.</p>"
        '<div id="story-list"></div><div id="story-pager" class="pager"></div></section>',
        '<section id="pairs"><h2>Document pairs</h2><p class="lead">Pairs of articles that '
        "share passages, most shared words first. Open one to read both side by side."
        + (
            f" This page holds the {len(payload['pairs'])} pairs with the most shared words "
            f"of {len(pairs)}; the rest are in results.db and matches.jsonl."
            if len(payload["pairs"]) < len(pairs)
            else ""
        )
        + "</p>"
        '<input id="pair-search" type="search" placeholder="Find a document by id, outlet or '
        'title words" aria-label="Find document pairs">'
        '<div id="pair-list"></div>'
        '<div id="pair-pager" class="pager"></div></section>',
        '<section id="quotes"><h2>Quote families</h2><p class="lead">Each quotation with '
        "every article that carries it: the original first, then each variant with its "
        "changed words marked and its speaker.</p>"
        '<div id="family-list"></div><div id="family-pager" class="pager"></div></section>',
    ]
    head, tail = _page_parts(title, header, "".join(sections))
    shown = sum(len(indices) for _, _, indices, _ in shown_pairs)
    counts = ReportCounts(len(summary.rows), shown, len(result.quote_families))
    return itertools.chain((head,), payload_chunks(payload), (tail,)), counts


def render_pair_page(result: ScanResult, doc_a_id: str, doc_b_id: str) -> str:
    """Render the side-by-side view of two documents of ``result`` as its own page.

    Raises InputError when either id is not a document of ``result``.
    """
    by_id = {d.id: d for d in result.documents}
    missing = [d for d in (doc_a_id, doc_b_id) if d not in by_id]
    if missing:
        raise InputError(
            f"no document {missing[0]!r} in the results; ids look like {next(iter(by_id), '')!r}"
        )
    wanted = {doc_a_id, doc_b_id}
    pair = replace(
        result,
        documents=tuple(by_id[d] for d in sorted(wanted)),
        matches=tuple(m for m in result.matches if {m.a.doc, m.b.doc} == wanted),
        quotes=tuple(q for q in result.quotes if q.doc in wanted),
        quote_families=(),
        stories=(),
        wire=(),
    )
    left, right = by_id[doc_a_id], by_id[doc_b_id]
    title = f"{left.outlet or left.id} ↔ {right.outlet or right.id}"
    payload = build_payload(pair, title=title, mode="pair")
    header = (
        '<header class="top"><h1><span class="brand">reprints</span> diff</h1>'
        f'<span class="sub">{escape(title)}</span></header>'
    )
    return _page(title, header, '<section id="pair-view"></section>', payload_json(payload))
