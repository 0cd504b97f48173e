"""``reprints scan``: find reuse across a corpus and write the results folder."""

from __future__ import annotations

import click

from ..read import read_corpus


@click.command("scan")
@click.argument("corpus", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Results folder.")
def command(corpus: tuple[str, ...], out_dir: str) -> None:
    """Find passages and quotes reused across CORPUS and write them to OUT."""
    result = read_corpus(corpus)
    click.echo(f"{len(result.documents)} documents read")
