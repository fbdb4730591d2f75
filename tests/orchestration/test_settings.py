"""Settings read from the environment: the dbt engine and the Spark folder."""

from __future__ import annotations

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
