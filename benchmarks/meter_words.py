"""METER courts, word level: label each newspaper word Verbatim / Rewrite / New from our matches.

usage: python benchmarks/meter_words.py PATH/TO/meter_corpus [--oracle] [--set key=value ...]

The 355 newspaper stories of the ``courts`` half that carry word-level ``<Verbatim>``,
``<Rewrite>`` and ``<New>`` markup are scanned together with ALL 660 PA courts stories (the
PA sources are found by the candidate stage, not handed over). Each newspaper word is
labelled from the scan's derived-word layer (``ScanResult.derived``, :mod:`reprints.derive`)
against the outlet PA: Verbatim or Rewrite inside a derived span of that kind, New
elsewhere. ``--set derive_words=0`` gives the passage accounting instead (a word inside a
matched passage with a PA story is Verbatim where the edit script keeps it, Rewrite where
it is changed or added). The newspaper text is the SGML body with the markup removed, so
gold labels and our offsets refer to the same characters. The derivation model was fitted
on these same stories (``benchmarks/fit_derive.py`` reports its out-of-fold figures).
``--oracle`` aligns each story only with the PA stories of its own folder (the variant in
which the sources are handed over). ``showbiz`` is held out and never read.

Prints one JSON line: derived-vs-new word F1, per-class F1 and the V/R/N macro-F1.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from reprints.align import AlignContext, align_pair, fit_model, prepare_many, segment
from reprints.model import DerivedWords, Document, Match
from reprints.normalize import tokenize
from reprints.params import Params
from reprints.scan import scan
from reprints.wire import word_labels as wire_word_labels

TAG_RE = re.compile(r"<(/?)(Verbatim|Rewrite|New)\b[^>]*>")
LABELS = ("V", "R", "N")


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def annotated_story(path: Path) -> tuple[str, list[str]] | None:
    """Return the body text without markup and one gold label per character ('' outside)."""
    sgml = read_text(path)
    body = sgml.split("<body>", 1)[-1].split("</body>", 1)[0]
    if "<Verbatim" not in body and "<Rewrite" not in body and "<New" not in body:
        return None
    text: list[str] = []
    labels: list[str] = []
    current = ""
    pos = 0
    for m in TAG_RE.finditer(body):
        piece = body[pos : m.start()]
        text.append(piece)
        labels.extend([current] * len(piece))
        current = "" if m.group(1) else m.group(2)[0]
        pos = m.end()
    piece = body[pos:]
    text.append(piece)
    labels.extend([current] * len(piece))
    return "".join(text), labels


def load(root: Path) -> tuple[list[Document], dict[str, list[str]], dict[str, list[str]]]:
    """Return the documents (newspaper + PA courts), gold char labels, PA ids per story folder."""
    docs: list[Document] = []
    gold: dict[str, list[str]] = {}
    folders: dict[str, list[str]] = {}
    for path in sorted((root / "PA" / "rawtexts" / "courts").rglob("*.txt")):
        rel = path.relative_to(root).as_posix()
        docs.append(Document(rel, read_text(path), outlet="PA"))
        folders.setdefault(str(path.parent.relative_to(root / "PA" / "rawtexts")), []).append(rel)
    for path in sorted((root / "newspapers" / "annotated" / "courts").rglob("*.sgml")):
        story = annotated_story(path)
        if story is None:
            continue
        rel = path.relative_to(root).as_posix()
        paper = path.stem.rsplit("_", 1)[-1]
        docs.append(Document(rel, story[0], outlet=paper))
        gold[rel] = story[1]
    return docs, gold, folders


def word_labels(doc: Document, matches: list[Match], derived: list[DerivedWords] | None = None) -> np.ndarray:
    """Label each word of ``doc`` V/R/N with the tool's own word accounting (``reprints wire``)."""
    codes = wire_word_labels(doc, matches, derived=derived)
    return np.array(["N", "R", "V"], dtype="<U1")[codes]


def gold_word_labels(doc: Document, char_labels: list[str]) -> np.ndarray:
    tokens = tokenize(doc.text)
    return np.array([char_labels[s] or "N" for s in tokens.starts], dtype="<U1")


def f1(pred: np.ndarray, gold: np.ndarray, positive: set[str]) -> float:
    p = np.isin(pred, list(positive))
    g = np.isin(gold, list(positive))
    tp = int((p & g).sum())
    if tp == 0:
        return 0.0
    precision, recall = tp / p.sum(), tp / g.sum()
    return float(2 * precision * recall / (precision + recall))


def evaluate(root: Path, params: Params, oracle: bool) -> dict[str, object]:
    started = time.time()
    docs, gold, folders = load(root)
    by_id = {d.id: d for d in docs}
    per_doc: dict[str, list[Match]] = {doc_id: [] for doc_id in gold}
    derived: dict[str, list[DerivedWords]] | None = None
    if oracle:
        segments = [segment(d) for d in docs]
        model = fit_model([(t, r) for t, _s, r in segments])
        context = AlignContext(params, model)
        context.prepared.update(prepare_many(docs, segments, model, min_words=params.min_words))
        for doc_id in gold:
            folder = "/".join(doc_id.split("/")[2:-1])
            for pa in folders.get(folder, []):
                per_doc[doc_id].extend(align_pair(by_id[doc_id], by_id[pa], context))
    else:
        result = scan(docs, params, quotes=False)
        if params.derive_words:
            derived = {doc_id: [] for doc_id in gold}
            for span in result.derived:
                if span.doc in derived and span.outlet == "PA":
                    derived[span.doc].append(span)
        for m in result.matches:
            for news, other in ((m.a.doc, m.b.doc), (m.b.doc, m.a.doc)):
                if news in per_doc and by_id[other].outlet == "PA":
                    per_doc[news].append(m)
    pred_all, gold_all = [], []
    for doc_id, char_labels in gold.items():
        doc = by_id[doc_id]
        pred_all.append(word_labels(doc, per_doc[doc_id], None if derived is None else derived[doc_id]))
        gold_all.append(gold_word_labels(doc, char_labels))
    pred, ref = np.concatenate(pred_all), np.concatenate(gold_all)
    per_class = {c: round(f1(pred, ref, {c}), 4) for c in LABELS}
    return {
        "stories": len(gold),
        "pa_stories": sum(1 for d in docs if d.outlet == "PA"),
        "words": len(ref),
        "gold_counts": dict(sorted(Counter(ref.tolist()).items())),
        "pred_counts": dict(sorted(Counter(pred.tolist()).items())),
        "oracle_sources": oracle,
        "labels": "passages" if derived is None else "derived words",
        "derived_vs_new_f1": round(f1(pred, ref, {"V", "R"}), 4),
        "new_f1": per_class["N"],
        "per_class_f1": per_class,
        "vrn_macro_f1": round(float(np.mean(list(per_class.values()))), 4),
        "confusion_gold_by_pred": {
            g: {p: int(((ref == g) & (pred == p)).sum()) for p in LABELS} for g in LABELS
        },
        "seconds": round(time.time() - started, 1),
    }


def parse_sets(items: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in items:
        key, value = item.split("=", 1)
        out[key] = float(value) if "." in value else int(value)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("meter_corpus", type=Path)
    parser.add_argument("--oracle", action="store_true", help="hand over each story's PA folder")
    parser.add_argument("--set", action="append", default=[], help="override a Params field")
    args = parser.parse_args()
    if not (args.meter_corpus / "PA").is_dir():
        print(f"{args.meter_corpus}: not a METER corpus folder (no PA/)", file=sys.stderr)
        return 2
    params = Params().replace(**parse_sets(args.set))
    print(json.dumps(evaluate(args.meter_corpus, params, args.oracle)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
