"""HubSpot CRM exports: companies, contacts, deals, pipelines, tickets, survey responses,
meetings, owners (`raw_hubspot.*`).
"""

from __future__ import annotations

from orchestration.ingest.loader import LoadTarget, json_targets
from orchestration.sources.hubspot.spec import HUBSPOT as SPECS
from orchestration.sources.hubspot.suites import HUBSPOT_SUITES as SUITES

TARGETS: tuple[LoadTarget, ...] = json_targets(SPECS, SUITES)

__all__ = ["SPECS", "SUITES", "TARGETS"]
