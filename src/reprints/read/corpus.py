"""Dispatch each input path to the reader for its format and collect documents and problems."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..model import Document, Problem

TEXT_SUFFIXES = (".txt",)


@dataclass
class Corpus:
    """Documents sorted by id, and the problems met while reading them."""

    documents: list[Document]
    problems: list[Problem] = field(default_factory=list)


def read_corpus(paths: Iterable[str | Path], *, strict: bool = False) -> Corpus:
    """Read every document under ``paths``; with ``strict``, raise on the first problem."""
    documents: list[Document] = []
    problems: list[Problem] = []
    for item in iter_documents(paths):
        if isinstance(item, Problem):
            if strict:
                raise InputError(str(item))
            problems.append(item)
        else:
            documents.append(item)
    documents.sort(key=lambda d: d.id)
    return Corpus(documents, problems)


def iter_documents(paths: Iterable[str | Path]) -> Iterator[Document | Problem]:
    """Yield documents and problems as they are read (folders: .txt files and manifest.csv)."""
    for path in paths:
        root = Path(path)
        if root.is_dir():
            yield from _read_folder(root)
        elif root.is_file():
            yield from _read_text_file(root, root.name, {})
        else:
            yield Problem(str(root), "no such file or folder")


def _read_folder(root: Path) -> Iterator[Document | Problem]:
    manifest = _read_manifest(root / "manifest.csv")
    for file in sorted(root.rglob("*")):
        if file.is_file() and file.suffix.lower() in TEXT_SUFFIXES:
            rel = file.relative_to(root).as_posix()
            yield from _read_text_file(file, rel, manifest.get(rel, {}))


def _read_manifest(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle) if row.get("file")}


def _read_text_file(file: Path, doc_id: str, row: dict[str, str]) -> Iterator[Document | Problem]:
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        yield Problem(str(file), f"not UTF-8 ({err.reason} at byte {err.start})")
        return
    known = {"file", "outlet", "date", "title", "url"}
    yield Document(
        id=doc_id,
        text=text,
        outlet=row.get("outlet") or None,
        date=row.get("date") or None,
        title=row.get("title") or None,
        url=row.get("url") or None,
        meta={k: v for k, v in row.items() if k not in known and v},
    )
