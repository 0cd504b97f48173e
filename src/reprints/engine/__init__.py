"""Run the candidate stages on one process, a pool of worker processes, or a Dask cluster.

Every engine computes the same thing, so the candidates (and the scan built on them) are
identical whichever runs them:

1. features: tokenise each text and hash its shingles and content words (per document);
2. band keys: sign the passage windows, a few bands at a time (per window);
3. banding: group equal keys of a band and pair the windows of different documents;
4. merge: count colliding window pairs per document pair and apply the filters.

``LocalEngine(jobs=1)`` runs in the calling process; ``LocalEngine(jobs=N)`` runs stage 1 in
N worker processes and stages 2-3 in N threads (the numba kernel releases the GIL);
``DaskEngine(address)`` maps stage 1 and 2 over partitions and does stage 3 as a shuffle of
band keys to the workers.
"""

from __future__ import annotations

from .local import LocalEngine, text_features

__all__ = ["LocalEngine", "make_engine", "text_features"]


def make_engine(
    engine: str = "local",
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    partitions: int | None = None,
    overlap: bool = False,
):
    """Return the engine named by ``engine`` ("local" or "dask"); ``scheduler`` is the Dask
    address; ``overlap`` lets the local engine run a scan's quote grouping beside the later
    stages (see :class:`LocalEngine`)."""
    from ..errors import ParameterError

    if engine == "local":
        return LocalEngine(jobs=jobs, overlap=overlap)
    if engine == "dask":
        from .dask import DaskEngine

        return DaskEngine(scheduler, partitions=partitions)
    raise ParameterError(f"unknown engine {engine!r}; use 'local' or 'dask'")
