"""Show a scan's results: a self-contained HTML report and a one-pair side-by-side page."""

from __future__ import annotations

from .page import render_pair_page, render_report, write_report

__all__ = ["render_pair_page", "render_report", "write_report"]
