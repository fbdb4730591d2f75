"""DDL of the raw layer: one table per landing object, the quarantine and the load log.

Every raw table has the same shape: the record's id, its original JSON (unless its spec drops
it), the typed columns its spec declares, and lineage columns. dbt's staging models are the only
readers (through `source()`), so this file and `dbt_project/models/staging/*/_*__sources.yml`
change together.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

import duckdb

from landing.spec import ObjectSpec
from landing.tables import LOAD_LOG_TABLE, QUARANTINE_TABLE

log = logging.getLogger(__name__)

_ID_COLUMN = "record_id varchar not null,        -- the object's id (Segment: messageId)"
# zstd, not DuckDB's default for strings (FSST): Stripe and HubSpot records are kilobytes of
# JSON each, and the medium benchmark's invoices, subscriptions and charges were written in
# 2.9 s instead of 8.5 s, in 47 instead of 396 MiB; reading them is as fast.
_RECORD_COLUMN = (
    "record json not null using compression zstd,  -- the record as the source emitted it"
)
_LINEAGE_COLUMNS = """
    _event_id varchar,                 -- Stripe Event id when the record came inside an event
    _event_type varchar,               -- e.g. customer.subscription.updated
    _event_created bigint,             -- the event's `created` (Unix seconds)
    _source_file varchar not null,     -- path relative to the landing folder
    _line_number bigint not null,      -- 1-based line in the file
    _record_index integer not null,    -- 0-based position inside a page envelope (0 if bare)
    _partition_date date not null,     -- extraction day (Stripe, HubSpot) / received day (Segment)
    _record_version varchar not null,  -- sortable: a later version of an object sorts higher
    _loaded_at timestamp not null
"""

_QUARANTINE_DDL = f"""
create table if not exists {QUARANTINE_TABLE} (
    system varchar not null,
    object varchar not null,
    partition_date date not null,
    file varchar not null,
    line_number bigint not null,
    record_index integer,             -- null when the whole line was rejected
    raw_text varchar,                 -- the rejected line or record, verbatim
    reason varchar not null,
    loaded_at timestamp not null
)
"""

_LOAD_LOG_DDL = f"""
create table if not exists {LOAD_LOG_TABLE} (
    system varchar not null,
    object varchar not null,
    partition_date date not null,
    file varchar not null,
    file_bytes bigint not null,
    file_mtime_ns bigint not null,
    lines_read bigint not null,
    records_loaded bigint not null,
    records_quarantined bigint not null,
    loader_version varchar not null,
    loaded_at timestamp not null,
    run_id varchar                    -- the Dagster run that loaded the day (null outside one)
)
"""


def raw_table_ddl(spec: ObjectSpec) -> str:
    columns = [_ID_COLUMN]
    if spec.keeps_record:
        columns.append(_RECORD_COLUMN)
    columns += [f"{c.name} {c.sql_type}," for c in spec.typed_columns]
    return (
        f"create table if not exists {spec.table} (\n    "
        + "\n    ".join(columns)
        + (f"{_LINEAGE_COLUMNS})")
    )


class RawTable(Protocol):
    """What a loader target (loader.LoadTarget) tells about its table."""

    spec: ObjectSpec
    ddl: str


def _columns(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[str]:
    return _columns_of(con, [(schema, name)]).get((schema, name), [])


def _columns_of(
    con: duckdb.DuckDBPyConnection, tables: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[str]]:
    """The columns of each existing (schema, table) among `tables`, in order: one catalog query
    for all of them (a query per table cost ~4 ms, and every ingestion step checks all 19)."""
    rows = con.execute(
        "select table_schema, table_name, list(column_name order by ordinal_position) "
        "from information_schema.columns "
        "where list_contains(?::varchar[], table_schema || '.' || table_name) group by 1, 2",
        [[f"{schema}.{name}" for schema, name in tables]],
    ).fetchall()
    return {(schema, name): columns for schema, name, columns in rows}


# The columns each DDL creates, as DuckDB names them: probed once per process (a temp table
# created and dropped), not once per check.
_EXPECTED_COLUMNS: dict[str, list[str]] = {}


def _expected_columns(con: duckdb.DuckDBPyConnection, table: RawTable) -> list[str]:
    if table.ddl not in _EXPECTED_COLUMNS:
        probe = table.ddl.replace(
            f"create table if not exists {table.spec.table}",
            "create or replace temp table _raw_shape",
            1,
        )
        con.execute(probe)
        _EXPECTED_COLUMNS[table.ddl] = _columns(con, "main", "_raw_shape")  # temp: schema main
        con.execute("drop table _raw_shape")
    return _EXPECTED_COLUMNS[table.ddl]


def _drop_if_reshaped(con: duckdb.DuckDBPyConnection, table: RawTable, existing: list[str]) -> None:
    """Drop a raw table whose columns (`existing`; empty: no table) are not those of its DDL (a
    warehouse built by an older version, e.g. Segment's events before their typed columns),
    with its load log and quarantine rows, so that the load rebuilds it from the landing files.
    Nothing is lost: a raw table mirrors its landing folder (a day whose files are gone is
    emptied)."""
    spec = table.spec
    if not existing:
        return
    expected = _expected_columns(con, table)
    if existing == expected:
        return
    log.warning(
        "%s: columns %s differ from the loader's %s; rebuilding it from the landing files",
        spec.table,
        existing,
        expected,
    )
    con.execute(f"drop table {spec.table}")
    for log_table in (LOAD_LOG_TABLE, QUARANTINE_TABLE):
        if _columns(con, *log_table.split(".")):
            con.execute(
                f"delete from {log_table} where system = ? and object = ?",
                [spec.system, spec.object],
            )


def create_raw_tables(con: duckdb.DuckDBPyConnection, tables: Iterable[RawTable]) -> None:
    """Create the raw schemas and tables of `tables` (every source's:
    orchestration.sources.ALL_TARGETS), the quarantine and the load log, if missing
    (idempotent); a raw table of another shape is rebuilt (`_drop_if_reshaped`)."""
    tables = list(tables)
    for schema in sorted({table.spec.schema for table in tables}):
        con.execute(f"create schema if not exists {schema}")
    existing = _columns_of(con, [(table.spec.schema, table.spec.object) for table in tables])
    for table in tables:
        _drop_if_reshaped(con, table, existing.get((table.spec.schema, table.spec.object), []))
        con.execute(table.ddl)
    con.execute(_QUARANTINE_DDL)
    con.execute(_LOAD_LOG_DDL)
    # Warehouses created before the load log recorded its run.
    con.execute(f"alter table {LOAD_LOG_TABLE} add column if not exists run_id varchar")
