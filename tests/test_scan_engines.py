"""`reprints scan` writes the same matches whether it runs in-process, on worker processes,
or on a two-worker Dask cluster."""

from __future__ import annotations

import pytest

from reprints.cli import main


def _scan(runner, sample_dir, out, *extra):
    result = runner.invoke(main, ["scan", str(sample_dir), "--out", str(out), "--quiet", *extra])
    assert result.exit_code == 0, result.output
    return (out / "matches.jsonl").read_bytes(), (out / "quotes.jsonl").read_bytes()


def test_jobs_and_dask_give_the_in_process_output(runner, sample_dir, tmp_path):
    distributed = pytest.importorskip("distributed")
    plain = _scan(runner, sample_dir, tmp_path / "plain")
    assert plain[0].strip(), "the sample has reuse to find"
    assert _scan(runner, sample_dir, tmp_path / "jobs", "--jobs", "2") == plain
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        dask_run = _scan(
            runner, sample_dir, tmp_path / "dask", "--engine", "dask",
            "--scheduler", cluster.scheduler_address,
        )
    assert dask_run == plain


def test_dask_without_a_scheduler_is_a_usage_error(runner, sample_dir, tmp_path):
    result = runner.invoke(main, ["scan", str(sample_dir), "--out", str(tmp_path), "--engine", "dask"])
    assert result.exit_code == 2
    assert "--scheduler" in result.output
