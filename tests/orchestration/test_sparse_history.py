"""Dagster's bookkeeping grows with the objects and runs, not with the calendar.

A sparse history (files on 45 days spread over seven years, a few tiny records) used to cost
one Dagster partition per calendar day per object: ~2,550 days x 18 objects. Unpartitioned
ingestion writes the same handful of events per object whatever the days, and a second run
over unchanged files loads nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from dagster import DagsterEventType, DagsterInstance, materialize
from dagster_duckdb import DuckDBResource

from orchestration.ingest.assets import ingestion_assets
from orchestration.resources import LandingResource
from orchestration.run_config import RunConfig
from orchestration.sources import ALL_TARGETS
from orchestration.window import IngestWindow
from tests.conftest import Landing

ASSETS = ingestion_assets(ALL_TARGETS)
FIRST, YEARS = date(2019, 1, 3), 7
CALENDAR_DAYS = 365 * YEARS
# Step start, resources, logs, output, materialization, success...: a constant per asset (a
# daily-partitioned asset wrote at least 2 per day of the range: ~5,100 over these years).
EVENTS_PER_OBJECT_AT_MOST = 12


def sparse_days(count: int) -> list[date]:
    """`count` days spread evenly over seven years."""
    step = CALENDAR_DAYS // count
    return [FIRST + timedelta(days=i * step) for i in range(count)]


def write_sparse_history(landing, days: list[date]) -> int:
    """One tiny file per day for three objects; returns the number of files written."""
    for n, day in enumerate(days):
        stamp = f"{day}T10:00:00.000Z"
        event = {"type": "track", "messageId": f"m{n}", "userId": "u1", "event": "Login",
                 "timestamp": stamp, "receivedAt": stamp,
                 "context": {"groupId": "101"}}  # fmt: skip
        landing.write("segment/events", day.isoformat(), [event])
        landing.write("stripe/coupons", day.isoformat(), [{"id": f"c{n}", "duration": "once"}])
        contact = {"id": str(n), "properties": {"email": f"p{n}@acme.io"}}
        landing.write("hubspot/contacts", day.isoformat(), [contact])
    return 3 * len(days)


def ingest(instance: DagsterInstance, landing, warehouse) -> tuple[Counter, dict]:
    """One run of every ingestion asset: the event-log records it wrote, by event type
    ("log" for the assets' own log lines), and its materializations' metadata totals."""
    result = materialize(
        ASSETS,
        instance=instance,
        resources={
            "warehouse": DuckDBResource(database=str(warehouse)),
            "landing": LandingResource(landing_dir=str(landing.root)),
            "ingest_window": IngestWindow(),
            "run_config": RunConfig.from_env({"CS_LANDING_DIR": str(landing.root)}),
        },
    )
    records = instance.all_logs(result.run_id)
    events = [e.dagster_event for e in records if e.dagster_event]
    assert all(e.partition is None for e in events), "an event carries a partition"
    kinds = Counter(e.dagster_event.event_type.value if e.dagster_event else "log" for e in records)
    metadata = [
        m.metadata
        for m in result.get_asset_materialization_events()
        for m in [m.event_specific_data.materialization]
    ]
    totals = {
        name: sum(meta[name].value for meta in metadata)
        for name in ("days_loaded", "days_unchanged", "files", "records_loaded")
    }
    return kinds, totals


def test_a_sparse_seven_year_history_costs_events_per_object_not_per_day(tmp_path):
    runs = {}
    for days in (45, 90):
        landing = Landing(tmp_path / f"landing-{days}")
        files = write_sparse_history(landing, sparse_days(days))
        warehouse = tmp_path / f"warehouse-{days}.duckdb"
        with DagsterInstance.ephemeral() as instance:
            first, loaded = ingest(instance, landing, warehouse)
            again, unchanged = ingest(instance, landing, warehouse)
        print(f"{days} days over {YEARS} years: {sum(first.values())} event-log records")
        print(dict(first))
        assert first[DagsterEventType.ASSET_MATERIALIZATION.value] == len(ASSETS)
        assert loaded == {"days_loaded": 3 * days, "days_unchanged": 0, "files": files,
                          "records_loaded": files}  # fmt: skip
        # Unchanged files: nothing loaded, the same Dagster events and log lines as the first
        # run (one closing line per object; batch lines only when a load takes several).
        assert unchanged == {"days_loaded": 0, "days_unchanged": 3 * days, "files": 0,
                             "records_loaded": 0}  # fmt: skip
        assert again == first
        runs[days] = first

    # Twice the days, the same events: they follow the objects, not the calendar.
    assert runs[45] == runs[90]
    assert sum(runs[45].values()) <= EVENTS_PER_OBJECT_AT_MOST * len(ASSETS)
