"""Read Parquet files (``.parquet``): one document per row, with the JSONL columns.

Rows are read in batches, so a large file is never in memory at once. Problems name the
row number (1-based) where a line number would stand. Needs pyarrow (the ``dask`` extra).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..model import Problem
from .jsonl import record_document
from .options import Located, ReadOptions, problem

BATCH_ROWS = 1024
"""Rows read from the file at a time."""


def read_parquet(file: Path, shown: str, options: ReadOptions) -> Iterator[Located | Problem]:
    """Yield a document (or problem) per row of a Parquet file, in file order."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        yield problem(
            shown, "needs pyarrow", "reading Parquet needs pyarrow: pip install 'reprints[dask]'"
        )
        return
    try:
        table = pq.ParquetFile(file)
    except Exception as err:
        yield problem(shown, "bad Parquet", f"not a Parquet file ({err}); file skipped")
        return
    names = set(table.schema_arrow.names)
    targets = {options.columns.get(n, n) for n in names} | (
        {"outlet"} if "series" in names else set()
    )
    for needed in ("id", "text"):
        if needed not in targets:
            yield problem(
                shown,
                f"no {needed} column",
                f"no {needed!r} column (columns: {', '.join(sorted(names))}); "
                f"map one with --columns NAME={needed}; file skipped",
            )
            return
    row = 0
    try:
        for batch in table.iter_batches(batch_size=BATCH_ROWS):
            for record in batch.to_pylist():
                row += 1
                text = record.get(
                    next((s for s, t in options.columns.items() if t == "text"), "text")
                )
                if isinstance(text, str) and (reason := options.too_large(len(text))):
                    yield problem(shown, "too large", reason, row)
                    continue
                yield from record_document(record, shown, row, options)
    except Exception as err:
        yield problem(
            shown, "bad Parquet", f"unreadable after row {row} ({err}); rest of the file skipped"
        )
