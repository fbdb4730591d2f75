"""End to end, as a user runs it: generate demo data, then the CLI behind `make refresh`.

The generated landing files are counted here independently (plain Python JSON parsing), so
the reconciliation does not trust the loader it checks.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.headlines import headline_numbers
from orchestration.report.figures import CHARTS
from orchestration.settings import REPO_ROOT
from orchestration.sources import ALL_TARGETS
from tests.browser import render
from tests.e2e import report_checks
from tests.processes import pids_started_by, settled

# One worker runs this module: its tests share the generated data and warehouse.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(name="e2e")]

AS_OF = "2026-06-30"
NEXT_DAY = (date.fromisoformat(AS_OF) + timedelta(days=1)).isoformat()


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.landing = root / "landing"
        self.warehouse = root / "warehouse.duckdb"
        self.serving = root / "serving.duckdb"
        self.env = {
            **os.environ,
            "CS_LANDING_DIR": str(self.landing),
            "CS_WAREHOUSE_PATH": str(self.warehouse),
            "CS_SERVING_PATH": str(self.serving),
            "CS_AS_OF": AS_OF,
            "DAGSTER_HOME": str(root / "dagster_home"),
            "CS_DQ_DOCS_DIR": str(root / "data_docs"),
            "CS_DQ_STORE_DIR": str(root / "gx_store"),
            "CS_REPORT_DIR": str(root / "report"),
        }

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args],
            cwd=REPO_ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=1800,
        )

    def start(self, *args: str, log: Path) -> subprocess.Popen:
        """Start a command in the background, its output going to `log`."""
        with log.open("w") as out:
            return subprocess.Popen(
                [sys.executable, *args],
                cwd=REPO_ROOT,
                env={**self.env, "PYTHONUNBUFFERED": "1"},
                stdout=out,
                stderr=out,
            )

    def published(self) -> dict[str, int]:
        """Row counts of the newest publication, from the serving file's refresh log."""
        with duckdb.connect(str(self.serving), read_only=True) as reader:
            (counts,) = reader.execute(
                "select row_counts from meta.refresh_log order by published_at desc limit 1"
            ).fetchone()
        return json.loads(counts)

    def report(self) -> dict:
        return json.loads((self.landing / "generator_report.json").read_text())

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql).fetchall()


# Session scope, not module: an xdist worker may run other modules' tests between this
# module's, and pytest tears a module fixture down whenever it leaves the module (CI built
# this twice).
@pytest.fixture(scope="session")
def project(tmp_path_factory) -> Project:
    project = Project(tmp_path_factory.mktemp("e2e"))
    generated = project.run(
        "-m", "demo_data", "--scale", "small", "--seed", "11",
        "--as-of", AS_OF, "--months", "1", "--out", str(project.landing),
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr[-3000:]
    return project


def _records_in_line(line: str) -> int:
    """How many records a landing line holds, by LANDING.md's envelope rules."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return 1
    if isinstance(value, dict) and value.get("object") == "list":
        return len(value.get("data", []))
    if isinstance(value, dict) and isinstance(value.get("results"), list) and "id" not in value:
        return len(value["results"])
    return 1


def _count_file(path: Path) -> tuple[int, int]:
    """(lines, records) of one landing file, parsed without the loader."""
    raw = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    lines = raw.decode("utf-8", errors="replace").splitlines()
    if path.name == "rates.csv":
        return len(lines), len(lines) - 1  # the header is not a record
    return len(lines), sum(_records_in_line(line) for line in lines)


def _raw_snapshot(project: Project) -> dict[str, list[tuple]]:
    return {
        target.spec.table: project.query(f"select * from {target.spec.table} order by all")
        for target in ALL_TARGETS
    }


def _succeeded(result: subprocess.CompletedProcess) -> bool:
    return result.returncode == 0


@pytest.fixture(scope="session")
def ingested(project: Project) -> Project:
    """The landing folder ingested once, as `make refresh` does first."""
    result = project.run("-m", "orchestration.cli", "ingest")
    assert _succeeded(result), result.stdout[-3000:] + result.stderr[-3000:]
    return project


@pytest.fixture(scope="session")
def refreshed(ingested: Project) -> tuple[Project, dict, dict]:
    """A full refresh over the ingested warehouse: raw tables before and after it."""
    before = _raw_snapshot(ingested)
    started = time.monotonic()
    result = ingested.run("-m", "orchestration.cli", "refresh")
    assert _succeeded(result), result.stdout[-3000:] + result.stderr[-3000:]
    # The summary is the end of the output, not DuckDB's binding's shutdown warnings.
    assert "nanobind" not in result.stdout + result.stderr, result.stderr[-3000:]
    ingested.refresh_seconds = time.monotonic() - started
    return ingested, before, _raw_snapshot(ingested)


def test_ingestion_loads_every_object_and_accounts_for_every_record(ingested):
    project = ingested

    for target in ALL_TARGETS:
        (rows,) = project.query(f"select count(*) from {target.spec.table}")[0]
        assert rows > 0, f"{target.spec.table} is empty"

    logged = {
        file: (lines, loaded + quarantined)
        for file, lines, loaded, quarantined in project.query(
            "select file, lines_read, records_loaded, records_quarantined from raw_load_log"
        )
    }
    on_disk = {
        str(path.relative_to(project.landing)): _count_file(path)
        for path in project.landing.glob("*/*/*/*")
        if path.is_file() and not path.name.startswith("_")  # writer markers are not data
    }
    assert logged == on_disk

    injected = {
        (bad["file"], bad["line"])
        for bad_lines in project.report()["injected"].values()
        for bad in bad_lines
    }
    quarantined = set(project.query("select file, line_number from raw_quarantine"))
    assert quarantined == injected
    assert len(injected) == project.report()["injected_total"]


def test_refresh_leaves_raw_tables_identical_builds_marts_and_publishes(refreshed):
    project, before, after = refreshed
    assert after == before

    with duckdb.connect(str(project.serving), read_only=True) as reader:
        log = reader.execute("select as_of, row_counts, check_summary from meta.refresh_log")
        published = {as_of: (counts, checks) for as_of, counts, checks in log.fetchall()}
        (month_mrr,) = reader.execute(
            "select count(*) from marts.fct_revenue_monthly as r where r.mrr <> "
            "(select sum(m.mrr) from marts.fct_mrr as m where m.month = r.month)"
        ).fetchone()
        (paying,) = reader.execute(
            "select count(*) from marts.dim_accounts where is_paying"
        ).fetchone()
        # HLT-3, written by a Python asset after dbt: configured AUC = HLT-2's, and red +
        # yellow within the seed's 10 % + 20 % of the accounts scored on as_of
        (auc_differs,) = reader.execute(
            "select count(*) from marts.fct_health_backtest_learned as l "
            "join marts.fct_health_backtest as b using (month) "
            "where l.configured_auc is distinct from b.auc"
        ).fetchone()
        at_risk, scored = reader.execute(
            "select count(*) filter (where calibrated_band in ('red', 'yellow')), count(*) "
            "from marts.rpt_health_calibrated"
        ).fetchone()
    counts, checks = published[date.fromisoformat(AS_OF)]
    row_counts, check_summary = json.loads(counts), json.loads(checks)
    assert check_summary["dbt_tests"] > 0 and check_summary["dbt_tests_fail"] == 0
    assert row_counts["fct_mrr"] > 0 and row_counts["fct_account_health_daily"] > 0
    assert month_mrr == 0
    assert paying > 0
    assert row_counts["fct_health_backtest_learned"] == row_counts["fct_health_backtest"]
    assert auc_differs == 0
    assert 0 < at_risk <= 0.30 * scored


def test_the_cs_report_renders_every_chart_without_console_errors(refreshed):
    project = refreshed[0]
    index = Path(project.env["CS_REPORT_DIR"]) / "index.html"
    dom, console = render(index)

    assert console == []
    charts = re.findall(r'<div class="chart[^"]*" id="(chart-[a-z]+)"', dom)
    assert charts == [spec.id for spec in CHARTS], "a chart is missing (or said 'No data')"
    for chart in re.split(r'<div class="chart[^"]*" id="chart-[a-z]+"', dom)[1:]:
        # Plotly draws each trace's marks (bars, points, lines) as SVG paths once it has data.
        assert 'class="point"' in chart or 'class="js-line"' in chart, "an empty chart"
    assert dom.count("<tr>") > 1, "the at-risk worklist is empty"
    assert [h.label for h in headline_numbers(project.serving)] == list(report_checks.cards(dom)), (
        "the report's cards are not the CLI's headlines"
    )


def test_the_cs_report_filter_shows_what_sql_finds_for_each_segment_and_csm(refreshed):
    """Every selection the filter offers (segments, CSMs, pairs): its charts hold the numbers
    SQL finds over its accounts; with no filter they equal the marts' own totals and rates, and
    the cards are the CLI's headlines."""
    project = refreshed[0]
    index = Path(project.env["CS_REPORT_DIR"]) / "index.html"
    data = report_checks.embedded(index)
    report_checks.check_all_accounts_match_the_marts(project.serving, data)
    assert len(data["segments"]) > 1 and len(data["csms"]) > 1
    for key in data["selections"]:
        report_checks.check_selection_matches_sql(project.serving, data, key)
    cards = {card["label"]: card for card in data["selections"]["*|*"]["cards"]}
    for headline in headline_numbers(project.serving):
        assert cards[headline.label] == asdict(headline)


def test_the_cs_report_filtered_in_chromium_links_to_account_pages(refreshed):
    project = refreshed[0]
    index = Path(project.env["CS_REPORT_DIR"]) / "index.html"
    found = report_checks.check_filter_in_browser(project.serving, index)
    report_checks.check_account_page_from_worklist(project.serving, index, found["dom"])
    report_checks.check_worklist_sorts_by_click(project.serving, index)


def _start_reader(project: Project) -> tuple[subprocess.Popen, Path, Path]:
    stop, result = project.root / "reader.stop", project.root / "reader.json"
    stop.unlink(missing_ok=True)
    reader = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.serving_reader", project.serving, stop, result],
        cwd=REPO_ROOT,
    )
    return reader, stop, result


def _stop_reader(reader: subprocess.Popen, stop: Path, result: Path) -> dict:
    stop.touch()
    reader.wait(timeout=60)
    return json.loads(result.read_text())


def _wait_for(log: Path, text: str, process: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text():
        assert process.poll() is None, f"exited before printing {text!r}: {log.read_text()[-2000:]}"
        assert time.monotonic() < deadline, f"no {text!r} within {timeout}s"
        time.sleep(0.2)


def test_killed_refresh_leaves_serving_intact_and_the_waiting_refresh_succeeds(refreshed):
    """Two refreshes at once (the second waits for the first), the first killed with SIGKILL at
    a random point, a BI reader querying the serving file in a loop all along."""
    project = refreshed[0]
    published_before = project.published()
    reader = _start_reader(project)
    first = project.start("-m", "orchestration.cli", "refresh", log=project.root / "first.log")
    _wait_for(project.root / "first.log", "Ingesting landing days", first)
    second = project.start("-m", "orchestration.cli", "refresh", log=project.root / "second.log")
    _wait_for(project.root / "second.log", "Another refresh holds", second)

    kill_after = random.uniform(0.0, 0.5 * project.refresh_seconds)
    time.sleep(kill_after)
    assert first.poll() is None, f"the first refresh ended before the kill at {kill_after:.1f}s"
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert project.published() == published_before  # the kill published nothing half-way
    if sys.platform.startswith("linux"):
        # dbt, if the kill came during the build, died with the refresh (cs-dbt) instead of
        # building on and holding the warehouse while the second refresh waits
        outlived = settled(lambda: pids_started_by(first.pid))
        assert outlived == [], f"dbt {outlived} outlived the refresh killed at {kill_after:.1f}s"

    assert second.wait(timeout=1800) == 0, (project.root / "second.log").read_text()[-3000:]
    seen = _stop_reader(*reader)

    assert seen["errors"] == [] and seen["incomplete"] == [], f"killed at {kill_after:.1f}s"
    assert seen["passes"] > 10
    assert len(seen["snapshots"]) == 2, "the reader did not see the new publication"
    assert not list(project.serving.parent.glob(f".{project.serving.name}.*"))


def _land_next_day(project: Project) -> None:
    """NEXT_DAY's exports: the last day's Segment events a day later, and that day's rates."""
    source = project.landing / "segment" / "events" / AS_OF
    target = project.landing / "segment" / "events" / NEXT_DAY
    target.mkdir(parents=True)
    for path in source.glob("part-*.jsonl*"):
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        shifted = []
        for line in raw.decode().splitlines():
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue  # the generator's planted bad lines stay where they were
            event["messageId"] = f"next-{event['messageId']}"
            for field in ("timestamp", "receivedAt", "sentAt", "originalTimestamp"):
                if isinstance(event.get(field), str) and event[field][:10] <= AS_OF:
                    moved = date.fromisoformat(event[field][:10]) + timedelta(days=1)
                    event[field] = moved.isoformat() + event[field][10:]
            shifted.append(json.dumps(event))
        (target / path.name.removesuffix(".gz")).write_text("\n".join(shifted) + "\n")
    rates = (project.landing / "stripe" / "exchange_rates" / AS_OF / "rates.csv").read_text()
    rates_day = project.landing / "stripe" / "exchange_rates" / NEXT_DAY
    rates_day.mkdir(parents=True)
    (rates_day / "rates.csv").write_text(rates.replace(AS_OF, NEXT_DAY))


def test_a_new_landing_day_is_sensed_ingested_transformed_and_published(refreshed):
    project = refreshed[0]
    before = project.published()
    _land_next_day(project)

    result = project.run("-m", "tests.e2e.simulate_day", CS_AS_OF=NEXT_DAY)

    assert _succeeded(result), result.stdout[-3000:] + result.stderr[-3000:]
    account = json.loads(result.stdout.strip().splitlines()[-1])
    assert [tuple(r["window"]) for r in account["requested"]] == [(NEXT_DAY, NEXT_DAY)]
    assert account["ingestions"] == [True] and account["transformations"] == [True]
    assert account["requested_on_next_tick"] == 0
    after = project.published()
    print(f"published row counts before {before} after {after}")  # shown with -s
    assert after["fct_engagement_daily"] > before["fct_engagement_daily"]
    (events_next_day,) = project.query(
        f"select count(*) from raw_segment.events where _partition_date = '{NEXT_DAY}'"
    )[0]
    assert events_next_day > 0


def test_a_blocking_check_failure_fails_the_refresh_and_publishes_nothing(refreshed):
    project = refreshed[0]
    published = project.serving.read_bytes()
    bad_score = {
        "id": "nps-out-of-range",
        "createdAt": f"{AS_OF}T10:00:00.000Z",
        "properties": {
            "hs_survey_type": "NPS",
            "hs_value": "11",
            "hs_submission_timestamp": f"{AS_OF}T10:00:00.000Z",
        },
    }
    folder = project.landing / "hubspot" / "feedback_submissions" / AS_OF
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "part-00099.jsonl").write_text(json.dumps(bad_score) + "\n")

    result = project.run("-m", "orchestration.cli", "refresh")

    assert result.returncode == 1
    assert "FAILED check raw_hubspot/feedback_submissions: ranges" in result.stderr
    assert project.serving.read_bytes() == published
