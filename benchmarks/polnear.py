"""Quote extraction and attribution on PolNeAR (train and dev only; test is held out).

usage: python benchmarks/polnear.py PATH_TO_polnear [--split train --split dev] [--errors N]

PATH is the PolNeAR folder (holding ``data/``) or its ``data/`` folder. The corpus is read
from there and never copied.

Definitions (see benchmarks/quotes.md):

- **Quoted segment**: the characters between a pair of double quotation marks in one
  paragraph (line) of the article, marks excluded: “…”, "…" or ``…''. Marks pair left to
  right; an opening mark with no closing mark in its paragraph runs to the end of the
  paragraph. Single quotation marks are not used (in US news they only nest inside double
  ones, and ’ is mostly an apostrophe), and neither are segments without a letter or digit.
  This pairing is deliberately simple and independent of ``reprints.quotes``.
- **Gold segment**: a quoted segment at least half of whose characters lie inside the
  Content span (all fragments) of one attribution relation; its **source** is that
  relation's Source span (the relation covering most of the segment wins). Each article is
  scored against one annotator: the first ``.ann`` file in name order.
- **Quote recall**: share of gold segments of which one extracted quote covers ≥ 50%.
- **Attributed precision**: share of extracted quotes that have a speaker and overlap a gold
  segment, among extracted quotes that have a speaker.
- **Speaker accuracy**: among extracted quotes with a speaker that overlap a gold segment
  with a source, the share whose speaker mention (``speaker_start``/``speaker_end``)
  overlaps that source.
- Also reported: **exact spans**, the share of gold segments that one extracted quote
  matches character for character (white space and a trailing comma trimmed from the
  gold); **attributed recall**, the share of gold segments with a source that are covered by
  an extracted quote with a speaker.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from reprints.model import Document, Quote
from reprints.quotes import extract_quotes

HELD_OUT = {"test"}
_MARK_RE = re.compile(r"``|''|[\"“”]")


@dataclass
class Relation:
    content: list[tuple[int, int]]
    source: list[tuple[int, int]]


@dataclass
class Gold:
    start: int
    end: int
    source: list[tuple[int, int]]


def load_relations(ann: Path) -> list[Relation]:
    spans: dict[str, list[tuple[int, int]]] = {}
    relations = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) < 2:
            continue
        if re.fullmatch(r"T\d+", fields[0]):
            kind_and_offsets = fields[1].split(" ", 1)
            if len(kind_and_offsets) < 2:
                continue
            fragments = []
            for piece in kind_and_offsets[1].split(";"):
                s, e = piece.split()[:2]
                fragments.append((int(s), int(e)))
            spans[fields[0]] = fragments
        elif re.fullmatch(r"E\d+", fields[0]):
            parts = dict(p.split(":", 1) for p in fields[1].split() if ":" in p)
            content = spans.get(parts.get("Content", ""), [])
            source = spans.get(parts.get("Source", ""), [])
            if content:
                relations.append(Relation(content, source))
    return relations


def quoted_segments(text: str) -> list[tuple[int, int]]:
    """Double-quoted stretches of each line, marks excluded (see the module docstring)."""
    out = []
    offset = 0
    for line in text.split("\n"):
        opened: int | None = None
        for m in _MARK_RE.finditer(line):
            glyph = m.group()
            if opened is None and glyph in ('"', "“", "``", "''"):
                opened = m.end()
            elif opened is not None and glyph in ('"', "”", "''"):
                out.append((offset + opened, offset + m.start()))
                opened = None
            elif glyph == "“":
                opened = m.end()  # a reopening without a close: start again
        if opened is not None:
            out.append((offset + opened, offset + len(line.rstrip())))
        offset += len(line) + 1
    return [(s, e) for s, e in out if e > s and re.search(r"\w", text[s:e])]


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def gold_segments(text: str, relations: list[Relation]) -> list[Gold]:
    gold = []
    for seg in quoted_segments(text):
        best, best_cover = None, 0
        for rel in relations:
            cover = sum(overlap(seg, c) for c in rel.content)
            if cover > best_cover:
                best, best_cover = rel, cover
        if best is not None and best_cover >= 0.5 * (seg[1] - seg[0]):
            gold.append(Gold(seg[0], seg[1], best.source))
    return gold


def trimmed(text: str, g: Gold) -> tuple[int, int]:
    """A gold segment without surrounding white space and a trailing comma."""
    s, e = g.start, g.end
    while s < e and text[s].isspace():
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] == ","):
        e -= 1
    return s, e


def articles(root: Path, split: str) -> list[tuple[Path, Path]]:
    """(text file, first annotation file) for each annotated article of a split."""
    anns: dict[str, list[Path]] = defaultdict(list)
    for ann in sorted((root / split / "attributions").glob("*.ann")):
        anns[re.sub(r"_[0-9a-f]{4}$", "", ann.stem)].append(ann)
    out = []
    for name, files in sorted(anns.items()):
        text = root / split / "text" / f"{name}.txt"
        if text.exists():
            out.append((text, files[0]))
    return out


def evaluate(root: Path, split: str, errors: int = 0) -> dict[str, object]:
    n_gold = found = exact = 0
    n_sourced = sourced_attributed = 0
    n_attributed = attributed_hit = 0
    n_scored = speaker_hit = 0
    shown = 0
    for text_path, ann in articles(root, split):
        text = text_path.read_text(encoding="utf-8")
        gold = gold_segments(text, load_relations(ann))
        quotes: list[Quote] = extract_quotes(Document(text_path.name, text))
        n_gold += len(gold)
        for g in gold:
            covering = [q for q in quotes if overlap((q.start, q.end), (g.start, g.end)) >= 0.5 * (g.end - g.start)]
            if g.source:
                n_sourced += 1
                got = any(q.speaker is not None for q in covering)
                sourced_attributed += got
                if covering and not got and shown < errors:
                    shown += 1
                    gold_src = " / ".join(text[a:b] for a, b in g.source)
                    print(f"NOSPEAKER {text_path.name}: gold {gold_src!r} in {text[max(0, g.start - 120):g.end + 60]!r}", file=sys.stderr)
            if covering:
                found += 1
                exact += any((q.start, q.end) == trimmed(text, g) for q in covering)
            elif shown < errors:
                shown += 1
                print(f"MISSED {text_path.name}: {text[max(0, g.start - 40):g.end + 10]!r}", file=sys.stderr)
        for q in quotes:
            if q.speaker is None:
                continue
            n_attributed += 1
            hits = [g for g in gold if overlap((q.start, q.end), (g.start, g.end)) > 0]
            if not hits:
                if shown < errors:
                    shown += 1
                    print(f"UNGOLD {text_path.name}: {text[max(0, q.start - 60):q.end + 40]!r} -> {q.speaker!r}", file=sys.stderr)
                continue
            attributed_hit += 1
            g = max(hits, key=lambda g: overlap((q.start, q.end), (g.start, g.end)))
            if not g.source:
                continue
            n_scored += 1
            assert q.speaker_start is not None and q.speaker_end is not None
            if any(overlap((q.speaker_start, q.speaker_end), s) > 0 for s in g.source):
                speaker_hit += 1
            elif shown < errors:
                shown += 1
                gold_src = " / ".join(text[s:e] for s, e in g.source)
                print(
                    f"SPEAKER {text_path.name}: {text[q.speaker_start:q.speaker_end]!r} vs gold {gold_src!r} "
                    f"in {text[max(0, q.start - 80):q.end + 60]!r}",
                    file=sys.stderr,
                )
    return {
        "split": split,
        "articles": len(articles(root, split)),
        "gold_segments": n_gold,
        "quote_recall": round(found / n_gold, 3) if n_gold else None,
        "exact_spans": round(exact / n_gold, 3) if n_gold else None,
        "attributed_recall": round(sourced_attributed / n_sourced, 3) if n_sourced else None,
        "attributed_quotes": n_attributed,
        "attributed_precision": round(attributed_hit / n_attributed, 3) if n_attributed else None,
        "speaker_scored": n_scored,
        "speaker_accuracy": round(speaker_hit / n_scored, 3) if n_scored else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="PolNeAR folder (with data/) or its data/ folder")
    parser.add_argument("--split", action="append", choices=["train", "dev"], help="default: train and dev")
    parser.add_argument("--errors", type=int, default=0, help="print this many misses to stderr")
    args = parser.parse_args(argv)
    root = args.path / "data" if (args.path / "data").is_dir() else args.path
    for split in args.split or ["train", "dev"]:
        if split in HELD_OUT:
            parser.error("the test split is held out")
        print(json.dumps(evaluate(root, split, args.errors)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
