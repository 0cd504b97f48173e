"""The local engine: one process, or a pool of worker processes on one machine."""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from ..candidates import (
    Candidate,
    Features,
    candidates_from_features,
    features,
)
from ..candidates import text_features as candidate_text_features
from ..errors import ParameterError
from ..params import Params

# Documents per task of the process pool: big enough to amortise pickling, small enough to
# spread over the workers.
CHUNK_DOCS = 2000


def text_features(texts: Sequence[str], params: Params, first: int = 0) -> Features:
    """Tokenise ``texts`` and hash their shingles and content words (documents numbered from ``first``).

    Works through ``CHUNK_DOCS`` texts at a time, so only that many tokenised texts are held.
    """
    parts = [
        candidate_text_features(texts[lo : lo + CHUNK_DOCS], params, first + lo)
        for lo in range(0, len(texts), CHUNK_DOCS)
    ]
    return Features.concat(parts) if parts else features([], params, first)


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector, then restore it as it was (also on error).

    The scan and quote grouping hold millions of long-lived records (documents, tokens,
    quotes) that form no cycles; each full collection would walk them all again, for
    nothing (a 3,000-article scan leaves ~500 cyclic objects, numba's compiler records).
    Pausing it cuts the CPU of a 10,000-article scan by ~9 %; forked workers inherit it.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


_ALIGN_STATE = None


def _align_inherited(pairs: list[tuple[int, int]]) -> list:
    """Align pairs in a forked worker, with the documents and context it inherited."""
    from ..align import align_chunk

    documents, context = _ALIGN_STATE  # type: ignore[misc]
    return align_chunk(documents, pairs, context)


_MAP_STATE = None


def _map_inherited(lo: int, hi: int) -> Any:
    """Run the mapped function on items ``[lo, hi)`` of those a forked worker inherited."""
    fn, items, args = _MAP_STATE  # type: ignore[misc]
    return fn(items[lo:hi], *args)


def _run_and_send(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Run ``fn(*args)`` in a forked process and send back ``(True, result)`` or ``(False, error)``."""
    try:
        outcome = (True, fn(*args))
    except Exception as error:  # the caller raises it again
        outcome = (False, error)
    conn.send(outcome)
    conn.close()


class Deferred:
    """A call that runs on a process of its own, forked now, while this one goes on.

    :meth:`result` waits for it. If that process dies without an answer (killed, say, for
    want of memory), the call runs again in this process. With ``fork=False`` the call
    just runs when its result is asked for.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any, fork: bool = True) -> None:
        self._fn, self._args = fn, args
        self._process: Any = None
        if fork:
            context = multiprocessing.get_context("fork")
            self._answer, sender = context.Pipe(duplex=False)
            # forked: fn and args are inherited, not pickled
            self._process = context.Process(target=_run_and_send, args=(sender, fn, args), daemon=True)
            self._process.start()
            sender.close()

    def result(self) -> Any:
        """Return the call's result (raising what it raised)."""
        if self._process is not None:
            process, self._process = self._process, None
            try:
                done, value = self._answer.recv()
            except EOFError:  # died without an answer
                done = None
            finally:
                self._answer.close()
                process.join()
            if done is True:
                return value
            if done is False:
                raise value
        return self._fn(*self._args)


class LocalEngine:
    """Compute candidates in this process (``jobs=1``) or with ``jobs`` workers.

    With ``overlap`` (and ``jobs > 1``), work that can wait (a scan's quote grouping) runs on
    a forked process of its own beside the stages that follow: less wall time on an idle
    machine, but that process holds its memory beside theirs (at 30,000 articles, a peak of
    2.6 GB instead of 1.6), and on a busy one it only competes for the cores.
    """

    def __init__(self, jobs: int = 1, *, chunk_docs: int = CHUNK_DOCS, overlap: bool = False):
        if jobs < 1:
            raise ParameterError(f"jobs must be at least 1, got {jobs}")
        self.jobs = jobs
        self.chunk_docs = chunk_docs
        self.overlap = overlap

    def features(self, texts: Sequence[str], params: Params) -> Features:
        """Return the features of ``texts``, chunked over worker processes when ``jobs > 1``."""
        size = self.chunk_docs
        if self.jobs == 1 or len(texts) <= size:
            return text_features(texts, params)
        starts = range(0, len(texts), size)
        with ProcessPoolExecutor(self.jobs) as pool:
            parts = list(pool.map(text_features, [texts[s : s + size] for s in starts], [params] * len(starts), starts))
        return Features.concat(parts)

    def candidates(
        self,
        feats: Features,
        params: Params,
        *,
        dates: Sequence[str | None] | None = None,
        outlets: Sequence[str | None] | None = None,
    ) -> list[Candidate]:
        """Return the candidates of the documents in ``feats`` (numbered from 0).

        With ``jobs > 1`` the band passes run on that many threads (the numba kernel releases
        the GIL); the result is the in-process one.
        """
        if self.jobs == 1:
            return candidates_from_features(feats, params, dates=dates, outlets=outlets)
        with ThreadPoolExecutor(self.jobs) as pool:
            return candidates_from_features(
                feats, params, dates=dates, outlets=outlets, map_passes=pool.map
            )

    def map_ranges(self, fn: Callable[..., Any], items: Sequence, ranges: Sequence[tuple[int, int]], *args: Any) -> Iterator[Any]:
        """Yield ``fn(items[lo:hi], *args)`` for each range, in order.

        With ``jobs > 1`` the ranges run on worker processes forked from this one, which
        inherit ``fn``, ``items`` and ``args`` (only the ranges and the results are pickled);
        at most two ranges per worker are in flight, so results stream.
        """
        if self.jobs == 1 or len(ranges) <= 1:
            for lo, hi in ranges:
                yield fn(items[lo:hi], *args)
            return
        global _MAP_STATE
        _MAP_STATE = (fn, items, args)
        try:
            with ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                pending: deque = deque()
                for lo, hi in ranges:
                    pending.append(pool.submit(_map_inherited, lo, hi))
                    if len(pending) >= 2 * self.jobs:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
        finally:
            _MAP_STATE = None

    def defer(self, fn: Callable[..., Any], *args: Any) -> Deferred:
        """Start ``fn(*args)`` beside the work that follows: on a forked process of its own
        with ``overlap`` and ``jobs > 1``, else when its result is asked for."""
        return Deferred(fn, *args, fork=self.overlap and self.jobs > 1)

    # find_candidates(engine=...) calls this name on every engine.
    candidates_from_features = candidates

    def align_pairs(self, documents: Sequence, pairs: Sequence[tuple[int, int]], context, chunk: int = 200) -> list:
        """Align candidate ``pairs``; the matches come back in ``pairs`` order.

        With ``jobs > 1`` chunks of pairs run on worker processes forked from this one, which
        inherit ``context`` (the TF-IDF model fitted once, and the boilerplate ranges) and
        prepare the documents of their own chunk.
        """
        from ..align import align_chunk

        if self.jobs == 1 or len(pairs) <= chunk:
            return align_chunk(documents, pairs, context)
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
