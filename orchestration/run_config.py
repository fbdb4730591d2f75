"""The run configuration: one Dagster resource, built once from the environment, injected.

`RunConfig` carries every setting of orchestration.settings.Settings (paths, DuckDB memory
limit, dbt target, refresh cron and lookback, the gate's CS_DQ_* thresholds) to the assets,
checks, sensors and schedules that declare a `run_config` parameter; none of them reads the
environment or the clock.

`as_of` is settled once per run, when the resource is set up for it:
1. CS_AS_OF when set (the `as_of` field);
2. else the run's `cs/as_of` tag, written by whoever launched the run (the CLI, the schedule,
   the sensors: `launch_tags`), so every step of the run, in any process, reads the same day;
3. else the day the run was created (UTC; a run launched from the UI without the tag).
So a run crossing midnight UTC publishes one date everywhere: ingestion checks, dbt (CS_AS_OF in
its environment), HLT-3, the mart checks, meta.refresh_log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from dagster import ConfigurableResource, DagsterInstance, DagsterRun, InitResourceContext
from pydantic import PrivateAttr

from data_quality.config import QualityConfig
from orchestration.settings import Settings, today_utc

AS_OF_TAG = "cs/as_of"
RUN_CONFIG_RESOURCE = "run_config"


def settle_as_of(pinned: date | None, tags: Mapping[str, str], created: datetime | None) -> date:
    """The run's `as_of`: CS_AS_OF, else the launcher's tag, else the run's creation day (UTC),
    else (no run: a sensor tick, a direct call) today."""
    if pinned:
        return pinned
    if tags.get(AS_OF_TAG):
        try:
            return date.fromisoformat(tags[AS_OF_TAG])
        except ValueError as error:
            raise ValueError(
                f"run tag {AS_OF_TAG}={tags[AS_OF_TAG]!r} is not a date; expected YYYY-MM-DD"
            ) from error
    if created is not None:
        return created.astimezone(UTC).date()
    return today_utc()


def _run_created(instance: DagsterInstance | None, run: DagsterRun | None) -> datetime | None:
    if instance is None or run is None:
        return None
    record = instance.get_run_record_by_id(run.run_id)
    return record.create_timestamp if record else None


def _to_field(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return {name: text for name, text in value}
    return value


class RunConfig(ConfigurableResource):
    """Settings of a run (orchestration/settings.py has each one's default and variable)."""

    landing_dir: str
    warehouse_path: str
    serving_path: str
    as_of: str | None
    dagster_home: str
    report_dir: str
    refresh_cron: str
    refresh_lookback_days: int
    duckdb_memory_limit: str
    dbt_target: str
    spark_dir: str
    quality_variables: dict[str, str]

    _as_of: date | None = PrivateAttr(default=None)

    @classmethod
    def from_settings(cls, settings: Settings) -> RunConfig:
        return cls(**{f.name: _to_field(getattr(settings, f.name)) for f in fields(Settings)})

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RunConfig:
        return cls.from_settings(Settings.from_env(env))

    def setup_for_execution(self, context: InitResourceContext) -> None:
        run = context.dagster_run
        self._as_of = settle_as_of(
            self._pinned_as_of(),
            run.tags if run else {},
            _run_created(context.instance, run),
        )

    def _pinned_as_of(self) -> date | None:
        return date.fromisoformat(self.as_of) if self.as_of else None

    @property
    def run_as_of(self) -> date:
        """This run's `as_of`, settled when the run set the resource up."""
        if self._as_of is None:
            self._as_of = settle_as_of(self._pinned_as_of(), {}, None)
        return self._as_of

    @property
    def settings(self) -> Settings:
        """The settings, `as_of` settled for this run."""
        values = {f.name: getattr(self, f.name) for f in fields(Settings)}
        paths = {f.name for f in fields(Settings) if isinstance(f.default, Path)}
        typed = {name: Path(value) if name in paths else value for name, value in values.items()}
        typed["as_of"] = self.run_as_of
        typed["quality_variables"] = tuple(sorted(self.quality_variables.items()))
        return Settings(**typed)

    def quality(self) -> QualityConfig:
        """The gate's configuration for this run."""
        return self.settings.quality(self.run_as_of)

    def launch_tags(self, day: date | None = None) -> dict[str, str]:
        """Tags of a run about to be launched: its `as_of` (CS_AS_OF, else `day`, else today),
        decided once here and read by every step of that run."""
        as_of = self._pinned_as_of() or day or today_utc()
        return {AS_OF_TAG: as_of.isoformat()}

    def dbt_environment(self) -> dict[str, str]:
        """What the dbt process reads (dbt_project/profiles.yml, macros/as_of.sql)."""
        settings = self.settings
        return {
            "CS_AS_OF": self.run_as_of.isoformat(),
            "CS_WAREHOUSE_PATH": str(settings.warehouse_path),
            "CS_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit,
            "CS_DBT_TARGET": settings.dbt_target,
            "CS_SPARK_DIR": str(settings.spark_dir),
        }
