"""Headline figures read from a hand-made serving file: each with its period and its change from
the previous period (values computed by hand in the comments)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from orchestration import headlines
from orchestration.headlines import headline_numbers, month_span
from orchestration.health_model import CALIBRATED_TABLE


def _serving(path: Path, health_since: str = "2025-05-01") -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create schema meta")
        con.execute("create table meta.refresh_log (as_of date, published_at timestamp)")
        con.execute("insert into meta.refresh_log values ('2025-06-15', '2025-06-15 03:10:00')")
        con.execute(
            "create table marts.fct_revenue_monthly (month date, is_complete_month boolean, "
            "mrr decimal(18, 2), arr decimal(18, 2), arpa double, paying_accounts integer, "
            "nrr double, grr double, logo_churn_rate double, customers_churned integer, "
            "customers_start integer)"
        )
        con.execute(
            "insert into marts.fct_revenue_monthly values "
            "('2025-04-01', true, 900, 10800, 100, 9, 1.02, 0.97, 0.125, 1, 8), "
            "('2025-05-01', true, 1000, 12000, 100, 10, 1.05, 0.95, 0.1, 1, 10), "
            "('2025-06-01', false, 1100, 13200, 100, 11, null, null, null, 0, 11)"
        )
        con.execute(
            "create table marts.fct_nps_monthly (month date, segment varchar, responses integer, "
            "promoters integer, passives integer, detractors integer)"
        )
        # Apr..Jun, all segments: 10 responses, 6 promoters, 2 detractors -> NPS 40.
        # Jan..Mar: 9 responses, 1 promoter, 7 detractors -> -66.7, so the change is +107.
        con.execute(
            "insert into marts.fct_nps_monthly values "
            "('2025-01-01', 'all', 4, 1, 1, 2), ('2025-02-01', 'all', 0, 0, 0, 0), "
            "('2025-03-01', 'all', 5, 0, 0, 5), ('2025-04-01', 'all', 4, 2, 1, 1), "
            "('2025-05-01', 'all', 0, 0, 0, 0), ('2025-06-01', 'all', 6, 4, 1, 1), "
            "('2025-06-01', 'smb', 6, 4, 1, 1)"
        )
        con.execute(
            "create table marts.fct_trial_conversion (cohort_month date, trials integer, "
            "converted integer, is_complete boolean)"
        )
        # complete Mar..May: 14 of 40 = 35 %; the complete cohorts before, Jan..Feb: 5 of 20.
        con.execute(
            "insert into marts.fct_trial_conversion values "
            "('2025-01-01', 10, 2, true), ('2025-02-01', 10, 3, true), "
            "('2025-03-01', 5, 1, true), ('2025-04-01', 20, 8, true), "
            "('2025-05-01', 15, 5, true), ('2025-06-01', 4, 0, false)"
        )
        # Five paying accounts on as_of (June 15) and the day compared with (May 16), in
        # HLT-1's fixed bands (fct_account_health_daily) and HLT-3's calibrated ones:
        #   account  MRR  fixed today  fixed May 16  calibrated today  calibrated May 16
        #   a        300  red          green         red               red
        #   b        200  red          red           yellow            green
        #   c        100  yellow       (not paying)  yellow            (not paying)
        #   d        400  yellow       yellow        green             red
        #   e         50  green        green         green             yellow
        con.execute(
            "create table marts.dim_accounts (account_id varchar, account_name varchar, "
            "segment varchar, csm_owner_id varchar, csm_owner_name varchar, "
            "current_mrr decimal(18, 2), next_renewal_date date, days_past_due bigint, "
            "amount_overdue decimal(18, 2))"
        )
        con.execute(
            "insert into marts.dim_accounts values "
            "('a', 'A', 'SMB', '81', 'Ana', 300, '2025-07-01', 0, 0), "
            "('b', 'B', 'SMB', '81', 'Ana', 200, null, 10, 99), "
            "('c', 'C', 'ENT', null, null, 100, null, 0, 0), "
            "('d', 'D', 'ENT', '82', 'Bo', 400, null, 0, 0), "
            "('e', 'E', 'ENT', '82', 'Bo', 50, null, 0, 0), "
            "('z', 'Z', 'ENT', '82', 'Bo', 0, null, 0, 0)"
        )
        con.execute(
            "create table marts.fct_account_health_daily (account_id varchar, date_day date, "
            "health_score decimal(5, 2), health_band varchar, top_risk_reason varchar)"
        )
        con.execute(
            "insert into marts.fct_account_health_daily values "
            f"('a', '{health_since}', 90, 'green', null), "
            "('a', '2025-06-15', 20, 'red', 'nps'), ('b', '2025-06-15', 30, 'red', 'billing'), "
            "('c', '2025-06-15', 50, 'yellow', 'nps'), ('d', '2025-06-15', 60, 'yellow', 'nps'), "
            "('e', '2025-06-15', 80, 'green', 'nps'), "
            "('a', '2025-05-16', 75, 'green', null), ('b', '2025-05-16', 35, 'red', 'billing'), "
            "('d', '2025-05-16', 65, 'yellow', 'nps'), ('e', '2025-05-16', 90, 'green', null)"
        )
        columns = ", ".join(f"{c.name} {c.data_type}" for c in CALIBRATED_TABLE.columns)
        con.execute(f"create table marts.rpt_health_calibrated ({columns})")
        con.execute(
            "insert into marts.rpt_health_calibrated by name select * from (values "
            "('a', 'red', 'red', 300, 80.5), ('b', 'yellow', 'green', 200, 85.0), "
            "('c', 'yellow', null, 100, 86.0), ('d', 'green', 'red', 400, 90.0), "
            "('e', 'green', 'yellow', 50, 95.0)) as t(account_id, calibrated_band, "
            "calibrated_band_30d_before, mrr_at_stake, calibrated_score), "
            "lateral (select date '2025-06-15' as as_of_date, 'learned' as score_in_use, "
            "82.0 as red_below, 88.0 as yellow_below, 0.1 as calibrated_red_share, "
            "0.2 as calibrated_yellow_share)"
        )
    return path


def test_headlines_name_their_period_and_change(tmp_path: Path) -> None:
    headlines = {
        h.label: (h.value, h.period, h.change, h.note)
        for h in headline_numbers(_serving(tmp_path / "s"))
    }
    assert headlines == {
        "MRR": ("$1,100", "Jun 2025", "+$100 (+10.0 %) vs May 2025", ""),
        "ARR": ("$13,200", "Jun 2025", "+$1,200 (+10.0 %) vs May 2025", ""),
        "ARPA": ("$100 (11 paying accounts)", "Jun 2025", "+$0 (+0.0 %) vs May 2025", ""),
        "NRR": ("105.0 %", "May 2025", "+3.0 pt vs Apr 2025", ""),
        "GRR": ("95.0 %", "May 2025", "-2.0 pt vs Apr 2025", ""),
        "Logo churn": ("10.0 % (1 of 10)", "May 2025", "-2.5 pt vs Apr 2025", ""),
        "NPS": (
            "40 (10 responses)", "Apr\u2013Jun 2025",
            "+107 vs Jan\u2013Mar 2025 (9 responses)", "small sample",
        ),
        "Trial conversion": (
            "35.0 % (14 of 40 trials)", "Mar\u2013May 2025 cohorts",
            "+10.0 pt vs Jan\u2013Feb 2025 (5 of 20)", "",
        ),
        # calibrated: a red; b, c yellow (3 of 5 paying, $300 + $200 + $100 at stake); on
        # May 16, same accounts and bands: a, d red, e yellow -> red -1, yellow +1
        "Accounts at risk": (
            "1 red, 2 yellow (60.0 % of 5 paying accounts; $600 MRR at stake)", "2025-06-15",
            "red -1, yellow +1 vs 2025-05-16 (same accounts, same bands)",
            "HLT-3 calibrated bands, learned score",
        ),
    }  # fmt: skip


def _risk(serving: Path) -> tuple[str, str, str]:
    risk = {h.label: h for h in headline_numbers(serving)}["Accounts at risk"]
    return risk.value, risk.change, risk.note


def test_without_calibrated_rows_the_risk_falls_back_to_hlt1_on_both_days(tmp_path: Path) -> None:
    # fixed bands today: a, b red; c, d yellow (4 of 5, $1,000 at stake); May 16, of the
    # same accounts: b red, d yellow (c was not paying) -> red +1, yellow +1
    fallback = (
        "2 red, 2 yellow (80.0 % of 5 paying accounts; $1,000 MRR at stake)",
        "red +1, yellow +1 vs 2025-05-16 (same accounts, same bands)",
        "HLT-1 fixed bands: calibrated bands not published",
    )
    serving = _serving(tmp_path / "stale")
    with duckdb.connect(str(serving)) as con:  # rows of another day only
        con.execute("update marts.rpt_health_calibrated set as_of_date = '2025-06-14'")
    assert _risk(serving) == fallback
    serving = _serving(tmp_path / "missing")
    with duckdb.connect(str(serving)) as con:
        con.execute("drop table marts.rpt_health_calibrated")
    assert _risk(serving) == fallback
    serving = _serving(tmp_path / "older")  # published before the worklist's columns existed
    with duckdb.connect(str(serving)) as con:
        con.execute("alter table marts.rpt_health_calibrated drop column mrr_at_stake")
    assert _risk(serving) == fallback


def test_no_risk_change_when_no_account_was_scored_30_days_back(tmp_path: Path) -> None:
    serving = _serving(tmp_path / "s", "2025-05-20")
    with duckdb.connect(str(serving)) as con:
        con.execute("update marts.rpt_health_calibrated set calibrated_band_30d_before = null")
    assert _risk(serving)[:2] == (
        "1 red, 2 yellow (60.0 % of 5 paying accounts; $600 MRR at stake)",
        "",
    )
    with duckdb.connect(str(serving)) as con:
        con.execute("drop table marts.rpt_health_calibrated")
        con.execute("delete from marts.fct_account_health_daily where date_day < '2025-05-20'")
    assert _risk(serving)[:2] == (
        "2 red, 2 yellow (80.0 % of 5 paying accounts; $1,000 MRR at stake)",
        "",
    )


def test_no_headlines_before_the_first_publication(tmp_path: Path) -> None:
    assert headline_numbers(tmp_path / "missing.duckdb") == []


def test_periods_name_their_months_with_an_en_dash() -> None:
    assert month_span("2026-09-01", "2026-11-01") == "Sep\u2013Nov 2026"
    assert month_span("2025-12-01", "2026-02-01") == "Dec 2025\u2013Feb 2026"
    assert month_span("2026-11-01", "2026-11-01") == "Nov 2026"


def test_the_nps_change_is_the_difference_of_the_scores_shown():
    months = pd.date_range("2025-01-01", periods=6, freq="MS")
    # Jan..Mar: 60 responses, 19 promoters, 15 detractors -> NPS 6.7 (shown 7);
    # Apr..Jun: 60 responses, 19 promoters, 15 detractors + a 61st passive -> NPS 6.6 (shown 7).
    nps = pd.DataFrame(
        {
            "month": months,
            "responses": [20, 20, 20, 20, 20, 21],
            "promoters": [7, 6, 6, 7, 6, 6],
            "detractors": [5, 5, 5, 5, 5, 5],
        }
    )
    headline = headlines._nps_headline(nps)
    assert headline.value.startswith("7 ")
    assert headline.change.startswith(f"+0 vs {month_span(months[0], months[2])} ")
