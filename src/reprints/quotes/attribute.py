"""Say who is quoted: the speaker's mention, the cue, and the medium, by rules over one text.

Rules, tried in this order for each quotation:

1. A cue right after the closing mark: ``,” he said`` / ``,” Kwiatkowski said`` /
   ``,” said Obama`` / ``,” according to the source``.
2. A cue earlier in the quotation's own sentence: ``X told Sputnik that … “…”``,
   ``X said: “…”``, ``according to X, “…”``, with appositions skipped
   (``Karen Kwiatkowski, a retired … activist, told Sputnik that …`` → Karen Kwiatkowski)
   and participles taking the sentence's subject (``X offered …, stating: “…”``).
3. A colon or comma intro closing the previous paragraph (``Sputnik reports,`` then the
   quotation as its own paragraph).
4. Continuation: a quotation with no cue of its own that follows an attributed quotation in
   the same paragraph, or opens a paragraph right after one, keeps that speaker.

The mention (``speaker_start``/``speaker_end``) is the words in the text that the cue
attaches to: a name, a role noun ("the retired officer") or a pronoun ("he"). ``speaker`` is
the name they stand for: pronouns (he/she) resolve to the nearest earlier named speaker, and
definite role nouns to the nearest named speaker whose description shares a word with them or
whose role they name (officer, activist, analyst…); "the news agency" resolves to the last
named medium. When nothing resolves, ``speaker`` is the mention's own words.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace

from ..normalize import ABBREVIATIONS, Tokens, paragraph_spans, sentence_spans, tokenize
from .extract import Quotation


@dataclass(frozen=True)
class Attribution:
    """Who said a quotation: mention offsets, resolved name, cue words and medium."""

    speaker: str
    speaker_start: int
    speaker_end: int
    cue: str
    medium: str | None = None
    inherited: bool = False


# Folded verb forms that introduce reported speech.
CUE_VERBS = frozenset(
    ["say", "says", "said", "saying", "tell", "tells", "told", "telling", "add", "adds", "added", "adding", "explain", "explains", "explained", "explaining", "note", "notes", "noted", "noting", "continue", "continues", "continued", "continuing", "ask", "asks", "asked", "asking", "reply", "replies", "replied", "replying", "respond", "responds", "responded", "write", "writes", "wrote", "writing", "tweet", "tweets", "tweeted", "tweeting", "argue", "argues", "argued", "arguing", "claim", "claims", "claimed", "claiming", "insist", "insists", "insisted", "insisting", "warn", "warns", "warned", "warning", "state", "states", "stated", "stating", "declare", "declares", "declared", "declaring", "recall", "recalls", "recalled", "recalling", "suggest", "suggests", "suggested", "suggesting", "acknowledge", "acknowledges", "acknowledged", "admit", "admits", "admitted", "admitting", "concede", "concedes", "conceded", "announce", "announces", "announced", "observe", "observes", "observed", "remark", "remarks", "remarked", "comment", "comments", "commented", "joke", "jokes", "joked", "quip", "quips", "quipped", "shout", "shouts", "shouted", "yell", "yelled", "exclaim", "exclaimed", "caution", "cautions", "cautioned", "predict", "predicts", "predicted", "promise", "promises", "promised", "vow", "vows", "vowed", "urge", "urges", "urged", "report", "reports", "reported", "counter", "counters", "countered", "charge", "charges", "charged", "contend", "contends", "contended", "maintain", "maintains", "maintained", "emphasize", "emphasized", "emphasised", "stress", "stresses", "stressed", "post", "posts", "posted", "complain", "complains", "complained", "boast", "boasts", "boasted", "proclaim", "proclaimed", "assert", "asserts", "asserted", "allege", "alleges", "alleged", "reiterate", "reiterated", "confirm", "confirms", "confirmed", "deny", "denies", "denied", "describe", "describes", "described", "call", "calls", "called", "label", "labeled", "labelled", "dub", "dubbed", "brand", "branded", "testify", "testified", "scoff", "scoffed", "mock", "mocked", "lament", "lamented", "concluded", "conclude", "concludes", "pointed", "points", "point", "went", "goes", "speculated", "speculate", "believes", "believe", "believed", "thinks", "think", "thought", "wonders", "wondered", "mused", "muses", "pledge", "pledges", "pledged", "pledging"]
)
# Verbs that need an object before the quotation ("called the allegations “false.”").
_NAMING_VERBS = frozenset(
    [
        "call", "calls", "called", "calling", "label", "labeled", "labelled", "labeling",
        "labelling", "dub", "dubbed", "dubbing", "brand", "branded", "branding", "describe",
        "describes", "described", "describing",
    ]
)
# Participles that introduce speech ("…, adding that “…”"); others ("continuing the
# “progress …”") are too often plain verbs.
# Belief verbs introduce a quotation only before it ("he thinks “…”"); after one they
# start a new clause ("‘We can't do this,’ I don't believe that").
_BELIEF_VERBS = frozenset(["believe", "believes", "believed", "think", "thinks", "thought", "wonder", "wonders", "wondered"])
_PARTICIPLE_CUES = frozenset(
    ["saying", "adding", "noting", "stating", "telling", "explaining", "arguing", "insisting", "warning", "writing", "asking", "claiming", "declaring", "calling", "suggesting", "acknowledging", "admitting", "recalling", "tweeting", "promising", "vowing", "urging", "predicting", "asserting", "contending", "replying", "responding", "quipping", "joking", "concluding", "complaining", "charging", "countering", "describing", "labeling", "labelling", "dubbing", "branding", "pledging"]
)
CUE_VERBS = CUE_VERBS | _PARTICIPLE_CUES
# Verbs that are cues only with a particle: "went on", "pointed out".
_PARTICLE_CUES = {"went": "on", "goes": "on", "go": "on", "pointed": "out", "points": "out", "point": "out"}
_AUXILIARIES = frozenset(
    ["has", "have", "had", "was", "were", "is", "are", "be", "been", "also", "later", "then", "once", "previously", "reportedly", "repeatedly", "recently", "further", "would", "will", "did", "does", "do", "often", "never", "always", "again", "publicly", "privately", "first", "just", "already", "even", "quickly", "simply", "has", "once", "subsequently", "allegedly", "earlier", "had", "still", "now", "then", "flatly", "angrily", "proudly", "bluntly", "famously", "openly", "could", "can", "may", "might", "should", "must", "not", "cannot", "never", "n't", "would", "has", "don't", "doesn't", "didn't", "won't", "can't", "wouldn't", "couldn't", "isn't", "wasn't"]
)
_CLAUSE_STOPS = frozenset(
    ["that", "and", "but", "while", "because", "when", "if", "as", "after", "before", "since", "which", "who", "whom", "whose", "where", "than", "or", "nor", "so", "though", "although", "whether", "what", "how", "why", "once", "until", "unless", "whenever"]
)
_LEADING_DROP = frozenset(
    ["on", "in", "at", "during", "after", "earlier", "later", "today", "yesterday", "tonight", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "last", "this", "week", "month", "year", "meanwhile", "however", "also", "but", "and", "then", "now", "so", "ultimately", "instead", "still", "yet", "finally", "separately", "similarly"]
)
PRONOUNS = frozenset(["he", "she", "they", "i", "we", "it"])
_RESOLVABLE_PRONOUNS = frozenset(["he", "she"])
PERSON_ROLES = frozenset(
    ["officer", "activist", "analyst", "observer", "expert", "spokesman", "spokeswoman", "spokesperson", "official", "senator", "congressman", "congresswoman", "candidate", "lawyer", "attorney", "minister", "president", "governor", "chairman", "chairwoman", "director", "author", "researcher", "professor", "economist", "commentator", "politician", "leader", "general", "colonel", "commander", "diplomat", "ambassador", "secretary", "nominee", "businessman", "businesswoman", "billionaire", "mogul", "democrat", "republican", "former", "retired", "veteran", "man", "woman", "mayor", "representative", "lawmaker", "aide", "adviser", "advisor", "strategist", "pundit", "journalist", "reporter", "writer", "host", "founder", "ceo", "executive", "chief", "judge", "prosecutor"]
)
MEDIUM_ROLES = frozenset(
    ["agency", "outlet", "newspaper", "paper", "channel", "broadcaster", "network", "site", "website", "publication", "magazine"]
)
_TITLES = frozenset(
    ["president", "sen", "senator", "rep", "representative", "gov", "governor", "mr", "mrs", "ms", "dr", "gen", "general", "col", "colonel", "lt", "lieut", "lieutenant", "maj", "major", "capt", "captain", "retired", "former", "secretary", "chairman", "prof", "professor", "judge", "justice", "rev", "sir", "lord", "lady", "prime", "minister", "mayor", "vice", "first", "deputy", "ambassador", "us", "u.s", "the", "a", "an", "democratic", "republican", "presidential", "candidate", "nominee"]
)
_NAME_PARTICLES = frozenset(["al", "bin", "ibn", "de", "da", "di", "del", "van", "von", "der", "la", "le", "du", "st"])
_BOUNDARY_CHARS = frozenset(",;:()[]\"“”‘’«»„—–!?\n")
_DETERMINERS = frozenset(["the", "a", "an"])


@dataclass
class _Named:
    name: str
    words: frozenset[str]
    at: int
    medium: bool = False


class _Context:
    """One text's tokens, sentences and paragraphs, with the lookups the rules need."""

    def __init__(
        self,
        text: str,
        paragraph_mark: str | None = None,
        tokens: Tokens | None = None,
        paragraphs: list[tuple[int, int]] | None = None,
        sentences: list[tuple[int, int]] | None = None,
    ) -> None:
        self.text = text
        self.tokens: Tokens = tokens if tokens is not None else tokenize(text)
        self.norms = self.tokens.norms
        # Python lists: the rules look up one offset at a time, where numpy costs more
        self.starts: list[int] = self.tokens.starts.tolist()
        self.ends: list[int] = self.tokens.ends.tolist()
        self.paragraphs = paragraphs if paragraphs is not None else paragraph_spans(text, paragraph_mark)
        self.sentences = sentences if sentences is not None else sentence_spans(text, paragraphs=self.paragraphs)
        self.sentence_starts = [s for s, _ in self.sentences] or [0]
        self.paragraph_starts = [s for s, _ in self.paragraphs] or [0]

    def sentence_at(self, offset: int) -> tuple[int, int]:
        if not self.sentences:
            return 0, len(self.text)
        k = max(0, bisect_right(self.sentence_starts, offset) - 1)
        return self.sentences[k]

    def paragraph_index(self, offset: int) -> int:
        return max(0, bisect_right(self.paragraph_starts, offset) - 1)

    def gap(self, i: int) -> str:
        """Characters between token i-1 and token i."""
        return self.text[int(self.ends[i - 1]) : int(self.starts[i])]

    def boundary_before(self, i: int) -> bool:
        """True when punctuation between token i-1 and i ends a noun phrase."""
        g = self.gap(i)
        if not _BOUNDARY_CHARS.isdisjoint(g):
            return True
        if "." in g:
            prev = self.norms[i - 1]
            return not (prev in ABBREVIATIONS or len(prev) == 1)
        return False

    def capitalized(self, i: int) -> bool:
        ch = self.text[int(self.starts[i])]
        return ch.isupper() or ch.isdigit()

    def span_text(self, i: int, j: int) -> str:
        return self.text[int(self.starts[i]) : int(self.ends[j - 1])]


def attribute(
    text: str,
    quotations: list[Quotation],
    paragraph_mark: str | None = None,
    *,
    tokens: Tokens | None = None,
    paragraphs: list[tuple[int, int]] | None = None,
    sentences: list[tuple[int, int]] | None = None,
) -> list[Attribution | None]:
    """Attribute each quotation (same order as given); None where no speaker is found.

    ``paragraph_mark`` is a paragraph separator besides line breaks (``Document.paragraph_mark``).
    ``tokens`` (``tokenize(text)``), ``paragraphs`` (``paragraph_spans(text,
    paragraph_mark)``) and ``sentences`` (``sentence_spans(text, paragraph_mark)``) save
    working them out again when the caller has them.
    """
    if not quotations:
        return []
    ctx = _Context(text, paragraph_mark, tokens, paragraphs, sentences)
    named: list[_Named] = []
    out: list[Attribution | None] = []
    for q in quotations:
        found = _attribute_one(ctx, q, quotations, out, named)
        out.append(found)
    return out


def _attribute_one(
    ctx: _Context,
    q: Quotation,
    quotations: list[Quotation],
    done: list[Attribution | None],
    named: list[_Named],
) -> Attribution | None:
    if _is_title(ctx, q):
        return None
    lo = quotations[q.parent].start if q.parent is not None else 0
    hi = quotations[q.parent].end if q.parent is not None else len(ctx.text)
    first = q.parent + 1 if q.parent is not None else 0  # siblings come after their parent
    earlier = next((quotations[k] for k in range(len(done) - 1, first - 1, -1) if quotations[k].parent == q.parent), None)
    mention = _after_quote(ctx, q, hi) or _before_quote(ctx, q, lo, earlier)
    if mention is None and q.parent is None:
        mention = _paragraph_intro(ctx, q)
    if mention is None:
        continued = _continuation(ctx, q, quotations, done)
        if continued is not None or earlier is None:
            return continued
        # a second fragment in one clause ("of ‘US Air Force helicopter’ … of ‘European
        # origin’"): the cue may stand before the first one
        mention = _before_quote(ctx, q, lo, None)
        if mention is None:
            return None
    i, j, cue, medium, apposition = mention
    if q.parent is not None and ctx.norms[i:j] in (("i",), ("we",)):
        outer = done[q.parent]
        if outer is not None:  # "I said, ‘What are they doing?’" inside Trump's quotation
            return replace(outer, cue=ctx.span_text(i, j) + " " + cue, inherited=True)
    if ctx.norms[i:j] in (("he",), ("she",)) and q.parent is None:
        intro = _paragraph_intro(ctx, q)
        if intro is not None:
            name = _name_in(ctx, intro[0], intro[1])
            if name is not None:
                named.append(_Named(name, frozenset(ctx.norms[intro[0] : intro[1]]), q.open_at))
    return _resolve(ctx, i, j, cue, medium, apposition, named, q.open_at)


_TITLE_SMALL = frozenset(["and", "of", "the", "a", "an", "in", "on", "for", "to", "with", "at", "by", "or", "from"])
_TITLE_INTROS = frozenset(["on", "told", "tell", "tells", "to", "with", "titled", "called", "named", "entitled", "dubbed"])


def _is_title(ctx: _Context, q: Quotation) -> bool:
    """A programme or work named in quotation marks ("told “Fox and Friends”"), not speech."""
    i = bisect_left(ctx.starts, q.start)  # Tokens.between, on the lists
    j = max(i, bisect_right(ctx.ends, q.end))
    if not 0 < j - i <= 8:
        return False
    if not all(ctx.capitalized(t) or ctx.norms[t] in _TITLE_SMALL for t in range(i, j)) or not ctx.capitalized(i):
        return False
    before = bisect_right(ctx.ends, q.open_at) - 1
    if before < 0 or ctx.text[int(ctx.ends[before]) : q.open_at].strip():
        return False
    word = ctx.norms[before]
    return word in _TITLE_INTROS or word.endswith("'s")


# A mention candidate: token range [i, j), cue words, medium, apposition token range.
_Mention = tuple[int, int, str, "str | None", "tuple[int, int] | None"]


def _after_quote(ctx: _Context, q: Quotation, hi: int) -> _Mention | None:
    if q.close_at is None:
        return None
    close_end = q.close_at + 1
    while close_end < len(ctx.text) and ctx.text[close_end] in "'`\"”’»":
        close_end += 1
    j0 = bisect_left(ctx.starts, close_end)
    if j0 >= len(ctx.norms) or int(ctx.starts[j0]) >= hi:
        return None
    between = ctx.text[close_end : int(ctx.starts[j0])]
    if between.strip(" ,\u00a0\n") or ctx.paragraph_index(int(ctx.starts[j0])) != ctx.paragraph_index(q.close_at):
        return None
    _, s_end = ctx.sentence_at(close_end)
    limit = min(hi, max(s_end, int(ctx.ends[j0])))
    first = ctx.norms[j0]
    # Inverted order: ", said Obama" / ", according to the source".
    if first == "according" and j0 + 1 < len(ctx.norms) and ctx.norms[j0 + 1] == "to":
        np_range = _phrase_after(ctx, j0 + 2, limit)
        if np_range:
            return (*np_range, "according to", None, None)
        return None
    if first in CUE_VERBS and first not in _NAMING_VERBS:
        np_range = _phrase_after(ctx, j0 + 1, limit)
        if np_range and _looks_like_speaker(ctx, *np_range):
            return (*np_range, ctx.span_text(j0, j0 + 1), None, None)
        return None
    # Subject first: ", the retired officer added". Only after a quotation that ends a
    # clause (",”" or ".”" or ”,), not after a scare quote inside a running sentence.
    inner_tail = ctx.text[q.start : q.close_at].rstrip(" \u00a0\n'’\"”»`")[-1:]
    if not (inner_tail in ",.?!…—-" or "," in between or "—" in between):
        return None
    k = j0
    while k < len(ctx.norms) and k < j0 + 14 and int(ctx.starts[k]) < limit:
        if k > j0 and ctx.boundary_before(k) and "," not in ctx.gap(k):
            return None
        if ctx.norms[k] in CUE_VERBS and k > j0 and ctx.norms[k] not in _NAMING_VERBS | _BELIEF_VERBS and not _noun_use(ctx, k):
            subject = _subject_before(ctx, k, int(ctx.starts[j0]))
            if subject is None or subject[0] != j0:
                return None
            i, j, appo = subject
            cue, medium = _cue_and_medium(ctx, k, limit)
            return (i, j, cue, medium, appo)
        k += 1
    return None


def _before_quote(ctx: _Context, q: Quotation, lo: int, earlier: Quotation | None) -> _Mention | None:
    s_start, _ = ctx.sentence_at(q.open_at)
    region_start = max(lo, s_start)
    if earlier is not None and earlier.close_at is not None and region_start <= earlier.close_at < q.open_at:
        region_start = earlier.close_at + 1  # “…,” said X, adding that “…”: not X's own words
    return _cue_in_region(ctx, region_start, q.open_at, max_tokens=45)


def _cue_in_region(ctx: _Context, start: int, end: int, *, max_tokens: int) -> _Mention | None:
    i0 = bisect_left(ctx.starts, start)
    i1 = bisect_right(ctx.ends, end)
    if i1 <= i0:
        return None
    for v in range(i1 - 1, max(i0, i1 - max_tokens) - 1, -1):
        word = ctx.norms[v]
        if word == "according" and v + 1 < i1 and ctx.norms[v + 1] == "to":
            np_range = _phrase_after(ctx, v + 2, end)
            if np_range:
                return (*np_range, "according to", None, None)
            continue
        if word not in CUE_VERBS or ctx.capitalized(v) or _noun_use(ctx, v):
            continue  # "the United States", "Clinton's remarks" are no cues
        if word.endswith("ing") and word not in _PARTICIPLE_CUES:
            continue
        if word in _PARTICLE_CUES and (v + 1 >= len(ctx.norms) or ctx.norms[v + 1] != _PARTICLE_CUES[word]):
            continue
        if word in _NAMING_VERBS and i1 - v > 12:
            continue  # "called X “…”" only when the quotation follows closely
        if word in ("believe", "believes", "believed", "think", "thinks", "thought") and i1 - v > 12:
            continue
        if word in _PARTICIPLE_CUES:
            subject = _participle_subject(ctx, i0, v, start)
        else:
            subject = _subject_before(ctx, v, start)
        if subject is None:
            continue
        i, j, appo = subject
        cue, medium = _cue_and_medium(ctx, v, end)
        if medium is None:
            medium = _medium_in(ctx, int(ctx.starts[i0]), end)
        return (i, j, cue, medium, appo)
    return None


def _paragraph_intro(ctx: _Context, q: Quotation) -> _Mention | None:
    """A quotation opening its paragraph, introduced by the previous one ("Sputnik reports,")."""
    p = ctx.paragraph_index(q.open_at)
    if p == 0 or ctx.text[ctx.paragraphs[p][0] : q.open_at].strip():
        return None
    prev_start, prev_end = ctx.paragraphs[p - 1]
    tail = ctx.text[prev_start:prev_end].rstrip()
    if not tail or tail[-1] not in ":,":
        return None
    s_start, _ = ctx.sentence_at(prev_end - 1)
    return _cue_in_region(ctx, max(prev_start, s_start), prev_start + len(tail), max_tokens=30)


def _continuation(
    ctx: _Context, q: Quotation, quotations: list[Quotation], done: list[Attribution | None]
) -> Attribution | None:
    """Keep the speaker of the previous quotation when this one continues it."""
    if q.parent is not None:
        return None
    k = len(done) - 1
    while k >= 0 and quotations[k].parent is not None:
        k -= 1
    if k < 0 or done[k] is None:
        return None
    prev = quotations[k]
    prev_attr = done[k]
    assert prev_attr is not None
    p_here = ctx.paragraph_index(q.open_at)
    p_prev = ctx.paragraph_index(prev.open_at)
    gap_text = ctx.text[(prev.close_at or prev.end) : q.open_at]
    if p_here == p_prev:
        if len(gap_text) > 120:
            return None
    elif p_here == p_prev + 1 or p_here == ctx.paragraph_index(prev.end) + 1:
        p_start, p_end = ctx.paragraphs[p_here]
        if ctx.text[p_start : q.open_at].strip():
            return None
        # the quotation must fill its paragraph, as a continued speech does
        if (q.end - q.start) < 0.6 * (p_end - p_start):
            return None
        prev_para_end = ctx.paragraphs[ctx.paragraph_index(prev.end)][1]
        if ctx.text[(prev.close_at or prev.end) + 1 : prev_para_end].strip(" .\u00a0”\"’'") and len(
            ctx.text[(prev.close_at or prev.end) + 1 : prev_para_end]
        ) > 80:
            return None
    else:
        return None
    return Attribution(
        prev_attr.speaker,
        prev_attr.speaker_start,
        prev_attr.speaker_end,
        prev_attr.cue,
        prev_attr.medium,
        inherited=True,
    )


def _phrase_after(ctx: _Context, i: int, limit: int) -> tuple[int, int] | None:
    """Noun phrase starting at token i: up to a boundary, a clause word or 8 tokens."""
    if i >= len(ctx.norms) or int(ctx.starts[i]) >= limit:
        return None
    j = i + 1
    while (
        j < len(ctx.norms)
        and j < i + 8
        and int(ctx.ends[j]) <= limit
        and not ctx.boundary_before(j)
        and ctx.norms[j] not in _CLAUSE_STOPS
        and ctx.norms[j] not in ("in", "on", "at", "during", "to", "for", "about", "with", "from", "of")
        and ctx.norms[j] not in CUE_VERBS
    ):
        j += 1
    if ctx.norms[j - 1] in _DETERMINERS or ctx.norms[j - 1] in _FUNCTION_WORDS:
        return None  # "according to the “Medicare for all” document": the quote is inside
    return i, j


def _looks_like_speaker(ctx: _Context, i: int, j: int) -> bool:
    words = ctx.norms[i:j]
    if words[0] in PRONOUNS:
        return j - i == 1
    return any(ctx.capitalized(k) for k in range(i, j)) or words[0] in _DETERMINERS


def _subject_before(ctx: _Context, v: int, region_start: int) -> tuple[int, int, tuple[int, int] | None] | None:
    """Noun phrase that is the subject of the cue verb at token v, skipping an apposition."""
    k = v
    while (
        k - 1 >= 0
        and (ctx.norms[k - 1] in _AUXILIARIES or _adverb(ctx, k - 1))
        and not ctx.boundary_before(k)
        and int(ctx.starts[k - 1]) >= region_start
    ):
        k -= 1
    if k - 1 >= 0 and ctx.norms[k - 1] in _PRONOUN_CONTRACTIONS and int(ctx.starts[k - 1]) >= region_start:
        return k - 1, k, None  # "he's predicting that …"
    stepped = False
    if k - 1 >= 0 and ")" in ctx.gap(k):
        # "Sen. Elizabeth Warren (D-MA) said": step over the parenthesis
        opening = ctx.text.rfind("(", int(ctx.starts[max(0, k - 4)]), int(ctx.starts[k]))
        if opening >= region_start:
            k = bisect_right(ctx.ends, opening)
            stepped = True
    np_range = _phrase_before(ctx, k, region_start, after_comma=stepped)
    if np_range is not None:
        return (*np_range, None)
    if k - 1 >= 0 and ctx.norms[k - 1] in ("and", "but") and int(ctx.starts[k - 1]) >= region_start:
        # "Wilson praised Rubio's positions and said …": the subject opens the sentence
        sentence_start, _ = ctx.sentence_at(int(ctx.starts[k - 1]))
        i0 = bisect_left(ctx.starts, max(sentence_start, region_start))
        if i0 < k - 1:
            found = _sentence_subject(ctx, i0, k - 1)
            if found is not None and any(ctx.capitalized(t) for t in range(found[0], found[1])):
                return found
        return None
    # ", a retired US Air Force Lieutenant Colonel …, told": step over the apposition, which
    # may itself hold commas ("a 55-year-old salesman from Sumter, South Carolina,")
    if k - 1 < 0 or "," not in ctx.gap(k):
        return None
    a_end = k
    for _ in range(3):
        a_start = a_end - 1
        while a_start - 1 >= 0 and int(ctx.starts[a_start - 1]) >= region_start and "," not in ctx.gap(a_start):
            if any(ch in ctx.gap(a_start) for ch in ";:\n“”\""):
                return None
            a_start -= 1
            if k - a_start > 24:
                return None
        if a_start - 1 < 0 or int(ctx.starts[a_start - 1]) < region_start:
            return None
        first = ctx.norms[a_start]
        if (
            first in _DETERMINERS
            or first in ("who", "whose", "which")
            or not ctx.capitalized(a_start)
            or first in _TITLES
            or first.isdigit()
        ):
            np_range = _phrase_before(ctx, a_start, region_start, after_comma=True)
            if np_range is None or not any(
                ctx.capitalized(t) and not ctx.norms[t].isdigit() for t in range(*np_range)
            ):
                return None
            return (*np_range, (a_start, k))
        a_end = a_start  # a capitalised chunk ("South Carolina"): part of a longer apposition
    return None


_PRONOUN_CONTRACTIONS = frozenset(
    ["he's", "she's", "he'd", "she'd", "they're", "they've", "they'd", "i'm", "i've", "i'd", "we're", "we've", "we'd"]
)


def _adverb(ctx: _Context, t: int) -> bool:
    """A lower-case -ly word before a verb ("he rarely asks", "Trump repeatedly said")."""
    word = ctx.norms[t]
    return word.endswith("ly") and len(word) > 4 and not ctx.capitalized(t) and word not in ("early", "family", "ally", "italy")


def _phrase_before(
    ctx: _Context, k: int, region_start: int, *, after_comma: bool = False
) -> tuple[int, int] | None:
    """Noun phrase ending right before token k, without crossing punctuation or clause words."""
    if k - 1 < 0:
        return None
    if not after_comma and ctx.boundary_before(k) and ctx.gap(k).strip(" \u00a0.") != "":
        return None
    i = k
    reached_boundary = False
    while i - 1 >= 0 and int(ctx.starts[i - 1]) >= region_start and k - i < 14:
        word = ctx.norms[i - 1]
        if word == "and" and _determiner_within(ctx, i - 1, region_start):
            i -= 1
            continue
        if word in _CLAUSE_STOPS or (_is_finite_cue(word) and not ctx.capitalized(i - 1)):
            reached_boundary = True
            break
        i -= 1
        if ctx.boundary_before(i) if i > 0 else True:
            reached_boundary = True
            break
    if i - 1 < 0 or int(ctx.starts[i - 1]) < region_start:
        reached_boundary = True
    if not reached_boundary:
        # ran 14 words back without meeting a clause edge: not a subject ("… to have her ask")
        return (k - 1, k) if ctx.norms[k - 1] in PRONOUNS else None
    if any(_verbish(ctx, t) for t in range(i, k - 1)) and ctx.norms[k - 1] not in PRONOUNS:
        # "Rubio recites the same campaign", "he is looking ahead to …": a clause, not a phrase
        return None
    while i < k and ctx.norms[i] in _LEADING_DROP and not (ctx.capitalized(i) and i + 1 < k and ctx.capitalized(i + 1) and ctx.norms[i] not in _LEADING_DROP):
        i += 1
    if i >= k:
        return None
    words = ctx.norms[i:k]
    if words[-1] in _DETERMINERS or words[-1] in _FUNCTION_WORDS:
        return None
    if words[0] in PRONOUNS and len(words) > 1:
        i = k - 1 if ctx.norms[k - 1] in PRONOUNS else i
        words = ctx.norms[i:k]
    if len(words) > 1 and any(w in PRONOUNS for w in words[1:]):
        # "… and he" / "what we" — keep only the pronoun next to the verb
        if words[-1] in PRONOUNS:
            return k - 1, k
        return None
    if not (words[0] in PRONOUNS or any(ctx.capitalized(t) for t in range(i, k)) or words[0] in _DETERMINERS or words[-1] in PERSON_ROLES or words[-1] in MEDIUM_ROLES or words[-1] in ("source", "sources", "officials", "experts", "critics", "supporters", "people", "report")):
        return None
    return i, k


_VERBISH = frozenset(
    ["is", "are", "was", "were", "has", "have", "had", "be", "been", "will", "would", "can", "could", "do", "does", "did", "said", "says", "told"]
)


def _verbish(ctx: _Context, t: int) -> bool:
    """A word inside a phrase that shows it is a clause: an auxiliary, a lower-case -ing form."""
    word = ctx.norms[t]
    if ctx.capitalized(t):
        return False
    if word in _VERBISH:
        return True
    return word.endswith("ing") and len(word) > 5 and (t == 0 or ctx.norms[t - 1] not in _DETERMINERS)


_FUNCTION_WORDS = frozenset(
    ["to", "of", "in", "on", "at", "for", "with", "by", "from", "about", "as", "into", "than", "asked", "declined", "refused"]
)


_POSSESSIVES = frozenset(["the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "this", "that", "these", "those"])


def _noun_use(ctx: _Context, v: int) -> bool:
    """True when a cue word is used as a noun: "Clinton's remarks", "the claims", "his comments"."""
    if v == 0 or ctx.boundary_before(v):
        return False
    prev = ctx.norms[v - 1]
    return prev in _POSSESSIVES or prev.endswith("'s")


def _is_finite_cue(word: str) -> bool:
    """A cue verb in a form that cannot be part of a noun phrase ("said", not "report")."""
    return word in CUE_VERBS and (
        word.endswith(("ed", "ing")) or word in ("said", "told", "wrote", "thought", "says", "tells")
    )


def _determiner_within(ctx: _Context, i: int, region_start: int) -> bool:
    """True when "and" at token i joins adjectives of one phrase ("a military and diplomatic source")."""
    for t in range(i - 1, max(-1, i - 4), -1):
        if int(ctx.starts[t]) < region_start or ctx.boundary_before(t + 1) or (ctx.capitalized(t) and t != i - 1):
            return False
        if ctx.norms[t] in _DETERMINERS:
            return True
    return False


def _participle_subject(
    ctx: _Context, i0: int, v: int, start: int
) -> tuple[int, int, tuple[int, int] | None] | None:
    """Subject of a participle cue: that of an earlier cue verb, else the sentence's subject."""
    for u in range(v - 1, i0 - 1, -1):
        if ctx.norms[u] in CUE_VERBS and _is_finite_cue(ctx.norms[u]) and not ctx.norms[u].endswith("ing") and not ctx.capitalized(u):
            return _subject_before(ctx, u, start)
    sentence_start, _ = ctx.sentence_at(int(ctx.starts[i0]))
    if int(ctx.starts[i0]) > sentence_start + 1:
        return None  # the region starts after an earlier quotation: continuation decides
    if ctx.norms[i0] in _DETERMINERS:
        j = i0 + 1
        while j < v and j < i0 + 6 and not ctx.boundary_before(j) and not _verbish(ctx, j) and ctx.norms[j] not in _CLAUSE_STOPS and not ctx.norms[j].endswith("ed"):
            j += 1
        if j - i0 >= 2 and j < v:
            return i0, j, None
    return _sentence_subject(ctx, i0, v)


def _sentence_subject(ctx: _Context, i0: int, v: int) -> tuple[int, int, tuple[int, int] | None] | None:
    """First name in the sentence: the subject a participle cue ("…, stating:") hangs on.

    Datelines ("WASHINGTON (AP) —") and capitalised openers ("When", "Speaking") are skipped.
    """
    i = i0
    while i < v:
        if ctx.norms[i] in PRONOUNS:
            return i, i + 1, None
        if not ctx.capitalized(i) or _opener(ctx, i) or ctx.text[int(ctx.starts[i])].isdigit():
            i += 1
            continue
        j = i + 1
        while j < v and (ctx.capitalized(j) or ctx.norms[j] in _NAME_PARTICLES) and not ctx.boundary_before(j):
            j += 1
        return i, j, None
    return None


def _opener(ctx: _Context, i: int) -> bool:
    """A capitalised word that is not a name: a dateline, or a function word opening a sentence."""
    word = ctx.text[int(ctx.starts[i]) : int(ctx.ends[i])]
    if len(word) > 1 and word.isupper() and word not in ("US", "UN", "EU", "UK", "FBI", "CIA", "NATO"):
        return True
    if ctx.norms[i].endswith("ing") and i + 1 < len(ctx.norms) and not ctx.capitalized(i + 1):
        return True  # "Facing criticism, …", "Continuing his attack, …"
    return ctx.norms[i] in _OPENERS or ctx.norms[i] in ("what", "who", "how", "why", "where", "which")


_OPENERS = frozenset(
    ["when", "while", "after", "before", "as", "if", "although", "though", "since", "during", "with", "without", "for", "from", "by", "in", "on", "at", "this", "that", "these", "those", "it", "its", "there", "here", "hours", "days", "minutes", "weeks", "months", "years", "speaking", "asked", "asking", "talking", "writing", "earlier", "later", "then", "now", "meanwhile", "but", "and", "so", "yet", "the", "a", "an", "his", "her", "their", "our", "my", "your", "however", "still", "also", "even", "only", "just", "today", "yesterday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "last", "next", "one", "two", "three", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
)


def _cue_and_medium(ctx: _Context, v: int, limit: int) -> tuple[str, str | None]:
    cue_end = v + 1
    medium = None
    word = ctx.norms[v]
    if word in ("told", "tells", "tell", "telling") and v + 1 < len(ctx.norms) and int(ctx.starts[v + 1]) < limit:
        if ctx.capitalized(v + 1) and not ctx.boundary_before(v + 1):
            j = v + 2
            while (
                j < len(ctx.norms) and j < v + 6 and ctx.capitalized(j) and not ctx.boundary_before(j)
                and int(ctx.ends[j]) <= limit and not ctx.norms[j - 1].endswith("'s")
            ):
                j += 1
            # "told NBC's Today show" → NBC; "told Sputnik News" → Sputnik News
            medium = _strip_possessive(ctx.span_text(v + 1, j))
            cue_end = j
    elif word in ("pointed", "points", "point", "went", "goes") and v + 1 < len(ctx.norms):
        cue_end = v + 2
    return ctx.span_text(v, cue_end), medium


_MEDIUM_RE = re.compile(
    r"(?i:contacted by|speaking to|spoke to|in an interview with|interview with|told)\s+((?:the\s+)?[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*){0,3})"
)
_MEDIUM_CUES = ("contacted", "speaking", "spoke", "interview", "told")
# The only characters besides ASCII letters that the pattern's case-blind words match
# (İ, ı, ſ and the Kelvin sign): a sentence holding one goes to the pattern anyway.
_ODD_FOLDS = frozenset("\u0130\u0131\u017f\u212a")


def _medium_in(ctx: _Context, start: int, end: int) -> str | None:
    """A medium named in the sentence ("When contacted by Sputnik", "speaking to CNN")."""
    sentence = ctx.text[start:end]
    lowered = sentence.lower()
    if not any(cue in lowered for cue in _MEDIUM_CUES) and _ODD_FOLDS.isdisjoint(sentence):
        return None  # the pattern is slow to fail: most sentences hold none of its words
    m = _MEDIUM_RE.search(sentence)
    return _strip_possessive(m.group(1)) if m else None


def _strip_possessive(name: str) -> str:
    return re.split(r"['’]s\b", name, maxsplit=1)[0]


def _resolve(
    ctx: _Context,
    i: int,
    j: int,
    cue: str,
    medium: str | None,
    apposition: tuple[int, int] | None,
    named: list[_Named],
    at: int,
) -> Attribution:
    if medium is not None:
        named.append(_Named(medium, frozenset(), at, medium=True))
    words = ctx.norms[i:j]
    mention = ctx.span_text(i, j)
    start, end = int(ctx.starts[i]), int(ctx.ends[j - 1])
    desc = set(words)
    if apposition is not None:
        desc |= set(ctx.norms[apposition[0] : apposition[1]])
    speaker = mention
    if len(words) == 1 and words[0] in PRONOUNS:
        if words[0] in _RESOLVABLE_PRONOUNS:
            person = _nearest(named, at, lambda n: not n.medium)
            if person is not None:
                speaker = person.name
        return Attribution(speaker, start, end, cue, medium)
    name = _name_in(ctx, i, j)
    if name is not None:
        speaker = name
        is_medium = bool(medium is None and ctx.norms[j - 1] in MEDIUM_ROLES)
        named.append(_Named(name, frozenset(desc), at, medium=is_medium))
        return Attribution(speaker, start, end, cue, medium)
    head = words[-1]
    if words[0] == "the":
        if head in MEDIUM_ROLES:
            outlet = _nearest(named, at, lambda n: n.medium)
            if outlet is not None:
                speaker = outlet.name
        else:
            content = set(words[1:]) - _DETERMINERS
            person = _nearest(named, at, lambda n: not n.medium and (head in PERSON_ROLES or bool(content & n.words)))
            if person is not None and (head in PERSON_ROLES or content & person.words):
                speaker = person.name
    return Attribution(speaker, start, end, cue, medium)


def _nearest(named: list[_Named], at: int, ok: object) -> _Named | None:
    for n in reversed(named):
        if at - n.at > 4000:
            return None
        if ok(n):  # type: ignore[operator]
            return n
    return None


def _name_in(ctx: _Context, i: int, j: int) -> str | None:
    """The proper name a mention ends with ("Russian defense analyst Igor Korotchenko" → "Igor Korotchenko")."""
    if not ctx.capitalized(j - 1):
        return None
    k = j - 1
    while k - 1 >= i and (ctx.capitalized(k - 1) or ctx.norms[k - 1] in _NAME_PARTICLES) and not ctx.boundary_before(k):
        k -= 1
    while k < j - 1 and (ctx.norms[k] in _TITLES or ctx.norms[k].rstrip(".") in ABBREVIATIONS):
        k += 1
    if ctx.norms[k] in _DETERMINERS:
        k += 1
    if k >= j:
        return None
    return ctx.span_text(k, j)
