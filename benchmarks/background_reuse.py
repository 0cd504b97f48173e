"""Count the reuse a generated corpus holds that its truth file does not list.

For a folder written by ``benchmarks/generate.py`` (``docs.jsonl``, ``truth.jsonl``): the
article pairs at most ``--days`` apart that share a run of ``--words`` words (lower-cased
word characters) and are not a planted source/target pair. Every such pair is reuse a
correct scan reports and the truth file calls a false positive, so a corpus for precision
and scale figures should have few of them.

    python benchmarks/background_reuse.py /tmp/gen10k
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from collections import defaultdict
from pathlib import Path


def unplanted_pairs(folder: Path, words: int = 8, days: int = 7, max_articles: int = 200) -> tuple[int, int, int]:
    """Return (articles, pairs sharing a run, of which not planted); runs in more than
    ``max_articles`` articles (stock phrases) are not counted."""
    docs = [json.loads(line) for line in (folder / "docs.jsonl").open(encoding="utf-8")]
    truth = [json.loads(line) for line in (folder / "truth.jsonl").open(encoding="utf-8")]
    planted = {tuple(sorted((t["source"], t["target"]))) for t in truth}
    day = {d["id"]: dt.date.fromisoformat(d["date"][:10]).toordinal() for d in docs}
    holders: dict[int, set[str]] = defaultdict(set)
    for d in docs:
        w = re.findall(r"\w+", d["text"].lower())
        for run in {hash(tuple(w[i : i + words])) for i in range(len(w) - words + 1)}:
            holders[run].add(d["id"])
    pairs: set[tuple[str, str]] = set()
    for ids in holders.values():
        if 1 < len(ids) <= max_articles:
            ordered = sorted(ids)
            for k, a in enumerate(ordered):
                pairs.update((a, b) for b in ordered[k + 1 :] if abs(day[a] - day[b]) <= days)
    return len(docs), len(pairs), len(pairs - planted)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--words", type=int, default=8, help="length of a shared run")
    ap.add_argument("--days", type=int, default=7, help="at most this many days apart")
    args = ap.parse_args(argv)
    n, pairs, unplanted = unplanted_pairs(args.folder, args.words, args.days)
    print(json.dumps({"articles": n, "pairs_sharing_a_run": pairs, "not_planted": unplanted,
                      "not_planted_per_article": round(unplanted / n, 3)}))


if __name__ == "__main__":
    main()
