"""Helpers for the dbt tests: run dbt in a subprocess against a scratch warehouse.

Each run gets its own warehouse file and target folder, so tests never touch
`dbt_project/target` or the developer's warehouse, and can run beside each other.

A run starts from one parse of the project made once per test process (`worker_parse`),
as the refresh starts from the one `make manifest` prepares: dbt parses the whole project
(~5-10 s) when its target folder holds no parse, or one made under another profile. The
warehouse reaches dbt as a name relative to the run's working folder (its own folder), so
every run's profile renders the same and the one parse serves them all.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.loader import load_landing
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.sources import ALL_TARGETS
from orchestration.transform import PARTIAL_PARSE_FILE, dbt_file_log_level

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


_PARSES: dict[str, Path] = {}  # warehouse file name -> its parse


def run_dbt(
    args: list[str],
    *,
    warehouse: Path,
    as_of: str | None,
    work_dir: Path,
    project_dir: Path = DBT_PROJECT_DIR,
) -> DbtRun:
    """Run `dbt <args>` on `warehouse` with CS_AS_OF=`as_of` (unset when None). A run of the
    project starts from the process's parse (`worker_parse`) unless `work_dir` already holds
    a parse (an earlier run's)."""
    parse = work_dir / "target" / PARTIAL_PARSE_FILE
    if project_dir == DBT_PROJECT_DIR and not parse.exists():
        parse.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(worker_parse(warehouse.name), parse)
    return _run(args, warehouse=warehouse, as_of=as_of, work_dir=work_dir, project_dir=project_dir)


def worker_parse(warehouse_name: str = "warehouse.duckdb") -> Path:
    """One `dbt parse` of the project per test process (xdist workers each make their own),
    without CS_AS_OF or any flag, as `make manifest` parses."""
    if warehouse_name not in _PARSES:
        work_dir = Path(tempfile.mkdtemp(prefix="dbt-parse-"))
        atexit.register(shutil.rmtree, work_dir, True)
        warehouse, project = work_dir / warehouse_name, DBT_PROJECT_DIR
        _run(
            ["parse"], warehouse=warehouse, as_of=None, work_dir=work_dir, project_dir=project
        ).check()
        _PARSES[warehouse_name] = work_dir / "target" / PARTIAL_PARSE_FILE
    return _PARSES[warehouse_name]


def _run(
    args: list[str], *, warehouse: Path, as_of: str | None, work_dir: Path, project_dir: Path
) -> DbtRun:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CS_AS_OF", "CS_WAREHOUSE_PATH", "DBT_TARGET_PATH", "DBT_LOG_PATH"}
    }
    # Relative to the working folder (`cwd` below): the same text in every run's profile.
    env["CS_WAREHOUSE_PATH"] = warehouse.name
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env.update(dbt_file_log_level())  # as the refresh: no debug file log (its output is kept)
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
        command,
        env=env,
        cwd=warehouse.parent,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
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


def _shared_folder(factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this session sees: the parent of the workers' own base
    folders (pytest-xdist's documented way to share a session fixture); without xdist, the
    base folder."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _made_once(folder: Path, make: Callable[[Path], None]) -> Path:
    """`folder`, filled by `make` in the first test process that asks for it; the others wait
    for it (an exclusive lock beside it) and then find it complete."""
    with open(folder.with_name(f"{folder.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not folder.exists():
            partial = folder.with_name(f"{folder.name}.partial")
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            make(partial)
            partial.rename(folder)
    return folder


def golden_raw_warehouse(factory: pytest.TempPathFactory) -> Path:
    """The golden landing folder loaded with the ingestion loader, once per test session:
    copy it before writing. Builds that compare with each other start from these same raw
    rows (the lineage columns, `_loaded_at` included, are then equal too)."""
    folder = _made_once(
        _shared_folder(factory) / "golden-raw",
        lambda into: load_golden(into / "warehouse.duckdb"),
    )
    return folder / "warehouse.duckdb"


def golden_built_warehouse(factory: pytest.TempPathFactory) -> Path:
    """`golden_raw_warehouse` built by `dbt build` as of GOLDEN_AS_OF, once per test session
    (the dbt tests and the Spark comparison read it; read-only). Unit tests read fixed rows,
    not the warehouse: they run once, in test_dbt_build.py."""
    raw = golden_raw_warehouse(factory)

    def build(into: Path) -> None:
        shutil.copy(raw, into / "warehouse.duckdb")
        run_dbt(
            ["build", "--exclude-resource-type", "unit_test"],
            warehouse=into / "warehouse.duckdb",
            as_of=GOLDEN_AS_OF,
            work_dir=into,
        ).check()

    return _made_once(_shared_folder(factory) / "golden-built", build) / "warehouse.duckdb"


# Session scope, not module: an xdist worker may run other modules' tests between this
# module's, and pytest tears a module fixture down whenever it leaves the module (CI built
# this twice).
@pytest.fixture(scope="session")
def golden_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden warehouse, built as of GOLDEN_AS_OF (`golden_built_warehouse`)."""
    return golden_built_warehouse(tmp_path_factory)
