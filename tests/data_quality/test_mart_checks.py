"""Mart checks on small marts created directly in a scratch DuckDB (no dbt needed)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from dq_data import (
    MAY_1,
    create_clean_marts,
    write_clean_landing,
)

from data_quality.gate import run_mart_checks
from data_quality.mart_suites import MART_SUITES, MART_SUITES_BY_MODEL
from orchestration.ingest.loader import load_landing
from orchestration.sources import ALL_TARGETS

MAY_20 = MAY_1 + 19 * 86400
JUNE_20 = MAY_20 + 31 * 86400
APRIL_1_2026 = 1775001600


def failing(outcomes: dict) -> dict[str, int]:
    return {name: o.unexpected_count for name, o in outcomes.items() if not o.passed}


@pytest.fixture
def marts(landing, con):
    write_clean_landing(landing)
    load_landing(con, landing.root, ALL_TARGETS)
    create_clean_marts(con)
    return con


def test_clean_marts_pass_every_check(marts, config):
    for suite in MART_SUITES:
        outcomes = run_mart_checks(marts, suite, config)
        assert failing(outcomes) == {}, suite.model
        assert all(o.skipped is None for o in outcomes.values()), suite.model


CASES = [
    (
        "product events of an account the warehouse does not know, and of none",
        "insert into intermediate.int_segment_events_attributed values "
        "('m4', 'acct_x', '2025-06-10'), ('m5', 'acct_x', '2025-06-10'), "
        "('m6', null, '2025-06-10')",
        "fct_engagement_daily",
        # two unknown accounts: acct_x (2 events) and events with no account at all
        {"events_have_known_accounts": 2},
    ),
    (
        # (the duplicate key itself is dbt's test: unique_combination_of_columns)
        "duplicate account-month",
        "insert into marts.fct_mrr values ('acct_1', '2025-06-01', 100, 100, 0, 'unchanged')",
        "fct_mrr",
        # one row more than the spine, June total doubled
        {"row_count_matches_spine": 1, "total_mrr_change_within_band": 1},
    ),
    (
        "negative MRR",
        "update marts.fct_mrr set previous_mrr = -5 where account_id = 'acct_2' "
        "and month = '2025-05-01'",
        "fct_mrr",
        {"ranges": 1},
    ),
    (
        "missing $0 month after churn",
        "delete from marts.fct_mrr where account_id = 'acct_2' and month = '2025-06-01'",
        "fct_mrr",
        {"row_count_matches_spine": 1},
    ),
    (
        "total MRR jumps tenfold",
        "update marts.fct_mrr set mrr = 1000 where account_id = 'acct_1' and month = '2025-06-01'",
        "fct_mrr",
        {"total_mrr_change_within_band": 1},
    ),
    (
        "rates above 1 (NRR may exceed 1, GRR may not)",
        "update marts.fct_revenue_monthly set grr = 1.2, logo_churn_rate = -0.1, nrr = 1.5 "
        "where month = '2025-05-01'",
        "fct_revenue_monthly",
        {"ranges": 2},
    ),
    (
        "NPS outside -100..100",
        "update marts.fct_nps_monthly set nps = 150 where segment = 'smb'",
        "fct_nps_monthly",
        {"ranges": 2},
    ),
    (
        "CSAT below 0",
        "update marts.fct_csat_monthly set csat = -1 where csat = 0",
        "fct_csat_monthly",
        {"ranges": 1},
    ),
    (
        "stickiness above 1",
        "update marts.fct_engagement_daily set stickiness = 1.5 where stickiness = 1",
        "fct_engagement_daily",
        {"ranges": 1},
    ),
    (
        # (the null key is dbt's not_null test)
        "health score above 100 and a null key",
        "insert into marts.fct_account_health_daily values ('acct_3', '2025-06-10', 101), "
        "(null, '2025-06-10', 50)",
        "fct_account_health_daily",
        {"ranges": 1},
    ),
]


@pytest.mark.parametrize(
    ("sql", "model", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_mart_violation_fails_its_named_check(marts, config, sql, model, expected):
    marts.execute(sql)
    outcomes = run_mart_checks(marts, MART_SUITES_BY_MODEL[model], config)
    assert failing(outcomes) == expected
    for name in expected:
        assert outcomes[name].samples


def test_a_mart_not_built_yet_is_skipped_not_failed(con, config):
    outcomes = run_mart_checks(con, MART_SUITES_BY_MODEL["fct_csat_monthly"], config)
    assert {o.skipped for o in outcomes.values()} == {"table marts.fct_csat_monthly not built yet"}


def test_a_missing_mart_column_fails_naming_it(marts, config):
    marts.execute("alter table marts.fct_csat_monthly drop column csat")
    outcome = run_mart_checks(marts, MART_SUITES_BY_MODEL["fct_csat_monthly"], config)["ranges"]
    assert not outcome.passed
    assert outcome.rules[0].error == "column csat missing from marts.fct_csat_monthly"


def test_mrr_band_is_configurable(marts, config):
    marts.execute("update marts.fct_mrr set mrr = 140 where month = '2025-06-01' and mrr = 100")
    suite = MART_SUITES_BY_MODEL["fct_mrr"]
    # June total 140 vs May 110: +27%
    assert "total_mrr_change_within_band" in failing(run_mart_checks(marts, suite, config))
    wide = replace(config, mrr_band=0.3)
    assert "total_mrr_change_within_band" not in failing(run_mart_checks(marts, suite, wide))


def test_unknown_account_events_are_counted_with_examples(marts, config):
    marts.execute(
        "insert into intermediate.int_segment_events_attributed values "
        "('m4', 'acct_x', '2025-06-10'), ('m5', 'acct_x', '2025-06-10')"
    )
    outcome = run_mart_checks(marts, MART_SUITES_BY_MODEL["fct_engagement_daily"], config)[
        "events_have_known_accounts"
    ]
    assert not outcome.passed and not outcome.blocking
    assert outcome.report.startswith("2 events of 1 unknown account(s)")
    assert any("account_id=acct_x, events=2" in sample for sample in outcome.samples)


def test_a_large_first_sale_on_a_small_base_is_not_an_mrr_anomaly(marts, config):
    suite = MART_SUITES_BY_MODEL["fct_mrr"]
    # June: a new customer worth 100 on May's base of 110 (+91 % in total) is growth...
    marts.execute("insert into marts.fct_mrr values ('acct_3', '2025-06-01', 100, 0, 100, 'new')")
    assert "total_mrr_change_within_band" not in failing(run_mart_checks(marts, suite, config))
    # ...the same 100 added to an account that paid in May is an anomaly worth a look.
    marts.execute("delete from marts.fct_mrr where account_id = 'acct_3'")
    marts.execute(
        "update marts.fct_mrr set mrr = 200 where account_id = 'acct_1' and month = '2025-06-01'"
    )
    assert "total_mrr_change_within_band" in failing(run_mart_checks(marts, suite, config))
