"""``reprints wire``: wire share per article and outlet, credits, date window, outputs."""

from __future__ import annotations

import csv
import dataclasses
import json

import numpy as np
import pytest

from conftest import find_span
from reprints.errors import ParameterError
from reprints.model import ArticleWireShare, Document
from reprints.normalize import tokenize
from reprints.params import Params
from reprints.wire import (
    REWORDED,
    VERBATIM,
    byline_credits,
    chart_html,
    classify,
    in_window,
    summarise,
    uncredited_outlets,
    wire_agencies,
    wire_share,
    word_labels,
)

DURAN = "004_dc875d24e25a1aad.txt"
SPUTNIK = "000_01f78c86e39ec8cf.txt"
SOUTHFRONT_2015 = "003_d4c8003fef5c7388.txt"


def _paragraphs(text: str, first: int, last: int) -> str:
    parts = [p for p in text.split("\n") if len(p.split()) > 12]
    return "\n\n".join(parts[first:last])


@pytest.fixture(scope="module")
def seeds_no_window(sample_corpus):
    return wire_share(sample_corpus.documents, ["Sputnik News"], wire_window_days=None)


def test_sputnik_as_wire_the_duran_reuses_it_and_the_2015_story_does_not(seeds_no_window):
    articles, matches = seeds_no_window
    by_doc = {a.doc: a for a in articles}
    assert SPUTNIK not in by_doc  # wire copy is not scored against itself
    assert by_doc[DURAN].sources == (SPUTNIK,)
    # The Duran retells Sputnik's original report; the Sputnik seed is the follow-up, which
    # shares part of it (the L9 sentence, pieces of the quoted source), not the whole article.
    assert 0.0 < by_doc[DURAN].wire_share < 0.5
    assert by_doc[DURAN].credited  # The Duran names Sputnik
    assert by_doc[SOUTHFRONT_2015].wire_share == 0.0
    assert by_doc[SOUTHFRONT_2015].wire_class == "non-derived"
    assert by_doc[SOUTHFRONT_2015].sources == ()
    assert all(SPUTNIK in (m.a.doc, m.b.doc) for m in matches)
    assert all(m.direction != "undirected" for m in matches)


def test_wire_stories_dated_after_the_article_do_not_count(sample_corpus):
    # The Sputnik seed is dated 2017-09-09, a day after The Duran and 21st Century Wire.
    articles, matches = wire_share(sample_corpus.documents, ["Sputnik"])
    assert all(a.sources == () and a.wire_share == 0.0 for a in articles)
    assert matches == []


def test_words_are_verbatim_inside_kept_edits_and_reworded_elsewhere(sample_corpus):
    # With the word-level model off, words are counted from the passages alone.
    passages_only = wire_share(
        sample_corpus.documents, ["Sputnik News"], wire_window_days=None, derive_words=False
    )
    matches = [m for m in passages_only[1] if DURAN in (m.a.doc, m.b.doc)]
    duran = next(d for d in sample_corpus.documents if d.id == DURAN)
    tokens = tokenize(duran.text)
    labels = word_labels(duran, matches, tokens)
    assert set(np.unique(labels)) <= {0, 1, 2}
    for match in matches:
        side = match.b if match.b.doc == DURAN else match.a
        i, j = tokens.between(side.start, side.end)
        assert (labels[i:j] >= REWORDED).all()
    kept = [e for m in matches for e in m.edits if e.op == "keep"]
    assert kept
    for edit in kept:
        start, end = (
            (edit.b_start, edit.b_end) if matches[0].b.doc == DURAN else (edit.a_start, edit.a_end)
        )
        i, j = tokens.between(start, end)
        assert (labels[i:j] == VERBATIM).all()
    # The gold L2 sentence of The Duran is a rewording of Sputnik's report, not new text.
    s, e = find_span(
        duran.text, "two days later, US choppers transferred 20 Daesh field commanders"
    )
    i, j = tokens.between(s, e)
    assert (labels[i:j] >= REWORDED).sum() >= (j - i) // 2
    article = {a.doc: a for a in passages_only[0]}[DURAN]
    assert article.verbatim_words == int((labels == VERBATIM).sum())
    assert article.reworded_words == int((labels == REWORDED).sum())


def test_auto_finds_wire_copy_from_credits_and_lists_uncredited_reprints(sample_texts):
    duran = sample_texts[DURAN]
    body = _paragraphs(duran, 0, 6)
    assert len(body.split()) > 150
    wire_copy = Document(
        "ap/helicopters.txt", "DEIR EZ-ZOR, Syria (AP) — " + body, "Some Gazette", "2017-09-07"
    )
    credited = Document(
        "gazette/a.txt", "By The Associated Press\n\n" + body, "Daily Gazette", "2017-09-08"
    )
    uncredited = Document(
        "herald/a.txt", "Our correspondent writes.\n\n" + body, "Herald", "2017-09-08"
    )
    unrelated = Document(
        "southfront/2015.txt", sample_texts[SOUTHFRONT_2015], "SouthFront", "2017-09-08"
    )
    docs = [wire_copy, credited, uncredited, unrelated]
    agencies = wire_agencies(docs, "auto")
    assert agencies == {
        "ap/helicopters.txt": "Associated Press",
        "gazette/a.txt": "Associated Press",
    }
    articles, _matches = wire_share(docs, "auto")
    by_doc = {a.doc: a for a in articles}
    # Articles carrying a byline credit are scored too, against the *other* wire copy.
    assert by_doc["gazette/a.txt"].wire_share > 0.8 and by_doc["gazette/a.txt"].credited
    assert by_doc["herald/a.txt"].wire_share > 0.8 and not by_doc["herald/a.txt"].credited
    assert by_doc["herald/a.txt"].wire_class == "wholly-derived"
    assert by_doc["southfront/2015.txt"].wire_share == 0.0
    assert uncredited_outlets(articles, Params()) == [("Herald", 1, 1)]


def test_results_do_not_depend_on_input_order(sample_corpus):
    docs = list(sample_corpus.documents)
    forward = wire_share(docs, ["Sputnik"], wire_window_days=None)
    backward = wire_share(docs[::-1], ["Sputnik"], wire_window_days=None)
    assert forward == backward


def test_byline_credits_recognise_wire_agencies():
    assert byline_credits("WASHINGTON (AP) — President Donald Trump said on Monday") == [
        "Associated Press"
    ]
    assert byline_credits("By Reuters\n\nHELSINKI - The two leaders met") == ["Reuters"]
    assert byline_credits("Leaders met in Helsinki.\n\nThe talks lasted two hours.\n\n— AFP") == [
        "Agence France-Presse"
    ]
    assert byline_credits("Sputnik reports that the talks went well.") == ["Sputnik"]
    assert byline_credits("A tap on the shoulder and a PA system announcement.") == []
    assert byline_credits(
        "Trump, Putin meet ### JONATHAN LEMIRE and JILL COLVIN / AP ### HELSINKI"
    ) == ["Associated Press"]
    assert byline_credits("A source told Reuters the talks went well, and more.") == []
    assert byline_credits(
        "Helsinki summit ends\n\nBy the Associated Press\n\nThe leaders met."
    ) == ["Associated Press"]


def test_unknown_wire_outlet_names_the_outlets_there_are(sample_corpus):
    with pytest.raises(
        ParameterError,
        match="outlets in the corpus: 21st Century Wire, SouthFront, Sputnik, The Duran",
    ):
        wire_share(sample_corpus.documents, ["Reuters"])


def test_classes_follow_the_thresholds():
    params = Params(wire_wholly=0.6, wire_partially=0.2)
    assert classify(0.6, params) == "wholly-derived"
    assert classify(0.59, params) == "partially-derived"
    assert classify(0.2, params) == "partially-derived"
    assert classify(0.19, params) == "non-derived"


def test_date_window_counts_days_before_the_article_only():
    assert in_window("2017-09-07", "2017-09-08", 3)
    assert in_window("2017-09-08T23:00:00", "2017-09-08T01:00:00", 3)  # same day counts
    assert not in_window("2017-09-09", "2017-09-08", 3)
    assert not in_window("2017-09-01", "2017-09-08", 3)
    assert in_window(None, "2017-09-08", 3)
    assert in_window("2017-09-01", "2017-09-08", None)


def _article(
    doc: str, outlet: str, date: str, words: int, verbatim: int, reworded: int, credited: bool
) -> ArticleWireShare:
    share = (verbatim + reworded) / words
    return ArticleWireShare(
        doc,
        outlet,
        date,
        words,
        verbatim,
        reworded,
        classify(share, Params(wire_wholly=0.5, wire_partially=0.15)),
        ("w",),
        credited,
    )


def test_summary_per_outlet_and_month():
    articles = [
        _article("a1", "Herald", "2018-07-15", 100, 60, 30, False),
        _article("a2", "Herald", "2018-07-16", 100, 0, 10, True),
        _article("a3", "Herald", "2018-08-01", 200, 0, 0, False),
        _article("b1", "Gazette", "2018-07-15", 50, 50, 0, True),
    ]
    rows = {(r.outlet, r.month): r for r in summarise(articles)}
    herald = rows[("Herald", None)]
    assert herald.articles == 3
    assert (herald.wholly_derived, herald.partially_derived, herald.non_derived) == (1, 0, 2)
    assert herald.mean_wire_share == pytest.approx((0.9 + 0.1 + 0.0) / 3, abs=1e-4)
    assert herald.median_wire_share == pytest.approx(0.1)
    assert herald.uncredited_share == pytest.approx(90 / 100)
    assert rows[("Herald", "2018-07")].articles == 2
    assert rows[("Herald", "2018-08")].mean_wire_share == 0.0
    assert rows[("Gazette", None)].uncredited_share == 0.0


def test_chart_html_is_self_contained_and_escapes_outlet_names():
    articles = [_article("a1", "</script><b>Herald", "2018-07-15", 100, 60, 30, False)]
    page = chart_html(summarise(articles))
    assert "<script src" not in page and "http://" not in page.replace(
        "http://www.w3.org/2000/svg", ""
    )
    assert "</script><b>Herald" not in page
    assert "<svg" in page


def test_cli_writes_articles_outlets_and_charts(runner, sample_dir, tmp_path):
    from reprints.cli import main

    out = tmp_path / "wire"
    result = runner.invoke(
        main, ["wire", str(sample_dir), "--wire", "Sputnik", "--no-window", "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    lines = [
        json.loads(x) for x in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(lines) == 4
    keys = {
        "doc",
        "outlet",
        "date",
        "class",
        "wire_share",
        "verbatim_share",
        "reworded_share",
        "sources",
        "credited",
    }
    assert all(keys <= set(x) for x in lines)
    duran = next(x for x in lines if x["doc"] == DURAN)
    assert duran["sources"] == [SPUTNIK] and 0.0 < duran["wire_share"] < 0.5
    expected = "partially-derived" if duran["wire_share"] >= Params().wire_partially else "non-derived"
    assert duran["class"] == expected
    assert {x["class"] for x in lines} <= {"wholly-derived", "partially-derived", "non-derived"}
    assert (out / "matches.jsonl").read_text(encoding="utf-8").strip()
    with (out / "outlets.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["outlet"] for r in rows} == {"21st Century Wire", "SouthFront", "The Duran"}
    assert (out / "wire_share.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in (out / "wire_share.html").read_text(encoding="utf-8")
    assert (out / "results.db").exists()
    assert "The Duran" in result.output


def test_cli_rejects_an_outlet_that_is_not_there(runner, sample_dir, tmp_path):
    from reprints.cli import main

    result = runner.invoke(
        main, ["wire", str(sample_dir), "--wire", "Reuters", "--out", str(tmp_path / "x"), "-q"]
    )
    assert result.exit_code != 0
    assert "no article belongs to the wire outlet(s) Reuters" in result.output


def test_cli_help_names_the_outputs(runner):
    from reprints.cli import main

    result = runner.invoke(main, ["wire", "--help"])
    assert result.exit_code == 0
    assert "--wire OUTLET" in result.output and "articles.jsonl" in result.output


def test_cli_thresholds_switch_to_classes_by_wire_share(runner, sample_dir, tmp_path):
    from reprints.cli import main

    out = tmp_path / "wire"
    args = ["wire", str(sample_dir), "--wire", "Sputnik", "--no-window", "--out", str(out), "-q"]
    # The Duran takes a small share of its words from the Sputnik follow-up: a threshold
    # below that share makes it partially-derived, one above it non-derived.
    for threshold, expected in (("0.02", "partially-derived"), ("0.6", "non-derived")):
        result = runner.invoke(main, [*args, "--classes", "share", "--partially", threshold])
        assert result.exit_code == 0, result.output
        lines = [json.loads(x) for x in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
        duran = next(x for x in lines if x["doc"] == DURAN)
        assert 0.02 < duran["wire_share"] < 0.6
        assert duran["class"] == expected
        assert all(
            (x["wire_share"] >= float(threshold)) == (x["class"] != "non-derived") for x in lines
        )


def test_evidence_measures_copying_not_a_shared_topic(sample_texts):
    from reprints.wire import wire_evidence
    from reprints.wire_classes import EVIDENCE, fitted_model

    body = _paragraphs(sample_texts[DURAN], 0, 6)
    wire_copy = Document("pa/1.txt", body, "PA", "2017-09-07")
    trimmed = Document("paper/copy.txt", _paragraphs(sample_texts[DURAN], 1, 5), "Paper", "2017-09-08")
    other = Document("paper/own.txt", sample_texts[SOUTHFRONT_2015], "Paper", "2017-09-08")
    articles, _matches, evidence = wire_evidence(
        [wire_copy, trimmed, other], ["PA"], wire_classes="evidence"
    )
    by_doc = {a.doc: a for a in articles}
    assert set(evidence) == {"paper/copy.txt", "paper/own.txt"}
    assert all(list(e) == list(EVIDENCE) for e in evidence.values())
    copy, own = evidence["paper/copy.txt"], evidence["paper/own.txt"]
    assert copy["tiles_8"] > 0.9 and copy["longest_verbatim"] > own["longest_verbatim"]
    assert own["tiles_8"] == 0.0 and own["wire_share"] == 0.0
    # The default class comes from the shipped model over these measures.
    model = fitted_model()
    assert model.features == EVIDENCE
    assert by_doc["paper/copy.txt"].wire_class == model.classify(copy) == "wholly-derived"
    assert by_doc["paper/own.txt"].wire_class == model.classify(own) == "non-derived"


def test_share_classes_follow_the_thresholds_and_unknown_mode_is_refused(sample_corpus):
    articles, _ = wire_share(
        sample_corpus.documents, ["Sputnik"], wire_window_days=None, wire_classes="share"
    )
    params = Params()
    assert all(a.wire_class == classify(a.wire_share, params) for a in articles)
    with pytest.raises(ParameterError, match="wire_classes"):
        Params(wire_classes="threshold")


def test_a_short_rewrite_the_aligner_misses_takes_the_nearest_wire_story_as_source(sample_texts):
    # A one-sentence rewrite of a wire story shares too little wording for the candidate
    # stage; the most similar wire story in the date window is its probable source, and the
    # word model finds the names, figures and phrases it took. A story on the same theme two years earlier
    # (the 2015 SouthFront seed) is not similar enough to take a source.
    body = _paragraphs(sample_texts[DURAN], 0, 6)
    short = (
        "Twenty Daesh militants were flown by US choppers to northern Syria from Deir ez-Zor "
        "in August, Sputnik said, citing a source."
    )
    docs = [
        Document("wire/airlift.txt", body, "Sputnik", "2017-09-07"),
        Document("paper/short.txt", short, "Paper", "2017-09-08"),
        Document("southfront/2015.txt", sample_texts[SOUTHFRONT_2015], "SouthFront", "2017-09-08"),
    ]
    articles, _matches = wire_share(docs, ["Sputnik"])
    by_doc = {a.doc: a for a in articles}
    assert by_doc["paper/short.txt"].sources == ("wire/airlift.txt",)
    assert by_doc["paper/short.txt"].wire_share > 0.3
    assert by_doc["paper/short.txt"].wire_class != "non-derived"
    assert by_doc["southfront/2015.txt"].sources == ()
    assert by_doc["southfront/2015.txt"].wire_share == 0.0
    # Without the fallback, or with the wire story outside the window, nothing is found.
    off, _ = wire_share(docs, ["Sputnik"], wire_nearest_cosine=None)
    assert {a.doc: a for a in off}["paper/short.txt"].sources == ()
    assert {a.doc: a for a in off}["paper/short.txt"].wire_share == 0.0
    late = [dataclasses.replace(docs[0], date="2017-09-01"), *docs[1:]]
    outside, _ = wire_share(late, ["Sputnik"])
    assert {a.doc: a for a in outside}["paper/short.txt"].wire_share == 0.0


def test_cli_no_nearest_leaves_a_short_rewrite_without_source(runner, sample_texts, tmp_path):
    from reprints.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "airlift.txt").write_text(_paragraphs(sample_texts[DURAN], 0, 6), encoding="utf-8")
    (corpus / "short.txt").write_text(
        "Twenty Daesh militants were flown by US choppers to northern Syria from Deir ez-Zor "
        "in August, Sputnik said, citing a source.",
        encoding="utf-8",
    )
    (corpus / "manifest.csv").write_text(
        "file,outlet,date\nairlift.txt,Sputnik,2017-09-07\nshort.txt,Paper,2017-09-08\n",
        encoding="utf-8",
    )
    found = {}
    for flag in ([], ["--no-nearest"]):
        out = tmp_path / f"wire{len(flag)}"
        result = runner.invoke(
            main, ["wire", str(corpus), "--wire", "Sputnik", "--out", str(out), "-q", *flag]
        )
        assert result.exit_code == 0, result.output
        (line,) = (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()
        found[bool(flag)] = json.loads(line)
    assert found[False]["sources"] == ["airlift.txt"] and found[False]["wire_share"] > 0.3
    assert found[True]["sources"] == [] and found[True]["wire_share"] == 0.0
