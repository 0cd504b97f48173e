"""The Dask engine: the candidate stages on a Dask distributed cluster.

Features and band keys are computed where the partitions live; banding is a shuffle: each
partition splits its band items by key into ``shards``, and one task per (band pass, shard)
buckets what all partitions sent it. Every bucket lands whole in one shard, so the pairs
are exactly the local engine's. The client only gathers colliding window pairs, one
document index per window, per-word document counts (for ``common_words``) and, to verify
the rewording channel's weaker pairs, every document's content-word hashes (4 bytes a word).

Start a cluster (``dask scheduler`` on one machine, ``dask worker tcp://HOST:8786`` on each
of the others, all with ``reprints[dask]`` installed), then pass its address.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from ..candidates import (
    CHANNELS,
    Candidate,
    Features,
    band_items,
    bucket_codes,
    channel_bands,
    channel_keys,
    channel_max_bucket,
    content_weights,
    date_blocks,
    join_offsets,
    merge_channels,
    propose_bands,
    reworded_pairs,
    window_doc_pairs,
    windows,
    word_frequencies,
)
from ..errors import ParameterError
from ..lsh import sorted_unique
from ..params import Params
from .local import CHUNK_DOCS, text_features

# Every scatter below passes hash=False: scattered data is otherwise keyed by its content, and
# scattering equal data twice (the date blocks for each channel) races the release of the first
# copy against the second's use ("Could not find data", tasks cancelled for lost dependencies).

_BANDS_PER_PASS = 8


def _word_df(feats: Features) -> tuple[np.ndarray, np.ndarray]:
    return word_frequencies(feats.words, feats.word_offsets)


def _word_rows(feats: Features) -> tuple[np.ndarray, np.ndarray]:
    return feats.words, feats.word_offsets


def _window_docs(feats: Features, channel: str, params: Params, drop: np.ndarray | None) -> np.ndarray:
    return windows(feats, channel, params, drop).docs


def _partition_items(
    feats: Features,
    channel: str,
    params: Params,
    drop: np.ndarray | None,
    first_window: int,
    lo: int,
    hi: int,
    shards: int,
    doc_blocks: np.ndarray | None,
) -> list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Band items of bands [lo, hi) of one partition, split by shard: result[band][shard]."""
    wins = windows(feats, channel, params, drop)
    keys = channel_keys(wins, channel, params, lo, hi)
    wids = first_window + np.arange(len(wins.starts), dtype=np.int64)
    blocks = doc_blocks[wins.docs] if doc_blocks is not None else None
    out = []
    for band in range(hi - lo):
        k, w, d = band_items(np.ascontiguousarray(keys[:, band]), wids, wins.docs, blocks)
        shard = (k.astype(np.uint64) % np.uint64(shards)).astype(np.int64)
        out.append([(k[shard == s], w[shard == s], d[shard == s]) for s in range(shards)])
    return out


def _shard_codes(max_bucket: int | None, band: int, shard: int, *parts) -> np.ndarray:
    """Bucket one shard of one band: the items every partition sent it."""
    pieces = [p[band][shard] for p in parts]
    keys = np.concatenate([p[0] for p in pieces])
    wids = np.concatenate([p[1] for p in pieces])
    docs = np.concatenate([p[2] for p in pieces])
    return bucket_codes(keys, wids, docs, max_bucket)


def _read_shard(path: str, params: Params) -> tuple[list[str], list[str | None], list[str | None], Features]:
    """Read one JSONL shard (``id``, ``text``, optional ``date``, ``outlet``) and compute its features."""
    ids, dates, outlets, texts = [], [], [], []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            rec = json.loads(line)
            ids.append(str(rec["id"]))
            dates.append(rec.get("date"))
            outlets.append(rec.get("outlet") or rec.get("series"))
            texts.append(rec["text"])
    return ids, dates, outlets, text_features(texts, params)


def _meta(shard: tuple) -> tuple:
    return shard[0], shard[1], shard[2]


def _shard_features(shard: tuple, first: int) -> Features:
    """The shard's features, its documents numbered from ``first``."""
    return dataclasses.replace(shard[3], first=first)


def _align_chunk(pairs: list[tuple[int, int]], documents: list, context) -> list:
    """Align a chunk of candidate pairs on a worker (context: the TF-IDF model and boilerplate)."""
    from ..align import align_chunk

    return align_chunk(documents, pairs, context)


class DaskEngine:
    """Compute candidates on a Dask cluster (``address``, or an existing ``Client``)."""

    def __init__(self, address=None, *, partitions: int | None = None, shards: int | None = None):
        from distributed import Client

        if address is None:
            raise ParameterError("the dask engine needs a scheduler address, e.g. --scheduler tcp://host:8786")
        self._owns_client = not isinstance(address, Client)
        self.client = address if isinstance(address, Client) else Client(address)
        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        self.partitions = partitions or 2 * workers
        self.shards = shards or 2 * workers

    def close(self) -> None:
        """Close the client this engine opened (a client passed in stays open)."""
        if self._owns_client:
            self.client.close()

    # Stage 1 -------------------------------------------------------------------------------

    def features(self, texts: Sequence[str], params: Params) -> list:
        """Scatter ``texts`` in contiguous partitions and compute their features there (futures)."""
        size = max(1, -(-len(texts) // self.partitions))
        size = min(size, CHUNK_DOCS * 4) if len(texts) > CHUNK_DOCS * 4 * self.partitions else size
        starts = list(range(0, len(texts), size))
        chunks = [list(texts[s : s + size]) for s in starts]
        return self.client.map(text_features, chunks, [params] * len(chunks), starts, pure=False)

    def read_shards(self, paths: Sequence[str | Path], params: Params):
        """Read sharded JSONL on the workers; return (ids, dates, outlets, feature futures)."""
        paths = sorted(str(p) for p in paths)
        read = self.client.map(_read_shard, paths, [params] * len(paths), pure=False)
        meta = self.client.gather(self.client.map(_meta, read, pure=False))
        ids, dates, outlets, feats, first = [], [], [], [], 0
        for (i, d, o), fut in zip(meta, read, strict=True):
            feats.append(self.client.submit(_shard_features, fut, first, pure=False))
            ids += i
            dates += d
            outlets += o
            first += len(i)
        return ids, dates, outlets, feats

    def map_ranges(self, fn, items: Sequence, ranges: Sequence[tuple[int, int]], *args) -> Iterator:
        """Yield ``fn(items[lo:hi], *args)`` for each range, in order, computed on the workers.

        ``args`` are sent to every worker once; ranges go out a few per worker at a time, so
        the client holds only those in flight.
        """
        shared = [self.client.scatter(a, broadcast=True, hash=False) for a in args]
        ahead = 2 * self.partitions
        for at in range(0, len(ranges), ahead):
            batch = ranges[at : at + ahead]
            futures = [self.client.submit(fn, list(items[lo:hi]), *shared, pure=False) for lo, hi in batch]
            yield from self.client.gather(futures)

    # Stages 2-4 ----------------------------------------------------------------------------

    def _channel_pairs(self, feats: list, n_docs: int, channel: str, params: Params, doc_blocks) -> tuple:
        client = self.client
        drop = None
        if channel == "reworded":
            dfs = client.gather(client.map(_word_df, feats, pure=False))
            words = np.concatenate([w for w, _ in dfs])
            counts = np.concatenate([c for _, c in dfs])
            uniq, inverse = sorted_unique(words, inverse=True)
            df = np.bincount(inverse, weights=counts, minlength=len(uniq)).astype(np.int64)
            limit = max(params.reword_max_df * n_docs, params.reword_min_df_docs)
            drop = uniq[df > limit].astype(np.uint32)
        drop_f = client.scatter(drop, broadcast=True, hash=False) if drop is not None else None
        blocks_f = client.scatter(doc_blocks, broadcast=True, hash=False) if doc_blocks is not None else None
        window_docs = client.gather(
            client.map(_window_docs, feats, [channel] * len(feats), [params] * len(feats), [drop_f] * len(feats), pure=False)
        )
        firsts = np.concatenate([[0], np.cumsum([len(w) for w in window_docs])[:-1]]).astype(np.int64)
        all_window_docs = np.concatenate(window_docs) if window_docs else np.zeros(0, dtype=np.int64)
        bands, _rows = channel_bands(channel, params)
        codes: list[np.ndarray] = []
        for lo in range(0, bands, _BANDS_PER_PASS):
            hi = min(lo + _BANDS_PER_PASS, bands)
            items = [
                client.submit(_partition_items, f, channel, params, drop_f, int(first), lo, hi, self.shards, blocks_f, pure=False)
                for f, first in zip(feats, firsts, strict=True)
            ]
            shard_tasks = [
                [client.submit(_shard_codes, channel_max_bucket(channel, params), band, shard, *items, pure=False) for shard in range(self.shards)]
                for band in range(hi - lo)
            ]
            for per_shard in client.gather(shard_tasks):
                # A pair can reach two shards of one band (its two date-block copies): keep one.
                codes.append(sorted_unique(np.concatenate(per_shard)))
        if channel == "verbatim":
            return window_doc_pairs(codes, all_window_docs, n_docs, 1)
        proposed = window_doc_pairs(codes, all_window_docs, n_docs, params.reword_min_bands, propose_bands(params))
        weights = None
        if params.reword_verify_share is not None:
            # Verifying reads both articles' content words: the client gathers them (4 bytes a word).
            rows = client.gather(client.map(_word_rows, feats, pure=False))
            content = np.concatenate([w for w, _ in rows]) if rows else np.zeros(0, dtype=np.uint32)
            offsets = join_offsets([o for _, o in rows]) if rows else np.zeros(1, dtype=np.int64)
            weights = content_weights(content, offsets, (uniq, df), n_docs)
        return reworded_pairs(proposed, params, weights)

    def candidates(
        self,
        feats: list,
        n_docs: int,
        params: Params,
        *,
        dates: Sequence[str | None] | None = None,
        outlets: Sequence[str | None] | None = None,
    ) -> list[Candidate]:
        """Return the candidates of the documents whose feature futures are ``feats`` (in order)."""
        if n_docs < 2:
            return []
        blocks = date_blocks(dates, params)
        verbatim, reworded = (self._channel_pairs(feats, n_docs, c, params, blocks) for c in CHANNELS)
        return merge_channels(verbatim, reworded, params, n_docs, dates=dates, outlets=outlets)

    def candidates_from_features(
        self,
        feats: Features,
        params: Params,
        *,
        dates: Sequence[str | None] | None = None,
        outlets: Sequence[str | None] | None = None,
    ) -> list[Candidate]:
        """Scatter features computed on the client in partitions, then find the candidates."""
        n = len(feats)
        size = max(1, -(-n // self.partitions))
        parts = [feats.part(lo, min(lo + size, n)) for lo in range(0, n, size)]
        futures = self.client.scatter(parts, hash=False)
        return self.candidates(futures, n, params, dates=dates, outlets=outlets)

    def align_pairs(self, documents: Sequence, pairs: Sequence[tuple[int, int]], context, chunk: int = 200) -> list:
        """Align candidate ``pairs`` on the workers; the matches come back in ``pairs`` order.

        ``context`` (``reprints.align.AlignContext``: the TF-IDF model fitted once on the
        corpus, and the boilerplate ranges) is sent to every worker once; each chunk prepares
        the documents it needs.
        """
        if not pairs:
            return []
        docs_f = self.client.scatter(list(documents), broadcast=True, hash=False)
        context_f = self.client.scatter(context, broadcast=True, hash=False)
        chunks = [list(pairs[k : k + chunk]) for k in range(0, len(pairs), chunk)]
        futures = self.client.map(_align_chunk, chunks, documents=docs_f, context=context_f, pure=False)
        return [m for part in self.client.gather(futures) for m in part]

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
        feats = self.features(texts, params)
        return self.candidates(feats, len(texts), params, dates=dates, outlets=outlets)
