"""The code location: the single Definitions object."""

from __future__ import annotations

from datetime import date

from dagster import Definitions

from orchestration.automation import SENSORS, build_daily_refresh
from orchestration.console import concise_console_logger
from orchestration.health import learned_health, learned_health_checks
from orchestration.ingest.assets import ingestion_assets
from orchestration.jobs import ingest_job, refresh_job, transform_job
from orchestration.quality import build_quality_checks
from orchestration.report import cs_report
from orchestration.resources import build_resources
from orchestration.serving import published_warehouse
from orchestration.settings import get_settings
from orchestration.sources import ALL_TARGETS
from orchestration.transform import dbt_models

# The environment is read here, once, when the code location loads. Everything a run needs
# reaches its assets, checks, sensors and schedules through the `run_config` resource built from
# these settings; only what Dagster fixes at definition time is taken from them directly: the
# schedule's cron, and which checks are declared blocking (CS_DQ_ERRORS promotions).
SETTINGS = get_settings()

defs = Definitions(
    assets=[
        *ingestion_assets(ALL_TARGETS),
        dbt_models,
        learned_health,
        published_warehouse,
        cs_report,
    ],
    asset_checks=[
        # as_of plays no part in which checks block
        *build_quality_checks(declared=SETTINGS.quality(as_of=date.min)),
        learned_health_checks,
    ],
    jobs=[ingest_job, transform_job, refresh_job],
    schedules=[build_daily_refresh(SETTINGS.refresh_cron)],
    sensors=SENSORS,
    resources=build_resources(SETTINGS),
    # plain one-line console messages; the UI reads the event log, not the console
    loggers={"console": concise_console_logger},
)
