"""An account page's content from hand-made rows: its facts in words, its lists newest first,
its two charts on the report's spines (values computed by hand)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from orchestration.report.figures import _round, rounded_values
from orchestration.report.load import AccountHistory, Rows
from orchestration.report.pages import LIST_ROWS, facts_list, page_context


def _account() -> pd.Series:
    return pd.Series(
        {
            "account_id": "a1", "account_name": "Acme", "segment": "SMB",
            "csm_owner_name": "Ana Okafor", "current_mrr": 275.4, "current_arr": 3304.8,
            "current_products": "Lumen Platform", "health_score": 69.32, "health_band": "yellow",
            "health_score_change_30d": -18.49, "top_risk_reason": "csm_touch", "nps_180d": 100.0,
            "nps_responses_180d": 1, "csat_90d": 50.0, "csat_ratings_90d": 2, "open_tickets": 0,
            "last_csm_meeting_date": pd.Timestamp("2026-03-14"),
            "next_renewal_date": pd.Timestamp("2026-12-11"), "next_renewal_arr": 3304.8,
            "amount_overdue": 0.0, "days_past_due": 0,
        }
    )  # fmt: skip


def test_the_facts_read_as_words_and_rounded_numbers() -> None:
    facts = dict(facts_list(_account()))
    assert facts["MRR"] == "$275"
    assert facts["Health"] == "69.3 (yellow)"
    assert facts["Worklist band"] == "-"  # not scored today: no worklist band
    banded = _account()
    banded["worklist_band"], banded["worklist_score"] = "red", 89.46
    assert dict(facts_list(banded))["Worklist band"] == "red (score 89.5)"
    assert facts["Health change, 30 days"] == "-18.5"
    assert facts["Main risk"] == "No recent CSM meeting"
    assert facts["NPS, 180 days"] == "100 (1 response)"
    assert facts["CSAT, 90 days"] == "50.0 % (2 ratings)"
    assert facts["Next renewal"] == "2026-12-11 ($3,305 ARR)"
    assert facts["Last CSM meeting"] == "2026-03-14"


def _history(tickets: int = 2) -> dict[str, Rows]:
    return {name: Rows.of_frame(frame) for name, frame in _frames(tickets).items()}


def _frames(tickets: int = 2) -> dict[str, pd.DataFrame]:
    return {
        "mrr": pd.DataFrame(
            {"month": pd.to_datetime(["2026-10-01", "2026-11-01"]), "mrr": [250.0, 275.4],
             "movement": ["new", "expansion"], "movement_mrr": [250.0, 25.4]}
        ),
        "health": pd.DataFrame(
            {"date_day": pd.to_datetime(["2026-11-28"]), "health_score": [70.0],
             **{f"{c}_score": [50.0] for c in ("engagement_trend", "seat_utilisation", "nps",
                                              "support", "billing", "csm_touch")}}
        ),
        "nps": pd.DataFrame(
            {"response_date": pd.to_datetime(["2026-07-07"]), "score": [10],
             "nps_category": ["promoter"]}
        ),
        "csat": pd.DataFrame(
            {"response_date": pd.to_datetime(["2026-10-30", "2026-06-01"]), "score": [4, 3],
             "is_satisfied": [True, False]}
        ),
        "tickets": pd.DataFrame(
            {"created_date": pd.to_datetime(["2026-10-28"] * tickets),
             "closed_date": [None] * tickets, "is_open": [True] * tickets,
             "priority": ["high"] * tickets, "stage_label": ["New"] * tickets,
             "ticket_id": [f"t{i}" for i in range(tickets)]}
        ),
        "meetings": pd.DataFrame(
            {"meeting_date": pd.to_datetime(["2026-03-14", "2025-12-18"]),
             "outcome": ["completed", "no_show"], "is_csm_touch": [True, False]}
        ),
    }  # fmt: skip


def test_the_lists_are_newest_first_and_say_how_many_are_left_out() -> None:
    days = pd.date_range(end="2026-11-29", periods=180)
    context = page_context(_account(), _history(tickets=LIST_ROWS + 3), days)
    assert context["surveys"]["rows"] == [
        ["2026-10-30", "CSAT", "4", "satisfied"],
        ["2026-07-07", "NPS", "10", "promoter"],
        ["2026-06-01", "CSAT", "3", "not satisfied"],
    ]
    assert context["meetings"]["rows"] == [
        ["2026-03-14", "completed", "yes"],
        ["2025-12-18", "no_show", "no"],
    ]
    assert len(context["tickets"]["rows"]) == LIST_ROWS
    assert context["tickets"]["more"] == 3
    assert context["tickets"]["rows"][0][:3] == ["2026-10-28", "-", "open"]


def test_the_charts_show_the_mrr_by_month_and_health_on_the_day_spine() -> None:
    days = pd.date_range(end="2026-11-29", periods=180)
    charts = {chart_id: figure for chart_id, _, figure in page_context(
        _account(), _history(), days)["charts"]}  # fmt: skip
    bars = charts["account-mrr"]["data"][0]
    assert (bars["x"], bars["y"]) == (["2026-10-01", "2026-11-01"], [250.0, 275.4])
    assert bars["customdata"] == ["new +250", "expansion +25"]
    score = charts["account-health"]["data"][0]
    assert score["x0"] == f"{days[0]:%Y-%m-%d}" and len(score["y"]) == 180
    assert score["y"][-2:] == [70.0, None]  # scored on Nov 28, not on Nov 29
    assert len(charts["account-health"]["data"]) == 7  # the score and its six components


def test_an_accounts_rows_are_cut_from_each_whole_frame() -> None:
    """Account pages read their rows from frames sorted by account (load_account_history)."""
    frames = {
        name: pd.concat([frame.assign(account_id="a1"), frame.assign(account_id="a2")])
        for name, frame in _frames().items()
    }
    frames["tickets"] = frames["tickets"].iloc[2:]  # a1 has no ticket
    frames["csat"] = frames["csat"].iloc[0:0]  # no account has a CSAT rating
    history = AccountHistory(**frames)
    a1, a2 = history.of("a1"), history.of("a2")
    assert a1["tickets"].empty and len(a2["tickets"]) == 2 and a2["csat"].empty
    assert a1["meetings"]["outcome"] == ["completed", "no_show"] == a2["meetings"]["outcome"]
    assert list(a2["health"]["health_score"]) == [70.0]  # chart rows: an array
    assert all(rows.empty for rows in history.of("a3").values())
    unsorted = pd.concat([frames["meetings"], frames["meetings"].iloc[:1]])
    with pytest.raises(ValueError, match="'meetings': rows not sorted by account_id"):
        AccountHistory(**{**frames, "meetings": unsorted}).of("a1")
    days = pd.date_range(end="2026-11-29", periods=180)
    from_frames, alone = (page_context(_account(), h, days) for h in (a2, _history()))
    for part in ("charts", "tickets", "meetings"):
        assert from_frames[part] == alone[part]
    assert [row[1] for row in from_frames["surveys"]["rows"]] == ["NPS"]  # no CSAT


def test_chart_lines_are_rounded_as_each_value_would_be() -> None:
    """`rounded_values` rounds an array as `_round` rounds one value (cents at 100 and above,
    else 6 significant digits); they may differ on a value within an ulp of a tie, which
    random values do not hit."""
    rng = np.random.default_rng(7)
    values = np.concatenate([
        rng.uniform(0, 100, 20_000), rng.uniform(-1e6, 1e6, 20_000), rng.normal(0, 1, 20_000),
        10.0 ** rng.uniform(-12, 8, 20_000), [0.0, 100.0, 99.9999996, 9.99999951, 1e-30],
    ])  # fmt: skip
    assert rounded_values(values) == [_round(value) for value in values.tolist()]
    assert rounded_values(np.array([np.nan, 69.3249999])) == [None, 69.325]
