"""Align two documents: which passages of one are verbatim or reworded passages of the other.

For a candidate document pair, every sentence of one is scored against every sentence of the
other in one step (TF-IDF cosine, containment of the shorter sentence's content, shared word
trigrams; see :func:`sentence_scores`). Sentence pairs scoring at least
``Params.weak_threshold`` that are the best partner of one of their sentences are kept, and
pairs that neighbour in both documents merge into one passage. A passage is reported when
its evidence reaches ``Params.reword_threshold`` (one strong pair, or a run of weaker ones)
and both sides have ``Params.min_words`` words. Each passage gets a word-level edit script
(difflib over folded tokens), is trimmed to its aligned region where one side of a single
sentence pair is much longer, and is called ``verbatim`` when most of its words are kept in
order, ``reworded`` otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import numpy as np
import scipy.sparse as sp

from .model import Document, Edit, Match, Span
from .normalize import Tokens, sentence_spans, tokenize
from .params import Params
from .tfidf import _DENSE_CELLS, FUNCTION_WORDS, SentenceModel, SentenceVectors, pair_product, rows


@dataclass(frozen=True)
class PreparedDocument:
    """A document cut into sentences, with tokens and sentence vectors ready for alignment.

    ``sentences`` holds ``[start, end)`` character offsets, ``token_ranges`` the matching
    ``[i, j)`` token index ranges; ``usable`` is False for sentences that are boilerplate or
    carry no content word.
    """

    doc: Document
    tokens: Tokens
    sentences: np.ndarray
    token_ranges: np.ndarray
    vectors: SentenceVectors
    usable: np.ndarray
    prose: np.ndarray
    """True for sentences that may start a passage: long enough and not a headline."""
    excluded: tuple[tuple[int, int], ...] = ()
    """Character ranges of the document's boilerplate (never reuse, never derived)."""


def segment(
    doc: Document, tokens: Tokens | None = None, sentences: Sequence[tuple[int, int]] | None = None
) -> tuple[Tokens, np.ndarray, np.ndarray]:
    """Return the document's tokens, sentence character spans and sentence token ranges.

    ``tokens`` and ``sentences`` (``tokenize(doc.text)``, ``sentence_spans(doc.text,
    doc.paragraph_mark)``) save working them out again when the caller has them; sentences
    without a word are left out.
    """
    tokens = tokens if tokens is not None else tokenize(doc.text)
    if sentences is None:
        sentences = sentence_spans(doc.text, doc.paragraph_mark)
    spans = np.asarray(sentences, dtype=np.int64).reshape(-1, 2)
    if len(spans):
        first = np.searchsorted(tokens.starts, spans[:, 0], side="left")
        last = np.searchsorted(tokens.ends, spans[:, 1], side="right")
        ranges = np.stack([first, np.maximum(first, last)], axis=1).astype(np.int64)
        keep = ranges[:, 1] > ranges[:, 0]
        spans, ranges = spans[keep], ranges[keep]
    else:
        ranges = np.zeros((0, 2), dtype=np.int64)
    return tokens, spans, ranges


def sentence_norms(tokens: Tokens, ranges: np.ndarray) -> list[tuple[str, ...]]:
    """Return each sentence's folded tokens."""
    norms = tokens.norms
    return [norms[i:j] for i, j in np.asarray(ranges).tolist()]


def prepare_many(
    documents: Sequence[Document],
    segments: Sequence[tuple[Tokens, np.ndarray, np.ndarray]],
    model: SentenceModel,
    *,
    excluded: dict[str, list[tuple[int, int]]] | None = None,
    min_words: int = 8,
) -> dict[str, PreparedDocument]:
    """Prepare many documents with one vectorisation call (much faster than one per document)."""
    norms = [n for tokens, _spans, ranges in segments for n in sentence_norms(tokens, ranges)]
    vectors = model.transform(norms)
    out = {}
    at = 0
    for doc, (tokens, spans, ranges) in zip(documents, segments, strict=False):
        block = rows(vectors, at, at + len(ranges))
        at += len(ranges)
        out[doc.id] = _finish(
            doc, tokens, spans, ranges, block, (excluded or {}).get(doc.id, ()), min_words
        )
    return out


def prepare(
    doc: Document,
    model: SentenceModel,
    *,
    tokens: Tokens | None = None,
    excluded: Sequence[tuple[int, int]] = (),
    min_words: int = 8,
) -> PreparedDocument:
    """Cut ``doc`` into sentences and vectorise them; sentences inside ``excluded`` are unusable."""
    tokens, spans, ranges = segment(doc, tokens)
    vectors = model.transform(sentence_norms(tokens, ranges))
    return _finish(doc, tokens, spans, ranges, vectors, excluded, min_words)


def _finish(
    doc: Document,
    tokens: Tokens,
    spans: np.ndarray,
    ranges: np.ndarray,
    vectors: SentenceVectors,
    excluded: Sequence[tuple[int, int]],
    min_words: int,
) -> PreparedDocument:
    usable = vectors.mass > 0
    if excluded and len(spans):
        for start, end in excluded:
            inside = (spans[:, 0] >= start) & (spans[:, 1] <= end)
            usable &= ~inside
    prose = usable & (vectors.words >= min_words) & ~_headlines(doc.text, tokens, ranges)
    return PreparedDocument(
        doc, tokens, spans, ranges, vectors, usable, prose, tuple((int(a), int(b)) for a, b in excluded)
    )


# A line where most words are capitalised is a headline or a link to another story (a
# "Recommended" list, a related-article teaser): page furniture, even when on topic.
HEADLINE_CAPITALISED = 0.6


def _headlines(text: str, tokens: Tokens, ranges: np.ndarray) -> np.ndarray:
    """Return True for sentences written in Title Case (most words capitalised).

    Counts, per sentence, its alphabetic words and those of them starting with a capital.
    """
    if not len(ranges):
        return np.zeros(0, dtype=bool)
    alpha = np.fromiter(map(str.isalpha, tokens.norms), dtype=bool, count=len(tokens))
    capital = alpha & capital_initials(text, tokens.starts)
    words = np.concatenate([[0], np.cumsum(alpha)])
    capitals = np.concatenate([[0], np.cumsum(capital)])
    i, j = ranges[:, 0], np.maximum(ranges[:, 0], ranges[:, 1])
    n_words = words[j] - words[i]
    return (n_words >= 3) & (capitals[j] - capitals[i] > HEADLINE_CAPITALISED * n_words)


def capital_initials(text: str, starts: np.ndarray) -> np.ndarray:
    """Return ``text[start].isupper()`` for each offset in ``starts`` (a token's first character)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    first = codes[starts]
    out = (first >= ord("A")) & (first <= ord("Z"))
    wide = np.flatnonzero(first >= 128)
    if len(wide):
        out[wide] = [chr(c).isupper() for c in first[wide].tolist()]
    return out


@dataclass
class AlignContext:
    """What every pair of one corpus shares: the parameters, the TF-IDF model, prepared docs.

    ``excluded`` holds each document's boilerplate ranges, used when a document is prepared
    on demand. :meth:`follow` makes :meth:`get` prepare documents in batches, in the order
    they will be asked for, and forget each after its last planned use (a scan of a million
    articles never holds them all).
    """

    params: Params
    model: SentenceModel
    prepared: dict[str, PreparedDocument] = field(default_factory=dict)
    excluded: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    _plan: list[Document] = field(default_factory=list, repr=False)
    _uses: dict[str, int] = field(default_factory=dict, repr=False)
    _at: int = 0
    _batch: int = 256

    def get(self, doc: Document) -> PreparedDocument:
        """Return the prepared form of ``doc``, preparing it on first use."""
        found = self._current(doc)
        if found is None:
            if self._plan:
                self._prefetch(doc)
                found = self._current(doc)
            if found is None:
                found = prepare(
                    doc, self.model, excluded=self.excluded.get(doc.id, ()), min_words=self.params.min_words
                )
                self.prepared[doc.id] = found
        if self._plan:
            self._used(doc.id)
        return found

    def _current(self, doc: Document) -> PreparedDocument | None:
        """Return the prepared form of ``doc`` if one of its present text is held."""
        found = self.prepared.get(doc.id)
        if found is not None and found.doc is not doc and found.doc.text != doc.text:
            return None
        return found

    def prepare_documents(self, documents: Sequence[Document]) -> None:
        """Prepare those of ``documents`` not prepared yet, in one vectorisation call."""
        missing = {d.id: d for d in documents if d.id not in self.prepared}
        if missing:
            todo = list(missing.values())
            self.prepared.update(
                prepare_many(todo, [segment(d) for d in todo], self.model,
                             excluded=self.excluded, min_words=self.params.min_words)
            )

    def release(self, ids: Sequence[str]) -> None:
        """Forget the prepared forms of documents ``ids``."""
        for doc_id in ids:
            self.prepared.pop(doc_id, None)

    def follow(self, plan: Sequence[Document], batch: int = 256) -> None:
        """Expect :meth:`get` to be asked for ``plan``, in that order (an empty plan stops this).

        Documents are then prepared ``batch`` at a time, ahead of need, and each is forgotten
        after its last use in the plan. Asking in another order still gives the right result.
        """
        self._plan = list(plan)
        self._uses = {}
        for doc in self._plan:
            self._uses[doc.id] = self._uses.get(doc.id, 0) + 1
        self._at = 0
        self._batch = batch

    def _prefetch(self, doc: Document) -> None:
        wanted = {doc.id: doc}
        for ahead in self._plan[self._at :]:
            if len(wanted) >= self._batch:
                break
            if ahead.id not in self.prepared:
                wanted.setdefault(ahead.id, ahead)
        self.prepare_documents(list(wanted.values()))

    def _used(self, doc_id: str) -> None:
        if self._at < len(self._plan) and self._plan[self._at].id == doc_id:
            self._at += 1
        left = self._uses.get(doc_id)
        if left is None:
            return
        if left <= 1:
            del self._uses[doc_id]
            self.prepared.pop(doc_id, None)
        else:
            self._uses[doc_id] = left - 1
        if self._at >= len(self._plan):
            self._plan, self._uses, self._at = [], {}, 0


# How much IDF mass (about three distinctive words) a sentence's content is padded with
# before asking what share of it the other sentence carries: a three-word headline fully
# contained in a long sentence is weak evidence, a twenty-word sentence fully contained strong.
CONTAINMENT_PRIOR = 10.0
# Shared word trigrams at which the verbatim-run evidence is full (a six-word run).
TRIGRAMS_FULL = 4.0


def sentence_scores(a: PreparedDocument, b: PreparedDocument) -> np.ndarray:
    """Score every sentence of ``a`` against every sentence of ``b`` in [0, 1].

    Three kinds of evidence add up: the TF-IDF cosine (the same thing said the same way),
    the IDF-weighted share of the shorter sentence's content found in the other (a sentence
    condensed into or out of a longer one), and shared word trigrams (a verbatim run inside
    an otherwise reworded sentence, as in "a military and diplomatic source told Sputnik").
    """
    cos = _pair_product(a.vectors.tfidf, b.vectors.tfidf)
    shared = _pair_product(a.vectors.content, b.vectors.content, binary_b=True)
    smaller = np.minimum(a.vectors.mass[:, None], b.vectors.mass[None, :])
    contained = shared / (smaller + CONTAINMENT_PRIOR)
    runs = _pair_product(a.vectors.trigrams, b.vectors.trigrams)
    scores = 0.5 * cos + 0.5 * contained + 0.25 * np.minimum(runs / TRIGRAMS_FULL, 1.0)
    np.clip(scores, 0.0, 1.0, out=scores)
    scores[~a.usable, :] = 0.0
    scores[:, ~b.usable] = 0.0
    return scores


def _pair_product(a: sp.csr_matrix, b: sp.csr_matrix, *, binary_b: bool = False) -> np.ndarray:
    """Return :func:`~reprints.tfidf.pair_product` of ``a`` and ``b`` (``b``'s values 1 if ``binary_b``).

    With numba, one compiled pass fills the two dense blocks :func:`~reprints.tfidf.pair_product`
    would build and numpy multiplies them as it does: the same product, bit for bit, without
    its per-pair numpy and scipy overhead (which cost more than the product on article-sized
    blocks).
    """
    if _dense_blocks is not None:
        columns = np.concatenate((a.indices, b.indices))
        # numpy sorts these short arrays several times faster than numba; ties may go either way
        order = np.argsort(columns)
        dense, a_block, b_block = _dense_blocks(
            columns, order, len(a.indices), a.indptr, a.data, b.indptr, b.data, binary_b, _DENSE_CELLS
        )
        if dense:
            return a_block @ b_block.T
    if binary_b:
        b = b.copy()
        b.data[:] = 1.0
    return pair_product(a, b)


try:  # numba builds the dense blocks of a pair; without it tfidf.pair_product does
    import numba

    @numba.njit(cache=True, nogil=True)
    def _dense_blocks(columns, order, a_stored, a_indptr, a_data, b_indptr, b_data, binary_b, max_cells):  # pragma: no cover
        # ``columns``: a's ``a_stored`` column indexes, then b's; ``order`` sorts them. A stored
        # value's block column is its column's rank among the distinct ones (np.union1d's).
        at = np.empty(len(columns), dtype=np.int64)
        width = 0
        for t in range(len(order)):
            if t > 0 and columns[order[t]] != columns[order[t - 1]]:
                width += 1
            at[order[t]] = width
        width = width + 1 if len(order) else 0
        a_rows, b_rows = len(a_indptr) - 1, len(b_indptr) - 1
        if (a_rows + b_rows) * max(width, 1) > max_cells:  # tfidf.pair_product goes sparse
            return False, np.zeros((0, 0), dtype=np.float32), np.zeros((0, 0), dtype=np.float32)
        a_block = np.zeros((a_rows, width), dtype=np.float32)
        for r in range(a_rows):
            for p in range(a_indptr[r], a_indptr[r + 1]):
                a_block[r, at[p]] = a_data[p]
        b_block = np.zeros((b_rows, width), dtype=np.float32)
        for r in range(b_rows):
            for p in range(b_indptr[r], b_indptr[r + 1]):
                b_block[r, at[a_stored + p]] = 1.0 if binary_b else b_data[p]
        return True, a_block, b_block

except ImportError:  # pragma: no cover - exercised only without numba
    _dense_blocks = None  # type: ignore[assignment]


def select_pairs(
    scores: np.ndarray, threshold: float, strong: float | None = None
) -> list[tuple[int, int, float]]:
    """Keep sentence pairs that are likely the same text.

    A pair scoring ``strong`` or more is kept when it is the best partner of either of its
    sentences (one sentence condensed from two keeps both); a pair between ``threshold`` and
    ``strong`` only when each sentence is the other's best partner.
    """
    if scores.size == 0:
        return []
    strong = threshold if strong is None else strong
    above = scores >= threshold
    if not above.any():
        return []
    row_best = scores >= scores.max(axis=1, keepdims=True)
    col_best = scores >= scores.max(axis=0, keepdims=True)
    keep = above & ((row_best & col_best) | ((scores >= strong) & (row_best | col_best)))
    rows, cols = np.nonzero(keep)
    return [(int(i), int(j), float(scores[i, j])) for i, j in zip(rows, cols, strict=False)]


def merge_pairs(
    pairs: list[tuple[int, int, float]],
    gap: int,
    a_position: np.ndarray | None = None,
    b_position: np.ndarray | None = None,
) -> list[list[tuple[int, int, float]]]:
    """Group sentence pairs that neighbour each other in both documents into passages.

    Two pairs neighbour when at most ``gap`` sentences lie between them on each side;
    ``a_position``/``b_position`` give each sentence's position counted in sentences that
    matter (short lines such as "Sputnik reports," do not widen a gap).
    """
    pos_a = a_position if a_position is not None else np.arange(max((p[0] for p in pairs), default=0) + 1)
    pos_b = b_position if b_position is not None else np.arange(max((p[1] for p in pairs), default=0) + 1)
    parent = list(range(len(pairs)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    order = sorted(range(len(pairs)), key=lambda k: (pairs[k][0], pairs[k][1]))
    for x_pos, x in enumerate(order):
        i, j, _ = pairs[x]
        for y in order[x_pos + 1 :]:
            i2, j2, _ = pairs[y]
            if pos_a[i2] - pos_a[i] > gap + 1:
                break
            if abs(int(pos_b[j2]) - int(pos_b[j])) <= gap + 1:
                parent[root(y)] = root(x)
    groups: dict[int, list[tuple[int, int, float]]] = {}
    for k in order:
        groups.setdefault(root(k), []).append(pairs[k])
    return sorted(groups.values(), key=lambda g: (g[0][0], g[0][1]))


def _positions(prepared: PreparedDocument) -> np.ndarray:
    """Each sentence's position counted in prose sentences only."""
    prose = prepared.prose.astype(np.int64)
    return np.cumsum(prose) - prose


def edit_script(
    a_tokens: Tokens, a_range: tuple[int, int], b_tokens: Tokens, b_range: tuple[int, int]
) -> list[tuple[str, int, int, int, int]]:
    """Return difflib opcodes (keep/change/drop/add) over the folded tokens, as token indexes."""
    ai, aj = a_range
    bi, bj = b_range
    a_words, b_words = a_tokens.norms[ai:aj], b_tokens.norms[bi:bj]
    if _opcodes_kernel is not None:
        codes: dict[str, int] = {}
        a_codes = np.fromiter(map(codes.setdefault, a_words, range(len(a_words))), dtype=np.int64, count=len(a_words))
        b_codes = np.fromiter(
            map(codes.setdefault, b_words, range(len(a_words), len(a_words) + len(b_words))),
            dtype=np.int64, count=len(b_words),
        )
        ops = _opcodes_kernel(a_codes, b_codes, len(a_words) + len(b_words)).tolist()
    else:
        tags = {"equal": 0, "replace": 1, "delete": 2, "insert": 3}
        matcher = SequenceMatcher(None, a_words, b_words, autojunk=False)
        ops = [[tags[tag], i1, i2, j1, j2] for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    return [(_EDIT_NAMES[tag], ai + i1, ai + i2, bi + j1, bi + j2) for tag, i1, i2, j1, j2 in ops]


_EDIT_NAMES = ("keep", "change", "drop", "add")
"""Our names of difflib's ``equal``, ``replace``, ``delete`` and ``insert`` opcodes."""

try:  # numba runs difflib's algorithm on word codes; without it difflib itself does
    import numba

    @numba.njit(cache=True, nogil=True)
    def _opcodes_kernel(a, b, n_codes):  # pragma: no cover - compiled
        # SequenceMatcher(None, a, b, autojunk=False).get_opcodes(), step for step (no junk,
        # no popular elements): the same longest matches, ties broken the same way.
        la, lb = len(a), len(b)
        starts = np.zeros(n_codes + 1, dtype=np.int64)  # b2j: the positions of each code in b
        for j in range(lb):
            starts[b[j] + 1] += 1
        for c in range(n_codes):
            starts[c + 1] += starts[c]
        where = np.empty(lb, dtype=np.int64)
        fill = starts[:-1].copy()
        for j in range(lb):
            where[fill[b[j]]] = j
            fill[b[j]] += 1
        old_len = np.zeros(lb + 1, dtype=np.int64)  # j2len of the previous a position...
        old_step = np.full(lb + 1, -1, dtype=np.int64)  # ...valid where its step is the last one
        new_len = np.zeros(lb + 1, dtype=np.int64)
        new_step = np.full(lb + 1, -1, dtype=np.int64)
        step = 0
        queue = np.empty((2 * min(la, lb) + 2, 4), dtype=np.int64)
        queue[0, 0], queue[0, 1], queue[0, 2], queue[0, 3] = 0, la, 0, lb
        queued = 1
        blocks = np.empty((min(la, lb) + 1, 3), dtype=np.int64)
        found = 0
        while queued:
            queued -= 1
            alo, ahi, blo, bhi = queue[queued, 0], queue[queued, 1], queue[queued, 2], queue[queued, 3]
            # find_longest_match(alo, ahi, blo, bhi)
            besti, bestj, bestsize = alo, blo, 0
            step += 1  # j2len starts empty
            for i in range(alo, ahi):
                step += 1
                code = a[i]
                for q in range(starts[code], starts[code + 1]):
                    j = where[q]
                    if j < blo:
                        continue
                    if j >= bhi:
                        break
                    k = 1
                    if j > 0 and old_step[j - 1] == step - 1:
                        k = old_len[j - 1] + 1
                    new_len[j] = k
                    new_step[j] = step
                    if k > bestsize:
                        besti, bestj, bestsize = i - k + 1, j - k + 1, k
                old_len, new_len = new_len, old_len
                old_step, new_step = new_step, old_step
            while besti > alo and bestj > blo and a[besti - 1] == b[bestj - 1]:
                besti, bestj, bestsize = besti - 1, bestj - 1, bestsize + 1
            while besti + bestsize < ahi and bestj + bestsize < bhi and a[besti + bestsize] == b[bestj + bestsize]:
                bestsize += 1
            if bestsize:
                blocks[found, 0], blocks[found, 1], blocks[found, 2] = besti, bestj, bestsize
                found += 1
                if alo < besti and blo < bestj:
                    queue[queued, 0], queue[queued, 1], queue[queued, 2], queue[queued, 3] = alo, besti, blo, bestj
                    queued += 1
                if besti + bestsize < ahi and bestj + bestsize < bhi:
                    queue[queued, 0], queue[queued, 1] = besti + bestsize, ahi
                    queue[queued, 2], queue[queued, 3] = bestj + bestsize, bhi
                    queued += 1
        blocks = blocks[:found][np.argsort(blocks[:found, 0])]  # blocks never share a start in a
        # get_matching_blocks: adjacent blocks joined, then (la, lb, 0)
        joined = np.empty((found + 1, 3), dtype=np.int64)
        n_joined = 0
        i1 = j1 = k1 = 0
        for t in range(found):
            i2, j2, k2 = blocks[t, 0], blocks[t, 1], blocks[t, 2]
            if i1 + k1 == i2 and j1 + k1 == j2:
                k1 += k2
            else:
                if k1:
                    joined[n_joined, 0], joined[n_joined, 1], joined[n_joined, 2] = i1, j1, k1
                    n_joined += 1
                i1, j1, k1 = i2, j2, k2
        if k1:
            joined[n_joined, 0], joined[n_joined, 1], joined[n_joined, 2] = i1, j1, k1
            n_joined += 1
        joined[n_joined, 0], joined[n_joined, 1], joined[n_joined, 2] = la, lb, 0
        n_joined += 1
        # get_opcodes; tags 0 equal, 1 replace, 2 delete, 3 insert
        ops = np.empty((2 * n_joined, 5), dtype=np.int64)
        n_ops = 0
        i = j = 0
        for t in range(n_joined):
            ai, bj, size = joined[t, 0], joined[t, 1], joined[t, 2]
            tag = -1
            if i < ai and j < bj:
                tag = 1
            elif i < ai:
                tag = 2
            elif j < bj:
                tag = 3
            if tag >= 0:
                ops[n_ops, 0], ops[n_ops, 1], ops[n_ops, 2], ops[n_ops, 3], ops[n_ops, 4] = tag, i, ai, j, bj
                n_ops += 1
            i, j = ai + size, bj + size
            if size:
                ops[n_ops, 0], ops[n_ops, 1], ops[n_ops, 2], ops[n_ops, 3], ops[n_ops, 4] = 0, ai, i, bj, j
                n_ops += 1
        return ops[:n_ops]

except ImportError:  # pragma: no cover - exercised only without numba
    _opcodes_kernel = None  # type: ignore[assignment]


def _char_range(tokens: Tokens, i: int, j: int, first: int = 0) -> tuple[int, int]:
    """Character range of tokens ``[i, j)``.

    An empty range sits right after token ``i - 1`` (or where token ``i`` starts when ``i`` is
    the passage's ``first`` token), so it never falls outside the passage.
    """
    if j > i:
        return int(tokens.starts[i]), int(tokens.ends[j - 1])
    if i > first or i >= len(tokens):
        at = int(tokens.ends[i - 1]) if i > 0 else 0
    else:
        at = int(tokens.starts[i])
    return at, at


def _trim(
    ops: list[tuple[str, int, int, int, int]], ratio: float
) -> list[tuple[str, int, int, int, int]]:
    """Cut unaligned words off the ends of the side that is much longer than the other.

    The shorter side keeps its unaligned ends: they are reworded, not unrelated.
    """
    a_len = sum(o[2] - o[1] for o in ops)
    b_len = sum(o[4] - o[3] for o in ops)
    trim_a = a_len > ratio * b_len
    trim_b = b_len > ratio * a_len
    keeps = [k for k, o in enumerate(ops) if o[0] == "keep"]
    if not (trim_a or trim_b) or not keeps:
        return ops
    first, last = keeps[0], keeps[-1]
    head = _one_side(ops[:first], ops[first][1], ops[first][3], trim_a, trim_b)
    tail = _one_side(ops[last + 1 :], ops[last][2], ops[last][4], trim_a, trim_b)
    return head + list(ops[first : last + 1]) + tail


def _one_side(
    ops: list[tuple[str, int, int, int, int]], a_at: int, b_at: int, trim_a: bool, trim_b: bool
) -> list[tuple[str, int, int, int, int]]:
    """Reduce an unaligned end to the words of the side that is not trimmed."""
    out = []
    for _op, i1, i2, j1, j2 in ops:
        if trim_a and i2 > i1 and j2 > j1:
            out.append(("add", a_at, a_at, j1, j2))
        elif trim_b and i2 > i1 and j2 > j1:
            out.append(("drop", i1, i2, b_at, b_at))
        elif (trim_a and i2 > i1) or (trim_b and j2 > j1):
            continue
        else:
            out.append((_op, i1, i2, j1, j2))
    return out


def filler_word(word: str) -> bool:
    """Return True for a function word or a punctuation mark."""
    return word in FUNCTION_WORDS or not any(c.isalnum() for c in word)


def drop_stray_keeps(
    a_tokens: Tokens, ops: list[tuple[str, int, int, int, int]]
) -> list[tuple[str, int, int, int, int]]:
    """Fold lone kept function words between two changed stretches into one change.

    difflib pairs a stray "the" or "of the" inside two differently worded clauses; such
    words are not copied text. A keep of at most two function words or punctuation marks
    with no keep on either side is merged with its neighbours into one ``change``.
    """
    stray = [
        k
        for k, (op, i1, i2, _j1, _j2) in enumerate(ops)
        if op == "keep"
        and i2 - i1 <= 2
        and all(filler_word(a_tokens.norms[i]) for i in range(i1, i2))
        and 0 < k < len(ops) - 1
        and ops[k - 1][0] != "keep"
        and ops[k + 1][0] != "keep"
    ]
    if not stray:
        return ops
    out: list[tuple[str, int, int, int, int]] = []
    merge_next = False
    for k, op in enumerate(ops):
        if k in stray or merge_next:
            _o, i1, _i2, j1, _j2 = out[-1]
            out[-1] = ("change", i1, op[2], j1, op[4])
            merge_next = k in stray
        else:
            out.append(op)
    return out


def moved_words(
    a_tokens: Tokens, b_tokens: Tokens, ops: list[tuple[str, int, int, int, int]]
) -> list[tuple[str, int, int, int, int]]:
    """Return one-word ``keep`` ops for content words the edit script left out of order.

    difflib keeps words in order only: a name or figure a rewrite moves to another place in
    the passage ("Smith was fined £500" against "… fines of £500 for Smith") comes out as
    changed. Each content word (not a function word) of a
    changed or added stretch of ``b`` that also occurs in a changed or dropped stretch of
    ``a`` is paired with the first such occurrence not paired yet (one to one, in order),
    and the pairing grows over neighbouring words that match on both sides ("was fined"
    moves with "fined"). The returned ops, sorted by ``b`` position, overlap the
    change/add/drop ops they come from; a keep wins.
    """
    free: dict[str, list[int]] = {}
    for op, i1, i2, _j1, _j2 in ops:
        if op in ("change", "drop"):
            for i in range(i1, i2):
                word = a_tokens.norms[i]
                if word not in FUNCTION_WORDS and any(c.isalnum() for c in word):
                    free.setdefault(word, []).append(i)
    if not free:
        return []
    a_open = {i for op, i1, i2, _j1, _j2 in ops if op in ("change", "drop") for i in range(i1, i2)}
    b_open = {j for op, _i1, _i2, j1, j2 in ops if op in ("change", "add") for j in range(j1, j2)}
    out = []
    for j in sorted(b_open):
        slots = free.get(b_tokens.norms[j])
        if not slots or j not in b_open:
            continue
        i = slots.pop(0)
        a_open.discard(i)
        b_open.discard(j)
        out.append(("keep", i, i + 1, j, j + 1))
        # A moved phrase moves whole: its neighbouring words that match on both sides go too.
        for step in (-1, 1):
            ni, nj = i + step, j + step
            while (
                ni in a_open and nj in b_open and a_tokens.norms[ni] == b_tokens.norms[nj]
            ):
                a_open.discard(ni)
                b_open.discard(nj)
                word = a_tokens.norms[ni]
                if ni in free.get(word, []):
                    free[word].remove(ni)
                out.append(("keep", ni, ni + 1, nj, nj + 1))
                ni, nj = ni + step, nj + step
    return sorted(out, key=lambda o: o[3])


def _evidence(group: list[tuple[int, int, float]]) -> float:
    """Sum of the best pair score of each sentence, on the side with fewer sentences.

    One sentence that weakly resembles several sentences of the other article is the same
    topic, not reuse; several sentences in a row that resemble their counterparts are.
    """
    best_a: dict[int, float] = {}
    best_b: dict[int, float] = {}
    for i, j, score in group:
        best_a[i] = max(best_a.get(i, 0.0), score)
        best_b[j] = max(best_b.get(j, 0.0), score)
    return min(sum(best_a.values()), sum(best_b.values()))


def build_match(
    a: PreparedDocument,
    b: PreparedDocument,
    group: list[tuple[int, int, float]],
    params: Params,
) -> Match | None:
    """Turn one group of aligned sentence pairs into a :class:`Match`, or None if too small."""
    if not any(a.prose[i] and b.prose[j] for i, j, _ in group):
        return None  # short lines and headlines only ever join a passage, never start one
    a_sents = sorted({i for i, _, _ in group})
    b_sents = sorted({j for _, j, _ in group})
    a_range = (int(a.token_ranges[a_sents[0], 0]), int(a.token_ranges[a_sents[-1], 1]))
    b_range = (int(b.token_ranges[b_sents[0], 0]), int(b.token_ranges[b_sents[-1], 1]))
    ops = edit_script(a.tokens, a_range, b.tokens, b_range)
    if len(a_sents) == 1 or len(b_sents) == 1:
        ops = _trim(ops, params.trim_ratio)
    if params.moved_words:
        ops = drop_stray_keeps(a.tokens, ops)
    if not ops:
        return None
    a_start_tok, a_end_tok = min(o[1] for o in ops), max(o[2] for o in ops)
    b_start_tok, b_end_tok = min(o[3] for o in ops), max(o[4] for o in ops)
    a_words = a_end_tok - a_start_tok
    b_words = b_end_tok - b_start_tok
    if a_words < params.min_words or b_words < params.min_words:
        return None
    kept = sum(o[2] - o[1] for o in ops if o[0] == "keep")
    if _evidence(group) < params.reword_threshold:
        return None  # lone weak sentence pairs are topic, not reuse
    longer = max(a_words, b_words)
    kind = "verbatim" if kept >= params.verbatim_threshold * longer else "reworded"
    similarity = float(np.mean([s for _, _, s in group]))
    score = max(similarity, 2.0 * kept / (a_words + b_words))
    if params.moved_words:
        ops = ops + moved_words(a.tokens, b.tokens, ops)
    edits = []
    for op, i1, i2, j1, j2 in ops:
        a_start, a_end = _char_range(a.tokens, i1, i2, a_start_tok)
        b_start, b_end = _char_range(b.tokens, j1, j2, b_start_tok)
        edits.append(Edit(op, a_start, a_end, b_start, b_end))  # type: ignore[arg-type]
    a_span = Span(a.doc.id, *_char_range(a.tokens, a_start_tok, a_end_tok))
    b_span = Span(b.doc.id, *_char_range(b.tokens, b_start_tok, b_end_tok))
    return Match(
        a=a_span,
        b=b_span,
        kind=kind,  # type: ignore[arg-type]
        score=round(min(1.0, max(0.0, score)), 4),
        edits=tuple(edits),
        verbatim_words=kept,
        reworded_words=b_words - kept,
    )


def align_chunk(documents: Sequence[Document], pairs: Sequence[tuple[int, int]], context: AlignContext) -> list[Match]:
    """Align ``pairs`` (indices into ``documents``) in order; return their matches.

    Documents are prepared a batch ahead, in the order the pairs need them, and each is
    forgotten after its last pair, in a copy of ``context`` (a worker process or thread can
    run chunks of one corpus side by side; documents ``context`` already holds are used).
    """
    own = AlignContext(context.params, context.model, dict(context.prepared), context.excluded)
    own.follow([documents[k] for pair in pairs for k in pair])
    matches = [m for i, j in pairs for m in align_pair(documents[i], documents[j], own)]
    own.follow([])
    return matches


def align_pair(doc_a: Document, doc_b: Document, context: AlignContext) -> list[Match]:
    """Return the aligned passages of two documents, ``a`` being the one with the smaller id.

    Offsets are character offsets into each document's original text. ``direction`` and
    ``credited`` are left for :mod:`reprints.credit` to fill in.
    """
    if doc_b.id < doc_a.id:
        doc_a, doc_b = doc_b, doc_a
    a = context.get(doc_a)
    b = context.get(doc_b)
    if not a.usable.any() or not b.usable.any():
        return []
    scores = sentence_scores(a, b)
    pairs = select_pairs(scores, min(context.params.weak_threshold, context.params.reword_threshold))
    if not pairs:
        return []
    matches = []
    for group in merge_pairs(pairs, context.params.merge_gap, _positions(a), _positions(b)):
        match = build_match(a, b, group, context.params)
        if match is not None:
            matches.append(match)
    return sorted(matches, key=lambda m: (m.a.start, m.b.start, m.a.end, m.b.end))


def fit_model(prepared_tokens: Sequence[tuple[Tokens, np.ndarray]]) -> SentenceModel:
    """Fit the corpus TF-IDF model on every sentence of the given (tokens, ranges) pairs."""
    return SentenceModel.fit(
        norms for tokens, ranges in prepared_tokens for norms in sentence_norms(tokens, ranges)
    )


__all__ = [
    "AlignContext",
    "PreparedDocument",
    "align_pair",
    "edit_script",
    "fit_model",
    "prepare",
    "prepare_many",
    "segment",
    "sentence_scores",
]
