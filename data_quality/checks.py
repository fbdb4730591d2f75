"""Every check of the gate, declared once.

A declaration holds all that defines a check: its name and description, whether a failure
blocks or only warns, which raw objects or marts it applies to, and the function that builds
its batch and report. Everything else is derived from here: the checks of each asset
(`raw_check_names`, `mart_check_names`), the Dagster asset-check specs
(orchestration/quality.py), the gate's batches (gate.py) and the table in the README.

Two kinds of check:
- suite checks (`batch` None) group rules of the suites (raw suites, mart_suites.py); an
  asset has the check when its suite has a rule of it, and its batch is the suite's own query.
- aggregate checks (`batch` set) build their own batch from the warehouse or the landing
  files (frames.py) for each raw object (`layer="raw"`) or mart (`layer="mart"`) that
  `applies_to` accepts. A raw one is day-level unless `table_level`: when a run loaded no day of
  the object, a day-level check passes with nothing checked, a table-level one is judged.

Adding a check is one declaration here, its batch function and its tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from data_quality.config import QualityConfig
from data_quality.frames import (
    Days,
    RawObject,
    freshness_batch,
    landing_files_frame,
    landing_reconciliation_batch,
    markdown_table,
    message_ids_batch,
    mrr_band_batch,
    spine_rows,
    spine_rule,
    unknown_accounts_batch,
    volume_batch,
)
from data_quality.markdown import markdown_table as render_markdown_table
from data_quality.mart_suites import MART_SUITES, MartSuite
from data_quality.raw_suites import TableSuite
from data_quality.rules import Batch, Rule

RATES_NOT_NEEDED = "exchange rates not needed: billing uses no currency but USD"
NO_LANDING = "no landing folder configured"
SEGMENT_EVENTS = "raw_segment.events"


@dataclass(frozen=True)
class RawScope:
    """What a raw check's batch is built from: one landing object over `days` (None: the
    whole table)."""

    con: duckdb.DuckDBPyConnection
    obj: RawObject
    config: QualityConfig
    landing_dir: Path | None
    days: Days | None
    # what the object's checks share, read once (landing_files)
    shared: dict = field(default_factory=dict, compare=False, repr=False)

    def landing_files(self) -> pd.DataFrame:
        """The object's landing files counted in one scan (frames.landing_files_frame), with
        Segment's messageId fingerprints: both landing reconciliations read it."""
        if "landing_files" not in self.shared:
            assert self.landing_dir is not None
            self.shared["landing_files"] = landing_files_frame(
                self.con,
                self.obj,
                self.landing_dir,
                self.days,
                with_ids=self.obj.table == SEGMENT_EVENTS,
            )
        return self.shared["landing_files"]


@dataclass(frozen=True)
class MartScope:
    """What a mart check's batch is built from: one mart that dbt has built."""

    con: duckdb.DuckDBPyConnection
    suite: MartSuite
    config: QualityConfig


@dataclass
class Built:
    """What a check's batch function returns. `batch` is validated by GX; `rules` join the
    suite's own batch (a rule over the mart's rows); `report` is the result's markdown;
    `skipped` says why the check could not be evaluated. With neither a batch, rules nor a
    skip, the check passes with nothing to check and its report says why."""

    batch: Batch | None = None
    report: str | None = None
    rules: list[Rule] = field(default_factory=list)
    skipped: str | None = None


Applies = Callable[[str], bool]


def every_table(table: str) -> bool:
    return True


def only(*tables: str) -> Applies:
    """Applies to these tables only (`raw_segment.events`, `marts.fct_mrr`)."""

    def applies(table: str) -> bool:
        return table in tables

    return applies


@dataclass(frozen=True)
class Check:
    """One Dagster asset check: errors block downstream assets, warnings only report.

    Blocking is kept for what makes numbers wrong (unparseable or out-of-range values, duplicate
    keys, missing rates for a currency in use, lost records); anomalies are warnings, which a
    user may promote to errors per asset (CS_DQ_ERRORS, data_quality/config.py).
    """

    name: str
    description: str
    blocking: bool = True
    # None: the check's rules live in the suites. Else the function that builds its batch.
    batch: Callable[[RawScope], Built] | Callable[[MartScope], Built] | None = None
    layer: Literal["raw", "mart", "suite"] = "suite"
    applies_to: Applies = every_table
    table_level: bool = False

    def __post_init__(self) -> None:
        if (self.batch is None) != (self.layer == "suite"):
            raise ValueError(
                f"check {self.name!r}: a batch function needs layer 'raw' or 'mart', a suite "
                f"check (no batch function) layer 'suite'; got layer {self.layer!r}"
            )
        if self.table_level and self.layer != "raw":
            raise ValueError(f"check {self.name!r}: only a raw check can be table-level")

    def applies(self, layer: str, table: str) -> bool:
        return self.layer == layer and self.applies_to(table)


# ---------------------------------------------------------------------------------------------
# Batch functions of the aggregate checks (the DuckDB side is in frames.py)


def _freshness(scope: RawScope) -> Built:
    obj = scope.obj
    batch = freshness_batch(scope.con, obj.system, obj.object, scope.config, scope.landing_dir)
    if batch is None:
        return Built(report=RATES_NOT_NEEDED)
    return Built(batch, markdown_table(batch.frame))


def _worst(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    if frame.empty or column not in frame.columns:
        return frame
    order = frame[column].abs().fillna(0).sort_values(ascending=False).index
    return frame.loc[order].head(24)


def _landing_reconciliation(scope: RawScope) -> Built:
    if scope.landing_dir is None:
        return Built(skipped=NO_LANDING)
    batch = landing_reconciliation_batch(
        scope.con, scope.obj, scope.landing_dir, scope.days, scope.landing_files()
    )
    return Built(batch, markdown_table(_worst(batch.frame, "records_unaccounted")))


def _message_ids(scope: RawScope) -> Built:
    if scope.landing_dir is None:
        return Built(skipped=NO_LANDING)
    batch = message_ids_batch(
        scope.con, scope.landing_dir, scope.days, landing_files=scope.landing_files()
    )
    return Built(batch, markdown_table(batch.frame, rows=14))


def _volume(scope: RawScope) -> Built:
    batch = volume_batch(scope.con, scope.obj.table, scope.config, scope.days)
    return Built(batch, markdown_table(batch.frame, rows=14))


def _spine(scope: MartScope) -> Built:
    spine = spine_rows(scope.con, scope.config)
    report = (
        f"spine rows: {spine['spine_rows']}, rows missing from fct_mrr: "
        f"{spine['missing_rows']} (e.g. {spine['missing_sample'] or []}), rows not on the "
        f"spine: {spine['extra_rows']} (e.g. {spine['extra_sample'] or []})"
    )
    return Built(report=report, rules=[spine_rule(spine)])


def _mrr_band(scope: MartScope) -> Built:
    batch = mrr_band_batch(scope.con, scope.config)
    return Built(batch, markdown_table(batch.frame))


def _unknown_accounts(scope: MartScope) -> Built:
    batch = unknown_accounts_batch(scope.con)
    if batch is None:
        return Built(skipped="int_segment_events_attributed or dim_accounts not built yet")
    unknown = batch.frame[~batch.frame["is_known_account"].astype(bool)]
    report = (
        f"{int(unknown['events'].sum())} events of {len(unknown)} unknown account(s)\n\n"
        + markdown_table(unknown)
    )
    return Built(batch, report)


# ---------------------------------------------------------------------------------------------
# The declarations, in report order (an asset's suite checks first, in its rules' order)

CHECKS: dict[str, Check] = {
    check.name: check
    for check in (
        Check("required_fields", "Fields the warehouse relies on are present (not null)."),
        Check(
            "value_sets",
            "Enumerations hold known values: statuses, intervals, currencies, survey and call "
            "types.",
        ),
        Check(
            "ranges",
            "Numbers are within their domain: amounts >= 0, NPS 0-10, CSAT 1-5, rates in [0, 1].",
        ),
        Check(
            "timestamps",
            "Timestamps parse and lie between the data start and `as_of` + 1 day.",
        ),
        Check(
            "freshness",
            "The object's newest delivery (a day folder with a part file, even an empty one, or "
            "the extractor's marker) is within the freshness window of `as_of` (warning: a "
            "quiet object is not wrong data).",
            blocking=False,
            batch=_freshness,
            layer="raw",
            table_level=True,
        ),
        Check(
            "reconciles_with_landing",
            "Per landing file: records in the file = records loaded + records quarantined.",
            batch=_landing_reconciliation,
            layer="raw",
        ),
        Check(
            "message_ids_match_landing",
            "The Segment messageIds of each landing file = those of its loaded or quarantined "
            "records (a fingerprint per file; a day that differs is compared id by id).",
            batch=_message_ids,
            layer="raw",
            applies_to=only(SEGMENT_EVENTS),
        ),
        Check(
            "volume",
            "A day's Segment events are within a band of the median of the same weekday in the "
            "trailing 28 days (warning).",
            blocking=False,
            batch=_volume,
            layer="raw",
            applies_to=only(SEGMENT_EVENTS),
        ),
        Check(
            "known_currencies",
            "Billing currencies are among the known ones (warning: a new currency is fine "
            "when it has rates; add it to CS_DQ_EXTRA_CURRENCIES).",
            blocking=False,
        ),
        Check(
            "events_have_known_accounts",
            "Product events belong to an account the warehouse knows (HubSpot company or "
            "Stripe customer); events of unknown accounts are counted, never silently dropped "
            "(warning).",
            blocking=False,
            batch=_unknown_accounts,
            layer="mart",
            applies_to=only("marts.fct_engagement_daily"),
        ),
        Check(
            "row_count_matches_spine",
            "fct_mrr has exactly one row per account per month of the account-month spine (MRR-5).",
            batch=_spine,
            layer="mart",
            applies_to=only("marts.fct_mrr"),
        ),
        Check(
            "total_mrr_change_within_band",
            "Total MRR month over month, new customers' MRR left out (a first sale is growth, "
            "not an anomaly), changes by less than the configured band (warning).",
            blocking=False,
            batch=_mrr_band,
            layer="mart",
            applies_to=only("marts.fct_mrr"),
        ),
    )
}


def is_blocking(config: QualityConfig, check: str, asset: str) -> bool:
    """Whether a failure of `check` on `asset` (e.g. "stripe/invoices", "fct_mrr") blocks
    publication: blocking by declaration, or promoted by CS_DQ_ERRORS."""
    return (
        CHECKS[check].blocking
        or check in config.promoted_to_errors
        or f"{asset}:{check}" in config.promoted_to_errors
    )


def aggregate_checks(layer: Literal["raw", "mart"], table: str) -> list[Check]:
    """The checks with their own batch function that apply to `table`, in declaration order."""
    return [check for check in CHECKS.values() if check.applies(layer, table)]


def checks_markdown(raw_suites: Sequence[TableSuite]) -> str:
    """The README's table of checks (`raw_suites`: every source's, orchestration.sources)."""
    rows = [
        (
            f"`{check.name}`",
            "error" if check.blocking else "warning",
            _scope(check, raw_suites),
            check.description,
        )
        for check in CHECKS.values()
    ]
    return render_markdown_table(["check", "blocks", "applies to", "description"], rows)


def _scope(check: Check, raw_suites: Sequence[TableSuite]) -> str:
    if check.layer == "suite":
        raw = [suite for suite in raw_suites if check.name in suite.check_names()]
        marts = [suite for suite in MART_SUITES if check.name in suite.check_names()]
        counts = [f"{len(raw)} raw objects" if raw else "", f"{len(marts)} marts" if marts else ""]
        return "suites of " + " and ".join(count for count in counts if count)
    if check.applies_to is every_table:
        scope = "every raw object" if check.layer == "raw" else "every mart"
    else:
        tables = (
            [s.table for s in raw_suites] if check.layer == "raw" else [s.name for s in MART_SUITES]
        )
        scope = ", ".join(f"`{table}`" for table in tables if check.applies_to(table))
    return scope + (" (table-level)" if check.table_level else "")
