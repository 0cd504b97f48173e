"""METER courts: how well ``reprints wire`` finds PA wire copy in nine British papers.

Usage: python benchmarks/meter_wire.py PATH/meter_corpus [--out DIR] [--folds 10]
                                       [--bootstrap 200] [--pa courts|all]

Reads only what evaluation needs, straight from the corpus folder (nothing is copied):
* the 770 labelled ``courts`` newspaper stories; id, date, paper and class come from each
  story's SGML header (``newspapers/annotated``), the text is the SGML body with the
  annotation tags taken out (their word-level Verbatim/Rewrite/New marks are kept as gold);
  the 28 stories without an SGML file are read from ``rawtexts`` (date and paper from the path);
* every PA wire story as the wire pool (``--pa all``, the default: all 771 PA stories, so
  each newspaper story's sources must be found among them, not handed over; ``--pa courts``
  restricts the pool to the 659 courts PA stories). The ``showbiz`` newspaper stories, their
  labels and annotations are held out and never opened.

Then ``reprints.wire.wire_share`` runs once with the default parameters (wire = outlet "PA",
date window 3 days), and:
* document classes: the two wire-share thresholds (partially / wholly derived) are chosen on
  k-1 folds by exhaustive search for the best 3-class macro-F1 and applied to the held-out
  fold; the reported macro-F1 and derived-vs-non F1 are out-of-fold. Stability: thresholds per
  fold, and over ``--bootstrap`` resamples of all stories;
* word level, on the stories with word-level marks: derived-vs-new F1 and V/R/N macro-F1;
* per paper: stories, gold and predicted classes, mean wire share; charts with ``--out``.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reprints import store
from reprints.model import Document, ScanResult
from reprints.normalize import tokenize
from reprints.params import Params
from reprints.wire_classes import EVIDENCE, ClassModel, fitted_model, weights_module
from reprints.wire import (
    CLASSES,
    NEW,
    REWORDED,
    VERBATIM,
    chart_html,
    chart_png,
    summarise,
    wire_evidence,
    word_labels,
    write_outlets_csv,
)

GOLD_FILES = {
    "wholly-derived": "wholly_derived.txt",
    "partially-derived": "partially_derived.txt",
    "non-derived": "non_derived.txt",
}
_ATTR_RE = re.compile(r'(\w+)="([^"]*)"')
_TAG_RE = re.compile(r"<(/?)(\w+)[^>]*>")
_MARKS = {"verbatim": VERBATIM, "rewrite": REWORDED, "new": NEW}


@dataclass
class Story:
    """One newspaper story (or PA story) as the benchmark reads it."""

    doc: Document
    gold: str | None = None
    char_labels: np.ndarray | None = None
    """Per character: -1 unmarked, else NEW/REWORDED/VERBATIM (SGML word-level marks)."""


def _iso(ddmmyy: str) -> str:
    day, month, year = ddmmyy.split(".")
    century = "20" if int(year) < 50 else "19"
    return f"{century}{year}-{month}-{day}"


def read_sgml(path: Path, root: Path) -> Story:
    """Parse one METER SGML file: header attributes, body text without tags, word marks."""
    raw = path.read_text(encoding="latin-1")
    header = _ATTR_RE.findall(raw[: raw.index(">", raw.index("<meterdocument")) + 1])
    attrs = dict(header)
    body = raw[raw.index("<body>") + len("<body>") : raw.rindex("</body>")]
    pieces: list[str] = []
    labels: list[int] = []
    current = -1
    pos = 0
    strip_newline = False
    for m in _TAG_RE.finditer(body):
        text = body[pos : m.start()]
        if strip_newline and text.startswith("\n"):
            text = text[1:]  # the annotation tool put each marked span on its own line
        pieces.append(text)
        labels.extend([current] * len(text))
        closing, name = m.group(1) == "/", m.group(2).lower()
        if name in _MARKS:
            current = -1 if closing else _MARKS[name]
        strip_newline = closing and name in _MARKS
        pos = m.end()
    tail = body[pos:]
    pieces.append(tail)
    labels.extend([current] * len(tail))
    text = "".join(pieces)
    # The id is the file's path: a few headers carry another file's name (copied headers).
    doc_id = path.relative_to(root).as_posix()
    outlet = attrs.get("newspaper") or None
    doc = Document(
        id=doc_id,
        text=text,
        outlet="PA" if outlet == "PA" else outlet,
        date=_iso(attrs["date"]) if attrs.get("date") else None,
        title=attrs.get("catchline"),
        meta={"domain": attrs.get("domain", ""), "catchline": attrs.get("catchline", "")},
    )
    marks = np.asarray(labels, dtype=np.int8)
    return Story(doc, attrs.get("classification"), marks if (marks >= 0).any() else None)


def read_raw_story(path: Path, root: Path) -> Story:
    """Read a newspaper story that has no SGML file: date and paper from its path."""
    rel = path.relative_to(root).as_posix()
    date, paper = path.parent.parent.name, path.stem.rsplit("_", 1)[-1]
    doc = Document(id=rel, text=path.read_text(encoding="latin-1"), outlet=paper, date=_iso(date))
    return Story(doc)


def load(root: Path, pa_scope: str) -> tuple[list[Story], list[Story]]:
    """Return (courts newspaper stories with gold, PA wire stories)."""
    gold: dict[str, str] = {}
    for cls, name in GOLD_FILES.items():
        for line in (
            (root / "file_index" / "courts" / name).read_text(encoding="latin-1").splitlines()
        ):
            if line.strip():
                gold[line.strip().replace("meter_corpus/", "", 1).lstrip("/")] = cls
    news: list[Story] = []
    for rel, cls in sorted(gold.items()):
        raw = root / rel
        sgml = root / rel.replace("/rawtexts/", "/annotated/", 1)
        sgml = sgml.with_suffix(".sgml")
        story = read_sgml(sgml, root) if sgml.exists() else read_raw_story(raw, root)
        story.doc = Document(
            id=rel,
            text=story.doc.text,
            outlet=story.doc.outlet,
            date=story.doc.date,
            title=story.doc.title,
        )
        story.gold = story.gold or cls
        if story.gold != cls:
            print(f"note: {rel}: SGML says {story.gold}, file index says {cls}; using the index")
            story.gold = cls
        news.append(story)
    pa_root = root / "PA" / "annotated"
    domains = ("courts",) if pa_scope == "courts" else ("courts", "showbiz")
    wire = [
        read_sgml(p, root) for domain in domains for p in sorted((pa_root / domain).rglob("*.sgml"))
    ]
    for story in wire:
        story.doc = Document(
            id=story.doc.id,
            text=story.doc.text,
            outlet="PA",
            date=story.doc.date,
            title=story.doc.title,
        )
    return news, wire


# --- scoring ------------------------------------------------------------------------------


def macro_f1(gold: list[str], pred: list[str], classes: tuple[str, ...] = CLASSES) -> float:
    scores = []
    for c in classes:
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def binary_f1(gold: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    tp = int((gold & pred).sum())
    fp = int((~gold & pred).sum())
    fn = int((gold & ~pred).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


GRID = np.round(np.arange(0.0, 1.0001, 0.01), 2)


def predict(shares: np.ndarray, partially: float, wholly: float) -> np.ndarray:
    out = np.full(len(shares), 2, dtype=np.int8)  # non-derived
    out[shares >= partially] = 1
    out[shares >= wholly] = 0
    return out


def _macro_from_codes(gold: np.ndarray, pred: np.ndarray) -> float:
    scores = []
    for c in range(3):
        tp = np.sum((gold == c) & (pred == c))
        fp = np.sum((gold != c) & (pred == c))
        fn = np.sum((gold == c) & (pred != c))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def search_thresholds(shares: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    """Exhaustive search over GRID x GRID (partially < wholly) for the best macro-F1.

    Vectorised: with ``ge[k]`` the stories whose share reaches ``GRID[k]``, the counts of every
    class under every threshold pair follow from per-threshold sums. Ties go to the middle of
    the tied pairs (stable under resampling).
    """
    ge = shares[:, None] >= GRID[None, :]  # (stories, grid)
    actual = [int((gold == k).sum()) for k in range(3)]
    above = ge.sum(axis=0)  # predicted at or above each threshold
    above_k = [(ge & (gold == k)[:, None]).sum(axis=0) for k in range(3)]

    def f1(tp: np.ndarray, predicted: np.ndarray, n: int) -> np.ndarray:
        den = predicted + n
        return np.where(tp > 0, 2 * tp / np.maximum(den, 1), 0.0)

    wd = f1(above_k[0], above, actual[0])[None, :]  # indexed by wholly
    nd = f1(actual[2] - above_k[2], len(shares) - above, actual[2])[:, None]  # by partially
    pd_tp = above_k[1][:, None] - above_k[1][None, :]
    pd_pred = above[:, None] - above[None, :]
    pd = f1(pd_tp, pd_pred, actual[1])
    macro = (wd + pd + nd) / 3
    valid = np.triu(np.ones((len(GRID), len(GRID)), dtype=bool), k=1)  # partially < wholly
    macro = np.where(valid, macro, -1.0)
    best = float(macro.max())
    ps, ws = np.nonzero(np.abs(macro - best) <= 1e-12)
    pick = len(ps) // 2
    order = np.lexsort((ws, ps))
    return float(GRID[ps[order][pick]]), float(GRID[ws[order][pick]]), best


C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
"""Inverse regularisation strengths tried for the class model (chosen by inner CV)."""


def _logistic(c: float):  # noqa: ANN202 - a scikit-learn pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(
        StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    )


def _folds(gold: np.ndarray, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    return list(StratifiedKFold(k, shuffle=True, random_state=seed).split(gold, gold))


def choose_c(X: np.ndarray, gold: np.ndarray, k: int, seed: int) -> float:
    """Return the C of C_GRID with the best k-fold macro-F1 on (X, gold) (ties: smaller C)."""
    best, pick = -1.0, C_GRID[0]
    folds = _folds(gold, k, seed)
    for c in C_GRID:
        pred = np.zeros(len(gold), dtype=np.int8)
        for train, test in folds:
            pred[test] = _logistic(c).fit(X[train], gold[train]).predict(X[test])
        score = _macro_from_codes(gold, pred)
        if score > best + 1e-9:
            best, pick = score, c
    return pick


def report_classes(gold: np.ndarray, pred: np.ndarray) -> None:
    """Print macro-F1, accuracy, derived-vs-non, per class F1 and the confusion matrix."""
    derived_f1, dp, dr = binary_f1(gold != 2, pred != 2)
    print(
        f"  3-class macro-F1 {_macro_from_codes(gold, pred):.3f}   accuracy {float((pred == gold).mean()):.3f}"
    )
    print(f"  derived-vs-non F1 {derived_f1:.3f} (precision {dp:.3f}, recall {dr:.3f})")
    for k, c in enumerate(CLASSES):
        f1, cp, cr = binary_f1(gold == k, pred == k)
        print(f"  {c:18s} F1 {f1:.3f} (P {cp:.3f} R {cr:.3f})")
    confusion = np.zeros((3, 3), dtype=int)
    for g, p in zip(gold, pred, strict=True):
        confusion[g, p] += 1
    print("  confusion (rows gold WD/PD/ND, columns predicted):", confusion.tolist())


def evidence_classes(
    X: np.ndarray, gold: np.ndarray, args: argparse.Namespace, sourced: np.ndarray
) -> tuple[np.ndarray, list[float]]:
    """Out-of-fold classes of the evidence model (nested CV), with spread and stability.

    Stories not ``sourced`` are non-derived and take no part in fitting.
    Outer: stratified ``args.folds`` folds; on the training folds C is chosen from C_GRID by
    inner 5-fold CV, the model is fitted and predicts the held-out fold. Repeated over
    ``args.repeats`` fold splits for the spread; the first split's predictions are returned.
    """
    print(
        f"\nEvidence model (--classes evidence): multinomial logistic regression over {X.shape[1]} "
        f"measures per story, {args.folds}-fold nested CV (C from {C_GRID} by inner 5-fold CV):"
    )
    first: np.ndarray | None = None
    chosen: list[float] = []
    macros, binaries, fold_macros = [], [], []
    for seed in range(max(1, args.repeats)):
        pred = np.full(len(gold), 2, dtype=np.int8)
        for train, test in _folds(gold, args.folds, seed):
            train, held = train[sourced[train]], test[sourced[test]]
            c = choose_c(X[train], gold[train], 5, seed)
            chosen.append(c)
            pred[held] = _logistic(c).fit(X[train], gold[train]).predict(X[held])
            fold_macros.append(_macro_from_codes(gold[test], pred[test]))
        macros.append(_macro_from_codes(gold, pred))
        binaries.append(binary_f1(gold != 2, pred != 2)[0])
        if first is None:
            first = pred
            report_classes(gold, pred)
    assert first is not None
    print(
        f"  over {len(macros)} fold splits: macro-F1 {np.mean(macros):.3f} ± {np.std(macros):.3f} "
        f"[{min(macros):.3f}, {max(macros):.3f}], derived-vs-non F1 {np.mean(binaries):.3f} ± "
        f"{np.std(binaries):.3f}; per held-out fold macro-F1 {np.mean(fold_macros):.3f} ± "
        f"{np.std(fold_macros):.3f} [{min(fold_macros):.3f}, {max(fold_macros):.3f}]; "
        f"C chosen {dict(Counter(chosen))}"
    )
    if args.bootstrap:
        stability(X[sourced], gold[sourced], args, first[sourced])
    return first, chosen


def stability(X: np.ndarray, gold: np.ndarray, args: argparse.Namespace, oof: np.ndarray) -> None:
    """Refit on bootstrap resamples: how often a story's class changes, and the weights' spread."""
    rng = np.random.default_rng(1)
    c = choose_c(X, gold, args.folds, 0)
    full = _logistic(c).fit(X, gold)
    base = full.predict(X)
    flips, coefs, macros = [], [], []
    for _ in range(args.bootstrap):
        idx = rng.integers(0, len(gold), len(gold))
        out = np.setdiff1d(np.arange(len(gold)), idx)
        model = _logistic(c).fit(X[idx], gold[idx])
        flips.append(float((model.predict(X) != base).mean()))
        coefs.append(model[-1].coef_ / 1.0)
        if len(out):
            macros.append(_macro_from_codes(gold[out], model.predict(X[out])))
    f = np.array(flips)
    co = np.array(coefs)
    print(
        f"  stability, {args.bootstrap} bootstrap refits (C = {c}): a story's class differs from the "
        f"all-story model's on {f.mean():.3f} of stories on average (5-95%: "
        f"{np.percentile(f, 5):.3f}-{np.percentile(f, 95):.3f}); out-of-bag macro-F1 "
        f"{np.mean(macros):.3f} ± {np.std(macros):.3f}"
    )
    mean, sd = co.mean(axis=0), co.std(axis=0)
    stable = (np.sign(co) == np.sign(mean)[None]).mean(axis=0)
    print("  weights (standardised; rows WD/PD/ND) mean ± sd over the refits, share of refits with the same sign:")
    for j, name in enumerate(EVIDENCE):
        cells = "  ".join(f"{mean[k, j]:+.2f}±{sd[k, j]:.2f} ({stable[k, j]:.2f})" for k in range(3))
        print(f"    {name:20s} {cells}")
    print(f"  out-of-fold classes vs the all-story model's in-sample classes: agree on {(oof == base).mean():.3f}")


def fit_final(X: np.ndarray, gold: np.ndarray, args: argparse.Namespace) -> tuple[ClassModel, float]:
    """Fit the shipped model on all stories; C by ``args.folds``-fold CV."""
    c = choose_c(X, gold, args.folds, 0)
    pipe = _logistic(c).fit(X, gold)
    scaler, lr = pipe[0], pipe[-1]
    assert list(lr.classes_) == [0, 1, 2]
    model = ClassModel(
        features=EVIDENCE,
        mean=tuple(float(v) for v in scaler.mean_),
        scale=tuple(float(v) for v in scaler.scale_),
        coef=tuple(tuple(float(v) for v in row) for row in lr.coef_),
        intercept=tuple(float(v) for v in lr.intercept_),
    )
    return model, c


def parse_sets(items: list[str]) -> dict[str, object]:
    """Parse ``--set KEY=VALUE`` items: booleans from 0/1/true/false, None from none."""
    defaults = Params()
    out: dict[str, object] = {}
    for item in items:
        key, _, raw = item.partition("=")
        key = key.strip().replace("-", "_")
        if not hasattr(defaults, key):
            raise SystemExit(f"--set {item}: no parameter {key!r}")
        default = getattr(defaults, key)
        text = raw.strip()
        if isinstance(default, bool):
            if text.lower() not in {"0", "1", "true", "false", "yes", "no", "on", "off", ""}:
                raise SystemExit(f"--set {item}: expected 0/1, true/false for {key}")
            out[key] = text.lower() in {"1", "true", "yes", "on"}
        elif text.lower() in {"none", ""} and not isinstance(default, str):
            out[key] = None
        elif isinstance(default, int) or (default is None and text.lstrip("-").isdigit()):
            out[key] = int(text)
        elif isinstance(default, float) or default is None:
            out[key] = float(text)
        else:
            out[key] = text
    return out


def add_set_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--set KEY=VALUE`` (repeatable; read with :func:`parse_sets`)."""
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a Params field, e.g. --set min_words=5 --set wire_nearest_cosine=none",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("meter", type=Path, help="the meter_corpus folder")
    parser.add_argument(
        "--out", type=Path, help="write results.db, articles.jsonl, outlets.csv, charts here"
    )
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--bootstrap", type=int, default=200)
    parser.add_argument("--pa", choices=("all", "courts"), default="all")
    parser.add_argument(
        "--repeats", type=int, default=5, help="fold splits for the spread of the CV figures"
    )
    parser.add_argument(
        "--write-weights",
        metavar="PATH",
        help="refit the class model on all stories and write it (src/reprints/wire_weights.py)",
    )
    parser.add_argument(
        "--window", type=int, default=None, help="wire_window_days (default: Params)"
    )
    add_set_option(parser)
    args = parser.parse_args(argv)
    root = args.meter
    if (root / "meter_corpus").is_dir():
        root = root / "meter_corpus"

    started = time.perf_counter()
    news, wire = load(root, args.pa)
    print(
        f"METER courts: {len(news)} newspaper stories, {len(wire)} PA stories in the wire pool "
        f"({Counter(s.gold for s in news)})"
    )
    params = Params() if args.window is None else Params(wire_window_days=args.window)
    params = params.replace(**parse_sets(args.sets))
    documents = [s.doc for s in news] + [s.doc for s in wire]
    read_took = time.perf_counter() - started
    started = time.perf_counter()
    # Classes are decided below by cross-validation; the run only measures (no model needed).
    articles, matches, evidence = wire_evidence(
        documents, ["PA"], params.replace(wire_classes="share")
    )
    took = time.perf_counter() - started
    print(
        f"read {read_took:.1f} s; wire_share {took:.1f} s for {len(documents)} documents, "
        f"{len(matches)} matches (timings noisy: shared 2-core machine)"
    )

    by_id = {a.doc: a for a in articles}
    stories = [s for s in news if s.doc.id in by_id]
    shares = np.array([by_id[s.doc.id].wire_share for s in stories])
    verbatim = np.array(
        [by_id[s.doc.id].verbatim_words / max(1, by_id[s.doc.id].words) for s in stories]
    )
    codes = {c: k for k, c in enumerate(CLASSES)}
    gold = np.array([codes[s.gold] for s in stories], dtype=np.int8)
    for c in CLASSES:
        sel = gold == codes[c]
        print(
            f"  {c:18s} n={sel.sum():3d} mean wire share {shares[sel].mean():.3f} "
            f"(verbatim {verbatim[sel].mean():.3f})"
        )

    # The default: two thresholds on wire_share, out-of-fold.
    rng = np.random.default_rng(0)
    order = rng.permutation(len(stories))
    fold_of = np.empty(len(stories), dtype=int)
    for k in range(3):  # stratified: deal each class round-robin over the folds
        members = [i for i in order if gold[i] == k]
        for n, i in enumerate(members):
            fold_of[i] = n % args.folds
    share_pred = np.zeros(len(stories), dtype=np.int8)
    fold_thresholds = []
    for f in range(args.folds):
        train, test = fold_of != f, fold_of == f
        p, w, _ = search_thresholds(shares[train], gold[train])
        fold_thresholds.append((p, w))
        share_pred[test] = predict(shares[test], p, w)
    fp = np.array(fold_thresholds)
    print(
        f"\nDefault (--classes share): two thresholds on wire_share, {args.folds}-fold CV "
        "(chosen on the other folds by exhaustive search):"
    )
    report_classes(gold, share_pred)
    print(
        f"  thresholds per fold: partially {fp[:, 0].mean():.3f} ± {fp[:, 0].std():.3f} "
        f"[{fp[:, 0].min():.2f}, {fp[:, 0].max():.2f}], wholly {fp[:, 1].mean():.3f} ± "
        f"{fp[:, 1].std():.3f} [{fp[:, 1].min():.2f}, {fp[:, 1].max():.2f}]"
    )
    all_p, all_w, all_score = search_thresholds(shares, gold)
    print(
        f"  thresholds on all {len(stories)} stories: partially {all_p:.2f}, wholly {all_w:.2f} "
        f"(in-sample macro-F1 {all_score:.3f}); defaults in Params: "
        f"{params.wire_partially:.2f}, {params.wire_wholly:.2f}"
    )
    if args.bootstrap:
        boots = []
        for _ in range(args.bootstrap):
            idx = rng.integers(0, len(stories), len(stories))
            boots.append(search_thresholds(shares[idx], gold[idx])[:2])
        b = np.array(boots)
        print(
            f"  bootstrap ({args.bootstrap} resamples): partially {b[:, 0].mean():.3f} ± "
            f"{b[:, 0].std():.3f} (5-95%: {np.percentile(b[:, 0], 5):.2f}-{np.percentile(b[:, 0], 95):.2f}), "
            f"wholly {b[:, 1].mean():.3f} ± {b[:, 1].std():.3f} "
            f"(5-95%: {np.percentile(b[:, 1], 5):.2f}-{np.percentile(b[:, 1], 95):.2f})"
        )

    # The evidence model (--classes evidence), out-of-fold.
    X = np.array([[evidence[s.doc.id][k] for k in EVIDENCE] for s in stories])
    # As in reprints.wire: a story with no passage aligned to PA copy is non-derived, and the
    # model is fitted and applied only to the others.
    sourced = np.array([bool(by_id[s.doc.id].sources) for s in stories])
    print(
        f"\n{int((~sourced).sum())} stories have no PA source found (none aligned, none near enough; gold WD/PD/ND "
        f"{np.bincount(gold[~sourced], minlength=3).tolist()}): non-derived by rule"
    )
    pred, chosen_c = evidence_classes(X, gold, args, sourced)
    if args.write_weights:
        model, c_all = fit_final(X[sourced], gold[sourced], args)
        provenance = (
            f"Fitted by: python benchmarks/meter_wire.py PATH/meter --write-weights {args.write_weights}\n"
            f"on the {int(sourced.sum())} of {len(stories)} METER courts stories with an aligned PA source\n"
            f"(all {len(wire)} PA stories in the pool); "
            f"default Params; C = {c_all} chosen by {args.folds}-fold CV macro-F1 from {C_GRID};\n"
            "class_weight='balanced', standardised evidence (procedure in benchmarks/wire.md)."
        )
        Path(args.write_weights).write_text(weights_module(model, provenance=provenance))
        print(
            f"  wrote the model fitted on the {int(sourced.sum())} stories with a source "
            f"(C = {c_all}) to {args.write_weights}"
        )
    else:
        shipped = fitted_model()
        agree = np.mean(
            [
                (codes[shipped.classify(evidence[s.doc.id])] if ok else 2) == p
                for s, p, ok in zip(stories, pred, sourced, strict=True)
            ]
        )
        print(f"  shipped weights (reprints.wire_weights) agree with the out-of-fold classes on {agree:.3f} of stories")

    # Word level.
    word_gold: list[np.ndarray] = []
    word_pred: list[np.ndarray] = []
    by_doc = defaultdict(list)
    for m in matches:
        by_doc[m.a.doc].append(m)
        by_doc[m.b.doc].append(m)
    marked = [s for s in stories if s.char_labels is not None]
    for s in marked:
        tokens = tokenize(s.doc.text)
        g = s.char_labels[tokens.starts]  # type: ignore[index]
        keep = g >= 0
        p = word_labels(s.doc, by_doc.get(s.doc.id, []), tokens)
        word_gold.append(g[keep])
        word_pred.append(p[keep])
    wg, wp = np.concatenate(word_gold), np.concatenate(word_pred)
    wf1, wpp, wrr = binary_f1(wg != NEW, wp != NEW)
    names = {VERBATIM: "Verbatim", REWORDED: "Rewrite", NEW: "New"}
    per = {}
    for k, name in names.items():
        per[name] = binary_f1(wg == k, wp == k)
    print(
        f"\nWord level, {len(marked)} stories with word marks, {len(wg)} words "
        f"(gold V/R/N {[(names[k], int((wg == k).sum())) for k in names]}):"
    )
    print(f"  derived-vs-new F1 {wf1:.3f} (precision {wpp:.3f}, recall {wrr:.3f})")
    print(
        f"  V/R/N macro-F1 {np.mean([v[0] for v in per.values()]):.3f}  "
        + "  ".join(f"{n} F1 {v[0]:.3f}" for n, v in per.items())
    )

    # Per paper.
    print("\nPer paper (out-of-fold classes of the evidence model):")
    print(
        f"  {'paper':12s} {'stories':>7s} {'gold WD/PD/ND':>14s} {'pred WD/PD/ND':>14s} "
        f"{'mean share':>10s} {'median':>7s} {'macro-F1':>8s}"
    )
    papers = sorted({s.doc.outlet or "?" for s in stories})
    for paper in papers:
        sel = np.array([s.doc.outlet == paper for s in stories])
        gcount = "/".join(str(int((gold[sel] == k).sum())) for k in range(3))
        pcount = "/".join(str(int((pred[sel] == k).sum())) for k in range(3))
        print(
            f"  {paper:12s} {int(sel.sum()):7d} {gcount:>14s} {pcount:>14s} "
            f"{shares[sel].mean():10.3f} {np.median(shares[sel]):7.3f} "
            f"{_macro_from_codes(gold[sel], pred[sel]):8.3f}"
        )

    if args.out:
        # The classes written are the out-of-fold ones (each story classed by a model that
        # never saw it), not the shipped model's in-sample classes.
        oof = {s.doc.id: CLASSES[p] for s, p in zip(stories, pred, strict=True)}
        articles = [
            dataclasses.replace(a, wire_class=oof.get(a.doc, a.wire_class)) for a in articles
        ]
        args.out.mkdir(parents=True, exist_ok=True)
        rows = summarise(articles)
        write_outlets_csv(args.out / "outlets.csv", rows)
        chart_png(rows, args.out / "wire_share.png")
        (args.out / "wire_share.html").write_text(
            chart_html(rows, title="METER courts: PA wire share per paper"), encoding="utf-8"
        )
        store.write_results(
            args.out,
            ScanResult(
                documents=tuple(sorted(documents, key=lambda d: d.id)),
                matches=tuple(matches),
                wire=tuple(articles),
                params={**params.to_dict(), "wire": ["PA"]},
            ),
        )
        print(f"\nwrote {args.out}/outlets.csv, wire_share.png, wire_share.html, results.db")
    return 0


if __name__ == "__main__":
    sys.exit(main())
