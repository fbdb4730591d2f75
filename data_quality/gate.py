"""The gate without Dagster: run every check of one raw object or one mart, get outcomes.

`orchestration/quality.py` wraps these in asset checks; tests and scripts can call them on any
DuckDB connection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from data_quality.checks import CHECKS, Built, MartScope, RawScope, aggregate_checks
from data_quality.config import QualityConfig
from data_quality.frames import Days, LandingTarget, RawObject, mart_batch, raw_batch, table_exists
from data_quality.mart_suites import MART_SUITES_BY_MODEL, MartSuite
from data_quality.raw_suites import TableSuite
from data_quality.rules import Batch
from data_quality.runner import AssetBatches, CheckOutcome, validate_assets

NOTHING_LOADED = "no day loaded by this run: nothing new to validate"
NOT_EVALUATED = "not evaluated"


def raw_suite(target: LandingTarget) -> TableSuite:
    """The suite its source declared for the target's table."""
    if target.suite is None:
        raise ValueError(f"{RawObject.of(target).key}: its target has no raw suite")
    return target.suite


def raw_check_names(target: LandingTarget) -> list[str]:
    """The Dagster checks of one raw object, in report order: its suite's, then the aggregate
    checks declared for it (checks.py)."""
    names = raw_suite(target).check_names()
    return names + [check.name for check in aggregate_checks("raw", RawObject.of(target).table)]


def mart_check_names(model: str) -> list[str]:
    suite = MART_SUITES_BY_MODEL[model]
    return suite.check_names() + [check.name for check in aggregate_checks("mart", suite.name)]


@dataclass
class _Assembly:
    """The batches of one asset and what its aggregate checks decided without validating."""

    batches: list[Batch] = field(default_factory=list)
    reports: dict[str, str] = field(default_factory=dict)
    decided: dict[str, CheckOutcome] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, built: Built, suite_batch: Batch | None = None) -> None:
        if built.skipped is not None:
            self.skipped[name] = built.skipped
            return
        if built.report is not None:
            self.reports[name] = built.report
        if built.rules and suite_batch is None:
            raise ValueError(f"check {name!r} adds rules to a suite batch, but there is none")
        if built.rules and suite_batch is not None:
            suite_batch.rules.extend(built.rules)
        if built.batch is not None:
            self.batches.append(built.batch)
        elif not built.rules:
            self.decided[name] = CheckOutcome(name, report=built.report)

    def outcomes(
        self, validated: dict[str, CheckOutcome], names: list[str]
    ) -> dict[str, CheckOutcome]:
        outcomes = {**validated, **self.decided}
        for name, report in self.reports.items():
            if name in outcomes:
                outcomes[name].report = report
        for name in names:
            outcomes.setdefault(
                name, CheckOutcome(name, skipped=self.skipped.get(name, NOT_EVALUATED))
            )
        return {name: outcomes[name] for name in names}


def run_raw_checks(
    con: duckdb.DuckDBPyConnection,
    target: LandingTarget,
    config: QualityConfig,
    landing_dir: Path | None,
    days: Days | None = None,
    run_name: str = "",
) -> dict[str, CheckOutcome]:
    """Every check of one raw object, over `days` (the run's days) or the whole table."""
    return run_raw_checks_of(con, {target: days}, config, landing_dir, run_name)[
        RawObject.of(target).key
    ]


def run_raw_checks_of(
    con: duckdb.DuckDBPyConnection,
    days_by_target: Mapping[LandingTarget, Days | None],
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
    return _validate_plans(plans, config, con)


def _validate_plans(
    plans: Sequence[_Plan], config: QualityConfig, con: duckdb.DuckDBPyConnection
) -> dict[str, dict[str, CheckOutcome]]:
    """The plans' batches in one GX validation pass; each asset's outcomes by its key."""
    validated = validate_assets([plan.to_validate for plan in plans], config, con)
    return {plan.key: plan.outcomes(found) for plan, found in zip(plans, validated, strict=True)}


@dataclass
class _Plan:
    """What to validate for one checked asset, and the outcomes decided without validating."""

    key: str  # the asset as the gate names it: stripe/invoices, fct_mrr
    names: list[str]
    to_validate: AssetBatches
    assembly: _Assembly = field(default_factory=_Assembly)
    skipped: str | None = None  # why nothing of the asset can be checked

    def outcomes(self, validated: dict[str, CheckOutcome]) -> dict[str, CheckOutcome]:
        if self.skipped is not None:
            return {name: CheckOutcome(name, skipped=self.skipped) for name in self.names}
        return self.assembly.outcomes(validated, self.names)


class _RawPlan(_Plan):
    @classmethod
    def of(
        cls,
        con: duckdb.DuckDBPyConnection,
        target: LandingTarget,
        config: QualityConfig,
        landing_dir: Path | None,
        days: Days | None,
        run_name: str,
    ) -> _RawPlan:
        obj, suite, names = RawObject.of(target), raw_suite(target), raw_check_names(target)
        label = days.label if days else "all"
        nothing = AssetBatches(obj.key, [], f"{run_name} {label}".strip())
        if not table_exists(con, obj.table):
            return cls(obj.key, names, nothing, skipped=f"table {obj.table} not loaded yet")
        plan = cls(obj.key, names, nothing)
        plan._assemble(RawScope(con, obj, config, landing_dir, days), suite)
        plan.to_validate = AssetBatches(obj.key, plan.assembly.batches, nothing.run_name)
        return plan

    def _assemble(self, scope: RawScope, suite: TableSuite) -> None:
        # The suite's rows are a query GX runs in DuckDB; the other batches are small aggregates.
        nothing_loaded = scope.days is not None and scope.days.is_empty
        suite_batch = None if nothing_loaded else raw_batch(suite, scope.config, scope.days)
        if suite_batch is not None:
            self.assembly.batches.append(suite_batch)
        for check in aggregate_checks("raw", scope.obj.table):
            if nothing_loaded and not check.table_level:
                continue
            self.assembly.add(check.name, check.batch(scope), suite_batch)
        if nothing_loaded:
            # Nothing of this object was loaded by the run: its day-level checks pass with
            # nothing checked, at no cost (a daily run pays for the objects that changed).
            for name in self.names:
                if not CHECKS[name].table_level:
                    self.assembly.decided[name] = CheckOutcome(name, report=NOTHING_LOADED)


def run_mart_checks(
    con: duckdb.DuckDBPyConnection,
    suite: MartSuite,
    config: QualityConfig,
    run_name: str = "",
) -> dict[str, CheckOutcome]:
    """Every check of one mart; all skipped when dbt has not built it yet."""
    return run_mart_checks_of(con, [suite], config, run_name)[suite.model]


def run_mart_checks_of(
    con: duckdb.DuckDBPyConnection,
    suites: Sequence[MartSuite],
    config: QualityConfig,
    run_name: str = "",
) -> dict[str, dict[str, CheckOutcome]]:
    """Every check of several marts in one GX validation pass, per model (`fct_mrr`)."""
    con.execute("set TimeZone = 'UTC'")
    plans = [_MartPlan.of(con, suite, config, run_name) for suite in suites]
    return _validate_plans(plans, config, con)


class _MartPlan(_Plan):
    @classmethod
    def of(
        cls, con: duckdb.DuckDBPyConnection, suite: MartSuite, config: QualityConfig, run_name: str
    ) -> _MartPlan:
        names = mart_check_names(suite.model)
        nothing = AssetBatches(suite.model, [], run_name)
        batch = mart_batch(con, suite, config)
        if batch is None:
            return cls(suite.model, names, nothing, skipped=f"table {suite.name} not built yet")
        plan = cls(suite.model, names, nothing, _Assembly([batch]))
        scope = MartScope(con, suite, config)
        for check in aggregate_checks("mart", suite.name):
            plan.assembly.add(check.name, check.batch(scope), suite_batch=batch)
        plan.to_validate = AssetBatches(suite.model, plan.assembly.batches, run_name)
        return plan
