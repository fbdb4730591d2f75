"""The Makefile as a newcomer runs it: the paths it exports and `make docs`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from orchestration.settings import REPO_ROOT

PATH_VARIABLES = {
    "CS_LANDING_DIR": "data/landing",
    "CS_WAREHOUSE_PATH": "data/warehouse.duckdb",
    "CS_SERVING_PATH": "data/serving.duckdb",
    "DAGSTER_HOME": ".dagster_home",
    "CS_SPARK_DIR": "data/spark",
}
# Make prints any variable it would export: `make print-NAME`.
PRINT_RULE = "print-%: ; @echo $($*)"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _make(*args: str, env: dict[str, str], cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "-f", str(REPO_ROOT / "Makefile"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _clean_env() -> dict[str, str]:
    """The environment of a fresh shell: none of the path variables set, no outer make's flags."""
    outer_make = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
    return {
        key: value
        for key, value in os.environ.items()
        if key not in PATH_VARIABLES and key not in outer_make
    }


def _exported(name: str, env: dict[str, str], *args: str) -> str:
    printed = _make("-s", "--eval", PRINT_RULE, f"print-{name}", *args, env=env)
    assert printed.returncode == 0, printed.stderr
    return printed.stdout.strip()


def test_the_makefile_exports_absolute_paths_under_the_repository(tmp_path):
    for name, default in PATH_VARIABLES.items():
        assert _exported(name, _clean_env()) == str(REPO_ROOT / default)
        # Run from another folder, the defaults still name the repository's files.
        printed = _make("-s", "--eval", PRINT_RULE, f"print-{name}", env=_clean_env(), cwd=tmp_path)
        assert printed.stdout.strip() == str(REPO_ROOT / default)
    # A relative path, from the environment or the command line, is taken from the repository
    # root (as orchestration/settings.py takes it); an absolute one is kept.
    assert _exported("CS_LANDING_DIR", {**_clean_env(), "CS_LANDING_DIR": "exports"}) == str(
        REPO_ROOT / "exports"
    )
    assert _exported("CS_SERVING_PATH", _clean_env(), "CS_SERVING_PATH=out/s.duckdb") == str(
        REPO_ROOT / "out" / "s.duckdb"
    )
    assert _exported("CS_SERVING_PATH", _clean_env(), f"CS_SERVING_PATH={tmp_path}/s.duckdb") == (
        f"{tmp_path}/s.duckdb"
    )


def test_make_docs_generates_the_dbt_docs_on_a_fresh_clone(tmp_path):
    """`make docs` = `make docs-generate` + `dbt docs serve`; the first half, as make runs it.

    The warehouse is given as a path relative to the repository root whose folder does not
    exist yet (a fresh clone has no data/): dbt runs from dbt_project/, so this only works if the
    Makefile exports it absolute and creates its folder. dbt writes into a scratch target folder;
    the environment and the manifest (prerequisites of the target) are taken as up to date.
    """
    warehouse = tmp_path / "fresh" / "warehouse.duckdb"
    relative = os.path.relpath(warehouse, REPO_ROOT)
    env = {
        **_clean_env(),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    completed = _make(
        "--old-file=.venv/.synced",
        "--old-file=dbt_project/target/manifest.json",
        "docs-generate",
        f"CS_WAREHOUSE_PATH={relative}",
        env=env,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    assert "dbt docs generate" in completed.stdout
    assert warehouse.exists()
    assert (tmp_path / "target" / "index.html").exists()
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text())
    assert catalog["metadata"]["dbt_schema_version"].endswith("catalog/v1.json")
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    marts = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    ]
    assert marts
    assert all(node["description"] for node in marts)
