"""Write-audit-publish: the serving file is replaced whole, with docs and a refresh log."""

from __future__ import annotations

import json
from datetime import date

import duckdb

from orchestration.serving import MartDocs, publish

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
