"""Score how likely one sentence or passage is a rewording of another, from words alone.

For the aligner (H3) and anyone scoring many sentences::

    scorer = SentenceScorer().fit(doc.text for doc in documents)   # IDF fitted once
    grid = scorer.score_matrix(sentences_of_a, sentences_of_b)      # (len(a), len(b)) in [0, 1]
    pairs = scorer.score_pairs(list_a, list_b)                      # elementwise, same length

A fitted scorer holds only two hashed document-frequency arrays (no vocabulary), so it is
small, picklable and can be shared with worker processes. ``similarity(a, b)`` is the same
score with no corpus: stop words get a fixed low IDF and every other word the same high one.

The score combines thirteen lexical features of the pair (:data:`FEATURES`), each symmetric,
each in [0, 1] and each equal to 1 for identical texts:

* ``word_cosine``: cosine of sublinear TF-IDF word vectors (the one tokenizer's folded words);
* ``char_cosine``: cosine of TF-IDF character 3–5-grams within words (inflection:
  "helicopter"/"helicopters");
* ``containment_min``/``_max``: IDF-weighted share of each side's distinct words found in the
  other, the smaller and the larger (a trimmed sentence is contained in its source);
* ``stem_containment_min``/``_max``: the same over 5-letter word prefixes, unweighted
  ("transferred"/"transfer");
* ``stem_bigrams_min``/``_max`` and ``stem_fourgrams_max``: containment of prefix n-grams
  (word order);
* ``unmatched_min``/``_max``: 1 / (1 + prefixes of one side missing from the other)
  (a paraphrase adds few words, whatever the sentence length);
* ``number_subset``: 1 when one side's numbers are all in the other ("20", "26th" → "26");
  a changed figure is the commonest way two news sentences differ in fact;
* ``length_difference``: 1 / (1 + difference in words).

They are combined by logistic regression, with the :data:`WEIGHTS` fitted on MRPC train
(``python benchmarks/mrpc.py PATH/msr_paraphrase_train.txt --fit-weights`` prints them), and
rescaled linearly so that nothing in common scores 0 and the same words score 1. The
reported MRPC accuracy refits the weights inside each cross-validation fold, so it is
out-of-fold (``benchmarks/similarity.md``). On MRPC the accuracy-maximising threshold is
about 0.51: above it, a pair is more likely a paraphrase than not. MRPC pairs all come from
one news story, so the score is a judge of rewording *among related sentences*; use it on
candidate pairs, not to find them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer

from .errors import ParameterError
from .normalize import tokenize

FEATURES = (
    "word_cosine",
    "char_cosine",
    "containment_min",
    "containment_max",
    "stem_containment_min",
    "stem_containment_max",
    "stem_bigrams_min",
    "stem_bigrams_max",
    "stem_fourgrams_max",
    "unmatched_min",
    "unmatched_max",
    "number_subset",
    "length_difference",
)
"""Names of the pair features, in the order of :data:`WEIGHTS`."""

# Logistic-regression weights over FEATURES, then the intercept (scikit-learn
# LogisticRegression, C=1.0, lbfgs, on the raw [0, 1] features). Fitted on all 4,076 MRPC
# train pairs with IDF fitted on the train sentences; regenerate with
# `python benchmarks/mrpc.py PATH/msr_paraphrase_train.txt --fit-weights`.
WEIGHTS = (
    0.4393,
    2.0555,
    2.3966,
    -0.9608,
    3.0563,
    1.7793,
    2.5992,
    -1.8315,
    -2.0794,
    0.2192,
    2.7463,
    0.5342,
    0.1429,
)
INTERCEPT = -5.1810

HASH_BUCKETS = 1 << 20
"""Hashed vocabulary size of each channel (words, stems, n-grams, numbers)."""

UNFITTED_STOP_IDF = 1.0
"""IDF given to English stop words when no corpus was fitted."""
UNFITTED_WORD_IDF = 3.0
"""IDF given to every other word and character n-gram when no corpus was fitted."""

STEM_LENGTH = 5
"""Words are cut to this many characters for the stem features ("transferred" → "trans")."""

_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_STOP_WORDS = frozenset(ENGLISH_STOP_WORDS)


def _grams(n: int) -> object:
    def analyse(stems: Sequence[str]) -> list[str]:
        return [" ".join(stems[i : i + n]) for i in range(len(stems) - n + 1)]

    return analyse


def _words(norms: Sequence[str]) -> Sequence[str]:
    return norms


def _vectorizer(analyzer: object) -> HashingVectorizer:
    return HashingVectorizer(
        analyzer=analyzer,
        n_features=HASH_BUCKETS,
        alternate_sign=False,
        norm=None,
        lowercase=False,
    )


_WORDS = _vectorizer(_words)
_BIGRAMS = _vectorizer(_grams(2))
_FOURGRAMS = _vectorizer(_grams(4))
_CHARS = HashingVectorizer(
    analyzer="char_wb",
    ngram_range=(3, 5),
    n_features=HASH_BUCKETS,
    alternate_sign=False,
    norm=None,
    lowercase=False,
)


def _binary(matrix: sp.spmatrix) -> sp.csr_matrix:
    out = sp.csr_matrix(matrix, dtype=np.float64, copy=True)
    out.data[:] = 1.0
    return out


class _Analysed:
    """The sparse count matrices of a list of texts, one per channel."""

    def __init__(self, texts: Sequence[str]) -> None:
        norms = [tokenize(t).norms for t in texts]
        stems = [tuple(w[:STEM_LENGTH] for w in n) for n in norms]
        self.lengths = np.array([len(n) for n in norms], dtype=np.float64)
        self.words = _WORDS.transform(norms).tocsr()
        self.chars = _CHARS.transform([" ".join(n) for n in norms]).tocsr()
        self.stems = _binary(_WORDS.transform(stems))
        self.bigrams = _binary(_BIGRAMS.transform(stems))
        self.fourgrams = _binary(_FOURGRAMS.transform(stems))
        numbers = [
            sorted({_canonical_number(w) for w in n if any(c.isdigit() for c in w)}) for n in norms
        ]
        self.numbers = _binary(_WORDS.transform(numbers))
        self.empty = self.lengths == 0
        self.folded = ["\x00".join(n) for n in norms]


@lru_cache(maxsize=256)
def _analysed(texts: tuple[str, ...]) -> _Analysed:
    """Analyse a list of texts once: the aligner scores one article against many."""
    return _Analysed(texts)


def _canonical_number(word: str) -> str:
    m = _NUMBER_RE.search(word)
    return m.group().replace(",", "") if m else word


def _idf_from_df(df: np.ndarray, n_docs: int) -> np.ndarray:
    return np.log((1.0 + n_docs) / (1.0 + df)) + 1.0


class _Grid:
    """Pair every a with every b (``matrix``) or a[i] with b[i] (``pairs``)."""

    def __init__(self, pairwise: bool) -> None:
        self.pairwise = pairwise

    def dot(self, a: sp.spmatrix, b: sp.spmatrix) -> np.ndarray:
        if self.pairwise:
            return np.asarray(sp.csr_matrix(a).multiply(b).sum(axis=1)).ravel()
        return np.asarray((a @ b.T).toarray(), dtype=np.float64)

    def left(self, values: np.ndarray) -> np.ndarray:
        return values if self.pairwise else values[:, None]

    def right(self, values: np.ndarray) -> np.ndarray:
        return values if self.pairwise else values[None, :]


def _row_sums(matrix: sp.spmatrix) -> np.ndarray:
    return np.asarray(matrix.sum(axis=1)).ravel()


class SentenceScorer:
    """Score sentence or passage pairs for rewording; :meth:`fit` IDF on a corpus first."""

    def __init__(
        self,
        weights: Sequence[float] = WEIGHTS,
        intercept: float = INTERCEPT,
    ) -> None:
        if len(weights) != len(FEATURES):
            raise ParameterError(
                f"need {len(FEATURES)} weights ({', '.join(FEATURES)}), got {len(weights)}"
            )
        self.weights = np.asarray(weights, dtype=np.float64)
        self.intercept = float(intercept)
        self.n_docs = 0
        self._idf: dict[str, np.ndarray] | None = None

    # --- fitting --------------------------------------------------------------------------

    def fit(self, texts: Iterable[str]) -> SentenceScorer:
        """Fit word, bigram and character n-gram IDF on ``texts`` (documents or sentences)."""
        batch: list[str] = []
        df = {name: np.zeros(HASH_BUCKETS, dtype=np.float64) for name in ("words", "chars")}
        n_docs = 0
        for text in texts:
            batch.append(text)
            if len(batch) >= 2000:
                n_docs += self._count(batch, df)
                batch = []
        if batch:
            n_docs += self._count(batch, df)
        self.n_docs = n_docs
        self._idf = {name: _idf_from_df(counts, n_docs) for name, counts in df.items()}
        return self

    @staticmethod
    def _count(texts: list[str], df: dict[str, np.ndarray]) -> int:
        analysed = _Analysed(texts)
        for name in df:
            matrix = getattr(analysed, name)
            present = (matrix > 0).astype(np.float64)
            df[name] += np.asarray(present.sum(axis=0)).ravel()
        return len(texts)

    @property
    def fitted(self) -> bool:
        return self._idf is not None

    def _idf_of(self, name: str) -> np.ndarray:
        if self._idf is not None:
            return self._idf[name]
        return _unfitted_idf(name)

    # --- features -------------------------------------------------------------------------

    def _tfidf(self, counts: sp.csr_matrix, name: str) -> sp.csr_matrix:
        tf = counts.astype(np.float64)
        tf.data = (1.0 + np.log(tf.data)) * self._idf_of(name)[tf.indices]
        return _l2_rows(tf)

    def _features(self, a: _Analysed, b: _Analysed, grid: _Grid) -> np.ndarray:
        columns: list[np.ndarray] = []
        columns.append(grid.dot(self._tfidf(a.words, "words"), self._tfidf(b.words, "words")))
        columns.append(grid.dot(self._tfidf(a.chars, "chars"), self._tfidf(b.chars, "chars")))
        idf = self._idf_of("words")
        wa, wb = _binary(a.words), _binary(b.words)
        wa.data, wb.data = idf[wa.indices], idf[wb.indices]
        overlap = grid.dot(wa, _binary(b.words))
        columns.extend(_min_max(overlap, grid.left(_row_sums(wa)), grid.right(_row_sums(wb))))
        for name in ("stems", "bigrams"):
            ma, mb = getattr(a, name), getattr(b, name)
            shared = grid.dot(ma, mb)
            columns.extend(_min_max(shared, grid.left(_row_sums(ma)), grid.right(_row_sums(mb))))
        shared = grid.dot(a.fourgrams, b.fourgrams)
        columns.append(
            _min_max(shared, grid.left(_row_sums(a.fourgrams)), grid.right(_row_sums(b.fourgrams)))[
                1
            ]
        )
        shared = grid.dot(a.stems, b.stems)
        left = grid.left(_row_sums(a.stems)) - shared
        right = grid.right(_row_sums(b.stems)) - shared
        columns.append(1.0 / (1.0 + np.maximum(np.minimum(left, right), 0.0)))
        columns.append(1.0 / (1.0 + np.maximum(np.maximum(left, right), 0.0)))
        common = grid.dot(a.numbers, b.numbers)
        na, nb = grid.left(_row_sums(a.numbers)), grid.right(_row_sums(b.numbers))
        columns.append(((common >= na) | (common >= nb)).astype(np.float64))
        la, lb = grid.left(a.lengths), grid.right(b.lengths)
        columns.append(1.0 / (1.0 + np.abs(la - lb)))
        shape = columns[0].shape
        out = np.stack([np.broadcast_to(c, shape) for c in columns], axis=-1).astype(np.float64)
        out = np.clip(out, 0.0, 1.0)
        self._fix_degenerate(out, a, b, grid.pairwise)
        return out

    def feature_matrix(self, sents_a: Sequence[str], sents_b: Sequence[str]) -> np.ndarray:
        """Features of every pair: shape ``(len(sents_a), len(sents_b), len(FEATURES))``."""
        return self._features(_analysed(tuple(sents_a)), _analysed(tuple(sents_b)), _Grid(False))

    def feature_pairs(self, a_list: Sequence[str], b_list: Sequence[str]) -> np.ndarray:
        """Features of the pairs ``(a_list[i], b_list[i])``: shape ``(n, len(FEATURES))``."""
        if len(a_list) != len(b_list):
            raise ParameterError(
                f"score_pairs needs two lists of the same length, got {len(a_list)} and {len(b_list)}"
            )
        return self._features(_Analysed(list(a_list)), _Analysed(list(b_list)), _Grid(True))

    @staticmethod
    def _fix_degenerate(out: np.ndarray, a: _Analysed, b: _Analysed, pairwise: bool) -> None:
        """Identical word sequences get all-ones features; a side with no words gets zeros."""
        if pairwise:
            for i, (fa, fb) in enumerate(zip(a.folded, b.folded, strict=True)):
                if fa == fb:
                    out[i, :] = 1.0
                elif a.empty[i] or b.empty[i]:
                    out[i, :] = 0.0
            return
        where_b: dict[str, list[int]] = {}
        for j, fb in enumerate(b.folded):
            where_b.setdefault(fb, []).append(j)
        for i, fa in enumerate(a.folded):
            for j in where_b.get(fa, ()):
                out[i, j, :] = 1.0
        empty_a, empty_b = a.empty, b.empty
        if empty_a.any() or empty_b.any():
            either = empty_a[:, None] ^ empty_b[None, :]
            out[either] = 0.0
            out[empty_a[:, None] & empty_b[None, :]] = 1.0

    # --- scores ---------------------------------------------------------------------------

    def combine(self, features: np.ndarray) -> np.ndarray:
        """Turn features (last axis = FEATURES) into scores in [0, 1].

        The logistic probability is rescaled linearly so that all-zero features (nothing in
        common) give 0 and all-ones features (the same words) give 1.
        """
        probability = _sigmoid(features @ self.weights + self.intercept)
        bottom = float(_sigmoid(self.intercept))
        top = float(_sigmoid(self.weights.sum() + self.intercept))
        return np.clip((probability - bottom) / (top - bottom), 0.0, 1.0)

    def score_matrix(self, sents_a: Sequence[str], sents_b: Sequence[str]) -> np.ndarray:
        """Score every pair: a ``(len(sents_a), len(sents_b))`` array in [0, 1]."""
        if not len(sents_a) or not len(sents_b):
            return np.zeros((len(sents_a), len(sents_b)), dtype=np.float64)
        return self.combine(self.feature_matrix(sents_a, sents_b))

    def score_pairs(self, a_list: Sequence[str], b_list: Sequence[str]) -> np.ndarray:
        """Score ``(a_list[i], b_list[i])`` for each i: a 1-D array in [0, 1]."""
        if not len(a_list) and not len(b_list):
            return np.zeros(0, dtype=np.float64)
        return self.combine(self.feature_pairs(a_list, b_list))

    def score(self, text_a: str, text_b: str) -> float:
        """Score one pair."""
        return float(self.score_pairs([text_a], [text_b])[0])


_UNFITTED: dict[str, np.ndarray] = {}


def _unfitted_idf(name: str) -> np.ndarray:
    """IDF used with no corpus: a high constant, and a low one for English stop words."""
    if name not in _UNFITTED:
        idf = np.full(HASH_BUCKETS, UNFITTED_WORD_IDF, dtype=np.float64)
        if name == "words":
            stops = _WORDS.transform([sorted(_STOP_WORDS)]).indices
            idf[stops] = UNFITTED_STOP_IDF
        _UNFITTED[name] = idf
    return _UNFITTED[name]


def _l2_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    squares = matrix.copy()
    squares.data **= 2
    norms = np.sqrt(_row_sums(squares))
    norms[norms == 0] = 1.0
    matrix = matrix.copy()
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr))
    return matrix


def _min_max(
    shared: np.ndarray, size_a: np.ndarray, size_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Containment of a in b and of b in a: the smaller and the larger."""
    cont_a = _safe_div(shared, size_a)
    cont_b = _safe_div(shared, size_b)
    return np.minimum(cont_a, cont_b), np.maximum(cont_a, cont_b)


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.broadcast_to(
        np.asarray(den, dtype=np.float64), np.broadcast_shapes(num.shape, np.shape(den))
    )
    num = np.broadcast_to(num, den.shape)
    out = np.zeros(den.shape, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return np.clip(out, 0.0, 1.0)


def _sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


_DEFAULT_SCORER = SentenceScorer()


def similarity(text_a: str, text_b: str) -> float:
    """Return how likely one text is a rewording of the other, in [0, 1] (1: same words).

    Symmetric. With no corpus to fit IDF on, English stop words weigh
    ``UNFITTED_STOP_IDF`` and every other word ``UNFITTED_WORD_IDF``; fit a
    :class:`SentenceScorer` on the corpus for better-weighted scores.
    """
    score = _DEFAULT_SCORER.score(text_a, text_b)
    return 0.0 if math.isnan(score) else score
