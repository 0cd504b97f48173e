"""`reprints diff`: two articles side by side, reused passages in the same row, changes marked."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from conftest import GOLD_L1, GOLD_L2, find_span
from reprints import store
from reprints.cli import main
from reprints.diff import Piece, Skip, compare_files, flip, orient, pair_view, render_pair
from reprints.model import Match, Span
from reprints.normalize import tokenize
from test_store import DURAN, WIRE21, seed_result, word_edits

MARK_RE = re.compile(r"\[-|-\]|\{\+|\+\}|\[|\]")


def blocks(output: str, *, gutter: bool = False) -> list:
    """Split a rendered two-column table into row blocks of (left text, right text[, gutter])."""
    found = []
    left: list[str] = []
    middle: list[str] = []
    right: list[str] = []
    for line in output.splitlines():
        if line.startswith(("├", "└")):
            found.append((_plain(" ".join(left)), _plain(" ".join(right)), " ".join(middle).strip()))
            left, middle, right = [], [], []
        elif line.startswith("│"):
            cells = line.split("│")
            left.append(cells[1].strip())
            middle.append(cells[2].strip())
            right.append(cells[3].strip())
    return found if gutter else [(a, b) for a, b, _ in found]


def _plain(text: str) -> str:
    return " ".join(MARK_RE.sub("", text).split())


def words(text: str) -> list[str]:
    return list(tokenize(text).norms)


def shown(text: str, needle: str) -> bool:
    """Whether the words of ``needle`` appear in ``text`` in order, as one run."""
    return " ".join(words(needle)) in " ".join(words(text))


@pytest.fixture(scope="module")
def compared(sample_dir):
    """The Duran and 21st Century Wire seeds compared on the spot (the `diff A B` case)."""
    return compare_files(sample_dir / DURAN, sample_dir / WIRE21)


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory, compared):
    out = tmp_path_factory.mktemp("results")
    store.write_results(out, compared)
    return out


def test_diff_of_two_files_puts_l1_and_l2_side_by_side(runner, sample_dir):
    out = runner.invoke(main, ["diff", str(sample_dir / DURAN), str(sample_dir / WIRE21), "--width", "160"])
    assert out.exit_code == 0, out.output
    rows = blocks(out.output)
    for a_doc, a_text, b_doc, b_text in (GOLD_L1, GOLD_L2):
        assert (a_doc, b_doc) == (WIRE21, DURAN)
        # The Duran (b) is on the left, 21st Century Wire (a) on the right, in the same row.
        assert any(shown(left, b_text[:60]) and shown(right, a_text[:60]) for left, right in rows), a_text
    # Changed words are bracketed when the output is not a colour terminal.
    l1_row = next(left for left, right in rows if shown(left, "The source said that on August 26"))
    assert l1_row
    raw = out.output
    assert "[-had-]" in raw or "[had" in raw or "had]" in raw


def test_passages_only_with_context_zero(runner, results_dir, compared):
    out = runner.invoke(main, ["diff", DURAN, WIRE21, "--results", str(results_dir), "--context", "0", "--width", "160"])
    assert out.exit_code == 0, out.output
    rows = blocks(out.output, gutter=True)
    # Each passage starts one row with its kind and score; long ones go on in rows marked ┆.
    starts = [g for _, _, g in rows if g[:1] in ("=", "≈")]
    assert len(starts) == len(compared.matches)
    assert all(g[:1] in ("=", "≈", "┆") for _, _, g in rows)
    assert "⋯" not in out.output


def test_context_shows_sentences_around_passages(runner, results_dir):
    out = runner.invoke(main, ["diff", DURAN, WIRE21, "--results", str(results_dir), "--context", "1", "--width", "160"])
    assert out.exit_code == 0, out.output
    assert "sentences ⋯" in out.output
    whole = runner.invoke(main, ["diff", DURAN, WIRE21, "--results", str(results_dir), "--all", "--width", "160"])
    assert "⋯" not in whole.output
    assert len(whole.output) > len(out.output)
    right = " ".join(r for _, r in blocks(whole.output))
    assert shown(right, "Facebook Twitter YouTube SoundCloud RSS")


def test_ids_resolve_from_paths_and_typos_get_suggestions(runner, results_dir, sample_dir):
    out = runner.invoke(main, ["diff", str(sample_dir / DURAN), WIRE21, "--results", str(results_dir), "-C", "0"])
    assert out.exit_code == 0, out.output
    out = runner.invoke(main, ["diff", "004_dc875d24e25a1aad.tx", WIRE21, "--results", str(results_dir)])
    assert out.exit_code == 1
    assert "no document with id '004_dc875d24e25a1aad.tx'" in out.output and "did you mean" in out.output


def test_names_that_are_not_files_need_a_results_folder(runner):
    out = runner.invoke(main, ["diff", "no-such-article.txt", "other.txt"])
    assert out.exit_code == 2 and "--results DIR or --corpus PATH" in out.output
    assert runner.invoke(main, ["diff", "--help"]).exit_code == 0


def test_html_page_of_the_pair(runner, results_dir, tmp_path):
    pytest.importorskip("reprints.report")
    page = tmp_path / "pair.html"
    out = runner.invoke(main, ["diff", DURAN, WIRE21, "--results", str(results_dir), "--html", str(page), "-C", "0"])
    assert out.exit_code == 0, out.output
    html = page.read_text(encoding="utf-8")
    assert "<html" in html.lower() and "004_dc875d24e25a1aad" in html


def test_flipped_matches_keep_their_words_on_the_right_side(sample_corpus, sample_texts):
    result = seed_result(sample_corpus)
    l1 = next(m for m in result.matches if m.b.doc == DURAN and m.kind == "reworded")
    flipped = flip(l1)
    assert (flipped.a, flipped.b, flipped.direction) == (l1.b, l1.a, "b->a")
    assert flip(flipped) == l1
    # Words only the Duran has ("had") are "add" from 21st Century Wire's side, "drop" from the Duran's.
    at = sample_texts[DURAN].index("had evacuated", l1.b.start)
    (edit,) = [e for e in l1.edits if e.b_start <= at < e.b_end]
    (back,) = [e for e in flipped.edits if e.a_start <= at < e.a_end]
    assert (edit.op, back.op) in (("add", "drop"), ("change", "change"))
    assert orient(result.matches, DURAN, WIRE21)[0].a.doc == DURAN


def test_rich_view_colours_verbatim_reworded_and_changed_words(sample_corpus, sample_texts):
    result = seed_result(sample_corpus)
    docs = {d.id: d for d in result.documents}
    view = pair_view(docs[DURAN], docs[WIRE21], result.matches, result.quotes, context=0)
    console = Console(record=True, width=140, color_system="truecolor", file=io.StringIO())
    console.print(render_pair(view))
    text = console.export_text(clear=False)
    assert "3 passages (1 verbatim, 2 reworded)" in text
    # L1 and L2 travelled from 21st Century Wire (right) to The Duran (left), with credit.
    assert "The Duran took 2 passages from 21st Century Wire (the earlier article): 2 credited, 0 not." in text
    html = console.export_html(inline_styles=True)
    # "had" is only in the Duran's L1: marked; the kept words are the reworded colour (olive).
    assert re.search(r'<span style="[^"]*(line-through|background-color)[^"]*">[^<]*\bhad evacuated', html)
    assert re.search(r'<span style="color: #808000[^"]*">[^<]*two days later, US choppers', html)
    # The verbatim passage is green.
    assert re.search(r'<span style="color: #008000[^"]*">evacuated 2 Daesh field commanders of</span>', html)
    # The quote "US Air Force helicopter" is underlined on both sides.
    assert len(re.findall(r'underline[^"]*">[^<]*US Air Force helicopter', html)) >= 1


def test_passage_rows_hold_exactly_the_matched_spans(sample_corpus, sample_texts):
    result = seed_result(sample_corpus)
    docs = {d.id: d for d in result.documents}
    view = pair_view(docs[DURAN], docs[WIRE21], result.matches, context=0)
    assert {r.kind for r in view.rows} == {"passage"}
    assert len({r.match for r in view.rows}) == 3
    for match in view.matches:
        parts = [r for r in view.rows if r.match == match]
        assert [r.part for r in parts] == list(range(len(parts)))
        left = [p for r in parts for p in r.left if isinstance(p, Piece)]
        right = [p for r in parts for p in r.right if isinstance(p, Piece)]
        assert (left[0].start, left[-1].end) == (match.a.start, match.a.end)
        assert (right[0].start, right[-1].end) == (match.b.start, match.b.end)
        assert match.a.doc == DURAN
    l2_left = find_span(sample_texts[DURAN], GOLD_L2[3])
    assert any(r.match.a.start == l2_left[0] for r in view.rows)


def test_no_matches_says_so(sample_corpus):
    docs = {d.id: d for d in sample_corpus.documents}
    view = pair_view(docs[DURAN], docs["003_d4c8003fef5c7388.txt"], [], context=2)
    assert view.rows == ()
    console = Console(record=True, width=100, file=io.StringIO())
    console.print(render_pair(view))
    assert "No reused passages" in console.export_text()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_whole_view_shows_every_word_once_in_order(sample_corpus, data):
    docs = {d.id: d for d in sample_corpus.documents}
    left, right = docs[DURAN], docs[WIRE21]
    n = data.draw(st.integers(0, 4))
    a_cuts = sorted(data.draw(st.lists(st.integers(0, len(left.text)), min_size=2 * n, max_size=2 * n)))
    b_cuts = sorted(data.draw(st.lists(st.integers(0, len(right.text)), min_size=2 * n, max_size=2 * n)))
    matches = [
        Match(Span(WIRE21, b_cuts[2 * k], b_cuts[2 * k + 1]), Span(DURAN, a_cuts[2 * k], a_cuts[2 * k + 1]), "reworded", 0.5)
        for k in range(n)
    ]
    context = data.draw(st.sampled_from([None, 0, 1, 3]))
    view = pair_view(left, right, matches, context=context)
    for side, document in (("left", left), ("right", right)):
        pieces = [p for row in view.rows for p in getattr(row, side) if isinstance(p, Piece)]
        starts = [p.start for p in pieces]
        assert starts == sorted(starts) and all(p.start < p.end for p in pieces)
        skipped = any(isinstance(p, Skip) for row in view.rows for p in getattr(row, side))
        if context is None:
            assert not skipped
            joined = "".join(document.text[p.start : p.end] for p in pieces)
            # Only white space and punctuation-only leftovers are left out: every letter and
            # digit of the text is shown, once, in order.
            assert alnum(joined) == alnum(document.text)


def alnum(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


def test_a_long_passage_is_cut_where_both_sides_end_a_sentence(sample_corpus, sample_texts):
    # One merged passage running from L1 to L2 on both sides, as an aligner that merges
    # neighbouring sentences reports it: the view puts L1 and L2 in rows of their own.
    a0, _ = find_span(sample_texts[WIRE21], GOLD_L1[1])
    _, a1 = find_span(sample_texts[WIRE21], GOLD_L2[1])
    b0, _ = find_span(sample_texts[DURAN], GOLD_L1[3])
    _, b1 = find_span(sample_texts[DURAN], GOLD_L2[3])
    edits = word_edits(sample_texts[WIRE21], a0, a1, sample_texts[DURAN], b0, b1)
    merged = Match(Span(WIRE21, a0, a1), Span(DURAN, b0, b1), "reworded", 0.6, edits)
    docs = {d.id: d for d in sample_corpus.documents}
    view = pair_view(docs[DURAN], docs[WIRE21], [merged], context=0)
    assert len(view.rows) >= 2

    def shown_text(doc: str, cell) -> str:
        return "".join(sample_texts[doc][p.start : p.end] for p in cell if isinstance(p, Piece))

    rows = [(shown_text(DURAN, row.left), shown_text(WIRE21, row.right)) for row in view.rows]
    l1 = [k for k, (left, right) in enumerate(rows) if shown(left, "The source said that on August 26") and shown(right, "source told Sputnik News")]
    l2 = [k for k, (left, right) in enumerate(rows) if shown(left, "US choppers transferred 20 Daesh") and shown(right, "US choppers are said to have returned")]
    assert l1 and l2 and l1 != l2
    unsplit = pair_view(docs[DURAN], docs[WIRE21], [merged], context=0, split=False)
    assert len(unsplit.rows) == 1


def test_svg_image_of_the_coloured_view(runner, results_dir, tmp_path):
    image = tmp_path / "pair.svg"
    out = runner.invoke(main, ["diff", DURAN, WIRE21, "--results", str(results_dir), "-C", "0", "--svg", str(image)])
    assert out.exit_code == 0, out.output
    svg = image.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "choppers" in svg
    # Coloured (verbatim, reworded, marked words, dim text), even though stdout was no terminal.
    assert len(set(re.findall(r"fill: (#[0-9a-f]{6})", svg))) >= 4
