"""Raw tables handed to Spark as Parquet, one folder per day (the Spark target only).

With `CS_DBT_TARGET=spark` the ingestion still loads and validates with DuckDB (the raw tables
stay the one place a record is checked and quarantined); after an object is loaded, the days
it loaded are written to `<raw dir>/<system>/<object>/_partition_date=<day>/` as Parquet. A
reloaded day replaces its old files, a day whose rows are gone loses its folder, and days the
folder lacks (the Spark target switched on over an existing warehouse) are written too, so the
folder always mirrors the raw table. dbt's `on-run-start` on Spark registers each folder as an
external table (`register_raw_parquet_tables`) with the columns read from these files: the raw
schema stays defined once, in `raw_schema.py`.

An object with no rows at all gets one empty file under `_partition_date=1970-01-01` so that
its table (and its columns) exist on Spark; it is removed once the object has data.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from landing.spec import ObjectSpec

PARTITION_COLUMN = "_partition_date"
SCHEMA_ONLY_DAY = date(1970, 1, 1)


@dataclass(frozen=True)
class Handoff:
    """What one hand-off did to one object's folder."""

    key: str
    days_written: list[date]
    days_removed: list[date]


def object_dir(raw_dir: Path, spec: ObjectSpec) -> Path:
    return raw_dir / spec.system / spec.object


def _day_dir(folder: Path, day: date) -> Path:
    return folder / f"{PARTITION_COLUMN}={day.isoformat()}"


def _days_on_disk(folder: Path) -> set[date]:
    days = set()
    for path in folder.glob(f"{PARTITION_COLUMN}=*"):
        try:
            days.add(date.fromisoformat(path.name.split("=", 1)[1]))
        except ValueError:
            continue  # not a day folder of ours; left alone
    return days


def _select_list(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The table's columns, JSON ones as text (Parquet and Spark have no JSON type)."""
    schema, name = table.split(".")
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    if not rows:
        raise ValueError(f"raw table {table} does not exist: load the object before handing it off")
    return ", ".join(
        f"cast({column} as varchar) as {column}" if data_type == "JSON" else column
        for column, data_type in rows
    )


def hand_off(
    con: duckdb.DuckDBPyConnection,
    spec: ObjectSpec,
    raw_dir: Path,
    loaded_days: Iterable[date] = (),
) -> Handoff:
    """Write `loaded_days` (and any day of the table missing on disk) of one raw object as
    Parquet partitioned by day, replacing those days' old files; remove the days the table no
    longer has."""
    folder = object_dir(raw_dir, spec)
    folder.mkdir(parents=True, exist_ok=True)
    in_table = {
        row[0]
        for row in con.execute(f"select distinct {PARTITION_COLUMN} from {spec.table}").fetchall()
    }
    on_disk = _days_on_disk(folder) - {SCHEMA_ONLY_DAY}
    to_write = sorted((set(loaded_days) & in_table) | (in_table - on_disk))
    to_remove = sorted((on_disk - in_table) | (set(loaded_days) - in_table))
    for day in set(to_write) | set(to_remove) | ({SCHEMA_ONLY_DAY} if in_table else set()):
        shutil.rmtree(_day_dir(folder, day), ignore_errors=True)
    columns = _select_list(con, spec.table)
    if to_write:
        days_sql = ", ".join(f"date '{day.isoformat()}'" for day in to_write)
        con.execute(
            f"copy (select {columns} from {spec.table} where {PARTITION_COLUMN} in ({days_sql})) "
            f"to '{folder}' (format parquet, partition_by ({PARTITION_COLUMN}), "
            "overwrite_or_ignore)"
        )
    if not in_table:
        schema_dir = _day_dir(folder, SCHEMA_ONLY_DAY)
        schema_dir.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"copy (select * exclude ({PARTITION_COLUMN}) from "
            f"(select {columns} from {spec.table}) limit 0) "
            f"to '{schema_dir / 'data_0.parquet'}' (format parquet)"
        )
    return Handoff(spec.key, to_write, to_remove)


def hand_off_all(
    con: duckdb.DuckDBPyConnection, specs: Iterable[ObjectSpec], raw_dir: Path
) -> list[Handoff]:
    """Every object's folder brought in line with its raw table (tests, first switch-over)."""
    return [hand_off(con, spec, raw_dir) for spec in specs]
