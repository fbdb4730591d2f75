"""The index page's tables (the at-risk worklist, renewals due in 90 days) as rows for its script.

Each row carries its cell keys (for the filter), its band, the link to its account page, and
per column the text shown and the value it sorts by. Texts are made here, so the page's script
only filters, sorts and writes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

# top_risk_reason (HLT-1's component with the largest shortfall), in words.
REASONS = {
    "engagement_trend": "Usage falling (fewer active users than 28 days before)",
    "seat_utilisation": "Few of the licensed seats in use",
    "nps": "Low NPS (detractors in recent surveys)",
    "support": "Support trouble (low CSAT or open tickets)",
    "billing": "Invoices overdue",
    "csm_touch": "No recent CSM meeting",
}
# fct_renewal_forecast.forecast_method (RNW-2), in words.
FORECAST_METHODS = {
    "deal_stage_probability": "renewal deal's stage",
    "health_band_renewal_rate": "health band's renewal rate",
    "none": "no forecast",
}


def reason_words(code: object, account_id: str) -> str:
    if code is None or pd.isna(code):
        return "-"
    if code not in REASONS:
        raise ValueError(f"account {account_id}: unknown top_risk_reason {code!r}")
    return REASONS[code]


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _number(value: object) -> float | None:
    return None if _missing(value) else float(value)


def text(value: object) -> tuple[str, object]:
    return ("-", None) if _missing(value) else (str(value), str(value).lower())


def money(value: object) -> tuple[str, object]:
    number = _number(value)
    return ("-", None) if number is None else (f"${number:,.0f}", number)


def tenths(value: object) -> tuple[str, object]:
    number = _number(value)
    return ("-", None) if number is None else (f"{number:.1f}", number)


def renewal(day_value: object, days: object) -> tuple[str, object]:
    """'2026-12-14 (in 14 days)', sorted by the days to it."""
    shown, _ = day(day_value)
    number = _number(days)
    if number is None:
        return shown, None
    return f"{shown} (in {number:,.0f} day{'' if number == 1 else 's'})", number


def whole(value: object) -> tuple[str, object]:
    number = _number(value)
    return ("-", None) if number is None else (f"{number:,.0f}", number)


def signed(value: object) -> tuple[str, object]:
    number = _number(value)
    return ("-", None) if number is None else (f"{number:+.0f}", number)


def share(value: object) -> tuple[str, object]:
    number = _number(value)
    return ("-", None) if number is None else (f"{number:.0%}", number)


def day(value: object) -> tuple[str, object]:
    if _missing(value):
        return "-", None
    iso = pd.Timestamp(value).date().isoformat()
    return iso, iso


def compact(shown: str, sort: object) -> str | list:
    """A cell as the page stores it: its text alone when it sorts as text."""
    return [shown, sort] if isinstance(sort, float) else shown


@dataclass(frozen=True)
class Column:
    heading: str
    cell: Callable[[pd.Series], tuple[str, object]]
    link: bool = False  # the cell links to the account page


# Rows of orchestration/worklist.py's Worklist.accounts (red and yellow).
WORKLIST = [
    Column("account", lambda r: text(r["account_name"]), link=True),
    Column("account id", lambda r: text(r["account_id"]), link=True),
    Column("CSM", lambda r: text(r["csm_owner_name"])),
    Column("segment", lambda r: text(r["segment"])),
    Column("score", lambda r: tenths(r["score"])),
    Column("main reason", lambda r: (reason_words(r["top_risk_reason"], r["account_id"]),) * 2),
    Column("MRR at stake", lambda r: money(r["mrr_at_stake"])),
    Column("renewal", lambda r: renewal(r["next_renewal_date"], r["days_to_renewal"])),
    Column("days past due", lambda r: whole(r["days_past_due"] or None)),
    Column("amount overdue", lambda r: money(r["amount_overdue"] or None)),
]
RENEWALS = [
    Column("term ends", lambda r: day(r["term_end_date"])),
    Column("account", lambda r: text(r["account_name"]), link=True),
    Column("account id", lambda r: text(r["account_id"]), link=True),
    Column("CSM", lambda r: text(r["csm_owner_name"])),
    Column("ARR due", lambda r: money(r["arr_due"])),
    Column("band", lambda r: text(r["health_band"])),
    Column("health 30-day change", lambda r: signed(r["health_score_change_30d"])),
    Column("renewal deal stage", lambda r: text(r["renewal_deal_stage"])),
    Column("forecast by", lambda r: text(FORECAST_METHODS.get(r["forecast_method"]))),
    Column("probability", lambda r: share(r["forecast_rate"])),
    Column("forecast ARR", lambda r: money(r["forecast_arr"])),
]


def rows(
    frame: pd.DataFrame, columns: list[Column], pages: dict[str, str], band: str = "health_band"
) -> list[dict]:
    """One dict per row: cell keys, band (column `band`), account page (when written) and its
    cells: the text, or [text, number] when the column sorts by a number (report.js sorts text
    cells by their lowercased text, '-' last)."""
    found = []
    for _, row in frame.iterrows():
        cells = [compact(*column.cell(row)) for column in columns]
        found.append(
            {
                "segment": row["cell_segment"],
                "csm": row["cell_csm"],
                "band": None if _missing(row[band]) else row[band],
                "href": pages.get(row["account_id"]),
                "cells": cells,
            }
        )
    return found


def headings(columns: list[Column]) -> list[dict]:
    return [{"heading": column.heading, "link": column.link} for column in columns]


def worklist_summary(at_risk: pd.DataFrame, band: str) -> str:
    accounts = at_risk[at_risk["band"] == band]
    stake = float(accounts["mrr_at_stake"].fillna(0).sum())
    noun = "account" if len(accounts) == 1 else "accounts"
    return f"{len(accounts):,} {noun}, ${stake:,.0f} MRR at stake."


def renewals_summary(renewals: pd.DataFrame) -> str:
    if renewals.empty:
        return "No term ends in the next 90 days."
    return (
        f"{len(renewals):,} subscriptions renew in the next 90 days: "
        f"${float(renewals['arr_due'].sum()):,.0f} ARR due, "
        f"${float(renewals['forecast_arr'].fillna(0).sum()):,.0f} forecast (the renewal deal's "
        "stage probability, else the trailing-12-month renewal rate of the account's health band)."
    )
