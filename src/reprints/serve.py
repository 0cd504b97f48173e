"""A local HTTP endpoint over an index, for newsroom tools that want the live check.

``POST /query`` with a JSON body ``{"text": ..., "outlet"?, "date"?, "id"?, "title"?, "top"?,
"quotes"?}`` returns ``{"query": {...}, "sources": [...], "matches": [...], "quotes": [...]}``
(:func:`reprints.index.lookup_json`, the same object ``reprints index query --json`` prints),
matches and quotes in the ``matches.jsonl`` / ``quotes.jsonl`` formats;
``GET /health`` returns ``{"status": "ok", "documents": N}``. Bodies over the size limit get
413, bodies that are not a JSON object with a text get 400 with a message. The standard
library's threading server is used: one thread per request, each borrowing an open
connection to the index from a pool, so queries run while another process adds articles.
"""

from __future__ import annotations

import json
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .errors import ParameterError, ReprintsError
from .index import Index, lookup_json

DEFAULT_MAX_BYTES = 1_000_000
"""Largest request body accepted (1 MB: far more than any article)."""


class IndexServer(ThreadingHTTPServer):
    """A threading HTTP server answering queries against one index file."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(
        self,
        path: str | Path,
        address: tuple[str, int] = ("127.0.0.1", 8765),
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        top: int = 10,
    ) -> None:
        self.index_path = Path(path)
        Index.open(self.index_path).close()  # fail now, not on the first request
        self.max_bytes = max_bytes
        self.top = top
        # Each request thread borrows an open index (connection, MinHasher) and returns it:
        # one per concurrent request, reused across requests.
        self._idle: queue.SimpleQueue[Index] = queue.SimpleQueue()
        super().__init__(address, QueryHandler)

    @contextmanager
    def index(self) -> Iterator[Index]:
        """Lend an open index to the calling request thread."""
        try:
            found = self._idle.get_nowait()
        except queue.Empty:
            found = Index.open(self.index_path)
        try:
            yield found
        finally:
            self._idle.put(found)

    def server_close(self) -> None:
        super().server_close()
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = host.decode() if isinstance(host, bytes) else host
        return f"http://{shown}:{port}"


class QueryHandler(BaseHTTPRequestHandler):
    """Handle ``POST /query`` and ``GET /health``; everything else is 404 or 405."""

    server: IndexServer
    protocol_version = "HTTP/1.1"
    server_version = "reprints"

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the library never prints; the CLI decides what to log."""

    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/health":
            try:
                with self.server.index() as index:
                    documents = len(index)
            except ReprintsError as err:
                self._send(503, {"error": str(err)})
                return
            self._send(200, {"status": "ok", "documents": documents})
        elif self.path.split("?")[0] == "/query":
            self._send(405, {"error": "use POST /query with a JSON body {\"text\": ...}"})
        else:
            self._send(404, {"error": f"no such endpoint {self.path}; use POST /query or GET /health"})

    def do_POST(self) -> None:
        if self.path.split("?")[0] != "/query":
            self._send(404, {"error": f"no such endpoint {self.path}; use POST /query"})
            return
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self._send(411, {"error": "send a Content-Length header"})
            return
        try:
            length = int(length_header)
        except ValueError:
            self._send(400, {"error": f"bad Content-Length {length_header!r}"})
            return
        if length > self.server.max_bytes:
            self.close_connection = True  # the unread body must not be taken for a request
            self._send(413, {"error": f"request body of {length} bytes is over the limit of {self.server.max_bytes}"})
            return
        body = self.rfile.read(length)
        try:
            request = parse_request(body)
        except ParameterError as err:
            self._send(400, {"error": str(err)})
            return
        try:
            with self.server.index() as index:
                payload = answer(index, request, self.server.top)
        except ReprintsError as err:
            self._send(400, {"error": str(err)})
            return
        self._send(200, payload)

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


def parse_request(body: bytes) -> dict[str, Any]:
    """Check a query body: a JSON object with a string ``text`` and optional string fields."""
    try:
        request = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ParameterError(f"the body is not UTF-8 JSON ({err}); send {{\"text\": \"...\"}}") from err
    if not isinstance(request, dict):
        raise ParameterError("the body must be a JSON object like {\"text\": \"...\"}")
    if not isinstance(request.get("text"), str):
        raise ParameterError("the body needs a \"text\" field holding the article text as a string")
    for name in ("outlet", "date", "id", "title"):
        if request.get(name) is not None and not isinstance(request[name], str):
            raise ParameterError(f"\"{name}\" must be a string")
    top = request.get("top")
    if top is not None and (not isinstance(top, int) or isinstance(top, bool) or top < 0):
        raise ParameterError("\"top\" must be a non-negative integer")
    return request


def answer(index: Index, request: dict[str, Any], top: int) -> dict[str, Any]:
    """Run one checked query and return its JSON answer (:func:`reprints.index.lookup_json`)."""
    doc_id = request.get("id") or "query"
    result = index.lookup(
        request["text"],
        outlet=request.get("outlet"),
        date=request.get("date"),
        doc_id=doc_id,
        title=request.get("title"),
        top=request["top"] if request.get("top") is not None else top,
        quotes=bool(request.get("quotes", True)),
    )
    return lookup_json(result, doc_id)


__all__ = ["DEFAULT_MAX_BYTES", "IndexServer", "QueryHandler", "answer", "parse_request"]
