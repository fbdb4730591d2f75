"""Write-audit-publish: BI tools read a published copy of the marts, never the working file.

DuckDB admits one writing process, and a reader holding the working warehouse would block the
nightly refresh. So after dbt has built the marts and every blocking check has passed (this
asset sits downstream of them, so a failed check stops it), the marts are copied into a new
file with their descriptions as comments (dbt's, and for the marts Python writes, those
declared beside their columns), plus `meta.refresh_log`, and the file is renamed
onto CS_SERVING_PATH in one atomic step. A reader sees the old snapshot or the new one, never
half of one; a failed refresh publishes nothing.
"""

import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from dagster import (
    AssetCheckKey,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_duckdb import DuckDBResource

from data_quality.runner import build_docs_index
from orchestration.check_warnings import standing_warnings
from orchestration.health import learned_health_checks
from orchestration.health_model import TABLES as PYTHON_MARTS
from orchestration.resources import WAREHOUSE_POOL
from orchestration.run_config import RunConfig
from orchestration.settings import Settings
from orchestration.transform import MANIFEST_PATH, dbt_models, dbt_run_results_path

MARTS_SCHEMA = "marts"
REFRESH_LOG = "meta.refresh_log"
# The serving file is written in the oldest storage format DuckDB still writes (storage number
# 64), not in the writer's newest one, so every BI client opens it: DuckDB 0.10.x to 1.5.x and
# the JDBC/ODBC drivers built on them, as well as 2.x. The marts publish only types that format
# has always had (integer, bigint, decimal, double, boolean, varchar, date, timestamp, json),
# and column comments; newer formats would only add compression the marts do not need.
SERVING_STORAGE_VERSION = "v1.0.0"


@dataclass(frozen=True)
class MartDocs:
    """A mart's table and column descriptions, taken from the dbt manifest."""

    name: str
    description: str
    columns: dict[str, str]


def mart_docs(manifest_path: Path = MANIFEST_PATH) -> list[MartDocs]:
    manifest = json.loads(manifest_path.read_text())
    marts = []
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["fqn"][1] == MARTS_SCHEMA:
            columns = {name: col.get("description", "") for name, col in node["columns"].items()}
            marts.append(MartDocs(node["alias"], node.get("description", ""), columns))
    return sorted(marts, key=lambda mart: mart.name)


def python_mart_docs() -> list[MartDocs]:
    """The marts written by Python assets (HLT-3), documented where their columns are declared
    (orchestration/health_model.py)."""
    return [
        MartDocs(table.name, table.description, {c.name: c.description for c in table.columns})
        for table in PYTHON_MARTS
    ]


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_marts(con: duckdb.DuckDBPyConnection, marts: list[MartDocs]) -> dict[str, int]:
    con.execute(f"create schema publish.{MARTS_SCHEMA}")
    row_counts = {}
    for mart in marts:
        target = f"publish.{MARTS_SCHEMA}.{mart.name}"
        con.execute(f"create table {target} as select * from {MARTS_SCHEMA}.{mart.name}")
        if mart.description:
            con.execute(f"comment on table {target} is {_sql_literal(mart.description)}")
        existing = {row[0] for row in con.execute(f"describe {target}").fetchall()}
        for column, description in mart.columns.items():
            if description and column in existing:
                con.execute(f"comment on column {target}.{column} is {_sql_literal(description)}")
        row_counts[mart.name] = con.execute(f"select count(*) from {target}").fetchone()[0]
    return row_counts


def _write_refresh_log(
    con: duckdb.DuckDBPyConnection,
    previous: Path,
    as_of: date,
    row_counts: dict[str, int],
    checks: dict[str, object],
    warnings: list[dict[str, str]],
) -> None:
    con.execute(
        f"create table publish.{REFRESH_LOG} (as_of date, published_at timestamp, "
        "row_counts json, check_summary json, warnings json)"
    )
    if previous.exists():
        # Keep the history of earlier publications (read-only: readers may hold the file).
        con.execute(f"attach {_sql_literal(str(previous))} as previous (read_only)")
        try:
            has_log = con.execute(
                "select count(*) from duckdb_tables() where database_name = 'previous' "
                "and schema_name = 'meta' and table_name = 'refresh_log'"
            ).fetchone()[0]
            if has_log:
                # by name: logs written before a column existed leave it null
                con.execute(
                    f"insert into publish.{REFRESH_LOG} by name "
                    f"select * from previous.{REFRESH_LOG}"
                )
        finally:
            con.execute("detach previous")
    con.execute(
        f"insert into publish.{REFRESH_LOG} values (?, ?, ?, ?, ?)",
        [
            as_of,
            datetime.now(UTC).replace(tzinfo=None),
            json.dumps(row_counts),
            json.dumps(checks),
            json.dumps(warnings),
        ],
    )


def _remove_abandoned_staging_files(serving_path: Path) -> None:
    """Half-written copies (and their WAL) left by a publication that was killed.

    Publications take turns (warehouse pool), so any staging file present now is abandoned.
    """
    for leftover in serving_path.parent.glob(f".{serving_path.name}.*.tmp*"):
        leftover.unlink(missing_ok=True)


def publish(
    con: duckdb.DuckDBPyConnection,
    serving_path: Path,
    marts: list[MartDocs],
    as_of: date,
    checks: dict[str, object],
    warnings: list[dict[str, str]] | None = None,
) -> dict[str, int]:
    """Copy `marts` from the warehouse behind `con` into a new file, then rename it into place.
    `warnings` are the failed warning checks the publication goes ahead with."""
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging_files(serving_path)
    staging_file = serving_path.with_name(f".{serving_path.name}.{uuid.uuid4().hex}.tmp")
    con.execute(
        f"attach {_sql_literal(str(staging_file))} as publish "
        f"(storage_version {_sql_literal(SERVING_STORAGE_VERSION)})"
    )
    try:
        con.execute("create schema publish.meta")
        row_counts = _copy_marts(con, marts)
        _write_refresh_log(con, serving_path, as_of, row_counts, checks, warnings or [])
        con.execute("detach publish")
        with open(staging_file, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staging_file, serving_path)  # atomic on POSIX: readers see old or new
    except BaseException:
        con.execute("detach database if exists publish")
        staging_file.unlink(missing_ok=True)
        raise
    return row_counts


def dbt_test_summary(settings: Settings) -> dict[str, object]:
    """Counts of dbt test outcomes of the build that produced these marts: the warehouse's
    newest."""
    run_results = dbt_run_results_path(settings)
    if not run_results.exists():
        return {}
    results = json.loads(run_results.read_text()).get("results", [])
    tests = [r for r in results if r.get("unique_id", "").startswith(("test.", "unit_test."))]
    summary: dict[str, object] = {"dbt_tests": len(tests)}
    for status in ("pass", "warn", "fail", "error"):
        summary[f"dbt_tests_{status}"] = sum(r.get("status") == status for r in tests)
    return summary


def _declared_check_keys() -> list[AssetCheckKey]:
    """Every check of the code location: the gate's and dbt's (the job running this asset
    knows only its own, and the raw checks run with the ingestion)."""
    from orchestration.quality import build_quality_checks

    gate = [key for checks in build_quality_checks() for key in checks.check_keys]
    return gate + list(dbt_models.check_keys) + list(learned_health_checks.check_keys)


# dbt's marts and the Python-written ones, published alike.
MART_DOCS = sorted(mart_docs() + python_mart_docs(), key=lambda mart: mart.name)


@asset(
    key=AssetKey(["serving", "published_warehouse"]),
    deps=[AssetKey([MARTS_SCHEMA, mart.name]) for mart in MART_DOCS],
    group_name="serving",
    pool=WAREHOUSE_POOL,
    kinds={"duckdb"},
    description=(
        "The read-only snapshot BI tools query (CS_SERVING_PATH): every mart with its dbt docs "
        "as comments, and meta.refresh_log. Published atomically, only after every blocking "
        "check upstream has passed."
    ),
)
def published_warehouse(
    context: AssetExecutionContext, warehouse: DuckDBResource, run_config: RunConfig
) -> MaterializeResult:
    settings = run_config.settings
    checks = dbt_test_summary(settings)
    warnings = standing_warnings(context.instance, _declared_check_keys())
    checks["warnings"] = len(warnings)
    with warehouse.get_connection() as con:
        row_counts = publish(
            con, settings.serving_path, MART_DOCS, settings.as_of, checks, warnings
        )
    context.log.info(
        f"Published {len(row_counts)} marts ({sum(row_counts.values())} rows) to "
        f"{settings.serving_path} with {len(warnings)} warning(s)"
    )
    for warning in warnings:
        context.log.warning(f"{warning['asset']}: {warning['check']}: {warning['description']}")
    # The checks of this run built their own pages; the index over all of them is built once.
    docs_index = build_docs_index(run_config.quality())
    return MaterializeResult(
        metadata={
            "serving_path": MetadataValue.path(str(settings.serving_path)),
            "as_of": settings.as_of.isoformat(),
            "tables": len(row_counts),
            "row_counts": MetadataValue.json(row_counts),
            "checks": MetadataValue.json(checks),
            "warnings": MetadataValue.json(warnings),
            "data_docs_index": MetadataValue.path(str(docs_index)),
        }
    )
