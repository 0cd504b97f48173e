"""Which way text travelled between two articles, and whether the reuser names its source.

Direction comes from dates: the earlier article is the source; with no dates, or the same
date, the pair is undirected. Credit is a mention of the source outlet in the reusing
article under any of the outlet's aliases (``ALIASES``). Distinctive names ("Sputnik",
"Reuters", "Associated Press") count wherever they appear; short acronyms that are also
ordinary letters ("AP", "PA", "RT") count only in a crediting form: "(AP)", "— AP",
"By AP", "AP reports", "told AP", "according to AP", "AP contributed".
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from functools import lru_cache

from .model import Direction, Document, Match

# Canonical outlet name -> other names it goes by (site domains included). Lookups are
# case-insensitive and ignore a leading "the", "www." and punctuation.
ALIASES: dict[str, tuple[str, ...]] = {
    "Sputnik": ("Sputnik News", "sputniknews.com", "Sputnik International", "Sputnik"),
    "Associated Press": ("Associated Press", "AP", "apnews.com", "AP News"),
    "Reuters": ("Reuters", "reuters.com", "Thomson Reuters"),
    "Agence France-Presse": ("AFP", "Agence France-Presse", "Agence France Presse", "afp.com"),
    "Press Association": ("Press Association", "PA", "PA Media", "PA News"),
    "TASS": ("TASS", "ITAR-TASS", "tass.com", "tass.ru"),
    "RT": ("RT", "Russia Today", "rt.com", "RT News"),
    "RIA Novosti": ("RIA Novosti", "ria.ru"),
    "Xinhua": ("Xinhua", "xinhuanet.com"),
    "Bloomberg": ("Bloomberg", "bloomberg.com"),
    "SANA": ("SANA", "Syrian Arab News Agency", "sana.sy"),
    "Press TV": ("Press TV", "presstv.com", "presstv.ir"),
    "Anadolu Agency": ("Anadolu Agency", "Anadolu", "aa.com.tr"),
    "Deutsche Presse-Agentur": ("dpa", "Deutsche Presse-Agentur"),
    "United Press International": ("UPI", "United Press International", "upi.com"),
    "21st Century Wire": ("21st Century Wire", "21WIRE", "21stcenturywire.com"),
    "The Duran": ("The Duran", "theduran.com"),
    "SouthFront": ("SouthFront", "South Front", "southfront.org"),
    "CNN": ("CNN", "cnn.com"),
    "BBC": ("BBC", "BBC News", "bbc.co.uk", "bbc.com"),
    "The New York Times": ("New York Times", "nytimes.com", "NYT"),
    "The Washington Post": ("Washington Post", "washingtonpost.com"),
    "Fox News": ("Fox News", "foxnews.com"),
}

WIRE_AGENCIES = (
    "Associated Press", "Reuters", "Agence France-Presse", "Press Association", "TASS",
    "Sputnik", "Xinhua", "Bloomberg", "SANA", "RIA Novosti", "Anadolu Agency",
    "Deutsche Presse-Agentur", "United Press International",
)
"""Outlets whose copy is syndicated to others: ``--wire auto`` looks for credits to these."""

_AMBIGUOUS_LEN = 3  # all-capital aliases this short ("AP", "PA", "RT", "AFP") need a credit form


def _key(name: str) -> str:
    name = name.casefold().strip()
    name = re.sub(r"^(https?://)?(www\.)?", "", name)
    name = re.sub(r"^the\s+", "", name)
    return re.sub(r"[^0-9a-z.]+", "", name)


@lru_cache(maxsize=1)
def _alias_index() -> dict[str, str]:
    index = {}
    for canonical, names in ALIASES.items():
        for name in (canonical, *names):
            index[_key(name)] = canonical
    return index


def canonical_outlet(name: str) -> str:
    """Return the canonical name of an outlet ("sputniknews.com" -> "Sputnik"), else ``name``."""
    key = _key(name)
    index = _alias_index()
    if key in index:
        return index[key]
    host = key.split("/")[0]
    if host in index:
        return index[host]
    stem = host.split(".")[0]
    return index.get(stem, name)


def outlet_aliases(name: str) -> tuple[str, ...]:
    """Return the names an outlet is credited by, longest first."""
    canonical = canonical_outlet(name)
    names = {canonical, *ALIASES.get(canonical, ())}
    if canonical == name and canonical not in ALIASES:
        host = re.sub(r"^(https?://)?(www\.)?", "", name.strip()).split("/")[0]
        names.add(host)
        if "." in host:
            names.add(host.split(".")[0])
    return tuple(sorted((n for n in names if len(n) >= 2), key=lambda n: (-len(n), n)))


_CREDIT_FORMS = (
    r"\(\s*{a}\s*\)",
    r"[—–-]\s*{a}\b",
    r"\b(?:by|via|from|told|to|with|according\s+to|contacted\s+by|cited\s+by|citing|source:)\s+(?:the\s+)?{a}\b",
    r"\b{a}(?:'s)?\s+(?:reports?|reported|said|says|quoted|cited|contributed|has\s+reported|news\s+agency|understands|learned)\b",
)


@lru_cache(maxsize=4096)
def _credit_pattern(name: str) -> re.Pattern[str]:
    aliases = outlet_aliases(name)
    distinctive = [a for a in aliases if not (len(a) <= _AMBIGUOUS_LEN and a.isupper())]
    ambiguous = [a for a in aliases if a not in distinctive]
    parts = []
    if distinctive:
        alt = "|".join(re.escape(a) for a in distinctive)
        parts.append(rf"(?i:(?<![\w.])(?:{alt})(?![\w]))")
    if ambiguous:
        alt = "(?:" + "|".join(re.escape(a) for a in ambiguous) + ")"
        parts.extend(
            "(?i:" + form.replace("{a}", "(?-i:" + alt + ")") + ")" for form in _CREDIT_FORMS
        )
    return re.compile("|".join(parts) if parts else r"(?!)")


def credits(text: str, outlet: str | None) -> bool:
    """Return True when ``text`` names ``outlet`` (under any alias) as a source."""
    if not outlet:
        return False
    return _credit_pattern(outlet).search(text) is not None


def credited_outlets(text: str, candidates: tuple[str, ...] = WIRE_AGENCIES) -> list[str]:
    """Return the canonical names of the ``candidates`` that ``text`` credits, sorted."""
    return sorted(c for c in candidates if credits(text, c))


def _when(date: str) -> datetime | None:
    try:
        return datetime.fromisoformat(date.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def direction(doc_a: Document, doc_b: Document) -> Direction:
    """Return ``a->b`` when a is dated earlier, ``b->a`` when b is, else ``undirected``.

    Dates are compared as timestamps when both carry a time (time zones respected), else by
    calendar day; a missing or unreadable date leaves the pair undirected.
    """
    if not doc_a.date or not doc_b.date:
        return "undirected"
    when_a, when_b = _when(doc_a.date), _when(doc_b.date)
    if when_a is None or when_b is None:
        return "undirected"
    both_timed = len(doc_a.date.strip()) > 10 and len(doc_b.date.strip()) > 10
    if both_timed and (when_a.tzinfo is None) == (when_b.tzinfo is None):
        first, second = when_a, when_b
    else:
        first, second = when_a.replace(tzinfo=None).date(), when_b.replace(tzinfo=None).date()  # type: ignore[assignment]
    if first < second:
        return "a->b"
    if second < first:
        return "b->a"
    return "undirected"


def reuse_credited(source: Document, reuser: Document) -> bool | None:
    """Return whether ``reuser`` credits ``source``'s outlet; None when the outlet is unknown.

    An article by the same outlet as its source needs no credit and counts as credited.
    """
    if not source.outlet:
        return None
    if reuser.outlet and canonical_outlet(reuser.outlet) == canonical_outlet(source.outlet):
        return True
    return credits(reuser.text, source.outlet)


def with_direction(match: Match, doc_a: Document, doc_b: Document) -> Match:
    """Return ``match`` (between ``doc_a`` and ``doc_b``) with its direction and credit set."""
    way = direction(doc_a, doc_b)
    if way == "a->b":
        credited = reuse_credited(doc_a, doc_b)
    elif way == "b->a":
        credited = reuse_credited(doc_b, doc_a)
    else:
        credited = None
    return dataclasses.replace(match, direction=way, credited=credited)
