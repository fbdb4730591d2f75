"""Ingestion of Segment product events, as its S3 destination writes them.

Partitioned by received day; deduplicated later, in staging (ENG-3): raw_segment.events
"""

from __future__ import annotations

from orchestration.ingest.assets import ingestion_assets

SEGMENT_ASSETS = ingestion_assets("segment")
