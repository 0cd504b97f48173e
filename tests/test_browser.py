"""The report of sample_data/ in a real browser: headless Chromium, as .ci/run installs it.

Chromium runs the page's script and dumps the resulting DOM (``--dump-dom``); the page's
own error trap writes every script error and ``console.error`` onto ``<html data-errors>``,
and Chromium's console log on stderr is checked too. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from conftest import GOLD_L1, GOLD_L2, ROOT, find_span
from reprints.model import Boilerplate, Document, Span
from reprints.report import render_pair_page, render_report
from reprints.scan import scan

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)",
    ),
]

HOSTILE_ID = "zz_hostile.txt"
# Each line would leave a trace if it ran: a changed title, a data-pwned attribute, an element.
HOSTILE_LINES = (
    "<script>document.title='pwned';document.documentElement.setAttribute('data-pwned','script')</script>",
    "</textarea><textarea>",
    "\"><img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">",
    "</script><script>document.documentElement.setAttribute('data-pwned','breakout')</script>",
    "<!--<script>",
)


def chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on ``url`` with a throwaway profile and console logging on."""
    return subprocess.run(
        [
            str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
            "--enable-logging=stderr", "--v=0", *extra, url,
        ],
        capture_output=True, text=True, timeout=90, check=False,
    )


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


class Page(HTMLParser):
    """The dumped DOM: <html> attributes, title, and the marked spans of each column."""

    def __init__(self, dom: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root: dict[str, str | None] = {}
        self.title = ""
        self.columns: dict[str, dict] = {}
        self.families: list[str] = []
        self.pair_rows: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._column: str | None = None
        self._span: dict | None = None
        self._in_title = False
        self.dom = dom
        self.feed(dom)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "html":
            self.root = a
        elif tag == "title" and not self.title:
            self._in_title = True
        elif a.get("data-family"):
            self.families.append(a["data-family"])
        elif tag == "a" and a.get("class") == "pair-row":
            self.pair_rows.append(unquote(a["href"]))
        elif tag == "div" and a.get("id") in ("col-left", "col-right"):
            self._column = a["data-doc"]
            self.columns[self._column] = {"text": [], "spans": [], "boilerplate": []}
        elif tag == "span" and self._column and "data-m" in a:
            self._span = {**a, "text": ""}
            self.columns[self._column]["spans"].append(self._span)
        elif tag == "span" and self._column and "d" in (a.get("class") or "").split():
            self._span = {**a, "text": ""}
            self.columns[self._column].setdefault("lifted", []).append(self._span)
        elif tag == "span" and self._column and "bp" in (a.get("class") or "").split():
            self._span = {**a, "text": ""}
            self.columns[self._column]["boilerplate"].append(self._span)

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "div":
            self._column = None
        elif tag == "span":
            self._span = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._column:
            self.columns[self._column]["text"].append(data)
            if self._span is not None:
                self._span["text"] += data


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory, sample_corpus) -> tuple[Path, object]:
    """Scan sample_data/ plus one hostile article that copies a Duran passage, and render it."""
    duran = next(d for d in sample_corpus.documents if d.id == GOLD_L1[2])
    start, _ = find_span(duran.text, "The source said that on August 26")
    lifted = duran.text[start : duran.text.index("northern Syria", start) + len("northern Syria")]
    hostile = Document(
        id=HOSTILE_ID,
        text="\n\n".join([*HOSTILE_LINES[:3], lifted, *HOSTILE_LINES[3:]]),
        outlet="<b>Hostile</b> Outlet",
        date="2017-09-10",
        title="</title><script>document.title='pwned'</script>",
        url="javascript:document.documentElement.setAttribute('data-pwned','url')",
    )
    result = scan([*sample_corpus.documents, hostile])
    folder = tmp_path_factory.mktemp("report")
    page = folder / "report.html"
    page.write_text(render_report(result, title="sample_data"), encoding="utf-8")
    return page, result


def open_page(page: Path, fragment: str, tmp_path: Path, screenshot: str | None = None) -> tuple[Page, list[str]]:
    """Open the report at ``fragment``; return its DOM after the script ran, and console lines."""
    extra = ["--dump-dom"]
    if screenshot:
        ARTIFACTS.mkdir(exist_ok=True)
        extra += ["--window-size=1400,1800", f"--screenshot={ARTIFACTS / screenshot}"]
    run = chromium(page.as_uri() + fragment, tmp_path / "profile", *extra)
    assert run.returncode == 0, run.stderr[-2000:]
    if screenshot:
        assert (ARTIFACTS / screenshot).stat().st_size > 10_000
    return Page(run.stdout), console_messages(run.stderr)


def pair_fragment(a: str, b: str) -> str:
    return f"#pair={quote(a, safe='')}|{quote(b, safe='')}"


def assert_lit_in_both_columns(dom: Page, link: tuple[str, str, str, str], texts: dict[str, str]) -> None:
    """Assert one match lights up most of the gold link's passage in each column, at exact offsets."""

    def marked(doc: str, needle: str) -> dict[str, str]:
        """Map each match id to the highlighted text it has inside the gold passage."""
        lo, hi = find_span(texts[doc], needle)
        found: dict[str, str] = {}
        for span in dom.columns[doc]["spans"]:
            start, end = int(span["data-s"]), int(span["data-e"])
            # Every highlighted piece is exactly the document's text at its offsets.
            assert span["text"] == texts[doc][start:end]
            if start < hi and end > lo:
                found[span["data-m"]] = found.get(span["data-m"], "") + span["text"]
        return found

    left, right = marked(link[0], link[1]), marked(link[2], link[3])
    shared = set(left) & set(right)
    assert shared, f"no one match is highlighted over {link[1][:40]!r} in both columns"
    # Most of the gold passage is covered, on both sides, by the matches shown over it.
    for doc, needle, found in ((link[0], link[1], left), (link[2], link[3], right)):
        covered = sum(len(found[m]) for m in shared)
        assert covered >= 0.5 * len(needle), (doc, covered, len(needle))


def test_l1_passage_is_highlighted_in_both_columns(sample_report, sample_texts, tmp_path):
    page, _ = sample_report
    dom, console = open_page(page, pair_fragment(GOLD_L1[0], GOLD_L1[2]), tmp_path, "report-pair.png")
    assert dom.root.get("data-ready") == "yes", "the report's script did not finish"
    assert "data-errors" not in dom.root, dom.root.get("data-errors")
    assert console == []
    assert set(dom.columns) == {GOLD_L1[0], GOLD_L1[2]}

    assert_lit_in_both_columns(dom, GOLD_L1, sample_texts)
    # Words the rewrite moved are shown as kept (moved), never as changed, in both columns.
    for column in dom.columns.values():
        moved = [span for span in column["spans"] if "moved" in (span.get("class") or "").split()]
        assert moved, "no moved word is marked"
        assert not [span for span in moved if "changed" in span["class"].split()]
    moved_right = {span["text"] for span in dom.columns[GOLD_L1[2]]["spans"] if "moved" in span["class"].split()}
    assert "commanders" in moved_right
    # Each column shows the whole article, unchanged.
    for doc, column in dom.columns.items():
        assert "".join(column["text"]) == sample_texts[doc]


def test_quote_families_are_listed(sample_report, tmp_path):
    page, result = sample_report
    dom, console = open_page(page, "", tmp_path, "report-overview.png")
    # The data block, as the browser parsed it, gives back the result's texts and matches.
    opening = '<script type="application/json" id="reprints-data">'
    start = dom.dom.index(opening) + len(opening)
    payload = json.loads(dom.dom[start : dom.dom.index("</script>", start)])
    texts = {d.id: d.text for d in result.documents}
    assert all(row[5] == texts[row[0]] for row in payload["docs"] if row[5] is not None)
    assert len(payload["matches"]) == len(result.matches)
    assert dom.root.get("data-ready") == "yes"
    assert "data-errors" not in dom.root, dom.root.get("data-errors")
    assert console == []
    assert result.quote_families, "the scan found no quote families to list"
    listed = dom.families
    expected = sorted(result.quote_families, key=lambda f: (-len(f.outlets), -len(f.quotes), f.id))
    assert listed == [f.id for f in expected[: len(listed)]]
    assert len(listed) == min(25, len(expected))


def test_injected_article_shows_as_text_and_runs_nothing(sample_report, tmp_path):
    page, result = sample_report
    partners = sorted({m.a.doc for m in result.matches if m.b.doc == HOSTILE_ID}
                      | {m.b.doc for m in result.matches if m.a.doc == HOSTILE_ID})
    assert partners, "the hostile article copies a Duran passage, so the scan must pair it"
    dom, console = open_page(page, pair_fragment(partners[0], HOSTILE_ID), tmp_path)
    assert dom.root.get("data-ready") == "yes"
    assert "data-pwned" not in dom.root
    assert dom.title == "sample_data"
    assert "data-errors" not in dom.root, dom.root.get("data-errors")
    assert console == []  # a blocked inline script would be reported here
    shown = "".join(dom.columns[HOSTILE_ID]["text"])
    for line in HOSTILE_LINES:
        assert line in shown
    assert "&lt;b&gt;Hostile&lt;/b&gt; Outlet" in dom.dom  # the outlet's name, as text
    assert not [t for t, a in dom.tags if t in ("img", "textarea")]
    assert not [a for t, a in dom.tags if "javascript:" in (a.get("href") or "")]
    assert sum(t == "script" for t, a in dom.tags) == 3


def test_outlet_filter_in_the_url_narrows_every_list(sample_report, tmp_path):
    page, result = sample_report
    outlet = {d.id: d.outlet for d in result.documents}
    docs_of_southfront = {d for d, o in outlet.items() if o == "SouthFront"}
    dom, console = open_page(page, "#outlet=SouthFront", tmp_path)
    assert dom.root.get("data-ready") == "yes" and console == []
    expected_pairs = {(m.a.doc, m.b.doc) for m in result.matches if {m.a.doc, m.b.doc} & docs_of_southfront}
    shown = {tuple(href.split("pair=", 1)[1].split("|")) for href in dom.pair_rows}
    assert shown == expected_pairs
    families = {f.id for f in result.quote_families if {q.doc for q in f.quotes} & docs_of_southfront}
    assert set(dom.families) == families


def test_date_filter_in_the_url_keeps_pairs_with_an_article_in_range(sample_report, tmp_path):
    page, result = sample_report
    date = {d.id: (d.date or "")[:10] for d in result.documents}
    in_range = {d for d, day in date.items() if "2017-12-01" <= day <= "2017-12-31"}
    assert in_range, "sample_data has a December 2017 article (SouthFront)"
    dom, console = open_page(page, "#from=2017-12-01&to=2017-12-31", tmp_path)
    assert dom.root.get("data-ready") == "yes" and console == []
    shown = {tuple(href.split("pair=", 1)[1].split("|")) for href in dom.pair_rows}
    assert shown == {(m.a.doc, m.b.doc) for m in result.matches if {m.a.doc, m.b.doc} & in_range}


def test_a_mangled_link_still_opens_the_report(sample_report, tmp_path):
    page, _ = sample_report
    dom, console = open_page(page, "#outlet=%E0%A4&from=%zz&pair=%E0|<script>", tmp_path)
    assert dom.root.get("data-ready") == "yes"
    assert "data-errors" not in dom.root, dom.root.get("data-errors")
    assert console == []


def test_pair_page_shows_l1_and_l2_with_changed_words(sample_report, sample_texts, tmp_path):
    """The page `reprints diff A B --html` writes, for the 21st Century Wire and Duran seeds."""
    _, result = sample_report
    page = tmp_path / "pair.html"
    page.write_text(render_pair_page(result, GOLD_L1[0], GOLD_L1[2]), encoding="utf-8")
    dom, console = open_page(page, "", tmp_path, "pair-page.png")
    assert dom.root.get("data-ready") == "yes" and console == []
    assert "data-errors" not in dom.root, dom.root.get("data-errors")
    for link in (GOLD_L1, GOLD_L2):
        assert_lit_in_both_columns(dom, link, sample_texts)
    # Reworded passages mark their changed words, on both sides.
    for doc in (GOLD_L1[0], GOLD_L1[2]):
        assert any("changed" in (span.get("class") or "") for span in dom.columns[doc]["spans"])
        # ... and show the words the rewrite only moved as moved, not changed
        assert any("moved" in (span.get("class") or "").split() for span in dom.columns[doc]["spans"])


def test_pair_page_marks_names_lifted_outside_the_passages(sample_report, tmp_path):
    """The word-level layer: words 21st Century Wire shares with The Duran outside the aligned
    passages ("Deir ez-Zor" in its own sentences) are marked as lifted, dotted, with a tip."""
    _, result = sample_report
    page = tmp_path / "pair.html"
    page.write_text(render_pair_page(result, GOLD_L1[0], GOLD_L1[2]), encoding="utf-8")
    dom, console = open_page(page, "", tmp_path)
    assert dom.root.get("data-ready") == "yes" and console == []
    lifted = dom.columns[GOLD_L1[0]].get("lifted", [])
    assert "Deir ez-Zor" in {span["text"] for span in lifted}
    assert all("outside the aligned passages" in (span.get("title") or "") for span in lifted)
    # lifted words are never inside a passage: passage spans carry data-m, lifted ones do not
    assert not any("data-m" in span for span in lifted)


def test_a_trimmed_and_reattributed_variant_shows_both_changes(tmp_path):
    """A quote cut short AND put in another speaker's mouth is listed with both changes."""
    from reprints.model import ScanResult
    from reprints.quotes import find_quotes
    from test_quotes_families import three_articles

    docs = three_articles()
    quotes, families = find_quotes(docs)
    page = tmp_path / "quotes.html"
    result = ScanResult(documents=tuple(docs), quotes=tuple(quotes), quote_families=tuple(families))
    page.write_text(render_report(result), encoding="utf-8")
    dom, console = open_page(page, "#quotes", tmp_path)
    assert dom.root.get("data-ready") == "yes" and console == []
    chips = {}
    for row in re.findall(r'<tr><td class="vwho">(.*?)</tr>', dom.dom):
        outlet = re.search(r'<span class="outlet">(.*?)</span>', row).group(1)
        cell = re.search(r'<td class="vchange">(.*?)</td>', row).group(1)
        chips[outlet] = re.findall(r'<span class="change [^"]*">(.*?)</span>', cell)
    assert chips["Syria Watch"] == ["trimmed", "reattributed"]
    assert chips["Daily Report"] == ["trimmed"]
    assert chips["Sputnik"] == ["original"]


def test_boilerplate_is_shown_as_left_out(sample_report, sample_texts, tmp_path):
    """Sputnik's comment-policy block, marked as boilerplate, is hatched in the pair view."""
    _, result = sample_report
    sputnik = "000_01f78c86e39ec8cf.txt"
    start, end = find_span(sample_texts[sputnik], "Community standards")
    marked = dataclasses.replace(
        result, boilerplate=(Boilerplate(Span(sputnik, start, end), "outlet", 3),)
    )
    other = next(m.b.doc if m.a.doc == sputnik else m.a.doc for m in result.matches
                 if sputnik in (m.a.doc, m.b.doc))
    page = tmp_path / "report.html"
    page.write_text(render_report(marked), encoding="utf-8")
    dom, console = open_page(page, pair_fragment(sputnik, other), tmp_path)
    assert dom.root.get("data-ready") == "yes" and console == []
    hatched = dom.columns[sputnik]["boilerplate"]
    hatched += [span for span in dom.columns[sputnik]["spans"] if "bp" in span["class"].split()]
    hatched.sort(key=lambda span: int(span["data-bp-s"]))
    assert "".join(span["text"] for span in hatched) == sample_texts[sputnik][start:end]
