"""Billing: subscription windows and their items (int_subscription_*_windowed)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.pandas_peer.common import (
    _COUNTING_STATUSES,
    _DAY,
    _ENDED_STATUSES,
    _SEAT_LABELS,
    VERSION,
)
from bench.pandas_peer.json_values import Json, _number
from bench.pandas_peer.landing import _flags, _latest_version
from bench.pandas_peer.staging import _minor_units, _round


def _subscription_windows(subscriptions: pd.DataFrame, as_of_end: float) -> pd.DataFrame:
    """int_subscription_versions_windowed: one row per state window of a subscription.

    `subscriptions` carries a `version_id` per loaded version (its subscription_version_id).
    """
    versions = subscriptions.assign(
        subscription_id=subscriptions["record_id"].astype("string"),
        observed_at=subscriptions["event_created"].fillna(subscriptions["_day"] * float(_DAY)),
    )
    versions = versions[versions["observed_at"] < as_of_end]
    versions = versions.sort_values(["subscription_id", *VERSION]).reset_index(drop=True)
    versions = versions.drop(columns=["items", "discounts", "discount"])
    is_ended = versions["status"].isin(_ENDED_STATUSES).fillna(False).astype(bool)
    versions["effective_from"] = np.where(
        is_ended & versions["ended_at"].notna(),
        versions["ended_at"],
        np.fmax(versions["observed_at"], versions["started_at"]),
    )
    grouped = versions.groupby("subscription_id", sort=False)
    versions["version_number"] = grouped.cumcount() + 1
    next_from = grouped["effective_from"].shift(-1)
    cut = np.fmin(np.fmin(next_from, versions["cancel_at"]), versions["ended_at"])
    observed = versions.assign(is_backfilled=False, effective_to=np.where(is_ended, next_from, cut))
    # the time before the first version was seen, from the subscription's start
    first = versions[
        (versions["version_number"] == 1)
        & (versions["started_at"] < versions["effective_from"]).fillna(False)
    ]
    first_ended = first["status"].isin(_ENDED_STATUSES).fillna(False).astype(bool)
    backfilled = first.assign(
        is_backfilled=True,
        version_number=0,
        status=first["status"].mask(first["status"] == "canceled", "active"),
        effective_from=first["started_at"],
        effective_to=np.where(
            first_ended,
            first["effective_from"],
            np.fmin(np.fmin(first["effective_from"], first["cancel_at"]), first["ended_at"]),
        ),
    )
    windows = pd.concat([observed, backfilled], ignore_index=True)
    windows["window_id"] = np.arange(len(windows))
    windows["effective_to"] = np.where(
        windows["effective_to"].notna(),
        np.fmax(windows["effective_to"], windows["effective_from"]),
        np.nan,
    )
    # no MRR before the trial ends (MRR-2)
    windows["paid_from"] = np.fmax(windows["effective_from"], windows["trial_end_at"])
    windows["is_counting_status"] = windows["status"].isin(_COUNTING_STATUSES).fillna(False)
    return windows


def _subscription_items(subscriptions: pd.DataFrame) -> pd.DataFrame:
    """stg_stripe__subscription_item_versions: one row per item of every version."""
    items = subscriptions[["version_id", "items"]]
    items = items[_flags(items["items"], lambda v: isinstance(v, list))].explode("items")
    items = items[items["items"].notna()].reset_index(drop=True)
    j = Json(items["items"])

    def first(*paths: str) -> pd.Series:
        values = j.text(paths[0])
        for path in paths[1:]:
            values = values.fillna(j.text(path))
        return values

    currency = first("$.price.currency", "$.plan.currency").str.lower()
    unit_amount_minor = _number(
        first(
            "$.price.unit_amount_decimal",
            "$.price.unit_amount",
            "$.plan.amount_decimal",
            "$.plan.amount",
        )
    )
    return pd.DataFrame(
        {
            "version_id": items["version_id"],
            "subscription_item_id": j.text("$.id"),
            "product_id": j.stripe_id("$.price.product").fillna(j.stripe_id("$.plan.product")),
            "item_currency": currency,
            "unit_amount": _round(unit_amount_minor / _minor_units(currency), 6),
            "price_type": j.text("$.price.type").fillna("recurring"),
            "recurring_interval": first("$.price.recurring.interval", "$.plan.interval"),
            "recurring_interval_count": _number(
                first("$.price.recurring.interval_count", "$.plan.interval_count")
            ),
            "usage_type": first("$.price.recurring.usage_type", "$.plan.usage_type").fillna(
                "licensed"
            ),
            "quantity": j.number("$.quantity"),
            "item_created_at": j.stripe_ts("$.created"),
        }
    )


def _counting_items(
    windows: pd.DataFrame, items: pd.DataFrame, customer_accounts: pd.DataFrame
) -> pd.DataFrame:
    """int_subscription_items_windowed rows that count toward MRR (MRR-1, MRR-2)."""
    joined = windows.merge(items, on="version_id")
    joined["paid_from"] = np.fmax(
        joined["paid_from"], joined["item_created_at"].fillna(joined["paid_from"])
    )
    joined["subscription_currency"] = joined["currency"]
    joined["currency"] = joined["item_currency"].fillna(joined["currency"])
    count = joined["recurring_interval_count"].fillna(1)
    joined["quantity"] = joined["quantity"].fillna(1)
    interval = joined["recurring_interval"]
    joined["months_in_interval"] = np.select(
        [interval == "month", interval == "year", interval == "week", interval == "day"],
        [count, 12.0 * count, count * 12.0 / 52.0, count * 12.0 / 365.0],
        np.nan,
    )
    gross = joined["unit_amount"] * joined["quantity"] / joined["months_in_interval"]
    joined["gross_mrr_native"] = _round(gross.fillna(0), 10)
    counts = (
        joined["is_counting_status"].astype(bool)
        & (joined["price_type"] == "recurring").fillna(False)
        & (joined["usage_type"] == "licensed").fillna(False)
        & (joined["unit_amount"].fillna(0) > 0)
        & (joined["quantity"] > 0)
        & (joined["months_in_interval"] > 0)
    )
    counting = joined[counts.astype(bool)].reset_index(drop=True)
    account_of = customer_accounts.set_index("customer_id")["account_id"]
    counting["account_id"] = counting["customer_id"].map(account_of).astype("string")
    return counting


def _products_per_seat(products: pd.DataFrame) -> pd.Series:
    """product_id -> True when the latest live version's unit_label is seat(s)/user(s)."""
    live = _latest_version(products[~products["is_deleted"]])
    return pd.Series(
        live["unit_label"].isin(_SEAT_LABELS).fillna(False).to_numpy(dtype=bool),
        index=live["record_id"].astype("string"),
    )
