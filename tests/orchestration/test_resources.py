"""The dbt resource skips dagster-dbt's start-up costs without changing what it hands dbt."""

from __future__ import annotations

import re
import subprocess

from dagster_dbt import DbtCliResource

from orchestration.resources import WarehouseDbtCliResource, dbt_executable
from orchestration.settings import DBT_PROJECT_DIR


def _resource() -> WarehouseDbtCliResource:
    return WarehouseDbtCliResource(
        project_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable()
    )


def test_the_overridden_members_still_exist_in_dagster_dbt():
    # Renamed in a dagster-dbt upgrade, the overrides would be dead code and every build would
    # pay the `dbt --version` subprocess and the in-process adapter again.
    assert {"_cli_version", "_initialize_dbt_core_adapter"} <= set(vars(DbtCliResource))


def test_the_version_is_what_dbt_version_prints():
    printed = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True).stdout
    core = re.search(r"installed: (\d+\.\d+\.\d+)", printed)
    assert core, printed
    assert str(_resource()._cli_version) == core.group(1)


def test_no_adapter_is_loaded_in_the_dagster_process():
    assert _resource()._initialize_dbt_core_adapter(["build"]) is None
