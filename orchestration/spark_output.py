"""The Spark target's tables, read back into the DuckDB warehouse (CS_DBT_TARGET=spark).

dbt on Spark writes every table as Parquet under `<spark warehouse>/<schema>.db/<table>/`
(day-partitioned incremental models in `<day column>=<YYYY-MM-DD>/` folders). After the build,
each of them becomes a view of the same name in the DuckDB warehouse, so the mart checks, the
publication (serving file) and the report read `marts.fct_mrr` & co whichever engine built them.
Views, not copies: the Parquet files are the data; DuckDB reads them when a reader asks.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# Schemas of dbt tables downstream readers use (checks read one intermediate model, people the
# audit reconciliations); staging models are views on Spark, with no files to read.
MIRRORED_SCHEMAS = ("seeds", "intermediate", "marts", "audit")


def spark_tables(warehouse_dir: Path, schemas: tuple[str, ...] = MIRRORED_SCHEMAS) -> dict:
    """{(schema, table): folder} of every Spark table holding Parquet files."""
    tables = {}
    for schema in schemas:
        for folder in sorted((warehouse_dir / f"{schema}.db").glob("*")):
            if folder.is_dir() and next(folder.rglob("*.parquet"), None) is not None:
                tables[(schema, folder.name)] = folder
    return tables


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def mirror_spark_tables(
    con: duckdb.DuckDBPyConnection,
    warehouse_dir: Path,
    schemas: tuple[str, ...] = MIRRORED_SCHEMAS,
) -> list[str]:
    """Replace each `<schema>.<table>` of the DuckDB warehouse by a view over Spark's Parquet
    output; returns the names mirrored. Fails when no mart was built: the Spark build wrote
    nowhere this warehouse can see (CS_SPARK_DIR differs between ingestion and dbt?)."""
    tables = spark_tables(warehouse_dir, schemas)
    if not any(schema == "marts" for schema, _ in tables) and "marts" in schemas:
        raise FileNotFoundError(
            f"no Spark mart under {warehouse_dir}/marts.db: expected one Parquet folder per mart "
            "after a Spark build (CS_SPARK_DIR must be the same for ingestion and dbt)"
        )
    names = []
    for (schema, table), folder in tables.items():
        name = f"{schema}.{table}"
        con.execute(f"create schema if not exists {schema}")
        kind = con.execute(
            "select table_type from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()
        if kind and kind[0] == "BASE TABLE":
            con.execute(f"drop table {name}")
        partitioned = any(child.is_dir() and "=" in child.name for child in folder.iterdir())
        con.execute(
            f"create or replace view {name} as select * from read_parquet("
            f"{_literal(str(folder / '**' / '*.parquet'))}, "
            f"hive_partitioning = {str(partitioned).lower()})"
        )
        names.append(name)
    return names
