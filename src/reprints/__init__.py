"""reprints: find text reuse in news.

Which passages one outlet took from another (verbatim or reworded), which quotes were lifted
and how they changed, and how much wire copy each outlet reprints.

The heavy entry points (``scan``, ``compare``, ``similarity``, ``wire_share``,
``find_quotes``, ``render_report``) import scikit-learn and friends, so they load on first
use: ``import reprints`` and ``reprints --help`` stay fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .model import Document, Match, Quote, ScanResult, Span
from .params import Params
from .read import read_corpus

__version__ = "0.1.0"

_LAZY = {
    "scan": "reprints.scan",
    "compare": "reprints.scan",
    "similarity": "reprints.similarity",
    "wire_share": "reprints.wire",
    "find_quotes": "reprints.quotes",
    "render_report": "reprints.report",
    "write_results": "reprints.store",
    "load_results": "reprints.store",
    "Index": "reprints.index",
}

__all__ = [
    "Document",
    "Index",
    "Match",
    "Params",
    "Quote",
    "ScanResult",
    "Span",
    "compare",
    "find_quotes",
    "load_results",
    "read_corpus",
    "render_report",
    "scan",
    "similarity",
    "wire_share",
    "write_results",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'reprints' has no attribute {name!r}")
