"""What to read and how (:class:`ReadOptions`), and what was deliberately left unread."""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..errors import ParameterError
from ..model import Document, Problem
from .record import parse_columns

DEFAULT_EXCLUDE = ("readme*", "license*", "licence*", "copying*", "changelog*")
"""File names (case-insensitive globs) in a folder that document the corpus, not articles."""
DEFAULT_MAX_MB = 100.0
"""Documents (files, records, WARC payloads) larger than this many MB are skipped and reported."""


@dataclass(frozen=True)
class ReadOptions:
    """Column mapping, which folder files to read, and the size limit per document."""

    columns: Mapping[str, str] = field(default_factory=dict)
    """Source column or field name → document field (``publisher`` → ``outlet``)."""
    exclude: tuple[str, ...] = ()
    """Extra globs of folder files to skip, matched against the name and the relative path."""
    include: tuple[str, ...] = ()
    """Globs of folder files to read even when a default exclude (README*, ...) matches."""
    max_mb: float = DEFAULT_MAX_MB
    paragraph_mark: str | None = None
    """A separator the source writes between paragraphs (``"###"``): set on every document as
    ``Document.paragraph_mark``; the text is left as it is."""

    @classmethod
    def build(
        cls,
        columns: str | Mapping[str, str] | None = None,
        exclude: Iterable[str] = (),
        include: Iterable[str] = (),
        max_mb: float | None = None,
        paragraph_mark: str | None = None,
    ) -> ReadOptions:
        """Build options from user input, checking the column mapping and paragraph mark."""
        if paragraph_mark is not None and not paragraph_mark.strip():
            raise ParameterError(
                f"paragraph mark {paragraph_mark!r} is only white space; give the characters "
                "written between paragraphs, e.g. '###'"
            )
        return cls(
            columns=parse_columns(columns),
            exclude=tuple(exclude),
            include=tuple(include),
            max_mb=DEFAULT_MAX_MB if max_mb is None else float(max_mb),
            paragraph_mark=paragraph_mark or None,
        )

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1_000_000)

    @functools.cached_property
    def _patterns(self) -> tuple[re.Pattern[str] | None, ...]:
        """include, exclude and default-exclude globs, each set compiled into one regex."""
        return tuple(
            re.compile("|".join(fnmatch.translate(p) for p in globs), re.IGNORECASE)
            if globs
            else None
            for globs in (self.include, self.exclude, DEFAULT_EXCLUDE)
        )

    def skip_reason(self, rel_path: str) -> str | None:
        """Say why a folder file is left unread by name (None: read it).

        Globs match the file name or the relative path, case-insensitively.
        """
        name = rel_path.rsplit("/", 1)[-1]
        include, exclude, default = self._patterns

        def hits(pattern: re.Pattern[str] | None) -> bool:
            return pattern is not None and bool(pattern.match(name) or pattern.match(rel_path))

        if hits(include):
            return None
        if hits(exclude):
            return "excluded by --exclude"
        if hits(default):
            return "documentation (README*, LICENSE*, ...)"
        return None

    def too_large(self, size: int) -> str | None:
        """Say why a document of ``size`` bytes is skipped, or None when it is within the limit."""
        if size <= self.max_bytes:
            return None
        return (
            f"{size / 1_000_000:.1f} MB is over the {self.max_mb:g} MB limit per document; "
            f"skipped (raise it with --max-mb)"
        )


@dataclass(frozen=True)
class Ignored:
    """A file or record left unread on purpose (not a problem): where, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Located:
    """A document with where it was read from (file, line), for messages about duplicates."""

    document: Document
    where: str
    line: int | None = None


def problem(
    path: str, reason: str, message: str, line: int | None = None, *, skipped: bool = True
) -> Problem:
    """Make a Problem carrying ``reason``, the short key problems are counted by."""
    return Problem(path=path, message=message, line=line, skipped=skipped, reason=reason)
