"""Dispatch each input path to the reader for its format and collect documents and problems.

Inputs are read in the order of their absolute paths, whatever order they were given in, so
ids, document order and which of two duplicates is kept never depend on argument order.
A document whose id was already read is reported ("duplicate id") and skipped: the first
one read is kept.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..model import Document, Problem
from .folder import FileTask, file_format, folder_tasks, read_file
from .options import Ignored, Located, ReadOptions, problem

PARALLEL_KINDS = ("html", "warc")
"""File kinds read in worker processes when ``jobs > 1`` (HTML extraction is the slow part).
JSONL, CSV and Parquet files stream in the main process, so a large one is never held whole."""

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
    jobs: int = 1,
) -> Corpus:
    """Read every document under ``paths``; with ``strict``, raise InputError on the first problem.

    ``columns`` maps source column names onto document fields (``{"publisher": "outlet"}`` or
    ``"publisher=outlet,scrape_time=date"``). ``options`` sets the rest (excludes, size limit).
    ``jobs`` > 1 extracts HTML pages and WARC files in that many worker processes; the result
    is the same.
    """
    documents: list[Document] = []
    problems: list[Problem] = []
    ignored: list[Ignored] = []
    for item in iter_items(paths, columns=columns, options=options, jobs=jobs):
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
    jobs: int = 1,
) -> Iterator[Document | Problem]:
    """Yield documents and problems as they are read, lazily (files left unread are not yielded)."""
    for item in iter_items(paths, columns=columns, options=options, jobs=jobs):
        if not isinstance(item, Ignored):
            yield item


def iter_items(
    paths: Iterable[str | Path],
    *,
    columns: str | Mapping[str, str] | None = None,
    options: ReadOptions | None = None,
    jobs: int = 1,
) -> Iterator[Document | Problem | Ignored]:
    """Yield documents, problems and files left unread on purpose, lazily, in a stable order.

    The order is the same for any ``jobs``: worker results are taken in task order.
    """
    if options is None:
        options = ReadOptions.build(columns)
    elif columns is not None:
        options = ReadOptions.build(
            columns, options.exclude, options.include, options.max_mb, options.paragraph_mark
        )
    inputs = sorted({Path(p).absolute(): str(p) for p in paths}.items())
    # id -> (where it was first read, line, hash of its text); hash() is fine within one run.
    first_seen: dict[str, tuple[str, int | None, int]] = {}
    tasks = (task for absolute, shown in inputs for task in input_tasks(absolute, shown, options))
    mark = options.paragraph_mark
    for item in _run(tasks, options, jobs):
        if isinstance(item, Located):
            duplicate = _check_duplicate(item, first_seen)
            if duplicate is not None:
                yield duplicate
            elif mark:
                yield dataclasses.replace(item.document, paragraph_mark=mark)
            else:
                yield item.document
        else:
            yield item


def _run(
    tasks: Iterator[FileTask | Problem | Ignored], options: ReadOptions, jobs: int
) -> Iterator[Item]:
    if jobs <= 1:
        for task in tasks:
            if isinstance(task, FileTask):
                yield from read_file(task, options)
            else:
                yield task
        return
    # forkserver, not fork: the CLI may run a progress thread, and forking a threaded process
    # can hang. The server imports the readers once; each worker is then a cheap fork of it.
    context: multiprocessing.context.BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        server = multiprocessing.get_context("forkserver")
        server.set_forkserver_preload(["reprints.read.corpus", "trafilatura", "warcio"])
        context = server
    else:
        context = multiprocessing.get_context("spawn")
    with context.Pool(jobs) as pool:
        for result in pool.imap(_read_in_worker, ((t, options) for t in tasks), chunksize=4):
            if isinstance(result, FileTask):  # a streaming format: read here, in order
                yield from read_file(result, options)
            else:
                yield from result


def _read_in_worker(
    job: tuple[FileTask | Problem | Ignored, ReadOptions],
) -> list[Item] | FileTask:
    task, options = job
    if not isinstance(task, FileTask):
        return [task]
    if task.kind not in PARALLEL_KINDS:
        return task
    return list(read_file(task, options))


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


def input_tasks(
    path: Path, shown: str, options: ReadOptions
) -> Iterator[FileTask | Problem | Ignored]:
    """Yield the file tasks of one input (a folder's files, or the file itself)."""
    if path.is_dir():
        yield from folder_tasks(path, shown, options)
        return
    if not path.exists():
        yield problem(shown, "missing", "no such file or folder")
        return
    if not path.is_file():
        yield problem(shown, "unreadable", "not a regular file (a pipe or device)")
        return
    kind = file_format(path.name)
    if kind is None:
        yield problem(
            shown,
            "unknown format",
            "not a format reprints reads (.txt, .html, .warc[.gz], .jsonl[.gz], .csv, .tsv, .parquet)",
        )
        return
    yield FileTask(kind, path, shown, path.name)
