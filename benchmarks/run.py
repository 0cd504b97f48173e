"""Speed, memory and recall of the candidate pipeline as the corpus grows.

    nice python benchmarks/run.py --docs 10000,100000 --work /tmp/reprints-bench \\
        --source-text ../shared/data/polnear/data/train/text \\
                      ../shared/data/meter/meter_corpus/PA/rawtexts/courts [--jobs 2] [--e2e]

For each size N it generates a corpus (``benchmarks/generate.py``, 500-word articles, 5% of
them reusing a planted verbatim or reworded passage) unless ``WORK/genN`` exists, then
measures per stage docs/s, MB/s and peak RSS:

* read: ``reprints.read.iter_documents`` over the JSONL;
* features: tokenise + hash shingles and content words (``--jobs`` processes);
* band articles: banding as issue 8 defines it, one signature per article (all its
  shingles), ``bands`` x ``rows`` sorted band keys -> article pairs (datasketch
  ``MinHashLSH``'s candidates);
* sign: MinHash signatures of every passage window, cut into band keys;
* band: bucket the keys, pair windows of different articles, count per article pair, for
  each channel (verbatim shingle windows; reworded content-word windows), then merge;
* end to end (``--e2e``): ``reprints.scan.scan`` and ``store.write_results`` in a child
  process, with the scan's own stage times (segment, candidates, align, quotes) and peak RSS.

Recall is measured on the planted passages (a planted pair is found when it is a candidate;
with ``--e2e``, when a match overlaps the planted span in both articles); precision is the
share of candidate pairs (or matches) that are planted ones. Side by side on the first
``--compare-docs`` articles: datasketch ``MinHash.update`` per shingle, ``MinHash.bulk``,
our signer on whole articles (from tokens, and from the text), datasketch ``MinHashLSH``
against our band index on the same signatures, and brute-force all-pairs TF-IDF cosine.
Timings on a shared machine are noisy; run with ``nice`` and say so.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from reprints.candidates import (  # noqa: E402
    CHANNELS,
    band_pairs,
    channel_bands,
    channel_keys,
    channel_max_bucket,
    common_words,
    content_weights,
    date_blocks,
    merge_channels,
    propose_bands,
    reworded_pairs,
    window_doc_pairs,
    windows,
    word_frequencies,
)
from reprints.engine import LocalEngine  # noqa: E402
from reprints.minhash import MinHasher  # noqa: E402
from reprints.params import Params  # noqa: E402


class PeakRSS:
    """Sample the RSS of this process (and its children) to find a stage's peak.

    ``peak`` sums each process's RSS, so pages a forked worker shares with its parent count
    once per process (an upper bound); ``peak_pss`` sums their proportional set sizes
    (shared pages split between the processes that share them: the memory they take
    together), sampled every ``pss_every``-th time.
    """

    def __init__(self, interval: float = 0.02, pss_every: int = 5):
        self.proc = psutil.Process()
        self.interval = interval
        self.pss_every = pss_every
        self.peak = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        total = self.proc.memory_info().rss
        for child in self.proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total

    def _pss(self) -> int:
        total = 0
        for proc in (self.proc, *self.proc.children(recursive=True)):
            with contextlib.suppress(psutil.Error, AttributeError):
                total += proc.memory_full_info().pss
        return total

    def _run(self) -> None:
        tick = 0
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            if tick % self.pss_every == 0:
                self.peak_pss = max(self.peak_pss, self._pss())
            tick += 1
            time.sleep(self.interval)

    def __enter__(self) -> PeakRSS:
        self.peak = self._rss()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def stage_row(name: str, seconds: float, docs: int, mbytes: float, peak: int, cpu: float | None = None) -> dict:
    return {
        "stage": name,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2) if cpu is not None else None,
        "docs_per_s": round(docs / seconds) if seconds > 0 else None,
        "mb_per_s": round(mbytes / seconds, 1) if seconds > 0 else None,
        "peak_rss_mb": round(peak / 2**20),
    }


def pair_of(rec: dict, index: dict[str, int]) -> tuple[int, int] | None:
    a, b = index.get(rec["source"]), index.get(rec["target"])
    if a is None or b is None:
        return None
    return (min(a, b), max(a, b))


def candidate_scores(pairs: set[tuple[int, int]], truth: list[dict], index: dict[str, int]) -> dict:
    """Recall of planted pairs per kind and length, and the share of candidates that are planted."""
    out: dict[str, object] = {}
    planted = set()
    for kind in ("verbatim", "reworded"):
        for label, lo, hi in (("<40", 0, 40), ("40+", 40, 10**9)):
            sel = [pair_of(t, index) for t in truth if t["kind"] == kind and lo <= t["words"] < hi]
            sel = [p for p in sel if p is not None]
            hit = sum(p in pairs for p in sel)
            out[f"recall_{kind}_{label}"] = round(hit / len(sel), 4) if sel else None
            out[f"n_{kind}_{label}"] = len(sel)
            planted.update(sel)
    out["candidates"] = len(pairs)
    out["precision"] = round(len(pairs & planted) / len(pairs), 4) if pairs else None
    return out


def run_stages(docs_path: Path, truth: list[dict], params: Params, jobs: int, channels: tuple[str, ...] = CHANNELS) -> dict:
    from reprints.model import Document
    from reprints.read import iter_documents

    mbytes = docs_path.stat().st_size / 2**20
    rows = []
    with PeakRSS() as rss:
        t, c = time.perf_counter(), time.process_time()
        docs = [d for d in iter_documents([docs_path]) if isinstance(d, Document)]
        rows.append(stage_row("read", time.perf_counter() - t, len(docs), mbytes, rss.peak, time.process_time() - c))
    n = len(docs)
    texts = [d.text for d in docs]
    dates = [d.date for d in docs]
    index = {d.id: k for k, d in enumerate(docs)}
    del docs
    engine = LocalEngine(jobs)
    with PeakRSS() as rss:
        t, c = time.perf_counter(), time.process_time()
        feats = engine.features(texts, params)
        cpu = time.process_time() - c if jobs == 1 else None  # workers' CPU is not ours
        rows.append(stage_row("features (tokenise + hash)", time.perf_counter() - t, n, mbytes, rss.peak, cpu))
    del texts
    hasher = MinHasher(params.num_perm, params.seed)
    MinHasher(8, 1).sign_ranges(np.arange(10, dtype=np.uint32), np.array([0]), np.array([5]))  # compile
    from reprints import lsh

    lsh.candidate_pairs(np.array([[1], [1], [2]], dtype=np.uint64))  # load the pair kernel outside the timing
    rows.append(article_banding(feats, params, hasher, n, mbytes))
    sign_s = band_s = 0.0
    sign_c = band_c = 0.0
    band_by_channel = {}
    per_channel = {}
    window_counts = {}
    code_counts = {}
    blocks = date_blocks(dates, params)
    with PeakRSS() as rss:
        empty = np.zeros(0, dtype=np.int64)
        per_channel = dict.fromkeys(CHANNELS, (empty, empty, empty))
        for channel in channels:
            t, c = time.perf_counter(), time.process_time()
            frequencies = word_frequencies(feats.words, feats.word_offsets) if channel == "reworded" else None
            drop = common_words(feats, params, frequencies) if channel == "reworded" else None
            wins = windows(feats, channel, params, drop)
            sign_s += time.perf_counter() - t
            sign_c += time.process_time() - c
            window_counts[channel] = len(wins.starts)
            bands, _rows = channel_bands(channel, params)
            win_blocks = blocks[wins.docs] if blocks is not None else None
            codes = []
            for lo in range(0, bands, 8):
                hi = min(lo + 8, bands)
                t, c = time.perf_counter(), time.process_time()
                keys = channel_keys(wins, channel, params, lo, hi, hasher)
                sign_s += time.perf_counter() - t
                sign_c += time.process_time() - c
                t, c = time.perf_counter(), time.process_time()
                codes.extend(
                    band_pairs(np.ascontiguousarray(keys[:, k]), wins.docs, channel_max_bucket(channel, params), win_blocks)
                    for k in range(hi - lo)
                )
                band_s += time.perf_counter() - t
                band_c += time.process_time() - c
            t, c = time.perf_counter(), time.process_time()
            if channel == "verbatim":
                per_channel[channel] = window_doc_pairs(codes, wins.docs, n, 1)
            else:  # the stage's own pairs, verified as the scan does
                proposed = window_doc_pairs(codes, wins.docs, n, params.reword_min_bands, propose_bands(params))
                weights = content_weights(feats.words, feats.word_offsets, frequencies)
                per_channel[channel] = reworded_pairs(proposed, params, weights)
            code_counts[channel] = int(sum(len(x) for x in codes))
            band_s += time.perf_counter() - t
            band_c += time.process_time() - c
            band_by_channel[channel] = (band_s - sum(w for w, _ in band_by_channel.values()),
                                        band_c - sum(u for _, u in band_by_channel.values()))
        t, c = time.perf_counter(), time.process_time()
        candidates = merge_channels(per_channel["verbatim"], per_channel["reworded"], params, n, dates=dates)
        band_s += time.perf_counter() - t
        band_c += time.process_time() - c
        peak = rss.peak
    rows.append(stage_row("sign (windows -> band keys)", sign_s, n, mbytes, peak, sign_c))
    for channel, (wall, cpu) in band_by_channel.items():
        rows.append(stage_row(f"band {channel} windows (buckets -> window pairs -> article pairs)", wall, n, mbytes, peak, cpu))
    rows.append(stage_row("band, both channels + merge (buckets -> candidate pairs)", band_s, n, mbytes, peak, band_c))
    pairs = {(c.a, c.b) for c in candidates}
    return {
        "docs": n,
        "mb": round(mbytes, 1),
        "windows": window_counts,
        "colliding_window_pairs": code_counts,
        "stages": rows,
        "candidates": candidate_scores(pairs, truth, index),
    }


def article_banding(feats, params: Params, hasher: MinHasher, n: int, mbytes: float) -> dict:
    """Banding as issue 8 defines it: one signature per article, sorted/grouped band keys -> pairs.

    Signatures of whole articles (all their shingles) are made first (not timed here); the
    row times ``lsh.band_keys`` + ``lsh.candidate_pairs`` over ``params.bands`` bands, the
    same candidates as datasketch's ``MinHashLSH`` with those bands and rows.
    """
    from reprints import lsh

    sigs = hasher.sign_ranges(feats.shingles, feats.shingle_offsets[:-1], feats.shingle_offsets[1:])
    with PeakRSS() as rss:
        t, c = time.perf_counter(), time.process_time()
        i, _j, _hits = lsh.candidate_pairs(lsh.band_keys(sigs, params.bands))
        row = stage_row(
            f"band articles (issue 8 definition: 1 signature/article, {params.bands}x{params.num_perm // params.bands})",
            time.perf_counter() - t, n, mbytes, rss.peak, time.process_time() - c,
        )
    row["pairs"] = len(i)
    return row


def side_by_side(docs_path: Path, truth: list[dict], params: Params, n_docs: int, n_update: int, n_tfidf: int) -> dict:
    """datasketch update / bulk vs ours, and brute-force TF-IDF, on the first articles.

    Rates are per CPU second of this process (``time.process_time``), so that other work on
    a shared machine does not skew the ratios; all start from the same tokens.
    """
    from datasketch import MinHash
    from sklearn.feature_extraction.text import TfidfVectorizer

    from reprints.normalize import tokenize
    from reprints.shingle import kgram_hashes_many, shingle_hashes_many, text_word_hashes

    texts, ids = [], []
    with docs_path.open(encoding="utf-8") as f:
        for line, _ in zip(f, range(max(n_docs, n_tfidf)), strict=False):
            rec = json.loads(line)
            texts.append(rec["text"])
            ids.append(rec["id"])
    tokens = [tokenize(t) for t in texts[:n_docs]]
    k = params.shingle_size
    out: dict[str, object] = {"docs": len(tokens)}

    def shingle_bytes(tok):
        norms = tok.norms
        return [" ".join(norms[i : i + k]).encode("utf-8") for i in range(len(norms) - k + 1)]

    t = time.process_time()
    for tok in tokens[:n_update]:
        m = MinHash(num_perm=params.num_perm, seed=params.seed)
        for s in shingle_bytes(tok):
            m.update(s)
    out["datasketch_update_docs_per_s"] = round(min(n_update, len(tokens)) / (time.process_time() - t))
    t = time.process_time()
    MinHash.bulk([shingle_bytes(tok) for tok in tokens], num_perm=params.num_perm, seed=params.seed)
    out["datasketch_bulk_docs_per_s"] = round(len(tokens) / (time.process_time() - t))

    hasher = MinHasher(params.num_perm, params.seed)
    hasher.sign(np.arange(10, dtype=np.uint32))  # compile the kernel outside the timing
    shingle_hashes_many(tokens[:2], k)
    for label, use_numba in (("ours_numba", True), ("ours_numpy", False)):
        h = MinHasher(params.num_perm, params.seed, use_numba=use_numba)
        t = time.process_time()
        values, offsets = shingle_hashes_many(tokens, k)
        signatures = h.sign_ranges(values, offsets[:-1], offsets[1:])
        out[f"{label}_doc_signatures_docs_per_s"] = round(len(tokens) / (time.process_time() - t))
    out["signature_speedup_vs_bulk"] = round(out["ours_numba_doc_signatures_docs_per_s"] / out["datasketch_bulk_docs_per_s"], 1)
    # The same from the text: tokenising counted on both sides.
    sub_texts = texts[:n_docs]
    t = time.process_time()
    MinHash.bulk([shingle_bytes(tokenize(x)) for x in sub_texts], num_perm=params.num_perm, seed=params.seed)
    bulk_text = len(sub_texts) / (time.process_time() - t)
    # Ours from the text: the tokenizer's folded code points hashed in one pass (no string
    # per word), k-grams, signatures (candidates.text_features does the same for the stage).
    text_word_hashes(sub_texts[:2], params.reword_prefix)
    t = time.process_time()
    full, _head, _chars, lengths = text_word_hashes(sub_texts, params.reword_prefix)
    values, offsets = kgram_hashes_many(full, lengths, k)
    hasher.sign_ranges(values, offsets[:-1], offsets[1:])
    ours_text = len(sub_texts) / (time.process_time() - t)
    out["from_text_datasketch_bulk_docs_per_s"] = round(bulk_text)
    out["from_text_ours_docs_per_s"] = round(ours_text)
    out["from_text_speedup_vs_bulk"] = round(ours_text / bulk_text, 1)

    # Banding: datasketch MinHashLSH insert + query vs our sorted band keys, same signatures.
    from datasketch import MinHashLSH

    from reprints import lsh

    bands = params.bands
    sketches = [MinHash(num_perm=params.num_perm, hashvalues=s, scheme="affine32") for s in signatures]
    t = time.process_time()
    index = MinHashLSH(num_perm=params.num_perm, params=(bands, params.num_perm // bands))
    for key, m in enumerate(sketches):
        index.insert(key, m)
    theirs = {(min(key, j), max(key, j)) for key, m in enumerate(sketches) for j in index.query(m) if j != key}
    ds_s = time.process_time() - t
    t = time.process_time()
    i, j, _hits = lsh.candidate_pairs(lsh.band_keys(signatures, bands))
    ours_s = time.process_time() - t
    out["banding_datasketch_lsh_docs_per_s"] = round(len(signatures) / ds_s)
    out["banding_ours_docs_per_s"] = round(len(signatures) / ours_s) if ours_s > 0 else None
    out["banding_same_pairs_as_datasketch"] = theirs == set(zip(i.tolist(), j.tolist(), strict=True))
    if not n_tfidf:
        return out

    # Brute force: every pair's TF-IDF cosine, the thing the candidates avoid.
    sub = texts[:n_tfidf]
    index = {d: i for i, d in enumerate(ids[:n_tfidf])}
    t = time.process_time()
    matrix = TfidfVectorizer(sublinear_tf=True, min_df=1).fit_transform(sub)
    sims = (matrix @ matrix.T).tocoo()
    found = {(int(i), int(j)) for i, j, v in zip(sims.row, sims.col, sims.data, strict=True) if i < j and v >= 0.3}
    out["tfidf_all_pairs_docs"] = len(sub)
    out["tfidf_all_pairs_seconds"] = round(time.process_time() - t, 2)
    out["tfidf_all_pairs_cosine_0.3"] = candidate_scores(found, truth, index)
    return out


def end_to_end(
    docs_path: Path, truth_path: Path, out_dir: Path, params: Params, jobs: int = 1, overlap: bool = False
) -> dict:
    """Run scan + write in a child process (its own peak RSS) and score its matches.

    The child scans with the run's parameters (``--date-window``, ``--set``) and, with
    ``jobs > 1``, a ``LocalEngine(jobs, overlap=overlap)`` (candidate banding threads,
    alignment processes; quote grouping beside them with ``overlap``).
    """
    cmd = [sys.executable, __file__, "--e2e-child", str(docs_path), "--work", str(out_dir),
           "--jobs", str(jobs), "--e2e-params", json.dumps(params.to_dict())]
    if overlap:
        cmd.append("--overlap")
    with PeakRSS() as rss:
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        seconds = time.perf_counter() - t
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:], "returncode": proc.returncode}
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    child["wall_seconds"] = round(seconds, 1)
    child["peak_rss_mb"] = round(rss.peak / 2**20)
    child["peak_pss_mb"] = round(rss.peak_pss / 2**20)
    child["scores"] = match_scores(out_dir / "matches.jsonl", truth_path)
    return child


def e2e_child(docs_path: Path, out_dir: Path, params: Params, jobs: int, overlap: bool = False) -> None:
    import resource

    from reprints.engine import make_engine
    from reprints.model import Document
    from reprints.read import iter_documents
    from reprints.scan import scan
    from reprints.store import write_results

    def mark(stage: str) -> tuple:
        # children's CPU counts too (alignment worker processes with --jobs)
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
        return (stage, time.perf_counter(), cpu, own.ru_maxrss >> 10)

    marks = [mark("load")]  # reading the JSONL into Documents
    last = {"stage": None}

    out_dir.mkdir(parents=True, exist_ok=True)
    trail = (out_dir / "stages.jsonl").open("w", encoding="utf-8")  # survives a killed child

    def progress(stage: str, done: int, total: int) -> None:
        if stage != last["stage"]:
            marks.append(mark(stage))
            last["stage"] = stage
            trail.write(json.dumps(marks[-1]) + "\n")
            trail.flush()

    t0 = time.perf_counter()
    docs = [d for d in iter_documents([docs_path]) if isinstance(d, Document)]
    engine = make_engine("local", jobs=jobs, overlap=overlap) if jobs > 1 else None
    result = scan(docs, params, progress=progress, engine=engine)
    progress("write", 0, 1)
    write_results(out_dir, result)
    progress("end", 0, 1)
    trail.close()
    wall, cpu, peak = {}, {}, {}
    for (name, start, c_start, _r), (_next, end, c_end, rss_end) in itertools.pairwise(marks):
        wall[name] = round(end - start, 1)
        cpu[name] = round(c_end - c_start, 1)
        peak[name] = rss_end
    print(json.dumps({"docs": len(docs), "matches": len(result.matches), "quotes": len(result.quotes),
                      "derived": len(result.derived), "wall_seconds_by_stage": wall,
                      "cpu_seconds_by_stage": cpu, "max_rss_mb_by_end_of_stage": peak,
                      "total_seconds": round(time.perf_counter() - t0, 1),
                      "total_cpu_seconds": round(marks[-1][2], 1)}))


def match_scores(matches_path: Path, truth_path: Path) -> dict:
    """Recall/precision of aligned matches against the planted passages (spans must overlap)."""
    truth = [json.loads(line) for line in truth_path.read_text(encoding="utf-8").splitlines()]
    by_pair: dict[tuple[str, str], list[dict]] = {}
    for t in truth:
        by_pair.setdefault(tuple(sorted((t["source"], t["target"]))), []).append(t)
    lines = matches_path.read_text(encoding="utf-8").splitlines() if matches_path.exists() else []
    matches = [json.loads(line) for line in lines]
    found: set[int] = set()
    true_matches = 0
    for m in matches:
        a, b = m["a"], m["b"]
        hit = False
        for t in by_pair.get(tuple(sorted((a["doc"], b["doc"]))), []):
            side = {t["source"]: (t["source_start"], t["source_end"]), t["target"]: (t["target_start"], t["target_end"])}
            if all(x["start"] < side[x["doc"]][1] and side[x["doc"]][0] < x["end"] for x in (a, b)):
                found.add(id(t))
                hit = True
        true_matches += hit
    out: dict[str, object] = {"matches": len(matches)}
    for kind in ("verbatim", "reworded"):
        for label, lo, hi in (("<40", 0, 40), ("40+", 40, 10**9)):
            sel = [t for t in truth if t["kind"] == kind and lo <= t["words"] < hi]
            out[f"recall_{kind}_{label}"] = round(sum(id(t) in found for t in sel) / len(sel), 4) if sel else None
    out["precision"] = round(true_matches / len(matches), 4) if matches else None
    return out


def markdown(report: dict) -> str:
    lines = []
    for run in report["runs"]:
        lines.append(f"### {run['docs']:,} articles ({run['mb']} MB), jobs={report['jobs']}, load average {run.get('load')}")
        lines.append("")
        lines.append("| stage | wall s | CPU s | docs/s (wall) | docs/s (CPU) | MB/s (wall) | peak RSS (MB) |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|")
        for r in run["stages"]:
            cpu = r["cpu_seconds"]
            per_cpu = f"{round(run['docs'] / cpu):,}" if cpu else "-"
            lines.append(
                f"| {r['stage']} | {r['seconds']} | {cpu if cpu is not None else '-'} | {r['docs_per_s']:,} | "
                f"{per_cpu} | {r['mb_per_s']} | {r['peak_rss_mb']:,} |"
            )
        lines.append("")
        lines.append(f"windows: {run['windows']}; colliding window pairs: {run['colliding_window_pairs']}")
        lines.append("")
        lines.append(f"candidates: `{json.dumps(run['candidates'])}`")
        if "e2e" in run:
            lines.append("")
            lines.append(f"end to end: `{json.dumps(run['e2e'])}`")
        lines.append("")
    e2e = [run for run in report["runs"] if isinstance(run.get("e2e"), dict) and "cpu_seconds_by_stage" in run["e2e"]]
    if e2e:
        lines.extend(e2e_table(e2e))
    if report.get("side_by_side"):
        lines.append(f"side by side: `{json.dumps(report['side_by_side'])}`")
    return "\n".join(lines)


def e2e_table(runs: list[dict]) -> list[str]:
    """One table of the end-to-end scans: per stage CPU s (CPU ms per article), then totals."""
    head = "| scan stage | " + " | ".join(f"{r['docs']:,} articles: CPU s (ms/article) · wall s · docs/s (wall) · MB/s (wall)" for r in runs) + " |"
    lines = ["#### End to end (`reprints.scan` + writing the results)", "", head, "|---|" + "---|" * len(runs)]
    stages = list(dict.fromkeys(name for r in runs for name in r["e2e"]["cpu_seconds_by_stage"]))
    for name in stages:
        cells = []
        for r in runs:
            e = r["e2e"]
            cpu, wall = e["cpu_seconds_by_stage"].get(name), e["wall_seconds_by_stage"].get(name)
            if cpu is None:
                cells.append("-")
                continue
            rate = f"{round(r['docs'] / wall):,}" if wall else "-"
            mbs = round(r["mb"] / wall, 1) if wall else "-"
            cells.append(f"{cpu} ({1000 * cpu / r['docs']:.2f}) · {wall} · {rate} · {mbs}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    rows = [
        ("**total CPU s (ms/article)**", lambda e, r: f"**{e['total_cpu_seconds']} ({1000 * e['total_cpu_seconds'] / r['docs']:.2f})**"),
        ("**wall s** (child)", lambda e, r: f"**{e['wall_seconds']}**"),
        ("**peak RSS MB** (summed over the processes)", lambda e, r: f"**{e['peak_rss_mb']:,}**"),
        ("peak PSS MB (shared pages counted once)", lambda e, r: f"{e['peak_pss_mb']:,}" if "peak_pss_mb" in e else "-"),
        ("max RSS at the end of each stage (MB)", lambda e, r: " / ".join(f"{k} {v:,}" for k, v in e["max_rss_mb_by_end_of_stage"].items())),
        ("matches · derived spans · quotes", lambda e, r: f"{e['matches']:,} · {e.get('derived', 0):,} · {e.get('quotes', 0):,}"),
        ("recall verbatim 40+ / reworded 40+", lambda e, r: f"{e['scores']['recall_verbatim_40+']} / {e['scores']['recall_reworded_40+']}"),
        ("recall verbatim <40 / reworded <40; precision", lambda e, r: f"{e['scores']['recall_verbatim_<40']} / {e['scores']['recall_reworded_<40']}; {e['scores']['precision']}"),
        ("load average before / after", lambda e, r: f"{r.get('load')} / {r.get('load_after_e2e')}"),
    ]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(r["e2e"], r) for r in runs) + " |")
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        ratio = (last["e2e"]["total_cpu_seconds"] / last["docs"]) / (first["e2e"]["total_cpu_seconds"] / first["docs"])
        lines += ["", f"CPU per article, {last['docs']:,} against {first['docs']:,}: {ratio:.2f}×"]
    lines.append("")
    return lines


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", default="10000", help="comma-separated corpus sizes")
    ap.add_argument("--work", type=Path, default=Path("/tmp/reprints-bench"))
    ap.add_argument("--source-text", nargs="+", help="real news text for the generator")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--overlap", action="store_true", help="group quotes beside the later stages (LocalEngine overlap)")
    ap.add_argument("--e2e", action="store_true", help="also run reprints.scan end to end")
    ap.add_argument("--compare-docs", type=int, default=2000, help="articles for the datasketch comparison")
    ap.add_argument("--update-docs", type=int, default=300, help="articles for datasketch update per shingle")
    ap.add_argument("--tfidf-docs", type=int, default=2000, help="articles for brute-force TF-IDF")
    ap.add_argument("--date-window", type=int, default=7, help="Params.date_window_days for the run")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a Params field (JSON value)")
    ap.add_argument("--json", type=Path, help="also write the report as JSON here")
    ap.add_argument("--channels", default=",".join(CHANNELS), help="candidate channels to band (e.g. verbatim)")
    ap.add_argument("--e2e-only", action="store_true", help="skip the candidate stage rows; only the end-to-end scan")
    ap.add_argument("--e2e-child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--e2e-params", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.e2e_child:
        e2e_child(args.e2e_child, args.work, Params.from_dict(json.loads(args.e2e_params)), args.jobs, args.overlap)
        return
    overrides = {}
    for item in args.set:
        key, _, value = item.partition("=")
        overrides[key] = json.loads(value)
    params = Params(date_window_days=args.date_window).replace(**overrides)
    report: dict[str, object] = {"jobs": args.jobs, "cpus": os.cpu_count(), "params": params.to_dict(), "runs": []}
    for n in [int(x) for x in args.docs.split(",")]:
        gen = args.work / f"gen{n}"
        if not (gen / "docs.jsonl").exists():
            if not args.source_text:
                raise SystemExit(f"{gen} does not exist; pass --source-text to generate it")
            from generate import generate, read_sentences

            t = time.perf_counter()
            generate(n, read_sentences(args.source_text), gen)
            print(f"generated {n} articles in {time.perf_counter() - t:.0f}s", file=sys.stderr)
        truth = [json.loads(line) for line in (gen / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
        if args.e2e_only:
            run = {"docs": n, "mb": round((gen / "docs.jsonl").stat().st_size / 2**20, 1), "stages": [],
                   "windows": None, "colliding_window_pairs": None, "candidates": None}
        else:
            run = run_stages(gen / "docs.jsonl", truth, params, args.jobs, tuple(args.channels.split(",")))
        run["load"] = [round(x, 1) for x in os.getloadavg()]
        if args.e2e or args.e2e_only:
            run["e2e"] = end_to_end(gen / "docs.jsonl", gen / "truth.jsonl", args.work / f"out{n}", params, args.jobs, args.overlap)
            run["load_after_e2e"] = [round(x, 1) for x in os.getloadavg()]
        report["runs"].append(run)  # type: ignore[union-attr]
        print(json.dumps(run), file=sys.stderr)
        if n == min(int(x) for x in args.docs.split(",")) and args.compare_docs:
            truth_small = truth
            report["side_by_side"] = side_by_side(
                gen / "docs.jsonl", truth_small, params, args.compare_docs, args.update_docs, args.tfidf_docs
            )
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    print(markdown(report))


if __name__ == "__main__":
    main()
