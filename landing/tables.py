"""Names of the raw layer's tables that are not one per JSON object.

Every JSON object loads into `raw_<system>.<object>` (`ObjectSpec.table`); the loader also
writes these three, and the gate reads them.
"""

from __future__ import annotations

EXCHANGE_RATES_TABLE = "raw_stripe.exchange_rates"
QUARANTINE_TABLE = "main.raw_quarantine"
LOAD_LOG_TABLE = "main.raw_load_log"
