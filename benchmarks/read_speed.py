"""Measure reading throughput: documents/s and MB/s per input format, and peak memory.

Builds a corpus in a temporary folder from the sample articles' paragraphs (resampled, so
the text is real news prose), then streams it through ``iter_documents`` without keeping the
documents, as the first stage of a large scan would.

    nice .venv/bin/python benchmarks/read_speed.py --docs 20000 --jobs 2
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import tempfile
import time
from pathlib import Path

from reprints.model import Document
from reprints.read import iter_documents

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def articles(count: int, seed: int = 7) -> list[str]:
    """Return ``count`` articles of about 500 words resampled from the sample's paragraphs."""
    paragraphs = [
        p
        for f in sorted(SAMPLE.glob("*.txt"))
        for p in f.read_text(encoding="utf-8").split("\n\n")
        if len(p) > 80
    ]
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        text, words = [], 0
        while words < 500:
            paragraph = rng.choice(paragraphs)
            text.append(paragraph)
            words += len(paragraph.split())
        out.append("\n\n".join(text))
    return out


def measure(label: str, paths: list[Path], megabytes: float, jobs: int = 1) -> None:
    start = time.perf_counter()
    documents = problems = 0
    for item in iter_documents(paths, jobs=jobs):
        if isinstance(item, Document):
            documents += 1
        else:
            problems += 1
    seconds = time.perf_counter() - start
    print(
        f"| {label} | {documents:,} | {problems} | {megabytes:,.1f} | {seconds:.2f} | "
        f"{documents / seconds:,.0f} | {megabytes / seconds:,.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000, help="Articles per format.")
    parser.add_argument(
        "--html-docs", type=int, default=500, help="Articles for the HTML run (slow)."
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="Worker processes for the second HTML run."
    )
    args = parser.parse_args()
    texts = articles(args.docs)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        jsonl = root / "corpus.jsonl"
        with jsonl.open("w", encoding="utf-8") as handle:
            for i, text in enumerate(texts):
                handle.write(
                    json.dumps(
                        {
                            "id": f"a{i:07d}",
                            "outlet": f"outlet{i % 50}",
                            "date": "2017-09-08",
                            "text": text,
                        }
                    )
                    + "\n"
                )
        table = root / "corpus.csv"
        with table.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "publisher", "scrape_time", "text"])
            for i, text in enumerate(texts):
                writer.writerow([f"a{i:07d}", f"outlet{i % 50}", "2018-07-15T07:54:28-04:00", text])
        folder = root / "folder"
        for i, text in enumerate(texts):
            sub = folder / f"outlet{i % 50}"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"a{i:07d}.txt").write_text(text, encoding="utf-8")
        pages = root / "pages"
        pages.mkdir()
        for i, text in enumerate(texts[: args.html_docs]):
            body = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
            (pages / f"a{i:07d}.html").write_text(
                f"<html><head><title>Story {i}</title></head><body><nav><a href='/'>Home</a></nav>"
                f"<article>{body}</article><footer>© Outlet</footer></body></html>",
                encoding="utf-8",
            )
        size = sum(len(t.encode()) for t in texts) / 1e6
        html_size = sum(len(t.encode()) for t in texts[: args.html_docs]) / 1e6
        print("| input | documents | problems | text MB | seconds | docs/s | MB/s |")
        print("|---|---|---|---|---|---|---|")
        measure("JSONL", [jsonl], size)
        measure("CSV", [table], size)
        measure("folder of .txt", [folder], size)
        measure("folder of .html (trafilatura)", [pages], html_size)
        measure(f"folder of .html, --jobs {args.jobs}", [pages], html_size, jobs=args.jobs)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the whole run (including building the corpus in memory): {peak:,.0f} MB")


if __name__ == "__main__":
    main()
