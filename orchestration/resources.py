"""Resources, configured from the settings (orchestration/settings.py), built once."""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource
from packaging import version

from orchestration.dbt_launcher import plain_dbt
from orchestration.run_config import RUN_CONFIG_RESOURCE, RunConfig
from orchestration.settings import DBT_PROJECT_DIR, Settings
from orchestration.window import WINDOW_RESOURCE, IngestWindow

# Dagster concurrency pool of every asset that writes the working warehouse: DuckDB admits
# one writing process, so runs queue for this pool instead of failing on the file lock.
WAREHOUSE_POOL = "duckdb_warehouse"


class LandingResource(ConfigurableResource):
    """Where the source exports are read from."""

    landing_dir: str


def dbt_executable() -> str:
    """The dbt of this environment, started through `cs-dbt` (orchestration/dbt_launcher.py)
    so that a killed refresh leaves no dbt behind, unless the environment predates that
    console script."""
    launcher = Path(sys.executable).with_name("cs-dbt")
    return str(launcher) if launcher.exists() else plain_dbt()


class WarehouseDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two start-up costs that every build paid for nothing.

    Before starting dbt, `DbtCliResource.cli` ran `dbt --version` in a subprocess (~2 s on 2
    cores) and loaded the project and profile into a dbt adapter in the Dagster process
    (~1.3 s). The adapter serves only `fetch_column_metadata` and `fetch_row_counts`, which
    this project does not call; the version is the installed dbt-core's when the executable is
    this environment's own. tests/orchestration/test_resources.py checks both against
    dagster-dbt, so an upgrade that renames them fails there instead of silently paying again."""

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return version.parse(importlib.metadata.version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def build_resources(settings: Settings) -> dict[str, object]:
    """Every resource of the code location, from one `Settings` (read once, definitions.py).
    The dbt process gets its environment from `run_config` (transform.py), not from here."""
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    return {
        RUN_CONFIG_RESOURCE: RunConfig.from_settings(settings),
        "warehouse": DuckDBResource(
            database=str(settings.warehouse_path),
            connection_config={"memory_limit": settings.duckdb_memory_limit},
        ),
        "landing": LandingResource(landing_dir=str(settings.landing_dir)),
        # Every landing day unless a run's config narrows it (a backfill).
        WINDOW_RESOURCE: IngestWindow(),
        "dbt": WarehouseDbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            dbt_executable=dbt_executable(),
            # Plain text: dbt's lines go to a log file and CI logs, where colour codes are noise.
            global_config_flags=["--no-use-colors"],
        ),
    }
