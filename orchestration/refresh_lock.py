"""One refresh at a time from the command line, and recovery from a refresh that was killed.

DuckDB admits one writing process. A second `make refresh` started while one runs waits for
it (and says so) instead of failing halfway on DuckDB's file lock. The lock is an advisory
`flock` on `<warehouse>.lock`: the kernel releases it when the holder dies, even by SIGKILL.
The lock's file descriptor is inheritable on purpose: dbt runs as a child process, and if
the refresh is killed while dbt is still writing, the orphaned dbt keeps holding the lock
until it exits, so the next refresh cannot collide with it.

Runs started by the CLI carry the tag `cs/cli_pid`. A killed refresh leaves its Dagster run
"STARTED" with the warehouse pool's concurrency slot claimed, and every later step would wait
for that slot for ever. Under the lock no other CLI refresh is alive, so such runs whose
process is gone are marked failed and their slots freed.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CLI_PID_TAG = "cs/cli_pid"


def lock_path(warehouse_path: Path) -> Path:
    return warehouse_path.with_name(warehouse_path.name + ".lock")


@contextmanager
def refresh_lock(warehouse_path: Path) -> Iterator[None]:
    """Hold the warehouse's refresh lock; wait, with a message, while another refresh has it."""
    path = lock_path(warehouse_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        os.set_inheritable(fd, True)  # see the module docstring: dbt children keep it
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
            print(
                f"Another refresh holds {path} ({holder}); waiting for it to finish...",
                file=sys.stderr,
                flush=True,
            )
            started = time.monotonic()
            fcntl.flock(fd, fcntl.LOCK_EX)
            print(f"Lock acquired after {time.monotonic() - started:.0f}s", file=sys.stderr)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%H:%M:%S')}".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock unless a child process still holds the descriptor


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_abandoned_runs(instance) -> list[str]:
    """Fail the CLI runs whose process died mid-run, and free their concurrency slots.

    Call only while holding `refresh_lock`: then no live CLI refresh can own such a run.
    """
    from dagster import DagsterRunStatus, RunsFilter

    in_flight = instance.get_run_records(
        RunsFilter(statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING])
    )
    recovered = []
    for record in in_flight:
        run = record.dagster_run
        pid = run.tags.get(CLI_PID_TAG)
        if pid is None or int(pid) == os.getpid() or _process_alive(int(pid)):
            continue  # not ours, or still running
        instance.report_run_failed(
            run, f"The refresh process (pid {pid}) ended without finishing this run (killed?)."
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        recovered.append(run.run_id)
    return recovered
