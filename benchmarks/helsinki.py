"""Helsinki summit set: do the AP and Reuters reprint families come out as story clusters?

usage: python benchmarks/helsinki.py PATH/TO/helsinki_articles.csv [--set key=value ...]

Reads the CSV with ``publisher`` as outlet and ``scrape_time`` as date, scans it, and reports
the story clusters: their sizes, and how the articles that credit AP or Reuters in their
first 600 characters ("(AP)", "Associated Press", "By Reuters", ...) fall into them.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

from reprints.credit import credits
from reprints.params import Params
from reprints.read import read_corpus
from reprints.scan import scan
from reprints.store import load_results, write_results
from reprints.stories import find_stories

CREDIT_ZONE = 600  # bylines and credits sit in the first paragraphs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--set", action="append", default=[], help="override a Params field (JSON value: 0.3, null, true)")
    parser.add_argument("--out", type=Path, help="also write the results folder here")
    parser.add_argument(
        "--shuffle", type=int, help="shuffle the articles with this seed first (determinism check)"
    )
    parser.add_argument(
        "--from-results", type=Path, help="re-cluster a results folder written by --out, no scan"
    )
    args = parser.parse_args()
    overrides: dict[str, object] = {}
    for item in args.set:
        key, value = item.split("=", 1)
        overrides[key] = json.loads(value)
    started = time.time()
    params = Params().replace(**overrides)
    if args.from_results:
        result = load_results(args.from_results)
        stories = find_stories(
            result.documents,
            result.matches,
            params.story_min_share,
            params.story_reworded_share,
            params.shingle_size,
        )
        result = dataclasses.replace(result, stories=tuple(stories))
        problems = len(result.problems)
    else:
        corpus = read_corpus([args.csv], columns="publisher=outlet,scrape_time=date")
        documents = list(corpus.documents)
        if args.shuffle is not None:
            random.Random(args.shuffle).shuffle(documents)
        result = scan(documents, params, quotes=False)
        problems = len(corpus.problems)
        if args.out:
            write_results(args.out, result)
    story_of = {doc: s.id for s in result.stories for doc in s.docs}
    by_id = {d.id: d for d in result.documents}
    credited = {
        agency: sorted(d.id for d in result.documents if credits(d.text[:CREDIT_ZONE], agency))
        for agency in ("Associated Press", "Reuters")
    }
    report: dict[str, object] = {
        "articles": len(result.documents),
        "problems": problems,
        "story_min_share": params.story_min_share,
        "matches": len(result.matches),
        "verbatim_matches": sum(m.kind == "verbatim" for m in result.matches),
        "stories": len(result.stories),
        "story_sizes": [len(s.docs) for s in sorted(result.stories, key=lambda s: -len(s.docs))][:15],
        "articles_in_stories": sum(len(s.docs) for s in result.stories),
    }
    for agency, docs in credited.items():
        clusters = Counter(story_of.get(d, "(none)") for d in docs)
        in_stories = Counter({s: n for s, n in clusters.items() if s != "(none)"})
        top, top_count = in_stories.most_common(1)[0] if in_stories else ("(none)", 0)
        top_story = next((s for s in result.stories if s.id == top), None)
        report[agency] = {
            "credited_articles": len(docs),
            "in_a_story": sum(n for s, n in clusters.items() if s != "(none)"),
            "largest_share_in_one_story": round(top_count / len(docs), 3) if docs else None,
            "that_story_size": len(top_story.docs) if top_story else 0,
            "that_story_outlets": len(top_story.outlets) if top_story else 0,
            "stories_holding_them": dict(clusters.most_common(8)),
            "not_in_a_story": [
                f"{d} ({by_id[d].outlet})" for d in docs if d not in story_of
            ][:10],
        }
    ap = set(credited["Associated Press"])
    reuters = set(credited["Reuters"])
    report["largest_stories"] = [
        {
            "story": s.id,
            "articles": len(s.docs),
            "outlets": len(s.outlets),
            "ap_credited": len(ap & set(s.docs)),
            "reuters_credited": len(reuters & set(s.docs)),
        }
        for s in sorted(result.stories, key=lambda s: (-len(s.docs), s.id))[:12]
    ]
    report["stories_mixing_ap_and_reuters_credits"] = sum(
        1 for s in result.stories if ap & set(s.docs) and reuters & set(s.docs)
    )
    report["seconds"] = round(time.time() - started, 1)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
