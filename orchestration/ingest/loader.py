"""Load landing partitions into raw tables, quarantining bad records, without losing any.

A partition (one object, one day) is replaced in a single transaction, so loading it twice
leaves the same content, and a reader never sees half a partition. A partition whose files are
unchanged since the last load (same paths, sizes, modification times and loader version) is
skipped: the nightly run costs what the new day costs. Only the day folders that exist are
visited (plus logged days whose files have gone, which are emptied), never every calendar day.
Each loaded day's files are logged in `main.raw_load_log` with the Dagster run that loaded
them, so the run's checks know which days to validate (`days_loaded_by_run`).

Reading is DuckDB's own CSV reader in "one column, no quoting" mode, which keeps line numbers
and is ~20x faster than Python for the Segment stream; all files of a batch are read in one scan
(a scan per file cost ~10 ms each: most of a first load of thousands of day files). A batch it
cannot split cleanly (invalid UTF-8, a line containing the separator) is read file by file, and
such a file by the exact, slower Python reader, so every byte of a bad line still reaches the
quarantine.
"""

from __future__ import annotations

import gzip
import logging
import re
import zlib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from landing.files import (
    PART_FILE,
    LandingFile,
    lines_reader_sql,
    scan_object,
)
from landing.spec import ObjectSpec
from landing.tables import LOAD_LOG_TABLE, QUARANTINE_TABLE
from orchestration.ingest.raw_schema import create_raw_tables, raw_table_ddl
from orchestration.ingest.validation import records_sql

if TYPE_CHECKING:
    from data_quality.raw_suites import TableSuite

log = logging.getLogger(__name__)

# Bump when validation or unwrapping changes, so unchanged files are re-validated.
LOADER_VERSION = "2"
_LINES_TABLE = "_landing_lines"
_RECORDS_TABLE = "_landing_records"
_FILES_TABLE = "_landing_files"
# Input per batch (gzip counts 8x). Fewer, larger batches load the Segment stream faster until a
# batch's lines and records outgrow DuckDB's memory: the medium benchmark's 21.1M events took
# 130-133 s in 512 MB batches, 121-125 s in 1 GB and 131 s in 2 GB at the 2 GB default limit,
# with the same peak RSS (2.2 GB: DuckDB's buffer is full either way).
MAX_BATCH_BYTES = 1024 * 1024 * 1024


@dataclass(frozen=True)
class LoadTarget:
    """How one landing object becomes rows: the SQL that validates its lines, the columns that
    a good record contributes to its raw table (`r` = validated record, `f` = its file), the
    table's DDL, and the gate's suite of the table (data_quality/raw_suites.py). A source
    declares its targets (orchestration/sources/<source>/); the loader knows none of them."""

    spec: ObjectSpec
    records_sql: Callable[[str], str]
    loaded_columns_sql: str
    ddl: str
    suite: TableSuite | None = None
    file_pattern: re.Pattern[str] | str = PART_FILE


# Day | event's `created` | file | line | index in the page, padded to sort as text. One
# printf, not a concatenation of lpad()s: the same text, a quarter less of the column's cost
# (0.67 vs 0.90 s for 3M rows), and the column is built for every record loaded.
_RECORD_VERSION_SQL = (
    "printf('%s|%012d|%s|%012d|%06d', f.partition_date, coalesce(r.event_created, 0), "
    "f.file_name, r.line_number, r.record_index)"
)


def json_target(spec: ObjectSpec, suite: TableSuite | None = None) -> LoadTarget:
    """The target of every JSON-lines object: id, original record (unless the spec drops it),
    the spec's typed columns and the lineage columns (raw_schema.py)."""
    columns = [
        "r.record_id",
        *(["r.record"] if spec.keeps_record else []),
        *spec.typed_values_sql("r.record_strings"),
        "r.event_id, r.event_type, r.event_created, f.relative_path, r.line_number",
        f"r.record_index, f.partition_date, {_RECORD_VERSION_SQL}",
        "(current_timestamp at time zone 'UTC')",
    ]
    return LoadTarget(
        spec,
        lambda lines_table: records_sql(spec, lines_table),
        ", ".join(columns),
        raw_table_ddl(spec),
        suite,
    )


def json_targets(
    specs: Iterable[ObjectSpec], suites: Iterable[TableSuite]
) -> tuple[LoadTarget, ...]:
    """The targets of a source's JSON objects, each with the suite of its table."""
    by_table = {suite.table: suite for suite in suites}
    specs = tuple(specs)
    missing = [spec.table for spec in specs if spec.table not in by_table]
    if missing:
        raise ValueError(f"no raw suite for {', '.join(missing)}")
    return tuple(json_target(spec, by_table[spec.table]) for spec in specs)


class UnreadableFileError(RuntimeError):
    """A landing file that cannot be read as a whole (e.g. a corrupt gzip)."""


@dataclass
class FileLoad:
    relative_path: str
    lines_read: int = 0
    records_loaded: int = 0
    records_quarantined: int = 0


@dataclass
class PartitionLoad:
    object_key: str
    partition_date: date
    files: list[FileLoad] = field(default_factory=list)
    skipped_unchanged: bool = False
    error: str | None = None  # set when the partition failed (nothing of it was loaded)

    @property
    def records_loaded(self) -> int:
        return sum(f.records_loaded for f in self.files)

    @property
    def records_quarantined(self) -> int:
        return sum(f.records_quarantined for f in self.files)

    @property
    def lines_read(self) -> int:
        return sum(f.lines_read for f in self.files)


def _read_lines_fast(con: duckdb.DuckDBPyConnection, file_id: int, path: Path) -> None:
    # `row_number() over ()` is a streaming window in DuckDB: it numbers rows in file order.
    con.execute(
        f"""
        insert into {_LINES_TABLE}
        select ?, row_number() over (), line, null
        from {lines_reader_sql()}
        """,
        [file_id, str(path)],
    )


def _python_lines(path: Path) -> Iterable[tuple[int, str, str | None]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            raw = raw.rstrip(b"\r\n")
            try:
                yield number, raw.decode("utf-8"), None
            except UnicodeDecodeError as error:
                text = raw.decode("utf-8", errors="backslashreplace")
                yield number, text, f"not valid UTF-8 ({error.reason} at byte {error.start})"


def _read_lines_exact(con: duckdb.DuckDBPyConnection, file_id: int, path: Path) -> None:
    rows = list(_python_lines(path))
    frame = pd.DataFrame(rows, columns=["line_number", "line", "read_error"])
    frame.insert(0, "file_id", file_id)
    con.register("_exact_lines", frame)
    try:
        con.execute(
            f"insert into {_LINES_TABLE} select file_id, line_number, line, read_error "
            "from _exact_lines"
        )
    finally:
        con.unregister("_exact_lines")


def read_file_lines(
    con: duckdb.DuckDBPyConnection, file_id: int, landing_file: LandingFile
) -> None:
    """Append a file's lines to the temp lines table; raise UnreadableFileError naming the file."""
    path = landing_file.path
    try:
        _read_lines_fast(con, file_id, path)
        return
    except duckdb.InvalidInputException:
        # Not splittable by the fast reader (invalid UTF-8, stray separator): use the exact one.
        con.execute(f"delete from {_LINES_TABLE} where file_id = ?", [file_id])
    except duckdb.IOException as error:
        raise UnreadableFileError(
            f"{landing_file.relative_path}: cannot read file ({error}); "
            "expected UTF-8 JSON lines, gzip-compressed when the name ends in .gz"
        ) from error
    try:
        _read_lines_exact(con, file_id, path)
    except (OSError, EOFError, zlib.error) as error:
        raise UnreadableFileError(
            f"{landing_file.relative_path}: cannot read file ({error}); "
            "expected UTF-8 JSON lines, gzip-compressed when the name ends in .gz"
        ) from error


def _read_all_lines_fast(
    con: duckdb.DuckDBPyConnection, numbered_files: list[tuple[int, LandingFile]]
) -> bool:
    """Append the lines of many files in one read (one DuckDB scan instead of one per file,
    which is most of the cost of thousands of small day files). False, with nothing appended,
    when any file needs the per-file path (unsplittable or unreadable).

    The lines are stored without their numbers: `_NUMBERED_LINES` derives them as it reads."""
    if not numbered_files:
        return True
    file_ids = [file_id for file_id, _ in numbered_files]
    try:
        con.execute(
            f"""
            insert into {_LINES_TABLE}
            select (?::integer[])[file_index::bigint + 1], null, line, null
            from {lines_reader_sql()}
            """,
            [file_ids, [str(f.path) for _, f in numbered_files]],
        )
    except (duckdb.InvalidInputException, duckdb.IOException):
        con.execute(f"delete from {_LINES_TABLE}")
        return False
    return True


# The lines table as the records query reads it, every line numbered. A line read by the one
# scan of many files has no stored number: the scan's rows arrive in file order, each file's
# lines in order, and the insert keeps that order (DuckDB preserves insertion order), so its
# number is its row id minus its file's first row id. Derived while reading: storing it (an
# UPDATE of every line) cost ~1/8 of a Segment load, numbering the scan with a window ~1/3.
_NUMBERED_LINES = f"""(
    select
        lines.file_id,
        coalesce(lines.line_number, lines.rowid - firsts.first_row + 1) as line_number,
        lines.line,
        lines.read_error
    from {_LINES_TABLE} as lines
    inner join (
        select file_id, min(rowid) as first_row from {_LINES_TABLE} group by file_id
    ) as firsts on lines.file_id = firsts.file_id
)"""


def _prepare_temp_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"create or replace temp table {_LINES_TABLE} "
        "(file_id integer, line_number bigint, line varchar, read_error varchar)"
    )
    con.execute(
        f"create or replace temp table {_FILES_TABLE} (file_id integer, relative_path varchar, "
        "file_name varchar, partition_date date, file_bytes bigint, file_mtime_ns bigint)"
    )


LoggedFiles = dict[date, list[tuple]]


def _logged_files(con: duckdb.DuckDBPyConnection, spec: ObjectSpec) -> LoggedFiles:
    """The load log of one object by day: (file, bytes, mtime, loader version, run), sorted;
    read in one query, not one per day."""
    rows = con.execute(
        f"select partition_date, file, file_bytes, file_mtime_ns, loader_version, run_id "
        f"from {LOAD_LOG_TABLE} where system = ? and object = ? order by partition_date, file",
        [spec.system, spec.object],
    ).fetchall()
    by_day: LoggedFiles = {}
    for day, *row in rows:
        by_day.setdefault(day, []).append(tuple(row))
    return by_day


def _unchanged(logged: list[tuple], files: list[LandingFile], reload_runs: Collection[str]) -> bool:
    """True when a day's files are exactly those of its last load (`logged`, same loader
    version) and that load's run is not among `reload_runs`."""
    if any(row[4] in reload_runs for row in logged):
        return False
    current = sorted((f.relative_path, f.size_bytes, f.mtime_ns, LOADER_VERSION) for f in files)
    return bool(logged) and [row[:4] for row in logged] == current


def _replace_partitions(
    con: duckdb.DuckDBPyConnection, target: LoadTarget, days: list[date], run_id: str | None
) -> None:
    """Swap the new records of `days` in for the old ones, in one transaction."""
    spec = target.spec
    in_days = "partition_date in (select unnest($days::date[]))"
    raw_in_days = "_partition_date in (select unnest($days::date[]))"
    params = {"days": days, "system": spec.system, "object": spec.object, "run_id": run_id}
    statements = [
        f"delete from {spec.table} where {raw_in_days}",
        f"delete from {QUARANTINE_TABLE} where system = $system and object = $object and {in_days}",
        f"delete from {LOAD_LOG_TABLE} where system = $system and object = $object and {in_days}",
        f"""
        insert into {spec.table}
        select {target.loaded_columns_sql}
        from {_RECORDS_TABLE} as r
        join {_FILES_TABLE} as f using (file_id)
        where r.reason is null
        """,
        f"""
        insert into {QUARANTINE_TABLE}
        select $system, $object, f.partition_date, f.relative_path, r.line_number,
            case when r.no_record then null else r.record_index end,
            r.raw_text, r.reason, (current_timestamp at time zone 'UTC')
        from {_RECORDS_TABLE} as r
        join {_FILES_TABLE} as f using (file_id)
        where r.reason is not null
        """,
        f"""
        insert into {LOAD_LOG_TABLE} by name
        select $system as system, $object as object, f.partition_date,
            f.relative_path as file, f.file_bytes, f.file_mtime_ns,
            coalesce(l.lines_read, 0) as lines_read, coalesce(r.loaded, 0) as records_loaded,
            coalesce(r.quarantined, 0) as records_quarantined,
            '{LOADER_VERSION}' as loader_version,
            (current_timestamp at time zone 'UTC') as loaded_at, $run_id::varchar as run_id
        from {_FILES_TABLE} as f
        left join (
            select file_id, count(*) as lines_read from {_LINES_TABLE} group by file_id
        ) as l using (file_id)
        left join (
            select file_id, count(*) filter (where reason is null) as loaded,
                count(*) filter (where reason is not null) as quarantined
            from {_RECORDS_TABLE} group by file_id
        ) as r using (file_id)
        """,
    ]
    con.execute("begin transaction")
    try:
        for statement in statements:
            used = {k: v for k, v in params.items() if f"${k}" in statement}
            con.execute(statement, used)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def _file_results(con: duckdb.DuckDBPyConnection, spec: ObjectSpec, days: list[date]) -> dict:
    rows = con.execute(
        f"select partition_date, file, lines_read, records_loaded, records_quarantined "
        f"from {LOAD_LOG_TABLE} where system = ? and object = ? "
        f"and partition_date in (select unnest(?::date[])) order by file",
        [spec.system, spec.object, days],
    ).fetchall()
    results: dict[date, list[FileLoad]] = {day: [] for day in days}
    for day, file, lines, loaded, quarantined in rows:
        results[day].append(FileLoad(file, lines, loaded, quarantined))
    return results


def _load_batch(
    con: duckdb.DuckDBPyConnection,
    target: LoadTarget,
    days: list[date],
    files: list[LandingFile],
    results: dict[date, PartitionLoad],
    run_id: str | None,
) -> None:
    """Read, validate and swap in one batch of whole partitions."""
    _prepare_temp_tables(con)
    failed: set[date] = set()
    read_at_once = _read_all_lines_fast(con, list(enumerate(files)))
    for file_id, landing_file in enumerate(files):
        if read_at_once or landing_file.partition_date in failed:
            continue
        try:
            read_file_lines(con, file_id, landing_file)
        except UnreadableFileError as error:
            log.error("%s", error)
            results[landing_file.partition_date].error = str(error)
            failed.add(landing_file.partition_date)
    good = [(i, f) for i, f in enumerate(files) if f.partition_date not in failed]
    if failed:
        keep = [i for i, _ in good]
        con.execute(
            f"delete from {_LINES_TABLE} where not list_contains(?::integer[], file_id)", [keep]
        )
    if good:
        # One insert of a frame: `executemany` costs a statement per file.
        good_files = pd.DataFrame(
            [
                (i, f.relative_path, f.path.name, f.partition_date, f.size_bytes, f.mtime_ns)
                for i, f in good
            ],
            columns=["file_id", "relative_path", "file_name", "partition_date", "bytes", "mtime"],
        )
        con.register("_good_files", good_files)
        try:
            con.execute(f"insert into {_FILES_TABLE} select * from _good_files")
        finally:
            con.unregister("_good_files")
    con.execute(
        f"create or replace temp table {_RECORDS_TABLE} as {target.records_sql(_NUMBERED_LINES)}"
    )
    _replace_partitions(con, target, [d for d in days if d not in failed], run_id)


def _batches(
    days: list[date], files_by_date: dict[date, list[LandingFile]], max_bytes: int
) -> Iterable[tuple[list[date], list[LandingFile]]]:
    """Group whole partitions into batches of about `max_bytes` of input (gzip counts 8x)."""
    batch_days: list[date] = []
    batch_files: list[LandingFile] = []
    size = 0
    for day in days:
        files = files_by_date.get(day, [])
        batch_days.append(day)
        batch_files.extend(files)
        size += sum(f.size_bytes * (8 if f.path.name.endswith(".gz") else 1) for f in files)
        if size >= max_bytes:
            yield batch_days, batch_files
            batch_days, batch_files, size = [], [], 0
    if batch_days:
        yield batch_days, batch_files


def _logged_days(
    con: duckdb.DuckDBPyConnection, spec: ObjectSpec, start: date | None, end: date | None
) -> set[date]:
    """Days of the load log within start..end (either may be None: unbounded)."""
    rows = con.execute(
        f"select distinct partition_date from {LOAD_LOG_TABLE} where system = ? and object = ? "
        "and partition_date between coalesce(?, date '0001-01-01') "
        "and coalesce(?, date '9999-12-31')",
        [spec.system, spec.object, start, end],
    ).fetchall()
    return {row[0] for row in rows}


def _days_to_visit(
    con: duckdb.DuckDBPyConnection,
    spec: ObjectSpec,
    found: Iterable[date],
    start: date | None,
    end: date | None,
) -> list[date]:
    """The day folders found within start..end, plus logged days there whose files are gone
    (loading them empties them); never the calendar days in between."""
    within = {d for d in found if (start is None or d >= start) and (end is None or d <= end)}
    return sorted(within | _logged_days(con, spec, start, end))


def load_partitions(
    con: duckdb.DuckDBPyConnection,
    target: LoadTarget | ObjectSpec,
    landing_dir: Path,
    days: Iterable[date] | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    run_id: str | None = None,
    reload_runs: Collection[str] = (),
    force: bool = False,
    on_progress: Callable[[str], None] | None = None,
    max_batch_bytes: int = MAX_BATCH_BYTES,
) -> list[PartitionLoad]:
    """Load `days` of one object; when `days` is None, the day folders that exist within
    `start`..`end` (both optional), and the logged days there whose files were removed.

    `run_id` (the Dagster run) is recorded in the load log for every day loaded; a day last
    loaded by one of `reload_runs` (runs that did not succeed) is loaded again even if its
    files are unchanged, so that its checks run again. One unreadable
    file fails only its own partition: that partition comes back with `error` set and keeps its
    previous content; the other partitions load.
    """
    target = target if isinstance(target, LoadTarget) else json_target(target)
    spec = target.spec
    con.execute("set enable_progress_bar = false")  # progress is reported per batch instead
    create_raw_tables(con, [target])
    wanted = None if days is None else set(days)
    scan = scan_object(landing_dir, spec.system, spec.object, wanted, target.file_pattern)
    for path in scan.ignored:
        # Writer markers (`_SUCCESS`, `_manifest`) are the extractor's heartbeat, not strays.
        level = logging.DEBUG if Path(path).name.startswith("_") else logging.WARNING
        log.log(
            level, "%s: ignored %s (expected <YYYY-MM-DD>/part-NNNNN.jsonl[.gz])", spec.key, path
        )
    if wanted is None:
        all_days = _days_to_visit(con, spec, scan.files_by_date, start, end)
    else:
        all_days = sorted(wanted)
    results = {day: PartitionLoad(spec.key, day) for day in all_days}
    to_load: list[date] = []
    logged = {} if force else _logged_files(con, spec)
    for day in all_days:
        files = scan.files_by_date.get(day, [])
        if files and not force and _unchanged(logged.get(day, []), files, reload_runs):
            results[day].skipped_unchanged = True
        else:
            to_load.append(day)
    batches = list(_batches(to_load, scan.files_by_date, max_batch_bytes))
    for number, (batch_days, batch_files) in enumerate(batches, start=1):
        _load_batch(con, target, batch_days, batch_files, results, run_id)
        if on_progress and len(batches) > 1:  # one batch: the closing line says it all
            on_progress(
                f"{spec.key}: batch {number} of {len(batches)} loaded "
                f"({batch_days[0]}..{batch_days[-1]})"
            )
    for day, files in _file_results(con, spec, all_days).items():
        results[day].files = files if results[day].error is None else []
    if on_progress:
        loads = list(results.values())
        span = f" {to_load[0]}..{to_load[-1]}" if to_load else ""
        on_progress(
            f"{spec.key}: {len(loads)} day(s){span} "
            f"({len(to_load) - sum(r.error is not None for r in loads)} loaded, "
            f"{sum(r.skipped_unchanged for r in loads)} unchanged, "
            f"{sum(r.error is not None for r in loads)} failed), "
            f"{sum(r.records_loaded for r in loads if not r.skipped_unchanged)} records loaded, "
            f"{sum(r.records_quarantined for r in loads if not r.skipped_unchanged)} quarantined"
        )
    return [results[day] for day in all_days]


def days_loaded_by_run(
    con: duckdb.DuckDBPyConnection, spec: ObjectSpec, run_ids: Iterable[str]
) -> list[date]:
    """The days of one object whose current content was loaded by one of `run_ids`."""
    rows = con.execute(
        f"select distinct partition_date from {LOAD_LOG_TABLE} where system = ? and object = ? "
        "and list_contains(?::varchar[], run_id) order by 1",
        [spec.system, spec.object, list(run_ids)],
    ).fetchall()
    return [row[0] for row in rows]


def loading_runs(con: duckdb.DuckDBPyConnection, spec: ObjectSpec) -> list[str | None]:
    """The runs that loaded the current content of one object (None: loaded outside a run)."""
    rows = con.execute(
        f"select distinct run_id from {LOAD_LOG_TABLE} where system = ? and object = ?",
        [spec.system, spec.object],
    ).fetchall()
    return [row[0] for row in rows]


def load_landing(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    targets: Sequence[LoadTarget],
    *,
    force: bool = False,
) -> list[PartitionLoad]:
    """Load every partition of `targets` (every source's: orchestration.sources.ALL_TARGETS),
    after creating all their raw tables."""
    create_raw_tables(con, targets)
    loads: list[PartitionLoad] = []
    for target in targets:
        loads.extend(load_partitions(con, target, landing_dir, force=force, on_progress=log.info))
    return loads
