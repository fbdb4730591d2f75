"""The report's filter and aggregation on hand-made facts: which selections it offers, that a
selection's numbers are the sums of its cells with the marts' rates computed from those sums,
and that every chart keeps its traces whatever the selection (values computed by hand)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from orchestration.report import cube
from orchestration.report.build import index_payload, script_json, worklist_rule
from orchestration.report.cube import Selection
from orchestration.report.figures import CHARTS, patch
from orchestration.report.load import NO_CSM
from orchestration.report.pages import page_names
from orchestration.worklist import Bands
from tests.orchestration.report_data import report_data


def test_selections_are_all_each_segment_each_csm_and_each_pair_with_accounts() -> None:
    keys = [selection.key for selection in cube.selections(report_data().accounts)]
    assert keys == [
        "*|*", "ENT|*", "SMB|*", f"*|{NO_CSM}", "*|81", "ENT|81", f"SMB|{NO_CSM}", "SMB|81",
    ]  # fmt: skip
    assert "ENT|(no CSM)" not in keys  # no account has both


def test_a_selection_sums_its_cells_on_the_shared_month_spine() -> None:
    data = report_data()
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
    june = cube.facts(report_data(), Selection(segment="SMB")).revenue.iloc[-1]
    assert june["grr"] == pytest.approx(1 - 500 / 1500)
    assert june["nrr"] == pytest.approx(1 - 400 / 1500)
    assert june["logo_churn_rate"] == 0.5
    assert june["arpa"] == 1100.0
    assert june["arr"] == 13_200.0
    may = cube.facts(report_data(), Selection(segment="SMB")).revenue.iloc[0]
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
    payload, headings = index_payload(report_data(), {"a1": "accounts/a1.html"})
    assert [heading["drawn"] for heading in headings] == [True] * len(CHARTS)
    smb = {card["label"]: card for card in payload["selections"]["SMB|*"]["cards"]}
    assert smb["MRR"]["value"] == "$1,100"
    assert smb["MRR"]["change"] == "-$400 (-26.7 %) vs May 2025"
    assert smb["NPS"]["value"] == "33 (3 responses)"  # 100 x (2 - 1) / 3
    assert smb["NPS"]["note"] == "small sample"
    # the worklist's rows of SMB: a1, yellow today and green 30 days before
    assert smb["Accounts at risk"]["value"] == (
        "0 red, 1 yellow (100.0 % of 1 paying account; $1,100 MRR at stake)"
    )
    assert smb["Accounts at risk"]["change"] == (
        "red +0, yellow +1 vs 2025-05-16 (same accounts, same bands)"
    )
    assert smb["Accounts at risk"]["note"] == "HLT-3 calibrated bands, learned score"
    everyone = {card["label"]: card for card in payload["selections"]["*|*"]["cards"]}
    assert everyone["Accounts at risk"]["value"] == (
        "1 red, 1 yellow (100.0 % of 2 paying accounts; $1,400 MRR at stake)"
    )
    caption = payload["selections"]["ENT|*"]["captions"]["worklist"]
    assert caption.startswith("Bands: HLT-3's calibrated bands. Paying accounts are ranked by ")
    assert "The lowest 10 % are red (score below 40.0), the next 20 % yellow (below 60.0)" in (
        caption
    )
    assert "On 2025-06-15: 1 red and 0 yellow, 1 of 1 paying accounts (100.0 %), $300 MRR" in (
        caption
    )
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


def test_without_calibrated_bands_the_worklist_says_it_shows_hlt1s() -> None:
    data = report_data(Bands(calibrated=False))
    payload, _ = index_payload(data, {})
    caption = payload["selections"]["*|*"]["captions"]["worklist"]
    assert caption.startswith("Bands: HLT-1's fixed bands (health score below 40 red, 40 to 69")
    assert "calibrated bands (HLT-3) were not published with this refresh" in caption
    assert worklist_rule(data) == "HLT-1 fixed bands: HLT-3's were not published"
    risk = {card["label"]: card for card in payload["selections"]["*|*"]["cards"]}
    assert risk["Accounts at risk"]["note"] == "HLT-1 fixed bands: calibrated bands not published"
    assert worklist_rule(report_data()) == "HLT-3 calibrated bands"


def test_every_chart_keeps_its_traces_for_a_selection_withoutreport_data() -> None:
    payload, _ = index_payload(report_data(), {})
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
