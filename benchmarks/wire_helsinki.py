"""Realism check of ``reprints wire --wire auto`` on the asprout Helsinki set (no gold).

Usage: python benchmarks/wire_helsinki.py PATH/helsinki_articles.csv [--out DIR]

Reads the CSV (``publisher`` → outlet, ``scrape_time`` → date), runs the wire run with
``wire="auto"`` (wire copy = articles whose byline/dateline/sign-off credits a wire agency),
and reports: the wire share of AP/Reuters/AFP-credited articles against the rest (credited
articles should come out high: they are scored against the *other* credited copies), and the
outlets whose articles reuse wire copy without crediting it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from reprints import store
from reprints.params import Params
from reprints.read import read_corpus
from reprints.wire import (
    byline_credits,
    chart_html,
    chart_png,
    summarise,
    uncredited_outlets,
    wire_run,
    write_outlets_csv,
)

MAJOR = {"Associated Press", "Reuters", "Agence France-Presse"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--out", type=Path)
    sys.path.insert(0, str(Path(__file__).parent))
    from meter_wire import add_set_option, parse_sets

    add_set_option(parser)
    args = parser.parse_args(argv)
    corpus = read_corpus([args.csv], columns={"publisher": "outlet", "scrape_time": "date"})
    docs = corpus.documents
    print(
        f"{len(docs)} articles, {len({d.outlet for d in docs})} outlets, {len(corpus.problems)} problems"
    )
    started = time.perf_counter()
    params = Params().replace(**parse_sets(args.sets))
    result = wire_run(docs, "auto", params)
    print(
        f"wire run {time.perf_counter() - started:.0f} s (noisy: shared 2-core machine); "
        f"{len(result.matches)} matches"
    )
    by_id = {d.id: d for d in docs}
    credit = {a.doc: byline_credits(by_id[a.doc].text) for a in result.wire}
    print("byline credits:", Counter(c for cs in credit.values() for c in cs).most_common())
    groups = {
        "credited to AP/Reuters/AFP": [a for a in result.wire if MAJOR & set(credit[a.doc])],
        "no wire byline": [a for a in result.wire if not credit[a.doc]],
    }
    print(
        f"{'articles':28s} {'n':>4s} {'mean share':>10s} {'median':>7s} {'>= 0.5':>7s} {'classes WD/PD/ND':>17s}"
    )
    for name, group in groups.items():
        shares = np.array([a.wire_share for a in group])
        classes = Counter(a.wire_class for a in group)
        print(
            f"{name:28s} {len(group):4d} {shares.mean():10.3f} {np.median(shares):7.3f} "
            f"{(shares >= 0.5).mean():7.3f} {classes['wholly-derived']:>7d}/"
            f"{classes['partially-derived']}/{classes['non-derived']}"
        )
    for agency in sorted(MAJOR):
        group = [a for a in result.wire if agency in credit[a.doc]]
        if group:
            shares = np.array([a.wire_share for a in group])
            print(f"  {agency:26s} {len(group):4d} {shares.mean():10.3f} {np.median(shares):7.3f}")
    silent = uncredited_outlets(result.wire, params)
    print(
        f"\nOutlets reprinting wire copy without credit ({len(silent)}; uncredited / derived "
        f"articles; derived = class not non-derived, classes by --classes {params.wire_classes}):"
    )
    for outlet, n, total in silent:
        wholly = sum(
            1
            for a in result.wire
            if (a.outlet or "(unknown)") == outlet
            and not a.credited
            and a.wire_class == "wholly-derived"
        )
        print(f"  {outlet:32s} {n:3d}/{total:<3d} ({wholly} wholly-derived)")
    if args.out:
        store.write_results(args.out, result)
        rows = summarise(result.wire)
        write_outlets_csv(args.out / "outlets.csv", rows)
        chart_png(rows, args.out / "wire_share.png")
        (args.out / "wire_share.html").write_text(chart_html(rows), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
