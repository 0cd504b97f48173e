"""Plain frozen records that cross stage boundaries.

Every offset in these records is a half-open ``[start, end)`` character offset into the
original decoded text of the document named by ``doc``: ``document.text[start:end]`` is
exactly the characters meant, no-break spaces, curly quotes and homoglyphs included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

MatchKind = Literal["verbatim", "reworded"]
Direction = Literal["a->b", "b->a", "undirected"]
EditOp = Literal["keep", "change", "add", "drop"]
QuoteKind = Literal["attributed", "fragment", "scare"]
QuoteChange = Literal["original", "verbatim", "trimmed", "extended", "reworded", "reattributed"]
WireClass = Literal["wholly-derived", "partially-derived", "non-derived"]


@dataclass(frozen=True, slots=True)
class Document:
    """One article as read: its text exactly as decoded, and what is known about it.

    ``id`` is stable across runs and input order (for a folder, the path relative to the
    folder with ``/`` separators). ``date`` is an ISO 8601 string (``YYYY-MM-DD`` or a full
    timestamp) or None. ``meta`` keeps every other field the source carried.
    """

    id: str
    text: str
    outlet: str | None = None
    date: str | None = None
    title: str | None = None
    url: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    paragraph_mark: str | None = None
    """A separator the source writes between paragraphs (``"###"`` in scrapes flattened to
    one line), left in ``text``: pass it to ``paragraph_spans``/``sentence_spans`` as ``mark``."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the input: which file (and line), and what.

    ``line`` is 1-based, or None when the problem concerns a whole file.
    ``skipped`` says whether a document was lost (True) or only warned about (False).
    ``reason`` is a short stable key for counting problems by kind ("not JSON", "empty",
    "duplicate id", ...; see docs/read.md).
    """

    path: str
    message: str
    line: int | None = None
    skipped: bool = True
    reason: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` of one document's original text."""

    doc: str
    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Edit:
    """One step of a word-level edit script from passage a to passage b.

    ``keep``: the same words in both; ``change``: words of a replaced by words of b;
    ``drop``: words of a missing from b; ``add``: words of b not in a. The offsets are
    character offsets into each document's original text; for ``add`` the a-range is empty
    (``a_start == a_end``) and for ``drop`` the b-range is.
    """

    op: EditOp
    a_start: int
    a_end: int
    b_start: int
    b_end: int


@dataclass(frozen=True, slots=True)
class Match:
    """One aligned passage pair: a passage of ``a.doc`` and the passage of ``b.doc`` it matches.

    ``a.doc < b.doc`` always, so a pair is reported once. ``direction`` says which way the
    text travelled when dates tell ("a->b": a is the source). ``credited`` says whether the
    later article names the earlier one's outlet (None when undirected or unknown).
    ``score`` is in [0, 1]: how sure we are that b reuses a here.
    """

    a: Span
    b: Span
    kind: MatchKind
    score: float
    edits: tuple[Edit, ...] = ()
    direction: Direction = "undirected"
    credited: bool | None = None
    verbatim_words: int = 0
    reworded_words: int = 0


@dataclass(frozen=True, slots=True)
class Quote:
    """One occurrence of a quotation in one document.

    ``start``/``end`` cover the quoted words without the quotation marks.
    ``speaker_start``/``speaker_end`` locate the speaker's mention in the same document
    (None when there is none, or when the speaker was resolved from a pronoun without a
    mention nearby). ``family`` and ``change`` are set when quotes are grouped across the
    corpus; ``change`` compares this occurrence with the family's earliest one.
    ``changes`` names every way it differs (``("trimmed", "reattributed")``), in the order
    ``trimmed``/``extended``/``reworded`` then ``reattributed``; ``change`` is the one that
    wins (``reattributed`` over the others), kept for compatibility.
    """

    doc: str
    start: int
    end: int
    text: str
    kind: QuoteKind
    speaker: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue: str | None = None
    medium: str | None = None
    family: str | None = None
    change: QuoteChange | None = None
    edits: tuple[Edit, ...] = ()
    changes: tuple[QuoteChange, ...] = ()


@dataclass(frozen=True, slots=True)
class QuoteFamily:
    """Occurrences of one quotation across the corpus; ``origin`` indexes the earliest."""

    id: str
    quotes: tuple[Quote, ...]
    outlets: tuple[str, ...]
    origin: int = 0


@dataclass(frozen=True, slots=True)
class Story:
    """Articles connected by reuse; ``origin`` is the earliest dated one (or None)."""

    id: str
    docs: tuple[str, ...]
    origin: str | None
    outlets: tuple[str, ...]
    first_date: str | None = None
    last_date: str | None = None


@dataclass(frozen=True, slots=True)
class Boilerplate:
    """Text repeated across articles (footers, comment policies, stock phrases): not reuse.

    ``reason`` is ``outlet`` (repeated across one outlet's articles), ``corpus`` (a stock
    phrase common across the corpus) or ``page`` (page chrome: a run of short menu-like lines
    in one page). ``count`` is how many documents carry it (1 for page chrome).
    """

    span: Span
    reason: Literal["outlet", "corpus", "page"]
    count: int


@dataclass(frozen=True, slots=True)
class ArticleWireShare:
    """How much of one non-wire article is derived from wire copy (METER's classes)."""

    doc: str
    outlet: str | None
    date: str | None
    words: int
    verbatim_words: int
    reworded_words: int
    wire_class: WireClass
    sources: tuple[str, ...]
    credited: bool

    @property
    def wire_share(self) -> float:
        return (self.verbatim_words + self.reworded_words) / self.words if self.words else 0.0


@dataclass(frozen=True, slots=True)
class DerivedWords:
    """A run of words of ``doc`` taken from ``sources``, articles of one outlet.

    Found word by word (:mod:`reprints.derive`) once alignment has confirmed that ``doc``
    reuses ``sources``: it includes names, figures and phrases lifted into otherwise new
    sentences, and leaves out new clauses inside aligned passages. ``kind`` is ``verbatim``
    (the words are the source's) or ``reworded`` (derived, but reworded). ``outlet`` is the
    sources' outlet (None when unknown).
    """

    doc: str
    start: int
    end: int
    kind: MatchKind
    outlet: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything one run found; the writers in ``store`` and ``export`` persist it.

    ``documents`` are sorted by id and ``matches`` by (a.doc, a.start, b.doc, b.start), so
    the same input gives the same result whatever its order.
    """

    documents: tuple[Document, ...]
    matches: tuple[Match, ...] = ()
    quotes: tuple[Quote, ...] = ()
    quote_families: tuple[QuoteFamily, ...] = ()
    stories: tuple[Story, ...] = ()
    boilerplate: tuple[Boilerplate, ...] = ()
    wire: tuple[ArticleWireShare, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    problems: tuple[Problem, ...] = ()
    derived: tuple[DerivedWords, ...] = ()
    """Word-level derivation layer, sorted by (doc, start, outlet); see :class:`DerivedWords`."""
    words: tuple[int, ...] = field(default=(), compare=False)
    """Each document's number of words, in ``documents`` order, when the run counted them
    (a scan does, in its reading pass); empty otherwise, and the writers count them. A count
    of the texts, so two results with the same documents are equal whether or not they
    carry it."""
