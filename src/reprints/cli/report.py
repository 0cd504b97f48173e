"""``reprints report``: one self-contained HTML page for a results folder."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ReprintsError
from ..report.page import write_report


@click.command("report")
@click.argument("results_dir", metavar="DIR", type=click.Path(exists=True, file_okay=False))
@click.option(
    "-o",
    "--out",
    "out_file",
    type=click.Path(dir_okay=False),
    help="HTML file to write (default: DIR/report.html).",
)
@click.option("--title", help="Title shown at the top of the page (default: the folder's name).")
@click.option(
    "--max-pairs",
    type=click.IntRange(min=1),
    default=None,
    help="Keep only the N document pairs with the most shared words in the page (default: "
    "all); for very large results, so the file stays quick to open.",
)
def command(results_dir: str, out_file: str | None, title: str | None, max_pairs: int | None) -> None:
    """Write an HTML report of the results in DIR (written by `reprints scan --out DIR`).

    The page needs no network: open it from disk in any browser. It shows the corpus
    overview, who took from whom, stories on a timeline, every document pair side by side
    and the quote families, with filters by outlet and date.

    \b
    Example:
      reprints report results/ -o report.html
    """
    target = Path(out_file) if out_file else Path(results_dir) / "report.html"
    try:
        counts = write_report(
            results_dir, target, title=title or Path(results_dir).resolve().name, max_pairs=max_pairs
        )
    except ReprintsError as err:
        raise click.ClickException(str(err)) from err
    except ModuleNotFoundError as err:  # networkx comes with the "report" extra
        raise click.ClickException(
            f"the report needs {err.name}: pip install 'reprints[report]'"
        ) from err
    except OSError as err:
        raise click.ClickException(f"cannot write {target}: {err.strerror or err}") from err
    size = target.stat().st_size / 1e6
    click.echo(
        f"wrote {target} ({size:.1f} MB: {counts.passages} passages, "
        f"{counts.quote_families} quote families); open it in a browser",
        err=True,
    )
