"""The report's tables: what a CS manager reads in each cell (values computed by hand)."""

from __future__ import annotations

import pandas as pd

from orchestration.report import _renewals_html, _worklist_html


def _cells(html: str) -> list[str]:
    """The text of each <td>, in order."""
    return [cell.rsplit("<td", 1)[1].split(">", 1)[1] for cell in html.split("</td>")[:-1]]


def test_renewals_say_totals_dates_money_and_probabilities():
    renewals = pd.DataFrame(
        {
            "term_end_date": pd.to_datetime(["2026-12-01", "2026-12-15"]),
            "account_name": ["Acme", "Globex"],
            "csm_owner_name": ["Ana Okafor", None],
            "arr_due": [12_000.0, 2_400.0],
            "health_band": ["green", "red"],
            "health_score_change_30d": [4.0, -12.0],
            "renewal_deal_stage": ["Contract sent", None],
            "forecast_method": ["renewal_deal_probability", "health_band_renewal_rate"],
            "forecast_rate": [0.9, 0.5],
            "forecast_arr": [10_800.0, 1_200.0],
        }
    )
    html = _renewals_html(renewals)
    assert "2 subscriptions renew in the next 90 days: $14,400 ARR due, $12,000 forecast" in html
    assert _cells(html)[:10] == [
        "2026-12-01", "Acme", "Ana Okafor", "$12,000", "green", "+4", "Contract sent",
        "renewal_deal_probability", "90%", "$10,800",
    ]  # fmt: skip
    assert _cells(html)[12] == "-"  # no CSM: a dash, never "None"
    assert "class='band-red'" in html


def test_worklist_names_the_account_id_and_csm():
    at_risk = pd.DataFrame(
        {
            "account_name": ["Acme"], "account_id": ["a1"], "owner_name": ["Ana Okafor"],
            "segment": ["SMB"], "health_score": [31], "health_band": ["red"],
            "top_risk_reason": ["engagement_trend"], "mrr_at_stake": [1234.5],
            "days_to_renewal": [20], "days_past_due": [None],
        }
    )  # fmt: skip
    assert _cells(_worklist_html(at_risk)) == [
        "Acme", "a1", "Ana Okafor", "SMB", "31", "red", "engagement_trend", "$1,234", "20", "-",
    ]  # fmt: skip
