"""Find text that is repeated across articles but is not reuse: footers, policies, stock lines.

A sentence (compared on its folded words) that recurs in ``Params.boilerplate_outlet_docs``
articles of one outlet is that outlet's boilerplate (a footer, a comment policy, "Do you like
this content? Consider helping us!"). A sentence found in more than
``Params.boilerplate_corpus_share`` of all articles, and in at least five, is a stock phrase
of the corpus. Neighbouring boilerplate sentences of one article are reported as one span.

Repetition cannot show the chrome of a page that is the only one of its site in the corpus:
menus, "Log in", "Privacy Policy", vote counts, related-story links. :func:`page_chrome`
finds it from the page alone, the way jusText judges web paragraphs: a run of
``Params.chrome_lines`` or more short lines (at most :data:`CHROME_MAX_WORDS` words, no
sentence end) whose words are mostly not function words is chrome. Prose broken into short
lines (a narrow newspaper column) is full of function words and is left alone.

Alignment leaves all these spans out, so they never make or inflate a match.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from itertools import islice

import numpy as np

from .model import Boilerplate, Document, Span
from .normalize import Tokens, tokenize
from .params import Params
from .tfidf import FUNCTION_WORDS

CORPUS_MIN_DOCS = 5
"""A stock phrase must occur in at least this many articles, whatever the share."""

MIN_WORDS = 3
"""Sentences shorter than this are never outlet or corpus boilerplate."""

CHROME_MAX_WORDS = 5
"""A line of page chrome has at most this many words."""
CHROME_MAX_FUNCTION_SHARE = 0.3
"""...and a run of chrome lines at most this share of function words (prose has about 0.5)."""
CHROME_MIN_TITLE_SHARE = 0.75
"""...and at least this share of its lines look like labels: they start with a capital, a
digit or a symbol and do not end with a comma (prose broken into lines does not)."""

_LINE_RE = re.compile(r"[^\n\r]+")
_SENTENCE_END_RE = re.compile(r"[.!?…](?=\W*$|\s)")


def _key(norms: Sequence[str]) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(norms).encode("utf-8"), digest_size=8).digest(), "little")


def sentence_keys(tokens: Tokens, ranges: np.ndarray) -> np.ndarray:
    """Return one 64-bit key per sentence (its folded words hashed), 0 for a sentence too short to count.

    A "sentence" of one or two words ("Mr", "But" cut off by a line break) is no footer.
    """
    norms = tokens.norms
    return np.fromiter(
        (_key(norms[i:j]) or 1 if j - i >= MIN_WORDS else 0 for i, j in ranges.tolist()),
        dtype=np.uint64,
        count=len(ranges),
    )


def find_boilerplate(
    documents: Sequence[Document],
    segments: Sequence[tuple[Tokens, np.ndarray, np.ndarray]],
    params: Params,
) -> list[Boilerplate]:
    """Return boilerplate spans, sorted by document and offset.

    ``segments[k]`` is ``(tokens, sentence_spans, sentence_token_ranges)`` of
    ``documents[k]``, as :func:`reprints.align.segment` returns them.
    """
    return boilerplate_from_keys(
        documents,
        [sentence_keys(tokens, ranges) for tokens, _spans, ranges in segments],
        [spans for _tokens, spans, _ranges in segments],
        params,
        [
            page_chrome(doc.text, params.chrome_lines, tokens) if params.chrome_lines > 0 else []
            for doc, (tokens, _spans, _ranges) in zip(documents, segments, strict=True)
        ],
    )


def _distinct_docs(keys: np.ndarray, doc_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct ``keys`` (sorted) and in how many distinct documents each occurs."""
    order = np.lexsort((doc_of, keys))
    k, d = keys[order], doc_of[order]
    first = np.ones(len(k), dtype=bool)
    first[1:] = (k[1:] != k[:-1]) | (d[1:] != d[:-1])
    k = k[first]
    starts = np.flatnonzero(np.concatenate([[True], k[1:] != k[:-1]])) if len(k) else np.zeros(0, dtype=np.int64)
    return k[starts], np.diff(np.append(starts, len(k)))


def _lookup(sorted_keys: np.ndarray, counts: np.ndarray, keys: np.ndarray) -> np.ndarray:
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=np.int64)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return np.where(sorted_keys[at] == keys, counts[at], 0)


def boilerplate_from_keys(
    documents: Sequence[Document],
    keys: Sequence[np.ndarray],
    spans: Sequence[np.ndarray],
    params: Params,
    chrome: Sequence[list[tuple[int, int]]] | None = None,
) -> list[Boilerplate]:
    """Return boilerplate spans from each document's sentence keys (:func:`sentence_keys`) and spans.

    Needs no tokens, so a scan can count keys as it reads and drop each document's tokens.
    ``chrome`` holds each document's :func:`page_chrome` ranges when the caller found them
    (with the tokens at hand); otherwise they are found here.
    """
    n_sentences = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    all_keys = np.concatenate(list(keys)) if len(keys) else np.zeros(0, dtype=np.uint64)
    doc_of = np.repeat(np.arange(len(keys), dtype=np.int64), n_sentences)
    outlet_names = sorted({doc.outlet for doc in documents if doc.outlet})
    outlet_id = {name: k + 1 for k, name in enumerate(outlet_names)}
    doc_outlet = np.fromiter((outlet_id.get(doc.outlet or "", 0) for doc in documents), dtype=np.uint64, count=len(documents))
    counted = all_keys != 0
    corpus_keys, corpus_counts = _distinct_docs(all_keys[counted], doc_of[counted])
    in_corpus = _lookup(corpus_keys, corpus_counts, all_keys)
    # One key per (outlet, sentence): the outlet id mixed into the sentence key.
    with np.errstate(over="ignore"):
        outlet_keys = all_keys * np.uint64(0x9E3779B97F4A7C15) + doc_outlet[doc_of]
    with_outlet = counted & (doc_outlet[doc_of] > 0)
    o_keys, o_counts = _distinct_docs(outlet_keys[with_outlet], doc_of[with_outlet])
    in_outlet = np.where(with_outlet, _lookup(o_keys, o_counts, outlet_keys), 0)
    in_corpus = np.where(counted, in_corpus, 0)
    corpus_needed = max(CORPUS_MIN_DOCS, int(params.boilerplate_corpus_share * len(documents)) + 1)
    found: list[Boilerplate] = []
    bounds = np.concatenate([[0], np.cumsum(n_sentences)])
    for k, doc in enumerate(documents):
        lo, hi = int(bounds[k]), int(bounds[k + 1])
        corpus_k, outlet_k = in_corpus[lo:hi], in_outlet[lo:hi]
        if (corpus_k >= corpus_needed).any() or (outlet_k >= params.boilerplate_outlet_docs).any():
            marks: list[tuple[int, int, str, int]] = []
            for s in range(hi - lo):
                if corpus_k[s] >= corpus_needed:
                    marks.append((int(spans[k][s, 0]), int(spans[k][s, 1]), "corpus", int(corpus_k[s])))
                elif outlet_k[s] >= params.boilerplate_outlet_docs:
                    marks.append((int(spans[k][s, 0]), int(spans[k][s, 1]), "outlet", int(outlet_k[s])))
                else:
                    marks.append((-1, -1, "", 0))
            found.extend(_merge_runs(doc.id, marks))
        if params.chrome_lines > 0:
            found.extend(
                Boilerplate(Span(doc.id, start, end), "page", 1)
                for start, end in (chrome[k] if chrome is not None else page_chrome(doc.text, params.chrome_lines))
            )
    return sorted(found, key=lambda b: (b.span.doc, b.span.start, b.span.end, b.reason))


def _label_like(line: str) -> bool:
    """True for a line that reads as a label ("Log in", "Total votes: 77"), not broken prose."""
    stripped = line.strip()
    return bool(stripped) and not stripped[0].islower() and not stripped.endswith(",")


def page_chrome(text: str, min_lines: int, tokens: Tokens | None = None) -> list[tuple[int, int]]:
    """Return ``[start, end)`` of each run of menu-like lines in one page.

    A candidate line has 1 to :data:`CHROME_MAX_WORDS` words and no sentence end ("Log in",
    "Total votes: 77", "Saving Private Jihadi"); lines without words (rules, blank lines)
    neither count nor break a run. A run of ``min_lines`` or more candidate lines is chrome
    when at most :data:`CHROME_MAX_FUNCTION_SHARE` of its words are function words and at
    least :data:`CHROME_MIN_TITLE_SHARE` of its lines read as labels. ``tokens`` (of the
    whole ``text``, when the caller has them) saves tokenising each line again: a token never
    runs across a line break, so a line's tokens are a slice of the text's.
    """
    runs: list[list[tuple[int, int, tuple[str, ...], bool]]] = [[]]
    lines = list(_LINE_RE.finditer(text))
    if tokens is not None and lines:
        bounds = np.array([(m.start(), m.end()) for m in lines], dtype=np.int64)
        first = np.searchsorted(tokens.starts, bounds[:, 0], side="left").tolist()
        last = np.searchsorted(tokens.ends, bounds[:, 1], side="right").tolist()
    for k, m in enumerate(lines):
        norms = tokens.norms[first[k] : last[k]] if tokens is not None else tokenize(m.group()).norms
        if not norms:
            continue
        # a dateline "19:33 GMT +3 09 September 2017" is short; stop counting past the limit
        words = sum(1 for _w in islice((w for w in norms if not w.isdigit()), CHROME_MAX_WORDS + 1))
        if words <= CHROME_MAX_WORDS and not _SENTENCE_END_RE.search(m.group()):
            runs[-1].append((m.start(), m.end(), norms, _label_like(m.group())))
        elif runs[-1]:
            runs.append([])
    out: list[tuple[int, int]] = []
    for run in runs:
        if len(run) < min_lines:
            continue
        words = [w for _s, _e, norms, _label in run for w in norms]
        labels = sum(label for _s, _e, _norms, label in run)
        if (
            sum(w in FUNCTION_WORDS for w in words) <= CHROME_MAX_FUNCTION_SHARE * len(words)
            and labels >= CHROME_MIN_TITLE_SHARE * len(run)
        ):
            first, last = run[0], run[-1]
            start = first[0] + len(text[first[0] : first[1]]) - len(text[first[0] : first[1]].lstrip())
            end = last[0] + len(text[last[0] : last[1]].rstrip())
            out.append((start, end))
    return out


def _merge_runs(doc_id: str, marks: list[tuple[int, int, str, int]]) -> list[Boilerplate]:
    """Join consecutive boilerplate sentences of one reason into one span."""
    out: list[Boilerplate] = []
    run: list[tuple[int, int, str, int]] = []
    for mark in [*marks, (-1, -1, "", 0)]:
        if run and (mark[2] != run[-1][2]):
            out.append(
                Boilerplate(
                    Span(doc_id, run[0][0], run[-1][1]),
                    run[0][2],  # type: ignore[arg-type]
                    min(m[3] for m in run),
                )
            )
            run = []
        if mark[2]:
            run.append(mark)
    return out


def spans_by_document(boilerplate: Sequence[Boilerplate]) -> dict[str, list[tuple[int, int]]]:
    """Group boilerplate character ranges by document id."""
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for item in boilerplate:
        out[item.span.doc].append((item.span.start, item.span.end))
    return dict(out)
