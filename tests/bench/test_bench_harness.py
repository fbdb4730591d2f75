"""`make bench` itself works at SCALE=small (one month of history, to stay quick): it runs every
measurement and writes results that parse. No timing is asserted: timings belong to the bench."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from types import SimpleNamespace

import pytest

from orchestration.settings import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(name="bench")]


def test_bench_runs_at_small_scale_and_writes_its_results(tmp_path):
    out = tmp_path / "results"
    out.mkdir()
    earlier = "small-2026-12-01-9c53a64.json"  # a real earlier result: the stages compared
    shutil.copy(REPO_ROOT / "bench" / "results" / earlier, out / earlier)
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--scale", "small", "--months", "1",
         "--cache", str(tmp_path / "cache"), "--out", str(out)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (written,) = [path for path in out.glob("small-*.json") if path.name != earlier]
    bench = json.loads(written.read_text())
    assert set(bench["measurements"]) == {"limit", "full", "incremental", "pandas_peer"}
    for measurement in bench["measurements"].values():
        assert measurement["returncode"] == 0
        assert measurement["seconds"] > 0 and measurement["peak_rss_mb"] > 0
    # the limit is the fastest of its reads: a slow read would flatter every ratio over it
    assert len(bench["limit_reads_seconds"]) == 3
    assert bench["measurements"]["limit"]["seconds"] == min(bench["limit_reads_seconds"])
    assert set(bench["ratios"]) == {
        "full_over_limit", "incremental_over_full", "pandas_over_ours_time",
        "pandas_over_ours_memory",
    }  # fmt: skip
    assert all(mismatches == [] for mismatches in bench["peer_mismatches"].values())
    assert {step["job"] for step in bench["full_steps"]} == {"refresh_warehouse"}
    assert bench["full_dbt_nodes"] and bench["incremental_dbt_nodes"]
    assert set(bench["peak_during"]) == {"full", "incremental"}
    assert set(bench["disk_after_full"]) == {"warehouse", "serving", "dagster_home", "other"}
    assert bench["disk_after_full"]["warehouse"] > 0
    report = written.with_suffix(".md").read_text()
    assert report.startswith("# Benchmark small")
    assert f"Per stage (s), against {earlier}, the newest earlier result:" in report
    assert "| stage | 9c53a64 | this run |" in report
    assert "full_over_limit:" in result.stdout


def test_the_peak_is_attributed_to_the_steps_running_at_that_moment():
    from bench.run import step_at_peak

    steps = [
        {"job": "ingest", "step": "load", "started_at": 100.0, "ended_at": 110.0},
        {"job": "ingest", "step": "check", "started_at": 108.0, "ended_at": 120.0},
    ]
    measured = {"started_at": 95.0, "peak_at_seconds": 14.0}  # at 109: both run
    assert step_at_peak(measured, steps) == "+14 s, during ingest/load, ingest/check"
    measured["peak_at_seconds"] = 30.0  # at 125: none
    assert "outside any step" in step_at_peak(measured, steps)


def test_the_disk_a_command_fills_while_it_runs_is_measured(tmp_path, monkeypatch):
    """The peak growth of the used space over the start, sampled while the command runs: what
    it wrote and deleted before ending counts (DuckDB's spill files). The filesystem's reading
    is stubbed: other tests write and delete files on the same disk meanwhile."""
    import bench.measure as measure

    readings = iter([10 * 2**30] + [10 * 2**30 + 120 * 2**20] * 3 + [10 * 2**30] * 1000)
    monkeypatch.setattr(
        measure.shutil, "disk_usage", lambda path: SimpleNamespace(used=next(readings))
    )
    measured = measure.run_measured(
        "spill",
        [sys.executable, "-c", "import time; time.sleep(1.5)"],
        dict(os.environ),
        tmp_path / "spill.log",
        tmp_path,
    )

    assert measured.returncode == 0
    assert measured.peak_disk_growth_mb == 120
