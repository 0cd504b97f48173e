"""Quote families: the same quotation across outlets, and how each occurrence changed."""

from __future__ import annotations

import json
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import find_span
from reprints.cli import main
from reprints.model import Document
from reprints.quotes import find_quotes

SPUTNIK = "000_01f78c86e39ec8cf.txt"
WIRE21 = "001_ea1662580eef0643.txt"
SOUTHFRONT = "002_0eec5a486a0ac0bb.txt"
UNRELATED = "003_d4c8003fef5c7388.txt"
DURAN = "004_dc875d24e25a1aad.txt"


def family_of(quotes, texts, doc, needle):
    start, end = find_span(texts[doc], needle)
    hits = [q for q in quotes if q.doc == doc and q.start <= start and end <= q.end and q.family]
    assert hits, f"{needle!r} in {doc} is in no family"
    return min(hits, key=lambda q: q.end - q.start)


def test_seed_quote_families_cross_outlets(sample_corpus, sample_texts):
    quotes, families = find_quotes(sample_corpus.documents)
    texts = sample_texts
    # Q1, Q2: double curly quotes in 21st Century Wire, nested single quotes in The Duran
    for needle in ("US Air Force helicopter", "European origin"):
        a = family_of(quotes, texts, WIRE21, needle)
        b = family_of(quotes, texts, DURAN, needle)
        assert a.family == b.family and a.text == b.text == needle
    # Q1 and Q2 stay two families: the long quotation holding both does not merge them
    q1 = family_of(quotes, texts, WIRE21, "US Air Force helicopter")
    q2 = family_of(quotes, texts, WIRE21, "European origin")
    assert q1.family != q2.family
    # Q3: "false." moves from the coalition's press office to the Combined Joint Task Force's
    a = family_of(quotes, texts, SPUTNIK, "false.")
    b = family_of(quotes, texts, WIRE21, "false.")
    assert a.family == b.family
    assert {a.change, b.change} == {"original", "reattributed"}
    # Q4: "safer regions" is trimmed out of the Duran's long source quotation
    a = family_of(quotes, texts, SOUTHFRONT, "safer regions")
    b = family_of(quotes, texts, DURAN, "to safer regions")
    assert a.family == b.family and b.change == "original"
    assert a.change in ("trimmed", "reattributed")
    assert any(e.op == "drop" for e in a.edits)
    # the 2015 article on the same theme shares no quotation with the others
    assert not [q for q in quotes if q.doc == UNRELATED and q.family]
    assert all(len(f.outlets) >= 2 for f in families)


ORIGINAL = """Retired officer says Deir ez-Zor evacuees were protected assets

Asked to comment, Karen Kwiatkowski, a retired US Air Force Lieutenant Colonel, told Sputnik: "These evacuees were likely people that the US military and intelligence establishment wanted to protect, particularly people with evidence that could be used against the US during negotiations."

She added that the operation was standard for CIA black programs.
"""

TRIMMED = """Analysts question US role in Deir ez-Zor airlift

The reports have drawn comment from former US officers. Kwiatkowski said the evacuees were "people that the US military and intelligence establishment wanted to protect."

The Pentagon has not commented on the claims.
"""

REATTRIBUTED = """Pentagon source: Syria evacuees had ties to Washington

A Pentagon source told RT that the evacuees were "likely people that the US military and intelligence establishment wanted to protect, particularly people with evidence that could be used against the US during negotiations," adding that no further details would be released.
"""

REWORDED = """Who was on the helicopters over Deir ez-Zor?

According to Kwiatkowski, "these evacuees were probably people the American military and intelligence establishment wanted to shield, especially people with evidence that could be used against the US in negotiations."

Russian officials have demanded an explanation.
"""

UNRELATED_TEXT = """City council approves new budget

The mayor called the opposition's claims about the budget "false." The council will vote again in March on the school funding plan.
"""


def three_articles():
    return [
        Document("a.txt", ORIGINAL, outlet="Sputnik", date="2017-09-07"),
        Document("b.txt", TRIMMED, outlet="Daily Report", date="2017-09-08"),
        Document("c.txt", REATTRIBUTED, outlet="Syria Watch", date="2017-09-09"),
        Document("d.txt", REWORDED, outlet="Global Review", date="2017-09-10"),
        Document("e.txt", UNRELATED_TEXT, outlet="Town Gazette", date="2017-09-08"),
    ]


def test_one_quote_three_trims_and_speakers_is_one_family_with_each_change_named():
    quotes, families = find_quotes(three_articles())
    members = [q for q in quotes if q.family]
    assert len(families) == 1
    family = families[0]
    assert set(family.outlets) == {"Sputnik", "Daily Report", "Syria Watch", "Global Review"}
    change = {q.doc: q.change for q in members}
    assert change == {"a.txt": "original", "b.txt": "trimmed", "c.txt": "reattributed", "d.txt": "reworded"}
    # c.txt is trimmed AND re-attributed: ``change`` keeps the winner, ``changes`` names both
    changes = {q.doc: q.changes for q in members}
    assert changes == {
        "a.txt": ("original",),
        "b.txt": ("trimmed",),
        "c.txt": ("trimmed", "reattributed"),
        "d.txt": ("reworded",),
    }
    by_doc = {q.doc: q for q in members}
    assert by_doc["a.txt"].speaker == "Karen Kwiatkowski"
    assert by_doc["b.txt"].speaker == "Kwiatkowski"
    assert by_doc["c.txt"].speaker == "A Pentagon source" and by_doc["c.txt"].medium == "RT"
    # the reworded occurrence carries the word-level edits against the original
    text = REWORDED
    changed = [text[e.b_start : e.b_end] for e in by_doc["d.txt"].edits if e.op == "change"]
    assert "probably" in changed and "American" in changed
    assert any(c.startswith("shield") for c in changed)
    # the council's "false." has nothing to do with it
    assert not any(q.doc == "e.txt" for q in members)


def test_families_do_not_depend_on_input_order():
    docs = three_articles()
    first = find_quotes(docs)
    second = find_quotes(list(reversed(docs)))
    assert first == second


@settings(max_examples=30, deadline=None)
@given(st.permutations(range(5)))
def test_family_offsets_and_edits_slice_the_right_documents(order):
    docs = [three_articles()[k] for k in order]
    by_id = {d.id: d for d in docs}
    _, families = find_quotes(docs)
    for family in families:
        origin = family.quotes[family.origin]
        for q in family.quotes:
            assert by_id[q.doc].text[q.start : q.end] == q.text
            for e in q.edits:
                assert origin.start <= e.a_start <= e.a_end <= origin.end
                assert q.start <= e.b_start <= e.b_end <= q.end


def test_quotes_command_writes_jsonl_and_lists_families(runner, sample_dir, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["quotes", str(sample_dir), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in (out / "quotes.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {"doc", "start", "end", "text", "speaker", "speaker_start", "speaker_end", "cue", "kind", "family", "change"} <= set(lines[0])
    fams = [json.loads(x) for x in (out / "quote_families.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(fams) == len({q["family"] for q in lines if q["family"]}) >= 4
    assert (out / "results.db").exists()
    assert "reattributed" in result.output and "outlets" in result.output


def test_quotes_command_help(runner):
    result = runner.invoke(main, ["quotes", "--help"])
    assert result.exit_code == 0 and "quotes.jsonl" in result.output


def test_short_scare_quote_groups_only_within_one_story():
    docs = [
        Document(
            "a.txt",
            "Trump told supporters at a rally in Colorado Springs that the election was "
            '"rigged" against him, repeating a charge he has made at campaign events for weeks '
            "as his poll numbers slipped in swing states.",
            outlet="Wire A",
            date="2016-10-18",
        ),
        Document(
            "b.txt",
            "At a rally in Colorado Springs on Tuesday, Trump again told supporters the election "
            'was "rigged" against him, a charge he has repeated at campaign events for weeks while '
            "his poll numbers slipped.",
            outlet="Paper B",
            date="2016-10-19",
        ),
        Document(
            "c.txt",
            "The state lottery commission denied claims that Saturday's jackpot draw was "
            '"rigged," saying its machines are audited every month by an independent firm and '
            "that the winning ticket was sold at a gas station in Fresno.",
            outlet="Paper C",
            date="2016-10-19",
        ),
    ]
    quotes, families = find_quotes(docs)
    assert len(families) == 1
    assert {q.doc for q in families[0].quotes} == {"a.txt", "b.txt"}
    assert next(q for q in quotes if q.doc == "c.txt").family is None


def test_quotes_jsonl_and_results_db_name_every_change(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for doc in three_articles():
        (corpus / doc.id).write_text(doc.text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["quotes", str(corpus), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in (out / "quotes.jsonl").read_text(encoding="utf-8").splitlines()]
    by_doc = {q["doc"]: q for q in lines if q["family"]}
    assert by_doc["c.txt"]["change"] == "reattributed"
    assert by_doc["c.txt"]["changes"] == ["trimmed", "reattributed"]
    assert by_doc["b.txt"]["changes"] == ["trimmed"]
    with sqlite3.connect(out / "results.db") as conn:
        stored = dict(conn.execute("SELECT doc, changes FROM quotes WHERE family IS NOT NULL"))
    assert json.loads(stored["c.txt"]) == ["trimmed", "reattributed"]


def test_seed_reattributed_quote_names_its_changes(sample_corpus, sample_texts):
    quotes, _ = find_quotes(sample_corpus.documents)
    moved = family_of(quotes, sample_texts, SPUTNIK, "false.")
    origin = family_of(quotes, sample_texts, WIRE21, "false.")
    assert {moved.changes, origin.changes} == {("reattributed",), ("original",)}
    for q in quotes:
        if q.family:
            assert q.change in q.changes
