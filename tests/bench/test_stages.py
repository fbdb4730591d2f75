"""`python -m bench.stages`: benchmark runs side by side, stage by stage, from their result files;
and docs/benchmark.md's per-stage table is what it prints for the files that table names."""

from __future__ import annotations

import json
import re

from bench.stages import newest_result, result_path, run_name, stage_table
from orchestration.settings import REPO_ROOT

RESULTS = REPO_ROOT / "bench" / "results"


def _result(limit: float, full: float, incremental: float, full_steps: dict, nodes: dict) -> dict:
    return {
        "measurements": {
            "limit": {"seconds": limit},
            "full": {"seconds": full},
            "incremental": {"seconds": incremental},
        },
        "full_steps": [{"step": step, "seconds": s} for step, s in full_steps.items()],
        "incremental_steps": [{"step": "raw_segment__events", "seconds": 0.5}],
        "full_dbt_nodes": [{"node": node, "seconds": s} for node, s in nodes.items()],
        "incremental_dbt_nodes": [],
    }


def _rows(table: str) -> dict[str, list[str]]:
    rows = {}
    for line in table.splitlines()[2:]:
        label, *cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows.setdefault(label, cells)  # the first of two same-named rows: the full refresh's
    return rows


def test_each_stage_sums_its_steps_and_bounds_a_node_missing_from_the_slowest(tmp_path):
    before = _result(
        limit=20.0,
        full=300.0,
        incremental=60.0,
        full_steps={
            "raw_segment__events": 100.0,
            "raw_stripe__invoices": 10.25,
            "raw_hubspot__deals": 2.5,
            "raw_landing_quality": 40.0,
            "dbt_models": 90.0,
        },
        nodes={
            "model.cs_warehouse.stg_segment__events": 30.0,
            "test.cs_warehouse.unique_stg_segment__events_message_id.d80edd4e6c": 4.0,
            "model.cs_warehouse.int_account_activity_daily": 2.0,
        },
    )
    after = _result(20.0, 160.0, 20.0, {"raw_segment__events": 50.0}, {})
    paths = []
    for commit, result in [("aaaaaaa", before), ("bbbbbbb", after)]:
        path = tmp_path / f"medium-2026-12-01-{commit}.json"
        path.write_text(json.dumps(result))
        paths.append(path)

    table = stage_table(paths)

    assert table.splitlines()[0] == "| stage | aaaaaaa | bbbbbbb |"
    rows = _rows(table)
    assert rows["Segment load"] == ["100.0", "50.0"]
    assert rows["other loads"] == ["12.8", ""]  # 10.25 + 2.5, not the Segment load or checks
    assert rows["raw checks"] == ["40.0", ""]
    assert rows["of which `stg_segment__events`"] == ["30.0", ""]
    assert rows["of which its `unique` test"] == ["4.0", ""]
    # not among the slowest nodes kept: at most the fastest of them
    assert rows["of which `int_segment_events_attributed`"] == ["< 2.0", ""]
    assert rows["of which loads"] == ["0.5", "0.5"]
    assert rows["full ÷ limit"] == ["15.00", "8.00"]
    assert rows["incremental ÷ limit"] == ["3.00", "1.00"]


def test_a_column_is_named_by_what_the_file_name_says_after_its_date(tmp_path):
    assert run_name(RESULTS / "medium-2026-12-01-4b290ec.json") == "4b290ec"
    assert run_name(RESULTS / "medium-2026-12-01-ecffc5f-peer.json") == "ecffc5f-peer"
    assert run_name(RESULTS / "medium-2026-11-23.json") == "medium-2026-11-23"
    peer_run = result_path(RESULTS, "medium", "ecffc5f-peer")
    assert peer_run.name == "medium-2026-12-01-ecffc5f-peer.json"


def test_the_per_stage_table_of_docs_benchmark_is_what_bench_stages_prints():
    text = (REPO_ROOT / "docs" / "benchmark.md").read_text()
    table = re.search(r"^\| stage \|.*?\n(?=\n)", text, re.MULTILINE | re.DOTALL).group(0)
    names = [cell.strip() for cell in table.splitlines()[0].strip("|").split("|")][1:]
    assert table == stage_table([result_path(RESULTS, "medium", name) for name in names])


def test_the_newest_earlier_result_is_the_last_measured_not_the_last_written(tmp_path):
    """A clone gives every result file the same modification time: the run's own start time
    decides, and the file a run is about to overwrite is not its own predecessor."""
    for name, started_at in [
        ("medium-2026-12-02-ccccccc", "2026-12-02T01:00:00+00:00"),
        ("medium-2026-11-30-aaaaaaa", "2026-11-30T10:00:00+00:00"),  # written last
        ("small-2026-12-03-bbbbbbb", "2026-12-03T10:00:00+00:00"),  # another scale
    ]:
        (tmp_path / f"{name}.json").write_text(json.dumps({"started_at": started_at}))
    today = tmp_path / "medium-2026-12-02-ccccccc.json"

    assert newest_result(tmp_path, "medium") == today
    assert newest_result(tmp_path, "medium", excluding=today).stem.endswith("aaaaaaa")
    assert newest_result(tmp_path, "large", excluding=today) is None
