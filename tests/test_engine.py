"""The local, process-pool and Dask engines give identical candidates."""

from __future__ import annotations

import json

import pytest

from reprints.candidates import find_candidates
from reprints.engine import LocalEngine, make_engine
from reprints.errors import ParameterError
from reprints.normalize import paragraph_spans, tokenize
from reprints.params import Params


def _corpus(sample_corpus) -> tuple[list[str], list[str | None]]:
    """The seeds, plus articles stitched from their paragraphs (lifted and shuffled reuse)."""
    docs = sample_corpus.documents
    texts = [d.text for d in docs]
    dates = [d.date for d in docs]
    paragraphs = [[t[s:e] for s, e in paragraph_spans(t)] for t in texts]
    for k in range(12):
        a, b = paragraphs[k % 5], paragraphs[(k * 3 + 1) % 5]
        stitched = a[k % len(a) :][:3] + b[(k * 7) % len(b) :][:2]
        texts.append("\n\n".join(stitched))
        dates.append(dates[k % 5])
    return texts, dates


def test_jobs_give_the_same_candidates_as_one_process(sample_corpus):
    texts, dates = _corpus(sample_corpus)
    params = Params(date_window_days=400)
    one = LocalEngine(1).find_candidates(texts, params, dates=dates)
    assert one == find_candidates([tokenize(t) for t in texts], params, dates=dates)
    assert LocalEngine(2, chunk_docs=5).find_candidates(texts, params, dates=dates) == one
    tokens = [tokenize(t) for t in texts]
    assert find_candidates(tokens, params, dates=dates, engine=LocalEngine(2)) == one
    assert len(one) > 20


def test_dask_cluster_gives_the_same_candidates(sample_corpus, tmp_path):
    distributed = pytest.importorskip("distributed")
    from reprints.engine.dask import DaskEngine

    texts, dates = _corpus(sample_corpus)
    ids = [f"doc{k:03d}" for k in range(len(texts))]
    # Two JSONL shards, as a cluster would read them.
    for shard in range(2):
        with (tmp_path / f"part-{shard}.jsonl").open("w", encoding="utf-8") as f:
            for k in range(shard, len(texts), 2):
                f.write(json.dumps({"id": ids[k], "text": texts[k], "date": dates[k]}) + "\n")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        engine = DaskEngine(client, partitions=3, shards=2)
        params = Params(date_window_days=400)
        local = LocalEngine(1).find_candidates(texts, params, dates=dates)
        assert engine.find_candidates(texts, params, dates=dates) == local
        tokens = [tokenize(t) for t in texts]
        assert find_candidates(tokens, params, dates=dates, engine=engine) == local
        # Rewording pairs that only verification keeps (the client verifies them).
        verified = params.replace(reword_min_hits=1000)
        only_verified = LocalEngine(1).find_candidates(texts, verified, dates=dates)
        assert any(c.channel == "reworded" for c in only_verified)
        assert engine.find_candidates(texts, verified, dates=dates) == only_verified
        # Sharded input: documents come back in shard order, so compare by id.
        shard_ids, shard_dates, _outlets, feats = engine.read_shards(sorted(tmp_path.glob("*.jsonl")), params)
        from_shards = engine.candidates(feats, len(shard_ids), params, dates=shard_dates)
        position = {doc_id: k for k, doc_id in enumerate(ids)}
        as_ids = {(*sorted((shard_ids[c.a], shard_ids[c.b])), c.channel, c.hits) for c in from_shards}
        assert as_ids == {(*sorted((ids[c.a], ids[c.b])), c.channel, c.hits) for c in local}
        assert len(position) == len(shard_ids)
        # Candidate pairs aligned on the workers give the matches aligned here.
        docs = sorted(sample_corpus.documents, key=lambda d: d.id)
        context = _context(docs)
        pairs = [(c.a, c.b) for c in find_candidates([tokenize(d.text) for d in docs], Params())]
        local_matches = LocalEngine(1).align_pairs(docs, pairs, context)
        assert local_matches
        assert engine.align_pairs(docs, pairs, context, chunk=2) == local_matches


def _context(docs):
    from reprints.align import AlignContext, fit_model, prepare, segment

    segments = [segment(d) for d in docs]
    model = fit_model([(tokens, ranges) for tokens, _spans, ranges in segments])
    context = AlignContext(Params(), model)
    for doc, (tokens, _spans, _ranges) in zip(docs, segments, strict=True):
        context.prepared[doc.id] = prepare(doc, model, tokens=tokens, min_words=Params().min_words)
    return context


def test_pairs_aligned_on_worker_processes_equal_aligned_here(sample_corpus):
    docs = sorted(sample_corpus.documents, key=lambda d: d.id)
    context = _context(docs)
    pairs = [(a, b) for a in range(len(docs)) for b in range(a + 1, len(docs))]
    here = LocalEngine(1).align_pairs(docs, pairs, context)
    assert here
    assert LocalEngine(2).align_pairs(docs, pairs, context, chunk=3) == here


def test_unknown_engine_and_bad_jobs_are_refused():
    with pytest.raises(ParameterError, match="unknown engine 'spark'"):
        make_engine("spark")
    with pytest.raises(ParameterError, match="jobs must be at least 1"):
        LocalEngine(0)
    with pytest.raises(ParameterError, match="scheduler address"):
        make_engine("dask")


def _quote_families_of(texts: list[str], parent: int, die: bool = False):
    """Group the seeds' quotes into families; in a forked process, optionally die first."""
    import os

    from reprints.model import Document
    from reprints.quotes import find_quotes

    if die and os.getpid() != parent:
        os._exit(3)  # as if killed for want of memory: no answer comes back
    docs = [Document(f"{k}.txt", text) for k, text in enumerate(texts)]
    return find_quotes(docs)


def _refuse(kind: str):
    raise ParameterError(f"no such quote kind: {kind}")


def test_work_deferred_to_a_forked_process_comes_back_or_runs_here(sample_texts):
    import os

    texts = list(sample_texts.values())
    expected = _quote_families_of(texts, os.getpid())
    assert expected[1], "the seeds share quotes"
    two_jobs = LocalEngine(jobs=2, overlap=True)
    assert two_jobs.defer(_quote_families_of, texts, os.getpid()).result() == expected
    # the process dies without answering: the same work runs in this process instead
    assert two_jobs.defer(_quote_families_of, texts, os.getpid(), True).result() == expected
    # an error raised over there is raised here
    with pytest.raises(ParameterError, match="no such quote kind: rumour"):
        two_jobs.defer(_refuse, "rumour").result()
    # one job, or no overlap asked for: nothing is forked, the work runs when asked
    assert LocalEngine(jobs=1, overlap=True).defer(_quote_families_of, texts, os.getpid(), True).result() == expected
    assert LocalEngine(jobs=2).defer(_quote_families_of, texts, os.getpid(), True).result() == expected
