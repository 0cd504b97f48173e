"""Read JSON Lines (``.jsonl``, ``.ndjson``, optionally ``.gz``): one document per line.

Each line is an object with ``id`` and ``text``; ``outlet`` (or passim's ``series``),
``date``, ``title`` and ``url`` fill the document's fields and every other field is kept in
``meta``. Blank lines are skipped. A bad line is reported with its line number and the rest
of the file is still read.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

from ..model import Problem
from .decode import DecodeError, decode, looks_binary
from .options import Located, ReadOptions, problem
from .record import RecordError, document_from_record
from .textfile import decoding_warnings

_MISSING = object()
GIVE_UP_LINES = 20
"""A file whose first this many non-blank lines are all unreadable is not read further."""


def open_binary(file: Path) -> IO[bytes]:
    """Open ``file`` for reading bytes, through gzip when its name ends in ``.gz``."""
    if file.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(file, "rb"))
    return file.open("rb")


def read_jsonl(file: Path, shown: str, options: ReadOptions) -> Iterator[Located | Problem]:
    """Yield a document (or problem) per line of a JSONL file, in file order."""
    try:
        handle = open_binary(file)
    except OSError as err:
        yield problem(shown, "unreadable", f"cannot read: {err.strerror or err}")
        return
    with handle:
        try:
            head = handle.peek(8192)[:8192] if hasattr(handle, "peek") else b""
        except (OSError, EOFError) as err:
            yield problem(shown, "unreadable", f"cannot read: {err}")
            return
        if looks_binary(head):
            yield problem(shown, "binary", "binary data, not JSON Lines")
            return
        seen_good = False
        bad = 0
        number = lines = 0
        try:
            for number, raw in enumerate(handle, start=1):
                if raw.isspace():
                    continue
                lines += 1
                items = list(_read_line(raw, number, shown, options))
                if any(isinstance(item, Located) for item in items):
                    seen_good = True
                elif not seen_good:
                    bad += 1
                    if bad >= GIVE_UP_LINES:
                        yield from items
                        yield problem(
                            shown,
                            "not JSON Lines",
                            f"the first {GIVE_UP_LINES} lines are all unreadable; rest of the file skipped",
                            number,
                        )
                        return
                yield from items
        except (OSError, EOFError) as err:
            yield problem(
                shown, "unreadable", f"cannot read past line {number} ({err}); rest skipped"
            )
        if lines == 0:
            yield problem(
                shown, "empty", "empty file" if number == 0 else "empty file (only white space)"
            )


def _read_line(
    raw: bytes, number: int, shown: str, options: ReadOptions
) -> Iterator[Located | Problem]:
    if reason := options.too_large(len(raw)):
        yield problem(shown, "too large", reason, number)
        return
    try:
        # Fast path: a well-formed UTF-8 line (the usual case) needs no decoding detour.
        record = json.loads(raw)
        decoded = None
    except (UnicodeDecodeError, json.JSONDecodeError):
        record, decoded = _MISSING, None
    if record is _MISSING:
        try:
            decoded = decode(raw)
        except DecodeError as err:
            yield problem(shown, "undecodable", f"{err}; line skipped", number)
            return
    try:
        if decoded is not None:
            record = json.loads(decoded.text.rstrip("\r\n"))
    except json.JSONDecodeError as err:
        reason = err.msg.removesuffix(" at")
        yield problem(
            shown, "not JSON", f"not JSON ({reason} at column {err.colno}); line skipped", number
        )
        return
    if not isinstance(record, dict):
        yield problem(
            shown,
            "not an object",
            f"a JSON {type(record).__name__}, not an object; line skipped",
            number,
        )
        return
    yield from record_document(record, shown, number, options)
    if decoded is not None:
        yield from decoding_warnings(shown, decoded, number)
        if not decoded.encoding.startswith("utf"):
            yield problem(
                shown,
                "mixed encoding",
                f"not UTF-8; this line read as {decoded.encoding}",
                number,
                skipped=False,
            )


def record_document(
    record: dict, shown: str, number: int, options: ReadOptions
) -> Iterator[Located | Problem]:
    """Yield the document for one record (JSONL object, CSV row), or why there is none."""
    try:
        document, warnings = document_from_record(record, options.columns)
    except RecordError as err:
        hint = ""
        if err.reason in ("no id", "no text"):
            hint = f"; map another field onto it with --columns NAME={err.reason[3:]}"
        yield problem(shown, err.reason, f"{err}{hint}; skipped", number)
        return
    text = document.text
    if "\x00" in text:
        nuls = text.count("\x00")
        document = dataclasses.replace(document, text=text.replace("\x00", ""))
        yield problem(
            shown,
            "NUL bytes removed",
            f"{nuls} NUL character{'s' if nuls > 1 else ''} removed from the text",
            number,
            skipped=False,
        )
    for warning in warnings:
        yield problem(shown, "bad date", warning, number, skipped=False)
    yield Located(document, shown, number)
