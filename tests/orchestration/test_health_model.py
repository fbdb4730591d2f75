"""HLT-3 pinned on hand-made rows: out-of-time training, AUC with ties, quantile bands,
capture and lift, the trailing-6-month choice, and the tables' enforced contracts.

Every expected value is computed by hand in the comments, never by the code under test.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.health import write_table
from orchestration.health_model import (
    BACKTEST_TABLE,
    CALIBRATED_COLUMNS,
    CALIBRATED_TABLE,
    COMPONENTS,
    SCORE_COLUMNS,
    Backtest,
    BandShares,
    Choice,
    LearnedWeights,
    at_risk_excess,
    auc,
    auc_out_of_range,
    backtest,
    bands,
    calibrated_accounts,
    choose_score,
    features,
    fit_weights,
    quantile_cutoffs,
    training_months,
    training_rows,
    with_account_facts,
)

JAN, FEB, MAR, APR, MAY, JUN = (date(2025, month, 1) for month in range(1, 7))
SHARES = BandShares(red=0.10, yellow=0.20)

# account -> six component scores (engagement, seats, NPS, support, billing, touch; None = no
# data) and the configured health score. Low billing goes with churn in January.
ACCOUNTS = {
    "a": ((10, 20, None, 50, 0, 20), 18.0),
    "b": ((90, 80, 70, 100, 100, 90), 90.0),
    "c": ((60, 50, 50, None, 80, 60), 63.0),
    "d": ((30, 10, 20, 40, 20, None), 25.0),
    "e": ((100, 90, 90, 90, 100, 100), 96.0),
    "f": ((50, 60, None, 70, 60, 50), 57.0),
}
CHURNED_IN_JANUARY = {"a", "d"}


def _history(churners: dict[date, set[str]]) -> pd.DataFrame:
    """Every account scored the same on every month's first day; `churners` per month."""
    rows = []
    for month, churned in churners.items():
        for account, (scores, health) in ACCOUNTS.items():
            band = "green" if health >= 70 else "yellow" if health >= 40 else "red"
            rows.append(
                {
                    "account_id": account,
                    "month": month,
                    "health_score": health,
                    "health_band": band,
                    **dict(zip(SCORE_COLUMNS, scores, strict=True)),
                    "top_risk_reason": "billing",
                    "churned_within_90_days": account in churned,
                }
            )
    return pd.DataFrame(rows).astype({column: float for column in SCORE_COLUMNS})


# ------------------------------------------------------------------------- out of time (1)
def test_a_month_trains_only_on_months_whose_outcome_was_known_on_its_first_day():
    months = [JAN, FEB, MAR, APR, MAY, JUN]
    # Jan 1 + 90 days = Apr 1 <= Apr 1; Feb 1 + 90 days = May 2 > May 1 (Feb-Apr is 89 days);
    # Mar 1 + 90 = May 30 <= Jun 1; Apr 1 + 90 = Jun 30 > Jun 1.
    assert training_months(months, MAR) == []
    assert training_months(months, APR) == [JAN]
    assert training_months(months, MAY) == [JAN]
    assert training_months(months, JUN) == [JAN, FEB, MAR]


def test_outcomes_learned_after_a_month_began_never_change_its_weights():
    known = {JAN: CHURNED_IN_JANUARY, FEB: {"a"}, MAR: set(), APR: {"d"}, MAY: {"f"}, JUN: set()}
    # The same history, except the outcomes of February to April (not known on May 1): the
    # healthiest accounts churn instead. Had they leaked, May's weights would turn around.
    late = {**known, FEB: {"b", "e"}, MAR: {"b", "e"}, APR: {"b", "e"}}
    history, rewritten = _history(known), _history(late)

    weights = backtest(history, SHARES, JUN).weights
    weights_rewritten = backtest(rewritten, SHARES, JUN).weights
    # January alone trains April and May, in both histories
    assert (weights[MAY].training_months, weights[MAY].training_rows) == (1, 6)
    assert weights[MAY] == weights_rewritten[MAY]
    assert weights[APR] == weights_rewritten[APR]
    # The rewrite matters where it is known: June trains on January to March.
    assert weights[JUN].training_months == 3
    assert weights[JUN] != weights_rewritten[JUN]
    # Training May on every earlier month (a leak) would have changed its weights.
    assert fit_weights(rewritten[rewritten["month"] < MAY]) != fit_weights(
        history[history["month"] < MAY]
    )
    assert len(training_rows(history, MAY)) == 6


def test_a_missing_component_is_filled_with_the_configured_score():
    frame = _history({JAN: set()})
    filled = features(frame.set_index("account_id").loc[["a"]].reset_index())
    # a: NPS has no data -> its configured health score 18 (HLT-1's redistribution), / 100
    np.testing.assert_allclose(filled, [[0.10, 0.20, 0.18, 0.50, 0.0, 0.20]])


def test_without_both_outcomes_there_is_nothing_to_learn():
    assert fit_weights(_history({JAN: set()})) is None
    assert fit_weights(_history({JAN: set(ACCOUNTS)})) is None
    tested = backtest(_history({JAN: CHURNED_IN_JANUARY, FEB: set()}), SHARES, MAR)
    assert tested.months["learned_auc"].isna().all()
    assert list(tested.months["training_months"]) == [0, 0]


# ------------------------------------------------------------------------- AUC (2)
def test_auc_counts_ties_half():
    # churners 20 and 50 vs non-churners 50 and 80: 20<50, 20<80, 50<80, 50=50 half: 3.5 / 4
    assert auc([20, 50, 50, 80], [True, False, True, False]) == 0.875
    # churner 50 vs 10 (0), 50 (1/2), 50 (1/2), 90 (1): 2 / 4
    assert auc([10, 50, 50, 50, 90], [False, True, False, False, False]) == 0.5
    # all tied: 1/2; perfectly inverted: 0
    assert auc([7, 7, 7], [True, False, False]) == 0.5
    assert auc([90, 10, 20], [True, False, False]) == 0.0
    assert auc([1, 2], [False, False]) is None
    assert auc([1, 2], [True, True]) is None


# ------------------------------------------------------------------------- bands (3)
def test_quantile_bands_keep_red_and_yellow_within_their_shares():
    scores = [3, 1, 2, 4, 5, 6, 7, 8, 9, 10]
    cutoffs = quantile_cutoffs(scores, SHARES)
    # 10 scores: floor(.1 x 10) = 1 red, floor(.3 x 10) = 3 at risk: red below the 2nd lowest
    # (2), yellow below the 4th lowest (4)
    assert (cutoffs.red_below, cutoffs.yellow_below) == (2, 4)
    assert list(bands(scores, cutoffs)) == ["yellow", "red", "yellow"] + ["green"] * 7


def test_accounts_tied_at_a_cut_off_go_to_the_better_band():
    scores = [5, 5, 5, 5, 8, 9, 10, 11, 12, 13]
    cutoffs = quantile_cutoffs(scores, SHARES)
    # red_below = 2nd lowest = 5, yellow_below = 4th lowest = 5: nobody is below 5, so the four
    # tied 5s stay green rather than flag 40 % of accounts.
    assert (cutoffs.red_below, cutoffs.yellow_below) == (5, 5)
    assert set(bands(scores, cutoffs)) == {"green"}
    scores = [1, 5, 5, 7, 8, 9, 10, 11, 12, 13]
    # red below 5 (1 account), yellow below 7 (the two 5s): 30 %
    assert list(bands(scores, quantile_cutoffs(scores, SHARES)))[:4] == [
        "red",
        "yellow",
        "yellow",
        "green",
    ]


def test_a_share_that_lands_a_hair_below_a_whole_count_still_counts_it():
    # .29 x 100 = 28.999999999999996 in floating point: 29 accounts may be red, not 28
    cutoffs = quantile_cutoffs(list(range(100)), BandShares(0.29, 0.01))
    assert cutoffs.red_below == 29


def test_capture_lift_and_churn_by_band_of_a_month():
    scores = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    churners = {1, 3, 9}
    frame = pd.DataFrame(
        {
            "account_id": [f"x{s:02d}" for s in scores],
            "month": JAN,
            "health_score": [float(s) for s in scores],
            "health_band": ["red"] * 5 + ["yellow"] * 4 + ["green"],
            **{column: np.nan for column in SCORE_COLUMNS},
            "churned_within_90_days": [s in churners for s in scores],
        }
    )
    [row] = backtest(frame, SHARES, date(2025, 6, 1)).months.to_dict("records")
    # red {1}, yellow {2, 3}: churners 1 and 3 caught of 1, 3, 9 -> 2/3; 30 % at risk
    assert row["score_in_use"] == "configured"
    assert row["at_risk_share"] == pytest.approx(0.3)
    assert row["capture_rate"] == pytest.approx(2 / 3)
    assert row["lift"] == pytest.approx((2 / 3) / 0.3)
    assert (row["churn_rate_red"], row["churn_rate_yellow"]) == (1.0, 0.5)
    assert row["churn_rate_green"] == pytest.approx(1 / 7)
    # HLT-1's fixed bands flag 9 of 10 and catch 1, 3 and 9
    assert (row["configured_at_risk_share"], row["configured_capture_rate"]) == (0.9, 1.0)
    # 1,3 vs the rest: 1 beats 7, 3 beats 6 of 7; 9 beats 1 (10): (7 + 6 + 1) / 21
    assert row["configured_auc"] == pytest.approx(14 / 21)
    assert row["is_complete"]  # Jan 1 + 90 days <= Jun 1


# ------------------------------------------------------------------------- the choice
def _aucs(pairs: list[tuple[float | None, float | None]]) -> dict[date, tuple]:
    return {date(2024, 1 + i, 1): pair for i, pair in enumerate(pairs)}


def test_the_learned_score_is_used_only_when_it_beat_the_configured_over_6_complete_months():
    better = _aucs([(0.6, 0.7)] * 6)  # Jan..Jun 2024
    # October and September: Jun 1 + 90 days = Aug 30, so all 6 months are complete
    for month in (date(2024, 10, 1), date(2024, 9, 1)):
        choice = choose_score(month, better)
        assert (choice.score_in_use, choice.trailing_months) == ("learned", 6)
        assert (choice.trailing_configured_auc, choice.trailing_learned_auc) == pytest.approx(
            (0.6, 0.7)
        )
    # August: June's outcome is not known yet (Aug 30 > Aug 1): 5 months, configured
    choice = choose_score(date(2024, 8, 1), better)
    assert (choice.score_in_use, choice.trailing_months) == ("configured", 5)
    assert choice.trailing_learned_auc is None


def test_months_without_both_aucs_are_skipped_and_a_tie_keeps_the_configured_score():
    history = _aucs([(0.6, None), (None, None)] + [(0.6, 0.65)] * 3 + [(0.8, 0.6)] * 3)
    # Jan, Feb carry no evidence; Mar..Aug: configured (3 x .6 + 3 x .8) / 6 = .7, learned
    # (3 x .65 + 3 x .6) / 6 = .625 -> configured
    choice = choose_score(date(2025, 1, 1), history)
    assert choice.trailing_months == 6
    assert choice.trailing_configured_auc == pytest.approx(0.7)
    assert choice.trailing_learned_auc == pytest.approx(0.625)
    assert choice.score_in_use == "configured"
    assert choose_score(date(2025, 1, 1), _aucs([(0.7, 0.7)] * 6)).score_in_use == "configured"


def test_the_worklist_uses_the_month_choice_and_cuts_bands_on_the_as_of_scores():
    history = _history({JAN: CHURNED_IN_JANUARY, FEB: {"a"}})
    tested = backtest(history, SHARES, date(2025, 5, 20))
    today = history[history["month"] == FEB].drop(columns=["month", "churned_within_90_days"])
    worklist = calibrated_accounts(today, history, tested, SHARES, date(2025, 5, 20))
    # May: weights from January (Jan 1 + 90 <= May 1), too few months of evidence ->
    # configured; 6 accounts: floor(.6) = 0 red, floor(1.8) = 1 at risk: the lowest, a (18)
    assert set(worklist["score_in_use"]) == {"configured"}
    assert worklist["learned_score"].notna().all()
    assert list(worklist["account_id"]) == ["a", "d", "f", "c", "b", "e"]
    assert list(worklist["calibrated_band"]) == ["yellow"] + ["green"] * 5
    assert list(worklist.columns) == list(CALIBRATED_COLUMNS)
    # the cut-offs: red below the 1st lowest score (a, 18), yellow below the 2nd (d, 25)
    assert (worklist["red_below"].iloc[0], worklist["yellow_below"].iloc[0]) == (18.0, 25.0)
    assert worklist["calibrated_band_30d_before"].isna().all()  # no rows 30 days before given


def _learned_in(month: date) -> Backtest:
    """A backtest whose `month` uses the learned score with hand-set weights: log-odds of
    staying = -2 + 4 x billing / 100 (every other weight 0)."""
    weights = LearnedWeights(-2.0, {c: 4.0 if c == "billing" else 0.0 for c in COMPONENTS}, 6, 36)
    choice = Choice("learned", 6, 0.6, 0.7)
    return Backtest(pd.DataFrame(), {month: weights}, {}, {month: choice})


def _with_billing(rows: pd.DataFrame, billing: dict[str, float]) -> pd.DataFrame:
    changed = rows[rows["account_id"].isin(billing)].copy()
    changed["billing_score"] = changed["account_id"].map(billing).astype(float)
    return changed


def test_the_band_30_days_before_uses_the_same_weights_and_cut_offs():
    history = _history({FEB: set()})
    today = history.drop(columns=["month", "churned_within_90_days"])
    # 30 days before: every account worse off, c not scored (not paying then)
    before = _with_billing(today, {"a": 0, "b": 0, "d": 0, "e": 20, "f": 20})
    shares = BandShares(red=0.2, yellow=0.2)
    found = calibrated_accounts(today, history, _learned_in(MAY), shares, date(2025, 5, 20), before)
    found = found.set_index("account_id")
    # learned score = 100 / (1 + exp(2 - 4 x billing / 100)): billing 0 -> 11.920,
    # 20 -> 23.148, 60 -> 59.869, 80 -> 76.852, 100 -> 88.080 (b, e; c has 80, f 60, d 20)
    assert found["calibrated_score"].to_dict() == pytest.approx(
        {"a": 11.920, "b": 88.080, "c": 76.852, "d": 23.148, "e": 88.080, "f": 59.869}, abs=1e-3
    )
    # 6 accounts: floor(1.2) = 1 red, floor(2.4) = 2 at risk: red below the 2nd lowest
    # (d, 23.148), yellow below the 3rd (f, 59.869)
    assert found["red_below"].iloc[0] == pytest.approx(23.148, abs=1e-3)
    assert found["yellow_below"].iloc[0] == pytest.approx(59.869, abs=1e-3)
    assert found["calibrated_band"].to_dict() == {
        "a": "red", "b": "green", "c": "green", "d": "yellow", "e": "green", "f": "green",
    }  # fmt: skip
    # before, same weights: 0 -> 11.920 (a, b, d), 20 -> 23.148 (e, f); at today's cut-offs
    # a, b, d are red and e, f yellow (23.148 is not below 23.148). Re-cut on that day's own
    # quantiles they would all be green (red below the 2nd lowest of 5, 11.920: none).
    assert found["calibrated_score_30d_before"].drop("c").to_dict() == pytest.approx(
        {"a": 11.920, "b": 11.920, "d": 11.920, "e": 23.148, "f": 23.148}, abs=1e-3
    )
    assert np.isnan(found.loc["c", "calibrated_score_30d_before"])
    assert found["calibrated_band_30d_before"].drop("c").to_dict() == {
        "a": "red", "b": "red", "d": "red", "e": "yellow", "f": "yellow",
    }  # fmt: skip
    assert pd.isna(found.loc["c", "calibrated_band_30d_before"])
    assert found["calibrated_red_share"].iloc[0] == 0.2


def test_the_configured_score_in_use_is_compared_with_its_own_values_30_days_before():
    history = _history({JAN: CHURNED_IN_JANUARY, FEB: {"a"}})
    tested = backtest(history, SHARES, date(2025, 5, 20))  # May: configured (see above)
    today = history[history["month"] == FEB].drop(columns=["month", "churned_within_90_days"])
    before = today[today["account_id"].isin(["a", "b"])].assign(health_score=[30.0, 20.0])
    found = calibrated_accounts(today, history, tested, SHARES, date(2025, 5, 20), before)
    found = found.set_index("account_id")
    # cut-offs 18 (red below) and 25 (yellow below): a 30 -> green, b 20 -> yellow
    assert found["calibrated_score_30d_before"].dropna().to_dict() == {"a": 30.0, "b": 20.0}
    assert found["calibrated_band_30d_before"].dropna().to_dict() == {
        "a": "green",
        "b": "yellow",
    }


def _dim_accounts(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": ids,
            "account_name": [f"Company {i}" for i in ids],
            "segment": ["SMB"] * len(ids),
            "csm_owner_id": ["81"] * len(ids),
            "csm_owner_name": ["Ana Okafor"] * len(ids),
            "current_mrr": [100.0 * (n + 1) for n in range(len(ids))],
            "next_renewal_date": [pd.Timestamp("2025-06-01")] + [pd.NaT] * (len(ids) - 1),
            "days_past_due": [0] * (len(ids) - 1) + [45],
            "amount_overdue": [0.0] * (len(ids) - 1) + [250.0],
        }
    )


def test_the_calibrated_rows_carry_the_account_facts_a_csm_acts_on():
    history = _history({JAN: CHURNED_IN_JANUARY, FEB: {"a"}})
    tested = backtest(history, SHARES, date(2025, 5, 20))
    today = history[history["month"] == FEB].drop(columns=["month", "churned_within_90_days"])
    calibrated = calibrated_accounts(today, history, tested, SHARES, date(2025, 5, 20))
    # dim_accounts also holds accounts that do not pay (z): they are not added
    found = with_account_facts(calibrated, _dim_accounts(list("abcdefz")))
    assert list(found.columns) == list(CALIBRATED_TABLE.column_names)
    row = found.set_index("account_id").loc["a"]
    # a: MRR 100; renews 2025-06-01, 12 days after 2025-05-20
    assert (row["account_name"], row["csm_owner_name"], row["mrr_at_stake"]) == (
        "Company a", "Ana Okafor", 100.0,
    )  # fmt: skip
    assert (row["next_renewal_date"], row["days_to_renewal"]) == (date(2025, 6, 1), 12)
    assert found.set_index("account_id").loc["b", "days_to_renewal"] != 12
    assert pd.isna(found.set_index("account_id").loc["b", "days_to_renewal"])
    assert list(found["account_id"]) == list(calibrated["account_id"])  # lowest score first
    with pytest.raises(KeyError, match="account f: scored on as_of but not in dim_accounts"):
        with_account_facts(calibrated, _dim_accounts(["a", "b", "c", "d", "e"]))


# ------------------------------------------------------------------------- checks, contract
def test_the_checks_name_what_is_out_of_bounds():
    months = pd.DataFrame(
        {"month": [JAN, FEB], "configured_auc": [0.7, 1.2], "learned_auc": [None, 0.4]}
    )
    assert auc_out_of_range(months) == ["2025-02-01: configured_auc = 1.2"]
    assert at_risk_excess({"2025-01-01": 0.30, "2025-02-01": 0.33}, 0.30) == [
        "2025-02-01: 33.0% red or yellow, above 30% + 2%"
    ]


def test_tables_are_written_with_their_declared_types_and_refuse_other_columns():
    history = _history({JAN: CHURNED_IN_JANUARY, FEB: set()})
    months = backtest(history, SHARES, MAR).months
    table = "marts.fct_health_backtest_learned"
    with duckdb.connect() as con:
        assert write_table(con, BACKTEST_TABLE, months) == 2
        types = dict(
            con.execute(f"select column_name, column_type from (describe {table})").fetchall()
        )
        assert types["month"] == "DATE"
        assert types["learned_intercept"] == "DOUBLE"  # null in every row, still a double
        assert types["accounts_scored"] == "INTEGER"
        assert types["is_complete"] == "BOOLEAN"
        with pytest.raises(ValueError, match="differ from its contract"):
            write_table(con, BACKTEST_TABLE, months.drop(columns=["lift"]))
        # a value its type cannot hold fails the write and leaves the previous table
        today = history[history["month"] == FEB]
        accounts = with_account_facts(
            calibrated_accounts(today, history, backtest(history, SHARES, FEB), SHARES, FEB),
            _dim_accounts(list("abcdef")),
        )
        assert write_table(con, CALIBRATED_TABLE, accounts) == 6
        types = dict(
            con.execute(
                "select column_name, column_type from (describe marts.rpt_health_calibrated)"
            ).fetchall()
        )
        assert (types["days_to_renewal"], types["mrr_at_stake"]) == ("INTEGER", "DECIMAL(18,2)")
        (renewals,) = con.execute(
            "select count(days_to_renewal) from marts.rpt_health_calibrated"
        ).fetchone()
        assert renewals == 1  # NaN from pandas is written as null
        with pytest.raises(duckdb.Error):
            write_table(con, CALIBRATED_TABLE, accounts.assign(configured_score=12345.0))
        kept = con.execute("select max(configured_score) from marts.rpt_health_calibrated")
        assert kept.fetchone() == (pytest.approx(96.0),)


@pytest.mark.parametrize("table", [BACKTEST_TABLE, CALIBRATED_TABLE], ids=lambda t: t.name)
def test_the_python_marts_are_documented_like_the_dbt_marts(table):
    assert "HLT-3" in table.description and "One row per" in table.description
    undocumented = [column.name for column in table.columns if not column.description.strip()]
    assert not undocumented
    assert len(set(table.column_names)) == len(table.columns)
