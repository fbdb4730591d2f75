"""Constants the peer's sections share: marts compared, tolerances, file names, Stripe facts."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
NON_QUALIFYING_SEED = REPO_ROOT / "dbt_project" / "seeds" / "non_qualifying_events.csv"

MARTS = ("fct_nps_monthly", "fct_engagement_daily", "fct_mrr")
KEYS = {
    "fct_nps_monthly": ["month", "segment"],
    "fct_engagement_daily": ["account_id", "date_day"],
    "fct_mrr": ["account_id", "month"],
}
MONEY_COLUMNS = {"mrr", "previous_mrr", "mrr_change", "movement_mrr", "fx_impact"}
RELATIVE_TOLERANCE = 1e-6
MONEY_TOLERANCE = 0.005

# The loader's `_record_version`, as sortable columns (see load_records).
VERSION = ["_day", "_created", "_file", "_line", "_idx"]
# JSON text parsed at a time: its Python objects take several times as much memory
BATCH_BYTES = 64 * 2**20

_PART_FILE = re.compile(r"^part-\d{5}\.jsonl(\.gz)?$")
_RATES_FILE = "rates.csv"
_RATES_HEADER = "date,currency,usd_per_unit"
_DAY = 86_400
_COUNTING_STATUSES = ("active", "past_due")
_ENDED_STATUSES = ("canceled", "incomplete_expired")
_SEAT_LABELS = ("seat", "seats", "user", "users")
# Stripe's minor units: zero-decimal currencies are whole units, three-decimal ones use 1000
# (the project's one list, in dbt_project.yml vars)
_DBT_VARS = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text())["vars"]
_ZERO_DECIMAL_CURRENCIES = tuple(_DBT_VARS["stripe_zero_decimal_currencies"])
_THREE_DECIMAL_CURRENCIES = tuple(_DBT_VARS["stripe_three_decimal_currencies"])
