"""Every knob of the pipeline, with its default, in one place.

A scan writes its ``Params`` into the results, and an index stores them, so a result can be
reproduced and a mismatched query refused. The README explains each field.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any

from .errors import ParameterError


@dataclass(frozen=True)
class Params:
    """Parameters of shingling, MinHash/LSH, TF-IDF alignment and boilerplate detection."""

    # Shingling and MinHash (verbatim channel).
    shingle_size: int = 5
    """Words per shingle (word n-gram) for the verbatim channel."""
    num_perm: int = 128
    """MinHash permutations; signatures use datasketch's ``affine32`` scheme."""
    bands: int = 32
    """LSH bands; ``num_perm`` must be a multiple. Rows per band = num_perm / bands."""
    seed: int = 1
    """MinHash seed (datasketch's default is 1, so signatures match datasketch's)."""
    window: int = 50
    """Words per passage window that is signed (a lift inside a long article still matches)."""
    stride: int = 25
    """Words between the starts of consecutive windows."""
    max_bucket: int = 200
    """LSH buckets with more windows than this are stock text, not evidence of reuse."""

    # Rewording channel.
    reword_threshold: float = 0.5
    """Minimum TF-IDF similarity for two sentences to count as a reworded pair."""
    verbatim_threshold: float = 0.8
    """Share of a passage's words kept in order above which it is called verbatim."""
    neighbours: int = 20
    """Rewording-channel partners kept per article (those with the most colliding windows)."""
    date_window_days: int | None = None
    """Only compare articles at most this many days apart (None: no limit)."""
    reword_window: int = 10
    """Content words per window of the rewording candidate channel (stopwords left out)."""
    reword_stride: int = 2
    """Content words between the starts of consecutive rewording windows."""
    reword_prefix: int = 5
    """Content words are cut to this many letters, so "transferred" meets "transfer"."""
    reword_bands: int = 64
    """LSH bands of the rewording channel (fewer rows per band: a lower threshold)."""
    reword_rows: int = 2
    """Rows per band of the rewording channel; reword_bands * reword_rows <= num_perm."""
    reword_min_bands: int = 6
    """Bands two content-word windows must share to count as a colliding pair (a Jaccard test)."""
    reword_min_hits: int = 3
    """Colliding content-word window pairs needed for a rewording-only candidate pair."""
    reword_verify_bands: int = 4
    """A document pair with fewer than ``reword_min_hits`` hits is verified when one of its
    window pairs shares this many bands (fewer than ``reword_min_bands``)."""
    reword_verify_window: int = 20
    """Content words per run of the verification (``candidates.verify_shares``)."""
    reword_verify_share: float | None = 0.5
    """A verified pair is a candidate when a run of ``reword_verify_window`` content words of
    each article has this share of its IDF weight in the other (None: no verification)."""
    reword_max_bucket: int = 100
    """Rewording-channel buckets with more windows than this are common phrasing, skipped."""
    reword_max_df: float = 0.05
    """Content words in more than this share of the articles are left out of rewording windows."""
    reword_min_df_docs: int = 20
    """...unless they are in at most this many articles (small corpora keep every word)."""
    cross_outlet_only: bool = False
    """Never pair two articles of the same outlet (when outlets are known)."""
    min_words: int = 8
    """Passages shorter than this many words are not reported."""
    weak_threshold: float = 0.3
    """Sentence pairs scoring between this and ``reword_threshold`` count only inside a
    passage of several aligned pairs whose scores add up to ``reword_threshold``."""
    story_min_share: float = 0.5
    """Two articles join one story when verbatim runs (``shingle_size`` words or more) cover
    at least this share of the characters of one of them: a reprint family."""
    story_reworded_share: float = 0.3
    """...or when each is the other's most-reused partner and all their passages, reworded
    included, cover this share of one of them (rewrites join their source, but coverage of
    one news event by many outlets does not chain into one giant story)."""
    merge_gap: int = 1
    """Aligned sentences at most this many unmatched sentences apart merge into one passage."""
    trim_ratio: float = 1.5
    """When one side of an aligned passage has this many times the other's words, its
    unaligned ends are cut off (a long sentence that only partly reuses a short one)."""
    moved_words: bool = True
    """Content words a rewrite moved out of order inside an aligned passage (names, figures)
    get one-word ``keep`` edits besides the in-order edit script (see ``align.moved_words``);
    ``kind``, ``score`` and ``verbatim_words`` still count in-order kept words only. A lone
    keep of one or two function words between two changed stretches (difflib pairing a stray
    "the") is folded into one change (``align.drop_stray_keeps``)."""
    derive_words: bool = True
    """Label each word of a document that alignment found reusing others verbatim, reworded or
    new with the fitted word-level model of :mod:`reprints.derive` (names and figures lifted
    into new sentences count; new clauses inside a passage do not): ``ScanResult.derived``."""

    # Persistent index (`reprints index`): what is stored per article, and how a query looks.
    index_stride: int = 50
    """Words between the starts of the windows an index stores (= window: no overlap)."""
    index_bands: int = 6
    """LSH bands an index stores per window (the first of ``bands``); fewer keep it small."""
    query_stride: int = 5
    """Words between the starts of a query's windows (dense, so one lands on each stored one)."""
    index_candidates: int = 20
    """Indexed articles aligned with a query at most (best verbatim hits, then rare words)."""
    index_word_share: float = 0.01
    """Words in more than this share of indexed articles (and > max_bucket) are not looked up."""
    index_word_cap: int = 10_000
    """An index keeps the article list of a content word only while at most this many articles
    hold it (a commoner word is no evidence of rewording): bounds what a query reads."""
    index_neighbours: int = 3
    """Rewording-channel neighbours (articles sharing the query's rarest words) kept at most."""
    index_terms: int = 6
    """Rarest content words of each query sentence looked up by the index's rewording channel."""
    index_idf_share: float = 0.4
    """A rewording neighbour must share this share of the best neighbour's rare-word IDF."""
    index_gate_words: int = 4
    """A rewording neighbour is aligned only if one of its sentences shares this many content
    words with one of the query's ..."""
    index_gate_share: float = 0.4
    """... and at least this share of the smaller sentence's content words."""

    # Boilerplate.
    boilerplate_outlet_docs: int = 3
    """A sentence repeated in this many articles of one outlet is boilerplate."""
    boilerplate_corpus_share: float = 0.05
    """A sentence in more than this share of all articles (and at least 5) is boilerplate."""
    chrome_lines: int = 4
    """A run of this many short lines (menus, vote counts, "Log in", "Privacy Policy") in one
    page is page chrome, boilerplate even on a single page (see ``boilerplate.page_chrome``;
    0 turns it off)."""

    # Wire share (`reprints wire`).
    wire_window_days: int | None = 3
    """Only wire stories dated at most this many days before an article count (same day
    included; None: no limit)."""
    wire_reword_verify_share: float | None = None
    """``reword_verify_share`` of the wire search (None: no verification). Off by default: on
    METER courts it adds wire pairs mostly to non-derived stories about the same case
    (their mean wire share 0.314 -> 0.335) and costs the share classes 2.5 points
    (3-class macro-F1 0.669 -> 0.644, derived-vs-non 0.893 -> 0.867; ``benchmarks/wire.md``),
    while every derived story already has its sources among the candidates."""
    wire_wholly: float = 0.98
    """Wire share at or above which an article is wholly-derived (METER's class): the best
    3-class macro-F1 threshold pair on all 770 METER courts stories, found by exhaustive
    search in ``benchmarks/meter_wire.py`` over the word labels of :mod:`reprints.derive`
    (per-fold and bootstrap spread in ``benchmarks/wire.md``)."""
    wire_partially: float = 0.21
    """Wire share at or above which an article is partially-derived; set like ``wire_wholly``."""
    wire_nearest_cosine: float | None = 0.3
    """An article the aligner pairs with no wire passage takes, as its probable source, the
    in-window wire story most similar to it by TF-IDF cosine (sublinear tf, folded words)
    when that cosine reaches this value; the word model of :mod:`reprints.derive` then
    decides which of its words came from that story (none: the article stays unsourced).
    Short rewrites (a tabloid's two-sentence version of a wire story) share too little
    wording for the candidate stage and the aligner. On METER courts it cuts the stories with
    no source from 76 to 21 (derived ones 41 -> 5); figures flat from 0.1 to 0.3, and 0.3
    keeps a same-theme story of another year (the 2015 seed, cosine 0.20-0.25) unsourced
    (``benchmarks/wire.md``). None turns the fallback off."""
    wire_classes: str = "share"
    """How an article's METER class is decided: ``"share"``, the two thresholds
    ``wire_partially`` and ``wire_wholly`` on ``wire_share``; ``"evidence"``, the logistic
    regression over per-article measures fitted on METER courts (:mod:`reprints.wire_classes`,
    weights in :mod:`reprints.wire_weights`): better on METER courts (out-of-fold macro-F1
    0.680 vs 0.669) but it misjudges clear cases outside British court reporting, so it is
    not the default."""

    # Quotes (`reprints quotes`, and the quotes of a scan).
    scare_quote_words: int = 4
    """An unattributed quotation of at most this many words is a scare quote, else a fragment."""
    quote_short_words: int = 3
    """Quotations of at most this many words join a family only by an exact (folded) match or
    by lying inside a longer occurrence, and only when their surroundings agree
    (``quote_context_score``)."""
    quote_context_score: float = 2.0
    """Sum of the IDF (log N/df over the corpus's articles) of the content words that the
    text around two short quotations must share for them to be one quotation, not a chance
    twin, for a one-word quotation; divided by the number of words for longer ones."""
    quote_context_share: float = 0.1
    """The same shared IDF as a share of the IDF of all of the short quotation's surroundings:
    both bars must be met (one rare shared name is not enough in a corpus on one topic)."""
    quote_context_width: int = 25
    """Words on each side of a short quotation that make up its surroundings."""
    quote_similarity: float = 0.5
    """Share of the shorter quotation's words found in order in the longer (or character
    TF-IDF cosine) above which two quotations are the same one, reworded or re-punctuated."""
    quote_containment: float = 0.8
    """Share of a quotation's words found in order inside a longer one for it to count as a
    trimmed occurrence of it."""
    quote_max_postings: int = 200
    """Words carried by more quotations than this are not used to find family candidates."""
    quote_max_twins: int = 200
    """Each occurrence of a short quotation (at most ``quote_short_words`` words) is compared
    with at most this many of its exact twins, those that follow it in document order.
    Trades time for recall on much-repeated short quotations: the comparisons grow as
    occurrences x this, not as occurrences squared; an occurrence whose twins it is not
    compared with can still join their family through another occurrence."""

    def __post_init__(self) -> None:
        if self.num_perm % self.bands:
            raise ParameterError(
                f"num_perm={self.num_perm} is not a multiple of bands={self.bands}; "
                f"pick bands from the divisors of {self.num_perm}"
            )
        if self.shingle_size < 1 or self.window < self.shingle_size or self.stride < 1:
            raise ParameterError(
                f"need shingle_size >= 1, window >= shingle_size and stride >= 1, got "
                f"shingle_size={self.shingle_size}, window={self.window}, stride={self.stride}"
            )

        if self.wire_classes not in ("evidence", "share"):
            raise ParameterError(
                f"wire_classes={self.wire_classes!r}: use 'evidence' (the fitted class model) "
                "or 'share' (thresholds on wire share)"
            )
        if self.reword_verify_window < 1 or not 1 <= self.reword_verify_bands <= self.reword_bands:
            raise ParameterError(
                f"need reword_verify_window >= 1 and 1 <= reword_verify_bands <= reword_bands, got "
                f"reword_verify_window={self.reword_verify_window}, reword_verify_bands={self.reword_verify_bands}"
            )
        if self.reword_bands * self.reword_rows > self.num_perm:
            raise ParameterError(
                f"reword_bands * reword_rows = {self.reword_bands * self.reword_rows} exceeds "
                f"num_perm={self.num_perm}; lower reword_bands or reword_rows"
            )

    @property
    def rows(self) -> int:
        """Rows (permutations) per LSH band."""
        return self.num_perm // self.bands

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Params:
        """Build from a dict, ignoring unknown keys (results written by a newer version)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})

    def replace(self, **changes: Any) -> Params:
        return dataclasses.replace(self, **changes)

    @classmethod
    def resolve(cls, params: Params | None = None, **overrides: Any) -> Params:
        """Return ``params`` (default: the defaults) with single fields overridden by name."""
        base = params if params is not None else cls()
        if not overrides:
            return base
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ParameterError(
                f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        return base.replace(**overrides)
