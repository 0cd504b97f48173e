"""The one tokenizer, sentence splitter and normaliser, all keeping offsets into the original.

The original text is never changed. Comparison happens on a *folded* view: Unicode NFKC,
case folding, curly quotes, dashes and odd spaces unified, and Latin lookalike letters from
Cyrillic or Greek mapped to Latin inside otherwise-Latin words (the seed page's "Сomment"
starts with a Cyrillic "С"). Tokens and sentences carry half-open ``[start, end)`` offsets
into the original, so ``text[start:end]`` is always the original characters.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np

# A word: letters/digits, with inner apostrophes ("don't", "Kwiatkowski's") kept inside.
# Hyphens split words, so "ez-Zor" and "south-eastern" give two tokens each.
WORD_RE = re.compile(r"[^\W_]+(?:['’ʼ`][^\W_]+)*")

# Cyrillic and Greek letters that look like Latin ones. Applied only to words that also
# contain a Latin letter, so real Russian or Greek text is left alone.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S",
        "α": "a", "ο": "o", "ν": "v", "ρ": "p", "τ": "t", "Α": "A", "Β": "B", "Ε": "E",
        "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P",
        "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)
_LATIN_RE = re.compile(r"[A-Za-z]")
_NON_LATIN_LOOKALIKE_RE = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]")

# Characters unified in the comparison view (after NFKC).
_PUNCT_FOLD = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"',
        "‹": "'", "›": "'",
        "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
        "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
        "\u3000": " ", "\t": " ", "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "",
        "\u00ad": "",
    }
)


@lru_cache(maxsize=1 << 18)
def fold(word: str) -> str:
    """Return the comparison form of one word: NFKC, case-folded, lookalikes mapped to Latin."""
    w = unicodedata.normalize("NFKC", word).translate(_PUNCT_FOLD)
    if _NON_LATIN_LOOKALIKE_RE.search(w) and _LATIN_RE.search(w):
        w = w.translate(_HOMOGLYPHS)
    return w.casefold()


@dataclass(frozen=True)
class Tokens:
    """The words of one text: original offsets and folded forms, in reading order."""

    starts: np.ndarray
    """int64 start offsets into the original text."""
    ends: np.ndarray
    """int64 end offsets (half-open)."""
    norms: tuple[str, ...]
    """Folded forms used for every comparison."""

    def __len__(self) -> int:
        return len(self.norms)

    def index_at(self, offset: int) -> int:
        """Index of the first token that ends after ``offset`` (len(self) if none)."""
        return int(np.searchsorted(self.ends, offset, side="right"))

    def between(self, start: int, end: int) -> tuple[int, int]:
        """Token index range ``[i, j)`` of the tokens lying inside ``[start, end)``."""
        i = int(np.searchsorted(self.starts, start, side="left"))
        j = int(np.searchsorted(self.ends, end, side="right"))
        return i, max(i, j)


def tokenize(text: str) -> Tokens:
    """Split ``text`` into words with offsets into it; punctuation is not a token.

    A word is a match of ``WORD_RE``, and its folded form is ``fold`` of it. Texts of
    ``_FAST_MIN_CHARS`` characters or more take a vectorised path over the text's code
    points that gives the same tokens (``tests/test_normalize.py`` checks it against the
    regex path); shorter texts, and texts numpy cannot take, go through the regex.
    """
    if len(text) >= _FAST_MIN_CHARS:
        fast = _tokenize_codes(text)
        if fast is not None:
            return fast
    return _tokenize_regex(text)


def _tokenize_regex(text: str) -> Tokens:
    """Tokenise with ``WORD_RE`` and ``fold``, one word at a time (the reference path)."""
    spans = [m.span() for m in WORD_RE.finditer(text)]
    if not spans:
        empty = np.zeros(0, dtype=np.int64)
        return Tokens(empty, empty.copy(), ())
    arr = np.asarray(spans, dtype=np.int64)
    norms = tuple(fold(text[s:e]) for s, e in spans)
    return Tokens(arr[:, 0].copy(), arr[:, 1].copy(), norms)


# The fast path. A character's class: 0 other, 1 word character (``[^\W_]``), 2 an
# apostrophe of ``WORD_RE`` that is not itself a word character. A word is then a maximal run
# of word characters and of apostrophes with a word character on both sides, which is what
# ``WORD_RE``'s greedy, leftmost matches are. Folded forms come from one pass over the code
# points: ASCII lowered (and "`" as "'"), "’" as "'", every character outside a word a space,
# then ``str.split``; a word holding any other non-ASCII character (accents, lookalikes,
# ligatures) is folded with ``fold`` itself. A numba kernel does the pass when numba is
# installed; the numpy path gives the same tokens.
_FAST_MIN_CHARS = 100
_WORD_CHAR_RE = re.compile(r"[^\W_]")
_APOSTROPHES = "'’ʼ`"
_RIGHT_QUOTE = 0x2019  # "don’t": folds to "don't" (NFKC leaves it, _PUNCT_FOLD maps it to ')
_BMP = 0x10000
_tables: dict[str, np.ndarray] = {}
_kernel: list = []  # [compiled kernel or None], filled on first use


def _class_table() -> np.ndarray:
    """Return the class (0, 1, 2) of every code point of the Basic Multilingual Plane."""
    table = _tables.get("class")
    if table is None:
        every = "".join(map(chr, range(_BMP)))
        table = np.zeros(_BMP, dtype=np.uint8)
        for ch in _APOSTROPHES:
            table[ord(ch)] = 2
        table[[m.start() for m in _WORD_CHAR_RE.finditer(every)]] = 1
        _tables["class"] = table
    return table


def _fold_table() -> np.ndarray:
    """Return the folded code of each ASCII character (and of "’") inside a word."""
    table = _tables.get("fold")
    if table is None:
        table = np.arange(_BMP, dtype=np.uint32)
        for c in range(128):
            folded = fold(chr(c))
            if len(folded) == 1:
                table[c] = ord(folded)
        table[_RIGHT_QUOTE] = ord("'")
        _tables["fold"] = table
    return table


def _words_kernel():
    """Return the numba kernel of the fast path, or None without numba."""
    if not _kernel:
        try:
            import numba
        except ImportError:  # pragma: no cover - exercised only without numba
            _kernel.append(None)
        else:
            _kernel.append(numba.njit(cache=True, nogil=True)(_scan_words))
    return _kernel[0]


def _scan_words(codes, classes, folds):  # pragma: no cover - compiled by numba
    """Find the words of ``codes``: (starts, ends, folded codes, odd, count); loops for numba."""
    n = len(codes)
    starts = np.empty(n // 2 + 1, dtype=np.int64)
    ends = np.empty(n // 2 + 1, dtype=np.int64)
    odd = np.zeros(n // 2 + 1, dtype=np.bool_)
    folded = np.empty(n, dtype=np.uint32)
    count = 0
    inside = False
    for i in range(n):
        c = codes[i]
        k = classes[c]
        if k == 2 and inside and i + 1 < n and classes[codes[i + 1]] == 1:
            k = 1  # an apostrophe inside a word
        if k == 1:
            if not inside:
                starts[count] = i
                inside = True
            if c < 128 or c == 0x2019:
                folded[i] = folds[c]
            else:
                folded[i] = c
                odd[count] = True
        else:
            if inside:
                ends[count] = i
                count += 1
                inside = False
            folded[i] = 32
    if inside:
        ends[count] = n
        count += 1
    return starts, ends, folded, odd, count


def _scan_words_numpy(codes: np.ndarray, classes: np.ndarray, folds: np.ndarray):
    """The numpy twin of ``_scan_words``: same outputs."""
    cls = classes[codes]
    word = cls == 1
    inside = word.copy()
    inside[1:-1] |= (cls[1:-1] == 2) & word[:-2] & word[2:]
    edges = np.flatnonzero(np.diff(inside.view(np.int8), prepend=np.int8(0), append=np.int8(0)))
    starts, ends = edges[0::2].astype(np.int64), edges[1::2].astype(np.int64)
    plain = (codes < 128) | (codes == _RIGHT_QUOTE)
    folded = np.where(plain, folds[np.where(plain, codes, 0)], codes).astype(np.uint32)
    folded[~inside] = 32
    odd_at = np.flatnonzero(inside & ~plain)
    odd = np.zeros(len(starts), dtype=bool)
    odd[np.searchsorted(starts, odd_at, side="right") - 1] = True
    return starts, ends, folded, odd, len(starts)


@dataclass(frozen=True)
class FoldedWords:
    """The words of one text as ``tokenize`` finds them, before they become strings.

    ``folded`` holds the text's code points with every word folded in place and every
    character between words a space, so word ``k`` is the ``k``-th run of non-spaces. Where
    ``odd[k]`` is set, the folded code points are not the word's folded form: use ``norm(k)``.
    For hashing many texts without making a string per word.
    """

    text: str
    starts: np.ndarray
    ends: np.ndarray
    folded: np.ndarray
    odd: np.ndarray

    def __len__(self) -> int:
        return len(self.starts)

    def norm(self, k: int) -> str:
        """Return the folded form of word ``k`` (as in ``tokenize(text).norms[k]``)."""
        return fold(self.text[self.starts[k] : self.ends[k]])


def folded_words(text: str) -> FoldedWords | None:
    """Return the words of ``text`` as folded code points; None when only ``tokenize`` can (lone surrogates, astral characters)."""
    try:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:
        return None
    if len(codes) and int(codes.max()) >= _BMP:
        return None
    kernel = _words_kernel()
    scan = kernel if kernel is not None else _scan_words_numpy
    starts, ends, folded, odd, count = scan(codes, _class_table(), _fold_table())
    return FoldedWords(text, starts[:count].copy(), ends[:count].copy(), folded, odd[:count].copy())


def _tokenize_codes(text: str) -> Tokens | None:
    """Tokenise ``text`` over its code points; None when it cannot (lone surrogates, astral characters)."""
    words = folded_words(text)
    if words is None:
        return None
    if not len(words):
        empty = np.zeros(0, dtype=np.int64)
        return Tokens(empty, empty.copy(), ())
    norms = words.folded.tobytes().decode("utf-32-le").split()
    if len(norms) != len(words):
        return None
    for k in np.flatnonzero(words.odd).tolist():
        norms[k] = words.norm(k)
    return Tokens(words.starts, words.ends, tuple(norms))


class Vocabulary:
    """Every folded word this process has seen, numbered from 0 in the order first seen.

    Stages that keep something per word (TF-IDF term bytes, quote-word hashes) index arrays
    by these ids, so a text's words are looked up as strings once, not once per stage. Ids
    belong to the process: never ship them to another. Grows with the corpus vocabulary; a
    lock keeps it whole when threads share it.
    """

    def __init__(self) -> None:
        self.words: list[str] = []
        """The word of each id."""
        self.lock = threading.Lock()
        self._ids: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.words)

    def ids(self, words: Iterable[str]) -> np.ndarray:
        """Return the id of each of ``words`` (int64), numbering the words not seen before."""
        words = words if isinstance(words, (list, tuple)) else list(words)
        found = list(map(self._ids.get, words))
        if None in found:
            with self.lock:
                for at, k in enumerate(found):
                    if k is None:
                        word = words[at]
                        k = self._ids.get(word)
                        if k is None:
                            k = len(self.words)
                            self.words.append(word)  # before the id is out: readers take no lock
                            self._ids[word] = k
                        found[at] = k
        return np.array(found, dtype=np.int64)


VOCABULARY = Vocabulary()


def word_ids(words: Iterable[str]) -> np.ndarray:
    """Return the :data:`VOCABULARY` id of each of ``words`` (folded tokens), in order."""
    return VOCABULARY.ids(words)


# --- sentences and paragraphs -------------------------------------------------------------

# Words that end with a period without ending a sentence (compared case-folded, no period).
ABBREVIATIONS = frozenset(
    """
    mr mrs ms messrs dr prof sr jr st mt ft rev gen lt col maj capt cpl sgt adm cmdr cdr
    gov sen rep rev hon pres supt insp det con pc dc ch
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    no nos vol vols p pp ed eds fig figs approx est dept univ assn bros corp inc ltd co plc
    vs v etc al cf ca c ave blvd rd hwy
    """.split()
)
# After one of these dotted acronyms the sentence ends only if a typical opener follows.
_ACRONYM_RE = re.compile(r"(?:[A-Za-z]\.){2,}$")
_SENTENCE_OPENERS = frozenset(
    """
    the a an he she it they we i you this that these those there but and so yet however
    in on at for his her their its our my mr mrs ms dr after before when while if as
    meanwhile earlier later now then still also some many most one two
    """.split()
)
_BOUNDARY_RE = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_OPENER_RE = re.compile(r"\s+[\"'“‘«(\[]*(?=[^\W_a-z])", re.UNICODE)
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t\u00a0\r]*\n\s*|\r\n?[ \t\u00a0]*\r\n?\s*")
_LINE_RE = re.compile(r"[^\n]*(?:\n|$)")


def paragraph_spans(text: str, mark: str | None = None) -> list[tuple[int, int]]:
    """Return ``[start, end)`` of each paragraph, trimmed of surrounding white space.

    A blank line always separates paragraphs. A single line break does too, unless the
    text is hard-wrapped (a long line that stops mid-sentence, as in wire copy): then the
    break is just white space inside the paragraph. ``mark`` (e.g. ``"###"``, as scrapes
    that flatten pages to one line write between paragraphs; see ``Document.paragraph_mark``)
    is a paragraph break too; it belongs to no paragraph, and offsets stay offsets into
    ``text``.
    """
    if mark and mark.strip() and mark in text:
        spans: list[tuple[int, int]] = []
        start = 0
        while start <= len(text):
            found = text.find(mark, start)
            stop = len(text) if found < 0 else found
            spans.extend((start + s, start + e) for s, e in paragraph_spans(text[start:stop]))
            if found < 0:
                break
            start = found + len(mark)
        return spans
    spans = []
    start = None
    end = 0
    prev_line = ""
    hard_wrapped = _looks_hard_wrapped(text)
    for m in _LINE_RE.finditer(text):
        line_start, line_end = m.span()
        if line_start == line_end:
            break
        line = m.group().rstrip("\r\n")
        stripped = line.strip(" \t\u00a0\r\x19<")
        if not stripped:
            if start is not None:
                spans.append((start, end))
            start = None
            prev_line = ""
            continue
        soft = start is not None and _is_wrapped(prev_line, stripped, hard_wrapped)
        if start is not None and not soft:
            spans.append((start, end))
            start = None
        lead = len(line) - len(line.lstrip(" \t\u00a0\r\x19"))
        if start is None:
            start = line_start + lead
        end = line_start + len(line.rstrip(" \t\u00a0\r"))
        prev_line = line
    if start is not None:
        spans.append((start, end))
    return [(s, e) for s, e in spans if e > s]


def _looks_hard_wrapped(text: str) -> bool:
    """True when lines were broken at a fixed width (wire copy), not at paragraph ends."""
    lengths = [len(line.rstrip()) for line in text.splitlines()]
    long_lines = [n for n in lengths if n >= 55]
    return len(long_lines) >= 3 and max(lengths, default=0) <= 100


def _is_wrapped(prev_line: str, next_stripped: str, hard_wrapped: bool) -> bool:
    prev = prev_line.rstrip(" \t\u00a0\r")
    if prev.endswith("<") or not prev:
        return False
    if next_stripped[:1].islower() and prev[-1] not in ".!?":
        return True
    if not hard_wrapped or len(prev) < 55:
        return False
    return prev[-1] not in ".!?:\"”’'"


def sentence_spans(
    text: str, mark: str | None = None, *, paragraphs: Sequence[tuple[int, int]] | None = None
) -> list[tuple[int, int]]:
    """Return ``[start, end)`` of each sentence, in order, never crossing a paragraph.

    ``mark`` is a paragraph separator besides line breaks (see :func:`paragraph_spans`);
    ``paragraphs`` are ``paragraph_spans(text, mark)`` when the caller has them.

    Knows news prose: abbreviations ("Lt. Col.", "Sept. 7", "Mr."), initials ("J. Smith"),
    dotted acronyms ("the U.S. military"), and closing quotes after the final stop. A
    quotation that runs over several sentences is split into those sentences; a stop
    followed by a lower-case word ("'Is it?' he asked") does not end a sentence.
    """
    out: list[tuple[int, int]] = []
    stops = _stop_offsets(text)
    for p_start, p_end in paragraph_spans(text, mark) if paragraphs is None else paragraphs:
        out.extend(_split_paragraph(text, p_start, p_end, stops))
    return out


def _stop_offsets(text: str) -> list[int] | None:
    """Offsets of the characters a sentence boundary starts with (``[.!?…]``), in order;
    None when numpy cannot take the text (lone surrogates)."""
    try:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:
        return None
    return np.flatnonzero((codes == 46) | (codes == 33) | (codes == 63) | (codes == 0x2026)).tolist()


def _boundaries(para: str, stops: list[int]) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each ``_BOUNDARY_RE`` match in ``para``, as ``finditer`` finds them.

    A match starts at one of ``stops`` (the offsets of ``[.!?…]``), so the regex is tried
    only there: ``finditer`` would try every character, a slow charset test each.
    """
    after = 0
    for at in stops:
        if at >= after and (m := _BOUNDARY_RE.match(para, at)):
            after = m.end()
            yield at, after


def _split_paragraph(text: str, start: int, end: int, stops: list[int] | None = None) -> list[tuple[int, int]]:
    """Cut paragraph ``[start, end)`` into sentences; ``stops`` are :func:`_stop_offsets` of ``text``."""
    para = text[start:end]
    if stops is None:
        found: Iterable[tuple[int, int]] = (m.span() for m in _BOUNDARY_RE.finditer(para))
    else:
        found = _boundaries(para, [at - start for at in stops[bisect_left(stops, start) : bisect_left(stops, end)]])
    cuts = [0]
    for at, stop in found:
        opener = _OPENER_RE.match(para, stop)
        if not opener:
            continue
        if para[at] == "." and not _ends_sentence(para, at, opener.end()):
            continue
        cuts.append(stop)
    cuts.append(len(para))
    spans = []
    for a, b in pairwise(cuts):
        seg = para[a:b]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg.rstrip())
        if trail > lead:
            spans.append((start + a + lead, start + a + trail))
    return spans


def _ends_sentence(para: str, dot: int, next_word_at: int) -> bool:
    """Decide whether the period at ``dot`` ends a sentence."""
    word_start = dot
    while word_start > 0 and not para[word_start - 1].isspace() and para[word_start - 1] not in "(\"“‘'":
        word_start -= 1
    before = para[word_start:dot]
    if not before:
        return True
    bare = before.strip(".").casefold()
    if bare in ABBREVIATIONS:
        return False
    if len(bare) == 1 and bare.isalpha() and before[0].isupper():
        return False  # an initial, as in "J. Smith"
    if _ACRONYM_RE.search(before + "."):
        nxt = re.match(r"[^\W_]+", para[next_word_at:])
        return bool(nxt) and nxt.group().casefold() in _SENTENCE_OPENERS
    return True


# --- character-level comparison view ------------------------------------------------------


@dataclass(frozen=True)
class View:
    """A folded copy of a text, with a map from each view character back to the original.

    ``source[i]`` is the original offset of ``text[i]``; ``source[len(text)]`` is the
    original text's length, so a view range ``[i, j)`` maps to ``[source[i], source[j])``
    (use :meth:`original`).
    """

    text: str
    source: np.ndarray

    def original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open view range back to a half-open range of the original text."""
        if end <= start:
            s = int(self.source[start])
            return s, s
        return int(self.source[start]), int(self.source[end - 1]) + 1


def comparison_view(text: str) -> View:
    """Fold ``text`` character by character (NFKC, case, quotes, dashes, spaces, lookalikes)."""
    chars: list[str] = []
    source: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii() and ch != "`" and ch != "\t":
            folded = ch.lower()
        else:
            folded = unicodedata.normalize("NFKC", ch).translate(_PUNCT_FOLD)
            if folded and _NON_LATIN_LOOKALIKE_RE.fullmatch(folded[0]):
                neighbours = text[max(0, i - 1) : i] + text[i + 1 : i + 2]
                if _LATIN_RE.search(neighbours):
                    folded = folded.translate(_HOMOGLYPHS)
            folded = folded.casefold()
        for f in folded:
            chars.append(f)
            source.append(i)
    source.append(len(text))
    return View("".join(chars), np.asarray(source, dtype=np.int64))
