"""Stripe billing exports: customers, products, prices, subscriptions, invoices, charges,
refunds, coupons (`raw_stripe.*`). The finance team's exchange rates land under `stripe/` too
but are their own source (orchestration/sources/exchange_rates/).
"""

from __future__ import annotations

from orchestration.ingest.loader import LoadTarget, json_targets
from orchestration.sources.stripe.spec import STRIPE as SPECS
from orchestration.sources.stripe.suites import STRIPE_SUITES as SUITES

TARGETS: tuple[LoadTarget, ...] = json_targets(SPECS, SUITES)

__all__ = ["SPECS", "SUITES", "TARGETS"]
