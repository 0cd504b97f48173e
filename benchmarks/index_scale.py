"""Grow a reuse index step by step and measure add rate, size per article and query latency.

    python benchmarks/generate.py --docs 120000 --out /tmp/gen --source-text \\
        ../shared/data/polnear/data/train/text ../shared/data/meter/meter_corpus/PA/rawtexts/courts
    nice python benchmarks/index_scale.py --corpus /tmp/gen/docs.jsonl --steps 10000,100000 \\
        --index /tmp/scale.db --queries 200 --jobs 2

The corpus is ``docs.jsonl`` from ``benchmarks/generate.py`` (articles generated from real
news sentences). The index grows to each step in turn; after each step the benchmark reports:

* **add rate**: articles per second of ``Index.add`` over the step (reading the JSONL included),
  by the wall clock and per CPU-second (this process plus its ``--jobs`` workers): on a
  shared machine the second says more about an idle one;
* **size**: bytes per article beyond the UTF-8 text (file size after a WAL checkpoint, minus
  the text), and band keys per article;
* **query latency** p50/p99 of ``Index.query`` for ~700-word articles, and of the candidate
  lookup alone. Each query article is fresh text (articles held back from the index) with a
  passage of 60-150 words taken from a random indexed article pasted in, verbatim for half of
  the queries and reworded (about 30% of the words changed, by ``generate.reword``) for the
  other half. **Recall** is the share of queries whose pasted source comes back.

The last ``2 * queries`` lines of the corpus are held back as fresh text and never indexed.
Timings on a shared machine are noisy: say so when quoting them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import reword_items  # noqa: E402
from reprints.index import Index  # noqa: E402
from reprints.model import Document  # noqa: E402
from reprints.params import Params  # noqa: E402


def read_lines(path: Path, start: int, stop: int) -> Iterator[dict]:
    """Yield the JSON records of lines ``[start, stop)`` of a JSONL file."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if number >= stop:
                return
            if number >= start:
                yield json.loads(line)


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def documents(path: Path, start: int, stop: int) -> Iterator[Document]:
    for r in read_lines(path, start, stop):
        yield Document(r["id"], r["text"], outlet=r.get("outlet"), date=r.get("date"))


def make_queries(
    path: Path, fresh: list[dict], indexed: int, count: int, rng: np.random.Generator, words: int = 700
) -> list[tuple[str, str, str]]:
    """Return (text, source id, kind) for ``count`` query articles of about ``words`` words."""
    wanted = sorted(set(rng.choice(indexed, size=count, replace=False).tolist()))
    sources = {}
    for number, r in enumerate(read_lines(path, 0, indexed)):
        if number == wanted[len(sources)]:
            sources[number] = r
            if len(sources) == len(wanted):
                break
    vocab = np.array([w for r in fresh[:50] for w in r["text"].split()])
    order = rng.permutation(len(wanted))
    queries = []
    for k, pos in enumerate(order):
        src = sources[wanted[pos]]
        sentences = [p for p in src["text"].split("\n\n") if p.strip()]
        start = int(rng.integers(0, max(1, len(sentences) - 1)))
        passage: list[str] = []
        size = int(rng.integers(60, 151))
        for para in sentences[start:]:
            passage.extend(para.split())
            if len(passage) >= size:
                break
        passage = passage[:size]
        kind = "verbatim" if k % 2 == 0 else "reworded"
        if kind == "reworded":
            passage = reword(passage, 0.3, vocab, rng)
        filler = []
        for r in (fresh[(2 * k) % len(fresh)], fresh[(2 * k + 1) % len(fresh)]):
            filler.extend(p for p in r["text"].split("\n\n") if p.strip())
        body: list[str] = []
        n = len(passage)
        for para in filler:
            if n >= words:
                break
            body.append(para)
            n += len(para.split())
        body.insert(int(rng.integers(0, len(body) + 1)), " ".join(passage))
        queries.append(("\n\n".join(body), src["id"], kind))
    return queries


def reword(words: list[str], rate: float, vocab: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Substitute, drop or swap about ``rate`` of ``words`` (a third each), as session 2 did.

    Substitutes come from ``vocab``, words of fresh text; the generator's own ``reword`` works
    on word ids, with the same draws (``generate.reword_items``).
    """
    return reword_items(list(words), rate, vocab, rng)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the --jobs workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure_queries(index: Index, queries: list[tuple[str, str, str]]) -> dict:
    lookup, total, cpu = [], [], []
    found = {"verbatim": [0, 0], "reworded": [0, 0]}
    for text, source, kind in queries:
        t0 = time.perf_counter()
        index.candidates(text)
        t1 = time.perf_counter()
        c1 = time.process_time()
        matches = index.query(text, top=10)
        cpu.append((time.process_time() - c1) * 1000)
        t2 = time.perf_counter()
        lookup.append((t1 - t0) * 1000)
        total.append((t2 - t1) * 1000)
        found[kind][1] += 1
        if any(source in (m.a.doc, m.b.doc) for m in matches):
            found[kind][0] += 1
    return {
        "query_p50_ms": round(percentile(total, 50), 1),
        "query_p99_ms": round(percentile(total, 99), 1),
        "query_cpu_p50_ms": round(percentile(cpu, 50), 1),
        "query_cpu_p99_ms": round(percentile(cpu, 99), 1),
        "candidates_p50_ms": round(percentile(lookup, 50), 1),
        "candidates_p99_ms": round(percentile(lookup, 99), 1),
        "query_words": round(float(np.mean([len(q[0].split()) for q in queries])), 0),
        "recall_verbatim": round(found["verbatim"][0] / max(1, found["verbatim"][1]), 3),
        "recall_reworded": round(found["reworded"][0] / max(1, found["reworded"][1]), 3),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, help="docs.jsonl from benchmarks/generate.py")
    ap.add_argument("--steps", default="10000,100000", help="index sizes to grow through, comma-separated")
    ap.add_argument("--index", type=Path, required=True, help="index file to (re)create")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--batch-size", type=int, default=5000)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--index-bands", type=int, default=None, help="override Params.index_bands")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--storage-only", action="store_true",
                    help="grow only the band-key table with random keys (no corpus needed)")
    ap.add_argument("--query-only", action="store_true",
                    help="measure queries against an existing --index built from the first articles of --corpus")
    args = ap.parse_args(argv)

    steps = [int(s) for s in args.steps.split(",")]
    if args.query_only:
        lines = count_lines(args.corpus)
        fresh = list(read_lines(args.corpus, lines - 2 * args.queries, lines))
        # This code's defaults for the query knobs (index_terms, index_neighbours, ...), not
        # those stored when the index was built; the stored parameters must agree.
        with Index.open(args.index, Params()) as index:
            size = len(index)
            queries = make_queries(args.corpus, fresh, size, args.queries, np.random.default_rng(args.seed))
            row = {"articles": size, **measure_queries(index, queries), "load": round(os.getloadavg()[0], 1)}
            print(json.dumps(row), flush=True)
        return
    if args.storage_only:
        storage_only(args.index, steps, keys_per_article=66, query_keys=840, seed=args.seed)
        return
    lines = count_lines(args.corpus)
    usable = lines - 2 * args.queries
    if steps[-1] > usable:
        if steps[-1] > lines:
            raise SystemExit(f"{args.corpus} has {lines} lines: room for at most {usable} indexed articles")
        # A corpus of exactly the last step's size: its last 2 * queries lines are the fresh
        # text, so the last step indexes that many articles fewer (1,000,000 -> 999,600).
        print(f"last step {steps[-1]:,} -> {usable:,}: the last {lines - usable} lines are query text",
              file=sys.stderr)
        steps = [min(s, usable) for s in steps]
    fresh = list(read_lines(args.corpus, lines - 2 * args.queries, lines))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.index}{suffix}").unlink(missing_ok=True)
    params = Params() if args.index_bands is None else Params(index_bands=args.index_bands)
    rng = np.random.default_rng(args.seed)
    rows = []
    with Index.create(args.index, params) as index:
        done = 0
        for step in steps:
            t0 = time.perf_counter()
            c0 = cpu_seconds()
            report = index.add(documents(args.corpus, done, step), batch_size=args.batch_size, jobs=args.jobs)
            elapsed = time.perf_counter() - t0
            cpu = cpu_seconds() - c0
            load_add = round(os.getloadavg()[1], 1)  # 5-minute average, over most of the step
            added = step - done
            done = step
            index._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            stats = index.stats()
            queries = make_queries(args.corpus, fresh, step, args.queries, rng)
            row = {
                "articles": step,
                "added": report.added,
                "add_per_s": round(added / elapsed, 0),
                "add_per_cpu_s": round(added / cpu, 0),
                "bytes_per_article": round(stats.bytes_per_document, 0),
                "keys_per_article": round(stats.band_keys / stats.documents, 1),
                "words_per_article": round(stats.words / stats.documents, 0),
                "file_mb": round(stats.file_bytes / 1e6, 1),
                "load_during_add": load_add,
                **measure_queries(index, queries),
                "load_after_queries": round(os.getloadavg()[0], 1),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    print()
    print("| articles | add/s (wall) | add per CPU-s | bytes/article beyond text | keys/article "
          "| query p50 / p99 ms (wall) | query p50 / p99 CPU ms | candidates p50 / p99 ms | recall verbatim | recall reworded "
          "| load (add / queries) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['articles']:,} | {r['add_per_s']:,.0f} | {r['add_per_cpu_s']:,.0f} | {r['bytes_per_article']:,.0f} "
            f"| {r['keys_per_article']} | {r['query_p50_ms']} / {r['query_p99_ms']} "
            f"| {r['query_cpu_p50_ms']} / {r['query_cpu_p99_ms']} | {r['candidates_p50_ms']} / {r['candidates_p99_ms']} "
            f"| {r['recall_verbatim']} | {r['recall_reworded']} | {r['load_during_add']} / {r['load_after_queries']} |"
        )




def storage_only(path: Path, steps: list[int], keys_per_article: int, query_keys: int, seed: int) -> None:
    """Grow only the band-key tables (random keys, one-word texts) and time inserts and lookups.

    This isolates the SQLite layer from tokenising and signing, so its growth to a million
    articles can be measured when generating and signing a million articles cannot.
    """
    from reprints.index import _KEY_SHIFT  # noqa: F401 - keys below use the same 47-bit range

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    rng = np.random.default_rng(seed)
    batch = 5000
    with Index.create(path) as index:
        db = index._db
        done = 0
        for step in steps:
            t0 = time.perf_counter()
            c0 = time.process_time()
            start = done
            while done < step:
                n = min(batch, step - done)
                keys = rng.integers(0, 1 << 47, size=(n, keys_per_article), dtype=np.int64)
                docnos = np.arange(done + 1, done + n + 1, dtype=np.int64)
                rows = sorted(zip(keys.ravel().tolist(), np.repeat(docnos, keys_per_article).tolist(), strict=True))
                db.execute("BEGIN IMMEDIATE")
                db.executemany(
                    "INSERT INTO documents VALUES (?, ?, ?, NULL, NULL, NULL, NULL, 1, ?, 'x')",
                    [(int(d), f"syn{int(d):08d}", b"\0" * 8, keys_per_article) for d in docnos],
                )
                db.executemany("INSERT OR IGNORE INTO recent_bands(key, docno) VALUES (?, ?)", rows)
                db.execute("COMMIT")
                index._merge_recent_bands()  # as Index.add: recent keys move in bulk
                done += n
            elapsed = time.perf_counter() - t0
            cpu = time.process_time() - c0
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            size = path.stat().st_size
            lookups, lookups_cpu = [], []
            for _ in range(100):
                probe = rng.integers(0, 1 << 47, size=query_keys, dtype=np.int64).tolist()
                t1 = time.perf_counter()
                c1 = time.process_time()
                marks = ",".join("?" * len(probe))
                db.execute(
                    f"SELECT key, docno FROM bands WHERE key IN ({marks}) "
                    f"UNION ALL SELECT key, docno FROM recent_bands WHERE key IN ({marks})",
                    probe + probe,
                ).fetchall()
                lookups.append((time.perf_counter() - t1) * 1000)
                lookups_cpu.append((time.process_time() - c1) * 1000)
            print(json.dumps({
                "articles_per_cpu_s": round((done - start) / cpu),
                "lookup_cpu_p50_ms": round(percentile(lookups_cpu, 50), 1),
                "lookup_cpu_p99_ms": round(percentile(lookups_cpu, 99), 1),
                "load": round(os.getloadavg()[0], 1),
                "articles": step, "rows_per_s": round(keys_per_article * (step - (steps[steps.index(step) - 1] if steps.index(step) else 0)) / elapsed),
                "articles_per_s": round((step - (steps[steps.index(step) - 1] if steps.index(step) else 0)) / elapsed),
                "bytes_per_article": round(size / step), "lookup_p50_ms": round(percentile(lookups, 50), 1),
                "lookup_p99_ms": round(percentile(lookups, 99), 1), "query_keys": query_keys,
            }), flush=True)


if __name__ == "__main__":
    main()
