"""The SQLAlchemy dialect of GX's DuckDB engines (`duckdb+gx://`, registered by
`gx_duckdb.install`): duckdb-engine's, reflecting tables from DuckDB's own catalog.

Why: duckdb-engine inherits PostgreSQL's reflection, which queries DuckDB's emulated
pg_catalog (~35 ms a table) and does not find temp tables. GX reflects the columns of every
batch it validates (a query, or the temp table a staged query becomes): each paid a failed
pg_catalog lookup before GX's fallback, a `select * ... limit 1`, named the columns (0.75 s of
a demo raw-check run, 19 batches). Other duckdb-engine users of the process (BI tools' tests)
keep duckdb-engine's own dialect.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb_engine
from sqlalchemy import exc, types
from sqlalchemy.dialects import registry
from sqlalchemy.engine import reflection

DRIVER = "gx"
URL_SCHEME = f"duckdb+{DRIVER}"

# A relation's columns as `search_path` finds it: a temp table before the database's own.
_COLUMNS = """
    select database_name, column_name, data_type, is_nullable
    from duckdb_columns()
    where table_name = ? and schema_name = coalesce(?, current_schema())
        and database_name in ('temp', current_database())
    order by database_name <> 'temp', column_index
"""
_PRIMARY_KEY = """
    select constraint_column_names
    from duckdb_constraints()
    where table_name = ? and schema_name = coalesce(?, current_schema())
        and database_name = ? and constraint_type = 'PRIMARY KEY'
"""
# DuckDB's names of types whose PostgreSQL name (duckdb-engine's `ischema_names`) differs.
_POSTGRES_NAMES = {"double": "double precision", "decimal": "numeric", "blob": "bytea"}
_DECIMAL = re.compile(r"decimal\((\d+),\s*(\d+)\)")


class GXDuckDBDialect(duckdb_engine.Dialect):
    driver = DRIVER
    supports_statement_cache = True  # as duckdb-engine's; SQLAlchemy asks each subclass

    @reflection.cache  # one catalog query per relation and inspector: columns and keys share it
    def _relation_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list:
        rows = connection.exec_driver_sql(_COLUMNS, (table_name, schema)).fetchall()
        if not rows:
            raise exc.NoSuchTableError(table_name)
        database = rows[0][0]
        return [row for row in rows if row[0] == database]

    def get_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "type": self._column_type(data_type),
                "nullable": bool(nullable),
                "default": None,
                "autoincrement": False,
            }
            for _, name, data_type, nullable in self._relation_columns(
                connection, table_name, schema, **kw
            )
        ]

    def get_pk_constraint(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        database = self._relation_columns(connection, table_name, schema, **kw)[0][0]
        keys = connection.exec_driver_sql(_PRIMARY_KEY, (table_name, schema, database))
        columns = keys.fetchone()
        return {"constrained_columns": list(columns[0]) if columns else [], "name": None}

    def _column_type(self, data_type: str) -> types.TypeEngine:
        """The SQLAlchemy type of a DuckDB type name; NullType for nested and unknown ones."""
        lowered = data_type.lower()
        decimal = _DECIMAL.fullmatch(lowered)
        if decimal:
            return types.Numeric(int(decimal.group(1)), int(decimal.group(2)))
        kind = self.ischema_names.get(_POSTGRES_NAMES.get(lowered, lowered))
        try:
            return kind() if kind is not None else types.NullType()
        except TypeError:  # a type that needs arguments to exist
            return types.NullType()


def register() -> None:
    """Make `duckdb+gx://` URLs use GXDuckDBDialect (idempotent)."""
    registry.register(f"duckdb.{DRIVER}", __name__, GXDuckDBDialect.__name__)
