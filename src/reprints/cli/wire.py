"""``reprints wire``: how much wire copy each article and outlet reprints, by month."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import ReprintsError
from ..model import Document, ScanResult
from ..params import Params
from ..wire import (
    AUTO,
    OutletSummary,
    chart_html,
    chart_png,
    summarise,
    uncredited_outlets,
    wire_run,
    write_outlets_csv,
)
from .common import Reading, corpus_options, print_corpus_summary, stderr_console

OUTLETS_SHOWN = 25
"""Outlets in the terminal table (all of them go to outlets.csv)."""


@click.command("wire")
@click.argument("corpus", nargs=-1, required=True, type=click.Path())
@click.option(
    "--wire",
    "wire",
    multiple=True,
    required=True,
    metavar="OUTLET",
    help="An outlet whose articles are wire copy (repeatable; aliases such as AP/Associated "
    "Press are understood), or 'auto' to recognise wire copy from credits like '(AP)' or "
    "'By Reuters'.",
)
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Results folder."
)
@click.option(
    "--window",
    "window",
    type=click.IntRange(min=0),
    default=None,
    help=f"Days before an article that a wire story may be dated [default: {Params().wire_window_days}].",
)
@click.option("--no-window", is_flag=True, help="Let wire stories of any date count.")
@click.option(
    "--classes",
    type=click.Choice(["evidence", "share"]),
    default=None,
    help="How the METER class is decided: 'share', the --partially/--wholly thresholds on "
    "wire share; 'evidence', the model fitted on METER courts over several measures per "
    "article [default: share].",
)
@click.option(
    "--wholly",
    type=click.FloatRange(0, 1),
    default=None,
    help=f"With --classes share: wire share from which an article is wholly-derived [default: {Params().wire_wholly}].",
)
@click.option(
    "--partially",
    type=click.FloatRange(0, 1),
    default=None,
    help=f"With --classes share: wire share from which an article is partially-derived [default: {Params().wire_partially}].",
)
@click.option(
    "--nearest",
    type=click.FloatRange(0, 1),
    default=None,
    help="An article with no aligned wire passage takes the in-window wire story most similar "
    "to it (TF-IDF cosine at least this) as its probable source "
    f"[default: {Params().wire_nearest_cosine}].",
)
@click.option("--no-nearest", is_flag=True, help="Only aligned passages give an article a source.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Set any other parameter.")
@corpus_options
def command(
    corpus: tuple[str, ...],
    wire: tuple[str, ...],
    out_dir: str,
    window: int | None,
    no_window: bool,
    classes: str | None,
    wholly: float | None,
    partially: float | None,
    nearest: float | None,
    no_nearest: bool,
    sets: tuple[str, ...],
    reading: Reading,
) -> None:
    """Measure how much of each article in CORPUS is wire copy, per outlet and month.

    The articles of the --wire outlets are the wire copy; every other article is aligned
    against the wire stories dated up to --window days before it. Writes OUT/articles.jsonl
    (one line per article: class, wire_share, verbatim/reworded share, sources, credited),
    OUT/matches.jsonl, OUT/outlets.csv, OUT/wire_share.png, OUT/wire_share.html and
    OUT/results.db, and prints the per-outlet table.
    """
    from .scan import _parse_sets

    overrides: dict[str, Any] = _parse_sets(sets)
    if no_window:
        overrides["wire_window_days"] = None
    elif window is not None:
        overrides["wire_window_days"] = window
    if wholly is not None:
        overrides["wire_wholly"] = wholly
    if partially is not None:
        overrides["wire_partially"] = partially
    if classes is not None:
        overrides["wire_classes"] = classes
    if no_nearest:
        overrides["wire_nearest_cosine"] = None
    elif nearest is not None:
        overrides["wire_nearest_cosine"] = nearest
    try:
        params = Params().replace(**overrides)
    except (ReprintsError, TypeError) as err:
        raise click.UsageError(str(err)) from err
    if params.wire_partially > params.wire_wholly:
        raise click.UsageError(
            f"--partially {params.wire_partially} is above --wholly {params.wire_wholly}; "
            "the partially-derived threshold must be the lower one"
        )
    wire_names: list[str] | str = AUTO if [w.lower() for w in wire] == [AUTO] else list(wire)
    console = Console(highlight=False)
    corpus_read = reading.read(corpus)
    print_corpus_summary(corpus_read, console)
    if len(corpus_read.documents) < 2:
        raise click.ClickException("need at least two documents: wire copy and articles")
    try:
        result = _run_with_progress(corpus_read.documents, wire_names, params, reading.quiet)
    except ReprintsError as err:
        raise click.ClickException(str(err)) from err
    result = dataclasses.replace(result, problems=tuple(corpus_read.problems))

    from ..store import write_results

    out = Path(out_dir)
    write_results(out, result)
    rows = summarise(result.wire)
    write_outlets_csv(out / "outlets.csv", rows)
    chart_png(rows, out / "wire_share.png")
    (out / "wire_share.html").write_text(chart_html(rows), encoding="utf-8")
    print_wire_summary(result, rows, params, console)
    console.print(
        f"results written to {out_dir}/ (articles.jsonl, matches.jsonl, outlets.csv, "
        "wire_share.png, wire_share.html, results.db)"
    )


def _run_with_progress(
    documents: Sequence[Document], wire: Sequence[str] | str, params: Params, quiet: bool
) -> ScanResult:
    if quiet:
        return wire_run(documents, wire, params)
    columns = (
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=stderr_console(), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        return wire_run(documents, wire, params, progress=progress)


def print_wire_summary(
    result: ScanResult, rows: Sequence[OutletSummary], params: Params, console: Console
) -> None:
    """Print totals, the per-outlet table and the outlets reprinting wire copy uncredited."""
    articles = result.wire
    wire_docs = len(result.documents) - len(articles)
    derived = sum(a.wire_class != "non-derived" for a in articles)
    console.print(
        f"[bold]{len(articles):,}[/] articles against {wire_docs:,} wire stories: "
        f"{derived:,} derived from wire copy, {len(result.matches):,} reused passages"
    )
    overall = sorted(
        (r for r in rows if r.month is None),
        key=lambda r: (-r.mean_wire_share, -r.articles, r.outlet),
    )
    months = {r.month for r in rows if r.month is not None}
    table = Table(
        title="Wire share per outlet"
        + (f" ({len(months)} months in outlets.csv)" if len(months) > 1 else "")
    )
    for column in (
        "outlet",
        "articles",
        "wholly",
        "partially",
        "non",
        "mean share",
        "median",
        "uncredited",
    ):
        table.add_column(column, justify="left" if column == "outlet" else "right")
    for r in overall[:OUTLETS_SHOWN]:
        table.add_row(
            r.outlet,
            f"{r.articles:,}",
            f"{r.wholly_derived:,}",
            f"{r.partially_derived:,}",
            f"{r.non_derived:,}",
            f"{r.mean_wire_share:.2f}",
            f"{r.median_wire_share:.2f}",
            f"{r.uncredited_share:.0%}" if r.derived_words else "–",
        )
    if len(overall) > OUTLETS_SHOWN:
        table.caption = f"{len(overall) - OUTLETS_SHOWN} more outlets in outlets.csv"
    console.print(table)
    silent = uncredited_outlets(articles, params)
    if silent:
        listed = ", ".join(f"{outlet} ({n}/{total})" for outlet, n, total in silent[:15])
        more = f" and {len(silent) - 15} more" if len(silent) > 15 else ""
        console.print(
            f"Outlets reprinting wire copy without credit (uncredited/derived articles): {listed}{more}"
        )
