"""Helsinki summit set: do the AP and Reuters reprint families come out as story clusters?

usage: python benchmarks/helsinki.py PATH/TO/helsinki_articles.csv [--set key=value ...]

Reads the CSV with ``publisher`` as outlet and ``scrape_time`` as date, scans it, and reports
the story clusters: their sizes, and how the articles that credit AP or Reuters in their
first 600 characters ("(AP)", "Associated Press", "By Reuters", ...) fall into them.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from reprints.credit import credits
from reprints.params import Params
from reprints.read import read_corpus
from reprints.scan import scan

CREDIT_ZONE = 600  # bylines and credits sit in the first paragraphs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--set", action="append", default=[], help="override a Params field")
    args = parser.parse_args()
    overrides: dict[str, object] = {}
    for item in args.set:
        key, value = item.split("=", 1)
        overrides[key] = float(value) if "." in value else int(value)
    started = time.time()
    corpus = read_corpus([args.csv], columns="publisher=outlet,scrape_time=date")
    result = scan(corpus.documents, Params().replace(**overrides), quotes=False)
    story_of = {doc: s.id for s in result.stories for doc in s.docs}
    by_id = {d.id: d for d in result.documents}
    credited = {
        agency: sorted(d.id for d in result.documents if credits(d.text[:CREDIT_ZONE], agency))
        for agency in ("Associated Press", "Reuters")
    }
    report: dict[str, object] = {
        "articles": len(result.documents),
        "problems": len(corpus.problems),
        "matches": len(result.matches),
        "verbatim_matches": sum(m.kind == "verbatim" for m in result.matches),
        "stories": len(result.stories),
        "story_sizes": [len(s.docs) for s in sorted(result.stories, key=lambda s: -len(s.docs))][:15],
        "articles_in_stories": sum(len(s.docs) for s in result.stories),
    }
    for agency, docs in credited.items():
        clusters = Counter(story_of.get(d, "(none)") for d in docs)
        top, top_count = clusters.most_common(1)[0] if clusters else ("(none)", 0)
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
    report["seconds"] = round(time.time() - started, 1)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
