"""Configuration from the environment, read in exactly one place.

| variable            | default                      | meaning                                     |
|---------------------|------------------------------|---------------------------------------------|
| CS_LANDING_DIR      | data/landing                 | folder of source exports (LANDING.md layout)|
| CS_WAREHOUSE_PATH   | data/warehouse.duckdb        | the working warehouse (one writer)          |
| CS_SERVING_PATH     | data/serving.duckdb          | the published file BI tools read            |
| CS_AS_OF            | today (UTC)                  | the refresh date; "current" means this day  |
| CS_REPORT_DIR       | data/report                  | the CS report folder (index.html, accounts/)|
| CS_REFRESH_CRON     | 0 3 * * *                    | daily refresh schedule (cron, UTC)          |
| CS_REFRESH_LOOKBACK_DAYS | 3                       | days the scheduled refresh (re)ingests      |
| CS_DUCKDB_MEMORY_LIMIT | 2560MB                    | DuckDB memory per process; beyond it spills |
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
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def _path(env: Mapping[str, str], name: str, default: str) -> Path:
    path = Path(env.get(name) or default).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def _date(env: Mapping[str, str], name: str) -> date | None:
    value = env.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{name}={value!r} is not a date; expected YYYY-MM-DD") from error


DBT_TARGETS = ("dev", "spark")


def _dbt_target(env: Mapping[str, str]) -> str:
    value = env.get("CS_DBT_TARGET") or "dev"
    if value not in DBT_TARGETS:
        raise ValueError(
            f"CS_DBT_TARGET={value!r} is not a dbt target; expected one of {DBT_TARGETS}"
        )
    return value


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name}={value!r} is not a whole number of days (1 or more)")
    return int(value)


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse_path: Path
    serving_path: Path
    as_of: date
    dagster_home: Path
    report_dir: Path = REPO_ROOT / "data" / "report"
    refresh_cron: str = "0 3 * * *"
    refresh_lookback_days: int = 3
    # DuckDB takes 80% of RAM by default; capped, big sorts and joins spill to <warehouse>.tmp
    # instead, so a refresh fits a laptop beside the Python processes (dbt reads the same
    # variable in profiles.yml). 2.5 GB keeps the medium benchmark's refresh, dbt and Dagster
    # together, under 4 GB (3.6 GB; 4.1 GB with 3 GB) at the same speed.
    duckdb_memory_limit: str = "2560MB"
    dbt_target: str = "dev"
    spark_dir: Path = REPO_ROOT / "data" / "spark"

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
        return cls(
            landing_dir=_path(env, "CS_LANDING_DIR", "data/landing"),
            warehouse_path=_path(env, "CS_WAREHOUSE_PATH", "data/warehouse.duckdb"),
            serving_path=_path(env, "CS_SERVING_PATH", "data/serving.duckdb"),
            as_of=_date(env, "CS_AS_OF") or datetime.now(UTC).date(),
            dagster_home=_path(env, "DAGSTER_HOME", ".dagster_home"),
            report_dir=_path(env, "CS_REPORT_DIR", "data/report"),
            refresh_cron=env.get("CS_REFRESH_CRON") or "0 3 * * *",
            refresh_lookback_days=_positive_int(env, "CS_REFRESH_LOOKBACK_DAYS", 3),
            duckdb_memory_limit=env.get("CS_DUCKDB_MEMORY_LIMIT") or "2560MB",
            dbt_target=_dbt_target(env),
            spark_dir=_path(env, "CS_SPARK_DIR", "data/spark"),
        )


def get_settings() -> Settings:
    return Settings.from_env()
