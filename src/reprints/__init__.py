"""reprints: find text reuse in news.

Which passages one outlet took from another (verbatim or reworded), which quotes were lifted
and how they changed, and how much wire copy each outlet reprints.

The heavy entry points (``scan``, ``compare``, ``similarity``, ``wire_share``,
``find_quotes``, ``render_report``) import scikit-learn and friends, so they load on first
use: ``import reprints`` and ``reprints --help`` stay fast.
"""

from __future__ import annotations

import sys
import types
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


# Submodules whose name is also a public function: ``reprints.scan`` is the function.
_SHADOWED = frozenset({"scan", "similarity"})


class _Package(types.ModuleType):
    """This package, with the import system kept from binding a submodule over a function."""

    def __setattr__(self, name: str, value: Any) -> None:
        # Importing reprints.scan binds the submodule as attribute "scan" of this package,
        # which would hide the function of the same name; the module stays in sys.modules.
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'reprints' has no attribute {name!r}")
