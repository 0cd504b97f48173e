"""``reprints scan``: find reuse across a corpus, write the results folder, print a summary."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import ReprintsError
from ..model import Document, Match, ScanResult
from ..params import Params
from ..scan import scan
from .common import Reading, corpus_options, print_corpus_summary, stderr_console

TOP_OUTLET_PAIRS = 10
TOP_PASSAGES = 5

# Knobs with their own option; every other Params field is reachable with --set KEY=VALUE.
_KNOBS: tuple[tuple[str, str, type], ...] = (
    ("shingle_size", "Words per shingle of the verbatim channel.", int),
    ("num_perm", "MinHash permutations.", int),
    ("bands", "LSH bands (num-perm must be a multiple).", int),
    ("window", "Words per signed passage window.", int),
    ("stride", "Words between passage window starts.", int),
    ("reword_threshold", "Sentence-pair score that makes a reworded passage on its own.", float),
    ("weak_threshold", "Sentence-pair score that counts inside a longer passage.", float),
    ("verbatim_threshold", "Share of words kept in order for a passage to be verbatim.", float),
    ("min_words", "Shortest passage reported, in words.", int),
    ("merge_gap", "Unmatched sentences bridged when merging aligned sentences.", int),
    ("date_window_days", "Only compare articles at most this many days apart.", int),
)


def _knob_options(function: Any) -> Any:
    defaults = Params()
    for name, help_text, kind in reversed(_KNOBS):
        default = getattr(defaults, name)
        function = click.option(
            "--" + name.replace("_", "-"),
            name,
            type=kind,
            default=None,
            help=f"{help_text} [default: {default}]",
        )(function)
    return function


def _parse_sets(items: Sequence[str]) -> dict[str, Any]:
    fields = {f.name: f for f in dataclasses.fields(Params)}
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or key not in fields:
            raise click.BadParameter(
                f"{item!r}: expected KEY=VALUE with KEY one of {', '.join(sorted(fields))}",
                param_hint="'--set'",
            )
        # the field's declared type decides ("float | None" takes a number or "none")
        kind, _bar, optional = str(fields[key].type).partition(" | ")
        try:
            if optional == "None" and raw.strip().lower() in {"none", ""}:
                out[key] = None
            elif kind == "bool":
                out[key] = raw.strip().lower() in {"1", "true", "yes", "on"}
            elif kind == "int":
                out[key] = int(raw)
            elif kind == "float":
                out[key] = float(raw)
            else:
                out[key] = raw
        except ValueError as err:
            raise click.BadParameter(f"{item!r}: {err}", param_hint="'--set'") from err
    return out


@click.command("scan")
@click.argument("corpus", nargs=-1, required=True, type=click.Path())
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Results folder."
)
@_knob_options
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Set any other parameter.")
@click.option("--no-quotes", is_flag=True, help="Skip quote extraction and quote families.")
@click.option(
    "--show-boilerplate",
    is_flag=True,
    help="Also list the boilerplate found (footers, policies, stock lines kept out of matches).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes for candidates and alignment on this machine.",
)
@click.option(
    "--overlap",
    is_flag=True,
    help="With --jobs over 1, group quotes on a process of their own beside alignment: "
    "faster on an idle machine, about 60% more peak memory.",
)
@click.option(
    "--engine",
    "engine_name",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Run the candidate and alignment stages here or on a Dask cluster (same output).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Dask scheduler address (tcp://HOST:8786) for --engine dask.",
)
@corpus_options
def command(
    corpus: tuple[str, ...],
    out_dir: str,
    sets: tuple[str, ...],
    no_quotes: bool,
    show_boilerplate: bool,
    jobs: int,
    overlap: bool,
    engine_name: str,
    scheduler: str | None,
    reading: Reading,
    **knobs: Any,
) -> None:
    """Find passages and quotes reused across CORPUS and write them to OUT.

    Writes OUT/results.db (SQLite) and OUT/matches.jsonl, OUT/quotes.jsonl,
    OUT/quote_families.jsonl; prints the corpus, the top outlet-to-outlet reuse and the most
    reused passages. Parameters and their defaults are written into the results.
    """
    overrides = {k: v for k, v in knobs.items() if v is not None}
    overrides.update(_parse_sets(sets))
    try:
        params = Params().replace(**overrides)
    except (ReprintsError, TypeError) as err:
        raise click.UsageError(str(err)) from err
    if engine_name == "dask" and not scheduler:
        raise click.UsageError("--engine dask needs --scheduler ADDRESS (e.g. tcp://head:8786)")
    console = Console(highlight=False)
    corpus_read = reading.read(corpus, jobs=jobs)
    print_corpus_summary(corpus_read, console)
    if len(corpus_read.documents) < 2:
        raise click.ClickException("need at least two documents to look for reuse")
    try:
        engine = _make_engine(engine_name, jobs, scheduler, overlap)
        try:
            result = _scan_with_progress(
                corpus_read.documents, params, not no_quotes, reading.quiet, engine
            )
        finally:
            if hasattr(engine, "close"):
                engine.close()
    except ReprintsError as err:
        raise click.ClickException(str(err)) from err
    result = dataclasses.replace(result, problems=tuple(corpus_read.problems))
    from ..store import write_results

    write_results(Path(out_dir), result)
    print_scan_summary(result, console)
    if show_boilerplate:
        print_boilerplate(result, console)
    console.print(f"results written to {out_dir}/ (results.db, matches.jsonl, quotes.jsonl)")


def _make_engine(name: str, jobs: int, scheduler: str | None, overlap: bool = False) -> Any:
    """Return None for the plain in-process run, else the engine the options ask for."""
    if name == "local" and jobs == 1:
        return None
    from ..engine import make_engine

    return make_engine(name, jobs=jobs, scheduler=scheduler, overlap=overlap)


def _scan_with_progress(
    documents: Sequence[Document], params: Params, quotes: bool, quiet: bool, engine: Any = None
) -> ScanResult:
    if quiet:
        return scan(documents, params, quotes=quotes, engine=engine)
    columns = (TextColumn("{task.description:<10}"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"), TimeElapsedColumn())
    with Progress(*columns, console=stderr_console(), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        return scan(documents, params, quotes=quotes, progress=progress, engine=engine)


def _source_and_reuser(match: Match, by_id: dict[str, Document]) -> tuple[str, str]:
    if match.direction == "b->a":
        return match.b.doc, match.a.doc
    return match.a.doc, match.b.doc


def print_scan_summary(result: ScanResult, console: Console) -> None:
    """Print the reuse found: totals, top outlet→outlet reuse, most reused passages."""
    by_id = {d.id: d for d in result.documents}
    cross = [m for m in result.matches if m.a.doc != m.b.doc]
    verbatim = sum(1 for m in cross if m.kind == "verbatim")
    console.print(
        f"[bold]{len(cross):,}[/] reused passages ({verbatim:,} verbatim, "
        f"{len(cross) - verbatim:,} reworded) between "
        f"{len({(m.a.doc, m.b.doc) for m in cross}):,} article pairs; "
        f"{len(result.stories):,} {'story' if len(result.stories) == 1 else 'stories'}; {len(result.quotes):,} quotes in "
        f"{len(result.quote_families):,} families; {len(result.boilerplate):,} boilerplate spans"
    )
    if not cross:
        return
    pairs: dict[tuple[str, str, str], list[Match]] = defaultdict(list)
    for m in cross:
        source, reuser = _source_and_reuser(m, by_id)
        arrow = "→" if m.direction != "undirected" else "↔"
        ends = (by_id[source].outlet or "(no outlet)", by_id[reuser].outlet or "(no outlet)")
        if arrow == "↔":
            ends = tuple(sorted(ends))  # type: ignore[assignment]
        pairs[(ends[0], arrow, ends[1])].append(m)
    table = Table(title="Top outlet → outlet reuse")
    for column in ("source", "", "reused by", "passages", "articles", "words", "credited"):
        table.add_column(column, justify="right" if column in {"passages", "articles", "words"} else "left")
    ranked = sorted(pairs.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    for (source, arrow, reuser), matches in ranked[:TOP_OUTLET_PAIRS]:
        credited = [m.credited for m in matches if m.credited is not None]
        table.add_row(
            source,
            arrow,
            reuser,
            f"{len(matches):,}",
            f"{len({(m.a.doc, m.b.doc) for m in matches}):,}",
            f"{sum(m.verbatim_words + m.reworded_words for m in matches):,}",
            f"{sum(credited)}/{len(credited)}" if credited else "–",
        )
    console.print(table)

    # A passage of one article reused by several others: group match sides by document and
    # overlapping span, and count the distinct other articles.
    sides: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for m in cross:
        sides[m.a.doc].append((m.a.start, m.a.end, m.b.doc))
        sides[m.b.doc].append((m.b.start, m.b.end, m.a.doc))
    passages = []
    for doc_id, spans in sides.items():
        spans.sort()
        start, end, others = spans[0][0], spans[0][1], {spans[0][2]}
        for s, e, other in spans[1:]:
            if s < end:
                end, others = max(end, e), others | {other}
            else:
                passages.append((len(others), doc_id, start, end))
                start, end, others = s, e, {other}
        passages.append((len(others), doc_id, start, end))
    passages.sort(key=lambda p: (-p[0], -(p[3] - p[2]), p[1], p[2]))
    table = Table(title="Most reused passages")
    table.add_column("articles", justify="right")
    table.add_column("in")
    table.add_column("passage")
    for count, doc_id, start, end in passages[:TOP_PASSAGES]:
        text = " ".join(by_id[doc_id].text[start:end].split())
        snippet = text if len(text) <= 160 else text[:157] + "…"
        outlet = by_id[doc_id].outlet
        table.add_row(str(count + 1), f"{doc_id}" + (f" ({outlet})" if outlet else ""), snippet)
    console.print(table)


def print_boilerplate(result: ScanResult, console: Console) -> None:
    """List boilerplate spans: where, why, in how many articles, and how they start."""
    if not result.boilerplate:
        console.print("no boilerplate found (repeated across articles, or runs of menu-like lines)")
        return
    texts = {d.id: d.text for d in result.documents}
    table = Table(title="Boilerplate (kept out of matches)")
    for column in ("in", "reason", "articles", "text"):
        table.add_column(column, justify="right" if column == "articles" else "left")
    for item in result.boilerplate:
        text = " ".join(texts[item.span.doc][item.span.start : item.span.end].split())
        table.add_row(
            item.span.doc,
            item.reason,
            str(item.count),
            text if len(text) <= 100 else text[:97] + "…",
        )
    console.print(table)
