"""Read CSV and TSV files (optionally ``.gz``): a header row, then one document per row.

Columns are the JSONL fields (``id``, ``text``, ``outlet``/``series``, ``date``, ``title``,
``url``; others go into ``meta``), or any names mapped onto them with ``columns``. Quoted
fields may hold newlines. Text is kept exactly as it is (the asprout scrapes separate
paragraphs with `` ### ``; that stays). Line numbers in problems are the physical line where
the row starts.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from ..model import Problem
from .decode import DecodeError, decode, looks_binary
from .jsonl import open_binary, record_document
from .options import Located, ReadOptions, problem

SNIFF_BYTES = 1 << 20
"""Leading bytes used to choose the file's encoding."""
_ESCAPED_RE = re.compile("[\udc80-\udcff]")

csv.field_size_limit(2**31 - 1)  # article text is long; the size limit is ours (--max-mb)


def read_table(file: Path, shown: str, options: ReadOptions) -> Iterator[Located | Problem]:
    """Yield a document (or problem) per row of a CSV/TSV file, in file order."""
    name = file.name.lower().removesuffix(".gz")
    delimiter = "\t" if name.endswith((".tsv", ".tab")) else ","
    try:
        binary = open_binary(file)
        head = binary.read(SNIFF_BYTES)
    except (OSError, EOFError) as err:
        yield problem(shown, "unreadable", f"cannot read: {err}")
        return
    with binary:
        if not head or head.isspace():
            yield problem(shown, "empty", "empty file")
            return
        if looks_binary(head[:8192]):
            yield problem(shown, "binary", "binary data, not CSV")
            return
        encoding = _sniff_encoding(head)
        if encoding is None:
            yield problem(shown, "undecodable", "not text in any encoding reprints can tell")
            return
        stream = io.TextIOWrapper(
            io.BufferedReader(_Rejoined(head, binary)),
            encoding=encoding,
            errors="surrogateescape",
            newline="",
        )
        yield from _rows(csv.reader(stream, delimiter=delimiter), shown, options, encoding)


def _sniff_encoding(head: bytes) -> str | None:
    try:
        head.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as err:
        if err.start >= len(head) - 3 and err.reason == "unexpected end of data":
            return "utf-8-sig"
    try:
        encoding = decode(head).encoding
    except DecodeError:
        return None
    return "utf-8-sig" if encoding == "utf-8" else encoding


def _rows(reader, shown: str, options: ReadOptions, encoding: str) -> Iterator[Located | Problem]:
    try:
        header = next(reader)
    except StopIteration:
        yield problem(shown, "empty", "empty file")
        return
    except csv.Error as err:
        yield problem(shown, "bad CSV", f"unreadable header ({err}); file skipped", 1)
        return
    header = [name.strip() for name in header]
    targets = {options.columns.get(name, name) for name in header} | (
        {"outlet"} if "series" in header else set()
    )
    for needed in ("id", "text"):
        if needed not in targets:
            yield problem(
                shown,
                f"no {needed} column",
                f"no {needed!r} column (columns: {', '.join(header)}); "
                f"map one with --columns NAME={needed}; file skipped",
                1,
            )
            return
    start = reader.line_num + 1
    rows = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            if rows == 0:
                yield problem(shown, "empty", "no rows after the header")
            return
        except csv.Error as err:
            yield problem(shown, "bad CSV", f"unreadable row ({err}); row skipped", start)
            start = reader.line_num + 1
            continue
        line = start
        start = reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        rows += 1
        if len(row) != len(header):
            yield problem(
                shown,
                "bad row",
                f"{len(row)} fields where the header has {len(header)}; row skipped",
                line,
            )
            continue
        warnings: list[Problem] = []
        if any(not cell.isascii() and _ESCAPED_RE.search(cell) for cell in row):
            row = [_recover(cell) for cell in row]
            warnings.append(
                problem(
                    shown,
                    "mixed encoding",
                    f"not {encoding}; this row read as cp1252",
                    line,
                    skipped=False,
                )
            )
        yield from warnings
        yield from record_document(dict(zip(header, row, strict=False)), shown, line, options)


def _recover(cell: str) -> str:
    if not _ESCAPED_RE.search(cell):
        return cell
    raw = cell.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class _Rejoined(io.RawIOBase):
    """The sniffed head followed by the rest of the stream, so no byte is read twice."""

    def __init__(self, head: bytes, rest) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        chunk = self._rest.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)
