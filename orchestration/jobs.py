"""Jobs: ingestion of the landing folder, the transformation that follows it, and both at once.

None is partitioned: which landing days an ingestion visits is its run config
(`resources.ingest_window.config.start/end`, orchestration/window.py), all days by default.
"""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

SOURCE_GROUPS = ("stripe", "hubspot", "segment")
MODEL_GROUPS = ("seeds", "staging", "intermediate", "marts", "audit", "serving")
# Runs carrying this tag take turns (dagster.yaml: tag_concurrency_limits).
WRITES_WAREHOUSE = {"cs/writes_warehouse": "true"}

ingest_job = define_asset_job(
    "ingest_landing",
    selection=AssetSelection.groups(*SOURCE_GROUPS),
    tags=WRITES_WAREHOUSE,
    description=(
        "Load the new or changed landing days (within the optional ingest_window start/end, "
        "one run whatever the range) into the raw tables, and check what was loaded."
    ),
)

transform_job = define_asset_job(
    "transform_warehouse",
    selection=AssetSelection.groups(*MODEL_GROUPS),
    tags=WRITES_WAREHOUSE,
    description=(
        "One `dbt build` over staging, intermediate, marts and audit (dbt tests as checks), then "
        "the publication of the checked marts to the serving file and the CS report."
    ),
)

refresh_job = define_asset_job(
    "refresh_warehouse",
    selection=AssetSelection.groups(*SOURCE_GROUPS, *MODEL_GROUPS),
    tags=WRITES_WAREHOUSE,
    description=(
        "Everything in one run (what `make refresh` launches): ingestion within the optional "
        "ingest_window, its checks, dbt build, mart checks, publication and the CS report."
    ),
)
