"""reprints: find text reuse in news.

Which passages one outlet took from another (verbatim or reworded), which quotes were lifted
and how they changed, and how much wire copy each outlet reprints.
"""

from __future__ import annotations

from .model import Document, Match, Quote, ScanResult, Span
from .params import Params
from .read import read_corpus
from .scan import compare, scan
from .similarity import similarity
from .wire import wire_share

__version__ = "0.1.0"

__all__ = ["Document", "Match", "Params", "Quote", "ScanResult", "Span", "compare", "read_corpus", "scan", "similarity", "wire_share"]
