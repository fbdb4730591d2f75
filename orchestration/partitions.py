"""Daily partitions: extraction day (Stripe, HubSpot), received day (Segment)."""

from __future__ import annotations

from datetime import date, timedelta

from dagster import DailyPartitionsDefinition

from orchestration.ingest.landing import landing_dates
from orchestration.settings import Settings, get_settings

# Run tags that make one run of a partitioned job cover a range of days (single-run backfill).
PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"


def range_tags(first: date, last: date) -> dict[str, str]:
    """Tags for one ingestion run over the days first..last."""
    return {PARTITION_RANGE_START_TAG: first.isoformat(), PARTITION_RANGE_END_TAG: last.isoformat()}


def history_start(settings: Settings) -> date:
    """First partition: CS_HISTORY_START, else the oldest day folder in the landing folder.

    Taken from the data so a user's exports load without configuration; stable from run to
    run because exports only ever add newer days.
    """
    if settings.history_start:
        return settings.history_start
    days = landing_dates(settings.landing_dir)
    return days[0] if days else settings.as_of - timedelta(days=1)


def daily_partitions(settings: Settings | None = None) -> DailyPartitionsDefinition:
    settings = settings or get_settings()
    # end_offset=1 makes today's partition (the day being extracted) available.
    return DailyPartitionsDefinition(
        start_date=history_start(settings).isoformat(), end_offset=1, timezone="UTC"
    )


# One definition shared by every ingestion asset and the ingestion job (scans landing once).
DAILY_PARTITIONS = daily_partitions()
