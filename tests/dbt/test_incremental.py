"""The incremental event models give the same result as a full refresh (ENG-3).

Warehouse A loads the golden landing up to Jun 13 and builds as of Jun 13, then loads the
rest (including an event of Jun 10 received Jun 14, a duplicate received days after the
original and an event of May 31 received Jun 15) and builds incrementally as of Jun 15.
Warehouse B loads everything and builds once. Their event tables must be equal.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.dbt.conftest import GOLDEN_LANDING, load_golden, query, run_dbt

pytestmark = pytest.mark.xdist_group("dbt")

CUTOFF = date(2025, 6, 13)
EVENT_MODELS = ["+fct_engagement_daily", "+fct_feature_adoption"]
# business columns only: lineage stamps (_loaded_at, _batch_at) differ between runs
COMPARED = {
    "staging.stg_segment__events": "message_id, call_type, event_name, user_id, event_at, "
    "event_date, received_at, _partition_date",
    "intermediate.int_segment_events_attributed": "message_id, event_date, user_id, account_id, "
    "feature_name, is_qualifying",
    "intermediate.int_user_activity_daily": "account_id, user_id, activity_date, qualifying_events",
    "intermediate.int_account_activity_daily": "account_id, date_day, dau, wau, mau, "
    "qualifying_events",
    "intermediate.int_account_feature_usage_daily": "account_id, feature_name, usage_date, "
    "feature_events, feature_users",
    "marts.fct_engagement_daily": "*",
    "marts.fct_feature_adoption": "*",
}


def _late_partition(landing: Path) -> None:
    """Jun 15: e2 delivered once more (a later copy) and an event of May 31 arriving late."""
    lines = [
        {
            "type": "track", "messageId": "e2", "userId": "u2", "event": "Report Created",
            "timestamp": "2025-06-02T11:00:00.000Z", "receivedAt": "2025-06-15T05:00:00.000Z",
            "context": {"groupId": "101"}, "properties": {"feature": "reports"},
        },
        {
            "type": "track", "messageId": "e7", "userId": "u2", "event": "Dashboard Viewed",
            "timestamp": "2025-05-31T22:00:00.000Z", "receivedAt": "2025-06-15T05:00:00.000Z",
            "context": {"groupId": "101"}, "properties": {"feature": "dashboards"},
        },
    ]  # fmt: skip
    folder = landing / "segment" / "events" / "2025-06-15"
    folder.mkdir(parents=True)
    (folder / "part-00000.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))


def _copy_partitions(source: Path, target: Path, *, up_to: date | None, after: date | None) -> None:
    for day_dir in source.glob("*/*/*"):
        day = date.fromisoformat(day_dir.name)
        if (up_to is not None and day > up_to) or (after is not None and day <= after):
            continue
        destination = target / day_dir.relative_to(source)
        shutil.copytree(day_dir, destination)


def _build(warehouse: Path, as_of: str, work_dir: Path) -> None:
    args = ["build", "--select", *EVENT_MODELS, "--resource-type", "model", "seed"]
    run_dbt(args, warehouse=warehouse, as_of=as_of, work_dir=work_dir).check()


def _table(warehouse: Path, table: str, columns: str) -> list[tuple]:
    return sorted(query(warehouse, f"select {columns} from {table}"), key=repr)


@dataclass(frozen=True)
class Builds:
    incremental: Path  # built as of Jun 13, then incrementally as of Jun 15
    full: Path  # one build of everything as of Jun 15
    work_dir: Path


# Session scope (see conftest.golden_warehouse): the two builds serve every test here.
@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    tmp_path = tmp_path_factory.mktemp("incremental")
    full_landing = tmp_path / "full_landing"
    shutil.copytree(GOLDEN_LANDING, full_landing)
    _late_partition(full_landing)

    # A: two refreshes, the second incremental
    landing_a = tmp_path / "landing_a"
    _copy_partitions(full_landing, landing_a, up_to=CUTOFF, after=None)
    # Every warehouse is named warehouse.duckdb (in its own folder): dbt runs then start from
    # the worker's one prepared parse (tests/dbt/conftest.py), not a parse per name (~8 s).
    warehouse_a = tmp_path / "a" / "warehouse.duckdb"
    warehouse_a.parent.mkdir()
    load_golden(warehouse_a, landing_a)
    _build(warehouse_a, "2025-06-13", tmp_path / "a_run1")
    _copy_partitions(full_landing, landing_a, up_to=None, after=CUTOFF)
    load_golden(warehouse_a, landing_a)
    _build(warehouse_a, "2025-06-15", tmp_path / "a_run2")

    # B: one full build of everything
    warehouse_b = tmp_path / "b" / "warehouse.duckdb"
    warehouse_b.parent.mkdir()
    load_golden(warehouse_b, full_landing)
    _build(warehouse_b, "2025-06-15", tmp_path / "b_run")
    return Builds(warehouse_a, warehouse_b, tmp_path)


def test_incremental_runs_equal_a_full_refresh(builds: Builds) -> None:
    warehouse_a, warehouse_b = builds.incremental, builds.full
    for table, columns in COMPARED.items():
        assert _table(warehouse_a, table, columns) == _table(warehouse_b, table, columns), table

    # the late data really went through the incremental path and into its own days
    engagement = {
        (r[0], r[1]): r[2:]
        for r in query(
            warehouse_a,
            "select account_id, date_day, dau, wau, mau from marts.fct_engagement_daily",
        )
    }
    assert engagement[("101", date(2025, 5, 31))] == (1, 1, 1)  # e7, received Jun 15
    assert engagement[("101", date(2025, 6, 10))][0] == 1  # e5, received Jun 14
    assert engagement[("101", date(2025, 6, 15))] == (0, 1, 2)  # u2's May 31 is 15 days old
    events = query(
        warehouse_a, "select received_at from staging.stg_segment__events where message_id = 'e2'"
    )
    assert [str(r[0]) for r in events] == ["2025-06-02 11:00:01.200000"]  # the original copy


# The two incremental models keyed by messageId, and their `unique` tests.
SCOPED_UNIQUE_TESTS = {
    "staging.stg_segment__events": "unique_stg_segment__events_message_id",
    "intermediate.int_segment_events_attributed": "unique_int_segment_events_attributed_message_id",
}


def _duplicate_a_row(warehouse: Path, event_date: str) -> None:
    """In each table of SCOPED_UNIQUE_TESTS, one more copy of a row of `event_date`: a
    duplicate messageId, with the row's own `_batch_at` (the build that wrote it)."""
    with duckdb.connect(str(warehouse)) as con:
        for table in SCOPED_UNIQUE_TESTS:
            con.execute(
                f"insert into {table} select * from {table} "
                "where event_date = ? order by message_id limit 1",
                [event_date],
            )


def _unique_tests_passing(warehouse: Path, work_dir: Path) -> set[str]:
    """The tables of SCOPED_UNIQUE_TESTS whose `unique` test passes (one dbt run for all)."""
    tests = {test: table for table, test in SCOPED_UNIQUE_TESTS.items()}
    run = run_dbt(
        ["test", "--select", *tests], warehouse=warehouse, as_of="2025-06-15", work_dir=work_dir,
    )  # fmt: skip
    assert "Done. PASS=" in run.summary(), run.output[-3000:]
    results = [
        result
        for result in json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
        if result["unique_id"].startswith("test.")  # not the on-run-start hooks
    ]
    assert len(results) == len(tests), run.summary()
    return {
        tests[name]
        for result in results
        if result["status"] == "pass"
        for name in tests
        if result["unique_id"].startswith(f"test.cs_warehouse.{name}.")
    }


def test_the_event_models_tests_check_the_rows_their_newest_build_wrote(
    builds: Builds, tmp_path: Path
) -> None:
    # A daily build rewrites its recent rows only (the attributed events: every day here, the
    # late event of May 31 sent the Jun 15 build back to May 31), so the rows up to Jun 5 are
    # made an earlier build's. A duplicate among them is outside the tests' rows; one among
    # the newest build's rows fails them.
    daily = tmp_path / "daily" / "warehouse.duckdb"
    daily.parent.mkdir()
    shutil.copy(builds.incremental, daily)
    with duckdb.connect(str(daily)) as con:
        for table in SCOPED_UNIQUE_TESTS:
            con.execute(
                f"update {table} set _batch_at = _batch_at - interval 1 day "
                "where event_date <= '2025-06-05'"
            )
    _duplicate_a_row(daily, "2025-06-05")
    assert _unique_tests_passing(daily, tmp_path / "daily_old_day") == set(SCOPED_UNIQUE_TESTS)
    _duplicate_a_row(daily, "2025-06-14")
    assert _unique_tests_passing(daily, tmp_path / "daily_new_day") == set()

    # After a full build every row is the newest build's: the whole table is tested.
    full = tmp_path / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copy(builds.full, full)
    _duplicate_a_row(full, "2025-06-05")
    assert _unique_tests_passing(full, tmp_path / "full_old_day") == set()
