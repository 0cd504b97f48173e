"""Invariants of reading (hypothesis): exact text, stable ids and order, offsets into the original."""

from __future__ import annotations

import codecs
import csv
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reprints.normalize import fold, paragraph_spans, sentence_spans, tokenize
from reprints.read import iter_documents, read_corpus

SAMPLE = Path(__file__).parent.parent / "sample_data"
SEED_PARAGRAPHS = sorted(
    {
        p
        for f in SAMPLE.glob("*.txt")
        for p in f.read_text(encoding="utf-8").split("\n\n")
        if p.strip()
    }
)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any text a file can hold, except NUL (removed on purpose), lone surrogates (not encodable)
# and a leading U+FEFF (indistinguishable from a byte order mark, which is dropped).
any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1
).filter(lambda t: not t.isspace() and not t.startswith("\ufeff"))
# Real news text with its no-break spaces, curly quotes and Cyrillic lookalikes, glued together.
news_text = st.lists(st.sampled_from(SEED_PARAGRAPHS), min_size=1, max_size=4).map("\n\n".join)
article_text = st.one_of(any_text, news_text)
names = st.text(alphabet="abcdefghij0123456789-_", min_size=1, max_size=8)


def assert_offsets_are_original(original: str, text: str) -> None:
    tokens = tokenize(text)
    for i, (start, end) in enumerate(
        zip(tokens.starts.tolist(), tokens.ends.tolist(), strict=False)
    ):
        assert original[start:end] == text[start:end]
        assert fold(original[start:end]) == tokens.norms[i]
    for start, end in sentence_spans(text):
        assert original[start:end] == text[start:end]


@SETTINGS
@given(text=article_text, bom=st.booleans())
def test_a_text_file_reads_back_exactly(text, bom):
    with tempfile.TemporaryDirectory() as tmp:
        raw = text.encode("utf-8")
        (Path(tmp) / "a.txt").write_bytes(codecs.BOM_UTF8 + raw if bom else raw)
        corpus = read_corpus([tmp])
    assert corpus.problems == []
    assert corpus.documents[0].text == text
    assert_offsets_are_original(text, corpus.documents[0].text)


@SETTINGS
@given(text=article_text, doc_id=names)
def test_jsonl_and_csv_records_read_back_exactly(text, doc_id):
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = Path(tmp) / "a.jsonl"
        jsonl.write_text(json.dumps({"id": doc_id, "text": text}) + "\n", encoding="utf-8")
        table = Path(tmp) / "b.csv"
        with table.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([["id", "text"], [doc_id + "-csv", text]])
        corpus = read_corpus([jsonl, table])
    assert corpus.problems == []
    assert [(d.id, d.text) for d in corpus.documents] == sorted(
        [(doc_id, text), (doc_id + "-csv", text)]
    )


@st.composite
def corpora(draw):
    """Documents spread over a folder (nested), and two JSONL files; plus a shuffled write order."""
    ids = draw(st.lists(names, min_size=1, max_size=8, unique=True))
    files = {}
    for doc_id in ids:
        folder = draw(st.sampled_from(["", "sputnik/", "duran/2017/"]))
        files[f"{folder}{doc_id}.txt"] = draw(article_text)
    records = draw(st.lists(st.tuples(names, article_text), max_size=6, unique_by=lambda r: r[0]))
    split = draw(st.integers(0, len(records)))
    order = draw(st.permutations(sorted(files)))
    return files, records[:split], records[split:], order


def write_corpus(root: Path, files, first, second, order) -> list[Path]:
    folder = root / "folder"
    for rel in order:  # creation order varies between examples
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(files[rel], encoding="utf-8")
    paths = [folder]
    for name, records in (("one.jsonl", first), ("two.jsonl", second)):
        path = root / name
        path.write_text(
            "".join(json.dumps({"id": f"j-{i}", "text": t}) + "\n" for i, t in records),
            encoding="utf-8",
        )
        paths.append(path)
    return paths


@SETTINGS
@given(corpus=corpora(), path_order=st.permutations([0, 1, 2]))
def test_ids_and_order_do_not_depend_on_input_order_and_reading_twice_agrees(corpus, path_order):
    files, first, second, order = corpus
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        paths_a = write_corpus(Path(a), files, first, second, sorted(files))
        paths_b = write_corpus(Path(b), files, first, second, order)
        shuffled = [paths_b[i] for i in path_order]
        once = read_corpus(paths_a)
        twice = read_corpus(paths_a)
        other = read_corpus(shuffled)
        streamed = [d.id for d in iter_documents(paths_a) if hasattr(d, "id")]
        streamed_shuffled = [d.id for d in iter_documents(shuffled) if hasattr(d, "id")]
    expected = sorted([*files, *(f"j-{i}" for i, _ in first + second)])
    assert [d.id for d in once.documents] == expected
    assert once.documents == twice.documents == other.documents
    assert [dict(d.meta) for d in once.documents] == [dict(d.meta) for d in other.documents]
    assert streamed == streamed_shuffled
    texts = {**files, **{f"j-{i}": t for i, t in first + second}}
    for doc in once.documents:
        assert doc.text == texts[doc.id]
        assert doc.outlet == (doc.id.split("/")[0] if "/" in doc.id else None)


@SETTINGS
@given(pieces=st.lists(article_text, min_size=1, max_size=4), mark=st.sampled_from(["###", "¶", " | "]))
def test_a_paragraph_mark_splits_paragraphs_at_exact_offsets(pieces, mark):
    pieces = [p.translate({ord(c): None for c in mark.strip()}) for p in pieces]
    text = mark.join(pieces)
    marked = paragraph_spans(text, mark)
    assert marked == sorted(marked)
    assert all(0 <= s < e <= len(text) and mark not in text[s:e] for s, e in marked)
    # each piece between marks is paragraphed on its own, at its place in the text
    expected, offset = [], 0
    for piece in pieces:
        expected += [(offset + s, offset + e) for s, e in paragraph_spans(piece)]
        offset += len(piece) + len(mark)
    assert marked == expected
    assert not [text[s:e] for s, e in sentence_spans(text, mark) if mark in text[s:e]]
