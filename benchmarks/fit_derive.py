"""Fit the word-level derivation model of ``reprints.derive`` on METER courts, cross-validated.

usage: python benchmarks/fit_derive.py PATH/TO/meter_corpus [--folds 5] [--inner 3] [--seed 0] [--constants OUT]

1. The 355 annotated ``courts`` newspaper stories and all 660 PA courts stories are scanned
   (``reprints.scan``, defaults, ``derive_words`` off); for each story, its confirmed PA
   sources (partners of its matches, grouped by outlet as ``derive.source_groups`` does) give
   the word features of ``derive.word_features``; the gold label of a word is METER's.
2. Stories are split into folds by their story folder (all newspapers' versions of one
   court case fall in the same fold), ``--folds`` folds, shuffled with ``--seed``.
3. In each outer fold, on the training stories only: the first pass (multinomial logistic
   regression on standardised features) gives inner out-of-fold probabilities (``--inner``
   folds, by story folder); the second pass is fitted on the features plus
   ``derive.neighbour_features`` of those probabilities; the first pass is refitted on all
   training stories; the derived threshold (REWORDED + VERBATIM probability) is the one of
   0.30, 0.35, ..., 0.60 with the best derived-vs-new F1 on the training stories.
   The held-out stories are labelled with ``derive.label_words`` and the stray-word rule
   (``derive.drop_stray_function_words``), as ``derive.derive_labels`` labels them in a
   scan: out-of-fold figures.
   ``--unaligned nearest`` (session 5 experiment, not the scan's behaviour): a story with no
   aligned PA passage (29 of 355) is labelled against the PA story nearest to it by
   document TF-IDF cosine (sublinear tf over the folded words of all scanned stories), when
   that cosine is at least ``--min-cosine``; the model is trained as before, on the stories
   with aligned sources only.
4. The same procedure on all courts stories gives the constants shipped in ``derive.py``
   (``--constants`` writes them as Python). ``showbiz`` is never read.

Prints JSON: out-of-fold derived-vs-new F1, per-class F1, V/R/N macro-F1, and per fold.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from meter_words import gold_word_labels, load
from reprints import derive
from reprints.params import Params
from reprints.scan import prepare_corpus, scan

CODES = {"N": derive.NEW, "R": derive.REWORDED, "V": derive.VERBATIM}
THRESHOLDS = tuple(round(0.3 + 0.05 * k, 2) for k in range(7))


def collect(root: Path) -> list[tuple[str, np.ndarray, derive.DerivationInput | None]]:
    """Return (story id, gold word codes, derivation input or None) per annotated story."""
    params = Params(derive_words=False)
    docs, gold, _folders = load(root)
    docs = sorted(docs, key=lambda d: d.id)
    by_id = {d.id: d for d in docs}
    result = scan(docs, params, quotes=False)
    _segments, _boilerplate, context = prepare_corpus(docs, params)
    groups = derive.source_groups(result.matches, {d.id: d.outlet for d in docs})
    out = []
    for doc_id in sorted(gold):
        codes = np.array([CODES[c] for c in gold_word_labels(by_id[doc_id], gold[doc_id])], dtype=np.int8)
        found = groups.get((doc_id, "PA"))
        item = None
        if found:
            source_ids, matches = found
            item = derive.derivation_input(
                context.get(by_id[doc_id]), [context.get(by_id[s]) for s in source_ids], matches
            )
        out.append((doc_id, codes, item))
    return out


def nearest_sources(root: Path, story_ids: list[str]) -> dict[str, tuple[float, derive.DerivationInput]]:
    """Return, per story, its document-TF-IDF nearest PA story's cosine and derivation input."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from reprints.align import align_pair

    params = Params(derive_words=False)
    docs, gold, _folders = load(root)
    docs = sorted(docs, key=lambda d: d.id)
    by_id = {d.id: d for d in docs}
    _segments, _boilerplate, context = prepare_corpus(docs, params)
    pa = [d.id for d in docs if d.outlet == "PA"]
    vectors = TfidfVectorizer(sublinear_tf=True, analyzer=lambda words: words).fit_transform(
        [list(context.get(by_id[i]).tokens.norms) for i in pa + sorted(gold)]
    )
    row_of = {story_id: len(pa) + k for k, story_id in enumerate(sorted(gold))}
    cosines = (vectors[[row_of[s] for s in story_ids]] @ vectors[: len(pa)].T).toarray()
    out = {}
    for row, story_id in enumerate(story_ids):
        best = int(np.argmax(cosines[row]))
        source = by_id[pa[best]]
        matches = align_pair(by_id[story_id], source, context)
        item = derive.derivation_input(context.get(by_id[story_id]), [context.get(source)], matches)
        out[story_id] = (float(cosines[row, best]), item)
    return out


def fit_stage(features: list[np.ndarray], labels: list[np.ndarray]) -> derive.Stage:
    x = np.concatenate(features)
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=1.0, max_iter=300).fit((x - scaler.mean_) / scale, np.concatenate(labels))
    return derive.Stage(
        mean=tuple(float(v) for v in scaler.mean_),
        scale=tuple(float(v) for v in scale),
        coef=tuple(tuple(float(v) for v in row) for row in model.coef_),
        intercept=tuple(float(v) for v in model.intercept_),
    )


def folds_of(story_ids: list[str], k: int, seed: int) -> np.ndarray:
    """Assign each story to a fold by its story folder (shuffled with ``seed``)."""
    folder = ["/".join(s.split("/")[3:-1]) for s in story_ids]
    names = sorted(set(folder))
    order = np.random.default_rng(seed).permutation(len(names))
    fold_of = {names[g]: n % k for n, g in enumerate(order)}
    return np.array([fold_of[f] for f in folder])


def f1(pred: np.ndarray, gold: np.ndarray, positive: tuple[int, ...]) -> float:
    p, g = np.isin(pred, positive), np.isin(gold, positive)
    tp = int((p & g).sum())
    return 0.0 if tp == 0 else float(2 * tp / (p.sum() + g.sum()))


def figures(pred: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    per = {name: f1(pred, gold, (code,)) for name, code in CODES.items()}
    return {
        "derived_vs_new_f1": round(f1(pred, gold, (derive.REWORDED, derive.VERBATIM)), 4),
        "per_class_f1": {k: round(v, 4) for k, v in per.items()},
        "vrn_macro_f1": round(float(np.mean(list(per.values()))), 4),
    }


def train(stories: list, inner: int, seed: int) -> tuple[derive.Stage, derive.Stage, float]:
    """Fit both passes and the threshold on ``stories`` (the procedure of the module docstring)."""
    usable = [s for s in stories if s[2] is not None]
    feats = [derive.word_features(s[2]) for s in usable]
    labels = [s[1] for s in usable]
    fold = folds_of([s[0] for s in usable], inner, seed + 1)
    first_oof: list[np.ndarray | None] = [None] * len(usable)
    for k in range(inner):
        stage = fit_stage([feats[i] for i in range(len(usable)) if fold[i] != k], [labels[i] for i in range(len(usable)) if fold[i] != k])
        for i in np.flatnonzero(fold == k):
            first_oof[i] = stage.probabilities(feats[i])
    second_feats = [
        np.hstack([f, derive.neighbour_features(p, s[2].sentence_of)])
        for f, p, s in zip(feats, first_oof, usable, strict=True)
    ]
    second = fit_stage(second_feats, labels)
    first = fit_stage(feats, labels)
    probs = np.concatenate([second.probabilities(x) for x in second_feats])
    gold = np.concatenate(labels)
    derived_gold = gold != derive.NEW
    best = max(
        THRESHOLDS,
        key=lambda t: f1((probs[:, 1] + probs[:, 2] >= t).astype(int), derived_gold.astype(int), (1,)),
    )
    return first, second, best


def predict(first: derive.Stage, second: derive.Stage, threshold: float, story) -> np.ndarray:
    """Label a held-out story as the scan does (``derive.derive_labels``: model, then stray words)."""
    if story[2] is None:
        return np.zeros(len(story[1]), dtype=np.int8)
    labels = derive.label_words(first, second, threshold, story[2])
    derive.drop_stray_function_words(labels, story[2].norms)
    return labels


def constants(first: derive.Stage, second: derive.Stage, threshold: float) -> str:
    def stage(name: str, s: derive.Stage) -> str:
        r = lambda v: repr(round(v, 6))  # noqa: E731
        rows = ",\n        ".join("(" + ", ".join(r(v) for v in row) + ",)" for row in s.coef)
        return (
            f"{name} = Stage(\n    mean=({', '.join(r(v) for v in s.mean)},),\n"
            f"    scale=({', '.join(r(v) for v in s.scale)},),\n"
            f"    coef=(\n        {rows},\n    ),\n"
            f"    intercept=({', '.join(r(v) for v in s.intercept)},),\n)\n"
        )

    return stage("FIRST_PASS", first) + stage("SECOND_PASS", second) + f"DERIVED_THRESHOLD = {threshold}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("meter_corpus", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--inner", type=int, default=3, help="inner folds for the first pass's probabilities")
    parser.add_argument("--constants", type=Path, help="write the constants fitted on all stories here")
    parser.add_argument("--cache", type=Path, help="keep the scanned stories' features in this pickle")
    parser.add_argument(
        "--unaligned", choices=("none", "nearest"), default="none",
        help="label stories with no aligned PA passage against their TF-IDF-nearest PA story (experiment)",
    )
    parser.add_argument("--min-cosine", type=float, default=0.0, help="least document cosine for --unaligned nearest")
    args = parser.parse_args()
    if not (args.meter_corpus / "PA").is_dir():
        print(f"{args.meter_corpus}: not a METER corpus folder (no PA/)", file=sys.stderr)
        return 2
    started = time.time()
    if args.cache and args.cache.exists():
        stories = pickle.loads(args.cache.read_bytes())
    else:
        stories = collect(args.meter_corpus)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(stories))
    fallback: dict[str, tuple[float, derive.DerivationInput]] = {}
    if args.unaligned == "nearest":
        unaligned = [s[0] for s in stories if s[2] is None]
        fallback = {k: v for k, v in nearest_sources(args.meter_corpus, unaligned).items() if v[0] >= args.min_cosine}
    fold = folds_of([s[0] for s in stories], args.folds, args.seed)
    preds: list[np.ndarray] = [np.zeros(0, dtype=np.int8)] * len(stories)
    per_fold = []
    for k in range(args.folds):
        train_set = [s for s, f in zip(stories, fold, strict=True) if f != k]
        first, second, threshold = train(train_set, args.inner, args.seed)
        held = np.flatnonzero(fold == k)
        for i in held:
            story = stories[i]
            if story[2] is None and story[0] in fallback:
                story = (story[0], story[1], fallback[story[0]][1])
            preds[i] = predict(first, second, threshold, story)
        pred_k = np.concatenate([preds[i] for i in held])
        gold_k = np.concatenate([stories[i][1] for i in held])
        per_fold.append({"fold": k, "stories": len(held), "threshold": threshold, **figures(pred_k, gold_k)})
    pred = np.concatenate(preds)
    gold = np.concatenate([s[1] for s in stories])
    out = {
        "stories": len(stories),
        "with_sources": sum(s[2] is not None for s in stories),
        "unaligned_given_nearest": len(fallback),
        "words": len(gold),
        "folds": args.folds,
        "seed": args.seed,
        "out_of_fold": figures(pred, gold),
        "fold_derived_f1_range": [
            min(f["derived_vs_new_f1"] for f in per_fold), max(f["derived_vs_new_f1"] for f in per_fold)
        ],
        "fold_macro_f1_range": [min(f["vrn_macro_f1"] for f in per_fold), max(f["vrn_macro_f1"] for f in per_fold)],
        "per_fold": per_fold,
    }
    if args.constants:
        first, second, threshold = train(stories, args.inner, args.seed)
        args.constants.write_text(constants(first, second, threshold))
        out["all_stories_threshold"] = threshold
    out["seconds"] = round(time.time() - started, 1)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    # One BLAS thread: on a shared machine, idle BLAS threads spinning cost more than they give.
    with threadpool_limits(limits=1):
        sys.exit(main())
