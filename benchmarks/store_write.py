"""Measure writing and reading a results folder as the number of matches grows.

Documents are built from resampled sentences of the sample articles; matches are random
passage pairs between them with 12-step edit scripts (what an aligner's output looks like to
the writer). Reports seconds, rows/s, peak RSS and file sizes per size.

    nice python benchmarks/store_write.py --matches 10000,100000,1000000 --docs 20000
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from reprints.model import Document, Edit, Match, ScanResult, Span
from reprints.normalize import sentence_spans
from reprints.read import read_corpus
from reprints.store import load_results, match_order, write_results


def build_documents(count: int, sample: Path, rng: random.Random) -> list[Document]:
    sentences = [
        doc.text[s:e] for doc in read_corpus([sample]).documents for s, e in sentence_spans(doc.text)
    ]
    outlets = [f"Outlet {k}" for k in range(50)]
    return [
        Document(
            id=f"{k:08d}.txt",
            text=" ".join(rng.choice(sentences) for _ in range(25)),
            outlet=outlets[k % len(outlets)],
            date=f"2017-{1 + k % 12:02d}-{1 + k % 28:02d}",
        )
        for k in range(count)
    ]


def build_matches(documents: list[Document], count: int, rng: random.Random) -> list[Match]:
    matches = []
    for _ in range(count):
        a, b = sorted(rng.sample(documents, 2), key=lambda d: d.id)
        a0 = rng.randrange(0, max(1, len(a.text) - 400))
        b0 = rng.randrange(0, max(1, len(b.text) - 400))
        edits = tuple(
            Edit(rng.choice(("keep", "change", "add", "drop")), a0 + 30 * i, a0 + 30 * i + 25, b0 + 30 * i, b0 + 30 * i + 25)
            for i in range(12)
        )
        matches.append(
            Match(Span(a.id, a0, a0 + 380), Span(b.id, b0, b0 + 380), rng.choice(("verbatim", "reworded")),
                  rng.random(), edits, rng.choice(("a->b", "b->a", "undirected")), rng.choice((True, False, None)), 40, 20)
        )
    matches.sort(key=match_order)
    return matches


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matches", default="10000,100000", help="comma-separated match counts")
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--sample", type=Path, default=Path(__file__).resolve().parent.parent / "sample_data")
    parser.add_argument("--read", action="store_true", help="also time load_results")
    parser.add_argument(
        "--keep", type=Path, help="write each results folder to KEEP/<matches> and keep it "
        "(e.g. to time `reprints report KEEP/100000` on it)"
    )
    args = parser.parse_args(argv)
    rng = random.Random(7)
    documents = build_documents(args.docs, args.sample, rng)
    print(f"{len(documents)} documents, {sum(len(d.text) for d in documents) / 1e6:.0f} M characters; "
          f"peak RSS after building them {peak_rss_mb():.0f} MB")
    print("| matches | write s | matches/s | results.db MB | matches.jsonl MB | peak RSS MB | load s |")
    print("|---|---|---|---|---|---|---|")
    for count in (int(n) for n in args.matches.split(",")):
        result = ScanResult(documents=tuple(documents), matches=tuple(build_matches(documents, count, rng)))
        with tempfile.TemporaryDirectory() as scratch:
            out = str(args.keep / str(count)) if args.keep else scratch
            started = time.perf_counter()
            write_results(out, result)
            took = time.perf_counter() - started
            loaded = ""
            if args.read:
                started = time.perf_counter()
                load_results(out)
                loaded = f"{time.perf_counter() - started:.1f}"
            db = Path(out, "results.db").stat().st_size / 1e6
            jsonl = Path(out, "matches.jsonl").stat().st_size / 1e6
        print(f"| {count:,} | {took:.1f} | {count / took:,.0f} | {db:.0f} | {jsonl:.0f} | {peak_rss_mb():.0f} | {loaded} |")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
