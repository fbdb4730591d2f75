"""The report's tables: what a CS manager reads in each cell, and what each cell sorts by
(values computed by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from orchestration.report.tables import (
    RENEWALS,
    WORKLIST,
    renewals_summary,
    rows,
    worklist_summary,
)


def _texts(found: list[dict]) -> list[list[str]]:
    return [[cell[0] if isinstance(cell, list) else cell for cell in row["cells"]] for row in found]


def _renewals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "term_end_date": pd.to_datetime(["2026-12-01", "2026-12-15"]),
            "account_name": ["Acme", "Globex"],
            "account_id": ["a1", "a2"],
            "csm_owner_name": ["Ana Okafor", None],
            "arr_due": [12_000.0, 2_400.0],
            "health_band": ["green", "red"],
            "health_score_change_30d": [4.0, -12.0],
            "renewal_deal_stage": ["Contract sent", None],
            "forecast_method": ["deal_stage_probability", "health_band_renewal_rate"],
            "forecast_rate": [0.9, 0.5],
            "forecast_arr": [10_800.0, 1_200.0],
            "cell_segment": ["SMB", "ENT"],
            "cell_csm": ["81", "(no CSM)"],
        }
    )


def test_renewals_say_totals_dates_money_and_probabilities():
    renewals = _renewals()
    found = rows(renewals, RENEWALS, {"a1": "accounts/a1.html"})
    assert renewals_summary(renewals).startswith(
        "2 subscriptions renew in the next 90 days: $14,400 ARR due, $12,000 forecast"
    )
    assert _texts(found)[0] == [
        "2026-12-01", "Acme", "a1", "Ana Okafor", "$12,000", "green", "+4", "Contract sent",
        "renewal deal's stage", "90%", "$10,800",
    ]  # fmt: skip
    assert _texts(found)[1][3] == "-"  # no CSM: a dash, never "None"
    assert _texts(found)[1][8] == "health band's renewal rate"
    assert [row["band"] for row in found] == ["green", "red"]
    assert [(row["segment"], row["csm"]) for row in found] == [("SMB", "81"), ("ENT", "(no CSM)")]
    assert [row["href"] for row in found] == ["accounts/a1.html", None]
    # dates sort as their ISO text, money and changes as numbers
    assert [row["cells"][0] for row in found] == ["2026-12-01", "2026-12-15"]
    assert [row["cells"][6] for row in found] == [["+4", 4.0], ["-12", -12.0]]
    assert [row["cells"][4] for row in found] == [["$12,000", 12_000.0], ["$2,400", 2_400.0]]


def _at_risk(band: list | None = None, **changes: list) -> pd.DataFrame:
    """Rows of the worklist (orchestration/worklist.py) with their filter cell."""
    frame = {
        "account_name": ["Acme", "Initech"], "account_id": ["a1", "a3"],
        "csm_owner_name": ["Ana Okafor", None], "segment": ["SMB", None],
        "score": [89.46, 55.0], "band": ["red", "yellow"],
        "top_risk_reason": ["engagement_trend", "billing"], "mrr_at_stake": [1234.5, 100.0],
        "next_renewal_date": pd.to_datetime(["2026-12-20", None]),
        "days_to_renewal": [20, None], "days_past_due": [0, 45],
        "amount_overdue": [0.0, 250.0], "cell_segment": ["SMB", "(no segment)"],
        "cell_csm": ["81", "(no CSM)"],
    }  # fmt: skip
    if band:
        changes["band"] = band
    return pd.DataFrame({**frame, **changes})


def test_worklist_names_the_account_id_csm_and_reason_in_words():
    pages = {"a1": "accounts/a1.html", "a3": "accounts/a3.html"}
    found = rows(_at_risk(), WORKLIST, pages, band="band")
    assert _texts(found) == [
        ["Acme", "a1", "Ana Okafor", "SMB", "89.5",
         "Usage falling (fewer active users than 28 days before)", "$1,234",
         "2026-12-20 (in 20 days)", "-", "-"],
        ["Initech", "a3", "-", "-", "55.0", "Invoices overdue", "$100", "-", "45", "$250"],
    ]  # fmt: skip
    assert [row["band"] for row in found] == ["red", "yellow"]
    # the score sorts by its value, the renewal by its days, not by the text shown
    assert [row["cells"][4][1] for row in found] == [89.46, 55.0]
    assert found[0]["cells"][7] == ["2026-12-20 (in 20 days)", 20.0]
    assert [column.heading for column in WORKLIST if column.link] == ["account", "account id"]
    assert [row["href"] for row in found] == ["accounts/a1.html", "accounts/a3.html"]
    assert worklist_summary(_at_risk(), "red") == "1 account, $1,234 MRR at stake."
    assert worklist_summary(_at_risk(band=["red", "red"]), "red") == (
        "2 accounts, $1,334 MRR at stake."
    )


def test_an_unknown_risk_reason_is_refused_naming_the_account():
    with pytest.raises(ValueError, match="account a3: unknown top_risk_reason 'weather'"):
        rows(_at_risk(top_risk_reason=["nps", "weather"]), WORKLIST, {}, band="band")
