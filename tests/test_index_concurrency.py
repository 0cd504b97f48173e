"""Readers query while a writer adds; a second writer waits or gets a clear error; never corrupted."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from reprints.index import Index, IndexBusyError
from reprints.model import Document
from test_index_crash import committed, write_corpus

DURAN = "004_dc875d24e25a1aad.txt"


@pytest.fixture
def seeded(tmp_path, sample_corpus):
    path = tmp_path / "news.db"
    with Index.create(path) as index:
        index.add([d for d in sample_corpus.documents if d.id != DURAN])
    return path


def test_readers_query_while_another_process_adds(tmp_path, seeded, sample_dir, sample_texts):
    corpus = tmp_path / "corpus"
    ids = write_corpus(corpus, sample_dir, 250, seed=11, exclude=DURAN)
    known = set(ids) | set(sample_texts)
    duran = sample_texts[DURAN]
    with Index.open(seeded) as index:
        expected = index.query(duran, doc_id=DURAN)
    assert expected

    writer = subprocess.Popen(
        [sys.executable, "-m", "reprints", "index", "add", str(seeded), str(corpus),
         "--batch-size", "20", "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    failures: list[BaseException] = []
    seen: dict[str, list[int]] = {}
    queries = [0]

    def read() -> None:
        counts = seen.setdefault(threading.current_thread().name, [])
        try:
            with Index.open(seeded) as index:
                while writer.poll() is None or queries[0] < 4:
                    got = index.lookup(duran, doc_id=DURAN)
                    # Always an answer, from documents that are really there, with valid spans.
                    assert got.matches
                    texts = {d.id: d.text for d in got.documents}
                    for m in got.matches:
                        assert {m.a.doc, m.b.doc} <= known
                        assert texts[m.a.doc][m.a.start : m.a.end] and texts[m.b.doc][m.b.start : m.b.end]
                    counts.append(len(index))
                    queries[0] += 1
                    time.sleep(0.05)  # pace the readers so the writer gets the CPU too
        except BaseException as err:
            failures.append(err)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in readers:
        t.start()
    _, err = writer.communicate(timeout=300)
    for t in readers:
        t.join(timeout=300)
    assert not failures, failures[0]
    assert writer.returncode == 0, err
    assert queries[0] >= 4
    for counts in seen.values():
        assert counts == sorted(counts)  # a reader never sees a batch vanish
    assert committed(seeded) == 4 + len(ids)
    with Index.open(seeded) as index:
        assert index.check() == []


def test_second_writer_gets_a_clear_error_then_succeeds(seeded, sample_texts):
    first = Index.open(seeded)
    second = Index.open(seeded, timeout=0.2)
    reader = Index.open(seeded)
    try:
        with first._write():  # hold the write lock as a long batch would
            first._db.execute("UPDATE documents SET title = 'changing' WHERE id = ?", ("000_01f78c86e39ec8cf.txt",))
            with pytest.raises(IndexBusyError, match="being written by another process"):
                second.add([Document("late.txt", sample_texts[DURAN])])
            with pytest.raises(IndexBusyError):
                second.remove(["001_ea1662580eef0643.txt"])
            # Readers are never blocked and see the last committed state.
            assert reader.document("000_01f78c86e39ec8cf.txt").title != "changing"
            assert "late.txt" not in reader
        report = second.add([Document("late.txt", sample_texts[DURAN])])
        assert report.added == 1
        assert reader.document("000_01f78c86e39ec8cf.txt").title == "changing"
        assert "late.txt" in reader
        assert reader.check() == []
    finally:
        first.close()
        second.close()
        reader.close()


def test_second_writer_waits_for_the_first(seeded, sample_texts):
    first = Index.open(seeded)
    second = Index.open(seeded, timeout=60)
    done = threading.Event()
    outcome: list[object] = []

    def late_add() -> None:
        try:
            outcome.append(second.add([Document("waited.txt", sample_texts[DURAN])]))
        except BaseException as err:
            outcome.append(err)
        done.set()

    try:
        with first._write():
            t = threading.Thread(target=late_add)
            t.start()
            assert not done.wait(0.5)  # still waiting for the lock
        t.join(timeout=60)
        assert outcome and getattr(outcome[0], "added", None) == 1, outcome
        assert "waited.txt" in first
        assert first.check() == []
    finally:
        first.close()
        second.close()
