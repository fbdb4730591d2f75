"""Settings read from the environment: the dbt engine and the Spark folder."""

from __future__ import annotations

import re

import pytest

from orchestration.settings import REPO_ROOT, Settings


def test_the_dbt_target_is_duckdb_unless_spark_is_chosen() -> None:
    default = Settings.from_env({})
    assert (default.dbt_target, default.on_spark) == ("dev", False)
    assert default.spark_raw_dir == REPO_ROOT / "data" / "spark" / "raw"
    spark = Settings.from_env({"CS_DBT_TARGET": "spark", "CS_SPARK_DIR": "/big/spark"})
    assert spark.on_spark
    assert str(spark.spark_warehouse_dir) == "/big/spark/warehouse"


def test_an_unknown_dbt_target_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"CS_DBT_TARGET='trino'.*'dev', 'spark'"):
        Settings.from_env({"CS_DBT_TARGET": "trino"})


def test_the_report_is_a_folder_and_the_old_file_setting_is_refused() -> None:
    default = Settings.from_env({})
    assert default.report_path == REPO_ROOT / "data" / "report" / "index.html"
    moved = Settings.from_env({"CS_REPORT_DIR": "/srv/cs"})
    assert str(moved.report_path) == "/srv/cs/index.html"
    with pytest.raises(ValueError, match=r"CS_REPORT_PATH is no longer read.*CS_REPORT_DIR"):
        Settings.from_env({"CS_REPORT_PATH": "data/cs_report.html"})


def test_the_readme_configuration_table_states_the_settings_defaults() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| `(CS_\w+|DAGSTER_HOME)` \| `([^`]+)` \|", readme, re.MULTILINE))
    default = Settings()
    stated = {
        "CS_LANDING_DIR": default.landing_dir,
        "CS_WAREHOUSE_PATH": default.warehouse_path,
        "CS_SERVING_PATH": default.serving_path,
        "CS_REPORT_DIR": default.report_dir,
        "DAGSTER_HOME": default.dagster_home,
        "CS_SPARK_DIR": default.spark_dir,
    }
    for name, path in stated.items():
        assert REPO_ROOT / rows[name].rstrip("/") == path, name
    assert rows["CS_REFRESH_CRON"] == default.refresh_cron
    assert rows["CS_REFRESH_LOOKBACK_DAYS"] == str(default.refresh_lookback_days)
    assert rows["CS_DUCKDB_MEMORY_LIMIT"] == default.duckdb_memory_limit
    assert rows["CS_DBT_TARGET"] == default.dbt_target
    assert Settings.from_env({}) == default  # from_env adds no default of its own
