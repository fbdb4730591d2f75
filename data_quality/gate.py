"""The gate without Dagster: run every check of one raw object or one mart, get outcomes.

`orchestration/quality.py` wraps these in asset checks; tests and scripts can call them on any
DuckDB connection.
"""

from __future__ import annotations

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
from data_quality.runner import Batch, CheckOutcome, validate
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
    """Every check of one raw object, over `days` (the run's partitions) or the whole table."""
    spec = target.spec
    names = raw_check_names(target)
    con.execute("set TimeZone = 'UTC'")
    if not table_exists(con, spec.table):
        skipped = f"table {spec.table} not loaded yet"
        return {name: CheckOutcome(name, skipped=skipped) for name in names}
    suite = RAW_SUITES_BY_TABLE[spec.table]
    # The suite's rows are a query GX runs in DuckDB; the other batches are small aggregates.
    batches: list[Batch] = []
    reports: dict[str, str] = {}
    decided: dict[str, CheckOutcome] = {}
    skipped = "not evaluated"
    freshness = freshness_batch(con, spec.system, spec.object, config, landing_dir)
    if freshness is None:
        decided["freshness"] = CheckOutcome("freshness", report=RATES_NOT_NEEDED)
    else:
        batches.append(freshness)
        reports["freshness"] = markdown_table(freshness.frame)
    quiet = days is not None and days.is_empty
    row_batches: list[Batch] = [] if quiet else [raw_batch(suite, config, days)]
    if quiet:
        # Nothing of this object was loaded by the run: its day-level checks pass with nothing
        # checked, at no cost (a daily run pays for the objects that changed).
        for name in names:
            if name not in TABLE_LEVEL_CHECKS:
                decided[name] = CheckOutcome(name, report=NOTHING_LOADED)
    elif landing_dir is None:
        skipped = "no landing folder configured"
    else:
        batches.append(landing_reconciliation_batch(con, target, landing_dir, days))
        reports["reconciles_with_landing"] = markdown_table(
            _worst(batches[-1], "records_unaccounted")
        )
    if spec.table == SEGMENT_EVENTS and not quiet:
        batches.append(volume_batch(con, spec.table, config, days))
        reports["volume"] = markdown_table(batches[-1].frame, rows=14)
        if landing_dir is not None:
            batches.append(message_ids_batch(con, landing_dir, days))
            reports["message_ids_match_landing"] = markdown_table(batches[-1].frame, rows=14)
    label = days.label if days else "all"
    outcomes = validate(
        [*row_batches, *batches],
        config,
        run_name=f"{run_name} {label}".strip(),
        asset=spec.key,
        con=con,
    )
    return _with_reports({**outcomes, **decided}, reports, names, skipped)


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
