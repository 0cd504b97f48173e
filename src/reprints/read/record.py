"""Build a Document from one record of named fields (a JSONL object, a CSV row, a manifest row)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ParameterError
from ..model import Document
from .dates import normalize_date

FIELDS = ("id", "text", "outlet", "date", "title", "url")
"""Document fields a record can fill; every other field goes into ``meta``."""
ALIASES = {"series": "outlet"}
"""Other names accepted for a field when the record lacks the field itself (passim's ``series``)."""


class RecordError(ValueError):
    """A record that cannot become a document; the message says why, ``reason`` is its key."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message


def parse_columns(spec: str | Mapping[str, str] | None) -> dict[str, str]:
    """Parse a column mapping such as ``publisher=outlet,scrape_time=date`` (source=field).

    Raises :class:`ParameterError` naming the bad part when a target is not a document field.
    """
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        pairs = list(spec.items())
    else:
        pairs = []
        for part in spec.split(","):
            if not part.strip():
                continue
            source, sep, target = part.partition("=")
            if not sep or not source.strip() or not target.strip():
                raise ParameterError(
                    f"column mapping {part.strip()!r} is not SOURCE=FIELD; "
                    f"write e.g. --columns publisher=outlet,scrape_time=date"
                )
            pairs.append((source.strip(), target.strip()))
    columns: dict[str, str] = {}
    for source, target in pairs:
        if target not in (*FIELDS, "file"):
            raise ParameterError(
                f"column mapping {source}={target}: {target!r} is not a document field; "
                f"map onto one of {', '.join((*FIELDS, 'file'))}"
            )
        columns[source] = target
    return columns


def split_fields(
    record: Mapping[str, Any], columns: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a record into document fields and the rest (``meta``), applying ``columns`` and aliases.

    Priority per field: a column mapped onto it, then the field's own name, then an alias.
    Empty values (None, "") are dropped.
    """
    fields: dict[str, Any] = {}
    used: set[str] = set()
    for source, target in columns.items():
        if source in record and target not in fields:
            fields[target] = record[source]
            used.add(source)
    for key in record:
        if key not in used and key in FIELDS and key not in columns.values():
            fields[key] = record[key]
            used.add(key)
    for key, target in ALIASES.items():
        if key in record and key not in used and target not in fields:
            fields[target] = record[key]
            used.add(key)
    meta = {k: v for k, v in record.items() if k not in used and v not in (None, "")}
    return fields, meta


def document_from_record(
    record: Mapping[str, Any],
    columns: Mapping[str, str],
    *,
    doc_id: str | None = None,
    text: str | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> tuple[Document, list[str]]:
    """Make a Document from ``record``; return it with warnings (e.g. an unreadable date).

    ``doc_id`` and ``text``, when given, stand in for the record's own (a file's path and
    contents, for a manifest row). ``defaults`` fill fields the record leaves empty (page
    metadata, the subfolder's name); its ``meta`` goes under the record's own. Raises
    :class:`RecordError` when ``id`` or ``text`` is missing or empty.
    """
    fields, meta = split_fields(record, columns)
    if defaults:
        for key, value in defaults.items():
            if key == "meta":
                meta = {**value, **meta}
            elif value and fields.get(key) in (None, ""):
                fields[key] = value
    warnings: list[str] = []
    if doc_id is None:
        raw_id = fields.get("id")
        if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
            raise RecordError("no id")
        if not isinstance(raw_id, (str, int)) or isinstance(raw_id, bool):
            raise RecordError(f"id is a {type(raw_id).__name__}, not a string or number", "bad id")
        doc_id = str(raw_id)
    if text is None:
        raw_text = fields.get("text")
        if raw_text is None:
            raise RecordError("no text")
        if not isinstance(raw_text, str):
            raise RecordError(f"text is a {type(raw_text).__name__}, not a string", "bad text")
        text = raw_text
    if not text or text.isspace():
        raise RecordError("empty text")
    raw_date = fields.get("date")
    day = normalize_date(raw_date)
    if raw_date not in (None, "") and day is None:
        meta["date_raw"] = raw_date
        warnings.append(
            f"date {str(raw_date)!r} is not a date reprints can read; kept as meta date_raw"
        )
    return (
        Document(
            id=doc_id,
            text=text,
            outlet=_clean(fields.get("outlet")),
            date=day,
            title=_clean(fields.get("title")),
            url=_clean(fields.get("url")),
            meta=meta,
        ),
        warnings,
    )


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    value = " ".join(str(value).split())
    return value or None
