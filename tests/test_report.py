"""The HTML report and pair page: self-contained, escaped, deterministic, and true to the result."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import GOLD_L1
from reprints.errors import InputError
from reprints.model import ArticleWireShare, Document, Edit, Match, Span
from reprints.report import render_pair_page, render_report
from reprints.report.payload import changed_ranges, moved_ranges
from reprints.scan import scan
from reprints.store import write_results

HOSTILE = (
    "<script>document.title='pwned'</script> </textarea> "
    "\"><img src=x onerror=alert(1)> </script> <!--<script> & &amp; </style>"
)


@pytest.fixture(scope="module")
def sample_result(sample_corpus):
    return scan(sample_corpus.documents)


@pytest.fixture(scope="module")
def hostile_result(sample_result):
    """The sample result plus an article whose outlet, title and text are all markup."""
    duran = next(d for d in sample_result.documents if d.id == GOLD_L1[2])
    start = duran.text.index("The source said")
    lifted = duran.text[start : start + 200]
    text = f"{HOSTILE}\n\n{lifted}\n\n{HOSTILE}"
    hostile = Document(
        id="zz_hostile.txt",
        text=text,
        outlet='Evil "><img src=x onerror=alert(1)>',
        date="2017-09-10",
        title="</title><script>alert(1)</script>",
        url="javascript:alert(1)",
    )
    lift = text.index(lifted)
    match = Match(
        a=Span(duran.id, start, start + 200),
        b=Span(hostile.id, lift, lift + 200),
        kind="verbatim",
        score=1.0,
        direction="a->b",
        credited=False,
    )
    return dataclasses.replace(
        sample_result,
        documents=(*sample_result.documents, hostile),
        matches=(*sample_result.matches, match),
    )


def json_block(page: str) -> dict:
    """Return the embedded data, cut out the way a browser's parser would cut it."""
    opening = '<script type="application/json" id="reprints-data">'
    start = page.index(opening) + len(opening)
    return json.loads(page[start : page.index("</script>", start)])


class _Text(HTMLParser):
    """Collect the text a browser would show (outside scripts and styles) and every tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(page: str) -> _Text:
    parser = _Text()
    parser.feed(page)
    return parser


def test_report_is_one_self_contained_file(sample_result):
    page = render_report(sample_result)
    tags = parse(page).tags
    assert not [t for t, a in tags if t in ("link", "img", "iframe", "object", "embed")]
    assert not [a for t, a in tags if t == "script" and "src" in a]
    assert "@import" not in page
    assert not re.search(r"url\((?!#)", page)  # only in-page references such as url(#arrow)
    assert "default-src 'none'" in page  # the page may load nothing from anywhere
    assert [t for t, a in tags].count("script") == 3  # error trap, data, report script


def test_report_carries_every_match_and_pair(sample_result):
    page = render_report(sample_result)
    payload = json_block(page)
    docs = [row[0] for row in payload["docs"]]
    assert docs == sorted(d.id for d in sample_result.documents)
    assert len(payload["matches"]) == len(sample_result.matches)
    texts = {d.id: d.text for d in sample_result.documents}
    for row, match in zip(payload["matches"], sample_result.matches, strict=True):
        assert (docs[row[0]], row[1], row[2]) == (match.a.doc, match.a.start, match.a.end)
        assert (docs[row[3]], row[4], row[5]) == (match.b.doc, match.b.start, match.b.end)
        assert payload["docs"][row[0]][5] == texts[match.a.doc]
    paired = {(docs[p[0]], docs[p[1]]) for p in payload["pairs"]}
    assert paired == {(m.a.doc, m.b.doc) for m in sample_result.matches}
    assert sorted(i for p in payload["pairs"] for i in p[2]) == list(range(len(sample_result.matches)))
    # The seed pair with the L1 passage is one of the pairs to open.
    assert (GOLD_L1[0], GOLD_L1[2]) in paired


def test_overview_and_matrix_show_the_outlets(sample_result):
    shown = " ".join(parse(render_report(sample_result)).text)
    for outlet in {d.outlet for d in sample_result.documents if d.outlet}:
        assert outlet in shown
    assert f"{len(sample_result.documents)} documents" in " ".join(shown.split())


class _Cells(HTMLParser):
    """Collect the matrix cells: (source, reuser) -> the number shown."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], str] = {}
        self._cell: tuple[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "td" and "data-source" in a:
            self._cell = (a["data-source"], a["data-reuser"])

    def handle_data(self, data):
        if self._cell:
            self.cells[self._cell] = data
            self._cell = None


def test_matrix_counts_the_passages_of_the_outlet_graph(sample_result):
    from reprints.export import outlet_graph

    cells = _Cells()
    cells.feed(render_report(sample_result))
    graph = outlet_graph(sample_result)
    expected = {(s, r): str(e["passages"]) for s, r, e in graph.edges(data=True)}
    assert cells.cells == expected
    assert sum(int(n) for n in cells.cells.values()) == len(sample_result.matches)


def test_wire_share_section_appears_for_wire_results(sample_result):
    """With Sputnik as the wire, each other article's wire share is its words reused from Sputnik."""
    assert "Wire share per outlet" not in render_report(sample_result)
    sputnik = {d.id for d in sample_result.documents if d.outlet == "Sputnik"}
    wire = []
    for doc in sample_result.documents:
        if doc.id in sputnik:
            continue
        reused = [
            m for m in sample_result.matches
            if doc.id in (m.a.doc, m.b.doc) and {m.a.doc, m.b.doc} & sputnik
        ]
        verbatim = sum(m.verbatim_words for m in reused)
        reworded = sum(m.reworded_words for m in reused)
        wire.append(ArticleWireShare(doc.id, doc.outlet, doc.date, len(doc.text.split()), verbatim, reworded,
                                     "partially-derived" if reused else "non-derived",
                                     tuple(sorted(sputnik)) if reused else (), False))
    page = render_report(dataclasses.replace(sample_result, wire=tuple(wire)))
    parsed = parse(page)
    assert "Wire share per outlet" in "".join(parsed.text)
    series = {a["data-outlet"] for t, a in parsed.tags if t == "g" and "series" in (a.get("class") or "")}
    assert series == {w.outlet for w in wire}
    rows = [a["data-outlet"] for t, a in parsed.tags if t == "tr" and "data-outlet" in a]
    for outlet in {w.outlet for w in wire}:
        assert outlet in rows
        shares = [w.wire_share for w in wire if w.outlet == outlet]
        assert f"{sum(shares) / len(shares):.0%}" in page


def test_article_markup_is_shown_as_text_never_as_markup(hostile_result):
    page = render_report(hostile_result)
    parsed = parse(page)
    # Server-drawn parts (filters, matrix, graph) show the outlet's name as text ...
    assert 'Evil "><img src=x onerror=alert(1)>' in "".join(parsed.text)
    # ... and no element or attribute came out of it.
    assert not [t for t, a in parsed.tags if t == "img"]
    assert not [a for t, a in parsed.tags if any(k.startswith("on") for k in a)]
    # The data block ends where ours ends, and gives back the article exactly.
    payload = json_block(page)
    hostile = next(row for row in payload["docs"] if row[0] == "zz_hostile.txt")
    assert hostile[5].startswith(HOSTILE)
    assert hostile[3] == "</title><script>alert(1)</script>"
    block = page[page.index('id="reprints-data">') : page.index("</script>", page.index('id="reprints-data">'))]
    assert "<" not in block.split(">", 1)[1]


def test_pair_page_shows_only_the_two_documents(sample_result):
    page = render_pair_page(sample_result, GOLD_L1[0], GOLD_L1[2])
    payload = json_block(page)
    assert payload["mode"] == "pair"
    assert [row[0] for row in payload["docs"]] == sorted([GOLD_L1[0], GOLD_L1[2]])
    wanted = [m for m in sample_result.matches if (m.a.doc, m.b.doc) == (GOLD_L1[0], GOLD_L1[2])]
    assert len(payload["matches"]) == len(wanted) > 0
    assert "The Duran" in page and "21st Century Wire" in page
    # the pair page (reprints diff --html) marks moved words like the report does
    texts = {row[0]: row[5] for row in payload["docs"]}
    moved = [
        texts[GOLD_L1[2]][s:e]
        for row in payload["matches"]
        for s, e in zip(row[14][::2], row[14][1::2], strict=True)
    ]
    assert "commanders" in moved


def test_pair_page_shows_both_articles_even_when_they_share_nothing(sample_result):
    texts = {d.id: d.text for d in sample_result.documents}
    negative = "003_d4c8003fef5c7388.txt"  # the 2015 SouthFront piece copies nothing
    page = render_pair_page(sample_result, GOLD_L1[0], negative)
    payload = json_block(page)
    assert payload["matches"] == []
    assert {row[0]: row[5] for row in payload["docs"]} == {
        GOLD_L1[0]: texts[GOLD_L1[0]], negative: texts[negative]
    }


def test_pair_page_names_an_unknown_document(sample_result):
    with pytest.raises(InputError, match=r"no-such\.txt"):
        render_pair_page(sample_result, GOLD_L1[0], "no-such.txt")


def test_same_result_in_any_order_renders_byte_identical(sample_result):
    shuffled = dataclasses.replace(
        sample_result, documents=tuple(reversed(sample_result.documents))
    )
    assert render_report(sample_result) == render_report(shuffled)


def test_cli_writes_the_report(runner, tmp_path, sample_result):
    from reprints.cli import main

    write_results(tmp_path / "results", sample_result)
    out = tmp_path / "report.html"
    run = runner.invoke(main, ["report", str(tmp_path / "results"), "-o", str(out)])
    assert run.exit_code == 0, run.output
    payload = json_block(out.read_text(encoding="utf-8"))
    assert len(payload["matches"]) == len(sample_result.matches)


def test_max_pairs_keeps_the_pairs_with_most_shared_words(runner, tmp_path, sample_result):
    from reprints.cli import main
    from reprints.report.payload import document_pairs

    write_results(tmp_path / "results", sample_result)
    out = tmp_path / "report.html"
    run = runner.invoke(main, ["report", str(tmp_path / "results"), "-o", str(out), "--max-pairs", "1"])
    assert run.exit_code == 0, run.output
    page = out.read_text(encoding="utf-8")
    payload = json_block(page)
    best = document_pairs(sample_result)[0]
    docs = [row[0] for row in payload["docs"]]
    assert [(docs[p[0]], docs[p[1]]) for p in payload["pairs"]] == [(best[0], best[1])]
    assert len(payload["matches"]) == len(best[2])
    # The overview still counts every pair and passage.
    shown = " ".join(" ".join(parse(page).text).split())
    assert f"{len(document_pairs(sample_result))} document pairs" in shown
    assert f"{len(sample_result.matches)} reused passages" in shown


def test_cli_says_how_to_get_results(runner, tmp_path):
    from reprints.cli import main

    run = runner.invoke(main, ["report", str(tmp_path)])
    assert run.exit_code != 0
    assert "reprints scan" in run.output


def test_report_command_has_help(runner):
    from reprints.cli import main

    run = runner.invoke(main, ["report", "--help"])
    assert run.exit_code == 0 and "-o, --out" in run.output


@st.composite
def edit_scripts(draw):
    edits = []
    a = b = 0
    for op in draw(st.lists(st.sampled_from(["keep", "change", "add", "drop"]), max_size=12)):
        wa = draw(st.integers(1, 9)) if op != "add" else 0
        wb = draw(st.integers(1, 9)) if op != "drop" else 0
        edits.append(Edit(op, a, a + wa, b, b + wb))
        a, b = a + wa + 1, b + wb + 1
    return edits


@given(edit_scripts())
def test_changed_ranges_cover_exactly_the_changed_words(edits):
    for side, ops in (("a", {"change", "drop"}), ("b", {"change", "add"})):
        flat = changed_ranges(edits, side)
        ranges = list(zip(flat[::2], flat[1::2], strict=True))
        assert all(s < e for s, e in ranges)
        assert all(e1 < s2 for (_, e1), (s2, _) in itertools.pairwise(ranges))
        covered = {i for s, e in ranges for i in range(s, e)}
        wanted = set()
        for e in edits:
            if e.op in ops:
                lo, hi = (e.a_start, e.a_end) if side == "a" else (e.b_start, e.b_end)
                wanted |= set(range(lo, hi))
        assert covered == wanted


def test_json_block_cannot_be_broken_out_of():
    from reprints.report.payload import payload_json

    nasty = ["</script><script>alert(1)</script>", "<!--<script>", "]]>", "\u2028\u2029", "&lt;"]
    text = payload_json({"x": nasty})
    assert not re.search(r"[<>&]", text)
    assert json.loads(text) == {"x": nasty}


def test_quote_variants_carry_every_change_into_the_report():
    from reprints.model import ScanResult
    from reprints.quotes import find_quotes
    from test_quotes_families import three_articles

    docs = three_articles()
    quotes, families = find_quotes(docs)
    page = render_report(ScanResult(documents=tuple(docs), quotes=tuple(quotes), quote_families=tuple(families)))
    payload = json_block(page)
    ids = [row[0] for row in payload["docs"]]
    changes = {ids[row[0]]: (row[8], row[12]) for row in payload["quotes"] if row[7] >= 0}
    # trimmed AND re-attributed: both are named, not only the winning "reattributed"
    assert changes["c.txt"] == ("reattributed", ["trimmed", "reattributed"])
    assert changes["b.txt"] == ("trimmed", ["trimmed"])


@st.composite
def edit_scripts_with_moves(draw):
    """An in-order edit script plus one-word keeps laid over its changed words (moved words)."""
    edits = draw(edit_scripts())
    moves = []
    for e in edits:
        if e.op == "change" and draw(st.booleans()):
            moves.append(Edit("keep", e.a_start, e.a_start + 1, e.b_end - 1, e.b_end))
    return edits + moves


@given(edit_scripts_with_moves())
def test_moved_words_are_kept_not_changed(edits):
    def covered(flat):
        return {i for s, e in zip(flat[::2], flat[1::2], strict=True) for i in range(s, e)}

    def of(side, wanted_ops):
        return {
            i
            for e in edits
            if e.op in wanted_ops
            for i in range(*((e.a_start, e.a_end) if side == "a" else (e.b_start, e.b_end)))
        }

    for side, ops in (("a", {"change", "drop"}), ("b", {"change", "add"})):
        changed, moved = covered(changed_ranges(edits, side)), covered(moved_ranges(edits, side))
        assert not changed & moved
        assert changed | moved == of(side, ops)
        assert moved == of(side, ops) & of(side, {"keep"})


def test_seed_moved_words_show_as_moved_in_the_report(sample_result):
    """21st Century Wire moves "August" and "US Air Force" around Sputnik's sentence."""
    payload = json_block(render_report(sample_result))
    docs = [row[0] for row in payload["docs"]]
    texts = {row[0]: row[5] for row in payload["docs"]}
    moved_words = set()
    for row in payload["matches"]:
        for doc, changed, moved in ((docs[row[0]], row[11], row[13]), (docs[row[3]], row[12], row[14])):
            changed_set = {i for s, e in zip(changed[::2], changed[1::2], strict=True) for i in range(s, e)}
            for s, e in zip(moved[::2], moved[1::2], strict=True):
                assert not changed_set & set(range(s, e)), "a moved word is also marked changed"
                moved_words.add(texts[doc][s:e])
    assert {"August", "helicopters"} <= moved_words


@pytest.mark.parametrize("max_pairs", [None, 2])
def test_report_streamed_from_results_db_is_the_page_rendered_in_memory(
    runner, tmp_path, sample_result, hostile_result, max_pairs
):
    """`reprints report DIR` reads results.db piece by piece and writes the same page."""
    from reprints.cli import main
    from reprints.store import load_results

    for name, result in (("seeds", sample_result), ("hostile", hostile_result)):
        folder = tmp_path / name
        write_results(folder, result)
        out = tmp_path / f"{name}.html"
        args = ["report", str(folder), "-o", str(out), "--title", "seeds <&>"]
        run = runner.invoke(main, args + (["--max-pairs", str(max_pairs)] if max_pairs else []))
        assert run.exit_code == 0, run.output
        expected = render_report(load_results(folder), title="seeds <&>", max_pairs=max_pairs)
        assert out.read_text(encoding="utf-8") == expected
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


def test_report_of_a_folder_without_results_leaves_no_page(runner, tmp_path):
    from reprints.cli import main

    (tmp_path / "empty").mkdir()
    out = tmp_path / "report.html"
    run = runner.invoke(main, ["report", str(tmp_path / "empty"), "-o", str(out)])
    assert run.exit_code == 1 and "results.db" in run.output
    assert not out.exists()


def test_report_carries_the_words_lifted_outside_the_passages(sample_result):
    """Every derived-word run of a shown article is in the page, with its sources."""
    payload = json_block(render_pair_page(sample_result, GOLD_L1[0], GOLD_L1[2]))
    docs = [row[0] for row in payload["docs"]]
    shown = {(docs[r[0]], r[1], r[2], ("verbatim", "reworded")[r[3]], tuple(docs[i] for i in r[4]))
             for r in payload["derived"]}
    expected = {(d.doc, d.start, d.end, d.kind, d.sources) for d in sample_result.derived
                if d.doc in (GOLD_L1[0], GOLD_L1[2]) and set(d.sources) <= set(docs)}
    assert expected and expected <= shown
    texts = {row[0]: row[5] for row in payload["docs"]}
    assert "Deir ez-Zor" in {texts[doc][s:e] for doc, s, e, _, _ in shown}
