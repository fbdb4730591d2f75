"""`cs-dbt` (orchestration/dbt_launcher.py): dbt dies with the refresh that started it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.dbt_launcher import PARENT_PID_VARIABLE
from orchestration.resources import dbt_executable
from tests.processes import running, settled

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG and /proc are Linux's"
)

# A stand-in for dbt: asks to die with its parent, says so, then works for two minutes.
_CHILD = (
    "import time; from orchestration.dbt_launcher import die_with_parent; "
    "print('protected' if die_with_parent() else 'unprotected', flush=True); time.sleep(120)"
)
# A stand-in for the refresh: starts the child as dagster-dbt starts dbt, prints its pid.
_PARENT = f"""
import os, subprocess, sys, time
env = {{**os.environ, {PARENT_PID_VARIABLE!r}: str(os.getpid())}}
child = subprocess.Popen(
    [sys.executable, "-c", {_CHILD!r}], stdout=subprocess.PIPE, text=True, env=env
)
print(child.pid, child.stdout.readline().strip(), flush=True)
time.sleep(120)
"""


@linux_only
def test_the_child_is_killed_when_its_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True)
    try:
        pid, protection = parent.stdout.readline().split()
        child = int(pid)
        assert protection == "protected"
        assert running(child)
        parent.kill()  # SIGKILL: nothing of the parent runs any more
        parent.wait()
        assert not settled(lambda: running(child)), "the child outlived its killed parent"
    finally:
        parent.kill()


@linux_only
def test_a_child_whose_parent_is_already_gone_does_not_start():
    env = {**os.environ, PARENT_PID_VARIABLE: str(os.getpid() + 1_000_000)}  # not its parent
    result = subprocess.run(
        [sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1 and result.stdout == ""


def test_the_resource_starts_dbt_through_the_launcher():
    # `make env` installs the console script (pyproject.toml [project.scripts]); a stale
    # environment without it would silently fall back to plain dbt.
    assert Path(dbt_executable()).name == "cs-dbt"
    version = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and "installed:" in version.stdout
