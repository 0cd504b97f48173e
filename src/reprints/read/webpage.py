"""Read HTML pages: the main text and metadata through trafilatura, without menus or widgets.

Paragraphs of the extracted text are separated by a blank line, as in the plain-text
articles. The document's text is trafilatura's extraction, so offsets point into that text,
not into the HTML source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Problem
from ..normalize import WORD_RE
from .options import Located, ReadOptions, problem
from .textfile import decoding_warnings, finish_document, load_file

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
NO_TEXT = "no article text found in the page (only menus, widgets or nothing)"
MIN_PAGE_WORDS = 20
"""A page whose extracted text has fewer words is menus or a teaser, not an article."""


@dataclass(frozen=True)
class Page:
    """What trafilatura found in one page: main text and metadata (None when absent)."""

    text: str
    title: str | None
    date: str | None
    sitename: str | None
    hostname: str | None
    url: str | None
    author: str | None


class MissingExtraError(ImportError):
    """trafilatura or warcio is not installed."""


def declared_charset(head: bytes) -> str | None:
    """Return the charset a page declares in a ``<meta>`` tag within its first bytes."""
    m = _CHARSET_RE.search(head[:4096])
    return m.group(1).decode("ascii") if m else None


def extract_page(html: str, url: str | None = None) -> Page | None:
    """Extract main text and metadata from ``html``; None when the page has no main text."""
    try:
        import trafilatura
    except ImportError as err:  # the web extra is optional
        raise MissingExtraError(
            "reading HTML needs trafilatura: pip install 'reprints[web]'"
        ) from err
    found = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
    )
    if found is None:
        return None
    found = found if isinstance(found, dict) else found.as_dict()
    text = found.get("text") or ""
    if not text.strip():
        return None
    paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    return Page(
        text="\n\n".join(paragraphs),
        title=found.get("title") or None,
        date=found.get("date") or None,
        sitename=found.get("sitename") or None,
        hostname=found.get("hostname") or None,
        url=found.get("url") or url,
        author=found.get("author") or None,
    )


def page_fields(page: Page, outlet: str | None = None) -> dict[str, Any]:
    """Document fields from page metadata; ``outlet`` is the fallback when the page names none."""
    meta = {"author": page.author} if page.author else {}
    return {
        "outlet": page.sitename or page.hostname or outlet,
        "date": _iso(page.date),
        "title": page.title,
        "url": page.url,
        "meta": meta,
    }


def _iso(value: str | None) -> str | None:
    from .dates import normalize_date

    return normalize_date(value)


def page_document(
    html: str,
    shown: str,
    doc_id: str,
    row: Mapping[str, Any],
    options: ReadOptions,
    *,
    url: str | None = None,
    outlet: str | None = None,
    line: int | None = None,
) -> Iterator[Located | Problem]:
    """Yield the document for one page, or a Problem when the page has no main text."""
    try:
        page = extract_page(html, url)
    except MissingExtraError as err:
        yield problem(shown, "needs the web extra", str(err), line)
        return
    except Exception as err:
        yield problem(
            shown, "unparsable HTML", f"HTML parser failed ({type(err).__name__}: {err})", line
        )
        return
    if page is None:
        yield problem(shown, "no article text", NO_TEXT, line)
        return
    words = len(WORD_RE.findall(page.text))
    if words < MIN_PAGE_WORDS:
        teaser = " ".join(page.text.split())
        teaser = teaser if len(teaser) <= 60 else teaser[:57] + "..."
        yield problem(
            shown,
            "no article text",
            f"no article text found in the page (only {words} words: {teaser!r})",
            line,
        )
        return
    yield from finish_document(
        shown, doc_id, page.text, row, options, fallback=page_fields(page, outlet)
    )


def read_html_file(
    file: Path,
    shown: str,
    doc_id: str,
    row: Mapping[str, Any],
    options: ReadOptions,
    outlet: str | None = None,
) -> Iterator[Located | Problem]:
    """Yield the document in one HTML file, or the problem that stopped it."""
    try:
        with file.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        head = b""
    decoded = load_file(file, shown, options, declared_charset(head))
    if isinstance(decoded, Problem):
        yield decoded
        return
    yield from decoding_warnings(shown, decoded)
    yield from page_document(
        decoded.text, shown, doc_id, row, options, url=row.get("url"), outlet=outlet
    )
