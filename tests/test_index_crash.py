"""Kill `reprints index add` with SIGKILL mid-add; every committed batch must survive, and a re-run
must finish the job without duplicates."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reprints.index import Index
from reprints.normalize import sentence_spans
from reprints.read import read_corpus

ROOT = Path(__file__).resolve().parent.parent
BATCH = 30


def write_corpus(
    folder: Path, sample_dir: Path, count: int, seed: int = 7, exclude: str | None = None
) -> list[str]:
    """Write ``count`` articles of shuffled real seed sentences to ``folder``; return their ids.

    ``exclude`` names a seed article whose sentences are left out.
    """
    texts = [d.text for d in read_corpus([sample_dir]).documents if d.id != exclude]
    sentences = [t[s:e] for t in texts for s, e in sentence_spans(t) if len(t[s:e].split()) >= 6]
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for k in range(count):
        picked = rng.sample(sentences, rng.randint(8, 16))
        name = f"a{k:05d}.txt"
        (folder / name).write_text("\n\n".join(picked) + "\n", encoding="utf-8")
        ids.append(name)
    return ids


def committed(path: Path) -> int:
    """Count documents visible to a reader (0 while the file does not exist yet)."""
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            db.close()
    except sqlite3.OperationalError:
        return 0


def reprints(*args: str) -> list[str]:
    return [sys.executable, "-m", "reprints", *args]


@pytest.mark.slow
def test_sigkill_mid_add_keeps_committed_batches_and_rerun_completes(tmp_path, sample_dir):
    corpus = tmp_path / "corpus"
    ids = write_corpus(corpus, sample_dir, 900)
    index_path = tmp_path / "news.db"
    subprocess.run(reprints("index", "create", str(index_path)), check=True, capture_output=True)

    add = reprints("index", "add", str(index_path), str(corpus), "--batch-size", str(BATCH), "--quiet")
    proc = subprocess.Popen(add, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while committed(index_path) < 3 * BATCH:
            assert proc.poll() is None, "the add finished before it could be killed: make the corpus bigger"
            assert time.monotonic() < deadline, "no batch committed within two minutes"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL

    with Index.open(index_path) as index:
        count = len(index)
        assert count >= 3 * BATCH and count < len(ids)
        # Whole batches only, and exactly the first ones in reading order.
        assert count % BATCH == 0
        assert index.ids() == ids[:count]
        assert index.check() == []

    rerun = subprocess.run(add, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(ids) - count} added, 0 replaced, {count} unchanged" in rerun.stderr
    with Index.open(index_path) as index:
        assert index.ids() == ids  # every article once: no duplicates, none lost
        assert index.check() == []
        stats = index.stats()
    assert stats.documents == len(ids)
