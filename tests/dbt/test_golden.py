"""Golden scenario: hand-written landing files -> loader -> `dbt build` -> marts.

Every expected value below was computed by hand from the story in golden/write_landing.py
(as_of = 2025-06-15), never by running the code under test. Amounts in USD.

EUR rates (first day of month): Feb 1.10, Mar 1.10, Apr 1.20 (Apr 15: 1.30, never used),
May 1.20, Jun 1.15. JPY: Mar 0.0066, Apr 0.0068, May 0.0068, Jun 0.0068.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.health import read_config, read_outcomes
from orchestration.health_model import backtest, band_shares
from tests.dbt.conftest import GOLDEN_AS_OF, load_golden, query, run_dbt

pytestmark = pytest.mark.xdist_group("dbt")

JAN, FEB, MAR, APR, MAY, JUN = (date(2025, month, 1) for month in range(1, 7))


def d(value: str) -> Decimal:
    return Decimal(value)


# account, month -> (mrr, movement, fx_impact, churn_type, expansion_type)
EXPECTED_MRR = {
    # 101 Acme: 4 seats x $500/yr = $2,000/yr -> 2000/12 = 166.67 every month of the term
    # (MRR-1); the $200 refund in March changes nothing (MRR-8).
    ("101", JAN): ("166.67", "new", "0.00", None, None),
    ("101", FEB): ("166.67", "unchanged", "0.00", None, None),
    ("101", MAR): ("166.67", "unchanged", "0.00", None, None),
    ("101", APR): ("166.67", "unchanged", "0.00", None, None),
    ("101", MAY): ("166.67", "unchanged", "0.00", None, None),
    ("101", JUN): ("166.67", "unchanged", "0.00", None, None),
    # 102 Beta: 5 x 100; 8 seats from Mar 20 (+300 upsell, proration lines ignored);
    # Analytics +50 from Apr 10 (new product: cross-sell); removed Jun 5 (contraction).
    # The 50% `once` coupon never changes MRR.
    ("102", JAN): ("500.00", "new", "0.00", None, None),
    ("102", FEB): ("500.00", "unchanged", "0.00", None, None),
    ("102", MAR): ("800.00", "expansion", "0.00", None, "upsell"),
    ("102", APR): ("850.00", "expansion", "0.00", None, "cross_sell"),
    ("102", MAY): ("850.00", "unchanged", "0.00", None, None),
    ("102", JUN): ("800.00", "contraction", "0.00", None, None),
    # 103 Gamma: cancel at period end requested Feb 20, ends Mar 5 -> February keeps its 300
    # (MRR-4), March churns; $0 April; new subscription May 12 -> reactivation (not new).
    ("103", JAN): ("300.00", "new", "0.00", None, None),
    ("103", FEB): ("300.00", "unchanged", "0.00", None, None),
    ("103", MAR): ("0.00", "churn", "0.00", "voluntary", None),
    ("103", APR): ("0.00", "unchanged", "0.00", None, None),
    ("103", MAY): ("300.00", "reactivation", "0.00", None, None),
    ("103", JUN): ("300.00", "unchanged", "0.00", None, None),
    # 104 Delta: EUR 1,000 from Feb 1 00:00: Feb/Mar 1,000 x 1.10 = 1,100; Apr 1,000 x 1.20 =
    # 1,200 (+100 fx only: unchanged); May 1,500 x 1.20 = 1,800 (+600 upsell, fx 0);
    # Jun 1,500 x 1.15 = 1,725 (-75 fx only).
    ("104", FEB): ("1100.00", "new", "0.00", None, None),
    ("104", MAR): ("1100.00", "unchanged", "0.00", None, None),
    ("104", APR): ("1200.00", "unchanged", "100.00", None, None),
    ("104", MAY): ("1800.00", "expansion", "0.00", None, "upsell"),
    ("104", JUN): ("1725.00", "unchanged", "-75.00", None, None),
    # 105 Epsilon: JPY 50,000 (zero-decimal): Mar x 0.0066 = 330; Apr past_due still counts,
    # x 0.0068 = 340 (+10 fx); canceled May 25 while past_due -> involuntary churn.
    ("105", MAR): ("330.00", "new", "0.00", None, None),
    ("105", APR): ("340.00", "unchanged", "10.00", None, None),
    ("105", MAY): ("0.00", "churn", "0.00", "involuntary", None),
    ("105", JUN): ("0.00", "unchanged", "0.00", None, None),
    # 106 Zeta: trial Apr 1-15 counts 0, then 200.
    ("106", APR): ("200.00", "new", "0.00", None, None),
    ("106", MAY): ("200.00", "unchanged", "0.00", None, None),
    ("106", JUN): ("200.00", "unchanged", "0.00", None, None),
    # 107 Eta (trial canceled) and 108 Theta (metered + free prices): no MRR, no rows.
    # 109 Iota: 400 with 25% off until Mar 20 -> 300, 300, then 400 (upsell: same product);
    # unpaid from Jun 3 -> involuntary churn.
    ("109", JAN): ("300.00", "new", "0.00", None, None),
    ("109", FEB): ("300.00", "unchanged", "0.00", None, None),
    ("109", MAR): ("400.00", "expansion", "0.00", None, "upsell"),
    ("109", APR): ("400.00", "unchanged", "0.00", None, None),
    ("109", MAY): ("400.00", "unchanged", "0.00", None, None),
    ("109", JUN): ("0.00", "churn", "0.00", "involuntary", None),
    # 110 Kappa: 250 - 50 forever coupon = 200; unpaid invoices do not change MRR.
    ("110", MAR): ("200.00", "new", "0.00", None, None),
    ("110", APR): ("200.00", "unchanged", "0.00", None, None),
    ("110", MAY): ("200.00", "unchanged", "0.00", None, None),
    ("110", JUN): ("200.00", "unchanged", "0.00", None, None),
    # a Stripe customer without a CRM link is its own account
    ("cus_orphan", JUN): ("50.00", "new", "0.00", None, None),
}


def test_fct_mrr_matches_hand_computed_rows(golden_warehouse: Path) -> None:
    rows = query(
        golden_warehouse,
        "select account_id, month, mrr, movement, fx_impact, churn_type, expansion_type "
        "from marts.fct_mrr",
    )
    actual = {(r[0], r[1]): (str(r[2]), r[3], str(r[4]), r[5], r[6]) for r in rows}
    assert len(rows) == len(actual)  # one row per account and month
    assert actual == EXPECTED_MRR


def test_fct_mrr_never_goes_past_as_of(golden_warehouse: Path) -> None:
    assert query(golden_warehouse, "select max(month) from marts.fct_mrr") == [(JUN,)]


# month -> (mrr, new, expansion, contraction, churned, reactivation, fx, customers_start,
#           customers_churned)
EXPECTED_REVENUE = {
    # Jan: 166.67 + 500 + 300 + 300
    JAN: ("1266.67", "1266.67", "0.00", "0.00", "0.00", "0.00", "0.00", 0, 0),
    # Feb: + Delta 1,100
    FEB: ("2366.67", "1100.00", "0.00", "0.00", "0.00", "0.00", "0.00", 4, 0),
    # Mar: + new 330 + 200, + expansion 300 + 100, - churn 300
    MAR: ("2996.67", "530.00", "400.00", "0.00", "300.00", "0.00", "0.00", 5, 1),
    # Apr: + new 200, + cross-sell 50, fx +100 +10
    APR: ("3356.67", "200.00", "50.00", "0.00", "0.00", "0.00", "110.00", 6, 0),
    # May: + reactivation 300, + expansion 600, - churn 340
    MAY: ("3916.67", "0.00", "600.00", "0.00", "340.00", "300.00", "0.00", 7, 1),
    # Jun: + new 50, - contraction 50, - churn 400, fx -75
    JUN: ("3441.67", "50.00", "0.00", "50.00", "400.00", "0.00", "-75.00", 7, 1),
}


def test_fct_revenue_monthly_movements(golden_warehouse: Path) -> None:
    rows = query(
        golden_warehouse,
        "select month, mrr, new_mrr, expansion_mrr, contraction_mrr, churned_mrr, "
        "reactivation_mrr, fx_impact, customers_start, customers_churned "
        "from marts.fct_revenue_monthly order by month",
    )
    actual = {r[0]: tuple(str(v) if isinstance(v, Decimal) else v for v in r[1:]) for r in rows}
    assert actual == EXPECTED_REVENUE


def test_fct_revenue_monthly_rates(golden_warehouse: Path) -> None:
    rows = {
        r[0]: r[1:]
        for r in query(
            golden_warehouse,
            "select month, logo_churn_rate, gross_mrr_churn_rate, net_mrr_churn_rate, grr, nrr, "
            "quick_ratio, arpa, ltv, cross_sell_mrr, upsell_mrr, involuntary_churned_mrr "
            "from marts.fct_revenue_monthly",
        )
    }
    logo, gross, net, grr, nrr, quick, _, ltv, *_ = rows[JAN]
    assert (logo, gross, net, grr, nrr, quick, ltv) == (None,) * 7  # no customers at start
    # March: 1 of 5 churned; (300 + 0) / 2366.67; (300 - 400) / 2366.67; (530 + 400) / 300
    logo, gross, net, grr, nrr, quick, *_ = rows[MAR]
    assert logo == pytest.approx(0.2)
    assert gross == pytest.approx(300 / 2366.67)
    assert net == pytest.approx(-100 / 2366.67)
    assert grr == pytest.approx(1 - 300 / 2366.67)
    assert nrr == pytest.approx(1 + 100 / 2366.67)
    assert quick == pytest.approx(3.1)
    # April: no churn or contraction -> quick ratio null
    assert rows[APR][5] is None
    assert rows[APR][8:10] == (Decimal("50.00"), Decimal("0.00"))  # cross-sell, upsell
    # May: (600 + 300) / 340; involuntary churn 340
    assert rows[MAY][5] == pytest.approx(900 / 340)
    assert rows[MAY][10] == Decimal("340.00")
    # June (current month): ARPA = 3441.67 / 7 paying; LTV uses the mean logo churn of
    # Jan..May (Jan has none): (0 + 0.2 + 0 + 1/7) / 4; LTV = ARPA x 0.8 / that
    arpa = 3441.67 / 7
    mean_churn = (0 + 0.2 + 0 + 1 / 7) / 4
    assert rows[JUN][6] == pytest.approx(arpa)
    assert rows[JUN][7] == pytest.approx(arpa * 0.8 / mean_churn)
    assert rows[JUN][7] == pytest.approx(4588.89, abs=0.01)


def test_fct_revenue_monthly_renewal_rates(golden_warehouse: Path) -> None:
    rows = {
        r[0]: r[1:]
        for r in query(
            golden_warehouse,
            "select month, renewals_due, renewals_renewed, logo_renewal_rate, "
            "dollar_renewal_rate from marts.fct_revenue_monthly",
        )
    }
    assert rows[FEB][:3] == (3, 3, 1.0)  # Beta Feb 15, Gamma Feb 5, Iota Feb 20
    # March: Beta 500, Gamma 300 (ended: not renewed), Delta 1,100, Iota 300
    assert rows[MAR][:3] == (4, 3, 0.75)
    assert rows[MAR][3] == pytest.approx(1900 / 2200)
    assert rows[APR][:3] == (5, 5, 1.0)
    assert rows[MAY][:3] == (6, 6, 1.0)
    assert rows[JUN][:3] == (2, 2, 1.0)  # Delta and Kappa Jun 1; three still pending


def test_fct_renewals(golden_warehouse: Path) -> None:
    rows = query(
        golden_warehouse,
        "select subscription_id, cast(term_end_at as varchar), renewal_status, mrr_due, "
        "renewed_mrr from marts.fct_renewals",
    )
    actual = {(r[0], r[1]): (r[2], str(r[3]), None if r[4] is None else str(r[4])) for r in rows}
    assert actual == {
        ("sub_B", "2025-02-15 12:00:00"): ("renewed", "500.00", "500.00"),
        ("sub_B", "2025-03-15 12:00:00"): ("renewed", "500.00", "500.00"),  # 800 capped
        ("sub_B", "2025-04-15 12:00:00"): ("renewed", "850.00", "850.00"),
        ("sub_B", "2025-05-15 12:00:00"): ("renewed", "850.00", "850.00"),
        ("sub_B", "2025-06-15 12:00:00"): ("pending", "800.00", None),
        ("sub_C1", "2025-02-05 08:00:00"): ("renewed", "300.00", "300.00"),
        ("sub_C1", "2025-03-05 08:00:00"): ("not_renewed", "300.00", "0.00"),
        ("sub_C2", "2025-06-12 10:00:00"): ("pending", "300.00", None),
        ("sub_D", "2025-03-01 00:00:00"): ("renewed", "1100.00", "1100.00"),  # EUR 1,000 x 1.10
        ("sub_D", "2025-04-01 00:00:00"): ("renewed", "1200.00", "1200.00"),
        ("sub_D", "2025-05-01 00:00:00"): ("renewed", "1200.00", "1200.00"),  # 1,800 capped
        ("sub_D", "2025-06-01 00:00:00"): ("renewed", "1725.00", "1725.00"),
        ("sub_E", "2025-04-03 00:00:00"): ("renewed", "340.00", "340.00"),
        ("sub_E", "2025-05-03 00:00:00"): ("renewed", "340.00", "340.00"),  # past_due counts
        ("sub_F", "2025-05-15 00:00:00"): ("renewed", "200.00", "200.00"),
        ("sub_F", "2025-06-15 00:00:00"): ("pending", "200.00", None),
        ("sub_I", "2025-02-20 00:00:00"): ("renewed", "300.00", "300.00"),
        ("sub_I", "2025-03-20 00:00:00"): ("renewed", "300.00", "300.00"),  # 400 capped
        ("sub_I", "2025-04-20 00:00:00"): ("renewed", "400.00", "400.00"),
        ("sub_I", "2025-05-20 00:00:00"): ("renewed", "400.00", "400.00"),
        ("sub_K", "2025-04-01 00:00:00"): ("renewed", "200.00", "200.00"),
        ("sub_K", "2025-05-01 00:00:00"): ("renewed", "200.00", "200.00"),
        ("sub_K", "2025-06-01 00:00:00"): ("renewed", "200.00", "200.00"),
    }


def test_dim_accounts(golden_warehouse: Path) -> None:
    rows = {
        r[0]: r[1:]
        for r in query(
            golden_warehouse,
            "select account_id, account_name, segment, first_paid_month, is_paying, "
            "current_mrr, stripe_customer_ids from marts.dim_accounts",
        )
    }
    assert set(rows) == {str(n) for n in range(101, 111)} | {"cus_orphan"}
    # the rename has the latest updatedAt (epoch ms) and wins over an older copy loaded later
    assert rows["101"] == ("Acme Corp", "enterprise", JAN, True, Decimal("166.67"), "cus_A")
    assert rows["105"][2:5] == (MAR, False, Decimal("0.00"))
    assert rows["107"][2:5] == (None, False, Decimal("0.00"))  # trial never paid
    assert rows["108"][2:5] == (None, False, Decimal("0.00"))  # metered + free only
    assert rows["cus_orphan"] == (None, None, JUN, True, Decimal("50.00"), "cus_orphan")


def test_fct_delinquency_daily(golden_warehouse: Path) -> None:
    per_account = query(
        golden_warehouse,
        "select account_id, min(date_day), max(date_day), count(*) "
        "from marts.fct_delinquency_daily group by 1 order by 1",
    )
    # Epsilon: April invoice finalized Apr 3 (auto-charge: due that day), open until it was
    # written off May 25 -> delinquent Apr 4..May 24 = 27 + 24 days.
    # Kappa: April invoice due May 1 -> from May 2 to as_of = 30 + 15 days.
    assert per_account == [
        ("105", date(2025, 4, 4), date(2025, 5, 24), 51),
        ("110", date(2025, 5, 2), date(2025, 6, 15), 45),
    ]
    rows = {
        (r[0], r[1]): r[2:]
        for r in query(
            golden_warehouse,
            "select account_id, date_day, overdue_invoices, amount_overdue, days_past_due, "
            "aging_bucket from marts.fct_delinquency_daily",
        )
    }
    assert rows[("105", date(2025, 4, 4))] == (1, Decimal("340.00"), 1, "1-30")  # 50,000 x .0068
    assert rows[("110", date(2025, 5, 31))] == (1, Decimal("200.00"), 30, "1-30")
    # Jun 15: April (due May 1, 45 days) and May (due May 31, 15 days) invoices of 200
    assert rows[("110", date(2025, 6, 15))] == (2, Decimal("400.00"), 45, "31-60")


def test_fct_trial_conversion(golden_warehouse: Path) -> None:
    rows = query(
        golden_warehouse,
        "select cohort_month, trials, converted, conversion_rate, longest_trial_days, "
        "is_complete from marts.fct_trial_conversion order by 1",
    )
    # April: Zeta paid $200 on Apr 15 (trial end) -> converted; complete since Apr 30 + 14
    # + 30 = Jun 13 <= Jun 15. May: Eta canceled at trial end (a $0 invoice only).
    assert rows == [(APR, 1, 1, 1.0, 14, True), (MAY, 1, 0, 0.0, 14, False)]


def test_nps_and_csat(golden_warehouse: Path) -> None:
    nps = {
        (r[0], r[1]): r[2:]
        for r in query(
            golden_warehouse,
            "select month, segment, responses, promoters, passives, detractors, nps "
            "from marts.fct_nps_monthly where responses > 0",
        )
    }
    # May: 10, 9 (epoch-ms timestamp), 7, 3 -> 100 x (2 - 1) / 4 = 25
    assert nps[(MAY, "all")] == (4, 2, 1, 1, 25.0)
    assert nps[(MAY, "enterprise")] == (2, 1, 0, 1, 0.0)  # Acme's 10 and 3
    # June: 6 and n6, corrected from 8 to 9 by a later updatedAt -> (1 - 1) / 2 = 0
    assert nps[(JUN, "all")] == (2, 1, 0, 1, 0.0)
    csat = {
        (r[0], r[1]): r[2:]
        for r in query(
            golden_warehouse,
            "select month, segment, ratings, satisfied, csat from marts.fct_csat_monthly "
            "where ratings > 0",
        )
    }
    assert csat[(MAY, "all")][:2] == (3, 2)  # 5, 4, 2 (the CES answer is not CSAT)
    assert csat[(MAY, "all")][2] == pytest.approx(200 / 3)
    assert csat[(JUN, "all")] == (1, 0, 0.0)


def test_engagement(golden_warehouse: Path) -> None:
    rows = {
        (r[0], r[1]): r[2:]
        for r in query(
            golden_warehouse,
            "select account_id, date_day, dau, wau, mau, events, licensed_seats, "
            "seat_utilisation from marts.fct_engagement_daily",
        )
    }
    # Jun 2: u1 (account from its group call) and u2 (context.groupId); e2's duplicate
    # delivered on Jun 3 is dropped -> 2 events
    assert rows[("101", date(2025, 6, 2))][:4] == (2, 2, 2, 2)
    assert rows[("101", date(2025, 6, 6))][0] == 0  # a Heartbeat does not qualify
    assert rows[("101", date(2025, 6, 10))][0] == 1  # the late event, in its own day
    assert rows[("101", date(2025, 6, 12))][0] == 0  # a page call is not a track call
    # Jun 15: WAU (Jun 9-15) = u1; MAU = u1, u2; 4 seats (the annual plan's quantity)
    assert rows[("101", date(2025, 6, 15))] == (0, 1, 2, 0, 4, 0.5)
    # Beta: u3 on Jun 5 and Jun 14; 8 seats (the Analytics add-on is not per seat)
    assert rows[("102", date(2025, 6, 15))] == (0, 1, 1, 0, 8, 0.125)
    adoption = query(
        golden_warehouse,
        "select feature_name, month, active_accounts, adopting_accounts, adoption_rate "
        "from marts.fct_feature_adoption order by 1",
    )
    assert adoption == [("dashboards", JUN, 2, 1, 0.5), ("reports", JUN, 2, 1, 0.5)]


def test_account_health(golden_warehouse: Path) -> None:
    rows = {
        r[0]: r[1:]
        for r in query(
            golden_warehouse,
            "select account_id, health_score, health_band, top_risk_reason "
            "from marts.fct_account_health_daily where date_day = '2025-06-15'",
        )
    }
    # Acme: engagement 100 (.25; MAU grew from 0), seats 2/4 = .5 -> 50 (.15), NPS of the
    # last 180 days (10, 3, 6 -> -33.3) -> 33.33 (.15), support 100 (.15), billing 100 (.2),
    # touch 14 days -> 100 (.1): 25 + 7.5 + 5 + 15 + 20 + 10 = 82.5; worst shortfall NPS.
    assert rows["101"] == (Decimal("82.50"), "green", "nps")
    # Beta: 25 + 0 (1/8 seats) + 15 (NPS 100) + 7.5 (CSAT 4, 3) + 20 + 0 (106 days) = 67.5
    assert rows["102"] == (Decimal("67.50"), "yellow", "seat_utilisation")
    # Kappa: billing 100 - 100 x 45/60 = 25 (.2), support 100 - 2 x 10 = 80 (.15), nothing
    # else: (5 + 12) / .35 = 48.57
    assert rows["110"] == (Decimal("48.57"), "yellow", "billing")
    backtest = dict(query(golden_warehouse, "select month, auc from marts.fct_health_backtest"))
    # Feb 1: Acme 57.14 (NPS 0 from a Nov response, billing 100), Beta, Gamma, Delta, Iota
    # 100 (billing only). Churner Gamma (March) ties three and beats Acme: 1.5 / 4.
    assert backtest[FEB] == pytest.approx(0.375)
    at_risk = query(
        golden_warehouse,
        "select account_id, health_band, mrr_at_stake, next_renewal_date, days_past_due "
        "from marts.rpt_at_risk_accounts order by account_id",
    )
    assert at_risk == [
        ("102", "yellow", Decimal("800.00"), date(2025, 7, 15), 0),
        ("103", "yellow", Decimal("300.00"), date(2025, 7, 12), 0),
        ("110", "yellow", Decimal("200.00"), date(2025, 7, 1), 45),
    ]


def test_learned_backtest_reports_hlt2_auc_as_its_configured_auc(golden_warehouse: Path) -> None:
    """HLT-3's backtest (Python, on fct_account_health_outcomes) recomputes the configured
    score's AUC; it must be HLT-2's (SQL) month by month, ties included."""
    con = duckdb.connect(str(golden_warehouse), read_only=True)
    try:
        shares = band_shares(read_config(con))
        outcomes = read_outcomes(con)
        hlt2 = dict(con.execute("select month, auc from marts.fct_health_backtest").fetchall())
    finally:
        con.close()
    months = backtest(outcomes, shares, date.fromisoformat(GOLDEN_AS_OF)).months
    configured = dict(zip(months["month"], months["configured_auc"], strict=True))
    assert set(configured) == set(hlt2)
    # Feb 1 (test_account_health): churner Gamma ties three accounts at 100 -> 1.5 / 4
    assert configured[FEB] == pytest.approx(0.375)
    for month, auc in hlt2.items():
        if auc is None:
            assert math.isnan(configured[month]), month
        else:
            assert configured[month] == pytest.approx(auc, abs=1e-12), month


def test_cohorts(golden_warehouse: Path) -> None:
    ltv = {
        (r[0], r[1]): r[2:]
        for r in query(
            golden_warehouse,
            "select cohort_month, months_since_start, cohort_accounts, cumulative_net_revenue, "
            "realised_ltv from marts.fct_ltv_cohorts",
        )
    }
    # January cohort (Acme, Beta, Gamma, Iota): Acme's $2,000 in January; in March Beta's
    # $87.10 proration invoice and Acme's $200 refund -> 1,887.10 / 4 = 471.775
    assert ltv[(JAN, 0)] == (4, Decimal("2000.00"), Decimal("500.00"))
    assert ltv[(JAN, 2)] == (4, Decimal("1887.10"), Decimal("471.78"))
    retention = {
        (r[0], r[1]): r[2:]
        for r in query(
            golden_warehouse,
            "select cohort_month, months_since_start, retained_accounts, logo_retention_rate, "
            "mrr from marts.fct_retention_cohorts",
        )
    }
    # March: Gamma churned; 166.67 + 800 + 0 + 400
    assert retention[(JAN, 2)] == (3, 0.75, Decimal("1366.67"))


def test_no_personal_data_in_marts(golden_warehouse: Path) -> None:
    columns = query(
        golden_warehouse,
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts'",
    )
    forbidden = ("email", "firstname", "lastname", "first_name", "last_name", "phone")
    assert not [c for c in columns if any(word in c[1].lower() for word in forbidden)]
    text_columns = query(
        golden_warehouse,
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and data_type = 'VARCHAR'",
    )
    for table, column in text_columns:
        leaks = query(
            golden_warehouse,
            f'select "{column}" from marts."{table}" '
            f"where regexp_matches(\"{column}\", '[^@ ]+@[^@ ]+[.][a-z]+') "
            f"or \"{column}\" like '%Person%' or \"{column}\" like 'Billing cus_%'",
        )
        assert not leaks, (table, column, leaks)


def test_month_end_as_of_builds_without_next_month_rows(tmp_path: Path) -> None:
    """REN-1 / MRR-3 on a month's last day: sub_D and sub_K bill on the 1st, so their next
    term ends at as_of + 1 day 00:00 (Jun 1). That term is not due yet: every data test
    (not_after_as_of included) passes and no mart has a row for June."""
    warehouse = tmp_path / "warehouse.duckdb"
    load_golden(warehouse)
    build = ["build", "--exclude", "test_type:unit"]
    run_dbt(build, warehouse=warehouse, as_of="2025-05-31", work_dir=tmp_path).check()
    terms = query(
        warehouse,
        "select subscription_id, max(term_end_at) from marts.fct_renewals "
        "where subscription_id in ('sub_D', 'sub_K') group by 1 order by 1",
    )
    assert [(s, str(end)) for s, end in terms] == [
        ("sub_D", "2025-05-01 00:00:00"),
        ("sub_K", "2025-05-01 00:00:00"),
    ]
    last_months = query(
        warehouse,
        "select (select max(month) from marts.fct_mrr), "
        "(select max(month) from marts.fct_revenue_monthly), "
        "(select max(term_end_month) from marts.fct_renewals)",
    )
    assert last_months == [(MAY, MAY, MAY)]
