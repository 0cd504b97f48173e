"""``reprints info``: what a corpus holds, and what is wrong with it."""

from __future__ import annotations

import click

from .common import Reading, corpus_options, print_corpus_summary


@click.command("info")
@click.argument("corpus", nargs=-1, required=True, type=click.Path())
@corpus_options
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes for HTML and WARC extraction.",
)
def command(corpus: tuple[str, ...], reading: Reading, jobs: int) -> None:
    """Summarise CORPUS: documents, outlets, date range, words, problems found.

    CORPUS is any mix of folders (.txt, .html, .warc[.gz], .jsonl files, with an optional
    manifest.csv), JSONL files and CSV/TSV files. Problems are printed on stderr, one line
    each (path:line: message), and the run goes on; with --strict the first one is fatal.
    """
    print_corpus_summary(reading.read(corpus, jobs=jobs))
