"""Which way text travelled between two articles, and whether the reuser names its source.

Direction comes from dates: the earlier article is the source; with no dates, or the same
date, the pair is undirected. Credit is the source outlet named in the reusing article, under
any of its aliases (``ALIASES``), in a crediting form (:data:`CREDIT_FORMS`): "(AP) —",
"By Reuters", "told Sputnik", "Sputnik reports", "— Reuters". A bare mention is not a credit,
nor is a photo caption ("(AP Photo/…)") or a copyright line ("Copyright 2018 The Associated
Press"). Short acronyms that are also ordinary letters ("AP", "PA", "RT") must keep their case.
The same forms, restricted to bylines (:data:`BYLINE_FORMS`), tell ``--wire auto`` which
articles are wire copy.
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


# Crediting forms. ``{a}`` stands for the outlet's names. Forms are matched case-insensitively;
# the names too, unless the outlet has a short all-capital alias ("AP", "PA", "RT", "AFP"):
# then all its names keep their case ("Associated Press", not "THE ASSOCIATED PRESS" under a
# photo).
# A line starts or ends at a newline or at a " ### " paragraph mark (asprout's scrapes).
_LS = r"(?:^|(?<=###)|(?<=### ))[ \t]*"
_LE = r"[ \t]*(?:$|(?=###))"
_NAMES = r"(?-i:[A-Z][\w.'-]+(?:(?:,|\s+and)?\s+[A-Z][\w.'-]+){0,7})"  # "Jill Colvin and Ken Thomas"
_DATELINE = r"\(\s*{a}\s*\)"  # "WASHINGTON (AP) —", "(Reuters)"; not "(AP Photo/Evan Vucci)"
_REPORTS = r"\b{a}(?:'s)?\s+(?:reports?|reported|contributed)\b"  # "Sputnik reports"
_SIGN_OFF = r"[—–-]{1,2}[ \t]*(?:the\s+)?{a}[ \t]*\.?" + _LE  # "— Reuters" ending a line
_BY = _LS + r"(?:by|from|via|source:)\s+(?:the\s+)?{a}\b"  # "By Reuters"
_BY_COPYRIGHT = _LS + r"(?:copyright|©)\s+(?:the\s+)?{a}\b"  # "Copyright Reuters"
_LINE = _LS + r"(?:the\s+)?{a}[ \t]*(?:staff|news|wire|reporters?)?[ \t]*[.,]?" + _LE  # a line "AFP"
_COPYRIGHT = _LS + r"©[ \t]*(?:\d{4}\s+)?{a}\b"  # "© 2018 AFP"
# "JILL COLVIN and VLADIMIR ISACHENKOV / AP": names in capitals, as wire bylines are set;
# a photographer's "Evan Vucci/Associated Press" under a picture is not a text credit.
_STAFF_BYLINE = (
    _LS + r"(?-i:[A-Z][A-Z.'-]+(?:(?:,|\s+and)?\s+[A-Z][A-Z.'-]+)*)[ \t]*/[ \t]*{a}" + _LE
)
# "By Geoff Mulvihill, Associated Press", "Jill Colvin and Ken Thomas, The Associated Press •",
# "Geoff Mulvihill | Associated Press", "The Associated Press | Sunday, July 15",
# "Associated Press Published 7:50 a.m.": a byline line naming the agency.
_BYLINE_END = r"[ \t]*(?:[•|]|published\b|updated\b|$|(?=###))"
_NAMED_BYLINE = _LS + r"(?:by\s+)?" + _NAMES + r"\s*[,|]?\s*(?:the\s+)?{a}" + _BYLINE_END
_AGENCY_LINE = (
    _LS + r"(?:the\s+)?{a}[ \t]*(?:[•|—–]|published\b|updated\b|(?:mon|tues|wednes|thurs|fri|satur|sun)day\b)"
)
# Anywhere in the text: "told Sputnik", "according to AFP", "a report by Reuters" (not "Photo by").
_ATTRIBUTED = (
    r"(?<!photo )(?<!photos )(?<!picture )(?<!image )\b(?:by|via|from|told|according\s+to"
    r"|contacted\s+by|cited\s+by|citing|source:|(?:speaking|talking|spoke|said|says)\s+to"
    r"|(?:interview|spoke|speaking|talking)\s+with)\s+(?:the\s+)?{a}\b(?![ \t]*(?:photo|/))"
)
# "This report contains material from Bloomberg News, Reuters and The Associated Press."
_MATERIAL = (
    r"\b(?:material|reporting|information)\s+from\s+(?:[^.\n#]{0,80}?\s)?(?:the\s+)?{a}\b"
    r"(?![ \t]*(?:photo|/))"
)
_SAYS = (
    r"\b{a}(?:'s)?\s+(?:said|says|wrote|quoted|cited|has\s+reported|has\s+learned|learned"
    r"|understands|news\s+agency|report|puts\s+it"
    r"|(?:\w+\s+)?(?:writers?|reporters?|journalists?|correspondents?))\b"  # "AP Business Writer"
)

CREDIT_FORMS = (
    _DATELINE, _REPORTS, _SIGN_OFF, _BY, _LINE, _STAFF_BYLINE, _NAMED_BYLINE, _AGENCY_LINE,
    _ATTRIBUTED, _MATERIAL, _SAYS,
)
"""Forms that credit a source anywhere in an article: "(AP) —", "By Reuters", "told Sputnik",
"Sputnik reports", "— Reuters", a byline line ("By Jill Colvin, Associated Press", a line
reading "AFP"). A bare mention does not credit, nor do photo captions
("(AP Photo/…)", "Evan Vucci/Associated Press") and copyright lines ("Copyright 2018 The
Associated Press")."""

BYLINE_FORMS = (
    _DATELINE, _BY, _BY_COPYRIGHT, _LINE, _SIGN_OFF, _REPORTS, _COPYRIGHT, _STAFF_BYLINE,
)
"""Forms that mark an article as wire copy when they stand in its byline, dateline or
sign-off (``wire --wire auto``): the crediting forms that belong there, a line reading just
"AFP", and "© AFP". Body attributions such as "told Reuters" are not among them."""


@lru_cache(maxsize=4096)
def credit_pattern(name: str, *, byline: bool = False) -> re.Pattern[str]:
    """Return the compiled pattern of the forms crediting outlet ``name`` under any alias.

    ``byline=False`` gives :data:`CREDIT_FORMS` (anywhere in the text); ``byline=True`` gives
    :data:`BYLINE_FORMS`. Domain aliases ("sputniknews.com") count wherever they appear.
    """
    aliases = outlet_aliases(name)
    alt = "(?:" + "|".join(re.escape(a) for a in aliases) + ")" if aliases else "(?!)"
    if any(len(a) <= _AMBIGUOUS_LEN and a.isupper() for a in aliases):
        # "AP" must not match "ap"; the outlet's other names keep their case too.
        alt = f"(?-i:{alt})"
    forms = [f.replace("{a}", alt) for f in (BYLINE_FORMS if byline else CREDIT_FORMS)]
    domains = [a for a in aliases if "." in a]
    if domains and not byline:
        forms.append(r"(?<![\w.])(?:" + "|".join(re.escape(d) for d in domains) + r")\b")
    return re.compile("|".join(f"(?:{f})" for f in forms), re.IGNORECASE | re.MULTILINE)


def credits(text: str, outlet: str | None) -> bool:
    """Return True when ``text`` credits ``outlet`` (under any alias) in a crediting form.

    See :data:`CREDIT_FORMS`: "(AP) —", "By Reuters", "told Sputnik", "Sputnik reports",
    "— Reuters" credit; "(AP Photo/…)", "Copyright 2018 The Associated Press" and a bare
    mention do not.
    """
    if not outlet:
        return False
    # Every crediting form holds one of the outlet's names: a text without any of them (most
    # texts, for most outlets) is settled without running the pattern (≈ 10 ms on 3,000 chars).
    folded = text.translate(_LOOSE_CASE).lower()
    if not any(name in folded for name in _folded_aliases(outlet)):
        return False
    return credit_pattern(outlet).search(text) is not None


# Letters that ``re.IGNORECASE`` matches with ASCII "i", "s", "k" but ``str.lower`` does not
# map to them ("İ".lower() is "i" and a combining dot).
_LOOSE_CASE = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


@lru_cache(maxsize=4096)
def _folded_aliases(name: str) -> tuple[str, ...]:
    return tuple(a.translate(_LOOSE_CASE).lower() for a in outlet_aliases(name))


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
