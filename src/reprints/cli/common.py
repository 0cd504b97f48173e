"""Options and output shared by the commands that read a corpus.

Use :func:`corpus_options` on a command taking a ``corpus`` argument: it adds ``--columns``,
``--exclude``, ``--include``, ``--paragraph-mark``, ``--max-mb``, ``--strict`` and ``--quiet`` and hands the command
one ``reading`` argument (a :class:`Reading`). ``reading.read(corpus)`` reads with a progress
line on stderr, prints each problem as one ``path:line: message`` line, a summary of what was
skipped and why, and turns a problem under ``--strict`` into a click error (exit code 1).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import ParameterError
from ..model import Document, Problem
from ..normalize import WORD_RE
from ..read import DEFAULT_MAX_MB, Corpus, Ignored, ReadOptions, iter_items

F = TypeVar("F", bound=Callable[..., Any])

MAX_OUTLETS_SHOWN = 20
"""Outlets listed in the corpus summary; the rest are counted in one line."""


def stderr_console() -> Console:
    """Return the console for progress, problems and summaries (stderr)."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def quiet_option(function: F) -> F:
    """Add ``--quiet``."""
    return click.option(
        "--quiet",
        "-q",
        is_flag=True,
        help="No progress line and no per-problem lines (the summary stays).",
    )(function)


def strict_option(function: F) -> F:
    """Add ``--strict``."""
    return click.option(
        "--strict", is_flag=True, help="Stop with an error at the first problem in the input."
    )(function)


@dataclass(frozen=True)
class Reading:
    """How the user asked for the corpus to be read, and how loudly."""

    options: ReadOptions
    strict: bool = False
    quiet: bool = False

    def read(self, paths: Sequence[str], console: Console | None = None, jobs: int = 1) -> Corpus:
        """Read ``paths`` with progress and problem lines on stderr; raise ClickException under --strict.

        ``jobs`` > 1 extracts HTML pages and WARC files in worker processes (same result).
        """
        return read_with_progress(
            paths, self.options, strict=self.strict, quiet=self.quiet, console=console, jobs=jobs
        )


def corpus_options(function: F) -> F:
    """Add the reading options to a command and pass them on as one ``reading`` argument."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            options = ReadOptions.build(
                kwargs.pop("columns"),
                kwargs.pop("exclude"),
                kwargs.pop("include"),
                kwargs.pop("max_mb"),
                kwargs.pop("paragraph_mark"),
            )
        except ParameterError as err:
            hint = "'--paragraph-mark'" if "paragraph mark" in str(err) else "'--columns'"
            raise click.BadParameter(str(err), param_hint=hint) from err
        reading = Reading(options, strict=kwargs.pop("strict"), quiet=kwargs.pop("quiet"))
        return function(*args, reading=reading, **kwargs)

    decorated: Callable[..., Any] = wrapper
    for option in reversed(
        (
            click.option(
                "--columns",
                metavar="SOURCE=FIELD,...",
                help="Map CSV/JSONL columns onto document fields "
                "(id, text, outlet, date, title, url), e.g. publisher=outlet,scrape_time=date.",
            ),
            click.option(
                "--exclude",
                multiple=True,
                metavar="GLOB",
                help="Skip folder files whose name or relative path matches GLOB (repeatable).",
            ),
            click.option(
                "--include",
                multiple=True,
                metavar="GLOB",
                help="Read folder files matching GLOB even if excluded by default (README*, LICENSE*).",
            ),
            click.option(
                "--paragraph-mark",
                metavar="TEXT",
                help="Characters the source writes between paragraphs (e.g. '###' in pages "
                "flattened to one line): read as paragraph breaks; the text is kept as it is.",
            ),
            click.option(
                "--max-mb",
                type=click.FloatRange(min=0, min_open=True),
                default=DEFAULT_MAX_MB,
                show_default=True,
                help="Skip (and report) documents larger than this many megabytes.",
            ),
            strict_option,
            quiet_option,
        )
    ):
        decorated = option(decorated)
    return decorated  # type: ignore[return-value]


def read_with_progress(
    paths: Sequence[str],
    options: ReadOptions,
    *,
    strict: bool = False,
    quiet: bool = False,
    console: Console | None = None,
    jobs: int = 1,
) -> Corpus:
    """Read a corpus, showing progress and each problem on stderr as it is met."""
    console = console or stderr_console()
    documents: list[Document] = []
    problems: list[Problem] = []
    ignored: list[Ignored] = []
    progress = Progress(
        SpinnerColumn(),
        TextColumn(
            "reading {task.fields[documents]:,} documents, {task.fields[problems]:,} problems"
        ),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=quiet or not console.is_terminal,
    )
    with progress:
        task = progress.add_task("read", documents=0, problems=0, total=None)
        for n, item in enumerate(iter_items(paths, options=options, jobs=jobs), start=1):
            if isinstance(item, Problem):
                if strict:
                    raise click.ClickException(f"{item} (--strict makes any problem fatal)")
                problems.append(item)
                if not quiet:
                    print_problem(item, progress.console)
            elif isinstance(item, Ignored):
                ignored.append(item)
            else:
                documents.append(item)
            if n % 64 == 0:
                progress.update(task, documents=len(documents), problems=len(problems))
    documents.sort(key=lambda d: d.id)
    corpus = Corpus(documents, problems, ignored)
    print_skip_summary(corpus, console)
    return corpus


def print_problem(problem: Problem, console: Console) -> None:
    """Print one problem as one ``path:line: message`` line (warnings in yellow, skips in red)."""
    console.print(
        str(problem), style="red" if problem.skipped else "yellow", markup=False, highlight=False
    )


def _counted(counts: Counter[str]) -> str:
    return ", ".join(
        f"{n:,} {reason}" for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def skip_summary(corpus: Corpus) -> list[str]:
    """Lines saying what was skipped, warned about and left unread, and why (empty when nothing)."""
    lines = []
    skipped = Counter(p.reason or p.message for p in corpus.problems if p.skipped)
    warned = Counter(p.reason or p.message for p in corpus.problems if not p.skipped)
    unread = Counter(i.reason for i in corpus.ignored)
    if skipped:
        lines.append(f"skipped {sum(skipped.values()):,}: {_counted(skipped)}")
    if warned:
        lines.append(f"warnings {sum(warned.values()):,} (documents kept): {_counted(warned)}")
    if unread:
        lines.append(f"not read {sum(unread.values()):,}: {_counted(unread)}")
    return lines


def print_skip_summary(corpus: Corpus, console: Console) -> None:
    """Print :func:`skip_summary` on ``console``."""
    for line in skip_summary(corpus):
        console.print(line, markup=False, highlight=False)


def count_words(text: str) -> int:
    """Count words as the tokenizer sees them."""
    return len(WORD_RE.findall(text))


def _day_range(dates: Iterable[str]) -> str:
    days = sorted(d[:10] for d in dates)
    if not days:
        return "none"
    return days[0] if days[0] == days[-1] else f"{days[0]} … {days[-1]}"


def print_corpus_summary(corpus: Corpus, console: Console | None = None) -> None:
    """Print documents, outlets (with counts), date range, words and problems as rich tables."""
    console = console or Console(highlight=False)
    documents = corpus.documents
    words = [count_words(d.text) for d in documents]
    by_outlet: dict[str | None, list[int]] = {}
    for index, document in enumerate(documents):
        by_outlet.setdefault(document.outlet, []).append(index)
    dated = [d.date for d in documents if d.date]
    named = [o for o in by_outlet if o is not None]

    overview = Table(show_header=False, box=None, pad_edge=False)
    overview.add_column(style="bold")
    overview.add_column()
    overview.add_row("documents", f"{len(documents):,}")
    outlets = f"{len(named):,}"
    if None in by_outlet:
        outlets += f" ({len(by_outlet[None]):,} documents without an outlet)"
    overview.add_row("outlets", outlets)
    dates = _day_range(dated)
    if dated and len(dated) < len(documents):
        dates += f" ({len(documents) - len(dated):,} undated)"
    overview.add_row("dates", dates)
    overview.add_row("words", f"{sum(words):,}")
    skipped = sum(p.skipped for p in corpus.problems)
    warned = len(corpus.problems) - skipped
    problems = "none" if not corpus.problems else f"{skipped:,} skipped, {warned:,} warnings"
    overview.add_row("problems", problems)
    if corpus.ignored:
        overview.add_row("not read", f"{len(corpus.ignored):,} files (see above)")
    console.print(overview)

    if not named:
        return
    table = Table(title=None, show_lines=False)
    table.add_column("outlet")
    table.add_column("documents", justify="right")
    table.add_column("first date")
    table.add_column("last date")
    table.add_column("words", justify="right")
    ranked = sorted(named, key=lambda o: (-len(by_outlet[o]), o))
    for outlet in ranked[:MAX_OUTLETS_SHOWN]:
        indexes = by_outlet[outlet]
        days = sorted(documents[i].date[:10] for i in indexes if documents[i].date)  # type: ignore[index]
        table.add_row(
            outlet,
            f"{len(indexes):,}",
            days[0] if days else "",
            days[-1] if days else "",
            f"{sum(words[i] for i in indexes):,}",
        )
    if len(ranked) > MAX_OUTLETS_SHOWN:
        rest = ranked[MAX_OUTLETS_SHOWN:]
        table.add_row(
            f"… {len(rest):,} more outlets", f"{sum(len(by_outlet[o]) for o in rest):,}", "", "", ""
        )
    console.print(table)
