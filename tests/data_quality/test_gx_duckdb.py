"""GX's SQL engine on DuckDB: the shim is needed, works, and is pinned to GX's code."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from data_quality import gx_duckdb
from data_quality.rules import Batch, between, in_set, not_null
from data_quality.runner import validate

# 100,000 rows: every 1,000th amount null (100), every 7th status unknown (14,286), amounts
# above 90,000 out of range (ids 90,001..99,999 less the 9 null ones 91,000..99,000: 9,990).
ROWS = 100_000
QUERY = "select id, status, amount from shop.orders where id >= 0"
RULES = [
    not_null("required_fields", "amount"),
    in_set("value_sets", "status", ("paid", "open")),
    between("ranges", "amount", 0, 90_000),
]
EXPECTED = {
    "expect_column_values_to_not_be_null(amount)": 100,
    "expect_column_values_to_be_in_set(status)": 14_286,
    "expect_column_values_to_be_between(amount)": 9_990,
}


@pytest.fixture
def orders() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        f"""
        create schema shop;
        create table shop.orders as
        select
            i as id,
            case when i % 7 = 0 then 'lost' when i % 2 = 0 then 'paid' else 'open' end as status,
            case when i % 1000 <> 0 then i end as amount
        from range({ROWS}) as t(i)
        """
    )
    yield con
    con.close()


def _counts(con: duckdb.DuckDBPyConnection, config, query: str = QUERY) -> dict[str, int]:
    batch = Batch("shop.orders", None, list(RULES), "all", ("id",), query=query)
    outcomes = validate([batch], config, run_name="shim", con=con)
    return {rule.expectation: rule.unexpected_count for o in outcomes.values() for rule in o.rules}


def test_the_sql_engine_counts_exactly_with_the_shim(orders, config):
    assert _counts(orders, config) == EXPECTED
    # The same rules on a narrower query (a run's days): GX runs the new query.
    narrow = "select id, status, amount from shop.orders where id < 14"
    assert _counts(orders, config, narrow) == {
        "expect_column_values_to_not_be_null(amount)": 1,  # id 0
        "expect_column_values_to_be_in_set(status)": 2,  # ids 0 and 7
        "expect_column_values_to_be_between(amount)": 0,
    }


def test_bad_values_come_with_their_row_key(orders, config):
    batch = Batch("shop.orders", None, list(RULES), "all", ("id",), query=QUERY)
    outcome = validate([batch], config, run_name="keys", con=orders)["value_sets"]
    assert outcome.samples[0] == "expect_column_values_to_be_in_set(status): status=lost, id=0"
    assert len(outcome.rules[0].samples) == config.sample_size
    # The Data Docs page lists the bad value with the keys of its rows.
    page = Path(outcome.docs_urls[0].removeprefix("file://").replace("%20", " ")).read_text()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "14286 unexpected values found" in text
    # (200 rows kept: config.unexpected_rows_kept)
    assert "Sampled Unexpected Values Count id lost 200 0, 7, 14, 21," in text


def test_without_the_shim_the_sql_engine_returns_nothing(orders, config, monkeypatch):
    gx_duckdb.uninstall()
    monkeypatch.setattr(gx_duckdb, "install", lambda: None)  # the runner must not re-patch
    try:
        batch = Batch("shop.orders", None, list(RULES), "all", ("id",), query=QUERY)
        outcomes = validate([batch], config, run_name="unpatched", con=orders)
    finally:
        monkeypatch.undo()
        gx_duckdb.install()
    rules = [rule for outcome in outcomes.values() for rule in outcome.rules]
    # Every expectation fails without a count: GX got no row back from DuckDB.
    assert [(r.success, r.element_count, r.unexpected_count) for r in rules] == [(False, 0, 0)] * 3


def test_the_shim_is_pinned_to_the_installed_gx():
    """A GX upgrade that changes get_connection fails here (and `install` raises) until the
    shim is checked against it (see gx_duckdb.KNOWN_GET_CONNECTION)."""
    assert gx_duckdb.source_digest() in gx_duckdb.KNOWN_GET_CONNECTION


def test_an_unknown_get_connection_is_refused(monkeypatch):
    gx_duckdb.uninstall()
    monkeypatch.setattr(gx_duckdb, "KNOWN_GET_CONNECTION", {})
    try:
        with pytest.raises(gx_duckdb.ShimOutdated, match="changed"):
            gx_duckdb.install()
    finally:
        monkeypatch.undo()
        gx_duckdb.install()


def test_new_assets_write_no_copy_of_the_configuration(orders, config, monkeypatch):
    """GX copies an ephemeral context's whole configuration into an in-memory store for each
    asset added, which nothing reads (`runner._keep_configuration_in_memory` skips it): three
    new query assets, no copy, the counts as exact as before."""
    from great_expectations.data_context.store.data_context_store import DataContextStore

    copies = []
    copy = DataContextStore.set

    def counting_copy(self, *args, **kwargs):
        copies.append(self.store_name)
        return copy(self, *args, **kwargs)

    monkeypatch.setattr(DataContextStore, "set", counting_copy)
    for number in range(3):
        batch = Batch(f"shop.orders_{number}", None, list(RULES), "all", ("id",), query=QUERY)
        outcomes = validate([batch], config, run_name="copies", con=orders)
        counts = {r.expectation: r.unexpected_count for o in outcomes.values() for r in o.rules}
        assert counts == EXPECTED
    assert copies == []


@pytest.mark.parametrize("staged", [False, True], ids=["query", "staged query"])
def test_batches_are_reflected_from_duckdbs_catalog(orders, config, monkeypatch, staged):
    """GX reads a batch's columns through gx_duckdb_dialect, never through duckdb-engine's
    PostgreSQL reflection (pg_catalog: ~35 ms a table, and blind to temp tables)."""
    from sqlalchemy.dialects.postgresql.base import PGDialect

    pg_reflections = []
    for method in ("get_columns", "get_pk_constraint"):
        original = getattr(PGDialect, method)
        monkeypatch.setattr(
            PGDialect,
            method,
            lambda self, *a, _m=method, _o=original, **k: (
                pg_reflections.append(_m) or _o(self, *a, **k)
            ),
        )
    batch = Batch("shop.orders", None, list(RULES), "all", ("id",), query=QUERY, staged=staged)
    outcomes = validate([batch], config, run_name="reflection", con=orders)

    counts = {r.expectation: r.unexpected_count for o in outcomes.values() for r in o.rules}
    assert counts == EXPECTED
    assert pg_reflections == []


def test_the_gx_dialect_reads_names_types_and_keys_from_duckdb():
    import sqlalchemy as sa
    from duckdb_engine import ConnectionWrapper
    from sqlalchemy.dialects.postgresql import BIGINT, DOUBLE_PRECISION

    from data_quality import gx_duckdb_dialect

    gx_duckdb_dialect.register()
    database = duckdb.connect()
    engine = sa.create_engine(
        f"{gx_duckdb_dialect.URL_SCHEME}://", creator=lambda: ConnectionWrapper(database)
    )
    assert isinstance(engine.dialect, gx_duckdb_dialect.GXDuckDBDialect)
    assert type(sa.create_engine("duckdb://").dialect) is not type(engine.dialect)  # BI tools'
    with engine.connect() as connection:
        connection.exec_driver_sql(
            "create table keyed (id bigint primary key, amount decimal(18, 2) not null)"
        )
        connection.exec_driver_sql(
            "create temp table staged as select 1::bigint as id, 'x' as name, 1.5::double as "
            "rate, [1] as tags"
        )
        inspector = sa.inspect(connection)
        staged = inspector.get_columns("staged")
        keyed = inspector.get_columns("keyed")

        assert [c["name"] for c in staged] == ["id", "name", "rate", "tags"]
        types = [type(c["type"]) for c in staged]
        assert types == [BIGINT, sa.String, DOUBLE_PRECISION, sa.types.NullType]
        assert (keyed[1]["type"].precision, keyed[1]["type"].scale) == (18, 2)
        assert [c["nullable"] for c in keyed] == [False, False]
        assert inspector.get_pk_constraint("keyed")["constrained_columns"] == ["id"]
        assert inspector.get_pk_constraint("staged")["constrained_columns"] == []
        with pytest.raises(sa.exc.NoSuchTableError):
            inspector.get_columns("select 1")
    database.close()
