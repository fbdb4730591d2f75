"""Wall time, peak memory and peak disk of a command's whole process tree (dbt runs as a child).

Peak RSS is sampled from /proc every 0.2 s and summed over the process and all its
descendants, so a short spike between samples can be missed; it is a floor, not a ceiling.
Disk is sampled as the used bytes of the filesystem holding the command's log (statvfs, cheap
at any size): the peak growth over the start counts DuckDB's spill files, which are gone when
the command ends, and whatever else writes to that filesystem meanwhile (nothing, on a quiet
benchmark machine).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.2
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Measurement:
    label: str
    seconds: float
    peak_rss_mb: float
    returncode: int
    started_at: float  # Unix time
    peak_at_seconds: float  # when the peak was sampled, after the start
    peak_disk_growth_mb: float = 0.0  # the filesystem's used space, peak minus start

    def as_dict(self) -> dict:
        return asdict(self)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def tree_rss_bytes(root: int) -> int:
    """Resident memory of `root` and every descendant, now."""
    tree, total, stack = _children(), 0, [root]
    while stack:
        pid = stack.pop()
        try:
            resident_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += resident_pages * _PAGE
        stack.extend(tree.get(pid, []))
    return total


def run_measured(
    label: str, command: list[str], env: dict[str, str], log: Path, cwd: Path
) -> Measurement:
    """Run `command`, its output to `log`; its wall time, sampled peak tree RSS and peak disk
    growth."""
    started_at, started = time.time(), time.monotonic()
    peak, peak_at = 0, 0.0
    disk_at_start = peak_disk = shutil.disk_usage(log.parent).used
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        while process.poll() is None:
            rss = tree_rss_bytes(process.pid)
            if rss > peak:
                peak, peak_at = rss, time.monotonic() - started
            peak_disk = max(peak_disk, shutil.disk_usage(log.parent).used)
            time.sleep(SAMPLE_SECONDS)
    seconds = time.monotonic() - started
    disk_growth = (peak_disk - disk_at_start) / 2**20
    return Measurement(
        label, seconds, peak / 2**20, process.returncode, started_at, peak_at, disk_growth
    )
