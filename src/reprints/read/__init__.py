"""Read corpora into :class:`~reprints.model.Document` records, reporting every problem.

Entry points: :func:`read_corpus` (everything, sorted by id) and :func:`iter_documents`
(streaming, for corpora that do not fit in memory).
"""

from __future__ import annotations

from .corpus import Corpus, iter_documents, read_corpus

__all__ = ["Corpus", "iter_documents", "read_corpus"]
