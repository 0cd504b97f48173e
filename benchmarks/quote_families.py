"""Quote families on METER courts: do newspaper quotes join the PA wire quotes they came from?

usage: python benchmarks/quote_families.py PATH_TO_meter [--half courts]

PATH is the METER folder (holding ``meter_corpus/``). Only the ``courts`` half is read; the
``showbiz`` half is held out. METER groups each PA story with the newspaper articles written
from it in one story folder (``courts/DD.MM.YY/story``), which gives two checks that need no
hand labels (definitions in benchmarks/quotes.md):

- **family purity (pairs)**: of all pairs of occurrences grouped in one family, the share
  that come from the same story folder. A pair across two stories is a spurious grouping
  (METER stories are distinct court cases, so a quotation shared by two is rare).
- **lifted-quote recall**: a newspaper quotation of at least 4 words is *lifted* when at least
  80% of its words appear in order in one PA quotation of its own story (difflib alignment,
  folded words). Recall is the share of lifted quotations that share a family with that PA
  quotation.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from reprints.model import Document
from reprints.normalize import tokenize
from reprints.quotes import find_quotes


def read_meter(root: Path, half: str) -> list[Document]:
    base = root / "meter_corpus" if (root / "meter_corpus").is_dir() else root
    docs = []
    for source, pattern in (("PA", f"PA/rawtexts/{half}/*/*/*.txt"), ("newspapers", f"newspapers/rawtexts/{half}/*/*/*.txt")):
        for path in sorted(base.glob(pattern)):
            rel = path.relative_to(base).as_posix()
            day, month, year = path.parent.parent.name.split(".")
            outlet = "PA" if source == "PA" else path.stem.rsplit("_", 1)[-1]
            text = path.read_bytes().decode("latin-1")
            docs.append(Document(rel, text, outlet=outlet, date=f"20{year}-{month}-{day}", meta={"story": f"{path.parent.parent.name}/{path.parent.name}"}))
    return docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--half", default="courts", choices=["courts"], help="showbiz is held out")
    args = parser.parse_args(argv)
    docs = read_meter(args.path, args.half)
    story = {d.id: d.meta["story"] for d in docs}
    outlet = {d.id: d.outlet for d in docs}
    started = time.perf_counter()
    quotes, families = find_quotes(docs)
    seconds = time.perf_counter() - started

    same = total = 0
    for family in families:
        for a, b in combinations(family.quotes, 2):
            if a.doc != b.doc:
                total += 1
                same += story[a.doc] == story[b.doc]

    words = {id(q): tokenize(q.text).norms for q in quotes}
    pa_by_story: dict[str, list] = defaultdict(list)
    for q in quotes:
        if outlet[q.doc] == "PA":
            pa_by_story[story[q.doc]].append(q)
    lifted = joined = 0
    for q in quotes:
        if outlet[q.doc] == "PA" or len(words[id(q)]) < 4:
            continue
        mine = words[id(q)]
        sources = []
        for p in pa_by_story[story[q.doc]]:
            matcher = difflib.SequenceMatcher(None, mine, words[id(p)], autojunk=False)
            if sum(b.size for b in matcher.get_matching_blocks()) >= 0.8 * len(mine):
                sources.append(p)
        if not sources:
            continue
        lifted += 1
        joined += q.family is not None and any(p.family == q.family for p in sources)
    print(json.dumps({
        "half": args.half,
        "documents": len(docs),
        "quotes": len(quotes),
        "attributed": sum(q.kind == "attributed" for q in quotes),
        "families": len(families),
        "family_pairs": total,
        "pair_purity": round(same / total, 3) if total else None,
        "lifted_quotes": lifted,
        "lifted_recall": round(joined / lifted, 3) if lifted else None,
        "seconds": round(seconds, 1),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
