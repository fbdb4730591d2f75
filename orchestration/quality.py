"""Asset checks that run the Great Expectations suites of `data_quality/` (issue #4).

One multi-asset check runs the suites of every raw landing object in one step, and one per
mart runs that mart's suites: GX's fixed costs (~10 s to import, imported only inside the
steps; its context; the Data Docs build) are paid per step, and each check is still its own
result on its own asset in the UI. Errors are blocking: the assets downstream of a failed check
do not run. Anomalies (freshness, Segment volume, unknown currencies or accounts) are warnings,
which CS_DQ_ERRORS can promote to errors per asset. Every result links to the Data Docs built
on each run.

Raw checks validate the days this run loaded: the load log (`main.raw_load_log`) records the
run that loaded each day, and the check reads the days logged under its own run id (their
span, first..last). When the run loaded no day of the object (all unchanged), only the
table-level rules (freshness, cross-table reconciliations) are judged. Run on their own (the
asset was not materialized in the run), they validate the whole table, column-pruned.
"""

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)
from dagster_duckdb import DuckDBResource

from data_quality.checks import CHECKS, is_blocking
from data_quality.config import QualityConfig
from data_quality.frames import Days
from data_quality.gate import (
    mart_check_names,
    raw_check_names,
    run_mart_checks_of,
    run_raw_checks_of,
)
from data_quality.markdown import markdown_table
from data_quality.mart_suites import MART_SUITES, MartSuite
from data_quality.runner import CheckOutcome
from orchestration.ingest.loader import LoadTarget, days_loaded_by_run
from orchestration.resources import WAREHOUSE_POOL, LandingResource
from orchestration.run_config import RunConfig
from orchestration.sources import ALL_TARGETS

log = logging.getLogger(__name__)

T = TypeVar("T")  # what a multi-check holds per asset: a load target, a mart suite


@contextmanager
def read_only_connection(warehouse: DuckDBResource) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse, so checks never take the writer's lock.

    Falls back to the resource's own connection when read-only is impossible: an in-memory
    database, or this process already holding the file read-write (in-process execution).
    """
    if warehouse.database in ("", ":memory:") or warehouse.database.startswith(":memory:"):
        with warehouse.get_connection() as con:
            yield con
        return
    try:
        con = duckdb.connect(warehouse.database, read_only=True, config=warehouse.connection_config)
    except duckdb.ConnectionException as error:
        log.info("read-only connection impossible (%s); using the resource's connection", error)
        with warehouse.get_connection() as con:
            yield con
        return
    try:
        yield con
    finally:
        con.close()


def materialized_in_this_run(context: AssetCheckExecutionContext, asset_key: AssetKey) -> bool:
    """Whether the checked asset was materialized earlier in the check's own run."""
    latest = context.instance.get_latest_materialization_event(asset_key)
    return latest is not None and latest.run_id == context.run.run_id


def days_to_validate(
    context: AssetCheckExecutionContext,
    con: duckdb.DuckDBPyConnection,
    target: LoadTarget,
    as_of: date,
) -> Days | None:
    """The span of days this run loaded; an empty range when it loaded none; None (the whole
    table) when the asset was not materialized in this run (the check runs on its own)."""
    spec = target.spec
    if not materialized_in_this_run(context, AssetKey([spec.schema, spec.object])):
        return None
    loaded = days_loaded_by_run(con, spec, [context.run.run_id])
    if not loaded:
        return Days(as_of + timedelta(days=1), as_of)
    return Days(loaded[0], loaded[-1])


def _rules_markdown(outcome: CheckOutcome) -> str:
    rows = [
        (
            rule.expectation,
            rule.suite,
            rule.element_count,
            rule.unexpected_count,
            "yes" if rule.success else "no",
            rule.error or rule.note,
        )
        for rule in outcome.rules
    ]
    header = ["expectation", "suite", "checked", "unexpected", "passed", "note"]
    return markdown_table(header, rows, numeric=("checked", "unexpected"))


def gate_asset_name(asset_key: AssetKey) -> str:
    """How CS_DQ_ERRORS names an asset: `stripe/invoices` for raw_stripe/invoices, `fct_mrr`
    for marts/fct_mrr."""
    schema, name = asset_key.path[0], asset_key.path[-1]
    return f"{schema.removeprefix('raw_')}/{name}" if schema.startswith("raw_") else name


def _failures(outcome: CheckOutcome) -> str:
    """Each failing expectation with its own counts: a check's rules cover different columns,
    so a percentage over all of them ("1 of 2 values") says nothing about the failing one."""
    parts = []
    for rule in outcome.rules:
        if rule.success:
            continue
        if rule.error:
            parts.append(f"{rule.expectation}: {rule.error}")
        elif rule.element_count:
            percent = round(100.0 * rule.unexpected_count / rule.element_count, 2)
            parts.append(
                f"{rule.expectation}: {rule.unexpected_count} of {rule.element_count} "
                f"unexpected ({percent:g}%)"
            )
        else:
            parts.append(f"{rule.expectation}: observed {rule.observed}")
    return "; ".join(parts)


def check_result(
    outcome: CheckOutcome,
    asset_key: AssetKey,
    config: QualityConfig | None = None,
    scope: str | None = None,
) -> AssetCheckResult:
    """A Dagster result from a gate outcome: severity (promoted by `config` when given),
    counts, samples, suites, Data Docs, and the `scope` validated (which days) when given."""
    if config is None:
        blocking = outcome.blocking
    else:
        blocking = is_blocking(config, outcome.check, gate_asset_name(asset_key))
    severity = AssetCheckSeverity.ERROR if blocking else AssetCheckSeverity.WARN
    metadata: dict[str, object] = {"scope": scope} if scope else {}
    if outcome.skipped:
        # Nothing to validate yet (e.g. dbt has not built the mart): a warning that says so,
        # never a blocking error.
        metadata["skipped"] = outcome.skipped
        return AssetCheckResult(
            asset_key=asset_key,
            check_name=outcome.check,
            passed=False,
            severity=AssetCheckSeverity.WARN,
            description=f"skipped: {outcome.skipped}",
            metadata=metadata,
        )
    metadata.update(
        {
            "unexpected_count": outcome.unexpected_count,
            "unexpected_percent": outcome.unexpected_percent,
            "values_checked": outcome.element_count,
            "sample_bad_values": MetadataValue.json(outcome.samples[:10]),
            "suites": ", ".join(outcome.suites),
            "failed_expectations": ", ".join(outcome.failed_expectations) or "none",
            "expectations": MetadataValue.md(_rules_markdown(outcome)),
            "batches": outcome.batches,
        }
    )
    if outcome.docs_index:
        metadata["data_docs_index"] = MetadataValue.url(outcome.docs_index)
    if outcome.docs_urls:
        metadata["data_docs"] = MetadataValue.url(outcome.docs_urls[-1])
    if outcome.report:
        metadata["report"] = MetadataValue.md(outcome.report)
    if outcome.passed and not outcome.rules:
        description = f"passed: {outcome.report or 'nothing to check'}"
    elif outcome.passed:
        description = f"passed: {len(outcome.rules)} expectation(s) in {', '.join(outcome.suites)}"
    else:
        description = _failures(outcome)
    return AssetCheckResult(
        asset_key=asset_key,
        check_name=outcome.check,
        passed=outcome.passed,
        severity=severity,
        description=description,
        metadata=metadata,
    )


def _specs(
    asset_key: AssetKey, names: list[str], declared: QualityConfig | None
) -> list[AssetCheckSpec]:
    """The asset-check specs of one asset, from the declarations in data_quality/checks.py.

    `declared`: the configuration the code location was defined with (definitions.py reads it
    once): a check promoted to an error by CS_DQ_ERRORS must be declared blocking for Dagster to
    hold back what depends on it. None: each check's own severity."""
    return [
        AssetCheckSpec(
            name,
            asset=asset_key,
            description=CHECKS[name].description,
            blocking=(
                is_blocking(declared, name, gate_asset_name(asset_key))
                if declared
                else CHECKS[name].blocking
            ),
        )
        for name in names
    ]


def _selected(
    context: AssetCheckExecutionContext,
    outcomes: dict[str, CheckOutcome],
    key: AssetKey,
    config: QualityConfig,
    scope: str | None = None,
):
    selected = {k.name for k in context.selected_asset_check_keys if k.asset_key == key}
    for name, outcome in outcomes.items():
        if name in selected:
            yield check_result(outcome, key, config, scope)


def _chosen(context: AssetCheckExecutionContext, by_key: dict[AssetKey, T]) -> dict[AssetKey, T]:
    """The assets of a multi-check whose checks this run selected (it may be subset)."""
    checked = {key.asset_key for key in context.selected_asset_check_keys}
    return {key: value for key, value in by_key.items() if key in checked}


RAW_CHECKS_NAME = "raw_landing_quality"


def raw_quality_checks(
    targets: Sequence[LoadTarget] = ALL_TARGETS, declared: QualityConfig | None = None
) -> AssetChecksDefinition:
    """The checks of every raw object in one step: GX's fixed costs (its import, the context,
    the Data Docs build) are paid once per run instead of once per object, and each check is
    still its own result on its own asset in the UI. A run that loaded some objects checks
    those (the step is subset to their checks)."""
    by_key = {AssetKey([t.spec.schema, t.spec.object]): t for t in targets}

    @multi_asset_check(
        name=RAW_CHECKS_NAME,
        specs=[
            spec
            for asset_key, target in by_key.items()
            for spec in _specs(asset_key, raw_check_names(target), declared)
        ],
        can_subset=True,
        pool=WAREHOUSE_POOL,
        description="Great Expectations suites of the raw landing tables "
        "(orchestration/sources/*/suites.py), one validation pass for all of them.",
    )
    def _check(
        context: AssetCheckExecutionContext,
        warehouse: DuckDBResource,
        landing: LandingResource,
        run_config: RunConfig,
    ):
        config = run_config.quality()
        chosen = _chosen(context, by_key)
        with read_only_connection(warehouse) as con:
            days_by_target = {
                target: days_to_validate(context, con, target, config.as_of)
                for target in chosen.values()
            }
            scopes = {
                target: f"days loaded by this run: {days.label}" if days else "whole table"
                for target, days in days_by_target.items()
            }
            for target, scope in scopes.items():
                context.log.debug(f"{target.spec.table}: validating the {scope}")  # UI only
            outcomes = run_raw_checks_of(
                con,
                days_by_target,
                config,
                Path(landing.landing_dir),
                run_name=context.run.run_id.split("-")[0],
            )
        for asset_key, target in chosen.items():
            outcome = outcomes[target.spec.key]
            yield from _selected(context, outcome, asset_key, config, scopes[target])

    return _check


MART_CHECKS_NAME = "mart_quality"


def mart_quality_checks(
    suites: Sequence[MartSuite] = MART_SUITES, declared: QualityConfig | None = None
) -> AssetChecksDefinition:
    """The checks of every mart in one step after dbt, for the reasons of the raw checks'."""
    by_key = {AssetKey(list(suite.asset_key)): suite for suite in suites}

    @multi_asset_check(
        name=MART_CHECKS_NAME,
        specs=[
            spec
            for asset_key, suite in by_key.items()
            for spec in _specs(asset_key, mart_check_names(suite.model), declared)
        ],
        can_subset=True,
        pool=WAREHOUSE_POOL,
        description="Great Expectations suites of the marts (data_quality/mart_suites.py), one "
        "validation pass for all of them.",
    )
    def _check(
        context: AssetCheckExecutionContext,
        warehouse: DuckDBResource,
        run_config: RunConfig,
    ):
        config = run_config.quality()
        chosen = _chosen(context, by_key)
        with read_only_connection(warehouse) as con:
            outcomes = run_mart_checks_of(
                con, list(chosen.values()), config, run_name=context.run.run_id.split("-")[0]
            )
        for asset_key, suite in chosen.items():
            yield from _selected(context, outcomes[suite.model], asset_key, config)

    return _check


def build_quality_checks(declared: QualityConfig | None = None) -> list[AssetChecksDefinition]:
    """Every asset check of the gate: one multi-check for the raw landing objects, one for the
    marts (`declared`: the configuration their blocking flags are declared with)."""
    return [raw_quality_checks(declared=declared), mart_quality_checks(declared=declared)]
