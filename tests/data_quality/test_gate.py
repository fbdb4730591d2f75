"""The whole gate on clean data, its Data Docs, and the Dagster asset checks around it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from dagster import AssetCheckSeverity, AssetKey, asset, materialize
from dagster_duckdb import DuckDBResource
from dq_data import AS_OF, DAY, create_clean_marts, feedback, write_clean_landing
from site_links import dead_links

from data_quality import runner
from data_quality.frames import Days
from data_quality.gate import run_mart_checks, run_raw_checks_of
from data_quality.mart_suites import MART_SUITES
from data_quality.runner import CheckOutcome, RuleOutcome, build_docs_index
from orchestration.ingest.assets import build_ingestion_asset
from orchestration.ingest.loader import load_landing
from orchestration.quality import (
    build_quality_checks,
    check_result,
    raw_quality_checks,
)
from orchestration.resources import LandingResource
from orchestration.run_config import RunConfig
from orchestration.settings import Settings
from orchestration.sources import ALL_TARGETS, TARGETS_BY_KEY
from orchestration.window import IngestWindow
from tests.browser import render


def test_clean_run_passes_every_check_and_builds_data_docs(landing, con, config, monkeypatch):
    write_clean_landing(landing)
    load_landing(con, landing.root, ALL_TARGETS)
    create_clean_marts(con)
    docs_builds = []
    build_docs = runner.build_docs
    monkeypatch.setattr(
        runner, "build_docs", lambda *a, **k: docs_builds.append(1) or build_docs(*a, **k)
    )
    days = Days(date(2025, 5, 1), AS_OF)
    by_object = run_raw_checks_of(con, dict.fromkeys(ALL_TARGETS, days), config, landing.root)
    # Every raw object in one validation pass: GX builds their Data Docs pages once.
    assert len(docs_builds) == 1
    outcomes: dict[str, CheckOutcome] = {
        f"{target.spec.table}:{name}": outcome
        for target in ALL_TARGETS
        for name, outcome in by_object[target.spec.key].items()
    }
    for suite in MART_SUITES:
        for name, outcome in run_mart_checks(con, suite, config).items():
            outcomes[f"{suite.name}:{name}"] = outcome
    assert {
        k: o.skipped or o.failed_expectations for k, o in outcomes.items() if not o.passed
    } == {}
    assert len(outcomes) > 60

    # A clean run's checks build only their own pages; the index is built once, after them.
    assert not (config.docs_dir / "index.html").exists()
    index = build_docs_index(config)
    html = index.read_text()
    for suite in ("raw_stripe.invoices", "raw_segment.events", "marts.fct_mrr"):
        assert suite in html
    for key, outcome in outcomes.items():
        assert outcome.docs_index == index.as_uri(), key
        assert outcome.docs_urls, key
        page = Path(outcome.docs_urls[0].removeprefix("file://").replace("%20", " "))
        assert page.is_file(), key
    page = Path(outcomes["raw_stripe.invoices:value_sets"].docs_urls[0][7:].replace("%20", " "))
    assert (
        "expect_column_values_to_be_in_set" in page.read_text()
        or "values must belong" in page.read_text()
    )

    # Every link of the site (suite pages, validation pages, assets) leads to a file.
    assert dead_links(config.docs_dir) == {}

    # The site opens in a browser on a machine without internet: no script errors.
    for opened in (index, page):
        dom, console = render(opened)
        assert console == [], opened
        assert "raw_stripe.invoices" in dom


def _outcome(check: str, passed: bool) -> CheckOutcome:
    rule = RuleOutcome("suite", check, "expect_x(c)", passed, 10, 0 if passed else 2, ["c=bad"])
    return CheckOutcome(check, rules=[rule], docs_index="file:///docs/index.html", batches=1)


def test_a_failure_is_described_by_its_failing_expectations_with_their_own_counts():
    # freshness: one row, two rules; the null newest delivery is 1 of 1, not "50 %" of the
    # two values the check looked at.
    rules = [
        RuleOutcome("f", "freshness", "expect_not_null(newest_delivery)", False, 1, 1),
        RuleOutcome("f", "freshness", "expect_between(hours_behind_as_of)", True, 1, 0),
    ]
    result = check_result(CheckOutcome("freshness", rules=rules), AssetKey(["raw_x", "y"]))
    assert result.description == "expect_not_null(newest_delivery): 1 of 1 unexpected (100%)"
    assert result.metadata["unexpected_percent"].value == 50.0  # of the values checked


def test_errors_are_errors_anomalies_are_warnings_and_skips_never_block():
    key = AssetKey(["raw_segment", "events"])
    error = check_result(_outcome("value_sets", False), key)
    assert (error.passed, error.severity) == (False, AssetCheckSeverity.ERROR)
    assert error.metadata["unexpected_count"].value == 2
    assert error.metadata["unexpected_percent"].value == 20.0
    assert error.metadata["sample_bad_values"].value == ["expect_x(c): c=bad"]
    assert error.metadata["data_docs_index"].value == "file:///docs/index.html"
    warning = check_result(_outcome("volume", False), key)
    assert (warning.passed, warning.severity) == (False, AssetCheckSeverity.WARN)
    skipped = check_result(CheckOutcome("ranges", skipped="table x not built yet"), key)
    assert (skipped.passed, skipped.severity) == (False, AssetCheckSeverity.WARN)
    assert skipped.description == "skipped: table x not built yet"


def test_every_asset_check_is_declared_with_its_blocking_flag():
    specs = {
        (spec.asset_key.to_user_string(), spec.name): spec
        for checks in build_quality_checks()
        for spec in checks.check_specs
    }
    assert specs[("raw_hubspot/feedback_submissions", "ranges")].blocking
    assert specs[("raw_stripe/invoices", "required_fields")].blocking
    assert not specs[("raw_stripe/invoices", "known_currencies")].blocking
    assert not specs[("raw_hubspot/companies", "freshness")].blocking
    assert not specs[("raw_segment/events", "volume")].blocking
    assert not specs[("marts/fct_engagement_daily", "events_have_known_accounts")].blocking
    assert not specs[("marts/fct_mrr", "total_mrr_change_within_band")].blocking
    assert specs[("marts/fct_mrr", "row_count_matches_spine")].blocking
    assert {k[0] for k in specs} >= {f"{t.spec.schema}/{t.spec.object}" for t in ALL_TARGETS}


def test_warnings_can_be_promoted_to_errors_per_asset():
    settings = Settings.from_env({"CS_DQ_ERRORS": "hubspot/companies:freshness, volume"})
    config = settings.quality(AS_OF)
    specs = {
        (spec.asset_key.to_user_string(), spec.name): spec.blocking
        for checks in build_quality_checks(declared=config)
        for spec in checks.check_specs
    }
    assert specs[("raw_hubspot/companies", "freshness")]
    assert not specs[("raw_hubspot/tickets", "freshness")]
    assert specs[("raw_segment/events", "volume")]
    stale = _outcome("freshness", False)
    companies = AssetKey(["raw_hubspot", "companies"])
    tickets = AssetKey(["raw_hubspot", "tickets"])
    assert check_result(stale, companies, config).severity == AssetCheckSeverity.ERROR
    assert check_result(stale, tickets, config).severity == AssetCheckSeverity.WARN


def test_an_unknown_promoted_check_is_named_in_the_error():
    with pytest.raises(ValueError, match="hubspot/companies:fresh names no check"):
        Settings.from_env({"CS_DQ_ERRORS": "hubspot/companies:fresh"})


@pytest.mark.parametrize(("nps", "blocked"), [("9", False), ("11", True)])
def test_blocking_check_failure_stops_the_downstream_asset(tmp_path, landing, config, nps, blocked):
    write_clean_landing(landing)
    landing.write("hubspot/feedback_submissions", DAY, [feedback("1", "NPS", nps)])
    target = TARGETS_BY_KEY["hubspot/feedback_submissions"]
    raw = build_ingestion_asset(target, "hubspot", ALL_TARGETS)
    ran: list[bool] = []

    @asset(deps=[raw.key])
    def nps_report() -> None:
        ran.append(True)

    result = materialize(
        [raw, raw_quality_checks([target]), nps_report],
        resources={
            "warehouse": DuckDBResource(database=str(tmp_path / "warehouse.duckdb")),
            "landing": LandingResource(landing_dir=str(landing.root)),
            "ingest_window": IngestWindow(start=DAY, end=DAY),
            "run_config": RunConfig.from_env(
                {
                    "CS_AS_OF": AS_OF.isoformat(),
                    "CS_DQ_DOCS_DIR": str(config.docs_dir),
                    "CS_DQ_STORE_DIR": str(config.store_dir),
                }
            ),
        },
        raise_on_error=False,
    )
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert evaluations["ranges"].passed is not blocked
    assert ran == ([] if blocked else [True])
    assert result.success is not blocked
    if blocked:
        metadata = evaluations["ranges"].metadata
        assert metadata["unexpected_count"].value == 1
        assert metadata["sample_bad_values"].value == [
            "expect_column_values_to_be_between(nps_score): nps_score=11.0, record_id=1"
        ]
        assert metadata["suites"].value == "raw_hubspot.feedback_submissions"
        assert metadata["data_docs"].value.startswith("file://")
    others = {name: e.passed for name, e in evaluations.items() if name != "ranges"}
    assert all(others.values()), others
