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
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from ..model import Document, Edit, Quote, QuoteChange, QuoteFamily
from ..normalize import Tokens, fold, tokenize
from ..params import Params

STOPWORDS = frozenset(
    ["a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by", "from", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "he", "she", "they", "we", "i", "you", "his", "her", "their", "our", "my", "your", "not", "no", "so", "if", "than", "then", "there", "here", "has", "have", "had", "do", "does", "did", "will", "would", "can", "could", "should", "may", "might", "must", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "all", "any", "some", "very", "just", "also", "more", "most", "into", "out", "up", "about", "over", "after", "before", "under", "again", "further", "once", "only", "own", "same", "too", "s", "t"]
)
_PRONOUN_SPEAKERS = frozenset(["he", "she", "they", "i", "we", "it"])
_SPEAKER_NOISE = frozenset(
    ["the", "a", "an", "president", "sen", "senator", "rep", "gov", "governor", "mr", "mrs", "ms", "dr", "gen", "col", "lt", "lieut", "retired", "former", "secretary", "chairman", "prof", "professor"]
)


@dataclass
class _Occurrence:
    index: int
    quote: Quote
    norms: tuple[str, ...]
    starts: np.ndarray
    ends: np.ndarray
    content: frozenset[str]


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
    id. Quotes that belong to no family come back unchanged.
    """
    params = params or Params()
    ordered = sorted(quotes, key=lambda q: (q.doc, q.start, q.end))
    by_id = {d.id: d for d in documents}
    occurrences = [_occurrence(i, q) for i, q in enumerate(ordered)]
    occurrences = [o for o in occurrences if o.norms]
    links = _Links(len(ordered))
    context = _Context(by_id, params.quote_context_width)
    twinned = _link_exact(occurrences, links, context, params)
    _link_similar(occurrences, links, twinned, context, params)

    members: dict[int, list[_Occurrence]] = defaultdict(list)
    for o in occurrences:
        members[links.find(o.index)].append(o)
    result = list(ordered)
    families: list[QuoteFamily] = []
    for group in members.values():
        if len({o.quote.doc for o in group}) < 2:
            continue
        group.sort(key=lambda o: _age(o, by_id))
        origin = group[0]
        family_id = "qf-" + hashlib.sha1(
            f"{origin.quote.doc}\t{origin.quote.start}\t{origin.quote.end}".encode()
        ).hexdigest()[:12]
        family_quotes = []
        for o in group:
            if o is origin:
                changed = replace(
                    o.quote, family=family_id, change="original", changes=("original",), edits=()
                )
            else:
                change, changes, edits = _change(origin, o, by_id)
                changed = replace(o.quote, family=family_id, change=change, changes=changes, edits=edits)
            result[o.index] = changed
            family_quotes.append(changed)
        outlets = sorted({by_id[q.doc].outlet or q.doc for q in family_quotes if q.doc in by_id} or {q.doc for q in family_quotes})
        families.append(QuoteFamily(family_id, tuple(family_quotes), tuple(outlets), origin=0))
    families.sort(key=lambda f: f.id)
    return result, families


def _occurrence(index: int, quote: Quote) -> _Occurrence:
    tokens = tokenize(quote.text)
    content = frozenset(w for w in tokens.norms if w not in STOPWORDS and len(w) > 1)
    return _Occurrence(index, quote, tokens.norms, tokens.starts + quote.start, tokens.ends + quote.start, content)


def _age(o: _Occurrence, by_id: dict[str, Document]) -> tuple[str, str, int, int, int]:
    """Sort key putting the origin first: earliest date, then document id; within the first
    document, its fullest occurrence (a fragment quoted again in the same article is not the
    original)."""
    quote = o.quote
    doc = by_id.get(quote.doc)
    date = doc.date if doc is not None and doc.date else "9999"
    return (date, quote.doc, -len(o.norms), quote.start, quote.end)


class _Context:
    """Content words around each quotation, to tell one short quotation from a chance twin."""

    def __init__(self, by_id: dict[str, Document], width: int) -> None:
        self.by_id = by_id
        self.width = width
        self.tokens: dict[str, Tokens] = {}
        self.idf: dict[str, float] | None = None
        self.cache: dict[tuple[int, bool], frozenset[str]] = {}

    def _fit_idf(self) -> dict[str, float]:
        """Inverse document frequency of every word of the corpus: log(N / df)."""
        df: dict[str, int] = defaultdict(int)
        for doc in self.by_id.values():
            # Tokens are kept only for documents whose quotations are compared (``_around``):
            # keeping every document's would hold the whole corpus's tokens at once.
            tokens = self.tokens.get(doc.id) or tokenize(doc.text)
            for w in set(tokens.norms):
                df[w] += 1
        n = len(self.by_id)
        return {w: math.log(n / c) for w, c in df.items()}

    def around(self, o: _Occurrence, *, inside: bool = False) -> frozenset[str]:
        key = (o.index, inside)
        if key not in self.cache:
            self.cache[key] = self._around(o, inside)
        return self.cache[key]

    def _around(self, o: _Occurrence, inside: bool) -> frozenset[str]:
        doc = self.by_id.get(o.quote.doc)
        if doc is None:
            return frozenset()
        if doc.id not in self.tokens:
            self.tokens[doc.id] = tokenize(doc.text)
        tokens = self.tokens[doc.id]
        i, j = tokens.between(o.quote.start, o.quote.end)
        words = tokens.norms[max(0, i - self.width) : i] + tokens.norms[j : j + self.width]
        if inside:
            words += tokens.norms[i:j]
        return frozenset(w for w in words if w not in STOPWORDS and len(w) > 1)

    def shared(self, short: _Occurrence, other: _Occurrence) -> tuple[float, float]:
        """How much the surroundings of two quotations agree: (IDF sum, share of ``short``'s).

        The first figure sums the IDF of the content words both surroundings share; the second
        divides it by the IDF sum of all of ``short``'s surrounding words. The surroundings of
        ``other`` include its own words when it is the longer one (a fragment's context may be
        quoted in full elsewhere). The short quotation's own words never count.
        """
        if short.quote.doc not in self.by_id or other.quote.doc not in self.by_id:
            return math.inf, 1.0  # quotes given without their documents: nothing to check
        if self.idf is None:
            self.idf = self._fit_idf()
        inside = len(other.norms) > len(short.norms)
        own = set(short.norms)
        mine = self.around(short) - own
        common = (mine & self.around(other, inside=inside)) - own
        total = sum(self.idf.get(w, 0.0) for w in common)
        whole = sum(self.idf.get(w, 0.0) for w in mine)
        return total, (total / whole if whole else 0.0)


def _words(text: str) -> list[str]:
    return list(tokenize(text).norms)


def _contains(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
    n = len(short)
    first = short[0]
    return any(long[k] == first and long[k : k + n] == short for k in range(len(long) - n + 1))


def _link_exact(
    occurrences: list[_Occurrence], links: _Links, context: _Context, params: Params
) -> set[int]:
    """Link quotations to their exact twins, and short ones to their tightest container.

    Returns the indexes of quotations that have a twin in another document.
    """
    groups: dict[tuple[str, ...], list[_Occurrence]] = defaultdict(list)
    for o in occurrences:
        groups[o.norms].append(o)
    postings: dict[str, list[_Occurrence]] = defaultdict(list)
    for o in occurrences:
        if len(o.norms) > params.quote_short_words:
            for w in o.content:
                postings[w].append(o)
    pending: list[tuple[_Occurrence, _Occurrence]] = []
    twinned: set[int] = set()
    for norms, group in groups.items():
        if len(norms) > params.quote_short_words:
            for a in group[1:]:
                if a.quote.doc != group[0].quote.doc or len({o.quote.doc for o in group}) > 1:
                    links.join(group[0].index, a.index)
            if len({o.quote.doc for o in group}) > 1:
                twinned.update(o.index for o in group)
            continue
        if not (set(norms) - STOPWORDS):
            continue
        for a in group:
            for b in group:
                if a.index < b.index and a.quote.doc != b.quote.doc:
                    pending.append((a, b))
        rare = min((w for w in set(norms) - STOPWORDS), key=lambda w: (len(postings.get(w, ())), w))
        containers = postings.get(rare, [])
        if len(containers) > params.quote_max_postings:
            continue
        if len(norms) < 2:
            continue  # a one-word quotation joins only its exact twins
        for a in group:
            hosts = [c for c in containers if c.quote.doc != a.quote.doc and _contains(c.norms, norms)]
            for c in hosts:
                pending.append((a, c))
    best_host: dict[int, tuple[int, int, _Occurrence]] = {}
    for a, b in pending:
        if not _agree(context, a, b, params):
            continue
        if len(b.norms) == len(a.norms):
            links.join(a.index, b.index)
            twinned.update((a.index, b.index))
            continue
        key = (len(b.norms), b.index)
        if a.index not in best_host or key < best_host[a.index][:2]:
            best_host[a.index] = (*key, b)
    # A fragment with a twin elsewhere belongs with the twin, not with every longer
    # quotation that happens to contain its words.
    for a_index, (_, _, host) in best_host.items():
        if a_index not in twinned:
            links.join(a_index, host.index)
    return twinned


def _link_similar(
    occurrences: list[_Occurrence],
    links: _Links,
    twinned: set[int],
    context: _Context,
    params: Params,
) -> None:
    """Link longer quotations that share rare words and align, or read alike by characters."""
    longer = [o for o in occurrences if len(o.norms) > params.quote_short_words and o.content]
    candidates = _candidate_pairs(longer, params)
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
    for (k, m), cosine in zip(candidates, cosines, strict=True):
        a, b = longer[k], longer[m]
        short, long = (a, b) if len(a.norms) <= len(b.norms) else (b, a)
        content_cover = len(short.content & long.content) / len(short.content)
        if content_cover < params.quote_containment and cosine < params.quote_similarity:
            continue
        if len(short.norms) <= 2 * params.quote_short_words and not _agree(context, short, long, params):
            continue  # "We're going to win this election" is said by many
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
            links.join(a.index, b.index)
    for short_index, (_, _, long_index) in best_host.items():
        if short_index not in twinned:
            links.join(short_index, long_index)


def _candidate_pairs(longer: list[_Occurrence], params: Params) -> list[tuple[int, int]]:
    """Pairs (k, m), k < m, of quotations from different documents worth scoring.

    Each quotation looks up its three rarest content words (those in at most
    ``quote_max_postings`` quotations) in a sparse word index; a pair is kept when the two
    share at least two content words and half of the smaller one's. All sparse products:
    no loop over pairs in Python.
    """
    if len(longer) < 2:
        return []
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for k, o in enumerate(longer):
        for w in sorted(o.content):
            rows.append(k)
            cols.append(vocab.setdefault(w, len(vocab)))
    n = len(longer)
    words = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, len(vocab)))
    df = np.asarray(words.sum(axis=0)).ravel()
    usable = df <= params.quote_max_postings
    key_rows, key_cols = [], []
    for k in range(n):
        row = words.indices[words.indptr[k] : words.indptr[k + 1]]
        row = row[usable[row]]
        if row.size:
            rarest = row[np.lexsort((row, df[row]))][:3]
            key_rows.extend([k] * len(rarest))
            key_cols.extend(rarest.tolist())
    if not key_rows:
        return []
    keys = sparse.csr_matrix((np.ones(len(key_rows), dtype=np.float32), (key_rows, key_cols)), shape=words.shape)
    hits = (keys @ words.T).tocoo()
    a, b = np.minimum(hits.row, hits.col), np.maximum(hits.row, hits.col)
    doc_ids = {d: i for i, d in enumerate(sorted({o.quote.doc for o in longer}))}
    doc_of = np.asarray([doc_ids[o.quote.doc] for o in longer])
    keep = (a != b) & (doc_of[a] != doc_of[b])
    pairs = np.unique(np.stack([a[keep], b[keep]], axis=1), axis=0)
    if not len(pairs):
        return []
    shared = np.asarray(words[pairs[:, 0]].multiply(words[pairs[:, 1]]).sum(axis=1)).ravel()
    sizes = np.asarray(words.sum(axis=1)).ravel()
    smaller = np.minimum(sizes[pairs[:, 0]], sizes[pairs[:, 1]])
    ok = shared >= np.maximum(2, 0.5 * smaller)
    return [(int(k), int(m)) for k, m in pairs[ok]]


def _agree(context: _Context, short: _Occurrence, other: _Occurrence, params: Params) -> bool:
    """Whether the surroundings of a short quotation and another occurrence say the same thing."""
    total, share = context.shared(short, other)
    # the more words quoted alike, the less a coincidence: the bar falls with length
    return total >= params.quote_context_score / len(short.norms) and share >= params.quote_context_share


def _matched_words(a: Sequence[str], b: Sequence[str]) -> int:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def _change(
    origin: _Occurrence, other: _Occurrence, by_id: dict[str, Document]
) -> tuple[QuoteChange, tuple[QuoteChange, ...], tuple[Edit, ...]]:
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
    if _different_speaker(origin.quote, other.quote, by_id):
        changes: tuple[QuoteChange, ...] = ("reattributed",) if words == "verbatim" else (words, "reattributed")
        return "reattributed", changes, edits
    return words, (words,), edits


def _edits(origin: _Occurrence, other: _Occurrence) -> tuple[Edit, ...]:
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
    if not a or not b or fold(a) in _PRONOUN_SPEAKERS or fold(b) in _PRONOUN_SPEAKERS:
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


def _different_speaker(a: Quote, b: Quote, by_id: dict[str, Document]) -> bool:
    """True when both speakers (or both media) are known and differ.

    A speaker known only through a pronoun ("he said") is not compared: resolving "he" is
    a guess, and a wrong guess would report a re-attribution that did not happen.
    """
    speakers = [_stated_speaker(q, by_id) for q in (a, b)]
    return same_speaker(*speakers) is False or same_speaker(a.medium, b.medium) is False


def _stated_speaker(q: Quote, by_id: dict[str, Document]) -> str | None:
    doc = by_id.get(q.doc)
    if (
        doc is not None
        and q.speaker_start is not None
        and q.speaker_end is not None
        and fold(doc.text[q.speaker_start : q.speaker_end]) in _PRONOUN_SPEAKERS
    ):
        return None
    return q.speaker
