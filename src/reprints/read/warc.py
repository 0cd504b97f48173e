"""Read WARC crawls (``.warc``, ``.warc.gz``): each HTML response becomes one document.

The id is the record's ``WARC-Target-URI``. Requests, metadata, redirects, errors and
non-HTML responses (images, scripts) are left out on purpose and counted, not reported as
problems; ``text/plain`` responses are read as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from ..model import Problem
from .decode import DecodeError, decode
from .options import Ignored, Located, ReadOptions, problem
from .textfile import decoding_warnings, finish_document
from .webpage import declared_charset, page_document

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc(
    file: Path, shown: str, options: ReadOptions
) -> Iterator[Located | Problem | Ignored]:
    """Yield a document (or problem) per HTML response in the WARC file, in file order."""
    try:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed
    except ImportError:
        yield problem(
            shown, "needs the web extra", "reading WARC needs warcio: pip install 'reprints[web]'"
        )
        return
    try:
        handle = file.open("rb")
    except OSError as err:
        yield problem(shown, "unreadable", f"cannot read: {err.strerror or err}")
        return
    with handle:
        records = ArchiveIterator(handle)
        count = 0
        try:
            for record in records:
                count += 1
                if record.rec_type not in ("response", "resource"):
                    continue
                yield from _read_record(record, shown, options, count)
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as err:
            if count == 0:
                yield problem(shown, "bad WARC", f"not a WARC file ({err}); file skipped")
            else:
                yield problem(
                    shown,
                    "bad WARC",
                    f"broken WARC after {count} records ({err}); rest of the file skipped",
                )


def _read_record(
    record, shown: str, options: ReadOptions, number: int
) -> Iterator[Located | Problem | Ignored]:
    uri = record.rec_headers.get_header("WARC-Target-URI") or f"{shown}#{number}"
    where = f"{shown} (record {uri})"
    record_type = (record.rec_headers.get_header("Content-Type") or "").lower()
    if record.http_headers is None and record_type.startswith("application/http"):
        yield problem(
            where,
            "bad WARC",
            "broken record without HTTP headers (is the file truncated?); skipped",
        )
        return
    if record.http_headers is not None:
        status = record.http_headers.get_statuscode()
        if status and not status.startswith("2"):
            yield Ignored(where, f"WARC response with HTTP status {status[:3]}")
            return
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    mime = content_type.split(";")[0].strip().lower()
    charset = None
    if "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'") or None
    if mime not in (*_HTML_TYPES, "text/plain"):
        yield Ignored(where, f"WARC response that is not HTML ({mime or 'no type'})")
        return
    length = record.length or 0
    if reason := options.too_large(length):
        yield problem(where, "too large", reason)
        return
    payload = record.content_stream().read()
    if not payload or payload.isspace():
        yield problem(where, "empty", "empty response")
        return
    try:
        decoded = decode(
            payload, charset or (declared_charset(payload) if mime != "text/plain" else None)
        )
    except DecodeError as err:
        yield problem(where, "binary" if "binary" in str(err) else "undecodable", str(err))
        return
    del payload
    yield from decoding_warnings(where, decoded)
    host = (urlsplit(uri).hostname or "").removeprefix("www.") or None
    date = record.rec_headers.get_header("WARC-Date")
    row = {"warc_date": date} if date else {}
    if mime == "text/plain":
        yield from finish_document(
            where, uri, decoded.text, row, options, fallback={"outlet": host, "url": uri}
        )
    else:
        yield from page_document(decoded.text, where, uri, row, options, url=uri, outlet=host)
