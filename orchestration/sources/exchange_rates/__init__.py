"""The finance team's daily exchange rates, `stripe/exchange_rates/<date>/rates.csv` (MRR-7):
the one non-API landing file (`raw_stripe.exchange_rates`, in the Stripe group).
"""

from __future__ import annotations

from landing.spec import ObjectSpec
from orchestration.ingest.loader import LoadTarget
from orchestration.sources.exchange_rates.suites import EXCHANGE_RATES_SUITE
from orchestration.sources.exchange_rates.target import EXCHANGE_RATES_TARGET

SPECS: tuple[ObjectSpec, ...] = ()  # no JSON object: its target parses the CSV
SUITES = (EXCHANGE_RATES_SUITE,)
TARGETS: tuple[LoadTarget, ...] = (EXCHANGE_RATES_TARGET,)

__all__ = ["SPECS", "SUITES", "TARGETS"]
