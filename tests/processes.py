"""Processes seen through Linux's /proc: which are alive, and which a refresh started."""

from __future__ import annotations

from pathlib import Path

from orchestration.dbt_launcher import PARENT_PID_VARIABLE


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
