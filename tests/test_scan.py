"""The scan pipeline and `reprints scan`: results folder, summary, determinism, stories."""

from __future__ import annotations

import json
import random

import click
import pytest

from reprints.cli import main
from reprints.model import Document
from reprints.scan import scan
from reprints.store import write_results

NEGATIVE = "003_d4c8003fef5c7388.txt"


def test_scan_cli_writes_matches_and_prints_the_summary(runner, sample_dir, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["scan", str(sample_dir), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (out / "results.db").exists()
    lines = [json.loads(line) for line in (out / "matches.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines
    texts = {p.name: p.read_text(encoding="utf-8") for p in sample_dir.glob("*.txt")}
    for line in lines:
        for side in ("a", "b"):
            span = line[side]
            assert 0 <= span["start"] < span["end"] <= len(texts[span["doc"]])
        assert line["kind"] in {"verbatim", "reworded"}
        assert NEGATIVE not in (line["a"]["doc"], line["b"]["doc"])
    assert "Top outlet → outlet reuse" in result.output
    assert "Most reused passages" in result.output
    assert "The Duran" in result.output


def test_scan_cli_rejects_unknown_parameters(runner, sample_dir, tmp_path):
    result = runner.invoke(main, ["scan", str(sample_dir), "--out", str(tmp_path), "--set", "colour=red"])
    assert result.exit_code != 0
    assert "colour" in result.output


def test_scan_help_lists_the_knobs(runner):
    result = runner.invoke(main, ["scan", "--help"])
    assert result.exit_code == 0
    for option in ("--shingle-size", "--num-perm", "--bands", "--reword-threshold", "--date-window-days", "--quiet", "--strict"):
        assert option in result.output


def test_input_order_does_not_change_matches_jsonl(sample_corpus, tmp_path):
    docs = list(sample_corpus.documents)
    outputs = []
    for seed in (1, 2):
        shuffled = docs[:]
        random.Random(seed).shuffle(shuffled)
        out = tmp_path / f"run{seed}"
        write_results(out, scan(shuffled, quotes=False))
        outputs.append((out / "matches.jsonl").read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0]


def test_the_rewrite_joins_its_source_in_a_story_without_the_2015_piece(sample_corpus):
    result = scan(sample_corpus.documents, quotes=False)
    (story,) = [s for s in result.stories if "004_dc875d24e25a1aad.txt" in s.docs]
    assert "001_ea1662580eef0643.txt" in story.docs
    assert NEGATIVE not in story.docs
    assert story.first_date == "2017-09-08"
    assert story.origin in story.docs
    assert result.params["min_words"] == 8


def test_a_reprint_family_is_one_story_and_shared_topic_is_not(sample_texts):
    wire = sample_texts["004_dc875d24e25a1aad.txt"]
    reprints = [
        Document(f"paper{k}.txt", f"Reprinted from The Duran.\n\n{wire}", outlet=f"Paper {k}", date=f"2017-09-1{k}")
        for k in range(3)
    ]
    other = Document("other.txt", sample_texts["003_d4c8003fef5c7388.txt"], outlet="SouthFront", date="2015-11-02")
    source = Document("duran.txt", wire, outlet="The Duran", date="2017-09-08")
    result = scan([*reprints, other, source], quotes=False)
    (story,) = result.stories
    assert set(story.docs) == {"duran.txt", "paper0.txt", "paper1.txt", "paper2.txt"}
    assert story.origin == "duran.txt"


def test_repeated_outlet_footer_is_boilerplate_not_reuse(sample_texts):
    footer = (
        "Do you like this content? Consider helping us! Our team relies on readers "
        "like you to keep these independent reports coming every single week."
    )
    bodies = [
        sample_texts["003_d4c8003fef5c7388.txt"],
        sample_texts["002_0eec5a486a0ac0bb.txt"].replace("Do you like this content? Consider helping us!", ""),
        "A separate SouthFront report on the Euphrates front said Syrian Army units moved east of the river overnight.",
    ]
    docs = [Document(f"sf{k}.txt", body + "\n\n" + footer, outlet="SouthFront") for k, body in enumerate(bodies)]
    result = scan(docs, quotes=False)
    assert result.matches == ()
    outlet = [b for b in result.boilerplate if b.reason == "outlet"]
    assert len(outlet) == 3
    for item in outlet:
        doc = next(d for d in docs if d.id == item.span.doc)
        assert doc.text[item.span.start : item.span.end].startswith("Do you like this content?")
        assert item.reason == "outlet" and item.count == 3


def test_show_boilerplate_lists_the_repeated_footer(runner, tmp_path, sample_texts):
    footer = "Do you like this content? Consider helping us! Readers like you keep these reports coming."
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for k, name in enumerate(("002_0eec5a486a0ac0bb.txt", "003_d4c8003fef5c7388.txt", "004_dc875d24e25a1aad.txt")):
        (corpus / f"sf{k}.txt").write_text(sample_texts[name] + "\n\n" + footer, encoding="utf-8")
    (corpus / "manifest.csv").write_text(
        "file,outlet\n" + "".join(f"sf{k}.txt,SouthFront\n" for k in range(3)), encoding="utf-8"
    )
    result = runner.invoke(main, ["scan", str(corpus), "--out", str(tmp_path / "out"), "--quiet", "--no-quotes", "--show-boilerplate"])
    assert result.exit_code == 0, result.output
    assert "Boilerplate (kept out of matches)" in result.output
    assert "Do you like this content?" in result.output


def test_the_reading_pass_finds_what_the_all_in_memory_preparation_finds(sample_corpus, monkeypatch):
    """Chunked reading (tokens dropped after each chunk) gives the same boilerplate, IDF and prepared documents."""
    import importlib

    import numpy as np

    from reprints.params import Params

    scan_module = importlib.import_module("reprints.scan")

    docs = sorted(sample_corpus.documents, key=lambda d: d.id)
    footer = "Do you like this content? Consider helping us! Our readers keep these reports coming."
    docs += [Document(f"zz{k}.txt", f"Report number {k} on the river crossing.\n\n{footer}", outlet="Z") for k in range(4)]
    params = Params()
    _segments, boilerplate, context = scan_module.prepare_corpus(docs, params)
    monkeypatch.setattr(scan_module, "READ_CHUNK", 2)
    _feats, streamed_boilerplate, streamed = scan_module.read_corpus_pass(docs, params)
    assert streamed_boilerplate == boilerplate
    assert any(b.reason == "outlet" for b in boilerplate)
    assert np.array_equal(streamed.model.idf, context.model.idf)
    for doc in docs:
        expected, got = context.prepared[doc.id], streamed.get(doc)
        assert np.array_equal(got.usable, expected.usable) and got.excluded == expected.excluded
        assert (got.vectors.tfidf != expected.vectors.tfidf).nnz == 0


def test_a_scan_holds_no_prepared_document_after_aligning(sample_corpus):
    """Documents are prepared for their pairs and forgotten after their last one."""
    from reprints.align import AlignContext
    from reprints.params import Params
    from reprints.scan import align_all, read_corpus_pass

    docs = sorted(sample_corpus.documents, key=lambda d: d.id)
    _feats, _boilerplate, context = read_corpus_pass(docs, Params())
    pairs = [(i, j) for i in range(len(docs)) for j in range(i + 1, len(docs))]
    matches = align_all(docs, pairs, context)
    assert matches and context.prepared == {}
    fresh = AlignContext(context.params, context.model, excluded=context.excluded)
    fresh.prepare_documents(docs)
    again = align_all(docs, pairs, fresh)
    assert again == matches


def test_set_parses_each_knob_by_its_declared_type():
    from reprints.cli.scan import _parse_sets

    parsed = _parse_sets(["wire_nearest_cosine=none", "date_window_days=3", "reword_threshold=0.4", "derive_words=off"])
    assert parsed == {"wire_nearest_cosine": None, "date_window_days": 3, "reword_threshold": 0.4, "derive_words": False}
    assert _parse_sets(["wire_nearest_cosine=0.25"]) == {"wire_nearest_cosine": 0.25}
    with pytest.raises(click.BadParameter, match="min_words=many"):
        _parse_sets(["min_words=many"])


def test_scan_pauses_the_cycle_collector_and_restores_it(sample_corpus):
    """The scan runs with Python's cycle collector paused (it only walks millions of records
    with no cycles) and leaves it as it found it, on or off, even when the scan fails."""
    import gc

    seen = []
    assert gc.isenabled()
    scan(sample_corpus.documents, progress=lambda stage, done, total: seen.append(gc.isenabled()))
    assert seen and not any(seen)
    assert gc.isenabled()
    gc.disable()
    try:
        scan(sample_corpus.documents)
        assert not gc.isenabled()
    finally:
        gc.enable()


    def interrupt(stage, done, total):
        if stage == "candidates":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        scan(sample_corpus.documents, progress=interrupt)
    assert gc.isenabled()
