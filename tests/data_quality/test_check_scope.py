"""Which days a raw check validates: those its own run loaded, never the unchanged history.

The load log records the run that loaded each day; a run that failed (a blocking check) leaves
its days to be loaded and checked again, so a refresh re-run without a fix fails again.
"""

from __future__ import annotations

from dagster import AssetSelection, DagsterInstance, materialize
from dagster_duckdb import DuckDBResource
from dq_data import AS_OF, DAY, feedback, write_clean_landing

from orchestration.ingest.assets import build_ingestion_asset
from orchestration.quality import raw_quality_checks
from orchestration.resources import LandingResource
from orchestration.run_config import RunConfig
from orchestration.sources import ALL_TARGETS, TARGETS_BY_KEY
from orchestration.window import IngestWindow

TARGET = TARGETS_BY_KEY["hubspot/feedback_submissions"]
EARLIER = "2025-06-05"
BAD_DAY = "2025-06-07"


def test_raw_checks_validate_the_days_their_run_loaded(tmp_path, landing, config):
    write_clean_landing(landing)
    landing.write(TARGET.spec.key, EARLIER, [feedback("4", "NPS", "7")])
    raw = build_ingestion_asset(TARGET, "hubspot", ALL_TARGETS)
    check = raw_quality_checks([TARGET])
    resources = {
        "warehouse": DuckDBResource(database=str(tmp_path / "warehouse.duckdb")),
        "landing": LandingResource(landing_dir=str(landing.root)),
        "ingest_window": IngestWindow(),
        "run_config": RunConfig.from_env(
            {
                "CS_AS_OF": AS_OF.isoformat(),
                "CS_DQ_DOCS_DIR": str(config.docs_dir),
                "CS_DQ_STORE_DIR": str(config.store_dir),
            }
        ),
    }

    last_checks = {}
    with DagsterInstance.ephemeral() as instance:

        def refresh(**kwargs):
            result = materialize(
                [raw, check], resources=resources, instance=instance, raise_on_error=False, **kwargs
            )
            checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
            last_checks.clear()
            last_checks.update(checks)
            scopes = {e.metadata["scope"].value for e in checks.values()}
            materialized = result.asset_materializations_for_node(raw.node_def.name)
            loaded = materialized[0].metadata["days_loaded"].value if materialized else None
            return result.success, scopes, checks["ranges"].passed, loaded

        assert refresh() == (True, {f"days loaded by this run: {EARLIER}..{DAY}"}, True, 2)

        landing.write(TARGET.spec.key, BAD_DAY, [feedback("5", "NPS", "11")])
        assert refresh() == (False, {f"days loaded by this run: {BAD_DAY}"}, False, 1)
        # Not fixed: the failed run's day is loaded and checked again, and fails again.
        assert refresh() == (False, {f"days loaded by this run: {BAD_DAY}"}, False, 1)

        landing.write(TARGET.spec.key, BAD_DAY, [feedback("5", "NPS", "10")])
        assert refresh() == (True, {f"days loaded by this run: {BAD_DAY}"}, True, 1)
        # Nothing changed: no day to validate, table-level rules (freshness) still judged.
        assert refresh() == (True, {"days loaded by this run: no days"}, True, 0)
        # ... and only those: the day-level checks run no validation at all.
        validations = {name: e.metadata["batches"].value for name, e in last_checks.items()}
        assert validations == {name: int(name == "freshness") for name in validations}

        standalone = refresh(selection=AssetSelection.checks_for_assets(raw))
        assert standalone == (True, {"whole table"}, True, None)
