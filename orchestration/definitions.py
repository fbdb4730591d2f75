"""The code location: the single Definitions object."""

from __future__ import annotations

from dagster import Definitions

from orchestration.automation import SCHEDULES, SENSORS
from orchestration.console import concise_console_logger
from orchestration.health import learned_health, learned_health_checks
from orchestration.ingest.billing import STRIPE_ASSETS
from orchestration.ingest.crm import HUBSPOT_ASSETS
from orchestration.ingest.product import SEGMENT_ASSETS
from orchestration.jobs import ingest_job, refresh_job, transform_job
from orchestration.quality import QualityResource, build_quality_checks
from orchestration.report import cs_report
from orchestration.resources import build_resources
from orchestration.serving import published_warehouse
from orchestration.transform import dbt_models

defs = Definitions(
    assets=[
        *STRIPE_ASSETS,
        *HUBSPOT_ASSETS,
        *SEGMENT_ASSETS,
        dbt_models,
        learned_health,
        published_warehouse,
        cs_report,
    ],
    asset_checks=[*build_quality_checks(), learned_health_checks],
    jobs=[ingest_job, transform_job, refresh_job],
    schedules=SCHEDULES,
    sensors=SENSORS,
    # QualityResource lives in quality.py, which itself builds on resources.py.
    resources={**build_resources(), "quality": QualityResource()},
    # plain one-line console messages; the UI reads the event log, not the console
    loggers={"console": concise_console_logger},
)
