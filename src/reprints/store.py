"""Write a run's results folder (``results.db`` and JSONL exports) and read it back.

A results folder holds:

- ``results.db``: SQLite, schema version :data:`SCHEMA_VERSION` (``PRAGMA user_version`` and
  the ``meta`` table), plain tables that open in Datasette;
- ``matches.jsonl``, ``quotes.jsonl``, ``quote_families.jsonl``: one JSON object per line;
- ``articles.jsonl`` when the run measured wire share;
- ``derived.jsonl`` when the run labelled derived words (:mod:`reprints.derive`).

The formats are public and documented in ``docs/formats.md``. Writing is deterministic (equal
results give byte-identical files), streams rows instead of building big strings, and is
atomic per file: everything is written to temporary files first, and ``results.db`` is renamed
into place last, so a crash never leaves a half-written database that looks complete.
:func:`load_results` reads ``results.db`` back into the same :class:`ScanResult`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

from .errors import ResultsError
from .model import (
    ArticleWireShare,
    Boilerplate,
    DerivedWords,
    Document,
    Edit,
    Match,
    Problem,
    Quote,
    QuoteFamily,
    ScanResult,
    Span,
    Story,
)
from .normalize import WORD_RE

SCHEMA_VERSION = 1
"""Version of the ``results.db`` schema this module writes and reads."""

DB_NAME = "results.db"
MATCHES_NAME = "matches.jsonl"
QUOTES_NAME = "quotes.jsonl"
FAMILIES_NAME = "quote_families.jsonl"
ARTICLES_NAME = "articles.jsonl"
DERIVED_NAME = "derived.jsonl"
DATASETTE_NAME = "datasette.json"

SCORE_DIGITS = 4
"""Scores and shares are rounded to this many decimals when written, so files are stable."""

_SCHEMA = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    outlet TEXT,
    date TEXT,
    title TEXT,
    url TEXT,
    words INTEGER NOT NULL,
    text TEXT NOT NULL,
    meta TEXT NOT NULL,
    paragraph_mark TEXT
);
CREATE TABLE matches (
    id INTEGER PRIMARY KEY,
    a_doc TEXT NOT NULL REFERENCES documents(id),
    a_start INTEGER NOT NULL,
    a_end INTEGER NOT NULL,
    a_outlet TEXT,
    a_date TEXT,
    a_text TEXT,
    b_doc TEXT NOT NULL REFERENCES documents(id),
    b_start INTEGER NOT NULL,
    b_end INTEGER NOT NULL,
    b_outlet TEXT,
    b_date TEXT,
    b_text TEXT,
    kind TEXT NOT NULL,
    score REAL NOT NULL,
    direction TEXT NOT NULL,
    credited INTEGER,
    verbatim_words INTEGER NOT NULL,
    reworded_words INTEGER NOT NULL,
    edits TEXT NOT NULL
);
CREATE TABLE quotes (
    id INTEGER PRIMARY KEY,
    doc TEXT NOT NULL REFERENCES documents(id),
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL,
    speaker TEXT,
    speaker_start INTEGER,
    speaker_end INTEGER,
    cue TEXT,
    medium TEXT,
    family TEXT REFERENCES quote_families(id),
    change TEXT,
    outlet TEXT,
    date TEXT,
    edits TEXT NOT NULL,
    listed INTEGER NOT NULL,
    changes TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE quote_families (
    id TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    origin INTEGER NOT NULL,
    origin_quote INTEGER REFERENCES quotes(id),
    text TEXT,
    outlets TEXT NOT NULL
);
CREATE TABLE quote_family_members (
    family TEXT NOT NULL REFERENCES quote_families(id),
    position INTEGER NOT NULL,
    quote INTEGER NOT NULL REFERENCES quotes(id),
    PRIMARY KEY (family, position)
);
CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    origin TEXT REFERENCES documents(id),
    first_date TEXT,
    last_date TEXT,
    outlets TEXT NOT NULL
);
CREATE TABLE story_documents (
    story TEXT NOT NULL REFERENCES stories(id),
    position INTEGER NOT NULL,
    doc TEXT NOT NULL REFERENCES documents(id),
    PRIMARY KEY (story, position)
);
CREATE TABLE boilerplate (
    id INTEGER PRIMARY KEY,
    doc TEXT NOT NULL REFERENCES documents(id),
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    reason TEXT NOT NULL,
    count INTEGER NOT NULL,
    outlet TEXT,
    text TEXT
);
CREATE TABLE wire (
    doc TEXT PRIMARY KEY REFERENCES documents(id),
    outlet TEXT,
    date TEXT,
    class TEXT NOT NULL,
    words INTEGER NOT NULL,
    verbatim_words INTEGER NOT NULL,
    reworded_words INTEGER NOT NULL,
    wire_share REAL NOT NULL,
    verbatim_share REAL NOT NULL,
    reworded_share REAL NOT NULL,
    sources TEXT NOT NULL,
    credited INTEGER NOT NULL
);
CREATE TABLE derived (
    id INTEGER PRIMARY KEY,
    doc TEXT NOT NULL REFERENCES documents(id),
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    kind TEXT NOT NULL,
    outlet TEXT,
    sources TEXT NOT NULL,
    text TEXT
);
CREATE TABLE params (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE problems (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    line INTEGER,
    message TEXT NOT NULL,
    skipped INTEGER NOT NULL,
    reason TEXT NOT NULL
);
"""

_INDEXES = """
CREATE INDEX documents_outlet ON documents(outlet);
CREATE INDEX matches_a_doc ON matches(a_doc);
CREATE INDEX matches_b_doc ON matches(b_doc);
CREATE INDEX quotes_doc ON quotes(doc);
CREATE INDEX quotes_family ON quotes(family);
CREATE INDEX quote_family_members_quote ON quote_family_members(quote);
CREATE INDEX story_documents_doc ON story_documents(doc);
CREATE INDEX boilerplate_doc ON boilerplate(doc);
CREATE INDEX derived_doc ON derived(doc);
"""

_VIEWS = """
CREATE VIEW reuse AS
SELECT id AS match,
       CASE WHEN direction = 'b->a' THEN b_doc ELSE a_doc END AS source_doc,
       CASE WHEN direction = 'b->a' THEN b_outlet ELSE a_outlet END AS source_outlet,
       CASE WHEN direction = 'b->a' THEN b_date ELSE a_date END AS source_date,
       CASE WHEN direction = 'b->a' THEN b_start ELSE a_start END AS source_start,
       CASE WHEN direction = 'b->a' THEN b_end ELSE a_end END AS source_end,
       CASE WHEN direction = 'b->a' THEN b_text ELSE a_text END AS source_text,
       CASE WHEN direction = 'b->a' THEN a_doc ELSE b_doc END AS reuser_doc,
       CASE WHEN direction = 'b->a' THEN a_outlet ELSE b_outlet END AS reuser_outlet,
       CASE WHEN direction = 'b->a' THEN a_date ELSE b_date END AS reuser_date,
       CASE WHEN direction = 'b->a' THEN a_text ELSE b_text END AS reuser_text,
       direction != 'undirected' AS directed,
       kind, score, credited, verbatim_words + reworded_words AS words,
       verbatim_words, reworded_words
FROM matches;

CREATE VIEW outlet_pairs AS
SELECT source_outlet, reuser_outlet, directed,
       COUNT(*) AS passages,
       COUNT(DISTINCT source_doc || char(31) || reuser_doc) AS article_pairs,
       SUM(words) AS words,
       SUM(verbatim_words) AS verbatim_words,
       SUM(reworded_words) AS reworded_words,
       COALESCE(SUM(credited = 1), 0) AS credited_passages,
       COALESCE(SUM(credited = 0), 0) AS uncredited_passages
FROM reuse
GROUP BY source_outlet, reuser_outlet, directed
ORDER BY words DESC, passages DESC;

CREATE VIEW reused_passages AS
SELECT source_doc, source_start, source_end, source_outlet, source_date, source_text,
       COUNT(DISTINCT reuser_doc) AS reusing_articles,
       COUNT(DISTINCT reuser_outlet) AS reusing_outlets,
       group_concat(DISTINCT reuser_outlet) AS reuser_outlets,
       MAX(score) AS best_score
FROM reuse
GROUP BY source_doc, source_start, source_end
ORDER BY reusing_articles DESC, source_end - source_start DESC;

CREATE VIEW document_reuse AS
SELECT d.id AS doc, d.outlet, d.date, d.title, d.words,
       (SELECT COUNT(*) FROM reuse r WHERE r.source_doc = d.id) AS passages_taken_from_it,
       (SELECT COUNT(*) FROM reuse r WHERE r.reuser_doc = d.id) AS passages_it_took,
       (SELECT COUNT(*) FROM quotes q WHERE q.doc = d.id AND q.listed) AS quotes
FROM documents d
ORDER BY passages_taken_from_it + passages_it_took DESC, d.id;

CREATE VIEW quote_family_variants AS
SELECT f.id AS family, m.position, q.doc, q.outlet, q.date, q.speaker, q.medium, q.change,
       q.changes, q.text, q.start, q."end"
FROM quote_families f
JOIN quote_family_members m ON m.family = f.id
JOIN quotes q ON q.id = m.quote
ORDER BY f.size DESC, f.id, m.position;

CREATE VIEW wire_outlets AS
SELECT outlet, COUNT(*) AS articles,
       SUM(class = 'wholly-derived') AS wholly_derived,
       SUM(class = 'partially-derived') AS partially_derived,
       SUM(class = 'non-derived') AS non_derived,
       ROUND(AVG(wire_share), 4) AS mean_wire_share,
       SUM(class != 'non-derived' AND NOT credited) AS uncredited_derived
FROM wire
GROUP BY outlet
ORDER BY mean_wire_share DESC;
"""


# --- public API ---------------------------------------------------------------------------


def write_results(out_dir: str | Path, result: ScanResult) -> None:
    """Write ``results.db`` and the JSONL exports of ``result`` into ``out_dir``.

    The folder is created if needed. ``articles.jsonl`` is written only when ``result.wire``
    is non-empty (a stale one from an earlier run is removed). Raises ``ResultsError`` when
    the folder cannot be written.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ResultsError(f"cannot create results folder {out}: {err.strerror}") from err
    documents = {d.id: d for d in result.documents}
    ordered = _ordered(result)
    writers: list[tuple[str, Callable[[Path], None]]] = [
        (QUOTES_NAME, lambda p: _write_lines(p, _quote_lines(ordered.quotes, documents))),
        (FAMILIES_NAME, lambda p: _write_lines(p, _family_lines(ordered.quote_families, documents))),
        (DATASETTE_NAME, _write_datasette_metadata),
    ]
    if ordered.wire:
        writers.append((ARTICLES_NAME, lambda p: _write_lines(p, _article_lines(ordered.wire))))
    if ordered.derived:
        writers.append((DERIVED_NAME, lambda p: _write_lines(p, (derived_json(d, documents) for d in ordered.derived))))

    written: list[tuple[Path, Path]] = []
    try:
        for name, write in writers:
            temp = _temp_path(out, name)
            written.append((temp, out / name))
            write(temp)
        # matches.jsonl is written in the same pass as the matches table (one pass, not two).
        matches_temp = _temp_path(out, MATCHES_NAME)
        written.insert(0, (matches_temp, out / MATCHES_NAME))
        db_temp = _temp_path(out, DB_NAME)
        written.append((db_temp, out / DB_NAME))
        _write_db(db_temp, ordered, matches_temp)
        # results.db goes last, and the old one goes first: its presence always means the
        # folder is complete and of one run (a crash between renames leaves no results.db).
        with contextlib.suppress(FileNotFoundError):
            (out / DB_NAME).unlink()
        for temp, final in written:
            temp.replace(final)
    except OSError as err:
        raise ResultsError(f"cannot write results to {out}: {err}") from err
    except sqlite3.IntegrityError as err:
        raise ResultsError(
            f"cannot store these results in {out}: {err} (two records share an id?)"
        ) from err
    finally:
        for temp, _ in written:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
    if not ordered.wire:
        with contextlib.suppress(FileNotFoundError):
            (out / ARTICLES_NAME).unlink()
    if not ordered.derived:
        with contextlib.suppress(FileNotFoundError):
            (out / DERIVED_NAME).unlink()


def load_results(out_dir: str | Path) -> ScanResult:
    """Read the :class:`ScanResult` stored in ``out_dir/results.db``.

    Scores and shares come back rounded to :data:`SCORE_DIGITS` decimals, as written.
    Raises ``ResultsError`` when the folder has no results database, the file is not one,
    or its schema version is not one this version of reprints reads.
    """
    with open_results(out_dir) as conn:
        return _guarded(conn, lambda: _read_db(conn))


@contextlib.contextmanager
def open_results(out_dir: str | Path) -> Iterator[sqlite3.Connection]:
    """Open ``out_dir/results.db`` read-only, after checking its schema version.

    For reading big results piece by piece (:func:`iter_matches`, :func:`load_pair`) or
    with your own SQL. Raises ``ResultsError`` like :func:`load_results`.
    """
    path = Path(out_dir)
    if path.is_dir():
        path = path / DB_NAME
    if not path.is_file():
        raise ResultsError(
            f"no {DB_NAME} in {Path(out_dir)}; run `reprints scan CORPUS --out {Path(out_dir)}` first"
        )
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as err:
        raise ResultsError(f"cannot open {path}: {err}") from err
    try:
        _guarded(conn, lambda: _check_version(conn, path), str(path))
        yield conn
    finally:
        conn.close()


def iter_matches(conn: sqlite3.Connection, *, edits: bool = True) -> Iterator[Match]:
    """Yield the stored matches in their order, one at a time (``edits=False``: without edits)."""
    column = "edits" if edits else "'[]'"
    rows = _guarded(
        conn,
        lambda: conn.execute(
            "SELECT a_doc, a_start, a_end, b_doc, b_start, b_end, kind, score, direction, "
            f"credited, verbatim_words, reworded_words, {column} FROM matches ORDER BY id"
        ),
    )
    for row in rows:
        yield _match_from_row(row)


def document_outlets(conn: sqlite3.Connection) -> Iterator[tuple[str, str | None, int]]:
    """Yield ``(id, outlet, words)`` of every stored document, without reading the texts."""
    yield from _guarded(conn, lambda: conn.execute("SELECT id, outlet, words FROM documents ORDER BY id"))


def load_pair(out_dir: str | Path, doc_a: str, doc_b: str) -> ScanResult:
    """Read only two documents, the matches between them and their quotes.

    Uses the indexes, so it stays quick on a results database of millions of matches.
    Documents that are not stored are left out of ``documents``.
    """
    with open_results(out_dir) as conn:
        return _guarded(conn, lambda: _read_pair(conn, doc_a, doc_b))


def read_results(conn: sqlite3.Connection, *, matches: bool = True, texts: bool = True) -> ScanResult:
    """Read the :class:`ScanResult` on an open connection (see :func:`open_results`).

    ``matches=False`` leaves the matches out (stream them with :func:`iter_matches`);
    ``texts=False`` gives documents with an empty ``text`` (stream the texts with
    :func:`document_texts`). For big results, where the matches and texts are most of it.
    """
    return _guarded(conn, lambda: _read_db(conn, matches=matches, texts=texts))


def document_texts(conn: sqlite3.Connection) -> Iterator[tuple[str, str]]:
    """Yield ``(id, text)`` of every stored document, sorted by id, one at a time."""
    yield from _guarded(conn, lambda: conn.execute("SELECT id, text FROM documents ORDER BY id"))


def document_ids(out_dir: str | Path) -> list[str]:
    """Return the ids of the stored documents, sorted."""
    with open_results(out_dir) as conn:
        return [row[0] for row in document_outlets(conn)]


_T = TypeVar("_T")


def _guarded(conn: sqlite3.Connection, read: Callable[[], _T], where: str = DB_NAME) -> _T:
    try:
        return read()
    except sqlite3.DatabaseError as err:
        raise ResultsError(f"{where} is not a readable reprints results database: {err}") from err


def schema_version(out_dir: str | Path) -> int:
    """Return the schema version of ``out_dir/results.db`` (0 when it is not a reprints one)."""
    path = Path(out_dir)
    path = path / DB_NAME if path.is_dir() else path
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as err:
        raise ResultsError(f"{path} is not an SQLite database: {err}") from err
    finally:
        conn.close()


# --- JSON forms (shared with export and the report) ---------------------------------------


def edits_json(edits: Iterable[Edit]) -> list[dict[str, Any]]:
    """Return the public JSON form of an edit script: ``{"op", "a": [s, e], "b": [s, e]}``."""
    return [{"op": e.op, "a": [e.a_start, e.a_end], "b": [e.b_start, e.b_end]} for e in edits]


def edits_from_json(items: Iterable[Mapping[str, Any]]) -> tuple[Edit, ...]:
    """Parse the JSON form written by :func:`edits_json`."""
    return tuple(Edit(e["op"], e["a"][0], e["a"][1], e["b"][0], e["b"][1]) for e in items)


def match_json(match: Match, documents: Mapping[str, Document]) -> dict[str, Any]:
    """Return one ``matches.jsonl`` object: both passages with outlet, date and text."""
    return {
        "a": _span_json(match.a, documents),
        "b": _span_json(match.b, documents),
        "kind": match.kind,
        "score": _round(match.score),
        "direction": match.direction,
        "credited": match.credited,
        "verbatim_words": match.verbatim_words,
        "reworded_words": match.reworded_words,
        "edits": edits_json(match.edits),
    }


def quote_json(quote: Quote, documents: Mapping[str, Document]) -> dict[str, Any]:
    """Return one ``quotes.jsonl`` object."""
    doc = documents.get(quote.doc)
    return {
        "doc": quote.doc,
        "start": quote.start,
        "end": quote.end,
        "text": quote.text,
        "speaker": quote.speaker,
        "speaker_start": quote.speaker_start,
        "speaker_end": quote.speaker_end,
        "cue": quote.cue,
        "medium": quote.medium,
        "kind": quote.kind,
        "family": quote.family,
        "change": quote.change,
        "changes": list(quote.changes),
        "outlet": doc.outlet if doc else None,
        "date": doc.date if doc else None,
        "edits": edits_json(quote.edits),
    }


def article_json(article: ArticleWireShare) -> dict[str, Any]:
    """Return one ``articles.jsonl`` object (shares rounded to :data:`SCORE_DIGITS`)."""
    return {
        "doc": article.doc,
        "outlet": article.outlet,
        "date": article.date,
        "class": article.wire_class,
        "wire_share": _round(article.wire_share),
        "verbatim_share": _round(_share(article.verbatim_words, article.words)),
        "reworded_share": _round(_share(article.reworded_words, article.words)),
        "words": article.words,
        "verbatim_words": article.verbatim_words,
        "reworded_words": article.reworded_words,
        "sources": list(article.sources),
        "credited": article.credited,
    }


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
# JSON allows these raw, but str.splitlines() and some JSONL readers break lines at them.
_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")


def dumps(value: Any) -> str:
    """Serialise one JSONL line: compact, UTF-8 kept as is, keys in a fixed order.

    NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR are written as ``\\u`` escapes, so a line of
    JSONL is a line for every reader.
    """
    line = _ENCODER.encode(value)
    if _LINE_BREAKS.search(line):
        line = _LINE_BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", line)
    return line


def match_order(match: Match) -> tuple[Any, ...]:
    """Sort key giving matches their stored order: (a.doc, a.start, b.doc, b.start, ...)."""
    return (
        match.a.doc, match.a.start, match.b.doc, match.b.start,
        match.a.end, match.b.end, match.kind, match.score, match.direction,
        -1 if match.credited is None else int(match.credited),
        match.verbatim_words, match.reworded_words, _edits_order(match.edits),
    )


def _edits_order(edits: Iterable[Edit]) -> tuple[tuple[str, int, int, int, int], ...]:
    return tuple((e.op, e.a_start, e.a_end, e.b_start, e.b_end) for e in edits)


# --- writing ------------------------------------------------------------------------------


def _ordered(result: ScanResult) -> ScanResult:
    """Return ``result`` with every collection in its canonical order."""
    order = sorted(range(len(result.documents)), key=lambda k: result.documents[k].id)
    counted = len(result.words) == len(result.documents)
    return ScanResult(
        documents=tuple(result.documents[k] for k in order),
        words=tuple(result.words[k] for k in order) if counted else (),
        matches=tuple(sorted(result.matches, key=match_order)),
        quotes=tuple(sorted(result.quotes, key=_quote_order)),
        quote_families=tuple(sorted(result.quote_families, key=lambda f: f.id)),
        stories=tuple(sorted(result.stories, key=lambda s: s.id)),
        boilerplate=tuple(
            sorted(result.boilerplate, key=lambda b: (b.span.doc, b.span.start, b.span.end, b.reason, b.count))
        ),
        wire=tuple(sorted(result.wire, key=lambda w: w.doc)),
        derived=tuple(sorted(result.derived, key=_derived_order)),
        params=result.params,
        problems=tuple(
            sorted(
                result.problems,
                key=lambda p: (p.path, p.line or 0, p.message, p.skipped, getattr(p, "reason", "")),
            )
        ),
    )


def _derived_order(span: DerivedWords) -> tuple[Any, ...]:
    return (span.doc, span.start, span.outlet is not None, span.outlet or "", span.end, span.kind, span.sources)


def _quote_order(quote: Quote) -> tuple[Any, ...]:
    # Every field takes part, so quotes that differ in anything never tie on the key.
    return (
        quote.doc, quote.start, quote.end, quote.text, quote.kind, quote.speaker or "",
        -1 if quote.speaker_start is None else quote.speaker_start,
        -1 if quote.speaker_end is None else quote.speaker_end,
        quote.cue or "", quote.medium or "", quote.family or "", quote.change or "",
        _edits_order(quote.edits), quote.changes,
    )


def _temp_path(out: Path, name: str) -> Path:
    # Not tempfile.mkstemp: its files are private (0600); results should get the umask's mode.
    while True:
        temp = out / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            temp.open("x").close()
        except FileExistsError:
            continue
        return temp


DATASETTE_QUERIES = {
    "top_outlet_pairs": (
        "Top outlet pairs: who takes from whom",
        "SELECT source_outlet, reuser_outlet, directed, passages, article_pairs, words, "
        "credited_passages, uncredited_passages FROM outlet_pairs ORDER BY words DESC LIMIT 100",
    ),
    "most_reused_passages": (
        "Most reused passages",
        "SELECT source_doc, source_outlet, source_date, reusing_articles, reusing_outlets, "
        "reuser_outlets, source_text FROM reused_passages LIMIT 100",
    ),
    "uncredited_reuse_by_outlet": (
        "Outlets that reuse without credit",
        "SELECT reuser_outlet, COUNT(*) AS passages, SUM(words) AS words, "
        "SUM(credited = 0) AS uncredited FROM reuse WHERE directed "
        "GROUP BY reuser_outlet ORDER BY uncredited DESC, words DESC",
    ),
    "quotes_across_outlets": (
        "Quotes carried by several outlets, with their changes",
        "SELECT family, position, outlet, date, speaker, medium, change, changes, text "
        "FROM quote_family_variants WHERE family IN "
        "(SELECT id FROM quote_families WHERE json_array_length(outlets) >= 2)",
    ),
    "matches_of_document": (
        "Everything matched in one article",
        "SELECT id, a_doc, a_outlet, b_doc, b_outlet, kind, score, direction, credited, a_text, "
        "b_text FROM matches WHERE :doc IN (a_doc, b_doc) ORDER BY score DESC",
    ),
}
"""Canned queries written to ``datasette.json`` (name: (title, SQL))."""


def _write_datasette_metadata(path: Path) -> None:
    """Write Datasette metadata: table descriptions, facets and the canned queries.

    Use it with ``datasette results.db -m datasette.json``.
    """
    metadata = {
        "title": "reprints results",
        "description": "Text reuse found by reprints: passages, quotes, stories, wire share.",
        "databases": {
            Path(DB_NAME).stem: {
                "tables": {
                    "documents": {
                        "description": "Articles as read; text is exact, offsets index into it.",
                        "label_column": "title",
                        "facets": ["outlet"],
                    },
                    "matches": {
                        "description": "Aligned passage pairs: a passage of a_doc and the passage of b_doc it matches.",
                        "facets": ["kind", "direction", "a_outlet", "b_outlet", "credited"],
                        "sort_desc": "score",
                    },
                    "quotes": {
                        "description": "Quote occurrences with speaker, cue, medium, change (the one that wins) and changes (all of them).",
                        "facets": ["kind", "change", "outlet"],
                    },
                    "quote_families": {"description": "Occurrences of one quotation across outlets.", "sort_desc": "size"},
                    "stories": {"description": "Articles connected by reuse.", "sort_desc": "size"},
                    "boilerplate": {"description": "Repeated text kept out of the matches.", "facets": ["reason", "outlet"]},
                    "wire": {"description": "Wire share per non-wire article.", "facets": ["outlet", "class"]},
                },
                "queries": {
                    name: {"title": title, "sql": sql} for name, (title, sql) in DATASETTE_QUERIES.items()
                },
            }
        },
    }
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        json.dump(metadata, handle, ensure_ascii=False, indent=2)
        handle.write("\n")


def _write_lines(path: Path, objects: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        _stream_lines(handle, objects)
        handle.flush()
        os.fsync(handle.fileno())


def _stream_lines(handle: IO[str], objects: Iterable[dict[str, Any]]) -> None:
    for value in objects:
        handle.write(dumps(value))
        handle.write("\n")


def _quote_lines(quotes: Iterable[Quote], documents: Mapping[str, Document]) -> Iterator[dict[str, Any]]:
    for quote in quotes:
        yield quote_json(quote, documents)


def _family_lines(
    families: Iterable[QuoteFamily], documents: Mapping[str, Document]
) -> Iterator[dict[str, Any]]:
    for family in families:
        yield {
            "family": family.id,
            "size": len(family.quotes),
            "outlets": list(family.outlets),
            "origin": family.origin,
            "text": family.quotes[family.origin].text if family.quotes else None,
            "quotes": [quote_json(q, documents) for q in family.quotes],
        }


def derived_json(span: DerivedWords, documents: Mapping[str, Document]) -> dict[str, Any]:
    """Return one ``derived.jsonl`` object: a run of derived words of ``doc`` and its sources."""
    doc = documents.get(span.doc)
    return {
        "doc": span.doc, "start": span.start, "end": span.end, "kind": span.kind,
        "outlet": span.outlet, "sources": list(span.sources),
        "text": doc.text[span.start : span.end] if doc is not None else None,
    }


def _article_lines(wire: Iterable[ArticleWireShare]) -> Iterator[dict[str, Any]]:
    for article in wire:
        yield article_json(article)


def _write_db(path: Path, result: ScanResult, matches_path: Path) -> None:
    """Write the database, and ``matches.jsonl`` to ``matches_path`` in the same pass."""
    documents = {d.id: d for d in result.documents}
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # A temporary file needs no journal: a crash leaves a temp file that is never renamed.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        _run_script(conn, _SCHEMA)
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("schema_version", str(SCHEMA_VERSION)), ("generator", "reprints")],
        )
        counted = word_counts(result)
        conn.executemany(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (d.id, d.outlet, d.date, d.title, d.url, counted[k], d.text,
                 json.dumps(dict(d.meta), ensure_ascii=False, sort_keys=True, default=str),
                 d.paragraph_mark)
                for k, d in enumerate(result.documents)
            ),
        )
        with matches_path.open("w", encoding="utf-8", newline="\n") as lines:
            conn.executemany(
                "INSERT INTO matches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _match_rows(result.matches, documents, lines),
            )
            lines.flush()
            os.fsync(lines.fileno())
        quote_ids = _write_quotes(conn, result, documents)
        _write_families(conn, result.quote_families, quote_ids)
        conn.executemany(
            "INSERT INTO stories VALUES (?, ?, ?, ?, ?, ?)",
            (
                (s.id, len(s.docs), s.origin, s.first_date, s.last_date, dumps(list(s.outlets)))
                for s in result.stories
            ),
        )
        conn.executemany(
            "INSERT INTO story_documents VALUES (?, ?, ?)",
            ((s.id, i, doc) for s in result.stories for i, doc in enumerate(s.docs)),
        )
        conn.executemany(
            "INSERT INTO boilerplate VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (_boilerplate_row(i, b, documents) for i, b in enumerate(result.boilerplate)),
        )
        conn.executemany(
            "INSERT INTO wire VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (_wire_row(w) for w in result.wire),
        )
        conn.executemany(
            "INSERT INTO derived VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (i, d.doc, d.start, d.end, d.kind, d.outlet, dumps(list(d.sources)),
                 documents[d.doc].text[d.start : d.end] if d.doc in documents else None)
                for i, d in enumerate(result.derived)
            ),
        )
        conn.executemany(
            "INSERT INTO params VALUES (?, ?)",
            ((str(k), _param_json(v)) for k, v in sorted(_params_dict(result.params).items(), key=lambda kv: str(kv[0]))),
        )
        conn.executemany(
            "INSERT INTO problems VALUES (?, ?, ?, ?, ?, ?)",
            (
                (i, p.path, p.line, p.message, int(p.skipped), getattr(p, "reason", ""))
                for i, p in enumerate(result.problems)
            ),
        )
        _run_script(conn, _INDEXES)
        _run_script(conn, _VIEWS)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    finally:
        conn.close()
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would commit the open transaction; run statement by statement instead.
    for statement in script.split(";\n"):
        if statement.strip():
            conn.execute(statement)


def word_counts(result: ScanResult) -> tuple[int, ...]:
    """Each document's number of words, in ``result.documents`` order: the counts the scan
    took in its reading pass when it carries them, else counted from the texts."""
    if len(result.words) == len(result.documents):
        return result.words
    return tuple(len(WORD_RE.findall(d.text)) for d in result.documents)


def _span_json(span: Span, documents: Mapping[str, Document]) -> dict[str, Any]:
    doc = documents.get(span.doc)
    return {
        "doc": span.doc,
        "start": span.start,
        "end": span.end,
        "outlet": doc.outlet if doc else None,
        "date": doc.date if doc else None,
        "text": doc.text[span.start : span.end] if doc else None,
    }


def _match_rows(
    matches: Iterable[Match], documents: Mapping[str, Document], lines: IO[str]
) -> Iterator[tuple[Any, ...]]:
    """Yield the ``matches`` table rows, writing each match's ``matches.jsonl`` line on the way."""
    for index, m in enumerate(matches):
        a, b = _span_json(m.a, documents), _span_json(m.b, documents)
        score, credited = _round(m.score), m.credited
        edits = dumps(edits_json(m.edits))
        head = dumps({
            "a": a, "b": b, "kind": m.kind, "score": score, "direction": m.direction,
            "credited": credited, "verbatim_words": m.verbatim_words,
            "reworded_words": m.reworded_words,
        })
        # Same object as match_json(m), with the edits serialised once for both outputs.
        lines.write(f'{head[:-1]},"edits":{edits}}}\n')
        yield (
            index,
            m.a.doc, m.a.start, m.a.end, a["outlet"], a["date"], a["text"],
            m.b.doc, m.b.start, m.b.end, b["outlet"], b["date"], b["text"],
            m.kind, score, m.direction, _flag(credited),
            m.verbatim_words, m.reworded_words, edits,
        )


def _quote_row(
    index: int, q: Quote, documents: Mapping[str, Document], listed: bool
) -> tuple[Any, ...]:
    doc = documents.get(q.doc)
    return (
        index, q.doc, q.start, q.end, q.text, q.kind, q.speaker, q.speaker_start, q.speaker_end,
        q.cue, q.medium, q.family, q.change, doc.outlet if doc else None,
        doc.date if doc else None, dumps(edits_json(q.edits)), int(listed), dumps(list(q.changes)),
    )


def _write_quotes(
    conn: sqlite3.Connection, result: ScanResult, documents: Mapping[str, Document]
) -> dict[Quote, int]:
    """Insert the listed quotes, then family members not among them; return quote -> row id."""
    ids: dict[Quote, int] = {}
    rows: list[tuple[Any, ...]] = []
    for q in result.quotes:
        ids.setdefault(q, len(rows))
        rows.append(_quote_row(len(rows), q, documents, listed=True))
    for family in result.quote_families:
        for q in family.quotes:
            if q not in ids:
                ids[q] = len(rows)
                rows.append(_quote_row(len(rows), q, documents, listed=False))
    conn.executemany(f"INSERT INTO quotes VALUES ({', '.join('?' * 18)})", rows)
    return ids


def _write_families(
    conn: sqlite3.Connection, families: Iterable[QuoteFamily], quote_ids: Mapping[Quote, int]
) -> None:
    families = list(families)
    conn.executemany(
        "INSERT INTO quote_families VALUES (?, ?, ?, ?, ?, ?)",
        (
            (
                f.id, len(f.quotes), f.origin,
                quote_ids[f.quotes[f.origin]] if 0 <= f.origin < len(f.quotes) else None,
                f.quotes[f.origin].text if 0 <= f.origin < len(f.quotes) else None,
                dumps(list(f.outlets)),
            )
            for f in families
        ),
    )
    conn.executemany(
        "INSERT INTO quote_family_members VALUES (?, ?, ?)",
        ((f.id, i, quote_ids[q]) for f in families for i, q in enumerate(f.quotes)),
    )


def _boilerplate_row(index: int, b: Boilerplate, documents: Mapping[str, Document]) -> tuple[Any, ...]:
    doc = documents.get(b.span.doc)
    return (
        index, b.span.doc, b.span.start, b.span.end, b.reason, b.count,
        doc.outlet if doc else None, doc.text[b.span.start : b.span.end] if doc else None,
    )


def _wire_row(w: ArticleWireShare) -> tuple[Any, ...]:
    return (
        w.doc, w.outlet, w.date, w.wire_class, w.words, w.verbatim_words, w.reworded_words,
        _round(w.wire_share), _round(_share(w.verbatim_words, w.words)),
        _round(_share(w.reworded_words, w.words)), dumps(list(w.sources)), int(w.credited),
    )


def _params_dict(params: Any) -> Mapping[str, Any]:
    # ScanResult.params is a mapping; accept a Params object too rather than fail at the end of a run.
    return params.to_dict() if hasattr(params, "to_dict") else params


def _param_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _round(value: float) -> float:
    return round(float(value), SCORE_DIGITS) + 0.0  # + 0.0 turns -0.0 into 0.0


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _unflag(value: int | None) -> bool | None:
    return None if value is None else bool(value)


# --- reading ------------------------------------------------------------------------------


def _check_version(conn: sqlite3.Connection, path: Path) -> None:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version == SCHEMA_VERSION:
        return
    if version == 0:
        raise ResultsError(
            f"{path} is not a reprints results database (no schema version); "
            "write one with `reprints scan CORPUS --out DIR`"
        )
    if version > SCHEMA_VERSION:
        raise ResultsError(
            f"{path} has results schema version {version}, but this reprints reads version "
            f"{SCHEMA_VERSION}; upgrade reprints"
        )
    raise ResultsError(
        f"{path} has results schema version {version}, which this reprints no longer reads "
        f"(it reads {SCHEMA_VERSION}); re-run the scan"
    )


def _read_db(conn: sqlite3.Connection, *, matches: bool = True, texts: bool = True) -> ScanResult:
    columns = _document_columns(conn)
    if not texts:
        columns = columns.replace(", text,", ", '',")
    read: list[Document] = []
    counts: list[int] = []
    for r in conn.execute(f"SELECT {columns} FROM documents ORDER BY id"):
        read.append(_document_from_row(r))
        counts.append(r[5])
    documents, words = tuple(read), tuple(counts)
    stored_matches = tuple(iter_matches(conn)) if matches else ()
    quote_rows: dict[int, tuple[Quote, bool]] = {}
    for r in conn.execute(f"SELECT {_quote_columns(conn)} FROM quotes ORDER BY id"):
        quote_rows[r[0]] = (_quote_from_row(r), bool(r[14]))
    members: dict[str, list[Quote]] = {}
    for family, quote_id in conn.execute(
        "SELECT family, quote FROM quote_family_members ORDER BY family, position"
    ):
        members.setdefault(family, []).append(quote_rows[quote_id][0])
    families = tuple(
        QuoteFamily(id=r[0], quotes=tuple(members.get(r[0], ())), outlets=tuple(json.loads(r[2])), origin=r[1])
        for r in conn.execute("SELECT id, origin, outlets FROM quote_families ORDER BY id")
    )
    story_docs: dict[str, list[str]] = {}
    for story, doc in conn.execute("SELECT story, doc FROM story_documents ORDER BY story, position"):
        story_docs.setdefault(story, []).append(doc)
    stories = tuple(
        Story(
            id=r[0], docs=tuple(story_docs.get(r[0], ())), origin=r[1],
            outlets=tuple(json.loads(r[4])), first_date=r[2], last_date=r[3],
        )
        for r in conn.execute("SELECT id, origin, first_date, last_date, outlets FROM stories ORDER BY id")
    )
    boilerplate = tuple(
        Boilerplate(span=Span(r[0], r[1], r[2]), reason=r[3], count=r[4])
        for r in conn.execute('SELECT doc, start, "end", reason, count FROM boilerplate ORDER BY id')
    )
    wire = tuple(
        ArticleWireShare(
            doc=r[0], outlet=r[1], date=r[2], words=r[3], verbatim_words=r[4],
            reworded_words=r[5], wire_class=r[6], sources=tuple(json.loads(r[7])),
            credited=bool(r[8]),
        )
        for r in conn.execute(
            "SELECT doc, outlet, date, words, verbatim_words, reworded_words, class, sources, "
            "credited FROM wire ORDER BY doc"
        )
    )
    derived = _derived_rows(conn)
    params = {name: json.loads(value) for name, value in conn.execute("SELECT name, value FROM params ORDER BY name")}
    has_reason = "reason" in {f.name for f in dataclasses.fields(Problem)}
    problems = tuple(
        Problem(path=r[0], message=r[2], line=r[1], skipped=bool(r[3]), **({"reason": r[4]} if has_reason else {}))
        for r in conn.execute("SELECT path, line, message, skipped, reason FROM problems ORDER BY id")
    )
    return ScanResult(
        documents=documents,
        matches=stored_matches,
        quotes=tuple(q for q, listed in quote_rows.values() if listed),
        quote_families=families,
        stories=stories,
        boilerplate=boilerplate,
        wire=wire,
        params=params,
        problems=problems,
        derived=derived,
        words=words,
    )


_DOCUMENT_COLUMNS = "id, outlet, date, title, url, words, text, meta, paragraph_mark"


def _document_columns(conn: sqlite3.Connection) -> str:
    """The document columns to read; a database written before ``paragraph_mark`` lacks it."""
    names = {row[1] for row in conn.execute("PRAGMA table_info(documents)")}
    return _DOCUMENT_COLUMNS if "paragraph_mark" in names else _DOCUMENT_COLUMNS.replace(", paragraph_mark", ", NULL")
_MATCH_COLUMNS = (
    "a_doc, a_start, a_end, b_doc, b_start, b_end, kind, score, direction, credited, "
    "verbatim_words, reworded_words, edits"
)
_QUOTE_COLUMNS = (
    'id, doc, start, "end", text, kind, speaker, speaker_start, speaker_end, cue, medium, '
    "family, change, edits, listed, changes"
)


def _quote_columns(conn: sqlite3.Connection) -> str:
    """The quote columns to read; a database written before ``changes`` existed lacks it."""
    names = {row[1] for row in conn.execute("PRAGMA table_info(quotes)")}
    return _QUOTE_COLUMNS if "changes" in names else _QUOTE_COLUMNS.replace(", changes", ", NULL")


def _document_from_row(r: Sequence[Any]) -> Document:
    return Document(
        id=r[0], text=r[6], outlet=r[1], date=r[2], title=r[3], url=r[4], meta=json.loads(r[7]),
        paragraph_mark=r[8],
    )


def _match_from_row(r: Sequence[Any]) -> Match:
    return Match(
        a=Span(r[0], r[1], r[2]),
        b=Span(r[3], r[4], r[5]),
        kind=r[6],
        score=r[7],
        edits=edits_from_json(json.loads(r[12])),
        direction=r[8],
        credited=_unflag(r[9]),
        verbatim_words=r[10],
        reworded_words=r[11],
    )


def _quote_from_row(r: Sequence[Any]) -> Quote:
    return Quote(
        doc=r[1], start=r[2], end=r[3], text=r[4], kind=r[5], speaker=r[6],
        speaker_start=r[7], speaker_end=r[8], cue=r[9], medium=r[10], family=r[11],
        change=r[12], edits=edits_from_json(json.loads(r[13])),
        changes=tuple(json.loads(r[15])) if r[15] is not None else ((r[12],) if r[12] else ()),
    )


def _derived_rows(conn: sqlite3.Connection, docs: Sequence[str] | None = None) -> tuple[DerivedWords, ...]:
    """Read the derived-word runs (of ``docs`` only, when given); none from an older file."""
    has_derived = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'derived'"
    ).fetchone()
    if not has_derived:
        return ()
    where, args = "", ()
    if docs is not None:
        where, args = f" WHERE doc IN ({', '.join('?' * len(docs))})", tuple(docs)
    return tuple(
        DerivedWords(doc=r[0], start=r[1], end=r[2], kind=r[3], outlet=r[4], sources=tuple(json.loads(r[5])))
        for r in conn.execute(f'SELECT doc, start, "end", kind, outlet, sources FROM derived{where} ORDER BY id', args)
    )


def _read_pair(conn: sqlite3.Connection, doc_a: str, doc_b: str) -> ScanResult:
    first, second = sorted((doc_a, doc_b))
    documents = tuple(
        _document_from_row(r)
        for r in conn.execute(
            f"SELECT {_document_columns(conn)} FROM documents WHERE id IN (?, ?) ORDER BY id",
            (first, second),
        )
    )
    matches = tuple(
        _match_from_row(r)
        for r in conn.execute(
            f"SELECT {_MATCH_COLUMNS} FROM matches WHERE a_doc = ? AND b_doc = ? "
            "UNION ALL "
            f"SELECT {_MATCH_COLUMNS} FROM matches WHERE a_doc = ? AND b_doc = ? AND a_doc != b_doc",
            (first, second, second, first),
        )
    )
    quotes = tuple(
        _quote_from_row(r)
        for r in conn.execute(
            f"SELECT {_quote_columns(conn)} FROM quotes WHERE doc IN (?, ?) AND listed ORDER BY id",
            (first, second),
        )
    )
    return ScanResult(
        documents=documents,
        matches=tuple(sorted(matches, key=match_order)),
        quotes=quotes,
        params={name: json.loads(value) for name, value in conn.execute("SELECT name, value FROM params ORDER BY name")},
        derived=_derived_rows(conn, (first, second)),
    )
