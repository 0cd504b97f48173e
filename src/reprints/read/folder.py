"""Read a folder, recursively: ``.txt``, ``.html``/``.htm``, ``.warc[.gz]``, ``.jsonl`` and ``.parquet`` files.

The id of a file's document is its path relative to the folder, with ``/`` separators. An
optional ``manifest.csv`` at the top (column ``file`` = that relative path; ``outlet``,
``date``, ``title``, ``url``; other columns into ``meta``) describes the files. Outlet when the
manifest gives none: the page's own metadata (site name, else host), else the first-level
subfolder's name, else None. README*/LICENSE* files, hidden files, CSV files and files of
other types are left unread and counted (see :class:`~reprints.read.options.Ignored`).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Problem
from .decode import DecodeError, decode
from .jsonl import read_jsonl
from .options import Ignored, Located, ReadOptions, problem
from .parquet import read_parquet
from .table import read_table
from .textfile import read_text_file
from .warc import read_warc
from .webpage import read_html_file

MANIFEST = "manifest.csv"
TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
WARC_SUFFIXES = (".warc", ".warc.gz")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".csv.gz", ".tsv.gz")
PARQUET_SUFFIXES = (".parquet",)


def file_format(name: str) -> str | None:
    """Name the format of a file by its suffix: text, html, warc, jsonl, table, parquet, or None."""
    lower = name.lower()
    for kind, suffixes in (
        ("text", TEXT_SUFFIXES),
        ("html", HTML_SUFFIXES),
        ("warc", WARC_SUFFIXES),
        ("jsonl", JSONL_SUFFIXES),
        ("table", TABLE_SUFFIXES),
        ("parquet", PARQUET_SUFFIXES),
    ):
        if lower.endswith(suffixes):
            return kind
    return None


@dataclass(frozen=True)
class FileTask:
    """One file to read: its format, where it is, and what the folder knows about it."""

    kind: str
    file: Path
    where: str
    doc_id: str
    row: Mapping[str, Any] = field(default_factory=dict)
    subfolder: str | None = None


def read_file(task: FileTask, options: ReadOptions) -> Iterator[Located | Problem | Ignored]:
    """Yield the documents (or problems) in one file."""
    if task.kind == "text":
        yield from read_text_file(
            task.file, task.where, task.doc_id, task.row, options, {"outlet": task.subfolder}
        )
    elif task.kind == "html":
        yield from read_html_file(
            task.file, task.where, task.doc_id, task.row, options, outlet=task.subfolder
        )
    elif task.kind == "warc":
        yield from read_warc(task.file, task.where, options)
    elif task.kind == "jsonl":
        yield from read_jsonl(task.file, task.where, options)
    elif task.kind == "table":
        yield from read_table(task.file, task.where, options)
    elif task.kind == "parquet":
        yield from read_parquet(task.file, task.where, options)
    else:
        raise ValueError(f"unknown file kind {task.kind!r}")


def read_folder(
    root: Path, shown: str, options: ReadOptions
) -> Iterator[Located | Problem | Ignored]:
    """Yield the documents, problems and unread files of one folder, in sorted path order."""
    for task in folder_tasks(root, shown, options):
        if isinstance(task, FileTask):
            yield from read_file(task, options)
        else:
            yield task


def folder_tasks(
    root: Path, shown: str, options: ReadOptions
) -> Iterator[FileTask | Problem | Ignored]:
    """Yield a task per file to read, and the problems and unread files met while walking."""
    manifest: dict[str, tuple[dict[str, Any], int]] = {}
    if (root / MANIFEST).is_file():
        manifest_items = list(_read_manifest(root / MANIFEST, _join(shown, MANIFEST), options))
        yield from (item for item in manifest_items if isinstance(item, Problem))
        manifest = next((item for item in manifest_items if isinstance(item, dict)), {})
    found: set[str] = set()
    for rel, file, unreadable in _walk(root):
        where = _join(shown, rel)
        if rel == MANIFEST:
            continue
        if unreadable:
            if unreadable.startswith("cannot"):
                yield problem(where, "unreadable", unreadable)
            else:
                yield Ignored(where, unreadable)
            continue
        if rel.startswith(".") or "/." in rel:
            yield Ignored(where, "hidden file or folder")
            continue
        if reason := options.skip_reason(rel):
            yield Ignored(where, reason)
            continue
        kind = file_format(rel)
        if kind is None:
            yield Ignored(where, f"not a format reprints reads ({Path(rel).suffix or 'no suffix'})")
            continue
        if kind == "table":
            yield Ignored(where, "CSV/TSV inside a folder (name the file itself to read it)")
            continue
        row, _ = manifest.get(rel, ({}, 0))
        if row:
            found.add(rel)
        subfolder = rel.split("/", 1)[0] if "/" in rel else None
        yield FileTask(kind, file, where, rel, row, subfolder)
    for rel, (_, line) in sorted(manifest.items()):
        if rel not in found:
            yield problem(
                _join(shown, MANIFEST),
                "manifest without file",
                f"no file {rel!r} in the folder",
                line,
                skipped=False,
            )


def _join(shown: str, rel: str) -> str:
    return f"{shown.rstrip('/')}/{rel}"


def _walk(root: Path, rel_base: str = "") -> Iterator[tuple[str, Path, str | None]]:
    """Yield (relative path, path, why it is not a file to read or None) under ``root``.

    Sorted by name, a folder's files before its subfolders; hidden folders are yielded once
    (with a trailing ``/``) and not entered; a folder that cannot be listed is yielded with
    the error, so nothing is skipped silently.
    """
    try:
        with os.scandir(root) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as err:
        yield rel_base or ".", root, f"cannot list the folder: {err.strerror or err}"
        return
    folders = []
    for entry in entries:
        rel = rel_base + entry.name
        try:
            is_folder = entry.is_dir()
            is_file = not is_folder and entry.is_file()
        except OSError:
            is_folder = is_file = False
        if is_folder:
            folders.append(entry)
        elif is_file:
            yield rel, Path(entry.path), None
        elif entry.is_symlink():
            yield rel, Path(entry.path), "cannot read: broken link"
        else:
            yield rel, Path(entry.path), "not a regular file (a pipe or device)"
    for entry in folders:
        if entry.name.startswith("."):
            yield rel_base + entry.name + "/", Path(entry.path), None
        else:
            yield from _walk(Path(entry.path), rel_base + entry.name + "/")


def _read_manifest(
    path: Path, shown: str, options: ReadOptions
) -> Iterator[dict[str, tuple[dict[str, Any], int]] | Problem]:
    try:
        decoded = decode(path.read_bytes())
    except (OSError, DecodeError) as err:
        yield problem(
            shown, "bad manifest", f"cannot read the manifest ({err}); files read without it"
        )
        return
    reader = csv.DictReader(io.StringIO(decoded.text, newline=""))
    rows: dict[str, tuple[dict[str, Any], int]] = {}
    file_column = next((s for s, t in options.columns.items() if t == "file"), "file")
    start = 2
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            name = (row.get(file_column) or "").strip().replace("\\", "/").removeprefix("./")
            if not name:
                yield problem(
                    shown,
                    "bad manifest",
                    "no file name in this row; row ignored",
                    line,
                    skipped=False,
                )
                continue
            if name in rows:
                yield problem(
                    shown,
                    "bad manifest",
                    f"{name!r} listed twice; later row ignored",
                    line,
                    skipped=False,
                )
                continue
            rows[name] = ({k: v for k, v in row.items() if k is not None}, line)
    except csv.Error as err:
        yield problem(
            shown,
            "bad manifest",
            f"unreadable manifest ({err}); rows after this ignored",
            start,
            skipped=False,
        )
    if reader.fieldnames and file_column not in reader.fieldnames:
        yield problem(
            shown,
            "bad manifest",
            f"no 'file' column (columns: {', '.join(reader.fieldnames)}); files read without it",
            1,
            skipped=False,
        )
    yield rows
