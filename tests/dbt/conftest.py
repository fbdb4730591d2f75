"""Helpers for the dbt tests: run dbt in a subprocess against a scratch warehouse.

Each run gets its own warehouse file and target folder, so tests never touch
`dbt_project/target` or the developer's warehouse, and can run beside each other.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.loader import load_landing
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.sources import ALL_TARGETS

DBT = Path(sys.executable).parent / "dbt"
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
GOLDEN_LANDING = GOLDEN_DIR / "landing"
GOLDEN_AS_OF = "2025-06-15"


@dataclass
class DbtRun:
    args: list[str]
    returncode: int
    output: str

    def summary(self) -> str:
        """dbt's last 'Done. PASS=.. WARN=.. ERROR=..' line."""
        lines = [line for line in self.output.splitlines() if "Done. PASS=" in line]
        return lines[-1].strip() if lines else ""

    def check(self) -> DbtRun:
        assert self.returncode == 0, f"dbt {' '.join(self.args)} failed:\n{self.output[-8000:]}"
        return self


def run_dbt(
    args: list[str],
    *,
    warehouse: Path,
    as_of: str | None,
    work_dir: Path,
    project_dir: Path = DBT_PROJECT_DIR,
) -> DbtRun:
    """Run `dbt <args>` on `warehouse` with CS_AS_OF=`as_of` (unset when None)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CS_AS_OF", "CS_WAREHOUSE_PATH", "DBT_TARGET_PATH", "DBT_LOG_PATH"}
    }
    env["CS_WAREHOUSE_PATH"] = str(warehouse)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    if as_of is not None:
        env["CS_AS_OF"] = as_of
    command = [
        str(DBT),
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    completed = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    return DbtRun(args, completed.returncode, completed.stdout + completed.stderr)


def load_golden(warehouse: Path, landing: Path = GOLDEN_LANDING) -> None:
    """Load a landing folder with the ingestion loader; nothing may be quarantined."""
    con = duckdb.connect(str(warehouse))
    try:
        reports = load_landing(con, landing, ALL_TARGETS)
        errors = [report.error for report in reports if report.error]
        quarantined = con.execute(
            "select object, reason, raw_text from main.raw_quarantine"
        ).fetchall()
    finally:
        con.close()
    assert not errors, errors
    assert not quarantined, quarantined


def query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# Session scope, not module: an xdist worker may run other modules' tests between this
# module's, and pytest tears a module fixture down whenever it leaves the module (CI built
# this twice).
@pytest.fixture(scope="session")
def golden_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden landing folder loaded and `dbt build` run as of GOLDEN_AS_OF."""
    work_dir = tmp_path_factory.mktemp("golden")
    warehouse = work_dir / "warehouse.duckdb"
    load_golden(warehouse)
    run_dbt(["build"], warehouse=warehouse, as_of=GOLDEN_AS_OF, work_dir=work_dir).check()
    return warehouse
