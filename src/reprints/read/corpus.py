"""Dispatch each input path to the reader for its format and collect documents and problems.

Inputs are read in the order of their absolute paths, whatever order they were given in, so
ids, document order and which of two duplicates is kept never depend on argument order.
A document whose id was already read is reported ("duplicate id") and skipped: the first
one read is kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..model import Document, Problem
from .folder import file_format, read_folder
from .jsonl import read_jsonl
from .options import Ignored, Located, ReadOptions, problem
from .parquet import read_parquet
from .table import read_table
from .textfile import read_text_file
from .warc import read_warc
from .webpage import read_html_file

Item = Located | Problem | Ignored


@dataclass
class Corpus:
    """Documents sorted by id, the problems met while reading them, and what was left unread."""

    documents: list[Document]
    problems: list[Problem] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)


def read_corpus(
    paths: Iterable[str | Path],
    *,
    strict: bool = False,
    columns: str | Mapping[str, str] | None = None,
    options: ReadOptions | None = None,
) -> Corpus:
    """Read every document under ``paths``; with ``strict``, raise InputError on the first problem.

    ``columns`` maps source column names onto document fields (``{"publisher": "outlet"}`` or
    ``"publisher=outlet,scrape_time=date"``). ``options`` sets the rest (excludes, size limit).
    """
    documents: list[Document] = []
    problems: list[Problem] = []
    ignored: list[Ignored] = []
    for item in iter_items(paths, columns=columns, options=options):
        if isinstance(item, Problem):
            if strict:
                raise InputError(f"{item} (stopped by --strict)")
            problems.append(item)
        elif isinstance(item, Ignored):
            ignored.append(item)
        else:
            documents.append(item)
    documents.sort(key=lambda d: d.id)
    return Corpus(documents, problems, ignored)


def iter_documents(
    paths: Iterable[str | Path],
    *,
    columns: str | Mapping[str, str] | None = None,
    options: ReadOptions | None = None,
) -> Iterator[Document | Problem]:
    """Yield documents and problems as they are read, lazily (files left unread are not yielded)."""
    for item in iter_items(paths, columns=columns, options=options):
        if not isinstance(item, Ignored):
            yield item


def iter_items(
    paths: Iterable[str | Path],
    *,
    columns: str | Mapping[str, str] | None = None,
    options: ReadOptions | None = None,
) -> Iterator[Document | Problem | Ignored]:
    """Yield documents, problems and files left unread on purpose, lazily, in a stable order."""
    if options is None:
        options = ReadOptions.build(columns)
    elif columns is not None:
        options = ReadOptions.build(columns, options.exclude, options.include, options.max_mb)
    inputs = sorted({Path(p).absolute(): str(p) for p in paths}.items())
    # id -> (where it was first read, line, hash of its text); hash() is fine within one run.
    first_seen: dict[str, tuple[str, int | None, int]] = {}
    for absolute, shown in inputs:
        for item in _read_input(absolute, shown, options):
            if isinstance(item, Located):
                duplicate = _check_duplicate(item, first_seen)
                yield item.document if duplicate is None else duplicate
            else:
                yield item


def _check_duplicate(
    located: Located, first_seen: dict[str, tuple[str, int | None, int]]
) -> Problem | None:
    document = located.document
    digest = hash(document.text)
    if document.id not in first_seen:
        first_seen[document.id] = (located.where, located.line, digest)
        return None
    where, line, first_digest = first_seen[document.id]
    same = "same text" if first_digest == digest else "different text"
    first = where if line is None else f"{where}:{line}"
    return problem(
        located.where,
        "duplicate id",
        f"duplicate id {document.id!r} ({same}); skipped, the first one read ({first}) is kept",
        located.line,
    )


def _read_input(path: Path, shown: str, options: ReadOptions) -> Iterator[Item]:
    if path.is_dir():
        yield from read_folder(path, shown, options)
        return
    if not path.exists():
        yield problem(shown, "missing", "no such file or folder")
        return
    kind = file_format(path.name)
    if kind == "text":
        yield from read_text_file(path, shown, path.name, {}, options)
    elif kind == "html":
        yield from read_html_file(path, shown, path.name, {}, options)
    elif kind == "warc":
        yield from read_warc(path, shown, options)
    elif kind == "jsonl":
        yield from read_jsonl(path, shown, options)
    elif kind == "table":
        yield from read_table(path, shown, options)
    elif kind == "parquet":
        yield from read_parquet(path, shown, options)
    else:
        yield problem(
            shown,
            "unknown format",
            "not a format reprints reads (.txt, .html, .warc[.gz], .jsonl[.gz], .csv, .tsv, .parquet)",
        )
