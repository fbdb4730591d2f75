"""A check is declared once (data_quality/checks.py): the checks of each asset, the Dagster
asset-check specs, the gate's batches and the README's table of checks follow from it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from dq_data import AS_OF, DAY, price

from data_quality.checks import CHECKS, Built, Check, RawScope, checks_markdown, only
from data_quality.config import QualityConfig
from data_quality.frames import Days
from data_quality.gate import NOTHING_LOADED, mart_check_names, raw_check_names, run_raw_checks
from data_quality.mart_suites import MART_SUITES
from data_quality.rules import Batch, between
from data_quality.runner import validate
from orchestration.ingest.loader import load_landing
from orchestration.quality import raw_quality_checks
from orchestration.sources import ALL_TARGETS, RAW_SUITES, TARGETS_BY_KEY

README = Path(__file__).parents[2] / "README.md"
PRICES = TARGETS_BY_KEY["stripe/prices"]


def test_each_asset_has_its_suite_checks_then_the_declared_aggregate_ones():
    # As on main before the declarations: names and report order are the Dagster checks.
    assert raw_check_names(TARGETS_BY_KEY["segment/events"]) == [
        "required_fields",
        "value_sets",
        "timestamps",
        "freshness",
        "reconciles_with_landing",
        "message_ids_match_landing",
        "volume",
    ]
    assert raw_check_names(PRICES) == [
        "required_fields",
        "value_sets",
        "known_currencies",
        "ranges",
        "timestamps",
        "freshness",
        "reconciles_with_landing",
    ]
    assert mart_check_names("fct_mrr") == [
        "ranges",
        "row_count_matches_spine",
        "total_mrr_change_within_band",
    ]
    assert mart_check_names("fct_engagement_daily") == ["ranges", "events_have_known_accounts"]
    assert mart_check_names("fct_nps_monthly") == ["ranges"]


def test_every_declared_check_is_a_check_of_some_asset():
    used = {name for target in ALL_TARGETS for name in raw_check_names(target)}
    used |= {name for suite in MART_SUITES for name in mart_check_names(suite.model)}
    assert used == set(CHECKS)
    assert {suite.table for suite in RAW_SUITES} == {t.spec.table for t in ALL_TARGETS}


def test_a_declaration_must_say_where_its_batch_runs():
    with pytest.raises(ValueError, match="'x': a batch function needs layer"):
        Check("x", "d", batch=lambda scope: Built())
    with pytest.raises(ValueError, match="'x': only a raw check can be table-level"):
        Check("x", "d", batch=lambda scope: Built(), layer="mart", table_level=True)


def test_a_rule_of_an_undeclared_check_is_refused_before_anything_runs(tmp_path):
    batch = Batch(
        "prices.sanity", pd.DataFrame({"amount": [1]}), [between("no_such", "amount", 0, 9)]
    )
    config = QualityConfig(as_of=AS_OF, docs_dir=tmp_path / "docs", store_dir=tmp_path / "gx")
    with pytest.raises(ValueError, match=r"prices\.sanity: rule .* names check 'no_such'"):
        validate([batch], config)
    assert not (tmp_path / "gx").exists()


def test_the_readme_lists_the_declared_checks():
    assert checks_markdown(RAW_SUITES) in README.read_text(), (
        "README's table of checks differs from data_quality/checks.py; print the new one with "
        "`uv run python -c 'from data_quality.checks import checks_markdown as m; "
        "from orchestration.sources import RAW_SUITES; print(m(RAW_SUITES))'`"
    )


def _prices_loaded(scope: RawScope) -> Built:
    """A throw-away check: how many prices the loaded days hold, which must be 3."""
    where = f"_partition_date between '{scope.days.start}' and '{scope.days.end}'"
    ((count,),) = scope.con.execute(
        f"select count(*) from {scope.obj.table} where {where}"
    ).fetchall()
    frame = pd.DataFrame({"prices": [count]})
    rules = [between("prices_loaded", "prices", 3, 3, note="three prices")]
    return Built(Batch("example.prices", frame, rules, "", ("prices",)), f"{count} prices")


@pytest.mark.parametrize("table_level", [False, True])
def test_one_declaration_adds_a_check_everywhere(
    monkeypatch, landing, con, config, table_level: bool
):
    example = Check(
        "prices_loaded",
        "Stripe delivered three prices.",
        blocking=False,
        batch=_prices_loaded,
        layer="raw",
        applies_to=only("raw_stripe.prices"),
        table_level=table_level,
    )
    monkeypatch.setitem(CHECKS, example.name, example)

    assert raw_check_names(PRICES)[-1] == "prices_loaded"
    assert "prices_loaded" not in raw_check_names(TARGETS_BY_KEY["stripe/invoices"])
    specs = {
        (spec.asset_key.to_user_string(), spec.name): spec
        for spec in raw_quality_checks(ALL_TARGETS).check_specs
    }
    spec = specs[("raw_stripe/prices", "prices_loaded")]
    assert (spec.description, spec.blocking) == ("Stripe delivered three prices.", False)
    assert ("raw_stripe/invoices", "prices_loaded") not in specs

    landing.write("stripe/prices", DAY, [price(), price("price_2")])
    load_landing(con, landing.root, [PRICES])
    loaded = run_raw_checks(con, PRICES, config, landing.root, Days(AS_OF, AS_OF))
    assert not loaded["prices_loaded"].passed
    assert loaded["prices_loaded"].unexpected_count == 1
    assert loaded["prices_loaded"].report == "2 prices"
    assert loaded["required_fields"].passed

    nothing = Days(AS_OF, date(2025, 6, 9))  # a run that loaded no day of prices
    unchanged = run_raw_checks(con, PRICES, config, landing.root, nothing)["prices_loaded"]
    if table_level:
        assert (unchanged.passed, unchanged.report) == (False, "0 prices")
    else:
        assert (unchanged.passed, unchanged.report, unchanged.rules) == (True, NOTHING_LOADED, [])
