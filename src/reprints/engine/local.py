"""The local engine: one process, or a pool of worker processes on one machine."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np

from ..candidates import (
    CHANNELS,
    Candidate,
    Features,
    band_pairs,
    channel_bands,
    channel_keys,
    channel_max_bucket,
    common_words,
    date_blocks,
    features,
    merge_channels,
    window_doc_pairs,
    windows,
)
from ..errors import ParameterError
from ..minhash import MinHasher
from ..normalize import tokenize
from ..params import Params

# Documents per task of the process pool: big enough to amortise pickling, small enough to
# spread over the workers.
CHUNK_DOCS = 2000
_BANDS_PER_TASK = 4


def text_features(texts: Sequence[str], params: Params, first: int = 0) -> Features:
    """Tokenise ``texts`` and hash their shingles and content words (documents numbered from ``first``).

    Works through ``CHUNK_DOCS`` texts at a time, so only that many tokenised texts are held.
    """
    parts = [
        features([tokenize(t) for t in texts[lo : lo + CHUNK_DOCS]], params, first + lo)
        for lo in range(0, len(texts), CHUNK_DOCS)
    ]
    return Features.concat(parts) if parts else features([], params, first)


_ALIGN_STATE = None


def _align_inherited(pairs: list[tuple[int, int]]) -> list:
    """Align pairs in a forked worker, with the documents and context it inherited."""
    from ..align import align_pair

    documents, context = _ALIGN_STATE  # type: ignore[misc]
    return [m for i, j in pairs for m in align_pair(documents[i], documents[j], context)]


class LocalEngine:
    """Compute candidates in this process (``jobs=1``) or with ``jobs`` workers."""

    def __init__(self, jobs: int = 1, *, chunk_docs: int = CHUNK_DOCS):
        if jobs < 1:
            raise ParameterError(f"jobs must be at least 1, got {jobs}")
        self.jobs = jobs
        self.chunk_docs = chunk_docs

    def features(self, texts: Sequence[str], params: Params) -> Features:
        """Return the features of ``texts``, chunked over worker processes when ``jobs > 1``."""
        size = self.chunk_docs
        if self.jobs == 1 or len(texts) <= size:
            return text_features(texts, params)
        starts = range(0, len(texts), size)
        with ProcessPoolExecutor(self.jobs) as pool:
            parts = list(pool.map(text_features, [texts[s : s + size] for s in starts], [params] * len(starts), starts))
        return Features.concat(parts)

    def channel_pairs(
        self, feats: Features, channel: str, params: Params, doc_blocks: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the document pairs of ``channel``: band passes run on ``jobs`` threads."""
        drop = common_words(feats, params) if channel == "reworded" else None
        wins = windows(feats, channel, params, drop)
        hasher = MinHasher(params.num_perm, params.seed)
        bands, _rows = channel_bands(channel, params)
        blocks = doc_blocks[wins.docs] if doc_blocks is not None else None

        def one_pass(lo: int) -> list[np.ndarray]:
            hi = min(lo + _BANDS_PER_TASK, bands)
            keys = channel_keys(wins, channel, params, lo, hi, hasher)
            return [
                band_pairs(np.ascontiguousarray(keys[:, k]), wins.docs, channel_max_bucket(channel, params), blocks)
                for k in range(hi - lo)
            ]

        passes = range(0, bands, _BANDS_PER_TASK)
        if self.jobs == 1:
            results = [one_pass(lo) for lo in passes]
        else:
            with ThreadPoolExecutor(self.jobs) as pool:
                results = list(pool.map(one_pass, passes))
        codes = [c for r in results for c in r]
        min_bands = 1 if channel == "verbatim" else params.reword_min_bands
        return window_doc_pairs(codes, wins.docs, len(feats), min_bands)

    def candidates(
        self,
        feats: Features,
        params: Params,
        *,
        dates: Sequence[str | None] | None = None,
        outlets: Sequence[str | None] | None = None,
    ) -> list[Candidate]:
        """Return the candidates of the documents in ``feats`` (numbered from 0)."""
        n = len(feats)
        if n < 2:
            return []
        blocks = date_blocks(dates, params)
        verbatim, reworded = (self.channel_pairs(feats, c, params, blocks) for c in CHANNELS)
        return merge_channels(verbatim, reworded, params, n, dates=dates, outlets=outlets)

    def candidates_from_features(
        self,
        feats: Features,
        params: Params,
        *,
        dates: Sequence[str | None] | None = None,
        outlets: Sequence[str | None] | None = None,
    ) -> list[Candidate]:
        """Return the candidates of features computed elsewhere (documents numbered from 0)."""
        return self.candidates(feats, params, dates=dates, outlets=outlets)

    def align_pairs(self, documents: Sequence, pairs: Sequence[tuple[int, int]], context, chunk: int = 200) -> list:
        """Align candidate ``pairs``; the matches come back in ``pairs`` order.

        With ``jobs > 1`` chunks of pairs run on worker processes forked from this one, which
        inherit ``context`` (the TF-IDF model fitted once, and the prepared documents).
        """
        from ..align import align_pair

        if self.jobs == 1 or len(pairs) <= chunk:
            return [m for i, j in pairs for m in align_pair(documents[i], documents[j], context)]
        global _ALIGN_STATE
        _ALIGN_STATE = (documents, context)
        chunks = [list(pairs[k : k + chunk]) for k in range(0, len(pairs), chunk)]
        try:
            with ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                parts = list(pool.map(_align_inherited, chunks))
        finally:
            _ALIGN_STATE = None
        return [m for part in parts for m in part]

    def find_candidates(
        self,
        texts: Sequence[str],
        params: Params | None = None,
        *,
        dates: Sequence[str | None] | None = None,
        outlets: Sequence[str | None] | None = None,
    ) -> list[Candidate]:
        """Return the candidate pairs of ``texts`` (same result as ``candidates.find_candidates``)."""
        params = params or Params()
        return self.candidates(self.features(texts, params), params, dates=dates, outlets=outlets)
