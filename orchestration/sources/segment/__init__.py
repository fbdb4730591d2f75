"""Segment product events, as its S3 destination writes them (`raw_segment.events`).

Partitioned by received day; deduplicated later, in staging (ENG-3).
"""

from __future__ import annotations

from orchestration.ingest.loader import LoadTarget, json_targets
from orchestration.sources.segment.spec import SEGMENT_EVENTS
from orchestration.sources.segment.suites import SEGMENT_SUITE

SPECS = (SEGMENT_EVENTS,)
SUITES = (SEGMENT_SUITE,)
TARGETS: tuple[LoadTarget, ...] = json_targets(SPECS, SUITES)

__all__ = ["SPECS", "SUITES", "TARGETS"]
