"""``reprints export``: matches as CSV and the outlet reuse graph for Gephi."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ReprintsError
from ..export import GRAPH_FORMATS, export_matches_csv, export_outlet_graph, write_graph


@click.command("export")
@click.argument("results_dir", metavar="DIR", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--matches-csv", type=click.Path(dir_okay=False), help="Write every matched passage pair to this CSV file."
)
@click.option(
    "--graph",
    type=click.Path(dir_okay=False),
    help="Write the outlet→outlet reuse graph here; the suffix picks the format (.gexf or .graphml).",
)
def command(results_dir: str, matches_csv: str | None, graph: str | None) -> None:
    """Export the results in DIR (written by `reprints scan --out DIR`) for other tools.

    \b
    Example:
      reprints export results/ --matches-csv matches.csv --graph outlets.gexf
    """
    if not matches_csv and not graph:
        raise click.UsageError("nothing to export: give --matches-csv FILE and/or --graph FILE.gexf")
    if graph and Path(graph).suffix.lower() not in GRAPH_FORMATS:
        raise click.BadParameter("name the file *.gexf or *.graphml", param_hint="--graph")
    try:
        # Straight from results.db, streaming: no need to load millions of matches at once.
        if matches_csv:
            rows = export_matches_csv(results_dir, matches_csv)
            click.echo(f"wrote {rows} matches to {matches_csv}", err=True)
        if graph:
            reuse = export_outlet_graph(results_dir)
            write_graph(reuse, graph)
            click.echo(
                f"wrote {reuse.number_of_nodes()} outlets and {reuse.number_of_edges()} reuse "
                f"edges to {graph}",
                err=True,
            )
    except ReprintsError as err:
        raise click.ClickException(str(err)) from err
