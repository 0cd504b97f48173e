"""Read corpora into :class:`~reprints.model.Document` records, reporting every problem.

Entry points: :func:`read_corpus` (everything, sorted by id) and :func:`iter_documents`
(streaming, for corpora that do not fit in memory). Formats: folders of ``.txt``, ``.html``
and ``.warc[.gz]`` files (with an optional ``manifest.csv``), JSONL, CSV/TSV. See docs/read.md.
"""

from __future__ import annotations

from .corpus import Corpus, iter_documents, iter_items, read_corpus
from .dates import normalize_date
from .decode import decode
from .options import DEFAULT_EXCLUDE, DEFAULT_MAX_MB, Ignored, ReadOptions
from .record import parse_columns

__all__ = [
    "DEFAULT_EXCLUDE",
    "DEFAULT_MAX_MB",
    "Corpus",
    "Ignored",
    "ReadOptions",
    "decode",
    "iter_documents",
    "iter_items",
    "normalize_date",
    "parse_columns",
    "read_corpus",
]
