"""Seed articles: scan sample_data/ and score the result with the shared seed scorer.

usage: python benchmarks/seeds.py PATH/TO/score_seeds.py [--out DIR] [--set key=value ...]

Same as ``reprints scan sample_data --out DIR && python3 score_seeds.py DIR``; prints the
scorer's JSON line and each reported cross-article passage pair (for reading the errors).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from reprints.params import Params
from reprints.read import read_corpus
from reprints.scan import scan
from reprints.store import write_results

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scorer", type=Path, help="path to ../shared/eval/score_seeds.py")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--set", action="append", default=[], help="override a Params field")
    args = parser.parse_args()
    overrides: dict[str, object] = {}
    for item in args.set:
        key, value = item.split("=", 1)
        overrides[key] = float(value) if "." in value else int(value)
    out = args.out or Path(tempfile.mkdtemp(prefix="reprints-seeds-"))
    documents = read_corpus([SAMPLE]).documents
    result = scan(documents, Params().replace(**overrides))
    write_results(out, result)
    texts = {d.id: d.text for d in documents}
    for m in result.matches:
        a = " ".join(texts[m.a.doc][m.a.start : m.a.end].split())[:90]
        b = " ".join(texts[m.b.doc][m.b.start : m.b.end].split())[:90]
        print(f"{m.a.doc[:3]}–{m.b.doc[:3]} {m.kind:8} {m.score:.2f}  {a!r}\n{'':23}{b!r}", file=sys.stderr)
    return subprocess.call([sys.executable, str(args.scorer), str(out)])


if __name__ == "__main__":
    sys.exit(main())
