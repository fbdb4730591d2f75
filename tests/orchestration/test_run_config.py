"""One run configuration: `as_of` settled once per run, whatever the clock does meanwhile."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster import DagsterInstance, asset, materialize
from dagster_dbt import DbtCliResource

from orchestration import run_config as run_config_module
from orchestration import settings as settings_module
from orchestration.resources import dbt_executable
from orchestration.run_config import AS_OF_TAG, RunConfig, settle_as_of
from orchestration.settings import DBT_PROJECT_DIR, Settings
from orchestration.transform import dbt_models

BEFORE, AFTER = date(2026, 3, 1), date(2026, 3, 2)


def test_as_of_is_cs_as_of_else_the_launch_tag_else_the_run_creation_day() -> None:
    created = datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC)
    assert settle_as_of(date(2025, 1, 1), {AS_OF_TAG: "2026-03-02"}, created) == date(2025, 1, 1)
    assert settle_as_of(None, {AS_OF_TAG: "2026-03-02"}, created) == AFTER
    assert settle_as_of(None, {}, created) == BEFORE
    with pytest.raises(ValueError, match="cs/as_of='yesterday' is not a date"):
        settle_as_of(None, {AS_OF_TAG: "yesterday"}, created)


def test_the_gate_thresholds_travel_with_the_run_configuration() -> None:
    config = RunConfig.from_env({"CS_AS_OF": "2026-03-01", "CS_DQ_FRESHNESS_HOURS": "12"})
    quality = config.quality()
    assert (quality.as_of, quality.freshness_hours) == (BEFORE, 12)
    assert RunConfig.from_env({"CS_AS_OF": "2026-03-01"}).quality().freshness_hours == 36


def test_dbt_falls_back_to_the_same_memory_limit_as_settings() -> None:
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    fallback = profile["cs_warehouse"]["outputs"]["dev"]["settings"]["memory_limit"]
    assert f"'{Settings().duckdb_memory_limit}'" in fallback


class _Recorded:
    """What the asset reads of a dbt invocation: its events and its target folder."""

    target_path = Path("no-dbt-ran")

    def stream(self) -> Any:
        return iter(())


recorded: dict[str, list[str]] = {"dbt": [], "after_dbt": []}


class RecordingDbt(DbtCliResource):
    """dbt that only records the environment its process would get."""

    def cli(self, args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        recorded["dbt"].append(os.environ.get("CS_AS_OF", "unset"))
        return _Recorded()


@asset
def after_dbt(run_config: RunConfig) -> None:
    recorded["after_dbt"].append(run_config.run_as_of.isoformat())


def test_a_run_crossing_midnight_keeps_the_as_of_it_was_launched_with(tmp_path, monkeypatch):
    """The clock says BEFORE once (the launch), AFTER ever since: every step reads BEFORE."""
    ticks = iter([BEFORE])

    def clock() -> date:
        return next(ticks, AFTER)

    monkeypatch.setattr(settings_module, "today_utc", clock)
    monkeypatch.setattr(run_config_module, "today_utc", clock)
    monkeypatch.delenv("CS_AS_OF", raising=False)
    for seen in recorded.values():
        seen.clear()
    run_config = RunConfig.from_env({"CS_WAREHOUSE_PATH": str(tmp_path / "w.duckdb")})
    tags = run_config.launch_tags()  # what the CLI, schedule and sensors do: the clock, once
    assert tags == {AS_OF_TAG: BEFORE.isoformat()}

    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [dbt_models, after_dbt],
            resources={
                "run_config": run_config,
                "dbt": RecordingDbt(
                    project_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable()
                ),
            },
            instance=instance,
            tags=tags,
        )
    assert result.success
    assert recorded == {"dbt": [BEFORE.isoformat()], "after_dbt": [BEFORE.isoformat()]}
    assert "CS_AS_OF" not in os.environ  # dbt's environment is the run's, not the process's
