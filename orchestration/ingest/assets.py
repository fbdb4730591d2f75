"""The factory behind every ingestion asset: one Dagster asset per landing object.

The assets are not partitioned. An asset's state is its load log (`main.raw_load_log`): a run
visits the day folders that exist within its window (`ingest_window`, all days by default),
skips the days whose files are unchanged and replaces the others, each in one transaction. So
Dagster records one materialization per object and run, whatever the history's length, and a
backfill of any range is one run. The materialization's metadata describes that run's loads:
days loaded and unchanged, records loaded and quarantined, files read (lines = loaded +
quarantined per file).
"""

from collections.abc import Sequence
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    DagsterInstance,
    DagsterRunStatus,
    Failure,
    MaterializeResult,
    MetadataValue,
    RunsFilter,
    asset,
)
from dagster_duckdb import DuckDBResource

from data_quality.markdown import markdown_table
from landing.tables import QUARANTINE_TABLE
from orchestration.ingest.loader import LoadTarget, PartitionLoad, load_partitions, loading_runs
from orchestration.ingest.parquet_handoff import hand_off
from orchestration.ingest.raw_schema import create_raw_tables
from orchestration.resources import WAREHOUSE_POOL, LandingResource
from orchestration.run_config import RunConfig
from orchestration.window import IngestWindow

_FILE_TABLE_ROWS = 30


def _files_markdown(loaded: list[PartitionLoad]) -> str:
    files = sorted(
        (f for load in loaded for f in load.files),
        key=lambda f: (-f.records_quarantined, f.relative_path),
    )
    rows: list[tuple[object, ...]] = [
        (f.relative_path, f.lines_read, f.records_loaded, f.records_quarantined)
        for f in files[:_FILE_TABLE_ROWS]
    ]
    if len(files) > _FILE_TABLE_ROWS:
        rows.append((f"… {len(files) - _FILE_TABLE_ROWS} more files", "", "", ""))
    counts = ("lines read", "loaded", "quarantined")
    return markdown_table(["file", *counts], rows, numeric=counts)


def load_metadata(loads: list[PartitionLoad], table_rows: int, quarantine_rows: int) -> dict:
    """What this run did to one object: counts over the days it (re)loaded, never over the
    unchanged days it skipped; the table's and the quarantine's totals are labelled as such."""
    loaded = [load for load in loads if not load.skipped_unchanged and load.error is None]
    days = [load.partition_date for load in loaded]
    return {
        "dagster/row_count": table_rows,
        "days_loaded": len(loaded),
        "days_unchanged": sum(load.skipped_unchanged for load in loads),
        "days_failed": sum(load.error is not None for load in loads),
        "first_day_loaded": min(days).isoformat() if days else "none",
        "last_day_loaded": max(days).isoformat() if days else "none",
        "records_loaded": sum(load.records_loaded for load in loaded),
        "records_quarantined": sum(load.records_quarantined for load in loaded),
        "lines_read": sum(load.lines_read for load in loaded),
        "files": sum(len(load.files) for load in loaded),
        "quarantine_rows_total": quarantine_rows,
        "files_detail": MetadataValue.md(_files_markdown(loaded)),
    }


def unconfirmed_runs(
    instance: DagsterInstance, run_ids: list[str | None], current_run_id: str
) -> set[str]:
    """The runs among `run_ids` that ended without succeeding (a blocking check failed, the
    process was killed): the days they loaded have not passed their checks, so they are
    loaded and checked again. Runs unknown to this instance, and loads made outside a run,
    count as confirmed."""
    others = [run_id for run_id in run_ids if run_id and run_id != current_run_id]
    if not others:
        return set()
    records = instance.get_run_records(RunsFilter(run_ids=others))
    return {
        record.dagster_run.run_id
        for record in records
        if record.dagster_run.status != DagsterRunStatus.SUCCESS
    }


def build_ingestion_asset(
    target: LoadTarget, group_name: str, all_targets: Sequence[LoadTarget]
) -> AssetsDefinition:
    """The (unpartitioned) asset of one landing object; it creates the raw tables of
    `all_targets` first, so that dbt finds every source table whatever was loaded."""
    spec = target.spec

    @asset(
        name=spec.object,
        key_prefix=[spec.schema],
        group_name=group_name,
        pool=WAREHOUSE_POOL,
        kinds={"duckdb", spec.system},
        description=(
            f"{spec.description}\n\nRaw table `{spec.table}`: every record of "
            f"`<landing>/{spec.key}/<YYYY-MM-DD>/` with its original JSON and lineage; bad "
            f"records go to `{QUARANTINE_TABLE}` with file, line and reason. A run loads the "
            "new or changed days within its `ingest_window` (default: all)."
        ),
    )
    def _ingest(
        context: AssetExecutionContext,
        warehouse: DuckDBResource,
        landing: LandingResource,
        ingest_window: IngestWindow,
        run_config: RunConfig,
    ) -> MaterializeResult:
        first, last = ingest_window.bounds()
        context.log.debug(f"{spec.key}: visiting the day folders of {ingest_window.label()}")
        with warehouse.get_connection() as con:
            create_raw_tables(con, all_targets)
            retry = unconfirmed_runs(context.instance, loading_runs(con, spec), context.run_id)
            if retry:
                context.log.info(f"{spec.key}: reloading the days of unfinished runs {retry}")
            loads = load_partitions(
                con,
                target,
                Path(landing.landing_dir),
                start=first,
                end=last,
                run_id=context.run_id,
                reload_runs=retry,
                on_progress=context.log.info,
            )
            settings = run_config.settings
            if settings.on_spark:
                handoff = hand_off(
                    con,
                    spec,
                    settings.spark_raw_dir,
                    [load.partition_date for load in loads if not load.skipped_unchanged],
                )
                context.log.info(
                    f"{spec.key}: Parquet for Spark: {len(handoff.days_written)} day(s) written, "
                    f"{len(handoff.days_removed)} removed"
                )
            table_rows = con.execute(f"select count(*) from {spec.table}").fetchone()[0]
            quarantine_rows = con.execute(
                f"select count(*) from {QUARANTINE_TABLE} where system = ? and object = ?",
                [spec.system, spec.object],
            ).fetchone()[0]
        metadata = load_metadata(loads, table_rows, quarantine_rows)
        failed = [load for load in loads if load.error]
        if failed:
            raise Failure(
                description=f"{spec.key}: {len(failed)} day(s) failed; the others loaded. "
                + "; ".join(f"{load.partition_date}: {load.error}" for load in failed[:5]),
                metadata=metadata,
            )
        return MaterializeResult(metadata=metadata)

    return _ingest


def ingestion_assets(targets: Sequence[LoadTarget]) -> list[AssetsDefinition]:
    """One asset per landing object (orchestration.sources.ALL_TARGETS), grouped under its
    system's name (the exchange rates land under `stripe/`: in the Stripe group)."""
    return [build_ingestion_asset(target, target.spec.system, targets) for target in targets]
