"""A corpus of hostile files: each problem gets its documented one-line message, nothing good is lost.

The behaviour for each case is documented in docs/read.md ("Bad input").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reprints.cli import main
from reprints.read import ReadOptions, read_corpus

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = Path(__file__).parent.parent / "sample_data"
BIG_BYTES = 50_000_000


def seed(name: str) -> str:
    return next(SAMPLE.glob(f"{name}_*.txt")).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, Path, dict[str, str]]:
    """Write the hostile corpus; return (folder, csv file, expected good texts by id)."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "crawl"
    (folder / "good").mkdir(parents=True)
    good: dict[str, str] = {}

    good["good/sputnik.txt"] = seed("000")
    (folder / "good" / "sputnik.txt").write_text(good["good/sputnik.txt"], encoding="utf-8")
    (folder / "good" / "duran.html").write_bytes((FIXTURES / "duran_article.html").read_bytes())
    (folder / "binary.txt").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    )
    broken = "Café au lait, naïve".encode()[:-1] + b"\xff\xfe\x81\x9d" * 20
    (folder / "undecodable.txt").write_bytes(broken)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b"  \n\n\t\n")
    nul_text = seed("002")
    (folder / "nul.txt").write_text(
        nul_text[:100] + "\x00\x00" + nul_text[100:] + "\x00", encoding="utf-8"
    )
    good["nul.txt"] = nul_text
    paragraph = seed("001")
    big = paragraph * (BIG_BYTES // len(paragraph) + 1)  # a little over 50 MB
    (folder / "big.txt").write_text(big, encoding="utf-8")
    good["big.txt"] = big
    (folder / "nav.html").write_text(
        '<html><head><meta charset="utf-8"><title>World</title></head><body>'
        '<nav><a href="/">Home</a> <a href="/world/">World</a></nav>'
        "<footer>© 2017 The Duran</footer></body></html>",
        encoding="utf-8",
    )
    wire_1, wire_4 = seed("004"), seed("003")
    lines = [
        json.dumps({"id": "wire-1", "series": "The Duran", "text": wire_1}),
        '{"id": "wire-2", "text": "US choppers transferred 20 Daesh',
        json.dumps({"id": "wire-3", "title": "a headline and nothing else"}),
        json.dumps({"id": "wire-1", "text": "A later, different story under the same id."}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "wire-4", "text": wire_4[:50] + "\x00" + wire_4[50:]}),
    ]
    (folder / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    good["wire-1"], good["wire-4"] = wire_1, wire_4

    table = root / "table.csv"
    multiline = (
        'Helsinki summit ### By Reuters\n\nHELSINKI — Trump said: "We have been getting along."\n'
    )
    table.write_text(
        "id,outlet,text\n"
        f'csv-1,reuters.com,"{multiline.replace(chr(34), chr(34) * 2)}"\n'
        "csv-2,cnn.com,too,many,fields\n"
        "csv-3,foxnews.com,The last row is fine.\n",
        encoding="utf-8",
    )
    good["csv-1"], good["csv-3"] = multiline, "The last row is fine."
    return folder, table, good


@pytest.fixture(scope="module")
def hostile_corpus(hostile):
    folder, table, _ = hostile
    return read_corpus([table, folder])


def expected_problems(folder: Path, table: Path) -> list[str]:
    """The documented one-line messages, in reading order (inputs sorted by path)."""
    return [
        f"{folder}/articles.jsonl:2: not JSON (Unterminated string starting at column 26); line skipped",
        f"{folder}/articles.jsonl:3: no text; map another field onto it with --columns NAME=text; skipped",
        f"{folder}/articles.jsonl:4: duplicate id 'wire-1' (different text); skipped, the first one read ({folder}/articles.jsonl:1) is kept",
        f"{folder}/articles.jsonl:5: a JSON list, not an object; line skipped",
        f"{folder}/articles.jsonl:6: 1 NUL character removed from the text",
        f"{folder}/binary.txt: binary data, not text",
        f"{folder}/blank.txt: empty file (only white space)",
        f"{folder}/empty.txt: empty file",
        f"{folder}/nav.html: no article text found in the page (only 2 words: 'Home World')",
        f"{folder}/nul.txt: 3 NUL characters removed from the text",
        f"{folder}/undecodable.txt: not UTF-8 (invalid start byte at byte 20) and no other encoding fits",
        f"{table}:6: 5 fields where the header has 3; row skipped",  # csv-1 spans lines 2-5
    ]


def test_every_problem_gets_its_one_line_message(hostile, hostile_corpus):
    folder, table, _ = hostile
    assert [str(p) for p in hostile_corpus.problems] == expected_problems(folder, table)
    warnings = [p for p in hostile_corpus.problems if not p.skipped]
    assert {p.reason for p in warnings} == {"NUL bytes removed"}


def test_every_good_document_survives(hostile, hostile_corpus):
    _, _, good = hostile
    docs = {d.id: d for d in hostile_corpus.documents}
    assert sorted(docs) == sorted([*good, "good/duran.html"])
    for doc_id, text in good.items():
        assert docs[doc_id].text == text, doc_id
    assert len(docs["big.txt"].text.encode()) > BIG_BYTES  # read whole: under the 100 MB default
    assert docs["wire-1"].outlet == "The Duran"
    assert docs["csv-1"].text.count("\n") == 3  # newlines inside a quoted CSV field are kept
    assert "Share on Facebook" not in docs["good/duran.html"].text


def test_size_limit_skips_and_names_the_option(hostile):
    folder, _, _ = hostile
    corpus = read_corpus(
        [folder / "big.txt", folder / "good"], options=ReadOptions.build(max_mb=10)
    )
    size = f"{(folder / 'big.txt').stat().st_size / 1e6:.1f}"
    assert [str(p) for p in corpus.problems] == [
        f"{folder}/big.txt: {size} MB is over the 10 MB limit per document; skipped (raise it with --max-mb)"
    ]
    assert [d.id for d in corpus.documents] == ["duran.html", "sputnik.txt"]


def test_cli_reports_each_problem_once_and_a_summary(runner, hostile):
    folder, table, good = hostile
    result = runner.invoke(main, ["info", str(folder), str(table), "--exclude", "big.txt"])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    for message in expected_problems(folder, table):
        assert lines.count(message) == 1, message
    assert (
        "skipped 10: 2 empty, 1 bad row, 1 binary, 1 duplicate id, 1 no article text, 1 no text, "
        "1 not JSON, 1 not an object, 1 undecodable" in lines
    )
    assert "warnings 2 (documents kept): 2 NUL bytes removed" in lines
    assert "not read 1: 1 excluded by --exclude" in lines
    assert f"documents  {len(good)}" in result.stdout  # the good ones, big.txt excluded


def test_strict_makes_the_first_problem_fatal(runner, hostile):
    folder, _table, _ = hostile
    result = runner.invoke(
        main, ["info", "--strict", str(folder / "good"), str(folder / "empty.txt")]
    )
    assert result.exit_code == 1
    assert (
        f"Error: {folder}/empty.txt: empty file (--strict makes any problem fatal)" in result.stderr
    )
    clean = runner.invoke(main, ["info", "--strict", str(folder / "good")])
    assert clean.exit_code == 0, clean.output


def test_truncated_warc_keeps_the_records_before_the_break(tmp_path):
    whole = (FIXTURES / "duran_crawl.warc.gz").read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole[: len(whole) - 200])  # the last record (the nav page) is cut
    corpus = read_corpus([cut])
    assert [d.id for d in corpus.documents] == [
        "https://theduran.com/us-colluded-with-isis-in-deir-ez-zor/"
    ]
    assert [str(p) for p in corpus.problems] == [
        f"{cut} (record https://theduran.com/category/world/): "
        "broken record without HTTP headers (is the file truncated?); skipped"
    ]


def test_a_file_that_is_not_jsonl_at_all_is_given_up_after_20_lines(tmp_path):
    path = tmp_path / "notes.jsonl"
    path.write_text(
        "".join(f"note {i}: call the wire desk\n" for i in range(100)), encoding="utf-8"
    )
    problems = read_corpus([path]).problems
    assert len(problems) == 21
    assert (
        str(problems[-1])
        == f"{path}:20: the first 20 lines are all unreadable; rest of the file skipped"
    )


def test_gzipped_jsonl_and_a_csv_without_a_text_column(tmp_path):
    import gzip

    packed = tmp_path / "wire.jsonl.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as handle:
        handle.write(
            json.dumps(
                {"id": "ap-1", "outlet": "AP", "text": "WASHINGTON (AP) — The Senate voted."}
            )
            + "\n"
        )
    table = tmp_path / "scrape.csv"
    table.write_text("id,publisher,body\n1,cnn.com,The summit began.\n", encoding="utf-8")
    corpus = read_corpus([packed, table])
    assert [(d.id, d.outlet) for d in corpus.documents] == [("ap-1", "AP")]
    assert [str(p) for p in corpus.problems] == [
        f"{table}:1: no 'text' column (columns: id, publisher, body); map one with --columns NAME=text; file skipped"
    ]
    mapped = read_corpus([table], columns="body=text")
    assert mapped.documents[0].text == "The summit began." and mapped.problems == []


def test_csv_row_in_another_encoding_is_kept_with_a_warning(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "id,text\n1,“Curly” UTF-8 row\n".encode()
        + "2,Fined £500 at the Old Bailey\n".encode("latin-1")
    )
    corpus = read_corpus([path])
    assert [d.text for d in corpus.documents] == [
        "“Curly” UTF-8 row",
        "Fined £500 at the Old Bailey",
    ]
    assert [str(p) for p in corpus.problems] == [
        f"{path}:3: not utf-8-sig; this row read as cp1252"
    ]


def test_links_and_pipes_in_a_folder(tmp_path):
    import os

    (tmp_path / "story.txt").write_text("A man was jailed for life at the Old Bailey.")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block for ever
    corpus = read_corpus([tmp_path])
    assert [d.id for d in corpus.documents] == ["story.txt"]
    assert [str(p) for p in corpus.problems] == [f"{tmp_path}/gone.txt: cannot read: broken link"]
    assert [i.reason for i in corpus.ignored] == ["not a regular file (a pipe or device)"]


def test_jsonl_lines_with_raw_nul_or_latin1_bytes_are_kept_with_warnings(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'{"id": "a", "text": "Fined \xa3500 at the Old Bailey"}\n'
        b'{"id": "b", "text": "A raw\x00NUL inside the string"}\n'
        + json.dumps({"id": "c", "text": "“Clean” UTF-8"}, ensure_ascii=False).encode()
        + b"\n"
    )
    corpus = read_corpus([path])
    assert [(d.id, d.text) for d in corpus.documents] == [
        ("a", "Fined £500 at the Old Bailey"),
        ("b", "A rawNUL inside the string"),
        ("c", "“Clean” UTF-8"),
    ]
    assert [str(p) for p in corpus.problems] == [
        f"{path}:1: not UTF-8; this line read as cp1252",
        f"{path}:2: 1 NUL character removed from the text",
    ]


def test_header_only_csv_and_blank_jsonl_are_reported_empty(tmp_path):
    (tmp_path / "header.csv").write_text("id,publisher,text\n", encoding="utf-8")
    (tmp_path / "blank.jsonl").write_text("\n\n   \n", encoding="utf-8")
    corpus = read_corpus([tmp_path / "header.csv", tmp_path / "blank.jsonl"])
    assert [str(p) for p in corpus.problems] == [
        f"{tmp_path}/blank.jsonl: empty file (only white space)",
        f"{tmp_path}/header.csv: no rows after the header",
    ]


def test_truncated_utf16_file_is_kept_with_a_warning(tmp_path):
    # A UTF-16 byte-order mark, two good characters, then half a code unit.
    (tmp_path / "cut.txt").write_bytes(b"\xff\xfeh\x00i\x00\x00")
    (tmp_path / "good.txt").write_text("A source has told Sputnik.", encoding="utf-8")
    corpus = read_corpus([tmp_path])
    texts = {d.id: d.text for d in corpus.documents}
    assert texts["good.txt"] == "A source has told Sputnik."
    assert texts["cut.txt"].startswith("hi")
    [warning] = corpus.problems
    assert not warning.skipped
    assert str(warning).endswith("cut.txt: 1 byte not valid UTF-16, replaced with U+FFFD")
