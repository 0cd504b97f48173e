"""Read one plain-text file (``.txt``) as one document."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..model import Problem
from .decode import Decoded, DecodeError, decode
from .options import Located, ReadOptions, problem
from .record import RecordError, document_from_record


def load_file(
    file: Path, shown: str, options: ReadOptions, declared: str | None = None
) -> Decoded | Problem:
    """Read and decode one file within the size limit; a Problem says why it could not be."""
    try:
        size = file.stat().st_size
        if reason := options.too_large(size):
            return problem(shown, "too large", reason)
        raw = file.read_bytes()
    except OSError as err:
        return problem(shown, "unreadable", f"cannot read: {err.strerror or err}")
    if not raw or raw.isspace():
        return problem(shown, "empty", "empty file" if not raw else "empty file (only white space)")
    try:
        return decode(raw, declared)
    except DecodeError as err:
        reason = "binary" if "binary" in str(err) else "undecodable"
        return problem(shown, reason, str(err))


def decoding_warnings(shown: str, decoded: Decoded, line: int | None = None) -> Iterator[Problem]:
    """Warn (without skipping) about NUL characters removed and bad bytes replaced while decoding."""
    if decoded.replaced:
        yield problem(
            shown,
            "bad bytes replaced",
            f"{decoded.replaced} byte{'s' if decoded.replaced > 1 else ''} not valid {decoded.encoding.upper()}, replaced with U+FFFD",
            line,
            skipped=False,
        )
    if decoded.nuls:
        yield problem(
            shown,
            "NUL bytes removed",
            f"{decoded.nuls} NUL character{'s' if decoded.nuls > 1 else ''} removed from the text",
            line,
            skipped=False,
        )


def finish_document(
    shown: str,
    doc_id: str,
    text: str,
    row: Mapping[str, Any],
    options: ReadOptions,
    *,
    fallback: Mapping[str, Any] | None = None,
) -> Iterator[Located | Problem]:
    """Make the document for one file from its text, manifest ``row`` and ``fallback`` fields.

    Manifest fields win; ``fallback`` (page metadata, the subfolder's name) fills the rest.
    """
    record = {k: v for k, v in row.items() if k != "file" and options.columns.get(k) != "file"}
    try:
        document, warnings = document_from_record(
            record, options.columns, doc_id=doc_id, text=text, defaults=fallback
        )
    except RecordError as err:
        yield problem(shown, err.reason, f"{err}; skipped")
        return
    for warning in warnings:
        yield problem(shown, "bad date", warning, skipped=False)
    yield Located(document, shown)


def read_text_file(
    file: Path,
    shown: str,
    doc_id: str,
    row: Mapping[str, Any],
    options: ReadOptions,
    fallback: Mapping[str, Any] | None = None,
) -> Iterator[Located | Problem]:
    """Yield the document in one text file, or the problem that stopped it."""
    decoded = load_file(file, shown, options)
    if isinstance(decoded, Problem):
        yield decoded
        return
    yield from decoding_warnings(shown, decoded)
    if decoded.encoding != "utf-8":
        fallback = {**(fallback or {}), "meta": {"encoding": decoded.encoding}}
    yield from finish_document(shown, doc_id, decoded.text, row, options, fallback=fallback)
