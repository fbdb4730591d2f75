"""The same dbt project on Apache Spark and on DuckDB: every table equal, row for row.

The golden scenario (tests/dbt/golden) is loaded once with the ingestion loader, then built
twice: by dbt on DuckDB, and by dbt on Spark (local mode, `--target spark`) from the Parquet
hand-off of the same raw tables. Spark's tables are read back as views (what
`CS_DBT_TARGET=spark make refresh` does) and compared with DuckDB's: money to the cent, rates to
1e-9, everything else exactly (tests/spark/compare.py).

Every data test runs on DuckDB. On Spark, where each test is a query of ~0.4 s, one test of each
kind per layer runs (`one_test_per_kind_and_layer`: 29 of 289 today): the tables being equal
row for row, what Spark can get wrong on its own is a test's SQL, and each kind's SQL is the
same in every model of a layer. Unit tests run on DuckDB (tests/dbt), not here, to keep the
job short.

Needs Java 17 and the `spark` dependency group (`uv sync --group spark`). Without them the
module is skipped with the reason, except under CI=true, where it fails: CI never skips it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.parquet_handoff import hand_off_all
from orchestration.sources import ALL_TARGETS
from orchestration.spark_output import mirror_spark_tables
from orchestration.transform import MANIFEST_PATH, dbt_layer
from tests.dbt.conftest import (
    GOLDEN_AS_OF,
    golden_built_warehouse,
    golden_raw_warehouse,
    run_dbt,
)
from tests.spark.compare import compare_databases, compare_table, report, tables_of

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

COMPARED_SCHEMAS = ("seeds", "staging", "intermediate", "marts", "audit")
# The time each build ran (dbt's run_started_at, kept by the incremental models): two builds
# differ there by construction. Every other column is compared.
IGNORED = frozenset({"_batch_at"})


def _missing() -> str | None:
    if shutil.which("java") is None:
        return "Java is not installed (Debian: apt-get install openjdk-17-jre-headless)"
    for module, package in (("pyspark", "pyspark"), ("dbt.adapters.spark", "dbt-spark")):
        if importlib.util.find_spec(module) is None:
            return f"{package} is not installed (uv sync --group spark, or make env WITH_SPARK=1)"
    return None


# Session-scoped, and asked for by `spark_build`: pytest sets up session fixtures before
# module ones, so a module-scoped skip came after the Spark build had already failed.
@pytest.fixture(scope="session", autouse=True)
def spark_available() -> None:
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI runs the Spark comparison and cannot: {reason}")
    pytest.skip(f"Spark comparison skipped: {reason}")


@pytest.fixture(scope="session")
def golden_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden landing folder loaded once: both engines read the same raw rows."""
    return golden_raw_warehouse(tmp_path_factory)


@pytest.fixture(scope="session")
def duckdb_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DuckDB's build of those raw rows: the one the dbt tests read (tests/dbt/conftest.py),
    made once for the session by whichever test process asks first."""
    return golden_built_warehouse(tmp_path_factory)


@pytest.fixture(scope="session")
def spark_build(
    tmp_path_factory: pytest.TempPathFactory, golden_raw: Path, spark_available: None
) -> Iterator[tuple[Path, str]]:
    """The golden raw tables handed off as Parquet, built by dbt on Spark, read back into a
    DuckDB warehouse; yields that warehouse and dbt's summary line."""
    work_dir = tmp_path_factory.mktemp("spark")
    warehouse, spark_dir = work_dir / "warehouse.duckdb", work_dir / "spark"
    shutil.copy(golden_raw, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        hand_off_all(con, [target.spec for target in ALL_TARGETS], spark_dir / "raw")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CS_SPARK_DIR", str(spark_dir))
        env.delenv("CS_SPARK_RAW_DIR", raising=False)
        env.delenv("CS_SPARK_MASTER", raising=False)
        tests = one_test_per_kind_and_layer(json.loads(MANIFEST_PATH.read_text()))
        run = run_dbt(
            [
                "build",
                "--target",
                "spark",
                "--exclude-resource-type",
                "unit_test",
                "--indirect-selection",
                "empty",
                "--select",
                "resource_type:seed",
                "resource_type:model",
                *tests,
            ],
            warehouse=warehouse,
            as_of=GOLDEN_AS_OF,
            work_dir=work_dir,
        ).check()
    with duckdb.connect(str(warehouse)) as con:
        mirror_spark_tables(con, spark_dir / "warehouse", COMPARED_SCHEMAS)
    yield warehouse, run.summary()


def _kind(test_node: dict) -> str:
    """The generic test a data test instantiates (`unique`, `in_range_or_null`, ...)."""
    return (test_node.get("test_metadata") or {}).get("name", "singular")


def one_test_per_kind_and_layer(manifest: dict) -> list[str]:
    """The first data test (by name) of each generic test and layer of what it tests."""
    chosen: dict[tuple[str, str], str] = {}
    for node in sorted(manifest["nodes"].values(), key=lambda node: node["name"]):
        if node["resource_type"] != "test":
            continue
        tested = manifest["nodes"].get(node.get("attached_node") or "", {})
        chosen.setdefault((_kind(node), dbt_layer(tested)), node["name"])
    return sorted(chosen.values())


def test_a_test_of_each_kind_and_layer_is_chosen() -> None:
    manifest = json.loads(MANIFEST_PATH.read_text())
    tests = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    chosen = one_test_per_kind_and_layer(manifest)
    assert len(set(chosen)) == len(chosen) < len(tests)
    assert {_kind(tests[name]) for name in chosen} == {_kind(node) for node in tests.values()}


def test_spark_build_passes_its_data_tests(spark_build: tuple[Path, str]) -> None:
    _, summary = spark_build
    assert "ERROR=0" in summary and "PASS=" in summary, summary
    print(f"\nSpark: {summary}")


def test_every_table_equals_duckdb(duckdb_build: Path, spark_build: tuple[Path, str]) -> None:
    spark_warehouse, _ = spark_build
    with (
        duckdb.connect(str(duckdb_build), read_only=True) as left,
        duckdb.connect(str(spark_warehouse), read_only=True) as right,
    ):
        marts = compare_databases(left, right, ("marts",), IGNORED)
        others = compare_databases(left, right, ("seeds", "intermediate", "audit"), IGNORED)
        # Staging models are views on Spark, with no files to read back, except the
        # incremental one (a table): compare what Spark wrote.
        staging = [
            compare_table(left, right, name, IGNORED)
            for name in sorted(tables_of(right, ("staging",)))
        ]
    diffs = marts + others + staging
    print("\n" + report(diffs))
    assert marts and staging, report(diffs)  # never an empty comparison
    assert all(diff.equal for diff in diffs), report([d for d in diffs if not d.equal])
