"""Resources, configured from the environment (orchestration.settings)."""

from __future__ import annotations

from dagster import ConfigurableResource
from dagster_duckdb import DuckDBResource

from orchestration.settings import Settings, get_settings

# Dagster concurrency pool of every asset that writes the working warehouse: DuckDB admits
# one writing process, so runs queue for this pool instead of failing on the file lock.
WAREHOUSE_POOL = "duckdb_warehouse"


class LandingResource(ConfigurableResource):
    """Where the source exports are read from."""

    landing_dir: str


def build_resources(settings: Settings | None = None) -> dict[str, object]:
    settings = settings or get_settings()
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "warehouse": DuckDBResource(database=str(settings.warehouse_path)),
        "landing": LandingResource(landing_dir=str(settings.landing_dir)),
    }
