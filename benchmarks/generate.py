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

Articles are sampled in numba, many at once (``prange`` over articles, each with its own
splitmix64 stream seeded by ``--seed`` and the article's number), so the corpus does not
depend on the number of threads or the chunk size; 1M articles take minutes, not hours.
Everything stays word ids until a chunk is rendered to UTF-8 bytes in one pass.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numba
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from reprints.normalize import sentence_spans  # noqa: E402

START, END = 0, 1
PLANT_LENGTHS = (20, 40, 80, 150)
MAX_SENTENCE = 60  # words; a longer sampled sentence is cut here
MIN_SENTENCE = 4  # words; shorter sampled sentences are dropped
CHUNK = 20_000  # articles sampled and rendered at once


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
    """An order-2 word model (next word given the two before it) as flat transition tables.

    A state is one row of ``ukeys`` (a two-word context seen in the source). Each trigram
    occurrence knows the state it leads to (``succ2``, -1 if that pair never occurs as a
    context), and so does each order-1 entry (``succ1``), so sampling never searches.
    """

    def __init__(self, sentences: list[list[str]]):
        vocab: dict[str, int] = {"<s>": START, "</s>": END}
        seqs = []
        for words in sentences:
            ids = [vocab.setdefault(w, len(vocab)) for w in words]
            seqs.append([START, START, *ids, END])
        self.words = sorted(vocab, key=vocab.__getitem__)
        v = np.int64(len(vocab))
        tri = np.array([(s[i], s[i + 1], s[i + 2]) for s in seqs for i in range(len(s) - 2)], dtype=np.int64)
        keys = tri[:, 0] * v + tri[:, 1]
        order = np.argsort(keys, kind="stable")
        keys_sorted = keys[order]
        self.nexts = tri[order, 2]
        self.ukeys, self.first = np.unique(keys_sorted, return_index=True)
        self.counts = np.diff(np.append(self.first, len(keys_sorted)))
        self.succ2 = self._state_of(tri[order, 1] * v + self.nexts)
        # Order-1 table (next word given the previous one), for the jumps that stop the
        # order-2 model from copying long runs of its source sentences; indexed by word id.
        order1 = np.argsort(tri[:, 1], kind="stable")
        prev1 = tri[order1, 1]
        self.nexts1 = tri[order1, 2]
        self.first1 = np.searchsorted(prev1, np.arange(v)).astype(np.int64)
        self.counts1 = (np.searchsorted(prev1, np.arange(v), side="right") - self.first1).astype(np.int64)
        self.succ1 = self._state_of(prev1 * v + self.nexts1)
        self.start_state = int(self._state_of(np.array([START * v + START]))[0])
        self.v = v
        # Every word occurrence, for frequency-weighted substitutes.
        self.running_words = tri[:, 2][tri[:, 2] > END]
        encoded = [w.encode("utf-8") for w in self.words]
        self.word_bytes = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        self.word_offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=self.word_offsets[1:])

    def _state_of(self, keys: np.ndarray) -> np.ndarray:
        idx = np.minimum(np.searchsorted(self.ukeys, keys), len(self.ukeys) - 1)
        return np.where(self.ukeys[idx] == keys, idx, -1).astype(np.int64)


@numba.njit(cache=True, inline="always")
def _next_random(state: np.ndarray) -> float:
    """Advance a splitmix64 stream (``state[0]``) and return a float in [0, 1)."""
    state[0] += np.uint64(0x9E3779B97F4A7C15)
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return float(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@numba.njit(cache=True, parallel=True)
def _sample_articles(seed, first_article, n_articles, n_words, jump, start_state, nexts, first, counts, succ2,
                     nexts1, first1, counts1, succ1, tokens, sentence_lengths, paragraph_sizes, sizes):
    """Sample articles ``first_article + i`` into row i of the output arrays.

    ``sizes[i]`` gets (words, sentences, paragraphs). Sentences are sampled until the
    article has ``n_words`` words; a paragraph closes after 2–4 sentences.
    """
    for i in numba.prange(n_articles):
        rng = np.zeros(1, dtype=np.uint64)
        rng[0] = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(first_article + i) * np.uint64(0xD1B54A32D192ED03)
        _next_random(rng)
        n_tok = 0
        n_sent = 0
        n_para = 0
        in_para = 0
        while n_tok < n_words:
            state = start_state
            word = START
            length = 0
            while length < MAX_SENTENCE:
                if state >= 0 and _next_random(rng) >= jump:
                    j = first[state] + int(_next_random(rng) * counts[state])
                    nxt = nexts[j]
                    state = succ2[j]
                else:
                    j = first1[word] + int(_next_random(rng) * counts1[word])
                    nxt = nexts1[j]
                    state = succ1[j]
                if nxt == END:
                    break
                tokens[i, n_tok + length] = nxt
                word = nxt
                length += 1
            if length < MIN_SENTENCE:
                continue
            n_tok += length
            sentence_lengths[i, n_sent] = length
            n_sent += 1
            in_para += 1
            if in_para >= 2 + int(_next_random(rng) * 3):
                paragraph_sizes[i, n_para] = in_para
                n_para += 1
                in_para = 0
        if in_para:
            paragraph_sizes[i, n_para] = in_para
            n_para += 1
        sizes[i, 0] = n_tok
        sizes[i, 1] = n_sent
        sizes[i, 2] = n_para


@numba.njit(cache=True)
def _render(word_bytes, word_offsets, tokens, sentence_lengths, paragraph_sizes, out):
    """Write one article as UTF-8: words joined by spaces, paragraphs by a blank line; return its length."""
    pos = 0
    t = 0
    s = 0
    for p in range(len(paragraph_sizes)):
        if p:
            out[pos] = 10
            out[pos + 1] = 10
            pos += 2
        for k in range(paragraph_sizes[p]):
            if k:
                out[pos] = 32
                pos += 1
            for w in range(sentence_lengths[s]):
                if w:
                    out[pos] = 32
                    pos += 1
                word = tokens[t]
                for b in range(word_offsets[word], word_offsets[word + 1]):
                    out[pos] = word_bytes[b]
                    pos += 1
                t += 1
            s += 1
    return pos


class Article:
    """One article as word ids: ``tokens``, ``sentence_lengths`` (words), ``paragraph_sizes`` (sentences)."""

    __slots__ = ("tokens", "sentence_lengths", "paragraph_sizes")

    def __init__(self, tokens: np.ndarray, sentence_lengths: np.ndarray, paragraph_sizes: np.ndarray):
        self.tokens = tokens
        self.sentence_lengths = sentence_lengths
        self.paragraph_sizes = paragraph_sizes

    def sentences(self) -> list[np.ndarray]:
        bounds = np.concatenate([[0], np.cumsum(self.sentence_lengths)])
        return [self.tokens[bounds[i]: bounds[i + 1]] for i in range(len(self.sentence_lengths))]

    def render(self, model: WordModel, buffer: np.ndarray) -> str:
        n = _render(model.word_bytes, model.word_offsets, self.tokens, self.sentence_lengths, self.paragraph_sizes, buffer)
        return buffer[:n].tobytes().decode("utf-8")


def sentence_text(model: WordModel, ids: np.ndarray) -> str:
    return " ".join(model.words[i] for i in ids)


def reword_items(items: list, rate: float, vocab: np.ndarray, rng: np.random.Generator) -> list:
    """Substitute, drop or swap about ``rate`` of ``items`` (a third each); substitutes come from ``vocab``.

    Items are words or word ids alike: one draw of ``rng`` per item, so the same seed rewords
    the same way whatever the items are.
    """
    i = 0
    result: list = []
    while i < len(items):
        r = rng.random()
        if r < rate / 3:  # substitute with a random vocabulary word
            result.append(vocab[rng.integers(0, len(vocab))].item())
        elif r < 2 * rate / 3:  # drop
            pass
        elif r < rate and i + 1 < len(items):  # swap with the next word
            result.extend([items[i + 1], items[i]])
            i += 1
        else:
            result.append(items[i])
        i += 1
    return result


def reword(ids: np.ndarray, rate: float, vocab: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Substitute, drop or swap about ``rate`` of the words ``ids`` (a third each).

    Substitutes are drawn from ``vocab`` (word ids, one per occurrence in the source text), so
    a replaced word is usually a common one, as in real rewording.
    """
    out = ids.tolist()
    return np.array(reword_items(out, rate, vocab, rng) or out[:1], dtype=np.int32)


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
    jump: float = 0.3,
) -> dict[str, int]:
    """Write ``n_docs`` articles and the planted passages; return counts."""
    rng = np.random.default_rng(seed)
    model = WordModel(sentences)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_targets = round(n_docs * reuse)
    targets = set(rng.choice(np.arange(1, n_docs), size=min(n_targets, n_docs - 1), replace=False).tolist()) if n_docs > 1 else set()
    day0 = dt.date(2020, 1, 1).toordinal()
    # Articles are spread over a year; a source is at most about `source_days` days older.
    recent = max(20, int(source_days * n_docs / 365))
    max_tokens = words + MAX_SENTENCE + 1
    max_sentences = words // MIN_SENTENCE + 2
    planted_articles: dict[int, Article] = {}  # recent targets, as planted
    chunks: dict[int, tuple] = {}  # the current and previous chunk's sampled arrays
    buffer = np.empty(16 * (max_tokens + max(PLANT_LENGTHS) * 2) * 8, dtype=np.uint8)
    planted = 0

    def article(k: int) -> Article:
        if k in planted_articles:
            return planted_articles[k]
        first_k, (tokens, lengths, paras, sizes) = chunks[k // CHUNK]
        i = k - first_k
        n_tok, n_sent, n_para = sizes[i]
        return Article(tokens[i, :n_tok], lengths[i, :n_sent], paras[i, :n_para])

    with (out_dir / "docs.jsonl").open("w", encoding="utf-8") as docs_f, (out_dir / "truth.jsonl").open(
        "w", encoding="utf-8"
    ) as truth_f:
        for first_k in range(0, n_docs, CHUNK):
            n = min(CHUNK, n_docs - first_k)
            tokens = np.zeros((n, max_tokens), dtype=np.int32)
            lengths = np.zeros((n, max_sentences), dtype=np.int32)
            paras = np.zeros((n, max_sentences), dtype=np.int32)
            sizes = np.zeros((n, 3), dtype=np.int64)
            _sample_articles(seed, first_k, n, words, jump, model.start_state, model.nexts, model.first, model.counts,
                             model.succ2, model.nexts1, model.first1, model.counts1, model.succ1,
                             tokens, lengths, paras, sizes)
            chunks[first_k // CHUNK] = (first_k, (tokens, lengths, paras, sizes))
            chunks.pop(first_k // CHUNK - 2, None)
            lines = []
            for k in range(first_k, first_k + n):
                plant = None
                if k in targets:
                    src = int(rng.integers(max(0, k - recent), k))
                    plant = _plant(model, article(k), src, article(src), rng, reword_share, reword_rate)
                    if plant is not None:
                        planted_articles[k] = plant["article"]
                planted_articles.pop(k - recent, None)
                text = article(k).render(model, buffer)
                doc_id = f"gen{k:07d}"
                date = dt.date.fromordinal(day0 + k * 365 // max(n_docs, 1)).isoformat()
                lines.append(json.dumps({"id": doc_id, "text": text, "outlet": f"outlet{k % outlets:03d}", "date": date}))
                if plant is not None:
                    src_text = article(src).render(model, buffer)
                    s_start = src_text.index(plant["source_first"])
                    s_end = src_text.index(plant["source_last"], s_start) + len(plant["source_last"])
                    t_start = text.index(plant["target_text"])
                    truth_f.write(json.dumps({
                        "source": f"gen{src:07d}", "target": doc_id, "kind": plant["kind"],
                        "words": plant["words"],
                        "source_start": s_start, "source_end": s_end,
                        "target_start": t_start, "target_end": t_start + len(plant["target_text"]),
                    }) + "\n")
                    planted += 1
            docs_f.write("\n".join(lines) + "\n")
    return {"docs": n_docs, "planted": planted}


def _plant(model: WordModel, target: Article, src: int, source: Article, rng: np.random.Generator,
           reword_share: float, reword_rate: float) -> dict | None:
    """Return ``target`` with a run of whole sentences of ``source`` inserted as a new paragraph."""
    sents = source.sentences()
    length = int(rng.choice(PLANT_LENGTHS))
    first = int(rng.integers(0, len(sents)))
    run: list[np.ndarray] = []
    n = 0
    i = first
    while i < len(sents) and n < length:
        run.append(sents[i])
        n += len(sents[i])
        i += 1
    if n < min(length, 15):
        return None
    kind = "reworded" if rng.random() < reword_share else "verbatim"
    source_first, source_last = sentence_text(model, run[0]), sentence_text(model, run[-1])
    if kind == "reworded":
        run = [reword(s, reword_rate, model.running_words, rng) for s in run]
    target_text = " ".join(sentence_text(model, s) for s in run)
    at = int(rng.integers(0, len(target.paragraph_sizes) + 1))
    before = int(target.paragraph_sizes[:at].sum())
    bounds = np.concatenate([[0], np.cumsum(target.sentence_lengths)])
    cut = int(bounds[before])
    planted = Article(
        np.concatenate([target.tokens[:cut], *run, target.tokens[cut:]]).astype(np.int32),
        np.concatenate([target.sentence_lengths[:before], [len(s) for s in run], target.sentence_lengths[before:]]).astype(np.int32),
        np.concatenate([target.paragraph_sizes[:at], [len(run)], target.paragraph_sizes[at:]]).astype(np.int32),
    )
    return {"article": planted, "kind": kind, "words": n, "source_first": source_first,
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
    ap.add_argument("--jump", type=float, default=0.3,
                    help="share of words drawn from the order-1 model instead of the order-2 one "
                         "(1.0: order-1 only, so articles share few runs of source words by chance)")
    args = ap.parse_args(argv)
    sentences = read_sentences(args.source_text)
    counts = generate(args.docs, sentences, args.out, words=args.words, reuse=args.reuse,
                      reword_share=args.reword_share, reword_rate=args.reword_rate, seed=args.seed, jump=args.jump)
    print(json.dumps({**counts, "source_sentences": len(sentences)}))


if __name__ == "__main__":
    main()
