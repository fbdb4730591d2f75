"""Headline figures read from a hand-made serving file, each with its period."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.headlines import headline_numbers


def _serving(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_revenue_monthly (month date, is_complete_month boolean, "
            "mrr decimal(18, 2), arr decimal(18, 2), nrr double, logo_churn_rate double, "
            "customers_churned integer, customers_start integer)"
        )
        con.execute(
            "insert into marts.fct_revenue_monthly values "
            "('2025-05-01', true, 1000, 12000, 1.05, 0.1, 1, 10), "
            "('2025-06-01', false, 1100, 13200, null, null, 0, 11)"
        )
        con.execute(
            "create table marts.fct_nps_monthly (month date, segment varchar, responses integer, "
            "promoters integer, passives integer, detractors integer)"
        )
        # Mar..Jun, all segments: the last three months hold 10 responses, 6 promoters and
        # 2 detractors -> NPS 40; March (not in the window) and the smb split are left out.
        con.execute(
            "insert into marts.fct_nps_monthly values "
            "('2025-03-01', 'all', 5, 0, 0, 5), ('2025-04-01', 'all', 4, 2, 1, 1), "
            "('2025-05-01', 'all', 0, 0, 0, 0), ('2025-06-01', 'all', 6, 4, 1, 1), "
            "('2025-06-01', 'smb', 6, 4, 1, 1)"
        )
        con.execute(
            "create table marts.rpt_at_risk_accounts (account_id varchar, health_band varchar, "
            "mrr_at_stake decimal(18, 2), as_of_date date)"
        )
        con.execute(
            "insert into marts.rpt_at_risk_accounts values ('a', 'red', 300, '2025-06-15'), "
            "('b', 'yellow', 200, '2025-06-15'), ('c', 'yellow', 100, '2025-06-15')"
        )
    return path


def test_headlines_name_their_period(tmp_path: Path) -> None:
    headlines = {h.label: (h.value, h.period) for h in headline_numbers(_serving(tmp_path / "s"))}
    assert headlines == {
        "MRR": ("$1,100 (ARR $13,200)", "Jun 2025"),
        "NRR": ("105.0 %", "May 2025"),
        "Logo churn": ("10.0 % (1 of 10)", "May 2025"),
        "NPS": ("40 (10 responses)", "Apr-Jun 2025"),
        "Accounts at risk": ("1 red, 2 yellow ($600 MRR at stake)", "2025-06-15"),
    }


def test_no_headlines_before_the_first_publication(tmp_path: Path) -> None:
    assert headline_numbers(tmp_path / "missing.duckdb") == []
