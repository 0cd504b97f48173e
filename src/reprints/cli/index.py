"""``reprints index``: keep a reuse index, add articles as they arrive, ask where one came from."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from ..errors import ReprintsError
from ..index import STORED_PARAMS, AddReport, Index, lookup_json
from ..model import Document, Problem, ScanResult
from ..params import Params

# Help for the options that shape what an index stores (the rest keep their defaults).
_PARAM_HELP = {
    "shingle_size": "Words per shingle.",
    "num_perm": "MinHash permutations.",
    "bands": "LSH bands (num_perm must be a multiple).",
    "seed": "MinHash seed.",
    "window": "Words per signed passage window.",
    "index_stride": "Words between stored windows.",
    "index_bands": "Bands stored per window (fewer: a smaller index).",
    "index_word_cap": "A word's article list is kept while at most this many articles hold it.",
}


def param_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add one option per stored parameter (``--num-perm`` …), defaulting to None."""
    defaults = Params()
    for name in reversed(STORED_PARAMS):
        flag = "--" + name.replace("_", "-")
        func = click.option(
            flag, name, type=int, default=None,
            help=f"{_PARAM_HELP[name]} [default: {getattr(defaults, name)}]",
        )(func)
    return func


def _given(values: dict[str, Any]) -> dict[str, Any]:
    return {k: values.pop(k) for k in STORED_PARAMS if values.get(k) is not None}


def _open(path: str, given: dict[str, Any], timeout: float) -> Index:
    """Open the index, checking any parameters given on the command line against it."""
    if not given:
        return Index.open(path, timeout=timeout)
    with Index.open(path, timeout=timeout) as probe:
        stored = probe.params
    return Index.open(path, stored.replace(**given), timeout=timeout)


def _fail(err: ReprintsError) -> click.ClickException:
    return click.ClickException(str(err))


_timeout_option = click.option(
    "--timeout", type=float, default=30.0, show_default=True,
    help="Seconds to wait while another process writes the index.",
)


@click.group("index")
def command() -> None:
    """Keep a reuse index: add articles as they arrive, ask where a new one came from.

    One SQLite file holds the articles, their band keys and the parameters:
    `reprints index create news.db`, `reprints index add news.db crawl/`,
    `reprints index query news.db article.txt`.
    """


@command.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
@param_options
def create(path: str, **values: Any) -> None:
    """Create an empty index file at PATH with the given parameters."""
    try:
        params = Params().replace(**_given(values))
        if params.index_bands > params.bands:
            raise click.BadParameter(
                f"--index-bands {params.index_bands} is more than --bands {params.bands}"
            )
        Index.create(path, params).close()
    except ReprintsError as err:
        raise _fail(err) from err
    click.echo(f"created {path}", err=True)


@command.command("add")
@click.argument("path", type=click.Path(dir_okay=False))
@click.argument("corpus", nargs=-1, required=True, type=click.Path())
@click.option("--batch-size", type=int, default=2000, show_default=True, help="Documents per committed batch.")
@click.option("--jobs", "-j", type=int, default=1, show_default=True, help="Worker processes that tokenise and sign.")
@click.option("--strict", is_flag=True, help="Stop at the first unreadable input instead of skipping it.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, no problem lines.")
@_timeout_option
@param_options
def add(
    path: str, corpus: tuple[str, ...], batch_size: int, jobs: int, strict: bool, quiet: bool,
    timeout: float, **values: Any,
) -> None:
    """Add the articles of CORPUS (folders, files) to the index at PATH.

    Each batch is committed on its own: after a crash, run the same command again; what is
    already indexed is skipped, and articles whose text changed are replaced.
    """
    from ..read import iter_documents

    problems: list[Problem] = []

    def documents() -> Iterator[Document]:
        for item in iter_documents(list(corpus)):
            if isinstance(item, Problem):
                if strict:
                    raise click.ClickException(str(item))
                problems.append(item)
                if not quiet:
                    click.echo(f"skipped {item}" if item.skipped else f"warning: {item}", err=True)
            else:
                yield item

    try:
        with _open(path, _given(values), timeout) as index:
            report = _add_with_progress(index, documents(), batch_size, jobs, quiet)
    except ReprintsError as err:
        raise _fail(err) from err
    skipped = sum(1 for p in problems if p.skipped)
    click.echo(
        f"{report.added} added, {report.replaced} replaced, {report.unchanged} unchanged"
        + (f", {skipped} unreadable" if skipped else ""),
        err=True,
    )


def _add_with_progress(
    index: Index, documents: Iterator[Document], batch_size: int, jobs: int, quiet: bool
) -> AddReport:
    if quiet:
        return index.add(documents, batch_size=batch_size, jobs=jobs)
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=console, transient=True,
    ) as bar:
        task = bar.add_task("indexing", total=None)

        def show(report: AddReport) -> None:
            done = report.added + report.replaced + report.unchanged
            bar.update(task, description=f"indexing: {done:,} articles ({report.added:,} new)")

        return index.add(documents, batch_size=batch_size, jobs=jobs, progress=show)


@command.command("query")
@click.argument("path", type=click.Path(dir_okay=False))
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--id", "doc_id", default=None, help="Id of the queried article [default: the file name, or 'query' for -].")
@click.option("--outlet", default=None, help="Outlet of the queried article (for credit).")
@click.option("--date", default=None, help="Date of the queried article, YYYY-MM-DD (for direction).")
@click.option("--top", type=int, default=10, show_default=True, help="Source articles shown at most.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (query, sources, matches, quotes), as POST /query of `reprints serve` returns.")
@click.option("--no-quotes", is_flag=True, help="Do not look for reused quotes.")
@_timeout_option
@param_options
def query(
    path: str, file: str, doc_id: str | None, outlet: str | None, date: str | None, top: int,
    as_json: bool, no_quotes: bool, timeout: float, **values: Any,
) -> None:
    """Show which indexed articles the text of FILE (or - for stdin) reuses."""
    if file == "-":
        text = sys.stdin.read()
        name = doc_id or "query"
    else:
        try:
            text = Path(file).read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as err:
            raise click.ClickException(f"{file}: cannot read ({err})") from err
        name = doc_id or Path(file).name
    try:
        with _open(path, _given(values), timeout) as index:
            result = index.lookup(
                text, outlet=outlet, date=date, top=top, doc_id=name, quotes=not no_quotes
            )
    except ReprintsError as err:
        raise _fail(err) from err
    if as_json:
        click.echo(json.dumps(lookup_json(result, name), ensure_ascii=False))
    else:
        show_result(result, name)


def show_result(result: ScanResult, query_id: str) -> None:
    """Print a readable view: each source article, then its passages side by side."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    documents = {d.id: d for d in result.documents}
    if not result.matches:
        console.print("No reuse found in the index.")
        return
    by_source: dict[str, list[Any]] = {}
    for m in result.matches:
        source = m.b.doc if m.a.doc == query_id else m.a.doc
        by_source.setdefault(source, []).append(m)
    for source, matches in by_source.items():
        doc = documents[source]
        words = sum(m.verbatim_words + m.reworded_words for m in matches)
        head = f"[bold]{source}[/bold]  {doc.outlet or '?'}  {doc.date or 'undated'}"
        if doc.title:
            head += f"  “{doc.title}”"
        console.print(head)
        console.print(f"  {len(matches)} passage(s), {words} words reused")
        table = Table(show_header=True, header_style="bold", expand=True)
        table.add_column("kind", width=11, no_wrap=True)
        table.add_column(f"source: {source}", ratio=1)
        table.add_column(f"query: {query_id}", ratio=1)
        for m in matches:
            src, qry = (m.a, m.b) if m.a.doc == source else (m.b, m.a)
            kind = f"{m.kind}\n{m.score:.2f}"
            if m.credited is not None:
                kind += "\ncredited" if m.credited else "\nuncredited"
            table.add_row(
                kind,
                documents[src.doc].text[src.start : src.end],
                documents[qry.doc].text[qry.start : qry.end],
            )
        console.print(table)
    if result.quotes:
        console.print("[bold]Quotes shared with the sources[/bold]")
        for q in result.quotes:
            if q.doc == query_id:
                who = f" ({q.speaker})" if q.speaker else ""
                console.print(f"  “{q.text}”{who}  {q.change or ''}")


@command.command("stats")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option("--check", is_flag=True, help="Also check the file's integrity and consistency.")
def stats(path: str, as_json: bool, check: bool) -> None:
    """Show how many articles the index at PATH holds, from which outlets, and its size."""
    try:
        with Index.open(path) as index:
            figures = index.stats()
            problems = index.check() if check else None
    except ReprintsError as err:
        raise _fail(err) from err
    if as_json:
        payload = {
            "path": figures.path, "documents": figures.documents, "band_keys": figures.band_keys,
            "words": figures.words, "text_bytes": figures.text_bytes, "file_bytes": figures.file_bytes,
            "bytes_per_document": round(figures.bytes_per_document, 1),
            "outlets": figures.outlets, "first_date": figures.first_date,
            "last_date": figures.last_date, "schema_version": figures.schema_version,
            "params": {k: figures.params[k] for k in STORED_PARAMS},
        }
        if problems is not None:
            payload["problems"] = problems
        click.echo(json.dumps(payload, ensure_ascii=False, sort_keys=True))
    else:
        click.echo(f"{figures.path}: {figures.documents:,} articles, {figures.words:,} words")
        if figures.first_date:
            click.echo(f"dates: {figures.first_date} to {figures.last_date}")
        click.echo(
            f"size: {figures.file_bytes / 1e6:,.1f} MB, of which text {figures.text_bytes / 1e6:,.1f} MB; "
            f"{figures.bytes_per_document:,.0f} bytes per article beyond the text; "
            f"{figures.band_keys:,} band keys"
        )
        stored = ", ".join(f"{k}={figures.params[k]}" for k in STORED_PARAMS)
        click.echo(f"parameters: {stored}")
        top = list(figures.outlets.items())[:10]
        if top:
            click.echo("outlets: " + ", ".join(f"{o or '(none)'} {n:,}" for o, n in top))
        if problems is not None:
            click.echo("check: ok" if not problems else "check: " + "; ".join(problems))
    if problems:
        raise click.ClickException(f"{path} is inconsistent")


@command.command("remove")
@click.argument("path", type=click.Path(dir_okay=False))
@click.argument("ids", nargs=-1, required=True)
@_timeout_option
def remove(path: str, ids: tuple[str, ...], timeout: float) -> None:
    """Remove the articles with these IDS from the index at PATH."""
    try:
        with Index.open(path, timeout=timeout) as index:
            missing = index.remove(ids)
    except ReprintsError as err:
        raise _fail(err) from err
    for doc_id in missing:
        click.echo(f"not in the index: {doc_id}", err=True)
    click.echo(f"{len(ids) - len(missing)} removed", err=True)
