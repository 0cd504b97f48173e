"""Reading real corpora: folders with a manifest, encodings, JSONL, CSV/TSV, HTML and WARC."""

from __future__ import annotations

import codecs
import csv
import json
from pathlib import Path

import pytest

from conftest import find_span
from reprints.errors import ParameterError
from reprints.model import Document
from reprints.normalize import paragraph_spans, sentence_spans, tokenize
from reprints.read import (
    ReadOptions,
    iter_documents,
    iter_items,
    normalize_date,
    parse_columns,
    read_corpus,
)

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE_URL = "https://theduran.com/us-colluded-with-isis-in-deir-ez-zor/"
# Boilerplate around the article in the fixture page (see tests/fixtures/build_fixtures.py).
PAGE_BOILERPLATE = (
    "Subscribe to our newsletter",
    "Share on Facebook",
    "Send us €20 or more",
    "Will you help expose the lies",
    "Upvote",
    "Leave a Reply",
    "Your email address will not be published",
    "We use cookies",
    "All rights reserved",
    "The Syrian victory over terrorists",
)


def test_sample_folder_reads_manifest_fields_and_exact_text(sample_dir, sample_corpus):
    docs = {d.id: d for d in sample_corpus.documents}
    assert sorted(docs) == sorted(p.name for p in sample_dir.glob("*.txt"))
    assert sample_corpus.problems == [] and sample_corpus.ignored == []
    for doc_id, doc in docs.items():
        assert doc.text == (sample_dir / doc_id).read_text(encoding="utf-8")
    duran = docs["004_dc875d24e25a1aad.txt"]
    assert (duran.outlet, duran.date, duran.title) == (
        "The Duran",
        "2017-09-08",
        "US colluded with ISIS in Deir ez-Zor",
    )
    assert duran.meta["date_precision"] == "approximate" and "notes" in duran.meta
    assert {d.outlet for d in docs.values()} == {
        "Sputnik",
        "21st Century Wire",
        "SouthFront",
        "The Duran",
    }
    # The Sputnik page writes "Сomment" with a Cyrillic С; it must survive reading.
    assert "\u0421omment" in docs["000_01f78c86e39ec8cf.txt"].text


def test_encodings_bom_latin1_and_utf16_decode_to_the_same_text(tmp_path):
    text = "Sentenced at the Old Bailey and fined £500 for the café theft.\r\nNo-break\u00a0space."
    (tmp_path / "bom.txt").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    (tmp_path / "latin.txt").write_bytes(text.replace("\u00a0", " ").encode("latin-1"))
    (tmp_path / "utf16.txt").write_bytes(text.encode("utf-16"))
    docs = {d.id: d for d in read_corpus([tmp_path]).documents}
    assert docs["bom.txt"].text == text  # BOM dropped, CRLF and no-break space kept
    assert docs["utf16.txt"].text == text
    assert docs["latin.txt"].text == text.replace("\u00a0", " ")
    assert docs["latin.txt"].meta["encoding"] == "cp1252"
    assert "encoding" not in docs["bom.txt"].meta


def test_utf8_with_one_broken_byte_stays_utf8_with_a_warning(tmp_path):
    good = "Kwiatkowski’s “safer regions” claim, café"
    (tmp_path / "a.txt").write_bytes(good.encode("utf-8") + b" \xff end")
    corpus = read_corpus([tmp_path])
    assert corpus.documents[0].text == good + " \ufffd end"
    assert [str(p) for p in corpus.problems] == [
        f"{tmp_path}/a.txt: 1 byte not valid UTF-8, replaced with U+FFFD"
    ]
    assert not corpus.problems[0].skipped


def test_folder_outlet_falls_back_to_subfolder_and_manifest_wins(tmp_path):
    (tmp_path / "sputnik").mkdir()
    (tmp_path / "sputnik" / "a.txt").write_text(
        "US choppers transferred 20 Daesh field commanders."
    )
    (tmp_path / "sputnik" / "b.txt").write_text("The coalition's press office called it false.")
    (tmp_path / "loose.txt").write_text("A story at the top of the folder.")
    (tmp_path / "manifest.csv").write_text(
        "file,outlet,date,section\nsputnik/b.txt,Sputnik News,08/09/2017,world\n", encoding="utf-8"
    )
    corpus = read_corpus([tmp_path])
    docs = {d.id: d for d in corpus.documents}
    assert docs["sputnik/a.txt"].outlet == "sputnik"
    assert docs["sputnik/b.txt"].outlet == "Sputnik News"
    assert docs["sputnik/b.txt"].meta == {"section": "world", "date_raw": "08/09/2017"}
    assert docs["sputnik/b.txt"].date is None  # day or month first? not guessed
    assert docs["loose.txt"].outlet is None
    assert [str(p) for p in corpus.problems] == [
        f"{tmp_path}/sputnik/b.txt: date '08/09/2017' is not a date reprints can read; kept as meta date_raw"
    ]


def test_documentation_files_are_left_unread_unless_included(tmp_path):
    (tmp_path / "courts").mkdir()
    (tmp_path / "courts" / "readme.txt").write_text(
        "This directory contains PA copy on court cases."
    )
    (tmp_path / "LICENSE").write_text("Research use only.")
    (tmp_path / "courts" / "story1.txt").write_text("A man was jailed for life at the Old Bailey.")
    (tmp_path / "courts" / "story1.sub").write_text("TORY MP PR")
    corpus = read_corpus([tmp_path])
    assert [d.id for d in corpus.documents] == ["courts/story1.txt"]
    assert corpus.problems == []
    assert sorted(i.reason for i in corpus.ignored) == [
        "documentation (README*, LICENSE*, ...)",
        "documentation (README*, LICENSE*, ...)",
        "not a format reprints reads (.sub)",
    ]
    included = read_corpus([tmp_path], options=ReadOptions.build(include=["readme*"]))
    assert [d.id for d in included.documents] == ["courts/readme.txt", "courts/story1.txt"]
    excluded = read_corpus([tmp_path], options=ReadOptions.build(exclude=["courts/*"]))
    assert excluded.documents == []


def test_jsonl_fields_passim_series_alias_and_meta(tmp_path):
    lines = [
        {
            "id": "sputnik-1",
            "series": "Sputnik",
            "date": "2017-09-08T10:00:00Z",
            "text": "US choppers transferred 20 commanders.",
            "lang": "en",
        },
        {
            "id": 7,
            "outlet": "The Duran",
            "series": "theduran.com",
            "date": "Sep 8, 2017",
            "title": "US colluded",
            "text": "The source said so.",
        },
    ]
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    docs = read_corpus([path]).documents
    assert [d.id for d in docs] == ["7", "sputnik-1"]
    assert (docs[1].outlet, docs[1].date, dict(docs[1].meta)) == (
        "Sputnik",
        "2017-09-08T10:00:00+00:00",
        {"lang": "en"},
    )
    assert (docs[0].outlet, docs[0].date, docs[0].title) == (
        "The Duran",
        "2017-09-08",
        "US colluded",
    )
    assert docs[0].meta == {"series": "theduran.com"}


def test_csv_column_mapping_keeps_text_as_is(tmp_path):
    path = tmp_path / "helsinki.csv"
    text = 'Trump Plays Golf ### By Reuters ### TURNBERRY, Scotland — "No Trump!" they chanted'
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "publisher", "scrape_time", "text"])
        writer.writerow(["6", "nytimes.com", "2018-07-15T07:54:28-04:00", text])
    doc = read_corpus([path], columns="publisher=outlet,scrape_time=date").documents[0]
    assert (doc.id, doc.outlet, doc.date, doc.text) == (
        "6",
        "nytimes.com",
        "2018-07-15T07:54:28-04:00",
        text,
    )
    unmapped = read_corpus([path]).documents[0]
    assert unmapped.outlet is None and unmapped.meta == {
        "publisher": "nytimes.com",
        "scrape_time": "2018-07-15T07:54:28-04:00",
    }


def test_tsv_is_read_with_tabs(tmp_path):
    path = tmp_path / "wire.tsv"
    path.write_text(
        "id\toutlet\ttext\nap-1\tAP\tWASHINGTON (AP) — The Senate voted.\n", encoding="utf-8"
    )
    doc = read_corpus([path]).documents[0]
    assert (doc.id, doc.outlet, doc.text) == ("ap-1", "AP", "WASHINGTON (AP) — The Senate voted.")


def test_html_page_keeps_the_article_and_drops_the_boilerplate(sample_texts):
    corpus = read_corpus([FIXTURES / "duran_article.html"])
    assert corpus.problems == []
    doc = corpus.documents[0]
    assert (doc.id, doc.outlet, doc.date, doc.title, doc.url) == (
        "duran_article.html",
        "The Duran",
        "2017-09-08",
        "US colluded with ISIS in Deir ez-Zor",
        ARTICLE_URL,
    )
    for needle in PAGE_BOILERPLATE:
        assert needle not in doc.text
    seed = sample_texts["004_dc875d24e25a1aad.txt"]
    first, last = "A contemporary version", "may be occurring in Syria."
    article = seed[seed.index(first) : seed.index(last) + len(last)]
    # Every paragraph, character for character, except that trafilatura turns no-break
    # spaces into spaces (documented in docs/read.md).
    assert doc.text.endswith(article.replace("\u00a0", " "))
    start, end = find_span(
        doc.text, "a ‘US Air Force helicopter’ had evacuated 2 Daesh field commanders"
    )
    assert (
        doc.text[start:end] == "a ‘US Air Force helicopter’ had evacuated 2 Daesh field commanders"
    )


def test_warc_reads_the_html_response_by_its_uri_and_leaves_the_rest_out():
    corpus = read_corpus([FIXTURES / "duran_crawl.warc.gz"])
    page = read_corpus([FIXTURES / "duran_article.html"]).documents[0]
    assert [d.id for d in corpus.documents] == [ARTICLE_URL]
    doc = corpus.documents[0]
    assert (doc.text, doc.outlet, doc.date, doc.url) == (
        page.text,
        "The Duran",
        "2017-09-08",
        ARTICLE_URL,
    )
    assert [str(p) for p in corpus.problems] == [
        f"{FIXTURES / 'duran_crawl.warc.gz'} (record https://theduran.com/category/world/): "
        "no article text found in the page (only menus, widgets or nothing)"
    ]
    assert sorted(i.reason for i in corpus.ignored) == [
        "WARC response that is not HTML (image/png)",
        "WARC response with HTTP status 301",
    ]


def test_read_offsets_slice_back_to_the_file_text(sample_dir):
    for doc in read_corpus([sample_dir, FIXTURES / "duran_article.html"]).documents:
        tokens = tokenize(doc.text)
        for start, end in zip(tokens.starts.tolist(), tokens.ends.tolist(), strict=False):
            assert doc.text[start:end].strip() == doc.text[start:end] != ""
        for start, end in sentence_spans(doc.text):
            assert 0 <= start < end <= len(doc.text)
    sputnik = next(d for d in read_corpus([sample_dir]).documents if d.outlet == "Sputnik")
    raw = (sample_dir / sputnik.id).read_bytes().decode("utf-8")
    tokens = tokenize(sputnik.text)
    assert all(
        raw[s:e] == sputnik.text[s:e]
        for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist(), strict=False)
    )


def test_iter_documents_is_lazy(tmp_path):
    (tmp_path / "a.txt").write_text("The first article, read before the second exists.")
    items = iter_documents([tmp_path / "a.txt", tmp_path / "b.txt"])
    assert next(items).id == "a.txt"
    (tmp_path / "b.txt").write_text("The second article, written after reading began.")
    assert next(items).id == "b.txt"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2017-09-08", "2017-09-08"),
        ("2018-07-15T07:54:28-04:00", "2018-07-15T07:54:28-04:00"),
        ("2018-07-15 07:54:28", "2018-07-15T07:54:28"),
        ("2018-07-15T07:54:28Z", "2018-07-15T07:54:28+00:00"),
        ("2018/7/15", "2018-07-15"),
        ("20180715", "2018-07-15"),
        ("2018-07", "2018-07"),
        ("Sun, 15 Jul 2018 07:54:28 GMT", "2018-07-15T07:54:28+00:00"),
        ("15 July 2018", "2018-07-15"),
        ("Sunday, July 15th, 2018", "2018-07-15"),
        ("Sept. 7, 2017", "2017-09-07"),
        ("Aug. 26", None),
        ("07/08/2018", None),
        ("2018-02-30", None),
        ("yesterday", None),
    ],
)
def test_normalize_date(raw, iso):
    assert normalize_date(raw) == iso


def test_parse_columns_names_the_bad_part():
    assert parse_columns("publisher=outlet, scrape_time=date") == {
        "publisher": "outlet",
        "scrape_time": "date",
    }
    with pytest.raises(ParameterError, match="'publisher' is not SOURCE=FIELD"):
        parse_columns("publisher")
    with pytest.raises(ParameterError, match="'source' is not a document field"):
        parse_columns("publisher=source")


def test_parquet_rows_with_column_mapping(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "part.0.parquet"
    table = pa.table(
        {
            "id": ["ap-1", "ap-2", "rt-1"],
            "publisher": ["AP", "AP", "Reuters"],
            "text": [
                "WASHINGTON (AP) — The Senate voted.",
                "",
                "MOSCOW (Reuters) - The Kremlin said.",
            ],
            "words": [5, 0, 5],
        }
    )
    pq.write_table(table, path)
    corpus = read_corpus([tmp_path], columns="publisher=outlet")
    assert [(d.id, d.outlet, dict(d.meta)) for d in corpus.documents] == [
        ("ap-1", "AP", {"words": 5}),
        ("rt-1", "Reuters", {"words": 5}),
    ]
    assert [str(p) for p in corpus.problems] == [
        f"{tmp_path}/part.0.parquet:2: empty text; skipped"
    ]


def test_worker_processes_give_the_same_items_in_the_same_order(tmp_path, sample_dir):
    crawl = tmp_path / "crawl"
    (crawl / "pages").mkdir(parents=True)
    for name in ("duran_article.html", "duran_crawl.warc.gz"):
        (crawl / "pages" / name).write_bytes((FIXTURES / name).read_bytes())
    (crawl / "pages" / "copy.html").write_bytes((FIXTURES / "duran_article.html").read_bytes())
    for seed in sorted(sample_dir.glob("*.txt"))[:2]:
        (crawl / seed.name).write_bytes(seed.read_bytes())
    (crawl / "wire.jsonl").write_text(
        json.dumps({"id": "wire-1", "text": "US choppers transferred 20 Daesh field commanders."})
        + "\n",
        encoding="utf-8",
    )
    serial = list(iter_items([crawl]))
    parallel = list(iter_items([crawl], jobs=2))
    assert serial == parallel
    assert sum(isinstance(item, Document) for item in serial) == 6


def test_sputnik_page_leaves_out_its_comment_policy_captions_and_related_links(sample_texts):
    doc = read_corpus([FIXTURES / "sputnik_article.html"]).documents[0]
    assert (doc.outlet, doc.date) == ("Sputnik International", "2017-09-09")
    for needle in (
        "Community standards",
        "A user comment will be deleted if it",
        "moderator@sputniknews.com",
        "© Flickr",
        "Get short URL",
        "'Trump Must Comment'",
        "Comment via Facebook",
        "Tags:",
        "Register",
    ):
        assert needle not in doc.text, needle
    seed = sample_texts["000_01f78c86e39ec8cf.txt"].replace("\u00a0", " ")
    paragraphs = doc.text.split("\n\n")
    assert (
        paragraphs[0]
        == "Alleged US Evacuation of Daesh Field Commanders: 'We Are Rescuing Our Allies'"
    )
    assert len(paragraphs) == 14  # the headline and all 13 paragraphs of the article
    for paragraph in paragraphs[1:]:
        assert paragraph in seed  # the article's own words, each paragraph whole


PARAGRAPH_MARK_TEXT = (
    "Summit ends without a deal ### By Anna Berg, Nordic Times ### HELSINKI — The two leaders "
    "met for two hours. They spoke through interpreters. ### “We had a frank talk,” the "
    "president said. ### ### Talks will resume in the autumn, officials said.###"
)


def write_marked_csv(tmp_path: Path) -> Path:
    path = tmp_path / "flattened.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "publisher", "text"])
        writer.writerow(["n1", "Nordic Times", PARAGRAPH_MARK_TEXT])
    return path


def test_paragraph_mark_breaks_paragraphs_and_leaves_the_text_as_read(tmp_path):
    path = write_marked_csv(tmp_path)
    options = ReadOptions.build("publisher=outlet", paragraph_mark="###")
    doc = read_corpus([path], options=options).documents[0]
    assert doc.text == PARAGRAPH_MARK_TEXT  # the marks stay in the text: offsets are into it
    assert doc.paragraph_mark == "###"
    paragraphs = [doc.text[s:e] for s, e in paragraph_spans(doc.text, doc.paragraph_mark)]
    assert paragraphs == [
        "Summit ends without a deal",
        "By Anna Berg, Nordic Times",
        "HELSINKI — The two leaders met for two hours. They spoke through interpreters.",
        "“We had a frank talk,” the president said.",
        "Talks will resume in the autumn, officials said.",
    ]
    sentences = [doc.text[s:e] for s, e in sentence_spans(doc.text, doc.paragraph_mark)]
    assert "They spoke through interpreters." in sentences
    assert not [s for s in sentences if "###" in s]
    # without the option the whole record is one paragraph, marks and all
    plain = read_corpus([path]).documents[0]
    assert plain.paragraph_mark is None and plain.text == doc.text
    assert len(paragraph_spans(plain.text, plain.paragraph_mark)) == 1


def test_paragraph_mark_option_reaches_the_results(runner, tmp_path):
    from reprints.cli import main
    from reprints.store import load_results

    path = write_marked_csv(tmp_path)
    out = tmp_path / "out"
    run = runner.invoke(main, ["quotes", str(path), "--paragraph-mark", "###", "--out", str(out), "-q"])
    assert run.exit_code == 0, run.output
    [doc] = load_results(out).documents
    assert (doc.paragraph_mark, doc.text) == ("###", PARAGRAPH_MARK_TEXT)
    blank = runner.invoke(main, ["info", str(path), "--paragraph-mark", "  "])
    assert blank.exit_code == 2 and "--paragraph-mark" in blank.output
