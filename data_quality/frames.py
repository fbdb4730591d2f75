"""The DuckDB side of the gate: the batches GX validates.

Row-level suites are queries GX's SQL engine runs in DuckDB: only the columns they need,
extracted from the JSON in SQL, for the days a run loaded (the load log names each day's run).
Where a rule is about a whole table or a day rather than a row (freshness, volume, landing
reconciliation, the MRR spine and band), DuckDB aggregates and GX validates the small aggregate
frame, which is also the check's report.
"""

from __future__ import annotations

import gzip
import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd

from data_quality.config import QualityConfig
from data_quality.markdown import markdown_table as render_markdown_table
from data_quality.mart_suites import MARTS_SCHEMA, MartSuite
from data_quality.raw_suites import TableSuite
from data_quality.rules import Batch, between, in_set, is_null, not_null, row_count
from landing.files import (
    EXCHANGE_RATES_HEADER,
    PART_FILE,
    LandingFile,
    lines_reader_sql,
    numbered_lines_sql,
    scan_object,
)
from landing.tables import LOAD_LOG_TABLE, QUARANTINE_TABLE

log = logging.getLogger(__name__)


class _ObjectNames(Protocol):
    system: str
    object: str
    has_pages: bool


class LandingTarget(Protocol):
    """What the gate reads of a loader's target (orchestration.ingest.loader.LoadTarget): the
    object, its files and its raw suite."""

    spec: _ObjectNames
    file_pattern: re.Pattern[str] | str
    suite: TableSuite | None


@dataclass(frozen=True)
class RawObject:
    """A landing object as the checks see it: where it lands and the raw table it loads."""

    system: str
    object: str
    file_pattern: re.Pattern[str] | str = PART_FILE
    has_pages: bool = True  # False: every line is one record (Segment)

    @classmethod
    def of(cls, target: LandingTarget | RawObject) -> RawObject:
        if isinstance(target, RawObject):
            return target
        spec = target.spec
        return cls(spec.system, spec.object, target.file_pattern, spec.has_pages)

    @property
    def key(self) -> str:
        return f"{self.system}/{self.object}"

    @property
    def table(self) -> str:
        return f"raw_{self.system}.{self.object}"


@dataclass(frozen=True)
class Days:
    """An inclusive range of partition days; None anywhere means the whole table. A range
    that ends before it starts holds no day: only the table-level rules (freshness,
    reconciliations across tables) have something to judge."""

    start: date
    end: date

    def __iter__(self):
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)

    @property
    def is_empty(self) -> bool:
        return self.start > self.end

    @property
    def label(self) -> str:
        if self.is_empty:
            return "no days"
        return self.start.isoformat() if self.start == self.end else f"{self.start}..{self.end}"


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()[0][0]
    return bool(found)


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    schema, name = table.split(".")
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? "
        "and table_name = ?",
        [schema, name],
    ).fetchall()
    return {row[0] for row in rows}


def _day_filter(column: str, days: Days | None) -> tuple[str, list]:
    if days is None:
        return "true", []
    return f"{column} between ? and ?", [days.start, days.end]


# ---------------------------------------------------------------------------------------------
# Row-level suites


def group_days(rows_by_day: dict[date, int], max_rows: int) -> list[Days]:
    """Consecutive days of `rows_by_day` in ranges of at most ~max_rows rows (a day bigger than
    that is its own range)."""
    chunks: list[Days] = []
    start = end = None
    rows = 0
    for day in sorted(rows_by_day):
        if start is not None and rows + rows_by_day[day] > max_rows:
            chunks.append(Days(start, end))
            start, rows = None, 0
        start = start or day
        end = day
        rows += rows_by_day[day]
    if start is not None:
        chunks.append(Days(start, end))
    return chunks


def raw_batch(suite: TableSuite, config: QualityConfig, days: Days | None) -> Batch:
    """The suite's typed columns over `days` (the whole table when None), as a query: DuckDB
    extracts and computes, GX's SQL engine receives the counts and the unexpected rows."""
    rules = suite.rules(config)
    if suite.partition_column is None or days is None:
        return Batch(suite.name, None, rules, "all", suite.index_columns, suite.select_sql(), True)
    query = suite.select_sql(days.start, days.end)
    return Batch(suite.name, None, rules, days.label, suite.index_columns, query, True)


def mart_batch(
    con: duckdb.DuckDBPyConnection, suite: MartSuite, config: QualityConfig
) -> Batch | None:
    """The mart's key and rule columns as a query (None when dbt has not built the mart yet);
    a rule column the mart lacks fails its rule by name (runner)."""
    if not table_exists(con, suite.name):
        return None
    present = table_columns(con, suite.name)
    columns = [c for c in suite.columns(config, present) if c in present]
    select = ", ".join(f'"{c}"' for c in columns) or "1 as no_columns"
    return Batch(
        suite.name,
        None,
        suite.all_rules(config, present),
        "all",
        suite.index_columns(present),
        query=f"select {select} from {suite.name}",
    )


# ---------------------------------------------------------------------------------------------
# Freshness and volume


def newest_landing_day(landing_dir: Path | None, system: str, obj: str) -> date | None:
    """The newest day folder of one object holding any file: a part file (even empty) or the
    extractor's marker (`_SUCCESS`, a manifest) proves the export ran that day."""
    root = landing_dir / system / obj if landing_dir else None
    if root is None or not root.is_dir():
        return None
    for day_dir in sorted(root.iterdir(), reverse=True):
        try:
            day = date.fromisoformat(day_dir.name)
        except ValueError:
            continue
        if day_dir.is_dir() and any(path.is_file() for path in day_dir.iterdir()):
            return day
    return None


def bills_in_foreign_currency(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether Stripe prices, subscriptions or invoices use another currency than USD. The
    tables are asked in order of size and each query stops at its first such record: a
    multi-currency history answers from its prices (decoding every subscription and invoice
    took ~0.9 s of a medium daily run's checks); a USD-only one is still read whole."""
    foreign = "lower(json_extract_string(record, '$.currency')) <> 'usd'"
    for table in ("raw_stripe.prices", "raw_stripe.subscriptions", "raw_stripe.invoices"):
        if not table_exists(con, table):
            continue
        if con.execute(f"select 1 from {table} where {foreign} limit 1").fetchall():
            return True
    return False


def freshness_batch(
    con: duckdb.DuckDBPyConnection,
    system: str,
    obj: str,
    config: QualityConfig,
    landing_dir: Path | None = None,
) -> Batch | None:
    """How far the object's newest delivery is behind `as_of`, per object (issue: a quiet
    HubSpot object must not hold back billing). A delivery is a loaded day (the load log also
    lists empty part files) or a day folder holding only the extractor's marker. Exchange
    rates are needed only when billing uses another currency than USD: None when they are not."""
    if obj == "exchange_rates" and not bills_in_foreign_currency(con):
        return None
    ((loaded,),) = con.execute(
        f"select max(partition_date) from {LOAD_LOG_TABLE} where system = ? and object = ?",
        [system, obj],
    ).fetchall()
    marked = newest_landing_day(landing_dir, system, obj)
    newest = max((day for day in (loaded, marked) if day is not None), default=None)
    behind = None if newest is None else (config.as_of - newest).days * 24
    frame = pd.DataFrame(
        {"object": [f"{system}/{obj}"], "newest_delivery": [newest], "hours_behind_as_of": [behind]}
    )
    rules = [
        not_null("freshness", "newest_delivery", note="the object has delivered at all"),
        between(
            "freshness",
            "hours_behind_as_of",
            max_value=config.freshness_hours,
            note=f"newest delivery within {config.freshness_hours} h of as_of {config.as_of}",
        ),
    ]
    # One suite per raw object, so no object's run prunes another's page.
    return Batch(f"freshness.raw_{system}.{obj}", frame, rules, "", ("object",))


def volume_batch(
    con: duckdb.DuckDBPyConnection, table: str, config: QualityConfig, days: Days | None
) -> Batch:
    """Each complete day's rows ÷ the median of the same weekday in the trailing window
    (4 days for 28; zeros included: a day whose export was lost counts as 0). "Trailing 28-day
    median" taken per weekday, because B2B usage drops at weekends and a Sunday judged against
    weekdays would warn every week. Days with fewer than `volume_min_history_days` such days
    before them are not judged; neither is the `as_of` day, which is still being received, nor
    a day whose usual volume is below `volume_min_median_events` (counting noise, not loss)."""
    first = con.execute(f"select min(_partition_date) from {table}").fetchall()[0][0]
    low, high = config.volume_band
    rules = [
        between(
            "volume",
            "ratio_to_trailing_median",
            low,
            high,
            note=f"within [{low}, {high}] x the median of the same weekday in the trailing "
            f"{config.volume_window_days} days",
        )
    ]
    if first is None:
        frame = pd.DataFrame({"day": [], "ratio_to_trailing_median": []})
        return Batch(f"volume.{table}", frame, rules, "", ("day",))
    start = days.start if days else first
    end = min(days.end if days else config.as_of, config.as_of - timedelta(days=1))
    frame = con.execute(
        f"""
        with daily as (
            select _partition_date as day, count(*) as events
            from {table}
            where _partition_date between $low and $end
            group by 1
        ),
        spine as (
            select unnest(generate_series($low::date, $end::date, interval 1 day))::date as day
        ),
        filled as (
            select spine.day, coalesce(daily.events, 0) as events
            from spine left join daily using (day)
        ),
        windowed as (
            select
                day,
                events,
                median(events) over same_weekdays as trailing_median,
                count(*) over same_weekdays as history_days
            from filled
            window same_weekdays as (
                partition by isodow(day)
                order by day rows between {config.volume_window_days // 7} preceding
                    and 1 preceding
            )
        )
        select
            day::timestamp as day,
            events,
            trailing_median,
            history_days,
            events / nullif(trailing_median, 0) as ratio_to_trailing_median
        from windowed
        where
            day between $start and $end
            and history_days >= $min_history
            and trailing_median >= $min_median
        order by day
        """,
        {
            "low": max(first, start - timedelta(days=config.volume_window_days)),
            "start": start,
            "end": end,
            "min_history": config.volume_min_history_days,
            "min_median": config.volume_min_median_events,
        },
    ).df()
    label = f"{start}..{end}" if end >= start else ""
    return Batch(f"volume.{table}", frame, rules, label, ("day", "events", "trailing_median"))


# ---------------------------------------------------------------------------------------------
# Reconciliation with the landing files


def _count_lines_exact(path: Path) -> list[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        return [raw.rstrip(b"\r\n").decode("utf-8", errors="replace") for raw in handle]


# Records a line holds, as the loader unwraps it (orchestration/ingest/validation.py).
_RECORDS_IN_LINE = """
    case
        when line is null or trim(line) = '' or not json_valid(line)
            or json_type(line) <> 'OBJECT' then 1
        when json_extract_string(line, '$.object') in ('list', 'search_result')
            and json_type(line, '$.data') = 'ARRAY' then json_array_length(line, '$.data')
        when json_type(line, '$.results') = 'ARRAY' and json_type(line, '$.id') is null
            then json_array_length(line, '$.results')
        else 1
    end
"""


def _records_in_lines(has_pages: bool) -> str:
    """SQL summing the records of the lines in `line`: without envelopes a line is one record
    (loaded or quarantined), counted without parsing it."""
    return f"coalesce(sum({_RECORDS_IN_LINE}), 0)" if has_pages else "count(*)"


def _segment_id_sql(column: str) -> str:
    """Segment's id in a line of JSON text; null when there is none or the line is no JSON."""
    return f"try(json_extract_string({column}, '$.messageId'))"


# A multiset fingerprint of ids: equal sums of 64-bit hashes (as HUGEINT: no overflow) mean the
# same ids the same number of times, but for a collision (~2^-64).
_ID_COUNT_SQL = "count(id)"
_ID_HASH_SQL = "coalesce(sum(hash(id)::hugeint), 0)"


def _files_records_sql(csv: bool, has_pages: bool, with_ids: bool) -> str:
    """Per file of one scan: its lines and the records they hold, and with `with_ids` (Segment)
    the count and fingerprint of its messageIds. A CSV's lines are numbered, as the loader
    numbers them, to tell its first line, the header, from a record."""
    if csv:
        return f"""
        select filename, count(*),
            count(*) - count(*) filter (where line_number = 1 and trim(line) = ?)
        from {numbered_lines_sql()} group by 1"""
    reader = lines_reader_sql(filename=True)
    if with_ids:
        return f"""
        select filename, count(*), {_records_in_lines(has_pages)}, {_ID_COUNT_SQL}, {_ID_HASH_SQL}
        from (select filename, line, {_segment_id_sql("line")} as id from {reader}) group by 1"""
    return f"select filename, count(*), {_records_in_lines(has_pages)} from {reader} group by 1"


def _files_records(
    con: duckdb.DuckDBPyConnection,
    files: list[LandingFile],
    csv: bool,
    has_pages: bool,
    with_ids: bool = False,
) -> list[dict]:
    """`_file_records` of many files in one DuckDB scan (per file on any read error)."""
    if not files:
        return []
    try:
        # Parameters in the order of their `?` in the text: a CSV's header comes first.
        paths = [str(f.path) for f in files]
        rows = con.execute(
            _files_records_sql(csv, has_pages, with_ids),
            [EXCHANGE_RATES_HEADER, paths] if csv else [paths],
        ).fetchall()
    except (duckdb.InvalidInputException, duckdb.IOException):
        return [
            {
                "file": f.relative_path,
                "day": f.partition_date,
                **({"ids_in_file": None, "id_hash": None} if with_ids else {}),
                **_file_records(con, f, csv, has_pages, with_ids),
            }
            for f in files
        ]
    names = ["lines_in_file", "records_in_file", *(["ids_in_file", "id_hash"] if with_ids else [])]
    counts = {Path(name): dict(zip(names, values, strict=True)) for name, *values in rows}
    nothing = dict.fromkeys(names, 0)
    return [
        {
            "file": f.relative_path,
            "day": f.partition_date,
            **counts.get(f.path, nothing),
            "read_error": None,
        }
        for f in files
    ]


def _file_records(
    con: duckdb.DuckDBPyConnection,
    landing_file: LandingFile,
    csv: bool,
    has_pages: bool,
    with_ids: bool = False,
) -> dict:
    """Lines in the file and the records they hold, counted independently of the load log:
    a page envelope holds len(data) / len(results) records, any other line one record (a line
    that is not a JSON object is one quarantined record). A CSV's header is not a record.
    With `with_ids`, the count and fingerprint of the lines' messageIds too (no id_hash for a
    file read in Python: its lines are not the loader's, so its day is compared id by id)."""
    try:
        con.execute(
            f"create or replace temp table _dq_lines as select line from {lines_reader_sql()}",
            [str(landing_file.path)],
        )
    except duckdb.InvalidInputException:
        # Not splittable by the fast reader (invalid UTF-8...): count in Python, like the loader.
        lines = _count_lines_exact(landing_file.path)
        con.execute("create or replace temp table _dq_lines (line varchar)")
        if lines:
            con.executemany("insert into _dq_lines values (?)", [[line] for line in lines])
        with_ids = False
    except duckdb.IOException as error:
        return {"lines_in_file": None, "records_in_file": None, "read_error": str(error)[:200]}
    if csv:
        lines, header = con.execute(
            "select count(*), count(*) filter (where rn = 1 and trim(line) = ?) from "
            "(select line, row_number() over () as rn from _dq_lines)",
            [EXCHANGE_RATES_HEADER],
        ).fetchall()[0]
        return {"lines_in_file": lines, "records_in_file": lines - header, "read_error": None}
    if with_ids:
        lines, records, ids, id_hash = con.execute(
            f"select count(*), {_records_in_lines(has_pages)}, {_ID_COUNT_SQL}, {_ID_HASH_SQL} "
            f"from (select line, {_segment_id_sql('line')} as id from _dq_lines)"
        ).fetchall()[0]
        return {
            "lines_in_file": lines,
            "records_in_file": records,
            "read_error": None,
            "ids_in_file": ids,
            "id_hash": id_hash,
        }
    lines, records = con.execute(
        f"select count(*), {_records_in_lines(has_pages)} from _dq_lines"
    ).fetchall()[0]
    return {"lines_in_file": lines, "records_in_file": records, "read_error": None}


_LANDING_FILE_COLUMNS = ["file", "day", "lines_in_file", "records_in_file", "read_error"]


def landing_files_frame(
    con: duckdb.DuckDBPyConnection,
    obj: RawObject,
    landing_dir: Path,
    days: Days | None,
    with_ids: bool = False,
) -> pd.DataFrame:
    """One row per landing file of `obj` in `days`: its day, lines and records, counted
    independently of the loader, and with `with_ids` its messageIds' count and fingerprint
    (`ids_in_file`, `id_hash`; null when the file had to be read line by line). One scan of
    the files serves the landing reconciliation and the messageId one."""
    scan = scan_object(
        landing_dir, obj.system, obj.object, set(days) if days else None, obj.file_pattern
    )
    files = [f for day_files in scan.files_by_date.values() for f in day_files]
    rows = _files_records(
        con, files, csv=obj.object == "exchange_rates", has_pages=obj.has_pages, with_ids=with_ids
    )
    return pd.DataFrame(
        rows, columns=_LANDING_FILE_COLUMNS + (["ids_in_file", "id_hash"] if with_ids else [])
    )


def landing_reconciliation_batch(
    con: duckdb.DuckDBPyConnection,
    obj: RawObject,
    landing_dir: Path,
    days: Days | None,
    landing_files: pd.DataFrame | None = None,
) -> Batch:
    """Per landing file: records in the file vs rows in the raw table + quarantine, and both vs
    the load log. `landing_files` is landing_files_frame's (read here when None).

    Lines are not records by design (an envelope line holds many records, an empty page none,
    a CSV header none), so the exact identity is on records: records in the file = loaded +
    quarantined. Lines read are reconciled separately against the load log. A file no longer
    in the landing folder (retention) is reconciled against the log only.
    """
    if landing_files is None:
        landing_files = landing_files_frame(con, obj, landing_dir, days)
    on_disk = landing_files[["file", "lines_in_file", "records_in_file", "read_error"]]
    where, params = _day_filter("_partition_date", days)
    qwhere, qparams = _day_filter("partition_date", days)
    con.register("_dq_on_disk", on_disk)
    try:
        frame = con.execute(
            f"""
            with loaded as (
                select _source_file as file, count(*) as records_loaded
                from {obj.table} where {where} group by 1
            ),
            quarantined as (
                select file, count(*) as records_quarantined
                from {QUARANTINE_TABLE}
                where system = ? and object = ? and {qwhere}
                group by 1
            ),
            logged as (
                select file, lines_read, records_loaded as log_loaded,
                    records_quarantined as log_quarantined
                from {LOAD_LOG_TABLE}
                where system = ? and object = ? and {qwhere}
            ),
            files as (
                select file from _dq_on_disk
                union select file from loaded
                union select file from quarantined
                union select file from logged
            )
            select
                files.file,
                d.file is not null as file_on_disk,
                d.read_error,
                d.lines_in_file,
                logged.lines_read,
                d.records_in_file,
                coalesce(loaded.records_loaded, 0) as records_loaded,
                coalesce(quarantined.records_quarantined, 0) as records_quarantined,
                d.records_in_file - coalesce(loaded.records_loaded, 0)
                    - coalesce(quarantined.records_quarantined, 0) as records_unaccounted,
                d.lines_in_file - coalesce(logged.lines_read, 0) as lines_not_in_log,
                coalesce(logged.log_loaded, 0) + coalesce(logged.log_quarantined, 0)
                    - coalesce(loaded.records_loaded, 0)
                    - coalesce(quarantined.records_quarantined, 0) as log_minus_tables
            from files
            left join _dq_on_disk as d using (file)
            left join loaded using (file)
            left join quarantined using (file)
            left join logged using (file)
            order by files.file
            """,
            [*params, obj.system, obj.object, *qparams, obj.system, obj.object, *qparams],
        ).df()
    finally:
        con.unregister("_dq_on_disk")
    rules = [
        between(
            "reconciles_with_landing",
            "records_unaccounted",
            0,
            0,
            note="records in the file - loaded - quarantined",
        ),
        between(
            "reconciles_with_landing",
            "lines_not_in_log",
            0,
            0,
            note="lines in the file - lines the load log read",
        ),
        between(
            "reconciles_with_landing",
            "log_minus_tables",
            0,
            0,
            note="load log's loaded + quarantined - rows in the raw table and quarantine",
        ),
        is_null("reconciles_with_landing", "read_error", note="every landing file is readable"),
    ]
    label = days.label if days else "all"
    return Batch(f"reconciliation.{obj.table}", frame, rules, label, ("file",))


# messageIds compared per query: the distinct sets of one query must fit in DuckDB's memory
# limit (30M events in one query needed more than 3 GB at the large preset).
MESSAGE_IDS_PER_QUERY = 2_000_000


_SEGMENT_EVENTS = RawObject("segment", "events", has_pages=False)


def message_ids_batch(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    days: Days | None,
    ids_per_query: int = MESSAGE_IDS_PER_QUERY,
    landing_files: pd.DataFrame | None = None,
) -> Batch:
    """Per received day: the Segment messageIds of the landing files vs those loaded or
    quarantined. Duplicates are expected in both (ENG-3 dedupes in staging); a messageId in the
    files and in neither table was lost, a loaded one in no file came from elsewhere.

    Each file's ids are first compared as a fingerprint (their count and hash sum, taken by the
    scan that counts the file's records: `landing_files`, landing_files_frame's with ids, read
    here when None): a day whose files all match holds the same ids and needs no set
    comparison. The other days (a mismatch, a file read line by line) are compared id by id, a
    stretch of days at a time so memory stays bounded whatever the history's length."""
    if landing_files is None:
        landing_files = landing_files_frame(con, _SEGMENT_EVENTS, landing_dir, days, with_ids=True)
    by_day = _fingerprints_by_day(con, landing_files, days)
    unmatched = by_day.loc[~by_day["fingerprints_match"], "day"].dt.date.tolist()
    exact = _exact_message_ids(con, landing_dir, unmatched, ids_per_query)
    frame = by_day.drop(columns="fingerprints_match").merge(exact, on="day", how="left")
    frame["compared"] = (
        frame["missing_from_warehouse"].isna().map({True: "fingerprint", False: "ids"})
    )
    for column in ("missing_from_warehouse", "loaded_not_in_files"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["ids_in_files"] = frame["ids_in_files"].astype("Int64")  # null: a file read in Python
    rules = [
        between("message_ids_match_landing", "missing_from_warehouse", 0, 0),
        between("message_ids_match_landing", "loaded_not_in_files", 0, 0),
    ]
    label = days.label if days else "all"
    return Batch("reconciliation.raw_segment.events.message_ids", frame, rules, label, ("day",))


def _fingerprints_by_day(
    con: duckdb.DuckDBPyConnection, landing_files: pd.DataFrame, days: Days | None
) -> pd.DataFrame:
    """Per day: ids in the files, ids loaded or quarantined, and whether each file's ids have
    the fingerprint of its rows' (a file known to one side only matches when it has no id; a
    file read in Python, with no fingerprint, never does)."""
    where, params = _day_filter("_partition_date", days)
    qwhere, qparams = _day_filter("partition_date", days)
    # hash sums exceed 64 bits: handed over as text, cast back to HUGEINT in DuckDB
    on_disk = landing_files[["day", "file"]].assign(
        ids_in_file=landing_files["ids_in_file"].astype("Int64"),
        id_hash=landing_files["id_hash"].map(lambda v: None if pd.isna(v) else str(v)),
    )
    con.register("_dq_landing_ids", on_disk)
    try:
        return con.execute(
            f"""
            with in_tables as (
                select _partition_date as day, _source_file as file, record_id as id
                from raw_segment.events where {where}
                union all
                select partition_date, file, {_segment_id_sql("raw_text")}
                from {QUARANTINE_TABLE}
                where system = 'segment' and object = 'events' and {qwhere}
            ),
            table_ids as (
                select day, file, {_ID_COUNT_SQL} as ids, {_ID_HASH_SQL} as id_hash
                from in_tables group by 1, 2
            ),
            landing_ids as (
                select cast(day as date) as day, file, ids_in_file,
                    cast(id_hash as hugeint) as id_hash
                from _dq_landing_ids
            )
            select
                cast(coalesce(l.day, t.day) as timestamp) as day,
                -- unknown (null) when a file of the day was read in Python
                case when bool_or(l.file is not null and l.ids_in_file is null) then null
                    else coalesce(sum(l.ids_in_file), 0) end as ids_in_files,
                coalesce(sum(t.ids), 0) as ids_in_tables,
                bool_and(
                    case
                        when l.file is null then t.ids = 0
                        when l.ids_in_file is null or l.id_hash is null then false
                        else l.ids_in_file = coalesce(t.ids, 0)
                            and l.id_hash = coalesce(t.id_hash, 0)
                    end
                ) as fingerprints_match
            from landing_ids as l
            full join table_ids as t on l.file = t.file and l.day = t.day
            group by 1
            -- a day of files without ids (empty files) has nothing to compare
            having ids_in_files is distinct from 0 or ids_in_tables > 0
            order by 1
            """,
            [*params, *qparams],
        ).df()
    finally:
        con.unregister("_dq_landing_ids")


def _exact_message_ids(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, days: list[date], ids_per_query: int
) -> pd.DataFrame:
    """missing_from_warehouse and loaded_not_in_files of `days`, from their distinct ids: each
    run of consecutive days compared a stretch at a time."""
    columns = ["day", "missing_from_warehouse", "loaded_not_in_files"]
    if not days:
        return pd.DataFrame(columns=columns).astype({"day": "datetime64[us]"})
    files_by_date = scan_object(landing_dir, "segment", "events", set(days)).files_by_date
    frames = []
    for run in _consecutive_runs(days):
        run_files = {d: f for d, f in files_by_date.items() if run.start <= d <= run.end}
        for stretch in _message_id_stretches(con, run_files, run, ids_per_query):
            frames.append(_message_ids_frame(con, run_files, stretch)[columns])
    return pd.concat(frames, ignore_index=True)


def _consecutive_runs(days: list[date]) -> list[Days]:
    """`days` as ranges of consecutive days (a gap starts a new range)."""
    runs: list[Days] = []
    for day in sorted(days):
        if runs and day == runs[-1].end + timedelta(days=1):
            runs[-1] = Days(runs[-1].start, day)
        else:
            runs.append(Days(day, day))
    return runs


def _message_id_stretches(
    con: duckdb.DuckDBPyConnection,
    files_by_date: dict[date, list[LandingFile]],
    days: Days | None,
    ids_per_query: int,
) -> list[Days]:
    """Consecutive days with at most ~ids_per_query loaded records each (a bigger day is its
    own stretch), covering every day that has landing files, loaded or quarantined records."""
    where, params = _day_filter("_partition_date", days)
    qwhere, qparams = _day_filter("partition_date", days)
    counts: dict[date, int] = dict(
        con.execute(
            f"select _partition_date, count(*) from raw_segment.events where {where} group by 1",
            params,
        ).fetchall()
    )
    quarantined_days = con.execute(
        f"select distinct partition_date from {QUARANTINE_TABLE} "
        f"where system = 'segment' and object = 'events' and {qwhere}",
        qparams,
    ).fetchall()
    for day in [*files_by_date, *(row[0] for row in quarantined_days)]:
        counts.setdefault(day, 0)
    return group_days(counts, ids_per_query)


def _message_ids_frame(
    con: duckdb.DuckDBPyConnection, files_by_date: dict[date, list[LandingFile]], days: Days | None
) -> pd.DataFrame:
    """The per-day comparison of message_ids_batch over `days` (every day when None)."""
    paths = [
        str(f.path)
        for day, files in files_by_date.items()
        if days is None or days.start <= day <= days.end
        for f in files
    ]
    if not paths:
        return _compare_message_ids(
            con, days, "select null::date as day, null::varchar as messageId where false", []
        )
    try:
        return _compare_message_ids(con, days, _landing_message_ids_sql(fast=True), [paths])
    except duckdb.InvalidInputException:
        # a file the line reader cannot split (invalid UTF-8...): the JSON reader skips the line
        return _compare_message_ids(con, days, _landing_message_ids_sql(fast=False), [paths])


def _landing_message_ids_sql(fast: bool) -> str:
    """Distinct (received day, messageId) of the landing files bound to its `?`. A line that is
    not JSON has no messageId here (it is quarantined without a readable one anyway)."""
    if fast:
        # whole lines (the loader's reader) and one parse each: ~20% faster than
        # read_ndjson_objects, ~7x faster than read_json with a typed column, over many small
        # gzip files; raises InvalidInputException on a file it cannot split
        source = (
            f"select filename, {_segment_id_sql('line')} as messageId "
            f"from {lines_reader_sql(filename=True)}"
        )
    else:
        source = (
            "select filename, json_extract_string(json, '$.messageId') as messageId "
            "from read_ndjson_objects(?, ignore_errors = true, filename = true, "
            "compression = 'auto')"
        )
    return (
        "select distinct try_cast(regexp_extract(filename, "
        "'([0-9]{4}-[0-9]{2}-[0-9]{2})[/\\\\][^/\\\\]+$', 1) as date) as day, messageId "
        f"from ({source}) where messageId is not null"
    )


def _compare_message_ids(
    con: duckdb.DuckDBPyConnection, days: Days | None, files_sql: str, file_params: list
) -> pd.DataFrame:
    """Per day of `days`: distinct messageIds of `files_sql` vs loaded and quarantined ones."""
    where, params = _day_filter("_partition_date", days)
    qwhere, qparams = _day_filter("partition_date", days)
    return con.execute(
        f"""
        with in_files as ({files_sql}),
        loaded as (
            select distinct _partition_date as day, record_id as messageId
            from raw_segment.events where {where}
        ),
        quarantined as (
            select distinct partition_date as day,
                json_extract_string(raw_text, '$.messageId') as messageId
            from {QUARANTINE_TABLE}
            where system = 'segment' and object = 'events' and {qwhere}
                and json_valid(raw_text)
                and json_extract_string(raw_text, '$.messageId') is not null
        ),
        in_tables as (select * from loaded union select * from quarantined),
        missing as (
            select day, count(*) as n
            from (select * from in_files except select * from in_tables)
            group by 1
        ),
        not_in_files as (
            select day, count(*) as n
            from (select * from loaded except select * from in_files)
            group by 1
        ),
        file_counts as (select day, count(*) as n from in_files group by 1),
        loaded_counts as (select day, count(*) as n from loaded group by 1),
        quarantined_counts as (select day, count(*) as n from quarantined group by 1),
        days as (select day from file_counts union select day from loaded_counts
                 union select day from quarantined_counts)
        select
            days.day::timestamp as day,
            coalesce(file_counts.n, 0) as distinct_in_files,
            coalesce(loaded_counts.n, 0) as distinct_loaded,
            coalesce(quarantined_counts.n, 0) as distinct_quarantined,
            coalesce(missing.n, 0) as missing_from_warehouse,
            coalesce(not_in_files.n, 0) as loaded_not_in_files
        from days
        left join file_counts using (day)
        left join loaded_counts using (day)
        left join quarantined_counts using (day)
        left join missing using (day)
        left join not_in_files using (day)
        order by 1
        """,
        [*file_params, *params, *qparams],
    ).df()


# ---------------------------------------------------------------------------------------------
# fct_mrr: the spine and the month-over-month band


def spine_rows(con: duckdb.DuckDBPyConnection, config: QualityConfig) -> dict:
    """MRR-5: the account-month spine from each account's first paid month to the as_of month,
    and how fct_mrr differs from it."""
    row = con.execute(
        f"""
        with firsts as (
            select account_id, min(month) filter (where mrr > 0) as first_paid_month
            from {MARTS_SCHEMA}.fct_mrr group by 1
        ),
        spine as (
            select account_id, unnest(generate_series(
                date_trunc('month', first_paid_month),
                date_trunc('month', $as_of::date),
                interval 1 month))::date as month
            from firsts where first_paid_month is not null
        ),
        actual as (select account_id, date_trunc('month', month)::date as month
                   from {MARTS_SCHEMA}.fct_mrr)
        select
            (select count(*) from spine) as spine_rows,
            (select count(*) from (select * from spine except all select * from actual))
                as missing_rows,
            (select count(*) from (select * from actual except all select * from spine))
                as extra_rows,
            (select list(account_id || ' ' || month) from (
                select * from (select * from spine except all select * from actual) limit 5))
                as missing_sample,
            (select list(account_id || ' ' || month) from (
                select * from (select * from actual except all select * from spine) limit 5))
                as extra_sample
        """,
        {"as_of": config.as_of},
    ).fetchall()[0]
    keys = ("spine_rows", "missing_rows", "extra_rows", "missing_sample", "extra_sample")
    return dict(zip(keys, row, strict=True))


def spine_rule(spine: dict):
    return row_count(
        "row_count_matches_spine",
        spine["spine_rows"],
        note="MRR-5: one row per account per month, first paid month to the as_of month",
    )


def mrr_band_batch(con: duckdb.DuckDBPyConnection, config: QualityConfig) -> Batch:
    """Total MRR month over month, judged on the accounts that already paid (MRR-6: new
    customers' MRR left out of the month they start in).

    A first sale is growth, not an anomaly: on a small base one enterprise customer adds more
    than the band (the demo: one new account added $23,496 to $68,427, +51 %). What the band is
    for, a lost or doubled partition, a wrong rate, subscriptions dropped by a model, moves the
    MRR of accounts that were there the month before, so that is what is judged; the report
    shows the total change and new MRR beside it. Absurd MRR of a new account is the job of the
    invoice reconciliation.
    """
    frame = con.execute(
        f"""
        with totals as (
            select
                month,
                sum(mrr)::double as total_mrr,
                coalesce(sum(mrr) filter (where movement = 'new'), 0)::double as new_mrr
            from {MARTS_SCHEMA}.fct_mrr
            group by 1
        ),
        changes as (
            select
                *,
                lag(total_mrr) over (order by month) as previous_total_mrr
            from totals
        )
        select
            month::timestamp as month,
            total_mrr,
            previous_total_mrr,
            new_mrr,
            total_mrr / nullif(previous_total_mrr, 0) - 1 as change,
            (total_mrr - new_mrr) / nullif(previous_total_mrr, 0) - 1 as change_without_new
        from changes
        order by month
        """
    ).df()
    rules = [
        between(
            "total_mrr_change_within_band",
            "change_without_new",
            -config.mrr_band,
            config.mrr_band,
            note=f"total MRR month over month, new customers left out, within "
            f"±{config.mrr_band:.0%}",
        )
    ]
    return Batch("anomaly.marts.fct_mrr.total_mrr", frame, rules, "", ("month", "total_mrr"))


# Events are attributed in dbt (ENG-3); engagement marts keep only accounts the CRM or billing
# knows, so events of any other account would vanish without this count.
ATTRIBUTED_EVENTS = "intermediate.int_segment_events_attributed"
KNOWN_ACCOUNTS = f"{MARTS_SCHEMA}.dim_accounts"


def unknown_accounts_batch(con: duckdb.DuckDBPyConnection) -> Batch | None:
    """Per account id seen on product events: its events and whether the warehouse knows it.
    None until dbt has built both relations."""
    if not (table_exists(con, ATTRIBUTED_EVENTS) and table_exists(con, KNOWN_ACCOUNTS)):
        return None
    frame = con.execute(
        f"""
        select
            coalesce(events.account_id, '(no account)') as account_id,
            count(*) as events,
            min(events.event_date) as first_day,
            max(events.event_date) as last_day,
            bool_or(accounts.account_id is not null) as is_known_account
        from {ATTRIBUTED_EVENTS} as events
        left join {KNOWN_ACCOUNTS} as accounts
            on cast(events.account_id as varchar) = cast(accounts.account_id as varchar)
        group by all
        order by is_known_account, events desc
        """
    ).df()
    rules = [
        in_set(
            "events_have_known_accounts",
            "is_known_account",
            (True,),
            note="groupId / context.groupId is a HubSpot company or Stripe customer account",
        )
    ]
    return Batch("accounts.product_events", frame, rules, "", ("account_id", "events"))


def markdown_table(frame: pd.DataFrame, rows: int = 24) -> str:
    """A small markdown table for check metadata (the last `rows` rows)."""
    if frame.empty:
        return "(no rows)"
    shown = frame.tail(rows)
    cells = ([_cell(v) for v in row] for row in shown.itertuples(index=False))
    return render_markdown_table(list(shown.columns), cells)


def _cell(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:,.4g}" if abs(value) < 10 else f"{value:,.2f}"
    return "" if value is None or value is pd.NA else str(value)
