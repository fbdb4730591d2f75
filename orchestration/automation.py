"""What runs the warehouse without anyone at the keyboard (under `dagster dev` or the daemon).

- `daily_refresh`: a schedule (CS_REFRESH_CRON, default 03:00 UTC; `build_daily_refresh`)
  that ingests the last CS_REFRESH_LOOKBACK_DAYS complete days. Re-reading a few days catches
  files that arrived late; days whose files are unchanged are skipped by the loader, so they
  cost nothing.
- `landing_files`: a sensor on the landing folder. Its cursor records, per landing day, a
  digest of that day's files (path, size, modification time). A new or changed file makes its
  day differ, and one ingestion run is requested per stretch of consecutive changed days, its
  window (start/end) in the run config, keyed by the files themselves: a re-sent identical
  file starts nothing, a late file for an old day is picked up, and the loader replaces the
  day rather than appending to it.
- `transform_after_ingest`: when an ingestion run succeeds, request the transformation
  (incremental dbt build, checks, publication, CS report). One queued transformation covers
  every ingestion that finished before it starts, so no second one is queued behind it.

The ingestion job is not partitioned: a request's days are the `ingest_window` resource's
config (orchestration/window.py), so a run over any range is one run and Dagster's event log
grows with runs and objects, not with days.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
from dagster import (
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    RunStatusSensorContext,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_status_sensor,
    schedule,
    sensor,
)

from landing.files import scan_object
from landing.tables import LOAD_LOG_TABLE
from orchestration.jobs import ingest_job, transform_job
from orchestration.run_config import RunConfig
from orchestration.sources import ALL_TARGETS
from orchestration.window import window_of, window_run_config

SENSOR_INTERVAL_SECONDS = 60


# --- schedule ---------------------------------------------------------------------------------


def build_daily_refresh(cron: str) -> ScheduleDefinition:
    """The daily schedule at `cron` (CS_REFRESH_CRON: a definition-time setting, read once in
    definitions.py); its lookback and the run's `as_of` come from the `run_config` resource."""

    @schedule(
        name="daily_refresh",
        job=ingest_job,
        cron_schedule=cron,
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,
        description=(
            "Ingest the last CS_REFRESH_LOOKBACK_DAYS complete days (unchanged days are "
            "skipped), then `transform_after_ingest` builds, checks and publishes."
        ),
    )
    def daily_refresh(context: ScheduleEvaluationContext, run_config: RunConfig) -> RunRequest:
        today = context.scheduled_execution_time.date()
        lookback = run_config.refresh_lookback_days
        first, last = today - timedelta(days=lookback), today - timedelta(days=1)
        return RunRequest(
            run_key=f"daily-{today.isoformat()}",
            run_config=window_run_config(first, last),
            tags=run_config.launch_tags(today),
        )

    return daily_refresh


# --- landing sensor ---------------------------------------------------------------------------

FileKey = tuple[str, int, int]  # (path relative to the landing folder, bytes, mtime_ns)


def _digest(files: Iterable[FileKey]) -> str:
    text = "\n".join(f"{path}|{size}|{mtime}" for path, size, mtime in sorted(files))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def landing_files_by_day(landing_dir: Path) -> dict[date, list[FileKey]]:
    """Every file the loader would read, by landing day (the loader's own scan)."""
    by_day: dict[date, list[FileKey]] = {}
    for target in ALL_TARGETS:
        spec = target.spec
        scan = scan_object(landing_dir, spec.system, spec.object, file_pattern=target.file_pattern)
        for day, files in scan.files_by_date.items():
            by_day.setdefault(day, []).extend(
                (f.relative_path, f.size_bytes, f.mtime_ns) for f in files
            )
    return by_day


def loaded_files_by_day(warehouse_path: Path) -> dict[date, list[FileKey]] | None:
    """The files the warehouse has loaded, by day (`raw_load_log`); None while it is busy."""
    if not warehouse_path.exists():
        return {}
    try:
        with duckdb.connect(str(warehouse_path), read_only=True) as con:
            exists = con.execute(
                "select count(*) from duckdb_tables() where schema_name = 'main' "
                "and table_name = 'raw_load_log'"
            ).fetchone()[0]
            rows = (
                con.execute(
                    f"select partition_date, file, file_bytes, file_mtime_ns from {LOAD_LOG_TABLE}"
                ).fetchall()
                if exists
                else []
            )
    except duckdb.IOException:  # a run holds the write lock
        return None
    by_day: dict[date, list[FileKey]] = {}
    for day, path, size, mtime in rows:
        by_day.setdefault(day, []).append((path, size, mtime))
    return by_day


def day_digests(files_by_day: dict[date, list[FileKey]]) -> dict[str, str]:
    return {day.isoformat(): _digest(files) for day, files in files_by_day.items()}


def consecutive_ranges(days: Iterable[date]) -> Iterator[tuple[date, date]]:
    """[d1, d2, d3, d7] -> (d1, d3), (d7, d7): one run per stretch, not per day."""
    ordered = sorted(set(days))
    if not ordered:
        return
    start = previous = ordered[0]
    for day in ordered[1:]:
        if day != previous + timedelta(days=1):
            yield start, previous
            start = day
        previous = day
    yield start, previous


def changed_day_requests(
    landing: dict[date, list[FileKey]],
    current: dict[str, str],
    known: dict[str, str],
    tags: dict[str, str] | None = None,
) -> list[RunRequest]:
    """One run request per stretch of consecutive days whose digest (`current`, of `landing`)
    differs from `known`, keyed by the stretch's files, each with `tags` (its `as_of`)."""
    changed = [date.fromisoformat(d) for d, digest in current.items() if known.get(d) != digest]
    requests = []
    for first, last in consecutive_ranges(changed):
        files = [f for day, day_files in landing.items() if first <= day <= last for f in day_files]
        requests.append(
            RunRequest(
                run_key=f"files-{_digest(files)}",
                run_config=window_run_config(first, last),
                tags=tags or {},
            )
        )
    return requests


@sensor(
    name="landing_files",
    job=ingest_job,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "New or changed files in the landing folder start an ingestion run for their days "
        "(cursor: a digest of each day's files). On its first tick the cursor is seeded from "
        "what the warehouse has already loaded (raw_load_log)."
    ),
)
def landing_files(
    context: SensorEvaluationContext, run_config: RunConfig
) -> SensorResult | SkipReason:
    settings = run_config.settings
    if context.cursor:
        known = json.loads(context.cursor)
    else:
        loaded = loaded_files_by_day(settings.warehouse_path)
        if loaded is None:
            return SkipReason("The warehouse is being written; the cursor is seeded next tick.")
        known = day_digests(loaded)
    landing = landing_files_by_day(settings.landing_dir)
    cursor = day_digests(landing)
    requests = changed_day_requests(landing, cursor, known, run_config.launch_tags())
    if not requests:
        return SensorResult(
            skip_reason="No new or changed landing files.", cursor=json.dumps(cursor)
        )
    for request in requests:
        first, last = window_of(request.run_config)
        context.log.info(
            f"Changed files for {first}..{last}: requesting ingestion ({request.run_key})"
        )
    return SensorResult(run_requests=requests, cursor=json.dumps(cursor))


# --- transformation after ingestion -----------------------------------------------------------


@run_status_sensor(
    name="transform_after_ingest",
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_job],
    request_job=transform_job,
    default_status=DefaultSensorStatus.RUNNING,
    description="After a successful ingestion: dbt build (incremental), checks, publication.",
)
def transform_after_ingest(
    context: RunStatusSensorContext, run_config: RunConfig
) -> RunRequest | SkipReason:
    waiting = context.instance.get_run_records(
        RunsFilter(
            job_name=transform_job.name,
            statuses=[DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED],
        ),
        limit=1,
    )
    if waiting:
        return SkipReason(
            f"Transformation run {waiting[0].dagster_run.run_id} is queued and has not started: "
            f"it will include ingestion run {context.dagster_run.run_id}."
        )
    return RunRequest(
        run_key=f"after-ingest-{context.dagster_run.run_id}",
        tags={"cs/after_ingest_run": context.dagster_run.run_id, **run_config.launch_tags()},
    )


SENSORS = [landing_files, transform_after_ingest]
