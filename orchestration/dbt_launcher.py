"""`cs-dbt`: dbt that dies with the process that started it.

dagster-dbt runs dbt as a child process. When a refresh is killed with SIGKILL (no handler
runs), that child used to live on as an orphan: it kept building, kept the warehouse's DuckDB
write lock, and the next refresh waited for it (25 s of a demo build; a whole medium build is
90 s) or gave up on the lock. On Linux this launcher asks the kernel to SIGKILL it when its
parent dies (`prctl(PR_SET_PDEATHSIG)`, which survives `exec`) and then becomes dbt (same
process, same arguments). Elsewhere it only becomes dbt. The dbt resource starts dbt through it
(orchestration/resources.py); `pyproject.toml` installs it as a console script.

Kept to the standard library: it runs before every dbt build and must start in milliseconds.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import sys
from pathlib import Path

# Set by the process that starts dbt (orchestration/transform.py): its pid, so the launcher can
# tell whether it already died before the kernel took the request.
PARENT_PID_VARIABLE = "CS_DBT_PARENT_PID"
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent() -> bool:
    """Have the kernel SIGKILL this process when its parent dies (Linux; elsewhere False).
    Exits at once when the parent named by CS_DBT_PARENT_PID is already gone."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return False  # dbt still runs; only the orphan protection is missing
    expected_parent = os.environ.get(PARENT_PID_VARIABLE)
    if expected_parent and os.getppid() != int(expected_parent):
        os._exit(1)  # the parent died between starting us and the request
    return True


def plain_dbt() -> str:
    """The dbt of this environment, also when the venv's bin/ is not on PATH."""
    beside_python = Path(sys.executable).with_name("dbt")
    return str(beside_python) if beside_python.exists() else shutil.which("dbt") or "dbt"


def main() -> None:
    die_with_parent()
    dbt = plain_dbt()
    os.execvp(dbt, [dbt, *sys.argv[1:]])
