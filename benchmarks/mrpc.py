"""MRPC train, cross-validated: accuracy and F1 of ``reprints.similarity`` and of plain TF-IDF.

Usage: python benchmarks/mrpc.py PATH/msr_paraphrase_train.txt [--folds 10] [--fit-weights] [--features]

Only the train file is read (the test file is held out). For each of k stratified folds the
logistic weights of the score AND its decision threshold are chosen on the other k-1 folds
and applied to the held-out fold, so every reported figure is out-of-fold. IDF is fitted on
all train sentences (unsupervised, no labels; this mirrors a scan, which fits IDF on the
corpus it scores). The baseline is the cosine of scikit-learn's default TfidfVectorizer
vectors (IDF on the same sentences), with its threshold chosen the same way.

``--fit-weights`` fits the weights on all train pairs and prints the constants stored in
``reprints.similarity`` (WEIGHTS, INTERCEPT).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from reprints.similarity import FEATURES, SentenceScorer


def load(path: Path) -> tuple[np.ndarray, list[str], list[str]]:
    """Read MRPC's TSV (no header, utf-8-sig): labels and the two sentences of each pair."""
    labels, first, second = [], [], []
    with path.open(encoding="utf-8-sig") as handle:
        for line in handle:
            if not line.strip():
                continue
            quality, _id1, _id2, s1, s2 = line.rstrip("\r\n").split("\t")
            if quality == "Quality":
                continue
            labels.append(int(quality))
            first.append(s1)
            second.append(s2)
    return np.array(labels), first, second


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """Threshold maximising accuracy on (scores, labels): midpoint between sorted scores."""
    order = np.argsort(scores, kind="stable")
    s, y = scores[order], labels[order]
    # predicting positive for s > cut: correct = negatives at/below + positives above
    neg_below = np.concatenate([[0], np.cumsum(1 - y)])
    pos_above = y.sum() - np.concatenate([[0], np.cumsum(y)])
    correct = neg_below + pos_above
    k = int(np.argmax(correct))
    if k == 0:
        return float(s[0]) - 1e-9
    if k == len(s):
        return float(s[-1])
    return float((s[k - 1] + s[k]) / 2)


def accuracy_f1(pred: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    tp = int(((pred == 1) & (labels == 1)).sum())
    fp = int(((pred == 1) & (labels == 0)).sum())
    fn = int(((pred == 0) & (labels == 1)).sum())
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return float((pred == labels).mean()), f1


def fit_logistic(x: np.ndarray, y: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=1.0, max_iter=1000).fit(x, y)


def cross_validate(
    features: np.ndarray | None,
    scores: np.ndarray | None,
    labels: np.ndarray,
    folds: int,
    apply_to: np.ndarray | None = None,
    seed: int = 0,
) -> dict[str, float | list[float]]:
    """Out-of-fold predictions: weights (if features) and threshold fitted on the other folds.

    With ``apply_to``, the weights fitted on ``features`` score ``apply_to`` instead (the
    no-corpus scorer uses the weights fitted with corpus IDF, as the library does).
    """
    pred = np.zeros_like(labels)
    thresholds: list[float] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(np.zeros(len(labels)), labels):
        if features is not None:
            model = fit_logistic(features[train], labels[train])
            scorer = SentenceScorer(model.coef_[0], float(model.intercept_[0]))
            fold_scores = scorer.combine(features if apply_to is None else apply_to)
        else:
            assert scores is not None
            fold_scores = scores
        cut = best_threshold(fold_scores[train], labels[train])
        thresholds.append(cut)
        pred[test] = (fold_scores[test] > cut).astype(int)
    acc, f1 = accuracy_f1(pred, labels)
    return {"accuracy": acc, "f1": f1, "thresholds": thresholds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train", type=Path, help="msr_paraphrase_train.txt")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--fit-weights", action="store_true")
    parser.add_argument(
        "--seeds", type=int, default=1, help="repeat the CV with this many fold splits"
    )
    parser.add_argument("--features", action="store_true", help="also score each feature alone")
    args = parser.parse_args(argv)
    if "test" in args.train.name:
        parser.error("the MRPC test file is held out; pass msr_paraphrase_train.txt")
    labels, first, second = load(args.train)
    print(f"MRPC train: {len(labels)} pairs, {labels.mean():.3f} positive; {args.folds}-fold CV")

    started = time.perf_counter()
    fitted = SentenceScorer().fit(first + second)
    features = fitted.feature_pairs(first, second)
    unfitted_features = SentenceScorer().feature_pairs(first, second)
    took = time.perf_counter() - started

    vectorizer = TfidfVectorizer().fit(first + second)
    va, vb = vectorizer.transform(first), vectorizer.transform(second)
    cosine = np.asarray(va.multiply(vb).sum(axis=1)).ravel()

    rows = [
        ("majority class (always paraphrase)", None, None),
        ("plain TF-IDF cosine (sklearn defaults)", None, cosine),
    ]
    if args.features:
        for i, name in enumerate(FEATURES):
            rows.append((f"feature alone: {name}", None, features[:, i]))
    print(f"features of {len(labels)} pairs in {took:.1f} s (noisy: shared machine)")
    print(f"{'method':55s} {'accuracy':>8s} {'F1':>6s}  threshold (mean ± sd over folds)")
    majority = np.ones_like(labels)
    acc, f1 = accuracy_f1(majority, labels)
    print(f"{rows[0][0]:55s} {acc:8.3f} {f1:6.3f}")
    for name, _, scores in rows[1:]:
        res = cross_validate(None, scores, labels, args.folds)
        th = np.array(res["thresholds"])
        print(
            f"{name:55s} {res['accuracy']:8.3f} {res['f1']:6.3f}  {th.mean():.3f} ± {th.std():.3f}"
        )
    for name, apply_to in (
        ("similarity, corpus IDF (SentenceScorer.fit)", None),
        ("similarity, no corpus (reprints.similarity)", unfitted_features),
    ):
        res = cross_validate(features, None, labels, args.folds, apply_to)
        th = np.array(res["thresholds"])
        print(
            f"{name:55s} {res['accuracy']:8.3f} {res['f1']:6.3f}  {th.mean():.3f} ± {th.std():.3f}"
        )
        if args.seeds > 1:
            runs = [
                cross_validate(features, None, labels, args.folds, apply_to, seed)["accuracy"]
                for seed in range(args.seeds)
            ]
            print(
                f"  over {args.seeds} fold splits: accuracy {np.mean(runs):.3f} ± {np.std(runs):.3f} "
                f"(min {np.min(runs):.3f}, max {np.max(runs):.3f})"
            )

    if args.fit_weights:
        model = fit_logistic(features, labels)
        weights = ", ".join(f"{w:.4f}" for w in model.coef_[0])
        print(f"WEIGHTS = ({weights})")
        print(f"INTERCEPT = {float(model.intercept_[0]):.4f}")
        scorer = SentenceScorer(model.coef_[0], float(model.intercept_[0]))
        cut = best_threshold(scorer.combine(features), labels)
        print(f"in-sample accuracy-maximising threshold on the stored weights: {cut:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
