"""The gate's raw suite of Segment's events (data_quality/raw_suites.py has the generic pieces):
known call types, timestamps parseable and in the data period.
"""

from __future__ import annotations

from data_quality.raw_suites import Column, allowed_values, iso_ts_columns, json_str, object_suite
from data_quality.rules import in_period, in_set, is_null
from orchestration.sources.segment.spec import SEGMENT_EVENTS

SEGMENT_SUITE = object_suite(
    SEGMENT_EVENTS,
    (
        Column("type", json_str("$.type")),
        *iso_ts_columns("timestamp", "$.timestamp"),
        *iso_ts_columns("receivedAt", "$.receivedAt"),
    ),
    lambda c: [
        in_set("value_sets", "type", allowed_values(SEGMENT_EVENTS, "$.type")),
        in_period(c, "timestamp"),
        is_null("timestamps", "timestamp_unparsed", note="ISO-8601"),
        in_period(c, "receivedAt"),
        is_null("timestamps", "receivedAt_unparsed", note="ISO-8601"),
    ],
)
