"""End to end, as a user runs it: generate demo data, then the CLI behind `make refresh`.

The generated landing files are counted here independently (plain Python JSON parsing), so
the reconciliation does not trust the loader it checks.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.targets import ALL_TARGETS
from orchestration.settings import REPO_ROOT

# One worker runs this module: its tests share the generated data and warehouse.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(name="e2e")]

AS_OF = "2026-06-30"


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
        }

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=1800,
        )

    def report(self) -> dict:
        return json.loads((self.landing / "generator_report.json").read_text())

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    project = Project(tmp_path_factory.mktemp("e2e"))
    generated = project.run(
        "-m", "orchestration.demo_data", "--scale", "small", "--seed", "11",
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


@pytest.fixture(scope="module")
def ingested(project: Project) -> Project:
    """The landing folder ingested once, as `make refresh` does first."""
    result = project.run("-m", "orchestration.cli", "ingest")
    assert _succeeded(result), result.stdout[-3000:] + result.stderr[-3000:]
    return project


@pytest.fixture(scope="module")
def refreshed(ingested: Project) -> tuple[Project, dict, dict]:
    """A full refresh over the ingested warehouse: raw tables before and after it."""
    before = _raw_snapshot(ingested)
    result = ingested.run("-m", "orchestration.cli", "refresh")
    assert _succeeded(result), result.stdout[-3000:] + result.stderr[-3000:]
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
        if path.is_file()
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
    counts, checks = published[date.fromisoformat(AS_OF)]
    row_counts, check_summary = json.loads(counts), json.loads(checks)
    assert check_summary["dbt_tests"] > 0 and check_summary["dbt_tests_fail"] == 0
    assert row_counts["fct_mrr"] > 0 and row_counts["fct_account_health_daily"] > 0
    assert month_mrr == 0
    assert paying > 0


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
