"""The dbt models as Dagster assets (dagster-dbt): one `dbt build` per refresh.

The manifest is prepared by `make` (`dbt parse`) before Dagster loads, never parsed at import.
dbt sources map onto the ingestion assets (`raw_stripe/customers`, ...) so the UI shows
raw -> staging -> intermediate -> marts; the tests of marts and audit models, and every
warning, become asset checks (`WarehouseDbtTranslator.get_asset_check_spec`).
"""

import contextlib
import io
import logging
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

import duckdb
from dagster import AssetCheckSpec, AssetExecutionContext, AssetKey, AssetObservation, AssetSpec
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.console import SILENCE_SECONDS
from orchestration.dbt_launcher import PARENT_PID_VARIABLE
from orchestration.resources import WAREHOUSE_POOL
from orchestration.run_config import RunConfig
from orchestration.settings import DBT_PROJECT_DIR, Settings
from orchestration.spark_output import mirror_spark_tables

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
MANIFEST_PATH = DBT_PROJECT.manifest_path

if not MANIFEST_PATH.exists():
    raise FileNotFoundError(
        f"dbt manifest missing at {MANIFEST_PATH}: run `make manifest` (dbt parse) first; "
        "`make run`, `make test` and `make dev` do it for you."
    )


class _DropTestObservationNotice(logging.Filter):
    """dagster-dbt logs one warning per dbt test that is not an asset check ("Logging an
    `AssetObservation` instead of an `AssetCheckResult`"); ours are deliberately not checks
    (`get_asset_check_spec`), and each warning would be one more event-log write."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "instead of an `AssetCheckResult`" not in record.getMessage()


logging.getLogger("dagster.builtin").addFilter(_DropTestObservationNotice())


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """Keys models by layer (`marts/fct_mrr`), groups them by layer, sources by raw schema.

    Describes each asset by its dbt yml description (grain, rule ids of docs/metrics.md), not
    by dagster-dbt's default, which appends the model's raw SQL.
    """

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        description = (dbt_resource_props.get("description") or "").strip()
        return description or (
            f"dbt {dbt_resource_props['resource_type']} {dbt_resource_props['name']}"
        )

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey([dbt_layer(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_layer(dbt_resource_props)

    def get_asset_check_spec(
        self,
        asset_spec: AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> AssetCheckSpec | None:
        """A dbt test is a Dagster asset check when a reader acts on its result: the tests of
        the marts and audit models (what BI tools and the publication read) and every warning.
        The error-severity tests of staging, intermediate and seeds run in the same `dbt build`
        and stop it when they fail (dbt skips what depends on the model, the step fails with
        the test's name on screen), but they are not checks: each check costs Dagster three
        event-log writes per run (planned, output, result), ~0.1 s of a 2-core machine."""
        test = manifest["nodes"][unique_id]
        attached = manifest["nodes"].get(test.get("attached_node") or "", {})
        warns = (test.get("config", {}).get("severity") or "error").lower() == "warn"
        if not warns and dbt_layer(attached) not in CHECKED_LAYERS:
            return None
        return super().get_asset_check_spec(asset_spec, manifest, unique_id, project)


# The dbt layers whose tests are Dagster asset checks (see `get_asset_check_spec`).
CHECKED_LAYERS = ("marts", "audit")


def dbt_layer(dbt_resource_props: Mapping[str, Any]) -> str:
    if dbt_resource_props.get("resource_type") == "seed":
        return "seeds"
    # fqn: [project, "staging" | "intermediate" | "marts", <area>, ..., name]
    fqn = dbt_resource_props.get("fqn", [])
    return fqn[1] if len(fqn) > 2 else "models"


# The refresh's dbt command. It must reuse the parse `make manifest` prepared: dbt re-parses the
# whole project (~15 s on 2 cores) when the command line's `--vars`, `--profile` or `--target`
# differ from the parse's (its "vars hash"). So `as_of` reaches dbt as CS_AS_OF (see
# `dbt_models`), and the engine is the profile's default target, which reads CS_DBT_TARGET as
# `Settings.dbt_target` does: dev (DuckDB) or spark. Unit tests check SQL logic on fixed rows,
# not data: `make test` runs them (tests/dbt), so the refresh skips their fixed cost.
DBT_BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test")


@dbt_assets(
    manifest=MANIFEST_PATH,
    project=DBT_PROJECT,
    dagster_dbt_translator=WarehouseDbtTranslator(),
    pool=WAREHOUSE_POOL,
)
def dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, run_config: RunConfig
) -> Iterator[Any]:
    """Staging, intermediate and mart models of `dbt_project/`, built and tested by dbt."""
    settings = run_config.settings
    log_path = dbt_log_path(settings)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    context.log.info(f"dbt build: {len(context.selected_asset_keys)} models; node log {log_path}")
    target = invocation_folder(context.run.run_id)
    kept_parse = kept_parse_path(settings)
    start_from_kept_parse(kept_parse, target)
    with log_path.open("w") as log, contextlib.redirect_stdout(DbtOutput(log, sys.stdout)) as out:
        # The date this run settled on (macros/as_of.sql), the warehouse, memory limit, engine;
        # and this process, which dbt must not outlive (orchestration/dbt_launcher.py).
        environment = {
            **run_config.dbt_environment(),
            **dbt_file_log_level(),
            PARENT_PID_VARIABLE: str(os.getpid()),
        }
        with process_environment(environment):
            invocation = dbt.cli(list(DBT_BUILD_ARGS), context=context, target_path=target)
        for event in invocation.stream():
            # dagster-dbt reports a test that is not a check as an observation of each model
            # it reads: bookkeeping nobody reads (the result is in run_results and the log).
            if not isinstance(event, AssetObservation):
                yield event
    context.log.info(f"dbt build: {out.totals or 'finished'} (every node in {log_path})")
    if FULL_PARSE_MESSAGE in log_path.read_text():
        context.log.info(
            "dbt parsed the whole project (no parse of it was kept for this warehouse, or its "
            "profile changed: another memory limit or engine); the next refresh reuses this one"
        )
    keep_parse(target, kept_parse)
    keep_copy(target / RUN_RESULTS_FILE, dbt_run_results_path(settings))
    if settings.on_spark:
        with duckdb.connect(str(settings.warehouse_path)) as con:
            mirrored = mirror_spark_tables(con, settings.spark_warehouse_dir)
        context.log.info(f"Spark output: {len(mirrored)} tables readable from the warehouse")
    prune_invocation_folders(MANIFEST_PATH.parent)


def dbt_file_log_level() -> dict[str, str]:
    """The level of dbt's own log file (`dbt.log` in the build's target folder): warnings and
    errors, unless DBT_LOG_LEVEL_FILE says otherwise. At its default, debug, dbt writes every
    statement it runs there as JSON: ~10 MB and 1-2 s of a 14 s demo build, for lines that
    logs/dbt_build.log has at info level anyway."""
    return {"DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE", "warn")}


@contextlib.contextmanager
def process_environment(values: Mapping[str, str]) -> Iterator[None]:
    """`values` in os.environ while dbt's process starts, restored afterwards.

    The one write to os.environ left: dagster-dbt 0.29's `DbtCliResource.cli` has no `env`
    parameter; it builds the dbt process's environment from `os.environ.copy()` (and parses the
    profile in this process), so the run's settings reach dbt only through it. Scoped to the
    call that starts the process: nothing else of the run reads it."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def dbt_log_path(settings: Settings) -> Path:
    """Where the newest build's per-node lines go: beside the warehouse, one file per build."""
    return settings.warehouse_path.parent / "logs" / "dbt_build.log"


RUN_RESULTS_FILE = "run_results.json"


def dbt_run_results_path(settings: Settings) -> Path:
    """dbt's run results of the warehouse's newest build, kept beside its node log: the
    publication's test counts and the benchmark's node timings read them. The builds' own
    folders under target/ serve every warehouse built from this checkout (a test's, the
    benchmark's), so the newest folder there may hold another warehouse's build."""
    return dbt_log_path(settings).with_name(f"dbt_{RUN_RESULTS_FILE}")


class DbtOutput(io.TextIOBase):
    """dbt's stdout during a build: every line into the log file, and on screen only what a
    person acts on (errors, failures, warnings, the totals), so a refresh prints one line of
    dbt progress instead of hundreds."""

    _SHOWN = re.compile(r"\b(ERROR|FAIL|WARN)\b|Completed with|Database Error")
    _FINISHED_NODE = re.compile(r"^(\d+) of (\d+) (OK|PASS|WARN|ERROR|FAIL|SKIP)")
    # As often as the silence pulse: a count of finished nodes says more than a bare pulse.
    PROGRESS_SECONDS = SILENCE_SECONDS

    def __init__(self, log: TextIO, screen: TextIO) -> None:
        self._log, self._screen = log, screen
        self.totals = ""
        self._started = self._shown_at = time.monotonic()
        self._done = 0

    def write(self, text: str) -> int:
        self._log.write(text)
        for line in text.splitlines():
            if "Done. PASS=" in line:
                self.totals = line.strip()
            elif self._SHOWN.search(line) and " PASS " not in line:
                self._screen.write(line + "\n")
            self._progress(line)
        return len(text)

    def _progress(self, line: str) -> None:
        """Every few seconds: how many of the build's nodes are done."""
        finished = self._FINISHED_NODE.match(line)
        if not finished or " hook: " in line:  # on-run-start hooks are counted apart by dbt
            return
        self._done += 1
        now = time.monotonic()
        if now - self._shown_at >= self.PROGRESS_SECONDS:
            self._shown_at = now
            total = finished.group(2)
            self._screen.write(
                f"  dbt build: {self._done} of {total} nodes done ({now - self._started:.0f} s)\n"
            )

    def flush(self) -> None:
        self._log.flush()
        self._screen.flush()


INVOCATION_FOLDERS_KEPT = 3


PARTIAL_PARSE_FILE = "partial_parse.msgpack"
FULL_PARSE_MESSAGE = "Unable to do partial parsing"


def invocation_folder(run_id: str) -> Path:
    """A build's own target folder, named as dagster-dbt names them (`dbt_models-<run>-<id>`)."""
    return MANIFEST_PATH.parent / f"dbt_models-{run_id[:7]}-{uuid.uuid4().hex[:7]}"


def kept_parse_path(settings: Settings) -> Path:
    """Where the refreshes of a warehouse keep dbt's parse of the project, beside it.

    dbt re-parses the whole project (~7-15 s) when the profile's rendered values differ from
    those of the parse it is given, and the warehouse path is one of them: the parse
    `make manifest` prepares fits the default warehouse only. dagster-dbt copies that parse into
    each build's folder and never back, so a warehouse elsewhere (a test's, the benchmark's)
    paid a full parse on every refresh; kept in one shared place, two such warehouses took it
    from each other. dbt checks every file's hash on a partial parse, so a kept parse is never
    stale: a changed model is re-parsed alone."""
    warehouse = settings.warehouse_path
    return warehouse.parent / "dbt_parse" / f"{warehouse.stem}.msgpack"


def start_from_kept_parse(kept: Path, invocation_target: Path) -> None:
    """Give a build the warehouse's kept parse (dagster-dbt then leaves it in place); without
    one, dagster-dbt gives it the parse `make manifest` prepared."""
    if kept.exists():
        invocation_target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(kept, invocation_target / PARTIAL_PARSE_FILE)


def keep_parse(invocation_target: Path, kept: Path) -> None:
    """Keep the parse a build ended with (partial or whole) for the warehouse's next build."""
    keep_copy(invocation_target / PARTIAL_PARSE_FILE, kept)


def keep_copy(produced: Path, kept: Path) -> None:
    """Copy what a build produced in its own folder to where its warehouse keeps it, if the
    build produced it."""
    if produced.exists():
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(produced, kept)


def prune_invocation_folders(target_dir: Path, keep: int = INVOCATION_FOLDERS_KEPT) -> None:
    """dagster-dbt gives every invocation its own target folder (tens of MB, mostly logs and
    compiled SQL); keep the newest few for debugging (each warehouse keeps its own parse and
    run results beside it)."""
    folders = sorted(
        (path for path in target_dir.glob("dbt_models-*") if path.is_dir()),
        key=lambda path: path.stat().st_mtime,
    )
    for folder in folders[:-keep]:
        shutil.rmtree(folder, ignore_errors=True)
