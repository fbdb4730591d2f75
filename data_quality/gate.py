"""The gate without Dagster: run every check of one raw object or one mart, get outcomes.

`orchestration/quality.py` wraps these in asset checks; tests and scripts can call them on any
DuckDB connection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from data_quality.config import QualityConfig
from data_quality.frames import (
    Days,
    freshness_batch,
    landing_reconciliation_batch,
    markdown_table,
    mart_batch,
    message_ids_batch,
    mrr_band_batch,
    raw_batch,
    spine_rows,
    spine_rule,
    table_exists,
    unknown_accounts_batch,
    volume_batch,
)
from data_quality.mart_suites import MART_SUITES_BY_MODEL, MartSuite
from data_quality.raw_suites import RAW_SUITES_BY_TABLE
from data_quality.runner import AssetBatches, Batch, CheckOutcome, validate, validate_assets
from orchestration.ingest.loader import LoadTarget

SEGMENT_EVENTS = "raw_segment.events"
NOTHING_LOADED = "no day loaded by this run: nothing new to validate"
# Judged on the whole object whatever the run loaded; the other raw checks judge loaded days.
# (The Stripe cash and MRR-vs-invoices reconciliations are dbt models with warn-severity tests:
# dbt_project/models/audit.)
TABLE_LEVEL_CHECKS = ("freshness",)
RATES_NOT_NEEDED = "exchange rates not needed: billing uses no currency but USD"


def raw_check_names(target: LoadTarget) -> list[str]:
    """The Dagster checks of one raw object, in report order."""
    names = RAW_SUITES_BY_TABLE[target.spec.table].check_names()
    names += ["freshness", "reconciles_with_landing"]
    if target.spec.table == SEGMENT_EVENTS:
        names += ["message_ids_match_landing", "volume"]
    return names


def mart_check_names(model: str) -> list[str]:
    return MART_SUITES_BY_MODEL[model].check_names()


def _with_reports(
    outcomes: dict[str, CheckOutcome], reports: dict[str, str], names: list[str], skipped: str
) -> dict[str, CheckOutcome]:
    for name, report in reports.items():
        if name in outcomes:
            outcomes[name].report = report
    for name in names:
        outcomes.setdefault(name, CheckOutcome(name, skipped=skipped))
    return {name: outcomes[name] for name in names}


def run_raw_checks(
    con: duckdb.DuckDBPyConnection,
    target: LoadTarget,
    config: QualityConfig,
    landing_dir: Path | None,
    days: Days | None = None,
    run_name: str = "",
) -> dict[str, CheckOutcome]:
    """Every check of one raw object, over `days` (the run's days) or the whole table."""
    return run_raw_checks_of(con, {target: days}, config, landing_dir, run_name)[target.spec.key]


def run_raw_checks_of(
    con: duckdb.DuckDBPyConnection,
    days_by_target: Mapping[LoadTarget, Days | None],
    config: QualityConfig,
    landing_dir: Path | None,
    run_name: str = "",
) -> dict[str, dict[str, CheckOutcome]]:
    """Every check of several raw objects in one GX validation pass, per object key
    (`stripe/invoices`): GX's fixed costs are paid once for all of them."""
    con.execute("set TimeZone = 'UTC'")
    plans = [
        _RawPlan.of(con, target, config, landing_dir, days, run_name)
        for target, days in days_by_target.items()
    ]
    validated = validate_assets([plan.to_validate for plan in plans], config, con)
    return {
        plan.target.spec.key: plan.outcomes(found)
        for plan, found in zip(plans, validated, strict=True)
    }


@dataclass
class _RawPlan:
    """What to validate for one raw object, and the outcomes decided without validating."""

    target: LoadTarget
    names: list[str]
    to_validate: AssetBatches
    reports: dict[str, str] = field(default_factory=dict)
    decided: dict[str, CheckOutcome] = field(default_factory=dict)
    skipped: str = "not evaluated"

    @classmethod
    def of(
        cls,
        con: duckdb.DuckDBPyConnection,
        target: LoadTarget,
        config: QualityConfig,
        landing_dir: Path | None,
        days: Days | None,
        run_name: str,
    ) -> _RawPlan:
        spec = target.spec
        names = raw_check_names(target)
        label = days.label if days else "all"
        nothing = AssetBatches(spec.key, [], f"{run_name} {label}".strip())
        if not table_exists(con, spec.table):
            skipped = f"table {spec.table} not loaded yet"
            return cls(target, names, nothing, skipped=skipped)
        plan = cls(target, names, nothing)
        batches = plan._batches(con, config, landing_dir, days)
        plan.to_validate = AssetBatches(spec.key, batches, nothing.run_name)
        return plan

    def _batches(
        self,
        con: duckdb.DuckDBPyConnection,
        config: QualityConfig,
        landing_dir: Path | None,
        days: Days | None,
    ) -> list[Batch]:
        spec = self.target.spec
        # The suite's rows are a query GX runs in DuckDB; the other batches are small aggregates.
        batches: list[Batch] = []
        freshness = freshness_batch(con, spec.system, spec.object, config, landing_dir)
        if freshness is None:
            self.decided["freshness"] = CheckOutcome("freshness", report=RATES_NOT_NEEDED)
        else:
            batches.append(freshness)
            self.reports["freshness"] = markdown_table(freshness.frame)
        if days is not None and days.is_empty:
            # Nothing of this object was loaded by the run: its day-level checks pass with
            # nothing checked, at no cost (a daily run pays for the objects that changed).
            for name in self.names:
                if name not in TABLE_LEVEL_CHECKS:
                    self.decided[name] = CheckOutcome(name, report=NOTHING_LOADED)
            return batches
        batches.insert(0, raw_batch(RAW_SUITES_BY_TABLE[spec.table], config, days))
        if landing_dir is None:
            self.skipped = "no landing folder configured"
        else:
            batches.append(landing_reconciliation_batch(con, self.target, landing_dir, days))
            self.reports["reconciles_with_landing"] = markdown_table(
                _worst(batches[-1], "records_unaccounted")
            )
        if spec.table == SEGMENT_EVENTS:
            batches.append(volume_batch(con, spec.table, config, days))
            self.reports["volume"] = markdown_table(batches[-1].frame, rows=14)
            if landing_dir is not None:
                batches.append(message_ids_batch(con, landing_dir, days))
                self.reports["message_ids_match_landing"] = markdown_table(
                    batches[-1].frame, rows=14
                )
        return batches

    def outcomes(self, validated: dict[str, CheckOutcome]) -> dict[str, CheckOutcome]:
        if not self.to_validate.batches and not self.decided:
            return {name: CheckOutcome(name, skipped=self.skipped) for name in self.names}
        return _with_reports({**validated, **self.decided}, self.reports, self.names, self.skipped)


def _worst(batch: Batch, column: str):
    frame = batch.frame
    if frame.empty or column not in frame.columns:
        return frame
    order = frame[column].abs().fillna(0).sort_values(ascending=False).index
    return frame.loc[order].head(24)


def run_mart_checks(
    con: duckdb.DuckDBPyConnection,
    suite: MartSuite,
    config: QualityConfig,
    run_name: str = "",
) -> dict[str, CheckOutcome]:
    """Every check of one mart; all skipped when dbt has not built it yet."""
    names = suite.check_names()
    con.execute("set TimeZone = 'UTC'")
    batch = mart_batch(con, suite, config)
    if batch is None:
        skipped = f"table {suite.name} not built yet"
        return {name: CheckOutcome(name, skipped=skipped) for name in names}
    batches = [batch]
    reports: dict[str, str] = {}
    skipped = "not evaluated"
    if suite.model == "fct_mrr":
        spine = spine_rows(con, config)
        batch.rules.append(spine_rule(spine))
        reports["row_count_matches_spine"] = (
            f"spine rows: {spine['spine_rows']}, rows missing from fct_mrr: "
            f"{spine['missing_rows']} (e.g. {spine['missing_sample'] or []}), rows not on the "
            f"spine: {spine['extra_rows']} (e.g. {spine['extra_sample'] or []})"
        )
        batches.append(mrr_band_batch(con, config))
        reports["total_mrr_change_within_band"] = markdown_table(batches[-1].frame)
    if suite.model == "fct_engagement_daily":
        accounts = unknown_accounts_batch(con)
        if accounts is None:
            skipped = "int_segment_events_attributed or dim_accounts not built yet"
        else:
            batches.append(accounts)
            unknown = accounts.frame[~accounts.frame["is_known_account"].astype(bool)]
            reports["events_have_known_accounts"] = (
                f"{int(unknown['events'].sum())} events of {len(unknown)} unknown account(s)\n\n"
                + markdown_table(unknown)
            )
    outcomes = validate(batches, config, run_name=run_name, asset=suite.model, con=con)
    return _with_reports(outcomes, reports, names, skipped)
