"""The Parquet hand-off of raw tables to Spark: one folder per day, mirroring the raw table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from orchestration.ingest.loader import load_partitions
from orchestration.ingest.parquet_handoff import SCHEMA_ONLY_DAY, hand_off, object_dir
from orchestration.sources import TARGETS_BY_KEY

COUPONS = TARGETS_BY_KEY["stripe/coupons"]


def coupon(coupon_id: str, percent: int) -> dict:
    return {"id": coupon_id, "object": "coupon", "percent_off": percent, "duration": "once"}


def read_back(folder: Path) -> list[tuple]:
    return duckdb.sql(
        f"select _partition_date, record_id, record from read_parquet('{folder}/**/*.parquet', "
        "hive_partitioning = true) order by 1, 2"
    ).fetchall()


def days(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_days_are_written_replaced_and_removed_with_the_raw_table(landing, con, tmp_path):
    raw_dir = tmp_path / "raw"
    landing.write("stripe/coupons", "2025-01-01", [coupon("co_a", 10)])
    landing.write("stripe/coupons", "2025-01-02", [coupon("co_b", 20), coupon("co_c", 30)])
    loads = load_partitions(con, COUPONS, landing.root)
    handoff = hand_off(con, COUPONS.spec, raw_dir, [load.partition_date for load in loads])
    folder = object_dir(raw_dir, COUPONS.spec)
    assert handoff.days_written == [date(2025, 1, 1), date(2025, 1, 2)]
    assert days(folder) == ["_partition_date=2025-01-01", "_partition_date=2025-01-02"]
    rows = read_back(folder)
    assert [(row[0], row[1]) for row in rows] == [
        (date(2025, 1, 1), "co_a"),
        (date(2025, 1, 2), "co_b"),
        (date(2025, 1, 2), "co_c"),
    ]
    assert '"percent_off":10' in rows[0][2].replace(" ", "")  # the record stays JSON text

    # A day re-exported with fewer records replaces its files; another day is left as it was.
    landing.write("stripe/coupons", "2025-01-02", [coupon("co_b", 25)])
    loads = load_partitions(con, COUPONS, landing.root)
    reloaded = [load.partition_date for load in loads if not load.skipped_unchanged]
    assert reloaded == [date(2025, 1, 2)]
    handoff = hand_off(con, COUPONS.spec, raw_dir, reloaded)
    assert handoff.days_written == [date(2025, 1, 2)]
    assert [(row[0], row[1]) for row in read_back(folder)] == [
        (date(2025, 1, 1), "co_a"),
        (date(2025, 1, 2), "co_b"),
    ]

    # A day gone from the raw table loses its folder.
    con.execute(f"delete from {COUPONS.spec.table} where _partition_date = date '2025-01-01'")
    handoff = hand_off(con, COUPONS.spec, raw_dir)
    assert handoff.days_removed == [date(2025, 1, 1)]
    assert days(folder) == ["_partition_date=2025-01-02"]


def test_days_missing_on_disk_are_written_even_when_not_reloaded(landing, con, tmp_path):
    """Switching to Spark over an existing warehouse: the unchanged days are handed off too."""
    landing.write("stripe/coupons", "2025-01-01", [coupon("co_a", 10)])
    load_partitions(con, COUPONS, landing.root)
    handoff = hand_off(con, COUPONS.spec, tmp_path / "raw", loaded_days=[])
    assert handoff.days_written == [date(2025, 1, 1)]


def test_an_empty_object_gets_its_columns_in_one_empty_file(con, tmp_path, landing):
    load_partitions(con, COUPONS, landing.root)  # creates the raw tables, loads nothing
    hand_off(con, COUPONS.spec, tmp_path / "raw")
    folder = object_dir(tmp_path / "raw", COUPONS.spec)
    assert days(folder) == [f"_partition_date={SCHEMA_ONLY_DAY.isoformat()}"]
    columns = duckdb.sql(f"describe select * from read_parquet('{folder}/**/*.parquet')")
    assert "record_id" in [row[0] for row in columns.fetchall()]
    assert read_back(folder) == []
    # Once the object has data, the schema-only day goes.
    landing.write("stripe/coupons", "2025-01-01", [coupon("co_a", 10)])
    load_partitions(con, COUPONS, landing.root)
    hand_off(con, COUPONS.spec, tmp_path / "raw", [date(2025, 1, 1)])
    assert days(folder) == ["_partition_date=2025-01-01"]
