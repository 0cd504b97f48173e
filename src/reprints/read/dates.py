"""Normalise the dates found in manifests, records and page metadata to ISO 8601 strings."""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache

_ISO_DAY_RE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_ISO_TIME_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?"
)
_COMPACT_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YEAR_MONTH_RE = re.compile(r"\d{4}(?:-(0[1-9]|1[0-2]))?")
# Day and month written out in English, with or without a weekday in front.
_WRITTEN_FORMATS = (
    "%d %B %Y",
    "%d %b %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d %B, %Y",
    "%B %d, %Y",
    "%b %d, %Y",
)
_WEEKDAY_RE = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_ORDINAL_RE = re.compile(r"(\d)(?:st|nd|rd|th)\b")
# AP style abbreviates months with a dot, and September as "Sept.".
_MONTH_DOT_RE = re.compile(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.", re.IGNORECASE)
_SEPT_RE = re.compile(r"\bSept\b", re.IGNORECASE)


def normalize_date(raw: object) -> str | None:
    """Return ``raw`` as an ISO 8601 string, or None when it is not a date this can read.

    Reads ISO dates and timestamps (``2018-07-15``, ``2018-07-15 07:54:28``,
    ``2018-07-15T07:54:28-04:00``, ``Z``), ``2018/07/15``, ``20180715``, ``2018`` and
    ``2018-07`` (kept at that precision), e-mail style dates (``Sun, 15 Jul 2018 07:54:28 GMT``)
    and English written dates (``15 July 2018``, ``July 15th, 2018``, AP's ``Sept. 7, 2017``).
    All-number dates such as
    ``07/08/2018`` are ambiguous (day or month first) and are not read.
    """
    if raw is None:
        return None
    return _normalize(str(raw).strip())


@lru_cache(maxsize=1 << 16)
def _normalize(value: str) -> str | None:
    # Cached: a corpus repeats the same day (and often the same timestamp) many times.
    if not value:
        return None
    if m := _ISO_TIME_RE.fullmatch(value):
        day, clock, zone = m.groups()
        zone = "+00:00" if zone == "Z" else zone or ""
        if zone and ":" not in zone:
            zone = f"{zone[:3]}:{zone[3:] or '00'}"
        try:
            return datetime.fromisoformat(f"{day}T{clock.replace(',', '.')}{zone}").isoformat()
        except ValueError:
            return None
    if m := _ISO_DAY_RE.fullmatch(value) or _COMPACT_RE.fullmatch(value):
        return _day(*(int(g) for g in m.groups()))
    if _YEAR_MONTH_RE.fullmatch(value):
        return value
    return _written(value)


def _day(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _written(value: str) -> str | None:
    try:
        stamp = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        stamp = None
    if stamp is not None:
        return stamp.isoformat()
    text = _ORDINAL_RE.sub(r"\1", _WEEKDAY_RE.sub("", value))
    text = _SEPT_RE.sub("Sep", _MONTH_DOT_RE.sub(r"\1", text))
    text = " ".join(text.split())
    for pattern in _WRITTEN_FORMATS:
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return None
