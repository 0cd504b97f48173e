"""The ``reprints`` command: a thin click layer over the library.

Each command lives in its own module here and is registered on :data:`main`. The library
never prints; these modules turn its results into terminal output (rich, progress on stderr)
and its typed errors into one-line messages.
"""

from __future__ import annotations

import click

from .. import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reprints")
def main() -> None:
    """Find text reuse in news: copied and reworded passages, lifted quotes, wire share.

    Start with `reprints scan FOLDER --out results/`, then `reprints report results/`.
    """


def _register() -> None:
    from . import diff, export, index, info, quotes, report, scan, serve, wire

    for module in (info, scan, export, index, serve, report, diff, quotes, wire):
        main.add_command(module.command)


_register()
