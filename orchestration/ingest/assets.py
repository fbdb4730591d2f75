"""The factory behind every ingestion asset: one Dagster asset per landing object.

Each asset is daily-partitioned and backfills a range of days in a single run (one DuckDB
transaction per batch of days, not one Dagster step per day). Its metadata says what a run did:
records loaded and quarantined, files read, and per file lines = loaded + quarantined.
"""

import warnings
from datetime import date, timedelta
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    BackfillPolicy,
    BetaWarning,
    Failure,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    asset,
)
from dagster_duckdb import DuckDBResource

from orchestration.ingest.loader import LoadTarget, PartitionLoad, load_partitions
from orchestration.ingest.raw_schema import QUARANTINE_TABLE
from orchestration.ingest.targets import ALL_TARGETS
from orchestration.partitions import DAILY_PARTITIONS
from orchestration.resources import WAREHOUSE_POOL, LandingResource

_FILE_TABLE_ROWS = 30
# Single-run backfills are what make a two-year history load one run; the Dagster release is
# pinned, so the "beta" notice on `backfill_policy` is known and would only repeat per asset.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=BetaWarning)


def partition_days(context: AssetExecutionContext) -> list[date]:
    window = context.partition_time_window
    first, end = window.start.date(), window.end.date()
    return [first + timedelta(days=i) for i in range((end - first).days)]


def _files_markdown(loads: list[PartitionLoad], only_quarantined: bool) -> str:
    rows = [f for load in loads for f in load.files]
    if only_quarantined:
        rows = [f for f in rows if f.records_quarantined]
    lines = ["| file | lines read | loaded | quarantined |", "|---|---:|---:|---:|"]
    shown = sorted(rows, key=lambda f: (-f.records_quarantined, f.relative_path))
    for f in shown[:_FILE_TABLE_ROWS]:
        lines.append(
            f"| {f.relative_path} | {f.lines_read} | {f.records_loaded} | {f.records_quarantined} |"
        )
    if len(rows) > _FILE_TABLE_ROWS:
        lines.append(f"| … {len(rows) - _FILE_TABLE_ROWS} more files | | | |")
    return "\n".join(lines)


def load_metadata(loads: list[PartitionLoad], table_rows: int, quarantine_rows: int) -> dict:
    """What a run did. In a range run Dagster copies it onto every partition of the range, so
    the counts are the run's (`partitions_in_run` says how many) and, past a week, the file
    table lists only files with quarantined records, to keep the event log small."""
    return {
        "dagster/row_count": table_rows,
        "partitions_in_run": len(loads),
        "records_loaded": sum(load.records_loaded for load in loads),
        "records_quarantined": sum(load.records_quarantined for load in loads),
        "lines_read": sum(load.lines_read for load in loads),
        "files": sum(len(load.files) for load in loads),
        "partitions_loaded": sum(not load.skipped_unchanged for load in loads),
        "partitions_unchanged": sum(load.skipped_unchanged for load in loads),
        "quarantine_rows_total": quarantine_rows,
        "files_detail": MetadataValue.md(_files_markdown(loads, only_quarantined=len(loads) > 7)),
    }


def build_ingestion_asset(
    target: LoadTarget, group_name: str, partitions_def: PartitionsDefinition = DAILY_PARTITIONS
) -> AssetsDefinition:
    """The daily-partitioned asset of one landing object (tests pass their own partitions)."""
    spec = target.spec

    @asset(
        name=spec.object,
        key_prefix=[spec.schema],
        group_name=group_name,
        partitions_def=partitions_def,
        backfill_policy=BackfillPolicy.single_run(),
        pool=WAREHOUSE_POOL,
        kinds={"duckdb", spec.system},
        description=(
            f"{spec.description}\n\nRaw table `{spec.table}`: every record of "
            f"`<landing>/{spec.key}/<YYYY-MM-DD>/` with its original JSON and lineage; bad "
            f"records go to `{QUARANTINE_TABLE}` with file, line and reason."
        ),
    )
    def _ingest(
        context: AssetExecutionContext, warehouse: DuckDBResource, landing: LandingResource
    ) -> MaterializeResult:
        days = partition_days(context)
        context.log.info(f"{spec.key}: loading {len(days)} day(s) {days[0]}..{days[-1]}")
        with warehouse.get_connection() as con:
            loads = load_partitions(
                con, target, Path(landing.landing_dir), days, on_progress=context.log.info
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
                description=f"{spec.key}: {len(failed)} partition(s) failed; the others loaded. "
                + "; ".join(f"{load.partition_date}: {load.error}" for load in failed[:5]),
                metadata=metadata,
            )
        return MaterializeResult(metadata=metadata)

    return _ingest


def ingestion_assets(system: str) -> list[AssetsDefinition]:
    """One asset per landing object of `system`, grouped under the system's name."""

    return [
        build_ingestion_asset(target, group_name=system)
        for target in ALL_TARGETS
        if target.spec.system == system
    ]
