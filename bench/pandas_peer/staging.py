"""What each object contributes (the staging models' decoding), batch by batch."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.pandas_peer.common import _THREE_DECIMAL_CURRENCIES, _ZERO_DECIMAL_CURRENCIES
from bench.pandas_peer.json_values import Json, _hubspot_ts, _number, _reads


@_reads("$.properties.segment", "$.updatedAt")
def _decode_company(j: Json) -> pd.DataFrame:
    return pd.DataFrame({"segment": j.prop("segment"), "updated_at": j.hubspot_ts("$.updatedAt")})


@_reads("$.properties.associatedcompanyid", "$.associations.companies.results[0].id", "$.updatedAt")
def _decode_contact(j: Json) -> pd.DataFrame:
    company = j.prop("associatedcompanyid").fillna(j.text("$.associations.companies.results[0].id"))
    return pd.DataFrame({"company_id": company, "updated_at": j.hubspot_ts("$.updatedAt")})


@_reads(
    *(f"$.properties.{name}" for name in ("hs_survey_type", "hs_value", "hs_contact_id")),
    "$.properties.hs_submission_timestamp",
    "$.associations.companies.results[0].id",
    "$.archived",
    "$.createdAt",
    "$.updatedAt",
)
def _decode_submission(j: Json) -> pd.DataFrame:
    submitted_at = _hubspot_ts(j.prop("hs_submission_timestamp"))
    return pd.DataFrame(
        {
            "survey_type": j.prop("hs_survey_type").str.upper(),
            "score_value": _number(j.prop("hs_value")),
            "submitted_at": submitted_at.fillna(j.hubspot_ts("$.createdAt")),
            "contact_id": j.prop("hs_contact_id"),
            "associated_company_id": j.text("$.associations.companies.results[0].id"),
            "is_archived": j.flag("$.archived"),
            "updated_at": j.hubspot_ts("$.updatedAt"),
        }
    )


@_reads("$.metadata.hubspot_company_id", "$.deleted")
def _decode_customer(j: Json) -> pd.DataFrame:
    company = j.text("$.metadata.hubspot_company_id").str.strip(" ")
    return pd.DataFrame(
        {"hubspot_company_id": company.mask(company == ""), "is_deleted": j.flag("$.deleted")}
    )


@_reads("$.customer")
def _decode_invoice(j: Json) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": j.stripe_id("$.customer")})


@_reads("$.unit_label", "$.deleted")
def _decode_product(j: Json) -> pd.DataFrame:
    return pd.DataFrame(
        {"unit_label": j.text("$.unit_label").str.lower(), "is_deleted": j.flag("$.deleted")}
    )


def _minor_units(currency: pd.Series) -> pd.Series:
    lowered = currency.astype("string").str.lower()
    units = np.where(
        lowered.isin(_ZERO_DECIMAL_CURRENCIES),
        1.0,
        np.where(lowered.isin(_THREE_DECIMAL_CURRENCIES), 1000.0, 100.0),
    )
    return pd.Series(units, index=currency.index)


def _round(values: pd.Series | np.ndarray, places: int) -> np.ndarray:
    """Round half away from zero, like a DuckDB DECIMAL cast (float noise tolerated)."""
    values = np.asarray(values, dtype=float)
    scale = 10.0**places
    scaled = np.abs(values) * scale
    # a tie hidden by float noise (12.4999999999998 for 12.5) still rounds away from zero
    noise = np.maximum(5e-9, scaled * 1e-15)
    return np.sign(values) * np.floor(scaled + 0.5 + noise) / scale


def _stripe_amount(j: Json, amount_path: str, currency_path: str) -> np.ndarray:
    """Minor units -> decimal currency units (macro stripe_amount, decimal(24, 6))."""
    return _round(j.number(amount_path) / _minor_units(j.text(currency_path)), 6)


@_reads(
    "$.duration", "$.duration_in_months", "$.percent_off", "$.currency", "$.amount_off", "$.deleted"
)
def _decode_coupon(j: Json) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "duration": j.text("$.duration"),
            "duration_in_months": j.number("$.duration_in_months"),
            "percent_off": j.number("$.percent_off").round(4),
            "currency": j.text("$.currency").str.lower(),
            "amount_off": _stripe_amount(j, "$.amount_off", "$.currency"),
            "is_deleted": j.flag("$.deleted"),
        }
    )


@_reads(
    *("$.customer", "$.status", "$.currency", "$.start_date", "$.trial_end", "$.cancel_at"),
    *("$.ended_at", "$.cancellation_details.reason", "$.items.data", "$.discounts", "$.discount"),
)
def _decode_subscription(j: Json) -> pd.DataFrame:
    """A subscription version, its items and discounts kept as parsed JSON for later."""
    return pd.DataFrame(
        {
            "customer_id": j.stripe_id("$.customer"),
            "status": j.text("$.status"),
            "currency": j.text("$.currency").str.lower(),
            "started_at": j.stripe_ts("$.start_date"),
            "trial_end_at": j.stripe_ts("$.trial_end"),
            "cancel_at": j.stripe_ts("$.cancel_at"),
            "ended_at": j.stripe_ts("$.ended_at"),
            "cancellation_reason": j.text("$.cancellation_details.reason"),
            "items": j.raw("$.items.data"),
            "discounts": j.raw("$.discounts"),
            "discount": j.raw("$.discount"),
        }
    )
