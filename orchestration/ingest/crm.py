"""Ingestion of HubSpot CRM exports.

Companies, contacts, deals, pipelines, tickets, survey responses, meetings, owners: raw_hubspot.*
"""

from __future__ import annotations

from orchestration.ingest.assets import ingestion_assets

HUBSPOT_ASSETS = ingestion_assets("hubspot")
