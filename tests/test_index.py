"""The persistent index: the seed query, idempotent adds, replacement, removal, parameters, CLI."""

from __future__ import annotations

import itertools
import json
import random
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import find_span, shared_gold
from reprints.cli import main
from reprints.errors import ParameterError, ResultsError
from reprints.index import Index, window_band_keys
from reprints.model import Document
from reprints.normalize import tokenize
from reprints.params import Params

DURAN = "004_dc875d24e25a1aad.txt"
SPUTNIK = "000_01f78c86e39ec8cf.txt"
WIRE21 = "001_ea1662580eef0643.txt"


def _others(sample_corpus) -> list[Document]:
    return [d for d in sample_corpus.documents if d.id != DURAN]


def _duran(sample_corpus) -> Document:
    return next(d for d in sample_corpus.documents if d.id == DURAN)


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory, sample_corpus):
    path = tmp_path_factory.mktemp("index") / "seeds.db"
    with Index.create(path) as index:
        index.add(_others(sample_corpus))
    return path


def _overlaps(match, doc_x, span_x, doc_y, span_y) -> bool:
    for x, y in ((match.a, match.b), (match.b, match.a)):
        if (x.doc, y.doc) == (doc_x, doc_y) and x.start < span_x[1] and span_x[0] < x.end \
                and y.start < span_y[1] and span_y[0] < y.end:
            return True
    return False


GOLD_LINKS = {
    # id: (doc x, text in x, doc y, text in y), from ../shared/seeds/gold.json
    "L1": (
        WIRE21,
        "a military and diplomatic source told Sputnik News that the first such extraction took place on August 26th",
        DURAN,
        "The source said that on August 26, a ‘US Air Force helicopter’ had evacuated 2 Daesh field commanders",
    ),
    "L2": (
        WIRE21,
        "Then two days later, US choppers are said to have returned to transfer another 20 ISIS field commanders",
        DURAN,
        "According to his data, two days later, US choppers transferred 20 Daesh field commanders",
    ),
    "L9": (
        DURAN,
        "Sputnik has reported that a presently undisclosed sources has reported that the US air-force used helicopters",
        SPUTNIK,
        "A source has told Sputnik that US Air Force aircraft had evacuated a group of nearly two dozen Daesh (ISIS) field commanders",
    ),
}


def test_duran_query_returns_its_sputnik_and_21st_century_wire_passages(seed_index, sample_corpus, sample_texts):
    duran = _duran(sample_corpus)
    with Index.open(seed_index) as index:
        matches = index.query(duran.text, outlet=duran.outlet, date=duran.date, doc_id=DURAN)
    for link, (doc_x, text_x, doc_y, text_y) in GOLD_LINKS.items():
        span_x = find_span(sample_texts[doc_x], text_x)
        span_y = find_span(sample_texts[doc_y], text_y)
        assert any(_overlaps(m, doc_x, span_x, doc_y, span_y) for m in matches), link
    # Offsets slice the query and the stored source texts; the unrelated 2015 piece is absent.
    texts = {**sample_texts}
    for m in matches:
        assert "003" not in (m.a.doc[:3], m.b.doc[:3])
        assert m.a.doc < m.b.doc
        assert texts[m.a.doc][m.a.start : m.a.end].strip()
        assert texts[m.b.doc][m.b.start : m.b.end].strip()


def test_gold_links_agree_with_shared_gold():
    gold = shared_gold()
    if gold is None:
        pytest.skip("../shared/seeds/gold.json not present")
    by_id = {link["id"]: link for link in gold["links"]}
    for link, (doc_x, text_x, doc_y, _) in GOLD_LINKS.items():
        files = {by_id[link]["a"]["file"]: by_id[link]["a"]["text"], by_id[link]["b"]["file"]: by_id[link]["b"]["text"]}
        assert set(files) == {doc_x, doc_y}
        assert " ".join(files[doc_x].split()).startswith(" ".join(text_x.split())[:40])


def test_query_sets_direction_from_dates(seed_index, sample_corpus):
    duran = _duran(sample_corpus)
    with Index.open(seed_index) as index:
        dated = index.query(duran.text, date="2017-09-20", doc_id=DURAN)
        undated = index.query(duran.text, doc_id=DURAN)
    assert dated and all(m.direction == "a->b" for m in dated)  # the sources come first by id and date
    assert all(m.direction == "undirected" for m in undated)


def test_adding_again_skips_everything(tmp_path, sample_corpus):
    path = tmp_path / "x.db"
    with Index.create(path) as index:
        first = index.add(_others(sample_corpus), batch_size=2)
        again = index.add(_others(sample_corpus), batch_size=3)
        assert (first.added, first.batches) == (4, 2)
        assert (again.added, again.replaced, again.unchanged) == (0, 0, 4)
        assert len(index) == 4
        assert index.check() == []


def test_changed_text_replaces_the_old_document(tmp_path, sample_corpus):
    path = tmp_path / "x.db"
    duran = _duran(sample_corpus)
    sputnik = next(d for d in sample_corpus.documents if d.id == SPUTNIK)
    with Index.create(path) as index:
        index.add([Document("story", sputnik.text, outlet="Sputnik")])
        before = index.stats().band_keys
        report = index.add([Document("story", duran.text, outlet="The Duran")])
        assert (report.added, report.replaced) == (0, 1)
        assert index.document("story").text == duran.text
        assert index.document("story").outlet == "The Duran"
        assert index.stats().band_keys != before
        assert index.check() == []
        # The old text is gone from both channels: querying it finds only what Duran shares.
        own = index.query(duran.text, doc_id="other")
        assert own and max(m.verbatim_words for m in own) > 100


def test_remove_deletes_documents_and_their_keys(tmp_path, sample_corpus):
    path = tmp_path / "x.db"
    with Index.create(path) as index:
        index.add(_others(sample_corpus))
        missing = index.remove([WIRE21, "nope.txt"])
        assert missing == ["nope.txt"]
        assert WIRE21 not in index and len(index) == 3
        assert index.check() == []
        duran = _duran(sample_corpus)
        assert all(WIRE21 not in (m.a.doc, m.b.doc) for m in index.query(duran.text, doc_id=DURAN))


def test_query_with_other_parameters_says_how_to_fix_it(seed_index):
    with pytest.raises(ParameterError, match=r"index was built with num_perm=128, not 256; rebuild it or pass --num-perm 128"):
        Index.open(seed_index, Params(num_perm=256))
    # Alignment knobs may differ per query.
    Index.open(seed_index, Params(reword_threshold=0.6)).close()


def test_open_refuses_missing_and_foreign_files(tmp_path):
    with pytest.raises(ResultsError, match="create one with"):
        Index.open(tmp_path / "none.db")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ResultsError, match="not a reprints index"):
        Index.open(other)
    with pytest.raises(ParameterError, match="already exists"):
        Index.create(other)


def test_no_pickle_in_the_file(seed_index):
    raw = seed_index.read_bytes()
    assert b"\x80\x04\x95" not in raw and b"\x80\x05\x95" not in raw  # pickle protocol 4/5 frames
    db = sqlite3.connect(seed_index)
    params = json.loads(db.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()[0])
    assert params["num_perm"] == 128
    db.close()


def test_stored_windows_are_found_by_dense_query_windows(sample_texts):
    """Every stored key of a text is among the keys of its own dense query windows' text."""
    params = Params()
    tokens = tokenize(sample_texts[SPUTNIK])
    stored = set(window_band_keys(tokens, params, stride=params.index_stride).tolist())
    dense = set(window_band_keys(tokens, params, stride=params.query_stride).tolist())
    assert stored and len(stored - dense) <= len(stored) // 10  # only the moved-back tail window may differ


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000))
def test_query_does_not_depend_on_add_order(tmp_path_factory, sample_corpus, seed):
    docs = _others(sample_corpus)
    random.Random(seed).shuffle(docs)
    path = tmp_path_factory.mktemp("order") / "x.db"
    with Index.create(path) as index:
        index.add(docs, batch_size=1 + seed % 3)
        duran = _duran(sample_corpus)
        got = index.query(duran.text, doc_id=DURAN, date=duran.date)
    reference_path = tmp_path_factory.mktemp("ref") / "x.db"
    with Index.create(reference_path) as index:
        index.add(_others(sample_corpus))
        expected = index.query(duran.text, doc_id=DURAN, date=duran.date)
    assert got == expected


# --- command line ---------------------------------------------------------------------


def test_cli_create_add_query_stats_remove(runner, tmp_path, sample_dir, sample_texts):
    path = str(tmp_path / "news.db")
    corpus = tmp_path / "four"
    corpus.mkdir()
    for name, text in sample_texts.items():
        if name != DURAN:
            (corpus / name).write_text(text, encoding="utf-8")
    assert runner.invoke(main, ["index", "create", path]).exit_code == 0
    added = runner.invoke(main, ["index", "add", path, str(corpus), str(tmp_path / "missing")])
    assert added.exit_code == 0, added.output
    assert "missing" in added.output  # one line naming the bad input; the rest is indexed
    assert "4 added" in added.output
    again = runner.invoke(main, ["index", "add", path, str(corpus), "-q"])
    assert "0 added, 0 replaced, 4 unchanged" in again.output

    result = runner.invoke(main, ["index", "query", path, str(sample_dir / DURAN), "--json", "--date", "2017-09-08"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)  # one JSON object, as POST /query of `reprints serve`
    assert set(answer) == {"query", "sources", "matches", "quotes"}
    assert answer["query"]["id"] == DURAN and answer["query"]["date"] == "2017-09-08"
    matches = answer["matches"]
    assert {"a", "b", "kind", "score", "edits", "direction", "credited"} <= set(matches[0])
    sources = {m["a"]["doc"] for m in matches} | {m["b"]["doc"] for m in matches}
    assert {SPUTNIK, WIRE21, DURAN} <= sources
    for m in matches:
        for side in ("a", "b"):
            assert sample_texts[m[side]["doc"]][m[side]["start"] : m[side]["end"]] == m[side]["text"]
    # Each source once, with the words it gave, most first; the figures add up to the matches.
    listed = answer["sources"]
    assert {s["id"] for s in listed} == sources - {DURAN}
    totals = [s["verbatim_words"] + s["reworded_words"] for s in listed]
    assert totals == sorted(totals, reverse=True)
    for s in listed:
        own = [m for m in matches if s["id"] in (m["a"]["doc"], m["b"]["doc"])]
        assert s["passages"] == len(own)
        assert s["verbatim_words"] == sum(m["verbatim_words"] for m in own)
    assert {q["doc"] for q in answer["quotes"]} <= sources

    view = runner.invoke(main, ["index", "query", path, "-", "--id", "new"], input=sample_texts[DURAN])
    assert view.exit_code == 0
    assert "21st Century Wire" in view.output and "Sputnik" in view.output

    stats = runner.invoke(main, ["index", "stats", path, "--json", "--check"])
    figures = json.loads(stats.output)
    assert figures["documents"] == 4 and figures["problems"] == []

    removed = runner.invoke(main, ["index", "remove", path, WIRE21])
    assert removed.exit_code == 0 and "1 removed" in removed.output
    assert json.loads(runner.invoke(main, ["index", "stats", path, "--json"]).output)["documents"] == 3


def test_cli_refuses_other_parameters(runner, tmp_path, sample_dir):
    path = str(tmp_path / "news.db")
    created = runner.invoke(main, ["index", "create", path, "--num-perm", "256", "--bands", "64"])
    assert created.exit_code == 0, created.output
    result = runner.invoke(main, ["index", "add", path, str(sample_dir), "--num-perm", "128"])
    assert result.exit_code != 0
    assert "index was built with num_perm=256, not 128; rebuild it or pass --num-perm 256" in result.output


def test_cli_strict_stops_on_bad_input(runner, tmp_path):
    path = str(tmp_path / "news.db")
    runner.invoke(main, ["index", "create", path])
    result = runner.invoke(main, ["index", "add", path, str(tmp_path / "gone.txt"), "--strict"])
    assert result.exit_code != 0 and "gone.txt" in result.output


@pytest.mark.parametrize("sub", ["create", "add", "query", "stats", "remove"])
def test_every_index_command_has_help(runner, sub):
    result = runner.invoke(main, ["index", sub, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_worker_processes_build_the_same_index(tmp_path, sample_corpus):
    docs = _others(sample_corpus)
    tables = []
    for jobs in (1, 2):
        path = tmp_path / f"jobs{jobs}.db"
        with Index.create(path) as index:
            report = index.add(docs, batch_size=3, jobs=jobs)
            assert report.added == 4
        db = sqlite3.connect(path)
        tables.append((
            db.execute("SELECT id, content_hash, words, keys FROM documents ORDER BY id").fetchall(),
            db.execute("SELECT key, docno FROM bands ORDER BY key, docno").fetchall(),
        ))
        db.close()
    assert tables[0] == tables[1]


def test_same_id_twice_in_one_add_keeps_the_last_text(tmp_path, sample_texts):
    path = tmp_path / "x.db"
    first, second = sample_texts[SPUTNIK], sample_texts[WIRE21]
    with Index.create(path) as index:
        report = index.add(
            [Document("x", first), Document("y", first), Document("x", second), Document("x", second)],
            batch_size=2,
        )
        assert (report.added, report.replaced, report.unchanged) == (2, 1, 1)
        assert index.document("x").text == second
        assert index.check() == []


def test_date_window_leaves_out_articles_too_far_apart(seed_index, sample_corpus):
    duran = _duran(sample_corpus)
    with Index.open(seed_index, Params(date_window_days=30)) as index:
        near = index.query(duran.text, date="2017-09-08", doc_id=DURAN)
        far = index.query(duran.text, date="2019-06-01", doc_id=DURAN)
    assert {m.a.doc for m in near} >= {SPUTNIK, WIRE21}
    assert far == []


def test_band_keys_moved_to_the_large_table_still_find_sources(tmp_path, sample_corpus, sample_texts, monkeypatch):
    """Keys merged from recent_bands into bands in bulk are found as before, and removal reaches both."""
    import reprints.index as index_module

    duran = _duran(sample_corpus)
    with Index.create(tmp_path / "recent.db") as index:
        index.add(_others(sample_corpus))
        expected = index.query(duran.text, doc_id=DURAN)
    monkeypatch.setattr(index_module, "RECENT_BAND_ROWS", 100)
    path = tmp_path / "merged.db"
    with Index.create(path) as index:
        index.add(_others(sample_corpus), batch_size=1)
        db = sqlite3.connect(path)
        merged, recent = db.execute(
            "SELECT (SELECT count(*) FROM bands), (SELECT count(*) FROM recent_bands)"
        ).fetchone()
        db.close()
        assert merged > 0 and recent < 100
        assert index.check() == []
        assert index.query(duran.text, doc_id=DURAN) == expected
        index.remove([SPUTNIK])
        assert index.check() == []
        assert all(SPUTNIK not in (m.a.doc, m.b.doc) for m in index.query(duran.text, doc_id=DURAN))


def test_query_idf_uses_the_columns_of_the_tfidf_model(seed_index):
    """The index sets IDF in the hashed columns reprints.tfidf vectorises each term into."""
    from reprints.tfidf import BIGRAM_BUCKETS, UNIGRAM_BUCKETS, _term_counts

    terms = ["deir", "ez-zor", "commanders", "26", "helicopter"]
    pairs = [f"{x} {y}" for x, y in itertools.pairwise(terms)]
    with Index.open(seed_index) as index:
        columns = index._buckets(terms, UNIGRAM_BUCKETS, 0)
        pair_columns = index._buckets(pairs, BIGRAM_BUCKETS, UNIGRAM_BUCKETS)
    expected = sorted(_term_counts([terms]).indices.tolist())
    assert sorted(columns.tolist() + pair_columns.tolist()) == expected


def test_a_pair_aligns_the_same_whatever_other_candidates_come(seed_index, sample_corpus):
    """IDF comes from the index, not from the query's candidates: aligning only the best
    candidate gives the same passages with it as aligning all of them."""
    duran = _duran(sample_corpus)
    with Index.open(seed_index, Params(index_candidates=1)) as index:
        alone = index.query(duran.text, doc_id=DURAN)
    with Index.open(seed_index) as index:
        everything = index.query(duran.text, doc_id=DURAN)
    sources = {m.a.doc for m in alone} | {m.b.doc for m in alone}
    assert len(sources) == 2 and len({m.a.doc for m in everything} | {m.b.doc for m in everything}) > 2
    assert [m for m in everything if {m.a.doc, m.b.doc} == sources] == alone


def test_an_index_of_another_schema_version_says_how_to_rebuild(tmp_path, sample_corpus):
    path = tmp_path / "old.db"
    Index.create(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(ResultsError, match=r"schema version 1.*rebuild it with `reprints index create` and `reprints index add`"):
        Index.open(path)


def test_a_reader_sees_frequencies_another_process_changed(tmp_path, sample_corpus):
    """An open index reads document frequencies again once another connection has added."""
    duran = _duran(sample_corpus)
    path = tmp_path / "x.db"
    others = _others(sample_corpus)
    with Index.create(path) as writer:
        writer.add(others[:2])
    with Index.open(path) as reader:
        reader.query(duran.text, doc_id=DURAN)  # fills its frequency cache
        with Index.open(path) as writer:
            writer.add(others[2:])
        after = reader.query(duran.text, doc_id=DURAN)
    with Index.open(path) as fresh:
        assert after == fresh.query(duran.text, doc_id=DURAN)


def test_word_lists_merged_from_many_batches_find_the_same_sources(tmp_path, sample_corpus, monkeypatch):
    """Word lists appended batch by batch and merged in bulk answer as one batch's do; removal reaches them."""
    import reprints.index as index_module

    duran = _duran(sample_corpus)
    with Index.create(tmp_path / "one.db") as index:
        index.add(_others(sample_corpus))
        expected = index.query(duran.text, doc_id=DURAN)
        assert index.candidates(duran.text)
    monkeypatch.setattr(index_module, "POSTING_PARTS", 3)
    path = tmp_path / "merged.db"
    with Index.create(path) as index:
        index.add(_others(sample_corpus), batch_size=1)
        db = sqlite3.connect(path)
        (merged, recent) = db.execute(
            "SELECT (SELECT count(*) FROM postings WHERE part = 0), (SELECT count(*) FROM postings WHERE part > 0)"
        ).fetchone()
        db.close()
        assert merged > 0 and recent > 0  # four batches: three merged, one appended since
        assert index.check() == []
        assert index.query(duran.text, doc_id=DURAN) == expected
        index.remove([SPUTNIK])
        assert index.check() == []
        assert all(SPUTNIK not in (m.a.doc, m.b.doc) for m in index.query(duran.text, doc_id=DURAN))


def test_a_word_held_by_more_articles_than_the_cap_loses_its_list(tmp_path, sample_corpus):
    """With index_word_cap 1, only words of a single article keep a list, and those lists are complete."""
    from reprints.index import _term_keys, decode_docnos

    path = tmp_path / "cap.db"
    with Index.create(path, Params(index_word_cap=1)) as index:
        index.add(_others(sample_corpus), batch_size=2)
        assert index.check() == []
    db = sqlite3.connect(path)
    lists = db.execute("SELECT word, docnos FROM postings").fetchall()
    frequency = dict(db.execute("SELECT word, docs FROM words").fetchall())
    db.close()
    assert lists
    for word, blob in lists:
        assert frequency[word] == 1 and len(decode_docnos([blob])[0]) == 1
    # "sputnik" is in three of the four articles: no list; the index still answers from bands.
    (sputnik,) = _term_keys(["sputnik"])
    assert frequency[sputnik] == 3 and sputnik not in {w for w, _ in lists}


@settings(deadline=None)  # the first example loads the compiled kernels
@given(st.lists(st.lists(st.integers(0, 2**40), max_size=30).map(lambda x: sorted(set(x))), max_size=6))
def test_article_number_lists_come_back_as_written(runs):
    import numpy as np

    from reprints.index import decode_docnos, encode_docnos, encode_runs

    values = np.array([v for run in runs for v in run], dtype=np.int64)
    counts = np.array([len(run) for run in runs], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if runs else counts
    blobs = encode_runs(values, starts, counts)
    assert blobs == [encode_docnos(np.array(run, dtype=np.int64)) for run in runs]
    decoded, per_blob = decode_docnos(blobs)
    assert decoded.tolist() == values.tolist() and per_blob.tolist() == counts.tolist()


def test_signing_many_texts_at_once_gives_each_texts_own_keys_and_words(sample_texts):
    """The add path (all texts of a chunk in one pass) stores what a query computes for one text."""
    from reprints.index import _sign_texts, _term_keys, _vocabulary

    params = Params()
    texts = [*sample_texts.values(), "", "Too short.", "Ça résonne: l'Élysée, 2017 et 45 000 €. " * 30]
    signed = _sign_texts(texts, params)
    for i, text in enumerate(texts):
        tokens = tokenize(text)
        keys = window_band_keys(tokens, params, stride=params.index_stride)
        assert signed.keys[signed.key_at[i] : signed.key_at[i + 1]].tolist() == keys.tolist()
        terms, content = _vocabulary(tokens.norms)
        mine = signed.terms[signed.term_at[i] : signed.term_at[i + 1]]
        flags = signed.content[signed.term_at[i] : signed.term_at[i + 1]]
        assert sorted(mine.tolist()) == sorted(_term_keys(sorted(terms)))
        assert sorted(mine[flags].tolist()) == sorted(_term_keys(content))
        assert int(signed.words[i]) == len(tokens)


@settings(deadline=None)  # the first example imports scikit-learn and loads the compiled kernel
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=12), max_size=20))
def test_term_columns_are_those_of_the_tfidf_hashing(terms):
    """The index puts a term in the column scikit-learn's HashingVectorizer (and so the scan's
    TF-IDF) puts it: |murmurhash3_32| mod buckets, any Unicode."""
    from sklearn.utils import murmurhash3_32

    from reprints.tfidf import UNIGRAM_BUCKETS

    index = Index.__new__(Index)
    expected = [abs(murmurhash3_32(t, seed=0)) % UNIGRAM_BUCKETS for t in terms]
    assert index._buckets(terms, UNIGRAM_BUCKETS, 0).tolist() == expected


def test_term_columns_without_numba_are_the_same(monkeypatch):
    """The pure-Python path (no numba) places terms in the same columns as the compiled one."""
    from reprints import tfidf

    terms = ["", "deir", "ez-zor", "дайеш", "sputnik news", "naïve café", "🙂 emoji"]
    compiled = tfidf.term_columns(terms, tfidf.BIGRAM_BUCKETS).tolist()
    monkeypatch.setattr(tfidf, "_columns_kernel", None)
    assert tfidf.term_columns(terms, tfidf.BIGRAM_BUCKETS).tolist() == compiled
