"""How quickly the HTML report opens for a big result: 5,000 articles, about 10,000 matches.

    nice python benchmarks/report_scale.py --docs 5000 --out benchmarks/out/report5k

Builds a synthetic ScanResult from the real sentences of ``sample_data/`` (no scan is run:
this measures the report, not the detector): 1,000 stories of five articles from different
outlets a few days apart; every later article in a story carries a run of sentences from
each earlier one, verbatim or with words changed (with the edit script), so each story has
ten matched document pairs. A share of the stories also carry a quotation with its speaker
in every article (one quote family per story), and wire shares are filled in for the
articles of non-wire outlets. Then it renders the report, opens it in headless Chromium
three times, and prints the page's own timings (and the wall time of a screenshot run,
against that of an empty page): ``ready`` is milliseconds from navigation
start until the script has parsed the data and drawn the first page of every list (the page
is usable), ``script`` is the script's part of that; ``pair`` opens the largest pair by URL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from reprints.model import (  # noqa: E402
    ArticleWireShare,
    Document,
    Edit,
    Match,
    Quote,
    QuoteFamily,
    ScanResult,
    Span,
    Story,
)
from reprints.normalize import sentence_spans  # noqa: E402
from reprints.read import read_corpus  # noqa: E402
from reprints.report import render_report  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
OUTLETS = [f"Outlet {chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(38)] + ["AP", "Reuters"]
WIRE = ("AP", "Reuters")
SPEAKERS = ("a military source", "the ministry", "Karen Kwiatkowski", "the press office", "officials")


def seed_sentences() -> list[str]:
    sentences = []
    for doc in read_corpus([ROOT / "sample_data"]).documents:
        for start, end in sentence_spans(doc.text):
            sentence = " ".join(doc.text[start:end].split())
            if 8 <= len(sentence.split()) <= 60:
                sentences.append(sentence)
    return sorted(set(sentences))


def build_result(docs: int, seed: int) -> ScanResult:
    """Build the synthetic result (deterministic for a given ``docs`` and ``seed``)."""
    rng = np.random.default_rng(seed)
    pool = seed_sentences()
    start_day = dt.date(2017, 1, 1)
    documents, matches, quotes, families, stories, wire = [], [], [], [], [], []
    for story in range(docs // 5):
        outlets = rng.choice(len(OUTLETS), size=5, replace=False)
        day = int(rng.integers(0, 365))
        quote_words = pool[int(rng.integers(len(pool)))] if story % 2 == 0 else None
        texts: list[str] = []
        ids: list[str] = []
        pieces_of: list[list[str]] = []  # each article's paragraphs; later ones copy the first
        for k in range(5):
            own = [pool[int(i)] for i in rng.choice(len(pool), size=int(rng.integers(8, 16)))]
            pieces = list(own)
            copied = []
            for earlier in range(k):
                lifted = pieces_of[earlier][0]
                reworded = bool(rng.random() < 0.5)
                words = lifted.split()
                changes = []
                if reworded:
                    for w in sorted(rng.choice(len(words), size=max(1, len(words) // 5), replace=False)):
                        changes.append(int(w))
                        words[w] = words[w].upper()
                copy = " ".join(words)
                pieces.insert(int(rng.integers(1, len(pieces))), copy)
                copied.append((earlier, copy, reworded, changes))
            if quote_words:
                pieces.insert(1, f"“{quote_words}”, {SPEAKERS[story % len(SPEAKERS)]} said.")
            pieces_of.append(pieces)
            ids.append(f"{story:05d}-{k}.txt")
            text = "\n\n".join(pieces)
            texts.append(text)
            date = (start_day + dt.timedelta(days=day + k)).isoformat()
            documents.append(Document(ids[k], text, OUTLETS[outlets[k]], date, f"Story {story} as told by {OUTLETS[outlets[k]]}"))
            # Matches: earlier article's first paragraph ↔ its copy in this one.
            offsets = _paragraph_offsets(pieces)
            for earlier, copy, reworded, changes in copied:
                a_start, a_end = 0, len(pieces_of[earlier][0])
                # Later insertions shifted the copy: find it by identity.
                b_start = offsets[next(i for i, piece in enumerate(pieces) if piece is copy)]
                b_end = b_start + (a_end - a_start)
                edits = _edits(texts[earlier], a_start, a_end, text, b_start, b_end, changes)
                matches.append(
                    Match(
                        Span(ids[earlier], a_start, a_end),
                        Span(ids[k], b_start, b_end),
                        "reworded" if reworded else "verbatim",
                        0.7 if reworded else 0.98,
                        edits,
                        "a->b",
                        bool(rng.random() < 0.4),
                        0 if reworded else len(pieces_of[earlier][0].split()),
                        len(pieces_of[earlier][0].split()) if reworded else 0,
                    )
                )
            if OUTLETS[outlets[k]] not in WIRE:
                n_words = len(text.split())
                derived = sum(len(pieces_of[e][0].split()) for e, *_ in copied)
                wire.append(
                    ArticleWireShare(ids[k], OUTLETS[outlets[k]], date, n_words, derived // 2, derived - derived // 2,
                                     "partially-derived" if derived else "non-derived",
                                     tuple(ids[e] for e, *_ in copied), bool(rng.random() < 0.5))
                )
        if quote_words:
            family_quotes = []
            for k, text in enumerate(texts):
                start = text.index("“") + 1
                end = text.index("”", start)
                speaker_at = end + 3
                speaker = SPEAKERS[story % len(SPEAKERS)]
                family_quotes.append(
                    Quote(ids[k], start, end, text[start:end], "attributed", speaker, speaker_at,
                          speaker_at + len(speaker), "said", None, f"qf-{story:05d}",
                          "original" if k == 0 else "verbatim")
                )
            quotes.extend(family_quotes)
            families.append(QuoteFamily(f"qf-{story:05d}", tuple(family_quotes),
                                        tuple(sorted({OUTLETS[o] for o in outlets}))))
        stories.append(Story(f"story-{story:05d}", tuple(ids), ids[0], tuple(sorted({OUTLETS[o] for o in outlets})),
                             documents[-5].date, documents[-1].date))
    documents.sort(key=lambda d: d.id)
    matches.sort(key=lambda m: (m.a.doc, m.a.start, m.b.doc, m.b.start))
    return ScanResult(tuple(documents), tuple(matches), tuple(quotes), tuple(families), tuple(stories), (), tuple(wire))


def _paragraph_offsets(pieces: list[str]) -> list[int]:
    offsets, at = [], 0
    for piece in pieces:
        offsets.append(at)
        at += len(piece) + 2
    return offsets


def _edits(text_a: str, a0: int, a1: int, text_b: str, b0: int, b1: int, changes: list[int]) -> tuple[Edit, ...]:
    words_a = [(m.start() + a0, m.end() + a0) for m in re.finditer(r"\S+", text_a[a0:a1])]
    words_b = [(m.start() + b0, m.end() + b0) for m in re.finditer(r"\S+", text_b[b0:b1])]
    return tuple(
        Edit("change" if i in changes else "keep", wa[0], wa[1], wb[0], wb[1])
        for i, (wa, wb) in enumerate(zip(words_a, words_b, strict=True))
    )


def open_in_chromium(page: Path, fragment: str = "") -> dict[str, float]:
    with tempfile.TemporaryDirectory() as profile:
        began = time.perf_counter()
        run = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
             "--dump-dom", page.as_uri() + fragment],
            capture_output=True, text=True, timeout=300, check=True,
        )
        wall = time.perf_counter() - began
    head = re.search(r"<html[^>]*>", run.stdout).group(0)
    found = dict(re.findall(r'data-(ready-ms|script-ms|errors)="([^"]*)"', head))
    if "errors" in found or "ready-ms" not in found:
        raise SystemExit(f"the page did not load cleanly: {head}")
    return {"ready_ms": float(found["ready-ms"]), "script_ms": float(found["script-ms"]),
            "chromium_wall_s": round(wall, 2)}


def screenshot_wall(url: str) -> float:
    """Seconds for Chromium to start, load ``url``, lay it out, paint and save a screenshot."""
    with tempfile.TemporaryDirectory() as profile:
        began = time.perf_counter()
        subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
             "--window-size=1400,1000", f"--screenshot={profile}/shot.png", url],
            capture_output=True, timeout=300, check=True,
        )
        return round(time.perf_counter() - began, 2)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    result = build_result(args.docs, args.seed)
    began = time.perf_counter()
    page_text = render_report(result, title=f"synthetic {args.docs}")
    render_s = time.perf_counter() - began
    page = (args.out / "report.html").resolve()
    page.write_text(page_text, encoding="utf-8")
    biggest = max(result.matches, key=lambda m: m.b.end - m.b.start)
    figures = {
        "documents": len(result.documents),
        "matches": len(result.matches),
        "quotes": len(result.quotes),
        "quote_families": len(result.quote_families),
        "stories": len(result.stories),
        "html_mb": round(len(page_text.encode("utf-8")) / 1e6, 1),
        "render_s": round(render_s, 2),
        "open": [open_in_chromium(page) for _ in range(3)],
        "open_pair": open_in_chromium(page, f"#pair={biggest.a.doc}|{biggest.b.doc}"),
        # Wall time including Chromium's start, and the same for an empty page: the
        # difference is what loading, drawing and painting the report costs.
        "screenshot_wall_s": [screenshot_wall(page.as_uri()) for _ in range(3)],
        "empty_page_wall_s": [screenshot_wall("about:blank") for _ in range(3)],
    }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
