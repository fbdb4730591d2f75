"""Jobs: ingestion of landing partitions, and the transformation that follows it."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

from orchestration.partitions import DAILY_PARTITIONS

SOURCE_GROUPS = ("stripe", "hubspot", "segment")
MODEL_GROUPS = ("seeds", "staging", "intermediate", "marts", "serving")
# Runs carrying this tag take turns (dagster.yaml: tag_concurrency_limits).
WRITES_WAREHOUSE = {"cs/writes_warehouse": "true"}

ingest_job = define_asset_job(
    "ingest_landing",
    selection=AssetSelection.groups(*SOURCE_GROUPS),
    partitions_def=DAILY_PARTITIONS,
    tags=WRITES_WAREHOUSE,
    description="Load landing partitions (a day, or a range in one run) into the raw tables.",
)

transform_job = define_asset_job(
    "transform_warehouse",
    selection=AssetSelection.groups(*MODEL_GROUPS),
    tags=WRITES_WAREHOUSE,
    description=(
        "One `dbt build` over staging, intermediate and marts (dbt tests as checks), then the "
        "publication of the checked marts to the serving file and the CS report."
    ),
)
