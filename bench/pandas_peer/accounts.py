"""Accounts: dim_accounts ids, the company segment, the Stripe customer -> account map."""

from __future__ import annotations

import pandas as pd

from bench.pandas_peer.landing import _latest_hubspot, _latest_version


def _companies(raw: pd.DataFrame) -> pd.DataFrame:
    latest = _latest_hubspot(raw)
    return pd.DataFrame(
        {"account_id": latest["record_id"].astype("string"), "segment": latest["segment"]}
    ).reset_index(drop=True)


def _customer_accounts(
    customers: pd.DataFrame, subscriptions: pd.DataFrame, invoices: pd.DataFrame
) -> pd.DataFrame:
    """int_stripe_customers_mapped: customer_id -> account_id (CRM company, else itself).

    Customers: every customer object, subscription version and latest invoice version names.
    The CRM link comes from the customer's latest version that is not a deletion.
    """
    live = _latest_version(customers[~customers["is_deleted"]])
    company_of = live.set_index("record_id")["hubspot_company_id"]
    ids = pd.concat(
        [
            customers["record_id"],
            subscriptions["customer_id"],
            _latest_version(invoices)["customer_id"],
        ]
    ).dropna()
    mapped = pd.DataFrame({"customer_id": ids.drop_duplicates().astype("string")})
    company = mapped["customer_id"].map(company_of)
    mapped["account_id"] = company.where(company.notna(), mapped["customer_id"]).astype("string")
    return mapped.reset_index(drop=True)
