"""Ingestion of Stripe billing exports and the finance team's exchange rates.

Customers, products, prices, subscriptions, invoices, charges, refunds, coupons: raw_stripe.*
"""

from __future__ import annotations

from orchestration.ingest.assets import ingestion_assets

STRIPE_ASSETS = ingestion_assets("stripe")
