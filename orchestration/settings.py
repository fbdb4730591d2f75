"""Configuration from the environment, read in exactly one place.

| variable            | default                      | meaning                                     |
|---------------------|------------------------------|---------------------------------------------|
| CS_LANDING_DIR      | data/landing                 | folder of source exports (LANDING.md layout)|
| CS_WAREHOUSE_PATH   | data/warehouse.duckdb        | the working warehouse (one writer)          |
| CS_SERVING_PATH     | data/serving.duckdb          | the published file BI tools read            |
| CS_AS_OF            | the run's launch day (UTC)   | the refresh date; "current" means this day  |
| CS_REPORT_DIR       | data/report                  | the CS report folder (index.html, accounts/)|
| CS_REFRESH_CRON     | 0 3 * * *                    | daily refresh schedule (cron, UTC)          |
| CS_REFRESH_LOOKBACK_DAYS | 3                       | days the scheduled refresh (re)ingests      |
| CS_DUCKDB_MEMORY_LIMIT | 2GB                       | DuckDB memory per process; beyond it spills |
| DAGSTER_HOME        | .dagster_home                | Dagster instance (run history, schedules)   |
| CS_DBT_TARGET       | dev                          | dbt engine: dev (DuckDB) or spark           |
| CS_SPARK_DIR        | data/spark                   | Spark target: raw Parquet, tables, metastore|
| CS_SPARK_MASTER     | local[2]                     | Spark target: master URL (read by dbt)      |

With CS_DBT_TARGET=spark the ingestion still loads and checks with DuckDB, also writes each raw
table as Parquet by day (`<CS_SPARK_DIR>/raw`), dbt builds on Spark (`uv sync --group spark`,
Java 17), and the warehouse's `marts` schema becomes views over Spark's Parquet output, so
checks, publication and report read the same names (README: "Moving to a bigger engine").

Relative paths are resolved against the repository root, so commands behave the same from
any working directory. CS_REPORT_PATH (one HTML file) was replaced by CS_REPORT_DIR when the
report became a folder; setting it is refused rather than silently ignored.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from data_quality.checks import CHECKS
from data_quality.config import QualityConfig, quality_changes

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def _path(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def _date(env: Mapping[str, str], name: str) -> date:
    value = env[name]
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{name}={value!r} is not a date; expected YYYY-MM-DD") from error


DBT_TARGETS = ("dev", "spark")


def _dbt_target(value: str) -> str:
    if value not in DBT_TARGETS:
        raise ValueError(
            f"CS_DBT_TARGET={value!r} is not a dbt target; expected one of {DBT_TARGETS}"
        )
    return value


def _positive_int(env: Mapping[str, str], name: str) -> int:
    value = env[name]
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name}={value!r} is not a whole number of days (1 or more)")
    return int(value)


def today_utc() -> date:
    """The clock: today's date in UTC. Read once per run, when the run is launched (a run tag,
    orchestration/run_config.py), never by the steps of a run."""
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class Settings:
    """Every setting with its default: the defaults are these field defaults and nowhere else
    (`from_env` only overrides the variables that are set; README's table is tested against
    them, tests/orchestration/test_settings.py)."""

    landing_dir: Path = REPO_ROOT / "data" / "landing"
    warehouse_path: Path = REPO_ROOT / "data" / "warehouse.duckdb"
    serving_path: Path = REPO_ROOT / "data" / "serving.duckdb"
    # CS_AS_OF pins the refresh date; None: each run settles on the day it is launched (UTC).
    as_of: date | None = None
    dagster_home: Path = REPO_ROOT / ".dagster_home"
    report_dir: Path = REPO_ROOT / "data" / "report"
    refresh_cron: str = "0 3 * * *"
    refresh_lookback_days: int = 3
    # DuckDB takes 80% of RAM by default; capped, big sorts and joins spill to <warehouse>.tmp
    # instead, so a refresh fits a laptop beside the Python processes (dbt gets the same value
    # as CS_DUCKDB_MEMORY_LIMIT, profiles.yml). 2 GB keeps the medium benchmark's refresh,
    # dbt and Dagster together, under 3 GB (2,849 MiB; 3,385 MiB with 2.5 GB, 4.1 GB with 3 GB)
    # at the same speed within the machine's noise (843 s vs 810 s for the full refresh).
    duckdb_memory_limit: str = "2GB"
    dbt_target: str = "dev"
    spark_dir: Path = REPO_ROOT / "data" / "spark"
    # The gate's thresholds as set (CS_DQ_* variables, validated); their defaults are
    # data_quality.config.QualityConfig's field defaults.
    quality_variables: tuple[tuple[str, str], ...] = ()

    @property
    def report_path(self) -> Path:
        """The CS report's first page (the folder holds the account pages beside it)."""
        return self.report_dir / "index.html"

    @property
    def on_spark(self) -> bool:
        return self.dbt_target == "spark"

    @property
    def spark_raw_dir(self) -> Path:
        """Where the ingestion hands the raw tables to Spark (Parquet by day)."""
        return self.spark_dir / "raw"

    @property
    def spark_warehouse_dir(self) -> Path:
        """Spark's tables: `<schema>.db/<table>/` Parquet folders."""
        return self.spark_dir / "warehouse"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        if env.get("CS_REPORT_PATH"):
            raise ValueError(
                "CS_REPORT_PATH is no longer read: the CS report is a folder now; set "
                "CS_REPORT_DIR (default data/report) instead"
            )
        paths = {
            "landing_dir": "CS_LANDING_DIR",
            "warehouse_path": "CS_WAREHOUSE_PATH",
            "serving_path": "CS_SERVING_PATH",
            "dagster_home": "DAGSTER_HOME",
            "report_dir": "CS_REPORT_DIR",
            "spark_dir": "CS_SPARK_DIR",
        }
        changes: dict[str, object] = {
            field: _path(env[name]) for field, name in paths.items() if env.get(name)
        }
        if env.get("CS_AS_OF"):
            changes["as_of"] = _date(env, "CS_AS_OF")
        if env.get("CS_REFRESH_CRON"):
            changes["refresh_cron"] = env["CS_REFRESH_CRON"]
        if env.get("CS_REFRESH_LOOKBACK_DAYS"):
            changes["refresh_lookback_days"] = _positive_int(env, "CS_REFRESH_LOOKBACK_DAYS")
        if env.get("CS_DUCKDB_MEMORY_LIMIT"):
            changes["duckdb_memory_limit"] = env["CS_DUCKDB_MEMORY_LIMIT"]
        if env.get("CS_DBT_TARGET"):
            changes["dbt_target"] = _dbt_target(env["CS_DBT_TARGET"])
        variables = tuple(sorted((k, v) for k, v in env.items() if k.startswith("CS_DQ_") and v))
        if variables:
            quality_changes(dict(variables), CHECKS)  # refused now, with the variable named
            changes["quality_variables"] = variables
        return cls(**changes)

    def quality(self, as_of: date) -> QualityConfig:
        """The gate's configuration for a run of `as_of`."""
        return replace(
            QualityConfig(as_of=as_of), **quality_changes(dict(self.quality_variables), CHECKS)
        )


def get_settings() -> Settings:
    """The settings of this process's environment. Read by the command line and the code
    location's definition (definitions.py) only; assets, checks, sensors and schedules get
    them from the `run_config` resource (orchestration/run_config.py)."""
    return Settings.from_env()
