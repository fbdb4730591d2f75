"""Finding files in the landing folder (docs/landing.md).

Layout: `<landing>/<system>/<object>/<YYYY-MM-DD>/part-<NNNNN>.jsonl[.gz]`, plus the finance
team's `stripe/exchange_rates/<YYYY-MM-DD>/rates.csv`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PART_FILE = re.compile(r"^part-\d{5}\.jsonl(\.gz)?$")
EXCHANGE_RATES_FILE = "rates.csv"
# The one header the exchange-rates file may have (checked, never loaded).
EXCHANGE_RATES_HEADER = "date,currency,usd_per_unit"

# A separator that no valid JSON line contains (JSON escapes control characters).
_LINE_SEPARATOR = r"E'\x1e\x1f\x1d\x1c'"
MAX_LINE_BYTES = 64 * 1024 * 1024


def lines_reader_sql(filename: bool = False) -> str:
    """DuckDB's reader of whole lines (one VARCHAR column `line`, plus `filename` if asked) of
    the files bound to its `?`: a separator that never occurs, no quoting, gzip by extension,
    lines in file order. The loader, the gate's reconciliation and the benchmark's floor read
    with it. Raises InvalidInputException on a file it cannot split (invalid UTF-8, a line with
    the separator): callers fall back to an exact reader."""
    return f"""read_csv(?, columns = {{'line': 'VARCHAR'}}, delim = {_LINE_SEPARATOR},
    quote = '', escape = '', comment = '', header = false, auto_detect = false,
    strict_mode = true, max_line_size = {MAX_LINE_BYTES},
    buffer_size = {2 * MAX_LINE_BYTES}, filename = {str(filename).lower()},
    compression = 'auto')"""


def numbered_lines_sql() -> str:
    """A query of (filename, line_number, line) over `lines_reader_sql`'s files bound to its
    `?`: each file's lines numbered from 1. Rows come out in file order, each file's lines in
    order, so a line's number is its row's rank in the scan minus its file's first row (a
    grouped minimum: a window over the files cost ~20% more of the loader's read)."""
    return f"""(
    with scanned as materialized (
        select filename, row_number() over () as row_in_scan, line
        from {lines_reader_sql(filename=True)}
    ),
    first_rows as (
        select filename, min(row_in_scan) as first_row from scanned group by filename
    )
    select scanned.filename, scanned.row_in_scan - first_rows.first_row + 1 as line_number,
        scanned.line
    from scanned
    join first_rows on first_rows.filename = scanned.filename
)"""


@dataclass(frozen=True)
class LandingFile:
    path: Path
    relative_path: str  # relative to the landing folder: what lineage columns and errors show
    partition_date: date
    size_bytes: int
    mtime_ns: int


@dataclass(frozen=True)
class PartitionScan:
    """What a scan of one object's folder found: files per day, and anything it ignored."""

    files_by_date: dict[date, list[LandingFile]]
    ignored: list[str]  # paths that do not follow the layout; reported, never silently skipped


def _is_data_file(name: str, file_pattern: re.Pattern[str] | str) -> bool:
    if isinstance(file_pattern, str):
        return name == file_pattern
    return bool(file_pattern.match(name))


def scan_object(
    landing_dir: Path,
    system: str,
    obj: str,
    dates: set[date] | None = None,
    file_pattern: re.Pattern[str] | str = PART_FILE,
) -> PartitionScan:
    """List one object's landing files by partition day (all days, or only `dates`)."""
    root = landing_dir / system / obj
    files_by_date: dict[date, list[LandingFile]] = {}
    ignored: list[str] = []
    if not root.is_dir():
        return PartitionScan(files_by_date, ignored)
    for day_dir in sorted(root.iterdir()):
        try:
            day = date.fromisoformat(day_dir.name)
        except ValueError:
            ignored.append(str(day_dir.relative_to(landing_dir)))
            continue
        if not day_dir.is_dir() or (dates is not None and day not in dates):
            continue
        for path in sorted(day_dir.iterdir()):
            relative = str(path.relative_to(landing_dir))
            if not path.is_file() or not _is_data_file(path.name, file_pattern):
                ignored.append(relative)
                continue
            stat = path.stat()
            files_by_date.setdefault(day, []).append(
                LandingFile(path, relative, day, stat.st_size, stat.st_mtime_ns)
            )
    return PartitionScan(files_by_date, ignored)


def landing_dates(landing_dir: Path) -> list[date]:
    """Every partition day present anywhere in the landing folder, sorted."""
    days: set[date] = set()
    for day_dir in landing_dir.glob("*/*/*"):
        try:
            days.add(date.fromisoformat(day_dir.name))
        except ValueError:
            continue
    return sorted(days)
