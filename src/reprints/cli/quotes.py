"""``reprints quotes``: find the quotes of a corpus, who said them, and where each reappears."""

from __future__ import annotations

import re
from collections.abc import Mapping

import click
from rich.console import Console
from rich.text import Text

from ..errors import ReprintsError
from ..model import Document, Quote, QuoteFamily, ScanResult
from ..params import Params
from ..quotes import find_quotes
from ..store import write_results
from .common import Reading, corpus_options

VARIANTS_SHOWN = 12
"""Occurrences listed per family in the terminal (all of them are in quotes.jsonl)."""

CHANGE_STYLES = {
    "original": "bold",
    "verbatim": "green",
    "trimmed": "yellow",
    "extended": "cyan",
    "reworded": "magenta",
    "reattributed": "bold red",
}


@click.command("quotes")
@click.argument("corpus", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Results folder.")
@click.option("--top", default=20, show_default=True, help="Families listed in the terminal (0: none).")
@corpus_options
def command(corpus: tuple[str, ...], out_dir: str, top: int, reading: Reading) -> None:
    """Find the quotes in CORPUS, their speakers, and the same quote across outlets.

    Writes OUT/quotes.jsonl (one line per quote: doc, start, end, text, speaker,
    speaker_start, speaker_end, cue, medium, kind, family, change, changes, edits),
    OUT/quote_families.jsonl and OUT/results.db, then lists the families carried by the
    most outlets, each variant with its change (trimmed, reworded, reattributed, ...).

    \b
    Example:
      reprints quotes sample_data/ --out results/
    """
    documents = reading.read(corpus).documents
    params = Params()
    try:
        quotes, families = find_quotes(documents, params)
        write_results(
            out_dir,
            ScanResult(
                documents=tuple(documents),
                quotes=tuple(quotes),
                quote_families=tuple(families),
                params=params.to_dict(),
            ),
        )
    except ReprintsError as err:
        raise click.ClickException(str(err)) from err
    console = Console(highlight=False, soft_wrap=False)
    attributed = sum(q.kind == "attributed" for q in quotes)
    console.print(
        f"{len(quotes)} quotes in {len(documents)} documents ({attributed} attributed), "
        f"{len(families)} families across outlets → {out_dir}"
    )
    by_id = {d.id: d for d in documents}
    for family in sorted(families, key=lambda f: (-len(f.outlets), -len(f.quotes), f.id))[:top]:
        print_family(family, by_id, console)


def print_family(family: QuoteFamily, by_id: Mapping[str, Document], console: Console) -> None:
    """Print one family: the origin, then each variant with its change and changed words marked."""
    console.print()
    console.print(Text(f"{family.id}  {len(family.outlets)} outlets: {', '.join(family.outlets)}", style="bold underline"))
    origin = family.quotes[family.origin]
    kept = [(e.a_start, e.a_end) for q in family.quotes if q is not origin for e in q.edits if e.op == "keep"]
    shown = family.quotes[:VARIANTS_SHOWN]
    for quote in shown:
        doc = by_id.get(quote.doc)
        where = f"{doc.outlet or quote.doc} {doc.date or ''}".strip() if doc else quote.doc
        line = Text("  ")
        line.append(f"{quote.change or '':<12}", style=CHANGE_STYLES.get(quote.change or "", ""))
        line.append(f" {where}: ")
        line.append_text(_marked(quote, origin, by_id, kept))
        said = quote.speaker or "—"
        if quote.medium:
            said += f" (to {quote.medium})"
        line.append(f"  — {said}", style="dim" if quote.change != "reattributed" else "bold red")
        console.print(line)
    if len(family.quotes) > len(shown):
        console.print(f"  … and {len(family.quotes) - len(shown)} more occurrences", style="dim")


def _marked(quote: Quote, origin: Quote, by_id: Mapping[str, Document], kept: list[tuple[int, int]]) -> Text:
    """The quote's words: in a variant, added or changed words against the origin highlighted;
    in the origin, the words the variants kept underlined (and the excerpt centred on them)."""
    if quote.doc not in by_id:
        return Text("“" + _short(quote.text) + "”")
    text = by_id[quote.doc].text
    if quote is origin:
        return _origin_excerpt(text, quote, kept)
    shown = Text("“")
    at = quote.start
    for edit in quote.edits:
        if edit.b_end <= edit.b_start:
            if edit.op == "drop" and quote.start < edit.b_start < quote.end:
                shown.append(" ⌫ ", style="red")
            continue
        shown.append(_flat(text[at : edit.b_start]))
        piece = _flat(text[edit.b_start : edit.b_end])
        if edit.op == "keep":
            shown.append(piece)
        else:
            shown.append(piece, style="reverse yellow" if edit.op == "change" else "reverse cyan")
        at = edit.b_end
    shown.append(_flat(text[at : quote.end]))
    shown.append("”")
    return _shorten(shown)


def _origin_excerpt(text: str, quote: Quote, kept: list[tuple[int, int]], limit: int = 220) -> Text:
    start, end = quote.start, quote.end
    if end - start > limit and kept:
        first = min(s for s, _ in kept)
        start = max(quote.start, first - limit // 3)
        end = min(quote.end, start + limit)
    shown = Text("“" + ("…" if start > quote.start else ""))
    at = start
    for s, e in sorted(kept):
        s, e = max(s, start), min(e, end)
        if e <= s or s < at:
            continue
        shown.append(_flat(text[at:s]))
        shown.append(_flat(text[s:e]), style="underline")
        at = e
    shown.append(_flat(text[at:end]))
    shown.append(("…" if end < quote.end else "") + "”")
    return shown


def _flat(text: str) -> str:
    """Put a quotation that runs over several lines or paragraphs on one line."""
    return re.sub(r"\s*\n\s*", " ", text)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shorten(shown: Text, limit: int = 220) -> Text:
    if len(shown) > limit:
        shown.truncate(limit - 1)
        shown.append("…")
    return shown

