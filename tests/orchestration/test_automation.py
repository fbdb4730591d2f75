"""The daily schedule and the two sensors, evaluated with Dagster's test harness."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime

import duckdb
import pytest
from dagster import (
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    RunRequest,
    SkipReason,
    build_run_status_sensor_context,
    build_schedule_context,
    build_sensor_context,
    job,
    op,
)

from orchestration.automation import (
    build_daily_refresh,
    consecutive_ranges,
    landing_files,
    transform_after_ingest,
)
from orchestration.ingest.loader import load_landing
from orchestration.jobs import ingest_job, transform_job
from orchestration.run_config import AS_OF_TAG, RunConfig
from orchestration.settings import Settings
from orchestration.sources import ALL_TARGETS
from orchestration.window import window_of

EVENT = {
    "type": "track", "messageId": "m1", "userId": "u1", "event": "Report Created",
    "timestamp": "2026-03-01T10:00:00.000Z", "receivedAt": "2026-03-01T10:00:01.000Z",
    "context": {"groupId": "101"},
}  # fmt: skip


# A child process that opens the warehouse for writing and holds it until stdin closes.
HOLD_WRITE_LOCK = (
    "import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('locked', flush=True); "
    "sys.stdin.read()"
)


def _days(request: RunRequest) -> tuple[str | None, str | None]:
    """The landing days an ingestion request visits (its run config's window)."""
    return window_of(request.run_config)


def test_consecutive_days_become_one_range():
    days = [date(2026, 3, d) for d in (7, 1, 2, 3, 3)]
    assert list(consecutive_ranges(days)) == [
        (date(2026, 3, 1), date(2026, 3, 3)),
        (date(2026, 3, 7), date(2026, 3, 7)),
    ]
    assert list(consecutive_ranges([])) == []


def test_daily_schedule_ingests_the_lookback_days_before_the_tick(monkeypatch):
    monkeypatch.setenv("CS_REFRESH_LOOKBACK_DAYS", "3")
    tick = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)

    daily_refresh = build_daily_refresh("0 3 * * *")
    context = build_schedule_context(
        scheduled_execution_time=tick, resources={"run_config": RunConfig.from_env()}
    )
    request = daily_refresh(context)

    assert _days(request) == ("2026-11-20", "2026-11-22")
    assert request.run_key == "daily-2026-11-23"
    assert request.tags[AS_OF_TAG] == "2026-11-23"  # the tick's day, for every step of the run
    assert daily_refresh.job_name == ingest_job.name
    assert daily_refresh.execution_timezone == "UTC"
    assert daily_refresh.cron_schedule == "0 3 * * *"


def test_refresh_cron_and_lookback_come_from_the_environment():
    settings = Settings.from_env(
        {"CS_REFRESH_CRON": "30 5 * * 1-5", "CS_REFRESH_LOOKBACK_DAYS": "7"}
    )
    assert (settings.refresh_cron, settings.refresh_lookback_days) == ("30 5 * * 1-5", 7)
    with pytest.raises(ValueError, match="CS_REFRESH_LOOKBACK_DAYS"):
        Settings.from_env({"CS_REFRESH_LOOKBACK_DAYS": "-1"})


@pytest.fixture
def sensed(tmp_path, landing, monkeypatch):
    """A landing folder with two days, a warehouse that has loaded the first one."""
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("CS_LANDING_DIR", str(landing.root))
    monkeypatch.setenv("CS_WAREHOUSE_PATH", str(warehouse))
    landing.write("segment/events", "2026-03-01", [EVENT])
    with duckdb.connect(str(warehouse)) as con:
        load_landing(con, landing.root, ALL_TARGETS)
    landing.write("segment/events", "2026-03-02", [{**EVENT, "messageId": "m2"}])
    return landing


def _tick(cursor: str | None):
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(
            instance=instance, cursor=cursor, resources={"run_config": RunConfig.from_env()}
        )
        return landing_files(context)


def test_landing_sensor_seeds_its_cursor_from_the_warehouse_and_requests_new_days(sensed):
    first = _tick(None)
    assert [_days(r) for r in first.run_requests] == [("2026-03-02", "2026-03-02")]
    assert json.loads(first.cursor).keys() == {"2026-03-01", "2026-03-02"}

    unchanged = _tick(first.cursor)
    assert unchanged.run_requests == [] and unchanged.skip_reason


def test_a_late_file_is_picked_up_and_an_identical_resend_is_not(sensed, tmp_path):
    cursor = _tick(None).cursor
    day_one = sensed.root / "segment" / "events" / "2026-03-01" / "part-00000.jsonl"
    copy = tmp_path / "copy.jsonl"
    shutil.copy2(day_one, copy)
    shutil.copy2(copy, day_one)  # re-sent byte for byte, modification time preserved
    assert _tick(cursor).run_requests == []

    sensed.write("segment/events", "2026-03-01", [{**EVENT, "messageId": "late"}], part=1)
    sensed.write("segment/events", "2026-03-05", [{**EVENT, "messageId": "m5"}])
    late = _tick(cursor)

    assert [_days(r) for r in late.run_requests] == [
        ("2026-03-01", "2026-03-01"),
        ("2026-03-05", "2026-03-05"),
    ]
    # Keyed by the files: evaluating the same change again asks for the same runs, which
    # Dagster then does not launch twice.
    assert [r.run_key for r in _tick(cursor).run_requests] == [r.run_key for r in late.run_requests]


def test_a_rewritten_file_is_requested_again_and_replaces_its_day(sensed):
    cursor = _tick(None).cursor
    path = sensed.root / "segment" / "events" / "2026-03-01" / "part-00000.jsonl"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    (request,) = _tick(cursor).run_requests
    assert _days(request) == ("2026-03-01", "2026-03-01")

    warehouse = os.environ["CS_WAREHOUSE_PATH"]
    with duckdb.connect(warehouse) as con:
        load_landing(con, sensed.root, ALL_TARGETS)
        (events,) = con.execute("select count(*) from raw_segment.events").fetchone()
    assert events == 2  # m1 once (its day replaced, not appended) and m2


def test_the_sensor_waits_while_another_process_writes_the_warehouse(sensed):
    warehouse = os.environ["CS_WAREHOUSE_PATH"]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, warehouse], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = _tick(None)
    finally:
        holder.communicate("")
    assert isinstance(result, SkipReason)
    assert "being written" in result.skip_message


@op
def _noop() -> None:
    pass


@job
def _finished_ingestion() -> None:
    _noop()


def test_a_successful_ingestion_requests_one_transformation():
    with DagsterInstance.ephemeral() as instance:
        result = _finished_ingestion.execute_in_process(instance=instance)

        def evaluate():
            context = build_run_status_sensor_context(
                sensor_name="transform_after_ingest",
                dagster_event=result.get_run_success_event(),
                dagster_instance=instance,
                dagster_run=result.dagster_run,
                resources={"run_config": RunConfig.from_env()},
            )
            return transform_after_ingest(context)

        request = evaluate()
        assert isinstance(request, RunRequest)
        assert request.run_key == f"after-ingest-{result.run_id}"
        assert transform_after_ingest.job_name == transform_job.name

        # Requested but not started yet (queued runs need a code location, so: NOT_STARTED).
        waiting = DagsterRun(job_name=transform_job.name, status=DagsterRunStatus.NOT_STARTED)
        instance.add_run(waiting)
        skipped = evaluate()
        assert isinstance(skipped, SkipReason)
        assert waiting.run_id in skipped.skip_message
