"""Headline figures read from a hand-made serving file: each with its period and its change from
the previous period (values computed by hand in the comments)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.headlines import headline_numbers, month_span


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
        con.execute(
            "create table marts.rpt_at_risk_accounts (account_id varchar, health_band varchar, "
            "mrr_at_stake decimal(18, 2), as_of_date date)"
        )
        con.execute(
            "insert into marts.rpt_at_risk_accounts values ('a', 'red', 300, '2025-06-15'), "
            "('b', 'yellow', 200, '2025-06-15'), ('c', 'yellow', 100, '2025-06-15')"
        )
        con.execute(
            "create table marts.fct_account_health_daily (account_id varchar, date_day date, "
            "health_band varchar)"
        )
        # 30 days before as_of (May 16): 2 red, 1 yellow
        con.execute(
            "insert into marts.fct_account_health_daily values "
            f"('a', '{health_since}', 'green'), ('a', '2025-05-16', 'red'), "
            "('b', '2025-05-16', 'red'), ('c', '2025-05-16', 'yellow'), "
            "('d', '2025-05-16', 'green')"
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
        "Accounts at risk": (
            "1 red, 2 yellow ($600 MRR at stake)", "2025-06-15",
            "red -1, yellow +1 vs 2025-05-16", "",
        ),
    }  # fmt: skip


def test_no_risk_change_before_health_was_scored_30_days_back(tmp_path: Path) -> None:
    # health scores start on 2025-05-20, after 2025-05-16: no band counts to compare with
    serving = _serving(tmp_path / "s", "2025-05-20")
    with duckdb.connect(str(serving)) as con:
        con.execute("delete from marts.fct_account_health_daily where date_day < '2025-05-20'")
    headlines = {h.label: h for h in headline_numbers(serving)}
    assert headlines["Accounts at risk"].value == "1 red, 2 yellow ($600 MRR at stake)"
    assert headlines["Accounts at risk"].change == ""


def test_no_headlines_before_the_first_publication(tmp_path: Path) -> None:
    assert headline_numbers(tmp_path / "missing.duckdb") == []


def test_periods_name_their_months_with_an_en_dash() -> None:
    assert month_span("2026-09-01", "2026-11-01") == "Sep\u2013Nov 2026"
    assert month_span("2025-12-01", "2026-02-01") == "Dec 2025\u2013Feb 2026"
    assert month_span("2026-11-01", "2026-11-01") == "Nov 2026"
