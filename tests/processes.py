"""Processes seen through Linux's /proc: which are alive, which a refresh started, and
waiting for them to end."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from orchestration.dbt_launcher import PARENT_PID_VARIABLE

T = TypeVar("T")


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie, dead but not yet reaped, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def pids_started_by(parent_pid: int) -> list[int]:
    """Live processes whose environment names `parent_pid` as the process dbt must not
    outlive (what orchestration/transform.py gives the dbt it starts)."""
    marker = f"{PARENT_PID_VARIABLE}={parent_pid}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes().split(b"\0")
        except OSError:  # gone meanwhile, or not ours
            continue
        if marker in environment and running(int(entry.name)):
            found.append(int(entry.name))
    return found


def settled(probe: Callable[[], T], seconds: float = 10) -> T:
    """`probe()` once it is falsy (nothing left running), or its last value after `seconds`:
    a killed process's children take a moment to be killed in turn."""
    deadline = time.monotonic() + seconds
    value = probe()
    while value and time.monotonic() < deadline:
        time.sleep(0.05)
        value = probe()
    return value
