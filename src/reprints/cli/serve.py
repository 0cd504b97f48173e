"""``reprints serve``: answer queries against an index over HTTP on this machine."""

from __future__ import annotations

import click

from ..errors import ReprintsError


@click.command("serve")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; the default answers this machine only.")
@click.option("--port", type=int, default=8765, show_default=True, help="Port (0: any free port).")
@click.option("--max-bytes", type=int, default=1_000_000, show_default=True,
              help="Largest request body accepted (larger ones get 413).")
@click.option("--top", type=int, default=10, show_default=True, help="Source articles per answer at most.")
def command(path: str, host: str, port: int, max_bytes: int, top: int) -> None:
    """Serve POST /query (JSON {"text": ...} in, matches out) and GET /health for the index PATH."""
    from ..serve import IndexServer

    try:
        server = IndexServer(path, (host, port), max_bytes=max_bytes, top=top)
    except ReprintsError as err:
        raise click.ClickException(str(err)) from err
    except OSError as err:
        raise click.ClickException(f"cannot listen on {host}:{port} ({err.strerror})") from err
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: listening on {host}, reachable from other machines", err=True)
    click.echo(f"serving {path} at {server.url} (POST /query, GET /health); Ctrl-C stops", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
