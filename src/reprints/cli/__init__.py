"""The ``reprints`` command: a thin click layer over the library.

Each command lives in its own module here and is registered on :data:`main`. The library
never prints; these modules turn its results into terminal output (rich, progress on stderr)
and its typed errors into one-line messages.
"""

from __future__ import annotations

import importlib

import click

from .. import __version__

# Command name -> (module, one-line help). Modules load only when their command runs, so
# `reprints --help` and light commands do not pay for scikit-learn's import. The one-line help
# here is checked against each command's own docstring by tests/test_cli.py.
COMMANDS: dict[str, tuple[str, str]] = {
    "info": ("info", "Summarise CORPUS: documents, outlets, date range, words, problems found."),
    "scan": ("scan", "Find passages and quotes reused across CORPUS and write them to OUT."),
    "quotes": (
        "quotes",
        "Find the quotes in CORPUS, their speakers, and the same quote across outlets.",
    ),
    "wire": (
        "wire",
        "Measure how much of each article in CORPUS is wire copy, per outlet and month.",
    ),
    "diff": (
        "diff",
        "Show articles A and B side by side with the passages one took from the other.",
    ),
    "report": (
        "report",
        "Write an HTML report of the results in DIR (written by `reprints scan --out DIR`).",
    ),
    "export": (
        "export",
        "Export the results in DIR (written by `reprints scan --out DIR`) for other tools.",
    ),
    "index": (
        "index",
        "Keep a reuse index: add articles as they arrive, ask where a new one came from.",
    ),
    "serve": (
        "serve",
        'Serve POST /query (JSON {"text": ...} in, matches out) and GET /health for the index PATH.',
    ),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"{__name__}.{COMMANDS[cmd_name][0]}")
        command: click.Command = module.command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, short) in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reprints")
def main() -> None:
    """Find text reuse in news: copied and reworded passages, lifted quotes, wire share.

    Start with `reprints scan FOLDER --out results/`, then `reprints report results/`.
    """
