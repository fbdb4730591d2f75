"""Runs suites with Great Expectations and builds Data Docs.

Row-level suites (raw tables, marts) run on GX's SQL engine over the warehouse: a batch is a
query (`Batch.query`), DuckDB computes every metric and GX receives only aggregates and a few
unexpected rows. GX's SQL engine needs one held connection on DuckDB (data_quality/gx_duckdb.py
says why). Checks whose rows are themselves an aggregate that DuckDB computed (freshness,
volume, reconciliations: a few hundred rows, also shown as the check's report) hand GX that
small frame (`Batch.frame`, GX's pandas engine).

GX runs in an ephemeral context whose suites and validation results live on disk
(`QualityConfig.store_dir`, git-ignored), so the Data Docs site built into
`QualityConfig.docs_dir` on every run indexes the results of every check, also when checks run
in separate processes. A file lock serialises the writes to the shared stores and site.
"""

from __future__ import annotations

import fcntl
import logging
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from data_quality import gx_duckdb
from data_quality.checks import CHECKS, is_blocking
from data_quality.config import QualityConfig
from data_quality.offline_assets import make_offline
from data_quality.rules import Batch, Rule

log = logging.getLogger(__name__)

SITE_NAME = "cs_warehouse"
_DATASOURCE = "warehouse_frames"
# GX SQL datasources over the warehouse: plain queries (marts: column-pruned table scans), and
# queries GX first materialises as a temp table (raw suites: the JSON is parsed once per batch,
# not once per metric query).
_SQL_DATASOURCE = "warehouse_sql"
_STAGED_SQL_DATASOURCE = "warehouse_sql_staged"
_SAMPLE_TEXT = 120


@dataclass
class RuleOutcome:
    suite: str
    check: str
    expectation: str
    success: bool
    element_count: int = 0
    unexpected_count: int = 0
    samples: list[str] = field(default_factory=list)
    observed: str | None = None
    error: str | None = None
    note: str = ""


@dataclass
class CheckOutcome:
    """Everything a Dagster check result reports: pass/fail, counts, samples, docs links."""

    check: str
    rules: list[RuleOutcome] = field(default_factory=list)
    docs_urls: list[str] = field(default_factory=list)
    docs_index: str | None = None
    skipped: str | None = None  # why nothing was validated (e.g. the table is not built yet)
    report: str | None = None  # an optional markdown table (reconciliations)
    batches: int = 0

    @property
    def passed(self) -> bool:
        return self.skipped is None and all(r.success for r in self.rules)

    @property
    def blocking(self) -> bool:
        return CHECKS[self.check].blocking

    @property
    def unexpected_count(self) -> int:
        return sum(r.unexpected_count for r in self.rules)

    @property
    def element_count(self) -> int:
        return sum(r.element_count for r in self.rules)

    @property
    def unexpected_percent(self) -> float:
        checked = self.element_count
        return round(100.0 * self.unexpected_count / checked, 4) if checked else 0.0

    @property
    def suites(self) -> list[str]:
        return list(dict.fromkeys(r.suite for r in self.rules))

    @property
    def failed_expectations(self) -> list[str]:
        return list(dict.fromkeys(r.expectation for r in self.rules if not r.success))

    @property
    def samples(self) -> list[str]:
        seen: list[str] = []
        for rule in self.rules:
            for sample in rule.samples:
                if sample not in seen:
                    seen.append(f"{rule.expectation}: {sample}")
        return seen

    def merge(self, other: CheckOutcome) -> None:
        """Fold another batch's outcome of the same check into this one, rule by rule."""
        by_key = {(r.suite, r.expectation): r for r in self.rules}
        for rule in other.rules:
            mine = by_key.get((rule.suite, rule.expectation))
            if mine is None:
                self.rules.append(rule)
                by_key[(rule.suite, rule.expectation)] = rule
                continue
            mine.success = mine.success and rule.success
            mine.element_count += rule.element_count
            mine.unexpected_count += rule.unexpected_count
            mine.samples = (mine.samples + rule.samples)[: max(len(mine.samples), 10)]
            mine.error = mine.error or rule.error
            mine.observed = rule.observed or mine.observed
        self.docs_urls += [u for u in other.docs_urls if u not in self.docs_urls]
        self.docs_index = other.docs_index or self.docs_index
        self.batches += other.batches


def group_by_check(outcomes: Sequence[RuleOutcome]) -> dict[str, CheckOutcome]:
    checks: dict[str, CheckOutcome] = {}
    for outcome in outcomes:
        checks.setdefault(outcome.check, CheckOutcome(outcome.check)).rules.append(outcome)
    return checks


# ---------------------------------------------------------------------------------------------
# GX context


_CONTEXTS: dict[tuple[str, str], Any] = {}


def _context(config: QualityConfig) -> Any:
    """One ephemeral GX context per process and store: suites and results on disk."""
    key = (str(config.store_dir), str(config.docs_dir))
    if key in _CONTEXTS:
        return _CONTEXTS[key]
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    project = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    for store, folder in (
        ("expectations_store", "expectations"),
        ("validation_results_store", "validations"),
    ):
        project.stores[store]["store_backend"] = {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(config.store_dir / folder),
        }
    project.data_docs_sites = {
        SITE_NAME: {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            # GX's renderers, subclassed to tell a blocking failure from a warning.
            "site_index_builder": {
                "class_name": "DefaultSiteIndexBuilder",
                "renderer": {
                    "module_name": "data_quality.docs_render",
                    "class_name": "SeveritySiteIndexPageRenderer",
                },
            },
            "site_section_builders": {
                "validations": {
                    "renderer": {
                        "class_name": "ValidationResultsPageRenderer",
                        "column_section_renderer": {
                            "class_name": "ValidationResultsColumnSectionRenderer",
                            "table_renderer": {
                                "module_name": "data_quality.docs_render",
                                "class_name": "SeverityValidationResultsTableRenderer",
                            },
                        },
                    },
                },
            },
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(config.docs_dir),
            },
        }
    }
    context = gx.get_context(mode="ephemeral", project_config=project)
    _keep_configuration_in_memory(context)
    context.data_sources.add_or_update_pandas(_DATASOURCE)
    gx_duckdb.add_datasource(context, _SQL_DATASOURCE, create_temp_table=False)
    gx_duckdb.add_datasource(context, _STAGED_SQL_DATASOURCE, create_temp_table=True)
    _CONTEXTS[key] = context
    return context


def _keep_configuration_in_memory(context: Any) -> None:
    """Skip GX's copy of an ephemeral context's configuration after each change.

    GX 1.x serializes the whole configuration, every data asset with its query, into an
    in-memory store each time an asset or batch definition is added, although an ephemeral
    context reads its configuration from memory and nothing reads that copy back. A raw-check
    run adds two per validation (59): ~120 copies of a growing configuration, ~0.6 s of the
    demo's ~7 s. Suites, validation definitions and results keep their own stores (on disk)."""
    context._save_project_config = lambda: None


@contextmanager
def _store_lock(config: QualityConfig) -> Iterator[None]:
    config.store_dir.mkdir(parents=True, exist_ok=True)
    with open(config.store_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_name(run_name: str, label: str) -> str:
    """A GX run name that dateutil cannot read as a time: the Data Docs page title parses
    run names and fails on ranges such as 2024-06-01..2025-06-30."""
    from dateutil.parser import ParserError, parse

    name = " ".join(part for part in ("gate", run_name, "days" if label else "", label) if part)
    try:
        parse(name)
    except (ParserError, ValueError, OverflowError):
        return name
    return f"gate run {run_name}".strip()


_DEFINITIONS: dict[tuple[int, str, tuple], Any] = {}


def _validation_definition(context: Any, batch: Batch, blocking: Sequence[bool]) -> Any:
    """The GX suite and validation definition of a batch, registered once per process for
    the same rules and severities (registering writes the suite to the store)."""
    import great_expectations as gx

    cache_key = (
        id(context),
        _datasource_name(batch),
        batch.suite_name,
        tuple(repr(rule) for rule in batch.rules),
        tuple(blocking),
    )
    if cache_key in _DEFINITIONS:
        definition = _DEFINITIONS[cache_key]
        if batch.query is not None:
            definition.data.data_asset.query = batch.query
        return definition

    datasource = context.data_sources.get(_datasource_name(batch))
    if batch.query is None:
        try:
            asset = datasource.get_asset(batch.suite_name)
        except LookupError:
            asset = datasource.add_dataframe_asset(batch.suite_name)
        try:
            batch_definition = asset.get_batch_definition("whole_frame")
        except (KeyError, LookupError):
            batch_definition = asset.add_batch_definition_whole_dataframe("whole_frame")
    else:
        try:
            asset = datasource.get_asset(batch.suite_name)
            asset.query = batch.query
        except LookupError:
            asset = datasource.add_query_asset(batch.suite_name, query=batch.query)
        try:
            batch_definition = asset.get_batch_definition("whole_query")
        except (KeyError, LookupError):
            batch_definition = asset.add_batch_definition_whole_table("whole_query")
    # All rules at once: `add_expectation` on a registered suite rewrites the store per rule.
    expectations = [
        rule.build(f"{batch.suite_name}#{number}", blocks)
        for number, (rule, blocks) in enumerate(zip(batch.rules, blocking, strict=True))
    ]
    suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=batch.suite_name, expectations=expectations)
    )
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=batch.suite_name, data=batch_definition, suite=suite)
    )
    _DEFINITIONS[cache_key] = definition
    return definition


def _datasource_name(batch: Batch) -> str:
    if batch.query is None:
        return _DATASOURCE
    return _STAGED_SQL_DATASOURCE if batch.staged else _SQL_DATASOURCE


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = ", ".join(f"{k}={_text(v)}" for k, v in value.items())
    elif _is_missing(value):
        value = "null"
    text = str(value)
    return text if len(text) <= _SAMPLE_TEXT else text[: _SAMPLE_TEXT - 1] + "…"


def query_columns(con: duckdb.DuckDBPyConnection, query: str) -> list[str]:
    """The columns a query returns (DuckDB plans it; no row is read)."""
    return [column[0] for column in con.execute(f"select * from ({query}) limit 0").description]


def _bad_value_first(sample: Any, rule: Rule) -> Any:
    """A sample row with the rule's columns (the bad value) before the row's key columns."""
    if not isinstance(sample, dict):
        return sample
    first = {c: sample[c] for c in rule.columns if c in sample}
    return {**first, **{k: v for k, v in sample.items() if k not in first}}


def _missing_columns(columns: Sequence[str], rule: Rule) -> list[str]:
    return [c for c in rule.columns if c not in columns]


def _outcome(batch: Batch, rule: Rule, result: Any, sample_size: int) -> RuleOutcome:
    outcome = RuleOutcome(
        batch.suite_name, rule.check, rule.name, bool(result.success), note=rule.note
    )
    details = result.result or {}
    info = result.exception_info or {}
    if info.get("raised_exception"):
        outcome.error = str(info.get("exception_message"))[:500]
    else:
        for value in info.values():
            if isinstance(value, dict) and value.get("raised_exception"):
                outcome.error = str(value.get("exception_message"))[:500]
    if "element_count" in details:
        outcome.element_count = int(details["element_count"])
        outcome.unexpected_count = int(details.get("unexpected_count") or 0)
        samples = details.get("partial_unexpected_index_list") or details.get(
            "partial_unexpected_list"
        )
        outcome.samples = [_text(_bad_value_first(s, rule)) for s in (samples or [])[:sample_size]]
    elif "observed_value" in details:
        # Table-level expectations (row count): the distance from the expected value.
        observed = details["observed_value"]
        outcome.observed = _text(observed)
        expected = rule.kwargs.get("value")
        outcome.element_count = int(observed) if isinstance(observed, int) else 0
        if expected is not None and isinstance(observed, int):
            outcome.unexpected_count = abs(observed - int(expected))
            outcome.samples = [f"observed {observed} rows, expected {expected}"]
    if outcome.error and outcome.success:
        outcome.success = False
    return outcome


@dataclass(frozen=True)
class AssetBatches:
    """The batches of one checked asset. `asset` names it as CS_DQ_ERRORS does
    (`stripe/invoices`, `fct_mrr`): a warning promoted to an error there is blocking in the
    suite and its Data Docs too."""

    asset: str
    batches: Sequence[Batch]
    run_name: str = ""


def validate(
    batches: Iterable[Batch],
    config: QualityConfig,
    run_name: str = "",
    asset: str = "",
    con: duckdb.DuckDBPyConnection | None = None,
) -> dict[str, CheckOutcome]:
    """Validate the batches of one asset (see `validate_assets`), grouped by check."""
    return validate_assets([AssetBatches(asset, list(batches), run_name)], config, con)[0]


def validate_assets(
    assets: Sequence[AssetBatches], config: QualityConfig, con: duckdb.DuckDBPyConnection | None
) -> list[dict[str, CheckOutcome]]:
    """Validate every batch with GX and build their Data Docs pages in one build; per asset,
    its outcomes grouped by check. One call for many assets pays GX's fixed costs (the
    context's lock, the docs build, the pages' templates) once, not once per asset.

    Query batches run on GX's SQL engine through `con` (required when a batch has a query).
    """
    _refuse_undeclared_checks(assets)
    context = _context(config)
    results: list[dict[str, CheckOutcome]] = []
    identifiers: list[tuple[Any, list[CheckOutcome]]] = []
    sql = [context.data_sources.get(name) for name in (_SQL_DATASOURCE, _STAGED_SQL_DATASOURCE)]
    with _store_lock(config), _lending(sql, con):
        for asset in assets:
            checks: dict[str, CheckOutcome] = {}
            for batch in asset.batches:
                outcomes, key = _validate_batch(
                    context, batch, config, asset.run_name, asset.asset, con
                )
                grouped = group_by_check(outcomes)
                for check, outcome in grouped.items():
                    outcome.batches = 1
                    if check in checks:
                        checks[check].merge(outcome)
                    else:
                        checks[check] = outcome
                if key is not None:
                    identifiers.append((key, [checks[check] for check in grouped]))
            results.append(checks)
        # The index lists every stored result and is the slow part of a build: it is rebuilt
        # here only when something failed (people open Data Docs then, and a blocked run never
        # reaches the publication), else once per run by `build_docs_index`.
        failed = any(not o.passed for checks in results for o in checks.values())
        urls = build_docs(context, config, [key for key, _ in identifiers], with_index=failed)
    for key, outcomes in identifiers:
        url = urls.get(str(key))
        for outcome in outcomes:
            if url and url not in outcome.docs_urls:
                outcome.docs_urls.append(url)
    for checks in results:
        for outcome in checks.values():
            outcome.docs_index = config.docs_index.as_uri()
    return results


def _refuse_undeclared_checks(assets: Sequence[AssetBatches]) -> None:
    """A rule's check decides its severity and the Dagster check it reports to: a name that
    checks.py does not declare is a programming error, named before anything runs."""
    for asset in assets:
        for batch in asset.batches:
            for rule in batch.rules:
                if rule.check not in CHECKS:
                    raise ValueError(
                        f"{batch.suite_name}: rule {rule.name} names check {rule.check!r}, which "
                        f"data_quality/checks.py does not declare (declared: {', '.join(CHECKS)})"
                    )


@contextmanager
def _lending(datasources: list[Any], con: duckdb.DuckDBPyConnection | None) -> Iterator[None]:
    if con is None:
        yield
        return
    with gx_duckdb.use_connection(datasources, con):
        yield


def _validate_batch(
    context: Any,
    batch: Batch,
    config: QualityConfig,
    run_name: str,
    asset: str,
    con: duckdb.DuckDBPyConnection | None,
) -> tuple[list[RuleOutcome], Any]:
    """One GX validation: the rule outcomes and the stored result's key (None if none ran)."""
    from great_expectations.core.run_identifier import RunIdentifier

    if batch.query is not None and con is None:
        raise ValueError(f"batch {batch.suite_name} is a query: validate() needs a connection")
    columns = list(batch.frame.columns) if batch.query is None else query_columns(con, batch.query)
    runnable = [r for r in batch.rules if not _missing_columns(columns, r)]
    outcomes = [
        RuleOutcome(
            batch.suite_name,
            rule.check,
            rule.name,
            False,
            error=f"column {', '.join(_missing_columns(columns, rule))} missing from "
            f"{batch.suite_name}",
            note=rule.note,
        )
        for rule in batch.rules
        if _missing_columns(columns, rule)
    ]
    if not runnable:
        return outcomes, None
    run_batch = Batch(
        batch.suite_name,
        batch.frame,
        runnable,
        batch.label,
        batch.index_columns,
        batch.query,
        batch.staged,
    )
    blocking = [is_blocking(config, rule.check, asset) for rule in runnable]
    definition = _validation_definition(context, run_batch, blocking)
    result_format = _result_format(batch, columns, config)
    run_id = RunIdentifier(run_name=_run_name(run_name, batch.label), run_time=datetime.now(UTC))
    parameters = {"dataframe": batch.frame} if batch.query is None else None
    result = definition.run(batch_parameters=parameters, result_format=result_format, run_id=run_id)
    by_id = {r.expectation_config.meta.get("rule_id"): r for r in result.results}
    for number, rule in enumerate(runnable):
        gx_result = by_id[f"{batch.suite_name}#{number}"]
        outcomes.append(_outcome(batch, rule, gx_result, config.sample_size))
    key = _result_key(context, batch.suite_name, run_id, result)
    if key is not None:
        _keep_unexpected_rows(context, key, result, config.unexpected_rows_kept)
    return outcomes, key


def _result_format(batch: Batch, columns: Sequence[str], config: QualityConfig) -> dict:
    """What GX returns besides counts: the unexpected rows with their index columns, which the
    Data Docs page shows next to each bad value.

    A frame is validated COMPLETE (SUMMARY keeps only the partial lists, which GX renders
    without the rows' keys). A query is validated SUMMARY with up to `unexpected_rows_kept`
    rows: COMPLETE would make GX fetch every unexpected value of the batch (a broken column of
    millions of rows), and the stored result gets the partial lists as its full ones
    (`_keep_unexpected_rows`), so the page shows them with their keys all the same."""
    result_format: dict[str, Any] = {
        "result_format": "COMPLETE" if batch.query is None else "SUMMARY",
        "partial_unexpected_count": (
            config.sample_size
            if batch.query is None
            else max(config.sample_size, config.unexpected_rows_kept)
        ),
        "return_unexpected_index_query": False,
    }
    index = [c for c in batch.index_columns if c in columns]
    if index:
        result_format["unexpected_index_column_names"] = index
    return result_format


def _keep_unexpected_rows(context: Any, key: Any, result: Any, limit: int) -> None:
    """Store at most `limit` unexpected rows per expectation: a COMPLETE result lists every
    one, and a broken column of a large batch must not write megabytes per run. The page then
    says "Sampled Unexpected Values"; counts and percentages stay those of the whole batch.
    A SUMMARY result (query batches) has only the partial lists, which Data Docs render
    without the rows' keys: they are stored as the full lists."""
    trimmed = False
    for expectation in result.results:
        details = expectation.result or {}
        for partial, full in (
            ("partial_unexpected_list", "unexpected_list"),
            ("partial_unexpected_index_list", "unexpected_index_list"),
        ):
            if full not in details and isinstance(details.get(partial), list):
                details[full] = list(details[partial])
                trimmed = True
        for name in ("unexpected_list", "unexpected_index_list"):
            values = details.get(name)
            if isinstance(values, list) and len(values) > limit:
                details[name] = values[:limit]
                trimmed = True
    if trimmed:
        context.validation_results_store.set(key, result)


def _result_key(context: Any, suite_name: str, run_id: Any, result: Any) -> Any:
    """The store key of `result` (for its Data Docs page), as ValidationDefinition.run built
    it; built, not searched: listing the store reads every kept result's path, per batch."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    key = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
        run_id=run_id,
        batch_identifier=result.batch_id,
    )
    if context.validation_results_store.has_key(key):
        return key
    log.warning("no stored validation result of %s in run %s", suite_name, run_id)
    return None


def build_docs_index(config: QualityConfig) -> Path:
    """Rebuild the Data Docs index over every stored result (once per run, after its checks)."""
    context = _context(config)
    with _store_lock(config):
        build_docs(context, config, [], with_index=True)
    return config.docs_index


def build_docs(
    context: Any, config: QualityConfig, keys: Sequence[Any], with_index: bool = True
) -> dict[str, str]:
    """Prune old results, build the new results' pages (and the index); page URL per key."""
    _prune_results(context, config, keep={str(key) for key in keys})
    config.docs_dir.mkdir(parents=True, exist_ok=True)
    resources = [*keys, *_suite_pages_to_build(context, config, keys)]
    if not resources:
        # An empty list would make GX rebuild every page; one suite page is cheap.
        resources = context.expectations_store.list_keys()[:1]
    if resources:
        context.build_data_docs(
            site_names=[SITE_NAME], resource_identifiers=resources, build_index=with_index
        )
    make_offline(config.docs_dir)  # GX links its scripts from CDNs; load them from the site
    urls: dict[str, str] = {}
    for key in keys:
        try:
            sites = context.get_docs_sites_urls(resource_identifier=key, site_name=SITE_NAME)
            if sites and sites[0].get("site_url"):
                urls[str(key)] = sites[0]["site_url"]
        except Exception as error:  # a missing link must not fail the check
            log.warning("no Data Docs page for %s: %s", key, error)
    return urls


def _suite_pages_to_build(context: Any, config: QualityConfig, keys: Sequence[Any]) -> list[Any]:
    """The expectation-suite pages to (re)build: the suites of this run's results (their rules
    may have changed) and every stored suite whose page is missing, so that no "Expectation
    Suite" link of the index or of a validation page leads nowhere."""
    validated = {key.expectation_suite_identifier.name for key in keys}
    suites = []
    for suite_key in context.expectations_store.list_keys():
        page = config.docs_dir / "expectations" / f"{Path(*suite_key.name.split('.'))}.html"
        if suite_key.name in validated or not page.exists():
            suites.append(suite_key)
    return suites


def _prune_results(context: Any, config: QualityConfig, keep: set[str]) -> None:
    """Keep the newest `results_kept_per_suite` results of each suite (and every result of
    this run, `keep`), and delete the pages of the others."""
    store = context.validation_results_store
    by_suite: dict[str, list[Any]] = {}
    for key in store.list_keys():
        by_suite.setdefault(key.expectation_suite_identifier.name, []).append(key)
    for keys in by_suite.values():
        keys.sort(key=lambda k: str(k.run_id.run_time))
        for old in keys[: -config.results_kept_per_suite]:
            if str(old) in keep:
                continue
            store.remove_key(old)
            page = config.docs_dir / "validations" / Path(*old.to_tuple()).with_suffix(".html")
            page.unlink(missing_ok=True)
