"""The report's filter and aggregation on hand-made facts: which selections it offers, that a
selection's numbers are the sums of its cells with the marts' rates computed from those sums,
and that every chart keeps its traces whatever the selection (values computed by hand)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from orchestration.report import cube
from orchestration.report.build import index_payload, script_json
from orchestration.report.cube import Selection
from orchestration.report.figures import CHARTS, patch
from orchestration.report.load import NO_CSM, ReportData
from orchestration.report.pages import page_names

CELLS = ["cell_segment", "cell_csm"]


def _cells(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[*CELLS, *columns])


def _mrr_row(segment, csm, month, mrr, start, paying, customers_start, churned=0, **moves):
    movements = {name: moves.get(name, 0.0) for name in (
        "new_mrr", "expansion_mrr", "reactivation_mrr", "contraction_mrr", "churned_mrr",
        "fx_impact")}  # fmt: skip
    return (segment, csm, pd.Timestamp(month), mrr, start, paying, customers_start, churned,
            *movements.values())  # fmt: skip


MRR_COLUMNS = [
    "month", "mrr", "mrr_start", "paying_accounts", "customers_start", "customers_churned",
    "new_mrr", "expansion_mrr", "reactivation_mrr", "contraction_mrr", "churned_mrr", "fx_impact",
]  # fmt: skip


def _data() -> ReportData:
    """Three accounts: a1 (SMB, CSM 81), a2 (SMB, no CSM), a3 (ENT, CSM 81), as of 2025-06-15.

    May -> June: a1 1000 -> 1100 (expansion 100), a2 500 -> 0 (churn), a3 new at 300."""
    accounts = pd.DataFrame(
        {
            "account_id": ["a1", "a2", "a3"],
            "csm_owner_name": ["Ana Okafor", None, "Ana Okafor"],
            "cell_segment": ["SMB", "SMB", "ENT"],
            "cell_csm": ["81", NO_CSM, "81"],
        }
    )
    mrr = _cells(
        [
            _mrr_row("SMB", "81", "2025-05-01", 1000.0, 0.0, 1, 0, new_mrr=1000.0),
            _mrr_row("SMB", NO_CSM, "2025-05-01", 500.0, 0.0, 1, 0, new_mrr=500.0),
            _mrr_row("SMB", "81", "2025-06-01", 1100.0, 1000.0, 1, 1, expansion_mrr=100.0),
            _mrr_row("SMB", NO_CSM, "2025-06-01", 0.0, 500.0, 0, 1, 1, churned_mrr=500.0),
            _mrr_row("ENT", "81", "2025-06-01", 300.0, 0.0, 1, 0, new_mrr=300.0),
        ],
        MRR_COLUMNS,
    )
    days = pd.date_range(end="2025-06-15", periods=180)
    may16 = pd.Timestamp("2025-05-16")
    return ReportData(
        as_of=date(2025, 6, 15),
        published_at=pd.Timestamp("2025-06-15 03:00"),
        accounts=accounts,
        months=pd.DataFrame(
            {
                "month": pd.to_datetime(["2025-05-01", "2025-06-01"]),
                "is_complete_month": [True, False],
            }
        ),
        cohorts=pd.DataFrame(
            {"cohort_month": pd.to_datetime(["2025-04-01"]), "is_complete": [True]}
        ),
        mrr=mrr,
        nps=_cells(
            [
                ("SMB", "81", pd.Timestamp("2025-06-01"), 3, 2, 1),
                ("ENT", "81", pd.Timestamp("2025-06-01"), 1, 0, 1),
            ],
            ["month", "responses", "promoters", "detractors"],
        ),
        csat=_cells(
            [("SMB", NO_CSM, pd.Timestamp("2025-05-01"), 4, 3)], ["month", "ratings", "satisfied"]
        ),
        trials=_cells(
            [
                ("SMB", "81", pd.Timestamp("2025-04-01"), 4, 1),
                ("ENT", "81", pd.Timestamp("2025-04-01"), 1, 1),
            ],
            ["cohort_month", "trials", "converted"],
        ),
        health=_cells(
            [
                ("SMB", "81", days[-1], 0, 1, 0),
                ("ENT", "81", days[-1], 0, 0, 1),
                ("SMB", "81", may16, 1, 0, 0),
                ("ENT", "81", days[0], 1, 0, 0),
            ],
            ["date_day", "green", "yellow", "red"],
        ),
        engagement=_cells(
            [("SMB", "81", days[-1], 2, 10, 1), ("ENT", "81", days[-1], 1, 5, 1)],
            ["date_day", "dau", "mau", "active_accounts"],
        ),
        delinquency=_cells(
            [("ENT", "81", days[-1], 250.0, 1)], ["date_day", "amount_overdue", "accounts_past_due"]
        ),
        at_risk=pd.DataFrame(
            {
                "account_id": ["a1", "a3"],
                "account_name": ["Acme", "Initech"],
                "owner_name": ["Ana Okafor", "Ana Okafor"],
                "segment": ["SMB", "ENT"],
                "health_score": [50.0, 30.0],
                "health_band": ["yellow", "red"],
                "top_risk_reason": ["nps", "billing"],
                "mrr_at_stake": [1100.0, 300.0],
                "days_to_renewal": [10, 40],
                "days_past_due": [0, 20],
                "amount_overdue": [0.0, 250.0],
                "cell_segment": ["SMB", "ENT"],
                "cell_csm": ["81", "81"],
            }
        ),
        renewals=pd.DataFrame(
            {
                "account_id": ["a3"],
                "account_name": ["Initech"],
                "csm_owner_name": ["Ana Okafor"],
                "term_end_date": pd.to_datetime(["2025-07-01"]),
                "arr_due": [3600.0],
                "health_band": ["red"],
                "health_score_change_30d": [-10.0],
                "renewal_deal_stage": [None],
                "forecast_method": ["health_band_renewal_rate"],
                "forecast_rate": [0.5],
                "forecast_arr": [1800.0],
                "cell_segment": ["ENT"],
                "cell_csm": ["81"],
            }
        ),
    )


def test_selections_are_all_each_segment_each_csm_and_each_pair_with_accounts() -> None:
    keys = [selection.key for selection in cube.selections(_data().accounts)]
    assert keys == [
        "*|*", "ENT|*", "SMB|*", f"*|{NO_CSM}", "*|81", "ENT|81", f"SMB|{NO_CSM}", "SMB|81",
    ]  # fmt: skip
    assert "ENT|(no CSM)" not in keys  # no account has both


def test_a_selection_sums_its_cells_on_the_shared_month_spine() -> None:
    data = _data()
    months = pd.DatetimeIndex(data.months["month"])
    mrr = {
        key: list(cube.summed(data.mrr, selection, "month", months)["mrr"])
        for key, selection in {
            "all": Selection(), "SMB": Selection(segment="SMB"), "81": Selection(csm="81"),
            "ENT": Selection(segment="ENT"), "SMB+none": Selection("SMB", NO_CSM),
        }.items()
    }  # fmt: skip
    assert mrr == {
        "all": [1500.0, 1400.0],
        "SMB": [1500.0, 1100.0],
        "81": [1000.0, 1400.0],
        "ENT": [0.0, 300.0],  # no row in May: 0 on the spine
        "SMB+none": [500.0, 0.0],
    }


def test_rates_are_computed_from_the_sums_as_chn_1_says() -> None:
    # June, SMB: start 1500, churn 500, expansion 100 -> GRR 1 - 500/1500, NRR 1 - 400/1500;
    # logo churn 1 of 2; ARPA 1100 / 1 paying account.
    june = cube.facts(_data(), Selection(segment="SMB")).revenue.iloc[-1]
    assert june["grr"] == pytest.approx(1 - 500 / 1500)
    assert june["nrr"] == pytest.approx(1 - 400 / 1500)
    assert june["logo_churn_rate"] == 0.5
    assert june["arpa"] == 1100.0
    assert june["arr"] == 13_200.0
    may = cube.facts(_data(), Selection(segment="SMB")).revenue.iloc[0]
    assert pd.isna(may["nrr"]) and pd.isna(may["logo_churn_rate"])  # no MRR at start: null


def test_nrr_nets_expansion_and_reactivation_against_churn_and_contraction() -> None:
    # start 1000: churn 40 + contraction 30 - expansion 50 - reactivation 20 = 0 net lost
    sums = pd.DataFrame(
        {"mrr": [1040.0], "mrr_start": [1000.0], "paying_accounts": [8],
         "customers_start": [10], "customers_churned": [2], "churned_mrr": [40.0],
         "contraction_mrr": [30.0], "expansion_mrr": [50.0], "reactivation_mrr": [20.0]}
    )  # fmt: skip
    rates = cube.revenue_rates(sums).iloc[0]
    assert rates["nrr"] == pytest.approx(1.0)
    assert rates["grr"] == pytest.approx(0.93)
    assert (rates["logo_churn_rate"], rates["arpa"], rates["arr"]) == (0.2, 130.0, 12_480.0)


def test_a_filtered_index_shows_the_selections_own_cards_and_captions() -> None:
    payload, headings = index_payload(_data(), {"a1": "accounts/a1.html"})
    assert [heading["drawn"] for heading in headings] == [True] * len(CHARTS)
    smb = {card["label"]: card for card in payload["selections"]["SMB|*"]["cards"]}
    assert smb["MRR"]["value"] == "$1,100"
    assert smb["MRR"]["change"] == "-$400 (-26.7 %) vs May 2025"
    assert smb["NPS"]["value"] == "33 (3 responses)"  # 100 x (2 - 1) / 3
    assert smb["NPS"]["note"] == "small sample"
    assert smb["Accounts at risk"]["value"] == "0 red, 1 yellow ($1,100 MRR at stake)"
    assert smb["Accounts at risk"]["change"] == "red +0, yellow +1 vs 2025-05-16"
    ent = payload["selections"]["ENT|*"]
    assert ent["captions"]["chart-delinquency"] == (
        "2025-06-15: $250 overdue across 1 account past due."
    )
    assert ent["captions"]["chart-trials"].startswith(
        "Apr 2025 cohort (the last complete): 1 of 1 trial converted (100.0 %)"
    )
    assert payload["selections"]["*|*"]["captions"]["chart-engagement"].startswith(
        "2025-06-15: DAU 3, MAU 15, stickiness 20.0 %"
    )
    assert [option["key"] for option in payload["csms"]] == [NO_CSM, "81"]
    assert [option["label"] for option in payload["csms"]] == [NO_CSM, "Ana Okafor"]


def test_every_chart_keeps_its_traces_for_a_selection_without_data() -> None:
    payload, _ = index_payload(_data(), {})
    empty = payload["selections"][f"*|{NO_CSM}"]  # one churned account, no surveys or days
    for chart_id, changed in empty["patches"].items():
        base = payload["charts"][chart_id]
        assert len(changed.get("data", base["data"])) == len(base["data"]), chart_id
    assert "chart-delinquency" in empty["patches"]  # its $250 is ENT's, not this selection's


def test_a_patch_holds_only_what_changes() -> None:
    base = {"data": [{"y": [1, 2], "name": "MRR"}], "layout": {"height": 420, "yaxis": {"a": 1}}}
    other = {"data": [{"y": [1, 3], "name": "MRR"}], "layout": {"height": 420, "yaxis": {"a": 2}}}
    assert patch(base, other) == {"data": [{"y": [1, 3]}], "layout": {"yaxis": {"a": 2}}}
    assert patch(base, base) == {}
    with pytest.raises(ValueError, match="different number of traces"):
        patch(base, {"data": [], "layout": {}})


def test_embedded_json_cannot_end_its_script_element() -> None:
    text = str(script_json({"name": "</script><script>alert(1)</script>"}))
    assert "<" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script>"}


def test_account_pages_are_named_by_id_and_never_share_a_file() -> None:
    assert page_names(["123", "cus_A/b"]) == {
        "123": "accounts/123.html",
        "cus_A/b": "accounts/cus_A_b.html",
    }
    with pytest.raises(ValueError, match=r"'a/b' and 'a_b' would share accounts/a_b\.html"):
        page_names(["a/b", "a_b"])
