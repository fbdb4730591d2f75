"""Write-audit-publish: the serving file is replaced whole, with docs and a refresh log."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest
import sqlalchemy

from orchestration.health_model import TABLES as PYTHON_MARTS
from orchestration.serving import (
    MART_DOCS,
    MARTS_SCHEMA,
    SERVING_STORAGE_VERSION,
    MartDocs,
    publish,
)
from orchestration.transform import MANIFEST_PATH

MART = MartDocs("fct_example", "One row per month (MRR-3).", {"mrr": "MRR in USD", "gone": "x"})


def _warehouse(path, rows: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute(
        "create or replace table marts.fct_example as select range as mrr from range(?)", [rows]
    )
    return con


def test_publish_copies_marts_with_comments_and_appends_the_refresh_log(tmp_path):
    serving = tmp_path / "serving.duckdb"
    con = _warehouse(tmp_path / "warehouse.duckdb", 3)
    assert publish(con, serving, [MART], date(2026, 1, 31), {"dbt_tests": 5}) == {"fct_example": 3}
    con.execute("create or replace table marts.fct_example as select 1 as mrr")
    publish(con, serving, [MART], date(2026, 2, 1), {"dbt_tests": 5})
    con.close()

    with duckdb.connect(str(serving), read_only=True) as reader:
        assert reader.execute("select count(*) from marts.fct_example").fetchone() == (1,)
        comment = reader.execute(
            "select comment from duckdb_columns() where table_name = 'fct_example' "
            "and column_name = 'mrr'"
        ).fetchone()
        assert comment == ("MRR in USD",)
        log = reader.execute(
            "select as_of, row_counts, check_summary from meta.refresh_log order by as_of"
        ).fetchall()
    assert [(row[0], json.loads(row[1])) for row in log] == [
        (date(2026, 1, 31), {"fct_example": 3}),
        (date(2026, 2, 1), {"fct_example": 1}),
    ]
    assert not list(tmp_path.glob(".serving.duckdb.*.tmp"))


def test_a_failed_publish_leaves_the_previous_snapshot(tmp_path):
    serving = tmp_path / "serving.duckdb"
    con = _warehouse(tmp_path / "warehouse.duckdb", 2)
    publish(con, serving, [MART], date(2026, 1, 31), {})
    before = serving.read_bytes()
    missing = MartDocs("fct_not_built", "", {})
    try:
        publish(con, serving, [MART, missing], date(2026, 2, 1), {})
    except duckdb.CatalogException:
        pass
    else:
        raise AssertionError("publishing a missing mart must fail")
    assert serving.read_bytes() == before
    assert not list(tmp_path.glob(".serving.duckdb.*.tmp"))


# --- Every BI client opens the published file -------------------------------------------------
# The marts as dbt's contracts declare them (every published type), one table per mart, built in
# a scratch warehouse and published by `publish` itself, then opened by other clients.


def _value_sql(data_type: str, column: str) -> str:
    """A value of `data_type` that differs per row `i` (so a wrong read cannot pass)."""
    data_type = data_type.lower()
    if data_type.startswith("decimal"):
        return f"(i + 0.25)::{data_type}"
    return {
        "integer": "i::integer",
        "bigint": "(i * 1000000000000)::bigint",
        "double": "i / 4",
        "boolean": "i % 2 = 0",
        "date": "date '2026-01-01' + i::integer",
        "timestamp": "timestamp '2026-01-01 08:30:00' + to_hours(i)",
        "varchar": f"'{column}_' || i",
        # `string`: the portable spelling of newer contracts (Spark's name; DuckDB's alias of
        # varchar), published as varchar.
        "string": f"('{column}_' || i)::string",
    }[data_type]


@pytest.fixture(scope="session")
def published_marts(tmp_path_factory) -> tuple[Path, dict[str, list[dict]]]:
    """The serving file with every mart of the manifest, and what was written to each."""
    tmp = tmp_path_factory.mktemp("serving")
    columns = {
        node["alias"]: node["columns"]
        for node in json.loads(MANIFEST_PATH.read_text())["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == MARTS_SCHEMA
    }
    # ... and the marts Python writes (HLT-3), with the types their contract declares
    for table in PYTHON_MARTS:
        columns[table.name] = {c.name: {"data_type": c.data_type} for c in table.columns}
    assert {mart.name for mart in MART_DOCS} == set(columns)
    con = duckdb.connect(str(tmp / "warehouse.duckdb"))
    con.execute("create schema marts")
    written = {}
    for mart, cols in columns.items():
        assert all(col.get("data_type") for col in cols.values()), f"{mart}: contract types"
        select = ", ".join(
            f"{_value_sql(col['data_type'], name)} as {name}" for name, col in cols.items()
        )
        con.execute(f"create table marts.{mart} as select {select} from range(3) as r(i)")
        written[mart] = con.execute(f"select * from marts.{mart} order by all").fetchall()
    publish(con, tmp / "serving.duckdb", MART_DOCS, date(2026, 1, 31), {"dbt_tests": 1})
    con.close()
    return tmp / "serving.duckdb", written


def test_the_serving_file_is_written_in_the_storage_format_of_duckdb_1_0(published_marts):
    serving, _ = published_marts
    with duckdb.connect() as con:
        con.execute(f"attach '{serving}' as served (read_only)")
        (tags,) = con.execute(
            "select tags from duckdb_databases() where database_name = 'served'"
        ).fetchone()
    assert tags["storage_version"] == f"{SERVING_STORAGE_VERSION}+"
    # The file header's storage number (bytes 12-20): 64 is what DuckDB 0.10.x-1.1.x write.
    assert int.from_bytes(serving.read_bytes()[12:20], "little") == 64


def _uv() -> list[str] | None:
    """uv as the Makefile finds it: on PATH, else `python3 -m uv`."""
    if shutil.which("uv"):
        return [shutil.which("uv")]
    python = shutil.which("python3")
    if (
        python
        and subprocess.run([python, "-m", "uv", "--version"], capture_output=True).returncode == 0
    ):
        return [python, "-m", "uv"]
    return None


def _duckdb_cli(*args: str) -> subprocess.CompletedProcess:
    """The newest DuckDB 1.x CLI (PyPI `duckdb-cli`), in a throw-away environment of its own."""
    command = [*_uv(), "tool", "run", "--isolated", "--from", "duckdb-cli<2", "duckdb", *args]
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)


def test_the_newest_duckdb_1_x_cli_opens_the_serving_file_and_reads_every_mart(published_marts):
    serving, written = published_marts
    version = _duckdb_cli("-version") if _uv() else None
    if version is None or version.returncode != 0:
        reason = "uv is not installed" if version is None else version.stderr.strip()[-500:]
        if os.environ.get("CI"):
            pytest.fail(f"the duckdb-cli package could not be installed in CI: {reason}")
        pytest.skip(f"the duckdb-cli package could not be installed: {reason}")
    assert version.stdout.startswith("v1."), version.stdout

    union = " union all ".join(
        f"select '{mart}' as mart, count(*) as n from marts.{mart}" for mart in written
    )
    counts = _duckdb_cli("-readonly", "-json", str(serving), "-c", f"{union} order by mart")
    assert counts.returncode == 0, counts.stderr
    assert {row["mart"]: row["n"] for row in json.loads(counts.stdout)} == {
        mart: 3 for mart in written
    }
    log = _duckdb_cli(
        "-readonly", "-json", str(serving), "-c", "select as_of, row_counts from meta.refresh_log"
    )
    assert log.returncode == 0, log.stderr
    [entry] = json.loads(log.stdout)
    assert entry["as_of"] == "2026-01-31"
    assert entry["row_counts"] == {mart: 3 for mart in written}

    # One mart read value by value, with its column comments (the dbt docs).
    mart = "fct_renewals"  # varchar, date, timestamp, integer, decimal and boolean columns
    rows = _duckdb_cli(
        "-readonly", "-csv", "-noheader", str(serving), "-c",
        f"select * from marts.{mart} order by all",
    )  # fmt: skip
    assert rows.returncode == 0, rows.stderr
    expected = written[mart]
    assert [line.split(",") for line in rows.stdout.splitlines()] == [
        [_csv_text(value) for value in row] for row in expected
    ]
    comments = _duckdb_cli(
        "-readonly", "-json", str(serving), "-c",
        f"select column_name, comment from duckdb_columns() where table_name = '{mart}'",
    )  # fmt: skip
    assert comments.returncode == 0, comments.stderr
    docs = next(doc for doc in MART_DOCS if doc.name == mart)
    assert {row["column_name"]: row["comment"] for row in json.loads(comments.stdout)} == {
        name: description or None for name, description in docs.columns.items()
    }


def _csv_text(value: object) -> str:
    """How the DuckDB CLI prints a value in -csv mode."""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def test_sqlalchemy_and_duckdb_engine_reflect_the_marts_and_their_columns(published_marts):
    serving, written = published_marts
    engine = sqlalchemy.create_engine(f"duckdb:///{serving}", connect_args={"read_only": True})
    try:
        inspector = sqlalchemy.inspect(engine)
        assert sorted(inspector.get_table_names(schema=MARTS_SCHEMA)) == sorted(written)
        for doc in MART_DOCS:
            columns = inspector.get_columns(doc.name, schema=MARTS_SCHEMA)
            assert [column["name"] for column in columns] == list(doc.columns), doc.name
            assert {column["name"]: column["comment"] for column in columns} == {
                name: description or None for name, description in doc.columns.items()
            }
            assert inspector.get_table_comment(doc.name, schema=MARTS_SCHEMA)["text"] == (
                doc.description or None
            )
        table = sqlalchemy.Table(
            "fct_mrr", sqlalchemy.MetaData(), schema=MARTS_SCHEMA, autoload_with=engine
        )
        with engine.connect() as connection:
            rows = connection.execute(sqlalchemy.select(table).order_by(*table.c)).fetchall()
        assert [tuple(row) for row in rows] == written["fct_mrr"]
    finally:
        engine.dispose()
