"""``reprints info``: what a corpus holds, and what is wrong with it."""

from __future__ import annotations

import click

from ..read import read_corpus


@click.command("info")
@click.argument("corpus", nargs=-1, required=True, type=click.Path())
def command(corpus: tuple[str, ...]) -> None:
    """Summarise CORPUS: documents, outlets, date range, words, problems found."""
    result = read_corpus(corpus)
    click.echo(f"{len(result.documents)} documents, {len(result.problems)} problems")
