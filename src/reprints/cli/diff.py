"""``reprints diff``: two articles side by side, reused passages level with each other."""

from __future__ import annotations

import io
from pathlib import Path

import click
from rich.console import Console

from ..diff import (
    PairView,
    compare_files,
    documents_from_corpus,
    documents_from_results,
    pair_from_results,
    pair_view,
    render_pair,
)
from ..errors import ReprintsError
from ..model import Document, ScanResult


@click.command("diff")
@click.argument("a")
@click.argument("b")
@click.option(
    "--results", "results_dir", type=click.Path(exists=True, file_okay=False),
    help="A and B are document ids in this results folder (from `reprints scan --out`).",
)
@click.option(
    "--corpus", "corpus", type=click.Path(exists=True), multiple=True,
    help="A and B are document ids in this corpus; they are read and compared. Repeatable.",
)
@click.option(
    "--context", "-C", type=click.IntRange(min=0), default=1, show_default=True,
    help="Sentences of unmatched text to show around each passage (0: passages only).",
)
@click.option("--all", "whole", is_flag=True, help="Show both texts whole.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False), help="Also write the view as an HTML page.")
@click.option(
    "--svg", "svg_file", type=click.Path(dir_okay=False),
    help="Also save the coloured terminal view as an SVG image (for a story or a paper).",
)
@click.option("--width", type=click.IntRange(min=40), help="Width of the view in columns (default: the terminal's).")
@click.option(
    "--marks/--no-marks", default=None,
    help="Bracket changed [words], {+added+} and [-dropped-] ones (default: when output is not a colour terminal).",
)
def command(
    a: str, b: str, results_dir: str | None, corpus: tuple[str, ...], context: int, whole: bool,
    html_file: str | None, svg_file: str | None, width: int | None, marks: bool | None,
) -> None:
    """Show articles A and B side by side with the passages one took from the other.

    A and B are two files (read and compared on the spot, no corpus needed), or two document
    ids with --results DIR or --corpus PATH. Verbatim passages are green, reworded ones
    yellow with the changed words marked; quotes are underlined, with their speakers listed
    under each passage; unmatched text is dim.

    \b
    Examples:
      reprints diff sample_data/004_dc875d24e25a1aad.txt sample_data/001_ea1662580eef0643.txt
      reprints diff 004_dc875d24e25a1aad.txt 001_ea1662580eef0643.txt --results results/
    """
    if results_dir and corpus:
        raise click.UsageError("give --results or --corpus, not both")
    try:
        result, left, right = _pair(a, b, results_dir, corpus)
        view = pair_view(left, right, result.matches, result.quotes, context=None if whole else context)
        console = Console(width=width, highlight=False)
        show_marks = marks if marks is not None else (not console.is_terminal or console.no_color)
        console.print(render_pair(view, marks=show_marks))
        if svg_file:
            _write_svg(view, Path(svg_file), width or console.width, marks=bool(marks))
            click.echo(f"wrote {svg_file}", err=True)
        if html_file:
            _write_html(result, left, right, Path(html_file))
            click.echo(f"wrote {html_file}", err=True)
    except ReprintsError as err:
        raise click.ClickException(str(err)) from err


def _pair(
    a: str, b: str, results_dir: str | None, corpus: tuple[str, ...]
) -> tuple[ScanResult, Document, Document]:
    if results_dir:
        return pair_from_results(results_dir, a, b)
    if corpus:
        result = documents_from_corpus(corpus, a, b)
    else:
        for name in (a, b):
            if not Path(name).is_file():
                raise click.UsageError(
                    f"{name} is not a file; to name documents by id, add --results DIR or --corpus PATH"
                )
        result = compare_files(a, b)
    by_id = {d.id: d for d in result.documents}
    left, right = documents_from_results(result, a, b) if corpus else _in_order(result, a, b, by_id)
    return result, left, right


def _in_order(result: ScanResult, a: str, b: str, by_id: dict[str, Document]) -> tuple[Document, Document]:
    # compare_files names documents by file name (or path when the names are equal).
    ids = [Path(a).name, Path(b).name] if Path(a).name != Path(b).name else [a, b]
    return by_id[ids[0]], by_id[ids[1]]


def _write_html(result: ScanResult, left: Document, right: Document, path: Path) -> None:
    try:
        from ..report import render_pair_page
    except ImportError as err:
        raise click.ClickException(f"--html needs the HTML report module (reprints.report): {err}") from err
    try:
        path.write_text(render_pair_page(result, left.id, right.id), encoding="utf-8")
    except OSError as err:
        raise click.ClickException(f"cannot write {path}: {err.strerror}") from err


def _write_svg(view: PairView, path: Path, width: int, *, marks: bool) -> None:
    # Drawn on its own console so the image has colour even when stdout is a pipe.
    image = Console(width=width, record=True, file=io.StringIO(), color_system="truecolor", highlight=False)
    image.print(render_pair(view, marks=marks))
    try:
        image.save_svg(str(path), title=f"reprints diff {view.left.id} {view.right.id}")
    except OSError as err:
        raise click.ClickException(f"cannot write {path}: {err.strerror}") from err
