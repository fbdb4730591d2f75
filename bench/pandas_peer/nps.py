"""fct_nps_monthly."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from bench.pandas_peer.landing import _latest_hubspot


def _month_start(timestamps: pd.Series) -> pd.Series:
    return timestamps.dt.to_period("M").dt.start_time.astype("datetime64[us]")


def nps_monthly(
    submissions: pd.DataFrame, contacts: pd.DataFrame, companies: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    responses = _latest_hubspot(submissions)
    score = responses["score_value"]
    as_of_ts = pd.Timestamp(as_of)
    responses = responses.assign(score=score.where(score == np.floor(score)))
    responses = responses[
        ~responses["is_archived"]
        & responses["submitted_at"].notna()
        & (responses["submitted_at"].dt.normalize() <= as_of_ts)
        & (responses["survey_type"] == "NPS").fillna(False)
        & responses["score"].between(0, 10)
    ]
    latest_contacts = _latest_hubspot(contacts)
    company_of_contact = pd.Series(
        latest_contacts["company_id"].to_numpy(),
        index=latest_contacts["record_id"].astype("string"),
    )
    account_id = responses["contact_id"].map(company_of_contact).astype("string")
    responses = responses.assign(
        account_id=account_id.fillna(responses["associated_company_id"]),
        month=_month_start(responses["submitted_at"]),
        category=np.select(
            [responses["score"] >= 9, responses["score"] >= 7],
            ["promoter", "passive"],
            "detractor",
        ),
    )
    segment_of = companies.set_index("account_id")["segment"]
    responses["segment"] = responses["account_id"].map(segment_of).fillna("unknown")

    columns = ["month", "segment", "responses", "promoters", "passives", "detractors", "nps"]
    if responses.empty:
        return pd.DataFrame(columns=columns)
    by_segment = pd.concat([responses.assign(segment="all"), responses])
    counts = (
        pd.crosstab([by_segment["month"], by_segment["segment"]], by_segment["category"])
        .reindex(columns=["promoter", "passive", "detractor"], fill_value=0)
        .rename(columns={"promoter": "promoters", "passive": "passives", "detractor": "detractors"})
    )
    months = pd.date_range(
        responses["month"].min(), _month_start(pd.Series([as_of_ts]))[0], freq="MS"
    )
    segments = ["all", *sorted(set(responses["segment"]))]
    grid = pd.MultiIndex.from_product(
        [months.astype("datetime64[us]"), segments], names=["month", "segment"]
    )
    table = counts.reindex(grid, fill_value=0).reset_index()
    table["responses"] = table[["promoters", "passives", "detractors"]].sum(axis=1)
    has_responses = table["responses"] > 0
    table["nps"] = (
        100.0 * (table["promoters"] - table["detractors"]) / table["responses"].where(has_responses)
    )
    return table[columns]
