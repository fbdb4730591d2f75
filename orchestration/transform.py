"""The dbt models as Dagster assets (dagster-dbt): one `dbt build` per refresh.

The manifest is prepared by `make` (`dbt parse`) before Dagster loads, never parsed at import.
dbt sources map onto the ingestion assets (`raw_stripe/customers`, ...) so the UI shows
raw -> staging -> intermediate -> marts; dbt tests become asset checks.
"""

import json
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.resources import WAREHOUSE_POOL
from orchestration.settings import DBT_PROJECT_DIR, Settings, get_settings

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
MANIFEST_PATH = DBT_PROJECT.manifest_path

if not MANIFEST_PATH.exists():
    raise FileNotFoundError(
        f"dbt manifest missing at {MANIFEST_PATH}: run `make manifest` (dbt parse) first; "
        "`make run`, `make test` and `make dev` do it for you."
    )


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """Keys models by layer (`marts/fct_mrr`), groups them by layer, sources by raw schema.

    Describes each asset by its dbt yml description (grain, rule ids of docs/metrics.md), not
    by dagster-dbt's default, which appends the model's raw SQL.
    """

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        description = (dbt_resource_props.get("description") or "").strip()
        return description or (
            f"dbt {dbt_resource_props['resource_type']} {dbt_resource_props['name']}"
        )

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey([_layer(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return _layer(dbt_resource_props)


def _layer(dbt_resource_props: Mapping[str, Any]) -> str:
    if dbt_resource_props["resource_type"] == "seed":
        return "seeds"
    # fqn: [project, "staging" | "intermediate" | "marts", <area>, ..., name]
    fqn = dbt_resource_props.get("fqn", [])
    return fqn[1] if len(fqn) > 2 else "models"


def dbt_build_args(settings: Settings) -> list[str]:
    # Unit tests check SQL logic on fixed rows, not data: `make test` runs them (tests/dbt), so
    # the refresh skips their fixed cost (~20 s for 35 tests) on every run.
    return [
        "build",
        "--vars",
        json.dumps({"as_of": settings.as_of.isoformat()}),
        "--exclude-resource-type",
        "unit_test",
    ]


@dbt_assets(
    manifest=MANIFEST_PATH,
    project=DBT_PROJECT,
    dagster_dbt_translator=WarehouseDbtTranslator(),
    pool=WAREHOUSE_POOL,
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """Staging, intermediate and mart models of `dbt_project/`, built and tested by dbt."""
    yield from dbt.cli(dbt_build_args(get_settings()), context=context).stream()
    prune_invocation_folders(MANIFEST_PATH.parent)


INVOCATION_FOLDERS_KEPT = 3


def newest_run_results(target_dir: Path = MANIFEST_PATH.parent) -> Path | None:
    """run_results.json of the newest dbt build: dagster-dbt gives each invocation its own
    folder under target/, and builds take turns (warehouse pool), so the newest is the last."""
    candidates = list(target_dir.glob("dbt_models-*/run_results.json"))
    return max(candidates, key=lambda path: path.stat().st_mtime) if candidates else None


def prune_invocation_folders(target_dir: Path, keep: int = INVOCATION_FOLDERS_KEPT) -> None:
    """dagster-dbt gives every invocation its own target folder (tens of MB, mostly logs and
    compiled SQL); keep the newest few for debugging and for the publication's test summary."""
    folders = sorted(
        (path for path in target_dir.glob("dbt_models-*") if path.is_dir()),
        key=lambda path: path.stat().st_mtime,
    )
    for folder in folders[:-keep]:
        shutil.rmtree(folder, ignore_errors=True)
