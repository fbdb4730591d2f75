"""GX's SQL engine on DuckDB: one held connection per validation (a small, pinned shim).

Why: `SqlAlchemyExecutionEngine.execute_query` runs a query inside
`with self.get_connection() as connection:` and the caller fetches the rows after that block
has closed the connection. For most dialects GX opens a new SQLAlchemy connection per query;
closing a duckdb-engine connection discards the pending result, so `resolve_metric_bundle`
finds no row (an `IndexError`) and every expectation fails, valid data included. GX itself
keeps one connection open for sqlite, SQL Server, BigQuery and Databricks
(`_PERSISTED_CONNECTION_DIALECTS`, for their temp tables); `install` adds DuckDB to that branch
and changes nothing else.

The patch is pinned to the source of the function it replaces: a GX upgrade that changes
`get_connection` makes `install` raise (and tests/data_quality/test_gx_duckdb.py fail) until
someone checks that the shim still holds, or is no longer needed.

GX's SQL datasource reaches the warehouse through `use_connection`: the connection a check
already has (read-only, or the run's own when the process holds the file read-write, since
DuckDB allows one writer process) lends GX a cursor for the validation, closed after it.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

DIALECT = "duckdb"
# sha256 of `inspect.getsource(SqlAlchemyExecutionEngine.get_connection)` in the GX versions
# checked by hand (1.24.1): the persisted-connection branch this shim reuses.
KNOWN_GET_CONNECTION = {
    "b46ee9fbae2ac1c33d6f00c53c4e50c5152376a16f7f3741adb7444d1939d905": "1.24.1",
}


class ShimOutdated(RuntimeError):
    """GX's `get_connection` is not the one the shim was written against."""


def _engine_class() -> type:
    from great_expectations.execution_engine import SqlAlchemyExecutionEngine

    return SqlAlchemyExecutionEngine


def source_digest() -> str:
    """The sha256 of the installed GX's `SqlAlchemyExecutionEngine.get_connection` source."""
    engine = _engine_class()
    original = getattr(engine.get_connection, "_gx_duckdb_original", engine.get_connection)
    return hashlib.sha256(inspect.getsource(original).encode()).hexdigest()


def install() -> None:
    """Make GX's SQL engine hold one connection on DuckDB, as it does for sqlite, and register
    the dialect of its DuckDB engines (gx_duckdb_dialect: reflection from DuckDB's catalog).
    Idempotent."""
    from data_quality import gx_duckdb_dialect

    gx_duckdb_dialect.register()
    engine = _engine_class()
    if getattr(engine.get_connection, "_gx_duckdb_original", None) is not None:
        return
    digest = source_digest()
    if digest not in KNOWN_GET_CONNECTION:
        import great_expectations

        raise ShimOutdated(
            f"great_expectations {great_expectations.__version__} changed "
            "SqlAlchemyExecutionEngine.get_connection (sha256 "
            f"{digest[:12]}, known: {', '.join(KNOWN_GET_CONNECTION.values())}). Check that "
            "it still closes the connection before the rows are fetched on duckdb, then "
            "update KNOWN_GET_CONNECTION in data_quality/gx_duckdb.py, or drop the shim."
        )
    original = engine.get_connection

    @contextmanager
    def get_connection(self: Any) -> Iterator[Any]:
        if self.dialect_name != DIALECT:
            with original(self) as connection:
                yield connection
            return
        # GX's own branch for _PERSISTED_CONNECTION_DIALECTS: open once, never close here.
        if not self._connection:
            self._connection = self.engine.connect()
        yield self._connection

    get_connection._gx_duckdb_original = original  # type: ignore[attr-defined]
    engine.get_connection = get_connection


def uninstall() -> None:
    """Restore GX's own `get_connection` (tests show what happens without the shim)."""
    engine = _engine_class()
    original = getattr(engine.get_connection, "_gx_duckdb_original", None)
    if original is not None:
        engine.get_connection = original


class _Lender:
    """Hands GX's SQLAlchemy pool a cursor of the connection in use (one validation at a time
    per process: Dagster runs each check step in its own process, tests run them in turn)."""

    def __init__(self) -> None:
        self.connection: duckdb.DuckDBPyConnection | None = None

    def __call__(self) -> Any:
        from duckdb_engine import ConnectionWrapper

        if self.connection is None:
            raise RuntimeError(
                "GX asked for a DuckDB connection outside gx_duckdb.use_connection(...)"
            )
        cursor = self.connection.cursor()
        cursor.execute("set TimeZone = 'UTC'")
        return ConnectionWrapper(cursor)


LENDER = _Lender()


def add_datasource(context: Any, name: str, create_temp_table: bool) -> Any:
    """A GX SQL datasource over whatever connection `use_connection` lends.

    `create_temp_table`: GX materialises each query batch once as a temp table of the held
    connection and computes every metric on it (worth it when the query parses JSON)."""
    install()
    from data_quality.gx_duckdb_dialect import URL_SCHEME

    # GX tests a new datasource's connection: an empty in-memory database answers it.
    scratch = duckdb.connect()
    LENDER.connection = scratch
    try:
        datasource = context.data_sources.add_or_update_sql(
            name,
            connection_string=f"{URL_SCHEME}:///:memory:",  # never opened: LENDER connects
            create_temp_table=create_temp_table,
            kwargs={"creator": LENDER},
        )
        release(datasource.get_execution_engine())
    finally:
        LENDER.connection = None
        scratch.close()
    return datasource


@contextmanager
def use_connection(datasources: list[Any], con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """GX's SQL engines read through `con` inside the block; their held connection (and the
    temp tables on it) is closed at its end, so the next validation may use another `con`."""
    LENDER.connection = con
    try:
        yield
    finally:
        LENDER.connection = None
        for datasource in datasources:
            release(datasource.get_execution_engine())


def release(execution_engine: Any) -> None:
    """Close the engine's held connection and its pool (the lent cursors, not `con`)."""
    held = execution_engine._connection
    execution_engine._connection = None
    if held is not None:
        held.close()
    execution_engine.engine.dispose()
