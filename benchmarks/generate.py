"""Generate a news-like corpus with planted verbatim and reworded passages at known positions.

    python benchmarks/generate.py --docs 10000 --out /tmp/gen10k \\
        --source-text ../shared/data/polnear/data/train/text ../shared/data/meter/meter_corpus/PA/rawtexts/courts

Background text comes from an order-2 word model of the real sentences found under
``--source-text`` (``.txt`` files, recursively), so articles read like news and share its
vocabulary and stock phrases, yet a million of them do not share whole sentences by
accident (resampling whole sentences from a pool of a few tens of thousands would plant
thousands of unintended reprints). Planted passages are runs of whole sentences of one
generated article copied into another at a paragraph break: verbatim, or reworded with
about ``--reword-rate`` (30%) of the words substituted, dropped or swapped with a neighbour.

Writes ``OUT/docs.jsonl`` (``id``, ``text``, ``outlet``, ``date``) and ``OUT/truth.jsonl``
(one planted passage per line: source/target ids, kind, words and character spans in both).
No source text is copied into the repository; the output goes where ``--out`` says.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from reprints.normalize import sentence_spans  # noqa: E402

START, END = 0, 1
PLANT_LENGTHS = (20, 40, 80, 150)


def read_sentences(paths: list[str]) -> list[list[str]]:
    """Return the sentences (as whitespace-split words) of every .txt file under ``paths``."""
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(p.rglob("*.txt")) if p.is_dir() else [p])
    sentences = []
    for f in files:
        text = f.read_bytes().decode("utf-8", errors="replace")
        for s, e in sentence_spans(text):
            words = text[s:e].split()
            if 6 <= len(words) <= 60:
                sentences.append(words)
    return sentences


class WordModel:
    """An order-2 word model: the next word given the two before it, sampled in numpy."""

    def __init__(self, sentences: list[list[str]]):
        vocab: dict[str, int] = {"<s>": START, "</s>": END}
        seqs = []
        for words in sentences:
            ids = [vocab.setdefault(w, len(vocab)) for w in words]
            seqs.append([START, START, *ids, END])
        self.words = np.array(sorted(vocab, key=vocab.__getitem__), dtype=object)
        v = np.int64(len(vocab))
        tri = np.array([(s[i], s[i + 1], s[i + 2]) for s in seqs for i in range(len(s) - 2)], dtype=np.int64)
        keys = tri[:, 0] * v + tri[:, 1]
        order = np.argsort(keys, kind="stable")
        self.keys_sorted = keys[order]
        self.nexts = tri[order, 2]
        self.ukeys, self.first = np.unique(self.keys_sorted, return_index=True)
        self.counts = np.diff(np.append(self.first, len(self.keys_sorted)))
        # Order-1 table (next word given the previous one), for the jumps that stop the
        # order-2 model from copying long runs of its source sentences.
        order1 = np.argsort(tri[:, 1], kind="stable")
        self.keys1_sorted = tri[order1, 1]
        self.nexts1 = tri[order1, 2]
        self.ukeys1, self.first1 = np.unique(self.keys1_sorted, return_index=True)
        self.counts1 = np.diff(np.append(self.first1, len(self.keys1_sorted)))
        self.v = v
        self.n_words = len(vocab)
        # Every word occurrence, for frequency-weighted substitutes.
        self.running_words = self.words[tri[:, 2][tri[:, 2] > END]]

    def sentences(self, n: int, rng: np.random.Generator, max_len: int = 60, jump: float = 0.3) -> list[list[str]]:
        """Sample ``n`` sentences in lockstep (vectorised over sentences).

        At each word, with probability ``jump`` the next word depends on the previous word
        only, so a sentence rarely runs along one source sentence for more than a few words.
        """
        prev2 = np.full(n, START, dtype=np.int64)
        prev1 = np.full(n, START, dtype=np.int64)
        out = np.full((n, max_len), END, dtype=np.int64)
        alive = np.ones(n, dtype=bool)
        for t in range(max_len):
            key = prev2 * self.v + prev1
            idx = np.minimum(np.searchsorted(self.ukeys, key), len(self.ukeys) - 1)
            # After a jump the two-word state may never occur in the source: use order 1.
            known = self.ukeys[idx] == key
            pick = self.first[idx] + (rng.random(n) * self.counts[idx]).astype(np.int64)
            idx1 = np.searchsorted(self.ukeys1, prev1)
            pick1 = self.first1[idx1] + (rng.random(n) * self.counts1[idx1]).astype(np.int64)
            chosen = np.where(known & (rng.random(n) >= jump), self.nexts[pick], self.nexts1[pick1])
            nxt = np.where(alive, chosen, END)
            out[:, t] = nxt
            alive &= nxt != END
            prev2, prev1 = prev1, nxt
            if not alive.any():
                break
        words = self.words
        result = []
        for row in out:
            stop = np.flatnonzero(row == END)
            row = row[: stop[0]] if len(stop) else row
            result.append(list(words[row]))
        return result


def make_article(model: WordModel, rng: np.random.Generator, n_words: int, pool: list[list[str]]) -> list[list[list[str]]]:
    """Return paragraphs (lists of sentences) of about ``n_words`` words."""
    paragraphs: list[list[list[str]]] = []
    total = 0
    para: list[list[str]] = []
    while total < n_words:
        if not pool:
            pool.extend(s for s in model.sentences(4096, rng) if len(s) >= 4)
        s = pool.pop()
        para.append(s)
        total += len(s)
        if len(para) >= rng.integers(2, 5):
            paragraphs.append(para)
            para = []
    if para:
        paragraphs.append(para)
    return paragraphs


def reword(words: list[str], rate: float, vocab: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Substitute, drop or swap about ``rate`` of ``words`` (a third each).

    Substitutes are drawn from ``vocab`` as often as words occur in the source text, so a
    replaced word is usually a common one, as in real rewording.
    """
    out = list(words)
    i = 0
    result: list[str] = []
    while i < len(out):
        r = rng.random()
        if r < rate / 3:  # substitute with a random vocabulary word
            result.append(str(vocab[rng.integers(0, len(vocab))]))
        elif r < 2 * rate / 3:  # drop
            pass
        elif r < rate and i + 1 < len(out):  # swap with the next word
            result.extend([out[i + 1], out[i]])
            i += 1
        else:
            result.append(out[i])
        i += 1
    return result


def render(paragraphs: list[list[list[str]]]) -> str:
    return "\n\n".join(" ".join(" ".join(s) for s in para) for para in paragraphs)


def generate(
    n_docs: int,
    sentences: list[list[str]],
    out_dir: Path,
    *,
    words: int = 500,
    reuse: float = 0.05,
    reword_share: float = 0.5,
    reword_rate: float = 0.3,
    outlets: int = 200,
    source_days: float = 3.0,
    seed: int = 0,
) -> dict[str, int]:
    """Write ``n_docs`` articles and the planted passages; return counts."""
    rng = np.random.default_rng(seed)
    model = WordModel(sentences)
    out_dir.mkdir(parents=True, exist_ok=True)
    pool: list[list[str]] = []
    n_targets = round(n_docs * reuse)
    targets = set(rng.choice(np.arange(1, n_docs), size=min(n_targets, n_docs - 1), replace=False).tolist()) if n_docs > 1 else set()
    day0 = dt.date(2020, 1, 1).toordinal()
    kept: dict[int, list[list[list[str]]]] = {}  # recent articles that may be sources
    # Articles are spread over a year; a source is at most about `source_days` days older.
    recent = max(20, int(source_days * n_docs / 365))
    planted = 0
    with (out_dir / "docs.jsonl").open("w", encoding="utf-8") as docs_f, (out_dir / "truth.jsonl").open(
        "w", encoding="utf-8"
    ) as truth_f:
        for k in range(n_docs):
            paragraphs = make_article(model, rng, words, pool)
            plant = None
            if k in targets:
                src = int(rng.integers(max(0, k - recent), k))
                src_pars = kept.get(src)
                if src_pars is not None:
                    plant = _plant(paragraphs, src, src_pars, rng, model.running_words, reword_share, reword_rate)
            text = render(paragraphs)
            doc_id = f"gen{k:07d}"
            date = dt.date.fromordinal(day0 + k * 365 // max(n_docs, 1)).isoformat()
            docs_f.write(json.dumps({"id": doc_id, "text": text, "outlet": f"outlet{k % outlets:03d}", "date": date}) + "\n")
            if plant is not None:
                src_text = render(kept[plant["src"]])
                s_start = src_text.index(plant["source_first"])
                s_end = src_text.index(plant["source_last"], s_start) + len(plant["source_last"])
                t_start = text.index(plant["target_text"])
                truth_f.write(json.dumps({
                    "source": f"gen{plant['src']:07d}", "target": doc_id, "kind": plant["kind"],
                    "words": plant["words"],
                    "source_start": s_start, "source_end": s_end,
                    "target_start": t_start, "target_end": t_start + len(plant["target_text"]),
                }) + "\n")
                planted += 1
            kept[k] = paragraphs
            kept.pop(k - recent, None)
    return {"docs": n_docs, "planted": planted}


def _plant(paragraphs, src, src_pars, rng, vocab, reword_share, reword_rate):
    """Insert a run of whole sentences of ``src_pars`` into ``paragraphs`` as a new paragraph."""
    sents = [s for para in src_pars for s in para]
    length = int(rng.choice(PLANT_LENGTHS))
    first = int(rng.integers(0, len(sents)))
    run: list[list[str]] = []
    n = 0
    i = first
    while i < len(sents) and n < length:
        run.append(sents[i])
        n += len(sents[i])
        i += 1
    if n < min(length, 15):
        return None
    kind = "reworded" if rng.random() < reword_share else "verbatim"
    source_first, source_last = " ".join(run[0]), " ".join(run[-1])
    if kind == "reworded":
        run = [reword(s, reword_rate, vocab, rng) or s[:1] for s in run]
    target_text = " ".join(" ".join(s) for s in run)
    at = int(rng.integers(0, len(paragraphs) + 1))
    paragraphs.insert(at, run)
    return {"src": src, "kind": kind, "words": n, "source_first": source_first,
            "source_last": source_last, "target_text": target_text}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--source-text", nargs="+", required=True, help="folders or .txt files of real news text")
    ap.add_argument("--words", type=int, default=500, help="words per article (about)")
    ap.add_argument("--reuse", type=float, default=0.05, help="share of articles that reuse a passage")
    ap.add_argument("--reword-share", type=float, default=0.5, help="share of planted passages that are reworded")
    ap.add_argument("--reword-rate", type=float, default=0.3, help="share of words changed in a reworded passage")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    sentences = read_sentences(args.source_text)
    counts = generate(args.docs, sentences, args.out, words=args.words, reuse=args.reuse,
                      reword_share=args.reword_share, reword_rate=args.reword_rate, seed=args.seed)
    print(json.dumps({**counts, "source_sentences": len(sentences)}))


if __name__ == "__main__":
    main()
