"""Follow one quotation across the corpus: group its occurrences and name how each changed.

Occurrences are linked when they are the same words (folded), when one lies inside the other
(a trimmed fragment: "safer regions" out of a long source quotation), or when word alignment
or character TF-IDF says they are the same quotation re-punctuated or reworded. Candidate
pairs come from an inverted index over each quotation's rarest words, never from all pairs.
Short quotations (``params.quote_short_words`` words or fewer) are easy to match by chance,
so they join only by exact match or containment, and only when the words around them say
the same thing (``params.quote_context_words`` content words shared nearby).

Each family's origin is its earliest occurrence (by date, then document id, then the fullest
occurrence in that document); every other
occurrence gets a change against it: ``verbatim``, ``trimmed``, ``extended``, ``reworded``
(with word-level edits), or ``reattributed`` when the speaker or the medium differs (which
wins over the others in ``change``; ``changes`` names them all, e.g. ``("trimmed",
"reattributed")``, and the edits still show any trimming).
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import operator
import pickle
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from typing import IO

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from ..engine.local import cycle_collector_paused
from ..lsh import sorted_unique
from ..model import Document, Edit, Quote, QuoteChange, QuoteFamily
from ..normalize import fold, tokenize
from ..params import Params
from .surroundings import (
    PRONOUN_SPEAKERS,
    STOPWORDS,
    DocumentQuotes,
    IdfTable,
    WordFrequencies,
    document_quotes,
    token_hashes,
    word_hash,
)

_SPEAKER_NOISE = frozenset(
    ["the", "a", "an", "president", "sen", "senator", "rep", "gov", "governor", "mr", "mrs", "ms", "dr", "gen", "col", "lt", "lieut", "retired", "former", "secretary", "chairman", "prof", "professor"]
)
# Caches of surroundings are cleared when this full: they are pure functions of an occurrence.
_CACHE_MAX = 4_096


@dataclass(slots=True)
class _Occurrence:
    index: int
    quote: Quote
    norms: tuple[str, ...]
    source: DocumentQuotes | None
    """What was taken from the quote's document; None when the document was not given."""
    position: int
    """The quote's position in ``source.quotes``."""
    document: int = 0
    """The quote's document, numbered in order of document id."""


def _indexed(word: str) -> bool:
    """Whether :class:`_ContentWords` counts ``word``: a content word of more than one character."""
    return word not in STOPWORDS and len(word) > 1


class _ContentWords:
    """The content words of the longer quotations (more than ``quote_short_words`` words,
    with a content word): one sorted row of word ids per quotation, in ``longer``'s order.

    Word ids follow the words' string order, so a row lists its words as ``sorted`` would.
    Worked out once per grouping, as arrays: sets of words for millions of quotations would
    cost more than the quotations.
    """

    def __init__(self, occurrences: Sequence[_Occurrence], short_words: int) -> None:
        candidates = [o for o in occurrences if len(o.norms) > short_words]
        distinct: set[str] = set()
        for o in candidates:
            distinct.update(o.norms)
        words = sorted(filter(_indexed, distinct))
        self.vocab = {w: k for k, w in enumerate(words)}
        lengths = np.fromiter(map(len, (o.norms for o in candidates)), dtype=np.int64, count=len(candidates))
        flat = itertools.chain.from_iterable(o.norms for o in candidates)
        ids = np.fromiter(map(self.vocab.get, flat, itertools.repeat(-1)), dtype=np.int64, count=int(lengths.sum()))
        owner = np.repeat(np.arange(len(candidates), dtype=np.int64), lengths)
        content = ids >= 0
        codes = sorted_unique(owner[content] * max(1, len(words)) + ids[content], overwrite=True)
        rows, self.ids = np.divmod(codes, max(1, len(words)))
        held = np.bincount(rows, minlength=len(candidates))
        self.longer = [o for o, n in zip(candidates, held.tolist(), strict=True) if n]
        self.sizes = held[held > 0]
        self.indptr = np.concatenate(([0], np.cumsum(self.sizes))).astype(np.int64)
        self.df = np.bincount(self.ids, minlength=len(words))
        self.by_word = np.argsort(self.ids, kind="stable")
        """Entries (places in ``ids``) by word, then by quotation."""
        self._by_word_rows = np.repeat(np.arange(len(self.longer), dtype=np.int64), self.sizes)[self.by_word]
        self._by_word_at = np.concatenate(([0], np.cumsum(self.df))).astype(np.int64)

    def count(self, word: str) -> int:
        """Number of longer quotations holding ``word`` (0 for a word none holds)."""
        k = self.vocab.get(word)
        return 0 if k is None else int(self.df[k])

    def holding(self, word: str) -> list[_Occurrence]:
        """The longer quotations holding ``word``, in order."""
        k = self.vocab[word]
        rows = self._by_word_rows[self._by_word_at[k] : self._by_word_at[k + 1]]
        return [self.longer[r] for r in rows.tolist()]


class _Links:
    """Union-find over quote indexes."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def group_families(
    quotes: Sequence[Quote], documents: Sequence[Document], params: Params | None = None
) -> tuple[list[Quote], list[QuoteFamily]]:
    """Group occurrences of the same quotation across documents into families.

    Returns the quotes (sorted by doc, start, end) with ``family``, ``change``, ``changes`` and ``edits``
    set for members of a family that spans two or more documents, and the families sorted by
    id. Quotes that belong to no family come back unchanged. Every document is read once
    (for the words around its quotes and the corpus's word frequencies) and not kept.
    """
    params = params or Params()
    by_doc: dict[str, list[Quote]] = defaultdict(list)
    for q in quotes:
        by_doc[q.doc].append(q)
    frequencies = WordFrequencies()
    entries: list[tuple[Quote, DocumentQuotes | None, int]] = []
    for doc in {d.id: d for d in documents}.values():
        found = sorted(by_doc.pop(doc.id, ()), key=lambda q: (q.start, q.end))
        taken = document_quotes(doc, found, params.quote_context_width)
        frequencies.add(taken.words)
        entries.extend((q, taken, k) for k, q in enumerate(taken.quotes))
    entries.extend((q, None, -1) for missing in by_doc.values() for q in missing)
    return _group(entries, frequencies, params)


def group_document_quotes(
    documents: Iterable[DocumentQuotes], params: Params | None = None
) -> tuple[list[Quote], list[QuoteFamily]]:
    """Group the quotes of every document (each :class:`DocumentQuotes` from
    :func:`reprints.quotes.extract_document_quotes`) into families across the corpus.

    Same result as :func:`group_families` on the documents and their extracted quotes;
    needs no document text. Give every document of the corpus, quotes or none: each counts
    in the word frequencies that weigh the surroundings of short quotations.
    """
    collector = QuoteCollector(params)
    for source in documents:
        collector.add(source)
    return collector.families()


class QuoteCollector:
    """The quotes of a corpus's documents, gathered as they are read, then grouped into families.

    :meth:`add` counts each document's words and keeps only its quotes and what grouping
    them needs; :meth:`families` groups them (as :func:`group_document_quotes`, which uses
    this). With ``spill_after``, kept records go to a temporary file whenever that many
    quotations are held, and come back only for the grouping: a long scan that reads
    quotes in its first pass does not hold them through the stages in between.
    """

    def __init__(self, params: Params | None = None, spill_after: int | None = None) -> None:
        self.params = params or Params()
        self.spill_after = spill_after
        self.frequencies = WordFrequencies()
        self._kept: list[DocumentQuotes] = []
        self._held = 0
        self._spilled: IO[bytes] | None = None
        self._shared = _SharedWords()

    def add(self, source: DocumentQuotes) -> None:
        """Count one document's words and keep its quotes (give every document, quotes or none)."""
        self.frequencies.add(source.words)
        if not source.quotes:
            return  # the document's words are counted; only its quotes' are kept
        # a fresh empty array: a slice (``words[:0]``) would keep the whole buffer alive
        kept = replace(source, words=_NO_WORDS)
        if self.spill_after is None:
            kept = replace(kept, norms=tuple(map(self._shared, source.norms)))
        self._kept.append(kept)
        self._held += len(source.quotes)
        if self.spill_after is not None and self._held >= self.spill_after:
            self._spill()

    def _spill(self) -> None:
        if self._spilled is None:
            self._spilled = tempfile.TemporaryFile(prefix="reprints-quotes-")  # noqa: SIM115 - open until the grouping
        pickle.dump([_pack(source) for source in self._kept], self._spilled, protocol=pickle.HIGHEST_PROTOCOL)
        self._kept, self._held = [], 0

    def _records(self) -> list[DocumentQuotes]:
        kept = self._kept
        if self.spill_after is not None:
            batches = []
            if self._spilled is not None:
                self._spilled.seek(0)
                while True:
                    try:
                        batches.append(pickle.load(self._spilled))
                    except EOFError:
                        break
                self._spilled.close()
                self._spilled = None
            kept = [_unpack(packed, self._shared) for batch in batches for packed in batch] + [
                replace(source, norms=tuple(map(self._shared, source.norms))) for source in kept
            ]
        self._kept, self._held = [], 0
        return kept

    def families(self) -> tuple[list[Quote], list[QuoteFamily]]:
        """Group every quote added so far into families (once: the collector is emptied).

        Python's cycle collector is paused meanwhile: the grouping makes millions of
        long-lived tuples and no cycles, and each collection would walk them all again
        (a third of the time spent loading the records of 30,000 articles).
        """
        with cycle_collector_paused():
            entries: list[tuple[Quote, DocumentQuotes | None, int]] = []
            for source in sorted(self._records(), key=lambda d: d.doc):
                entries.extend((q, source, k) for k, q in enumerate(source.quotes))
            return _group(entries, self.frequencies, self.params, self._shared)


_NO_WORDS = np.zeros(0, dtype=np.uint64)


_WORD_JOIN = "\x00"
"""Joins a record's distinct quote words in a spill file (no folded word holds it)."""
_QUOTE_VALUES = operator.attrgetter(*(f.name for f in fields(Quote)))
_Packed = tuple[DocumentQuotes, list[tuple[object, ...]], str, bytes, list[int]]


def _pack(source: DocumentQuotes) -> _Packed:
    """``source`` without its document's words; its quotes as tuples of their fields; the
    distinct words of its quotes as one string, each quote word as its place among them,
    and each quote's number of words. A temporary file takes these faster than a string
    per word and a dataclass per quote (whose unpickling looks its fields up each time),
    and only distinct words are shared again. Words are joined by NUL, which no word holds
    (a folded word can hold a space: NFKC spells out the ligature U+FDFA in four words)."""
    places: dict[str, int] = {}
    at = array("I", [places.setdefault(w, len(places)) for w in itertools.chain.from_iterable(source.norms)])
    quotes = [_QUOTE_VALUES(q) for q in source.quotes]
    lengths = [len(n) for n in source.norms]
    return replace(source, words=_NO_WORDS, norms=(), quotes=()), quotes, _WORD_JOIN.join(places), at.tobytes(), lengths


def _unpack(packed: _Packed, shared: _SharedWords) -> DocumentQuotes:
    """The record :func:`_pack` packed, its words shared with the others'."""
    source, quotes, distinct, at, lengths = packed
    words = distinct.split(_WORD_JOIN) if distinct else []
    words = list(map(shared.words.setdefault, words, words))
    flat = list(map(words.__getitem__, array("I", at)))
    ends = itertools.accumulate(lengths)
    norms = tuple(shared.phrase(tuple(flat[end - n : end])) for n, end in zip(lengths, ends, strict=True))
    return replace(source, quotes=tuple(Quote(*values) for values in quotes), norms=norms)  # type: ignore[arg-type]


class _SharedWords:
    """One tuple per distinct quotation (its words) and one string per distinct word.

    Twins and repeated words are held once, whatever the number of occurrences.
    """

    def __init__(self) -> None:
        self.words: dict[str, str] = {}
        self.phrases: dict[tuple[str, ...], tuple[str, ...]] = {}

    def __call__(self, norms: tuple[str, ...]) -> tuple[str, ...]:
        found = self.phrases.get(norms)
        if found is None:
            found = tuple(map(self.words.setdefault, norms, norms))
            self.phrases[found] = found
        return found

    def phrase(self, norms: tuple[str, ...]) -> tuple[str, ...]:
        """The shared tuple of ``norms``, whose words are shared already."""
        return self.phrases.setdefault(norms, norms)

    def forget(self) -> None:
        """Drop the lookup tables (what was shared stays shared)."""
        self.words.clear()
        self.phrases.clear()


def _group(
    entries: list[tuple[Quote, DocumentQuotes | None, int]],
    frequencies: WordFrequencies,
    params: Params,
    shared: _SharedWords | None = None,
) -> tuple[list[Quote], list[QuoteFamily]]:
    """Group ``entries`` (emptied on the way: each quotation is then held once).

    ``shared`` is given with records whose words it has shared already (every entry with
    its source); without it, each quotation's words are shared here.
    """
    entries.sort(key=lambda e: (e[0].doc, e[0].start, e[0].end))
    occurrences = []
    numbers: dict[str, int] = {}
    if shared is None:
        shared = _SharedWords()
        for index, (q, source, k) in enumerate(entries):
            norms = source.norms[k] if source is not None else tokenize(q.text).norms
            if norms:
                number = numbers.setdefault(q.doc, len(numbers))
                occurrences.append(_Occurrence(index, q, shared(norms), source, k, number))
    else:  # the collector's records: every source given, its words shared already
        for index, (q, source, k) in enumerate(entries):
            assert source is not None
            if source.norms[k]:
                number = numbers.setdefault(q.doc, len(numbers))
                occurrences.append(_Occurrence(index, q, source.norms[k], source, k, number))
    del numbers
    shared.forget()
    sources = {source.doc: source for _, source, _ in entries if source is not None}
    result = [q for q, _, _ in entries]
    entries.clear()
    links = _Links(len(result))
    context = _Surroundings(frequencies, params)
    content = _ContentWords(occurrences, params.quote_short_words)
    twinned = _link_exact(occurrences, links, context, content, params)
    _link_similar(content, links, twinned, context, params)
    del content

    members: dict[int, list[_Occurrence]] = defaultdict(list)
    for o in occurrences:
        members[links.find(o.index)].append(o)
    families: list[QuoteFamily] = []
    for group in members.values():
        if len(group) < 2 or len({o.document for o in group}) < 2:
            continue
        group.sort(key=_age)
        origin = group[0]
        family_id = "qf-" + hashlib.sha1(
            f"{origin.quote.doc}\t{origin.quote.start}\t{origin.quote.end}".encode()
        ).hexdigest()[:12]
        family_quotes = []
        origin_words = _Words(origin)
        for o in group:
            if o is origin:
                changed = replace(
                    o.quote, family=family_id, change="original", changes=("original",), edits=()
                )
            else:
                change, changes, edits = _change(origin_words, _Words(o))
                changed = replace(o.quote, family=family_id, change=change, changes=changes, edits=edits)
            result[o.index] = changed
            family_quotes.append(changed)
        outlets = sorted(
            {sources[q.doc].outlet or q.doc for q in family_quotes if q.doc in sources}
            or {q.doc for q in family_quotes}
        )
        families.append(QuoteFamily(family_id, tuple(family_quotes), tuple(outlets), origin=0))
    families.sort(key=lambda f: f.id)
    return result, families


@dataclass
class _Words:
    """An occurrence with its words' offsets, for edit scripts (family members only)."""

    occurrence: _Occurrence

    def __post_init__(self) -> None:
        quote = self.occurrence.quote
        tokens = tokenize(quote.text)
        self.norms = self.occurrence.norms
        self.starts = tokens.starts + quote.start
        self.ends = tokens.ends + quote.start
        self.quote = quote
        self.pronoun = (
            self.occurrence.source is not None and self.occurrence.source.pronoun[self.occurrence.position]
        )


def _age(o: _Occurrence) -> tuple[str, str, int, int, int]:
    """Sort key putting the origin first: earliest date, then document id; within the first
    document, its fullest occurrence (a fragment quoted again in the same article is not the
    original)."""
    quote = o.quote
    date = o.source.date if o.source is not None and o.source.date else "9999"
    return (date, quote.doc, -len(o.norms), quote.start, quote.end)


class _Surroundings:
    """Content words around each quotation, to tell one short quotation from a chance twin.

    Words are the 64-bit hashes :func:`~reprints.quotes.surroundings.document_quotes` took;
    their IDF is log(N / df) over the N documents counted in ``frequencies``. Pairs are
    judged many at a time (:meth:`agree`): the surroundings of each occurrence become one
    sorted row of hashes, and a merge of two rows sums the IDF of the words they share.
    """

    def __init__(self, frequencies: WordFrequencies, params: Params) -> None:
        self.frequencies = frequencies
        self.params = params
        self.idf: IdfTable | None = None
        self.mine: dict[int, list[int]] = {}
        self.theirs: dict[tuple[int, bool], list[int]] = {}

    def _mine(self, short: _Occurrence) -> list[int]:
        """The content words around ``short`` but not in it, sorted."""
        found = self.mine.get(short.index)
        if found is None:
            assert short.source is not None
            near = set(short.source.surroundings(short.position).tolist())
            near.difference_update(map(word_hash, short.norms))
            found = sorted(near)
            if len(self.mine) >= _CACHE_MAX:
                self.mine.clear()
            self.mine[short.index] = found
        return found

    def _theirs(self, o: _Occurrence, inside: bool) -> list[int]:
        """The content words around ``o`` (and inside it when ``inside``), sorted."""
        found = self.theirs.get((o.index, inside))
        if found is None:
            assert o.source is not None
            near = set(o.source.surroundings(o.position).tolist())
            if inside:
                held = o.source.inside[o.position]
                near.update((held if held is not None else token_hashes(o.norms)).tolist())
            near.discard(0)
            found = sorted(near)
            if len(self.theirs) >= _CACHE_MAX:
                self.theirs.clear()
            self.theirs[(o.index, inside)] = found
        return found

    def row(self, o: _Occurrence, *, short: bool, inside: bool = False) -> list[int]:
        """The sorted surroundings of ``o`` as the short side of a pair (its own words left
        out) or as the other side (its own words in when ``inside``)."""
        return self._mine(o) if short else self._theirs(o, inside)

    def agree_rows(
        self,
        mine: list[list[int]],
        lengths: np.ndarray,
        theirs: list[list[int]],
        pair_mine: np.ndarray,
        pair_theirs: np.ndarray,
    ) -> np.ndarray:
        """Whether the surroundings of each pair (short quotation, other occurrence) say the same thing.

        Pair ``t`` sets the short quotation's row ``mine[pair_mine[t]]`` (:meth:`row` with
        ``short``; ``lengths`` are these quotations' numbers of words) against the other's
        ``theirs[pair_theirs[t]]``. It agrees when the IDF of the content words both
        surroundings share sums to ``quote_context_score`` divided by the short one's length,
        and to ``quote_context_share`` of the IDF of all the short one's surrounding words.
        Sums run in ascending hash order: the same figures in every run.
        """
        if self.idf is None:
            self.idf = self.frequencies.idf()
        mine_at, mine_flat = _rows(mine)
        their_at, their_flat = _rows(theirs)
        weights = self.idf.of(mine_flat)
        total, whole = _shared_weights(mine_at, mine_flat, weights, their_at, their_flat, pair_mine, pair_theirs)
        whole = whole[pair_mine]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(whole != 0, total / np.where(whole != 0, whole, 1.0), 0.0)
        # the more words quoted alike, the less a coincidence: the bar falls with length
        return (total >= self.params.quote_context_score / lengths[pair_mine]) & (
            share >= self.params.quote_context_share
        )

    def agree(self, pairs: Sequence[tuple[_Occurrence, _Occurrence]]) -> np.ndarray:
        """Whether the surroundings of each pair (short quotation, other occurrence) say the
        same thing (:meth:`agree_rows`). The surroundings of the other include its own words
        when it is the longer one (a fragment's context may be quoted in full elsewhere). A
        pair with an occurrence given without its document agrees: nothing to check."""
        out = np.full(len(pairs), self.params.quote_context_share <= 1.0)
        queue = _PendingPairs(self)
        order: list[int] = []
        for inside in (False, True):
            chosen = [
                t
                for t, (short, other) in enumerate(pairs)
                if short.source is not None and other.source is not None and (len(other.norms) > len(short.norms)) == inside
            ]
            every = np.arange(len(chosen))
            queue.add([pairs[t][0] for t in chosen], [pairs[t][1] for t in chosen], inside, every, every)
            order.extend(chosen)
        out[order] = queue.verdicts()
        return out


class _PendingPairs:
    """Pairs (short quotation, other occurrence) queued to be judged by their surroundings
    at once: each occurrence's surroundings are one row, and pairs index the rows."""

    def __init__(self, context: _Surroundings) -> None:
        self.context = context
        self._clear()

    def _clear(self) -> None:
        self.size = 0
        self._mine: list[list[int]] = []
        self._lengths: list[int] = []
        self._theirs: list[list[int]] = []
        self._mine_of: dict[int, int] = {}
        self._theirs_of: dict[tuple[int, bool], int] = {}
        self.shorts: list[_Occurrence] = []
        self.others: list[_Occurrence] = []
        self._pair_mine: list[np.ndarray] = []
        self._pair_theirs: list[np.ndarray] = []

    def add(
        self, shorts: Sequence[_Occurrence], others: Sequence[_Occurrence], inside: bool, first: np.ndarray, second: np.ndarray
    ) -> None:
        """Queue the pairs (``shorts[first[t]]``, ``others[second[t]]``), every occurrence
        with its document; ``inside``: the others' own words count in their surroundings."""
        if not first.size:
            return
        mine = np.zeros(len(shorts), dtype=np.int64)
        for k in sorted_unique(first).tolist():
            o = shorts[k]
            row = self._mine_of.get(o.index)
            if row is None:
                row = self._mine_of[o.index] = len(self._mine)
                self._mine.append(self.context.row(o, short=True))
                self._lengths.append(len(o.norms))
                self.shorts.append(o)
            mine[k] = row
        theirs = np.zeros(len(others), dtype=np.int64)
        for k in sorted_unique(second).tolist():
            o = others[k]
            row = self._theirs_of.get((o.index, inside))
            if row is None:
                row = self._theirs_of[(o.index, inside)] = len(self._theirs)
                self._theirs.append(self.context.row(o, short=False, inside=inside))
                self.others.append(o)
            theirs[k] = row
        self._pair_mine.append(mine[first])
        self._pair_theirs.append(theirs[second])
        self.size += first.size

    def verdicts(self) -> np.ndarray:
        """Whether each queued pair agrees, in the order queued; empties the queue."""
        return self._judge()[0]

    def agreed(self) -> list[tuple[_Occurrence, _Occurrence]]:
        """The queued pairs that agree; empties the queue."""
        ok, pair_mine, pair_theirs, shorts, others = self._judge()
        return [(shorts[m], others[t]) for m, t in zip(pair_mine[ok].tolist(), pair_theirs[ok].tolist(), strict=True)]

    def _judge(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[_Occurrence], list[_Occurrence]]:
        if not self.size:
            none = np.zeros(0, dtype=np.int64)
            return none.astype(bool), none, none, [], []
        pair_mine = np.concatenate(self._pair_mine)
        pair_theirs = np.concatenate(self._pair_theirs)
        lengths = np.asarray(self._lengths, dtype=np.int64)
        ok = self.context.agree_rows(self._mine, lengths, self._theirs, pair_mine, pair_theirs)
        shorts, others = self.shorts, self.others
        self._clear()
        return ok, pair_mine, pair_theirs, shorts, others


def _rows(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Row offsets and the concatenated values (uint64) of ``rows``."""
    at = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=at[1:])
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.uint64, count=int(at[-1]))
    return at, flat


def _shared_weights_py(mine_at, mine_keys, mine_weights, their_at, their_keys, pair_mine, pair_theirs):
    """IDF sum of the hashes each pair's rows share, and each mine row's whole IDF sum.

    Rows are sorted; sums run in ascending hash order, one addition at a time (as Python's
    ``sum``), so the numba kernel and this function give the same bits.
    """
    whole = np.zeros(len(mine_at) - 1)
    for r in range(len(mine_at) - 1):
        s = 0.0
        for i in range(mine_at[r], mine_at[r + 1]):
            s += mine_weights[i]
        whole[r] = s
    total = np.zeros(len(pair_mine))
    for p in range(len(pair_mine)):
        i, i_end = mine_at[pair_mine[p]], mine_at[pair_mine[p] + 1]
        j, j_end = their_at[pair_theirs[p]], their_at[pair_theirs[p] + 1]
        s = 0.0
        while i < i_end and j < j_end:
            x = mine_keys[i]
            y = their_keys[j]
            if x == y:
                s += mine_weights[i]
                i += 1
                j += 1
            elif x < y:
                i += 1
            else:
                j += 1
        total[p] = s
    return total, whole


def _joined(o: _Occurrence, cache: dict[int, str]) -> str:
    found = cache.get(o.index)
    if found is None:
        found = "\x1f" + "\x1f".join(o.norms) + "\x1f"
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[o.index] = found
    return found


def _link_exact(
    occurrences: list[_Occurrence], links: _Links, context: _Surroundings, content: _ContentWords, params: Params
) -> set[int]:
    """Link quotations to their exact twins, and short ones to their tightest container.

    Returns the indexes of quotations that have a twin in another document. A short
    quotation said more than ``quote_max_twins`` times is compared with the
    ``quote_max_twins`` occurrences after it (in document order), not with all of them.
    """
    groups: dict[tuple[str, ...], list[_Occurrence]] = defaultdict(list)
    for o in occurrences:
        groups[o.norms].append(o)
    cap = params.quote_max_postings
    twins = params.quote_max_twins
    joined: dict[int, str] = {}
    twinned: set[int] = set()
    best_host: dict[int, tuple[int, int, _Occurrence]] = {}
    pending = _PendingPairs(context)
    without_source: list[tuple[_Occurrence, _Occurrence]] = []

    def judge(agreed: list[tuple[_Occurrence, _Occurrence]]) -> None:
        # what a pair that agrees does (a join, a better host) does not depend on the order
        # pairs are judged in, so they are judged many at a time
        for a, b in agreed:
            if len(b.norms) == len(a.norms):
                links.join(a.index, b.index)
                twinned.update((a.index, b.index))
                continue
            key = (len(b.norms), b.index)
            if a.index not in best_host or key < best_host[a.index][:2]:
                best_host[a.index] = (*key, b)

    def consider(shorts: list[_Occurrence], others: list[_Occurrence], inside: bool, first: np.ndarray, second: np.ndarray) -> None:
        """Queue the pairs (shorts[first[t]], others[second[t]]) that are from two documents."""
        doc_a = np.fromiter((o.document for o in shorts), dtype=np.int64, count=len(shorts))
        doc_b = np.fromiter((o.document for o in others), dtype=np.int64, count=len(others))
        apart = doc_a[first] != doc_b[second]
        first, second = first[apart], second[apart]
        if any(o.source is None for o in shorts) or any(o.source is None for o in others):
            without_source.extend(zip([shorts[k] for k in first.tolist()], [others[k] for k in second.tolist()], strict=True))
            return
        pending.add(shorts, others, inside, first, second)
        if pending.size >= _JUDGE_BATCH:
            judge(pending.agreed())

    for norms, group in groups.items():
        if len(norms) > params.quote_short_words:
            several = len({o.quote.doc for o in group}) > 1
            for a in group[1:]:
                if several or a.quote.doc != group[0].quote.doc:
                    links.join(group[0].index, a.index)
            if several:
                twinned.update(o.index for o in group)
            continue
        words = set(norms) - STOPWORDS
        if not words:
            continue
        if len(group) > 1:  # each occurrence against the ``twins`` after it
            after = np.minimum(twins, len(group) - 1 - np.arange(len(group)))
            first = np.repeat(np.arange(len(group)), after)
            second = first + 1 + np.arange(first.size) - np.repeat(np.cumsum(after) - after, after)
            consider(group, group, False, first, second)
        # the rarest of the words the index counts: a one-character word ("5", "B") is in no
        # row, and its count of 0 would hide every container
        indexed = [w for w in words if _indexed(w)]
        if len(norms) < 2 or not indexed:
            continue  # a one-word quotation, or one of one-character words, joins only its exact twins
        rare = min(indexed, key=lambda w: (content.count(w), w))
        held = content.count(rare)
        if not held or held > cap:
            continue  # in no longer quotation, or in more than ``cap``
        containers = content.holding(rare)
        needle = "\x1f" + "\x1f".join(norms) + "\x1f"
        hosts = [c for c in containers if needle in _joined(c, joined)]
        if hosts:
            first = np.repeat(np.arange(len(group)), len(hosts))
            second = np.tile(np.arange(len(hosts)), len(group))
            consider(group, hosts, True, first, second)
    judge(pending.agreed())
    agreed = context.agree(without_source)
    judge([pair for pair, ok in zip(without_source, agreed.tolist(), strict=True) if ok])
    # A fragment with a twin elsewhere belongs with the twin, not with every longer
    # quotation that happens to contain its words.
    for a_index, (_, _, host) in best_host.items():
        if a_index not in twinned:
            links.join(a_index, host.index)
    return twinned


def _link_similar(
    content: _ContentWords,
    links: _Links,
    twinned: set[int],
    context: _Surroundings,
    params: Params,
) -> None:
    """Link longer quotations that share rare words and align, or read alike by characters."""
    longer = content.longer
    candidates = _candidate_pairs(content, params)
    if not candidates:
        return
    # Character TF-IDF only matters for quotations of comparable length (a rewording); a
    # fragment of a much longer quotation is judged by word containment alone.
    comparable = [
        min(len(longer[k].norms), len(longer[m].norms)) >= 0.5 * max(len(longer[k].norms), len(longer[m].norms))
        for k, m in candidates
    ]
    cosines = np.zeros(len(candidates))
    involved = sorted({k for (pair, c) in zip(candidates, comparable, strict=True) if c for k in pair})
    if involved:
        row = {k: r for r, k in enumerate(involved)}
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        matrix = chars.fit_transform([" ".join(longer[k].norms) for k in involved])
        chosen = [i for i, c in enumerate(comparable) if c]
        left = matrix[[row[candidates[i][0]] for i in chosen]]
        right = matrix[[row[candidates[i][1]] for i in chosen]]
        cosines[chosen] = np.asarray(left.multiply(right).sum(axis=1)).ravel()
    best_host: dict[int, tuple[int, int, int]] = {}
    first = np.fromiter((k for k, _ in candidates), dtype=np.int64, count=len(candidates))
    second = np.fromiter((m for _, m in candidates), dtype=np.int64, count=len(candidates))
    lengths = np.fromiter((len(o.norms) for o in longer), dtype=np.int64, count=len(longer))
    # the shorter of each pair (the first when they are as long) and its content words' cover
    shorter = np.where(lengths[first] <= lengths[second], first, second)
    both = _shared_words(content.indptr, content.ids, first, second)
    content_cover = both / content.sizes[shorter]
    close = (content_cover >= params.quote_containment) | (cosines >= params.quote_similarity)
    kept: list[tuple[_Occurrence, _Occurrence, float]] = []
    for k, m, cosine in zip(first[close].tolist(), second[close].tolist(), cosines[close].tolist(), strict=True):
        a, b = longer[k], longer[m]
        short, long = (a, b) if len(a.norms) <= len(b.norms) else (b, a)
        kept.append((short, long, cosine))
    # "We're going to win this election" is said by many: short ones must agree in surroundings
    judged = [(short, long) for short, long, _ in kept if len(short.norms) <= 2 * params.quote_short_words]
    agreed = iter(context.agree(judged).tolist())
    for short, long, cosine in kept:
        if len(short.norms) <= 2 * params.quote_short_words and not next(agreed):
            continue
        matched = _matched_words(short.norms, long.norms)
        cover = matched / len(short.norms)
        length_ratio = len(short.norms) / len(long.norms)
        if cover >= params.quote_containment and length_ratio < 0.75:
            key = (len(long.norms), long.index)
            if short.index not in best_host or key < best_host[short.index][:2]:
                best_host[short.index] = (*key, long.index)
        elif length_ratio >= 0.5 and (
            (cover >= params.quote_similarity + 0.1 and matched / len(long.norms) >= params.quote_similarity - 0.1)
            or cosine >= params.quote_similarity + 0.1
        ):
            links.join(short.index, long.index)
    for short_index, (_, _, long_index) in best_host.items():
        if short_index not in twinned:
            links.join(short_index, long_index)


def _candidate_pairs(content: _ContentWords, params: Params) -> list[tuple[int, int]]:
    """Pairs (k, m), k < m, of quotations from different documents worth scoring.

    Each quotation looks up its three rarest content words (those in at most
    ``quote_max_postings`` quotations) in a sparse word index; a pair is kept when the two
    share at least two content words and half of the smaller one's. So a quotation meets at
    most 3 x ``quote_max_postings`` others, and the work grows linearly with the number of
    quotations; it is done ``_PAIR_BLOCK`` quotations at a time, keeping only the pairs that
    pass.
    """
    longer = content.longer
    if len(longer) < 2:
        return []
    # columns number the words in order of first use (quotation by quotation, each one's
    # words in string order): ties between equally rare words are broken by column
    first_use = content.by_word[np.cumsum(content.df) - content.df]
    column = np.empty(first_use.size, dtype=np.int64)
    column[np.argsort(first_use)] = np.arange(first_use.size)
    n = len(longer)
    words = sparse.csr_matrix(
        (np.ones(content.ids.size, dtype=np.float32), column[content.ids], content.indptr), shape=(n, first_use.size)
    )
    words.sort_indices()
    df = np.asarray(words.sum(axis=0)).ravel()
    entry_rows = np.repeat(np.arange(n), np.diff(words.indptr))
    entry_cols = words.indices
    usable = df[entry_cols] <= params.quote_max_postings
    entry_rows, entry_cols = entry_rows[usable], entry_cols[usable]
    if not entry_rows.size:
        return []
    # the three rarest usable words of each quotation (ties by column)
    order = np.lexsort((entry_cols, df[entry_cols], entry_rows))
    entry_rows, entry_cols = entry_rows[order], entry_cols[order]
    first = np.searchsorted(entry_rows, entry_rows, side="left")
    rank = np.arange(entry_rows.size) - first
    chosen = rank < 3
    keys = sparse.csr_matrix(
        (np.ones(int(chosen.sum()), dtype=np.float32), (entry_rows[chosen], entry_cols[chosen])), shape=words.shape
    )
    doc_ids = {d: i for i, d in enumerate(sorted({o.quote.doc for o in longer}))}
    doc_of = np.asarray([doc_ids[o.quote.doc] for o in longer], dtype=np.int64)
    by_word = words.T.tocsr()
    kept: list[np.ndarray] = []
    for lo in range(0, n, _PAIR_BLOCK):
        hits = (keys[lo : lo + _PAIR_BLOCK] @ by_word).tocoo()
        a = hits.row.astype(np.int64) + lo  # grouped by a, as _enough_shared likes them
        b = hits.col.astype(np.int64)
        ok = _enough_shared(words.indptr, words.indices, a, b, doc_of, keys.indptr, keys.indices)
        if not ok.any():
            continue
        a, b = np.minimum(a[ok], b[ok]), np.maximum(a[ok], b[ok])
        kept.append(sorted_unique(a * n + b, overwrite=True))
    if not kept:
        return []
    codes = sorted_unique(np.concatenate(kept), overwrite=True)
    return [(int(k), int(m)) for k, m in zip((codes // n).tolist(), (codes % n).tolist(), strict=True)]


_PAIR_BLOCK = 4_000
_JUDGE_BATCH = 50_000
"""Pairs of occurrences whose surroundings are judged at once."""


def _shared_words_numpy(indptr: np.ndarray, indices: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Number of columns rows ``a[t]`` and ``b[t]`` of a binary CSR matrix share."""
    shape = (indptr.size - 1, int(indices.max()) + 1 if indices.size else 1)
    matrix = sparse.csr_matrix((np.ones(indices.size, dtype=np.float32), indices, indptr), shape=shape)
    return np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()


def _enough_shared_numpy(
    indptr: np.ndarray,
    indices: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    doc_of: np.ndarray,
    key_indptr: np.ndarray,
    key_indices: np.ndarray,
) -> np.ndarray:
    """Which pairs of rows ``a[t]``, ``b[t]`` of a binary CSR matrix (a quotation's content
    words) are from different documents and share two words and half the smaller row's.

    (The numba kernel also takes each row's key words, ``key_indptr``/``key_indices``, to
    skip a pair it will meet again the other way round; this path judges every pair.)
    """
    ok = (a != b) & (doc_of[a] != doc_of[b])
    if ok.any():
        sizes = np.diff(indptr)
        shared = _shared_words_numpy(indptr, indices, a[ok], b[ok])
        ok[ok] = shared >= np.maximum(2, 0.5 * np.minimum(sizes[a[ok]], sizes[b[ok]]))
    return ok


def _enough_shared_py(indptr, indices, a, b, doc_of, key_indptr, key_indices):
    """:func:`_enough_shared_numpy`, one pair at a time (the numba kernel's source), for the
    pairs a sparse product of key words (rows ``key_indptr``/``key_indices``) found.

    Pairs come grouped by ``a`` (rows of a sparse product): row a's columns are marked once,
    then each b's columns looked up, stopping as soon as the answer is known. A pair with
    b < a whose row a holds one of b's key words is left False: b's own key words find the
    same pair the other way round (b, a), and judge it the same (the test is symmetric).
    """
    out = np.zeros(a.size, dtype=np.bool_)
    width = indices.max() + 1 if indices.size else 1
    marked = np.zeros(width, dtype=np.bool_)
    current = -1
    for t in range(a.size):
        x = a[t]
        y = b[t]
        if x == y or doc_of[x] == doc_of[y]:
            continue
        if x != current:
            if current >= 0:
                for i in range(indptr[current], indptr[current + 1]):
                    marked[indices[i]] = False
            current = x
            for i in range(indptr[current], indptr[current + 1]):
                marked[indices[i]] = True
        if y < x:
            mutual = False
            for i in range(key_indptr[y], key_indptr[y + 1]):
                if marked[key_indices[i]]:
                    mutual = True
                    break
            if mutual:
                continue
        left = indptr[y + 1] - indptr[y]
        need = max(2.0, 0.5 * min(indptr[x + 1] - indptr[x], left))
        count = 0
        for j in range(indptr[y], indptr[y + 1]):
            left -= 1
            if marked[indices[j]]:
                count += 1
                if count >= need:
                    out[t] = True
                    break
            elif count + left < need:
                break
    return out


try:  # numba counts shared words with a mark per column; without it, sparse products do
    import numba

    @numba.njit(cache=True, nogil=True)
    def _shared_words(indptr, indices, a, b):  # pragma: no cover
        # Pairs come grouped by ``a`` (rows of a sparse product): mark row a's columns once,
        # then look up each b's columns; no branchy merge of two sorted rows per pair.
        out = np.zeros(a.size, dtype=np.float64)
        width = indices.max() + 1 if indices.size else 1
        marked = np.zeros(width, dtype=np.bool_)
        current = -1
        for t in range(a.size):
            if a[t] != current:
                if current >= 0:
                    for i in range(indptr[current], indptr[current + 1]):
                        marked[indices[i]] = False
                current = a[t]
                for i in range(indptr[current], indptr[current + 1]):
                    marked[indices[i]] = True
            count = 0
            for j in range(indptr[b[t]], indptr[b[t] + 1]):
                if marked[indices[j]]:
                    count += 1
            out[t] = count
        return out

    _shared_weights = numba.njit(cache=True, nogil=True)(_shared_weights_py)
    _enough_shared = numba.njit(cache=True, nogil=True)(_enough_shared_py)

except ImportError:  # pragma: no cover - exercised only without numba
    _shared_words = _shared_words_numpy  # type: ignore[assignment]
    _enough_shared = _enough_shared_numpy  # type: ignore[assignment]

    def _shared_weights(*arrays: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[misc]
        return _shared_weights_py(*(a.tolist() for a in arrays))  # Python lists beat numpy scalars


def _matched_words(a: Sequence[str], b: Sequence[str]) -> int:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def _change(origin: _Words, other: _Words) -> tuple[QuoteChange, tuple[QuoteChange, ...], tuple[Edit, ...]]:
    """Name how ``other`` differs from the family's ``origin``: the change that wins, every
    change (words, then speaker: ``("trimmed", "reattributed")``), and word-level edits."""
    edits = _edits(origin, other)
    if other.norms == origin.norms:
        words: QuoteChange = "verbatim"
    elif len(other.norms) < len(origin.norms) and _matched_words(other.norms, origin.norms) >= 0.9 * len(other.norms):
        words = "trimmed"
    elif len(other.norms) > len(origin.norms) and _matched_words(origin.norms, other.norms) >= 0.9 * len(origin.norms):
        words = "extended"
    else:
        words = "reworded"
    if _different_speaker(origin, other):
        changes: tuple[QuoteChange, ...] = ("reattributed",) if words == "verbatim" else (words, "reattributed")
        return "reattributed", changes, edits
    return words, (words,), edits


def _edits(origin: _Words, other: _Words) -> tuple[Edit, ...]:
    """Word-level edit script from the origin's words (a) to this occurrence's words (b)."""
    matcher = difflib.SequenceMatcher(None, origin.norms, other.norms, autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        a_start = int(origin.starts[i1]) if i1 < i2 else int(origin.ends[i1 - 1]) if i1 > 0 else origin.quote.start
        a_end = int(origin.ends[i2 - 1]) if i1 < i2 else a_start
        b_start = int(other.starts[j1]) if j1 < j2 else int(other.ends[j1 - 1]) if j1 > 0 else other.quote.start
        b_end = int(other.ends[j2 - 1]) if j1 < j2 else b_start
        kind = {"equal": "keep", "replace": "change", "delete": "drop", "insert": "add"}[op]
        out.append(Edit(kind, a_start, a_end, b_start, b_end))  # type: ignore[arg-type]
    return tuple(out)


def speaker_words(name: str | None) -> frozenset[str]:
    """Content words of a speaker or medium name (folded; determiners and titles dropped)."""
    if not name:
        return frozenset()
    words = [w.removesuffix("'s") for w in tokenize(name).norms]
    return frozenset(w for w in words if w not in _SPEAKER_NOISE and w not in STOPWORDS)


def same_speaker(a: str | None, b: str | None) -> bool | None:
    """Whether two speaker names denote the same speaker; None when that cannot be told.

    A proper name ("Karen Kwiatkowski") is only compared with another proper name, and a
    description ("the US-led coalition's press office") with another description: a
    description may well describe the named person.
    """
    if not a or not b or fold(a) in PRONOUN_SPEAKERS or fold(b) in PRONOUN_SPEAKERS:
        return None
    if _is_name(a) != _is_name(b):
        return None
    wa, wb = speaker_words(a), speaker_words(b)
    if not wa or not wb:
        return None
    if wa <= wb or wb <= wa:
        return True
    return len(wa & wb) / len(wa | wb) >= 0.5


def _is_name(speaker: str) -> bool:
    last = speaker.split()[-1] if speaker.split() else ""
    return last[:1].isupper()


def _different_speaker(a: _Words, b: _Words) -> bool:
    """True when both speakers (or both media) are known and differ.

    A speaker known only through a pronoun ("he said") is not compared: resolving "he" is
    a guess, and a wrong guess would report a re-attribution that did not happen.
    """
    speakers = [None if w.pronoun else w.quote.speaker for w in (a, b)]
    return same_speaker(*speakers) is False or same_speaker(a.quote.medium, b.quote.medium) is False
