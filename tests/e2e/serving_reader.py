"""A BI reader in a loop: `python -m tests.e2e.serving_reader SERVING STOP_FILE RESULT_JSON`.

Each pass opens the serving file read-only, as a BI tool does, and checks that the snapshot is
complete: every mart the newest `meta.refresh_log` row lists exists with exactly that many
rows. It stops when STOP_FILE appears and writes what it saw to RESULT_JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb


def read_snapshot(serving: Path) -> tuple[str, list[str]]:
    """(published_at of the snapshot, what is incomplete in it)."""
    with duckdb.connect(str(serving), read_only=True) as con:
        published_at, row_counts = con.execute(
            "select published_at, row_counts from meta.refresh_log "
            "order by published_at desc limit 1"
        ).fetchone()
        problems = []
        for table, expected in json.loads(row_counts).items():
            (actual,) = con.execute(f"select count(*) from marts.{table}").fetchone()
            if actual != expected:
                problems.append(f"{table}: {actual} rows, refresh_log says {expected}")
    return str(published_at), problems


def main(serving: Path, stop_file: Path, result_file: Path) -> None:
    passes, errors, incomplete, snapshots = 0, [], [], []
    while not stop_file.exists():
        try:
            published_at, problems = read_snapshot(serving)
        except Exception as error:  # any failure to read is what the test counts
            errors.append(f"{type(error).__name__}: {error}")
        else:
            incomplete.extend(problems)
            if published_at not in snapshots:
                snapshots.append(published_at)
        passes += 1
        time.sleep(0.05)
    result = {"passes": passes, "errors": errors, "incomplete": incomplete, "snapshots": snapshots}
    result_file.write_text(json.dumps(result))


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:4]))
