"""The gate's raw suite of Segment's events (data_quality/raw_suites.py has the generic pieces):
known call types and timestamps in the data period, over the columns the loader typed (an
unparseable timestamp never reaches the table: the loader quarantines it).
"""

from __future__ import annotations

from data_quality.raw_suites import Column, allowed_values, object_suite
from data_quality.rules import in_period, in_set
from orchestration.sources.segment.spec import SEGMENT_EVENTS


def _utc(column: str) -> str:
    """A UTC `timestamp` column as the timestamptz the period bounds are."""
    return f"timezone('UTC', {column})"


SEGMENT_SUITE = object_suite(
    SEGMENT_EVENTS,
    (
        Column("type", "call_type"),
        Column("timestamp", _utc("event_at")),
        Column("receivedAt", _utc("received_at")),
    ),
    lambda c: [
        in_set("value_sets", "type", allowed_values(SEGMENT_EVENTS, "$.type")),
        in_period(c, "timestamp"),
        in_period(c, "receivedAt"),
    ],
)
