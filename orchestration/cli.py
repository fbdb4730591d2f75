"""Command line behind the Makefile: `python -m orchestration.cli COMMAND`.

`refresh` materialises every asset through Dagster in one run (job `refresh_warehouse`), so
runs, metadata and checks land in the instance the UI shows: ingestion of the new or changed
landing days, their checks, dbt build with its tests, the mart checks, the publication and the
CS report. `ingest` runs the ingestion and its checks only (job `ingest_landing`). Both exit
non-zero and name the failing step or check when anything fails.

`--start/--end` narrow the landing days visited (a backfill: one run, however long the
range); they travel in the run config (`resources.ingest_window.config`).
Refreshes of one warehouse take turns (orchestration.refresh_lock): a second one waits.
"""

from __future__ import annotations

import argparse
import atexit
import filecmp
import json
import os
import shutil
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

import duckdb

from data_quality.runner import build_docs_index
from landing.files import landing_dates
from landing.tables import LOAD_LOG_TABLE, QUARANTINE_TABLE
from orchestration.console import heartbeat
from orchestration.headlines import headline_numbers
from orchestration.refresh_lock import CLI_PID_TAG, recover_abandoned_runs, refresh_lock
from orchestration.run_config import AS_OF_TAG
from orchestration.settings import REPO_ROOT, Settings, get_settings, today_utc
from orchestration.sources import ALL_TARGETS
from orchestration.window import window_run_config

# Dagster's console logger at INFO: progress lines, without the engine's DEBUG chatter.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def ensure_dagster_home(settings: Settings) -> None:
    """Create DAGSTER_HOME with the repository's dagster.yaml, and export it."""
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    config = settings.dagster_home / "dagster.yaml"
    source = REPO_ROOT / "dagster.yaml"
    if not config.exists() or not filecmp.cmp(source, config, shallow=False):
        shutil.copyfile(source, config)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)


def _landing_range(
    settings: Settings, start: date | None = None, end: date | None = None
) -> tuple[date, date]:
    """The landing days to ingest: all of them, or those within start..end."""
    days = landing_dates(settings.landing_dir)
    if not days:
        raise SystemExit(
            f"No landing data in {settings.landing_dir}: expected "
            "<system>/<object>/<YYYY-MM-DD>/part-NNNNN.jsonl[.gz]. Run `make generate` for demo "
            "data or set CS_LANDING_DIR to your exports."
        )
    first, last = max(start or days[0], days[0]), min(end or days[-1], days[-1])
    if first > last:
        raise SystemExit(
            f"No landing days within {start or '…'}..{end or '…'}: the landing folder holds "
            f"{days[0]}..{days[-1]}."
        )
    return first, last


def _report_failure(result, stage: str) -> None:
    """Name every failed step and every failed check, with what the check found."""
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            message = error.message.strip() if error else "unknown error"
            print(f"FAILED {stage}: step {event.step_key}: {message}", file=sys.stderr)
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed and evaluation.severity.value == "ERROR":
            where = f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}"
            print(f"FAILED check {where}: {evaluation.description}", file=sys.stderr)


def _execute(job_name: str, stage: str, run_config: dict, as_of: date) -> bool:
    started = time.monotonic()
    print("Loading the code location (Dagster, dbt manifest, checks)", flush=True)
    with heartbeat("loading"):
        from dagster import DagsterInstance

        from orchestration.definitions import defs

        job = defs.resolve_job_def(job_name)
    # Disposed at the end: its SQLite connections close and checkpoint their write-ahead logs.
    with DagsterInstance.get() as instance:
        for run_id in recover_abandoned_runs(instance):
            print(f"Marked run {run_id} failed: its refresh was killed before it finished")
        graph = job.asset_layer.asset_graph
        print(
            f"Starting {job_name}: {len(graph.get_all_asset_keys())} assets, "
            f"{len(graph.asset_check_keys)} checks (Dagster plans the run first)",
            flush=True,
        )
        with heartbeat(stage):
            result = job.execute_in_process(
                instance=instance,
                run_config={**QUIET_RUN_CONFIG, **run_config},
                # The run's `as_of`, settled here once: every step reads it (run_config.py).
                tags={CLI_PID_TAG: str(os.getpid()), AS_OF_TAG: as_of.isoformat()},
                raise_on_error=False,
            )
    elapsed = time.monotonic() - started
    if not result.success:
        _report_failure(result, stage)
        print(f"{stage} FAILED after {elapsed:.0f} s (run {result.run_id})", file=sys.stderr)
    else:
        print(f"{stage} finished in {elapsed:.0f} s (run {result.run_id})", flush=True)
    return result.success


def run_as_of(settings: Settings) -> date:
    """The `as_of` of the run the command launches: CS_AS_OF, else today (UTC), read once."""
    return settings.as_of or today_utc()


def _window(settings: Settings, start: date | None, end: date | None, as_of: date) -> dict:
    """Run config of the landing days to visit; says which days those are."""
    first, last = _landing_range(settings, start, end)
    print(f"Ingesting landing days {first}..{last} (as of {as_of})", flush=True)
    return window_run_config(start and first, end and last)


def ingest(settings: Settings, start: date | None = None, end: date | None = None) -> int:
    """Load the new or changed landing days (within start..end) and check them: one run."""
    ensure_dagster_home(settings)
    as_of = run_as_of(settings)
    with refresh_lock(settings.warehouse_path):
        window = _window(settings, start, end, as_of)
        succeeded = _execute("ingest_landing", "ingestion", window, as_of)
    # No publication follows to rebuild the Data Docs index over this run's results.
    build_docs_index(settings.quality(as_of))
    return 0 if succeeded else 1


def refresh(settings: Settings, start: date | None = None, end: date | None = None) -> int:
    """One run: ingestion and its checks, dbt build, mart checks, publication, CS report."""
    ensure_dagster_home(settings)
    as_of = run_as_of(settings)
    with refresh_lock(settings.warehouse_path):
        window = _window(settings, start, end, as_of)
        print("Then dbt (staging, intermediate, marts, tests), the checks and the publication")
        return 0 if _execute("refresh_warehouse", "refresh", window, as_of) else 1


def _table_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, int]]:
    rows = []
    for target in ALL_TARGETS:
        spec = target.spec
        loaded = con.execute(f"select count(*) from {spec.table}").fetchone()[0]
        quarantined = con.execute(
            f"select count(*) from {QUARANTINE_TABLE} where system = ? and object = ?",
            [spec.system, spec.object],
        ).fetchone()[0]
        rows.append((spec.table, loaded, quarantined))
    return rows


def latest_publication_warnings(serving_path: Path) -> list[dict[str, str]] | None:
    """The warnings of the newest publication (meta.refresh_log), None if nothing is published."""
    if not serving_path.exists():
        return None
    with duckdb.connect(str(serving_path), read_only=True) as con:
        row = con.execute(
            "select warnings from meta.refresh_log order by published_at desc limit 1"
        ).fetchone()
    return json.loads(row[0]) if row and row[0] else []


def _print_headlines(settings: Settings) -> None:
    headlines = headline_numbers(settings.serving_path)
    if headlines:
        print("\nHeadlines (published):")
        width = max(len(h.label) for h in headlines)
        for h in headlines:
            change = f"; {h.change}" if h.change else ""
            note = f" ({h.note})" if h.note else ""
            print(f"  {h.label:<{width}}  {h.value}{note}  [{h.period}{change}]")


def _print_warnings(settings: Settings) -> None:
    warnings = latest_publication_warnings(settings.serving_path)
    if warnings is None:
        print("\nNothing published yet: a blocking check failed or no refresh has run.")
        return
    if not warnings:
        print("\nWarnings: none (every warning check passed at the last publication)")
        return
    print(f"\nWarnings ({len(warnings)}; published anyway, look at these in the Dagster UI):")
    for warning in warnings:
        print(f"  {warning['asset']}: {warning['check']}: {warning['description']}")


def _print_two_columns(cells: list[str]) -> None:
    """First half left, second half right, so the summary fits a screen."""
    half = (len(cells) + 1) // 2
    left, right = cells[:half], cells[half:] + [""] * (2 * half - len(cells))
    width = max(len(cell) for cell in left)
    for first, second in zip(left, right, strict=True):
        print(f"  {first:<{width}}    {second}".rstrip())


def summary(settings: Settings) -> int:
    """Print rows per table, quarantined rows, and where the outputs are."""
    if not settings.warehouse_path.exists():
        print(f"No warehouse at {settings.warehouse_path}: run `make refresh` first.")
        return 1
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        counts = _table_counts(con)
        files, lines = con.execute(
            f"select count(*), sum(lines_read) from {LOAD_LOG_TABLE}"
        ).fetchone()
        marts = con.execute(
            "select table_name, estimated_size from duckdb_tables() "
            "where schema_name = 'marts' order by table_name"
        ).fetchall()
        reasons = con.execute(
            f"select system || '/' || object, reason, count(*) from {QUARANTINE_TABLE} "
            "group by all order by 3 desc limit 10"
        ).fetchall()
    width = max(len(name) for name, _, _ in counts)
    print(f"\nRaw tables ({files} landing files, {lines} lines read):")
    print(f"  {'table':<{width}}  {'rows':>10}  {'quarantined':>11}")
    for name, loaded, quarantined in counts:
        print(f"  {name:<{width}}  {loaded:>10,}  {quarantined:>11,}")
    total_quarantined = sum(q for _, _, q in counts)
    print(f"  {'total':<{width}}  {sum(r for _, r, _ in counts):>10,}  {total_quarantined:>11,}")
    if reasons:
        print(f"\nQuarantine ({QUARANTINE_TABLE}), top reasons:")
        for obj, reason, count in reasons:
            print(f"  {count:>6}  {obj}: {reason}")
    if marts:
        print(f"\nMarts ({len(marts)} tables in schema marts, rows):")
        mart_width = max(len(name) for name, _ in marts)
        _print_two_columns([f"{name:<{mart_width}}  {rows:>9,}" for name, rows in marts])
    _print_headlines(settings)
    _print_warnings(settings)
    print("\nOutputs:")
    print(f"  warehouse   {settings.warehouse_path} (working file: one writer, no BI readers)")
    print(f"  serving     {settings.serving_path} (published snapshot for BI tools, read-only)")
    print(f"  report      {settings.report_path} (CS report, open in a browser)")
    print(
        f"  data docs   {settings.quality(run_as_of(settings)).docs_index} "
        "(quality results, open in a browser)"
    )
    print(f"  landing     {settings.landing_dir}")
    print(f"  dagster     {settings.dagster_home} (`make dev` opens the UI)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.cli", description=__doc__)
    parser.add_argument("command", choices=["refresh", "ingest", "summary", "dagster-home"])
    for bound, default in (("start", "first"), ("end", "last")):
        parser.add_argument(
            f"--{bound}",
            type=date.fromisoformat,
            metavar="YYYY-MM-DD",
            help=f"backfill: {bound} of the landing days to ingest (default: the {default} one)",
        )
    args = parser.parse_args(argv)
    settings = get_settings()
    if args.command == "dagster-home":
        ensure_dagster_home(settings)
        print(settings.dagster_home)
        return 0
    if args.command == "refresh":
        return refresh(settings, args.start, args.end)
    if args.command == "ingest":
        return ingest(settings, args.start, args.end)
    return summary(settings)


def _exit(status: int) -> NoReturn:
    """Exit once the work is done and flushed, without the interpreter's module teardown:
    after a run that validated with Great Expectations, DuckDB's binding (nanobind) finds its
    module constants still referenced there and prints ~45 lines of "leaked instance" warnings
    under the summary. The exit handlers still run; the warehouse and Dagster's SQLite files
    are committed and closed by then."""
    atexit._run_exitfuncs()  # what a normal exit runs first (logging, multiprocessing)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    try:
        status = main()
    except SystemExit as stop:  # argparse and the commands' "cannot continue" messages
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
        status = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    _exit(status)
