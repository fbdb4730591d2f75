"""The dbt project on its own: it parses without environment, builds on an empty raw layer
with every unit test (each METRICS.md rule, hand-computed rows) and data test passing, and
its own generic tests catch the violations they exist for."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.raw_schema import create_raw_tables
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.sources import ALL_TARGETS
from tests.dbt.conftest import GOLDEN_AS_OF, run_dbt, worker_parse

pytestmark = pytest.mark.xdist_group("dbt")


def test_parse_works_without_environment() -> None:
    # The worker's parse is that `dbt parse` (no CS_AS_OF, no flags), checked when it is made:
    # made here unless another test of this worker needed it first.
    assert worker_parse().stat().st_size > 0


def test_build_refuses_to_run_without_as_of(tmp_path: Path) -> None:
    run = run_dbt(
        ["run", "--select", "stg_stripe__prices"],
        warehouse=tmp_path / "warehouse.duckdb",
        as_of=None,
        work_dir=tmp_path,
    )
    assert run.returncode != 0
    assert "var 'as_of' must be a date" in run.output


def test_build_on_empty_raw_layer_runs_every_unit_and_data_test(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    create_raw_tables(con, ALL_TARGETS)
    con.close()
    run = run_dbt(["build"], warehouse=warehouse, as_of=GOLDEN_AS_OF, work_dir=tmp_path).check()
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit_tests) >= 30, run.summary()
    failed = [r["unique_id"] for r in results if r["status"] not in ("success", "pass")]
    assert not failed, run.summary()


# ------------------------------------------------------------- the project's generic tests
GENERIC_TESTS_PROJECT = {
    "dbt_project.yml": """
name: generic_tests_check
version: "1.0.0"
profile: generic_tests_check
macro-paths: ["macros"]
dispatch:
  - macro_namespace: dbt
    search_order: ["generic_tests_check", "dbt"]
vars:
  as_of: "2025-06-15"
""",
    "profiles.yml": """
generic_tests_check:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('CS_WAREHOUSE_PATH') }}"
      threads: 1
""",
    "models/movements.sql": """
select * from (values
    ('ok', 100.00, 50.00, 150.00, 40.00, 10.00, date '2025-06-01', 0.5),
    ('bad', 100.00, 50.00, 160.00, 40.00, 20.00, date '2025-07-01', 1.5)
) as t(row_id, previous_mrr, mrr_change, mrr, movement_mrr, fx_impact, month, rate)
""",
    "models/monthly.sql": """
select * from (values
    (date '2025-06-01', 310.00),
    (date '2025-07-01', 1.00)
) as t(month, mrr)
""",
    "models/schema.yml": """
version: 2
models:
  - name: movements
    data_tests:
      - sums_to:
          name: sums_to_catches_bad_row
          arguments: {terms: [previous_mrr, mrr_change], total: mrr}
      - sums_to:
          name: sums_to_passes_with_tolerance
          arguments: {terms: [previous_mrr, mrr_change], total: mrr, tolerance: 10}
      - expression_is_true:
          name: expression_catches_bad_row
          arguments: {expression: "movement_mrr + fx_impact = mrr_change"}
      - unique_combination_of_columns:
          name: combination_is_unique
          arguments: {combination_of_columns: [row_id, month]}
      - unique_combination_of_columns:
          name: combination_catches_duplicates
          arguments: {combination_of_columns: [previous_mrr, mrr_change]}
    columns:
      - name: row_id
        data_tests:
          - unique:
              name: unique_passes
      - name: previous_mrr
        data_tests:
          - unique:
              name: unique_catches_the_repeated_value
      - name: month
        data_tests:
          - not_after_as_of:
              name: not_after_as_of_catches_july
      - name: rate
        data_tests:
          - in_range_or_null:
              name: rate_range_catches_1_5
              arguments: {min_value: 0, max_value: 1}
          - in_range_or_null:
              name: rate_lower_bound_only_passes
              arguments: {min_value: 0}
  - name: monthly
    columns:
      - name: mrr
        data_tests:
          - equals_sum_of:
              name: equals_sum_of_catches_both_months
              arguments: {compare_model: "ref('movements')", compare_expression: mrr, key: month}
""",
}

EXPECTED_FAILURES = {
    "sums_to_catches_bad_row",
    "expression_catches_bad_row",
    "combination_catches_duplicates",
    "unique_catches_the_repeated_value",
    "not_after_as_of_catches_july",
    "rate_range_catches_1_5",
    "equals_sum_of_catches_both_months",
}


def test_generic_tests_catch_violations(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for relative, text in GENERIC_TESTS_PROJECT.items():
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip(), encoding="utf-8")
    shutil.copytree(DBT_PROJECT_DIR / "macros", project / "macros")
    run = run_dbt(
        ["build"],
        warehouse=tmp_path / "warehouse.duckdb",
        as_of=GOLDEN_AS_OF,
        work_dir=tmp_path,
        project_dir=project,
    )
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"].split(".")[2]: r["status"] for r in results}
    failed = {name for name, status in statuses.items() if status == "fail"}
    assert failed == EXPECTED_FAILURES, run.output[-4000:]
    failures = {r["unique_id"].split(".")[2]: r["failures"] for r in results}
    assert failures["unique_catches_the_repeated_value"] == 1  # 100.00, twice
    assert statuses["unique_passes"] == "pass"
    assert statuses["sums_to_passes_with_tolerance"] == "pass"
    assert statuses["combination_is_unique"] == "pass"
    assert statuses["rate_lower_bound_only_passes"] == "pass"
