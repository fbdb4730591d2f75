"""Pandas peer of three marts, computed straight from the landing files (benchmark baseline).

COVERED: fct_nps_monthly, fct_engagement_daily and fct_mrr (all three). Each equals the mart
our DuckDB + dbt pipeline publishes: `compare()` finds no difference on the demo data (seed 11,
2 and 12 months of history, as_of 2026-06-30, and 12 months with as_of 2026-02-17).

What an analyst would write with pandas, reproducing the dbt models' logic (not METRICS.md read
afresh), so that the benchmark compares like with like:

- Reading: every `<landing>/<system>/<object>/<YYYY-MM-DD>/part-NNNNN.jsonl[.gz]`, one
  `json.loads` per line, in batches of whole days (about 64 MiB of JSON); Stripe `list`
  pages, HubSpot `results` pages and Stripe events are unwrapped; records failing the
  load-time contract of `orchestration/ingest/specs.py` (required fields, JSON types, enum
  values, sanity rules) are skipped, as the loader quarantines them; a file that cannot be
  read fails its whole day.
  Each batch keeps only the columns the marts need (not the parsed records). Versions sort like
  the loader's `_record_version`: extraction day, event `created`, file, line, page position.
- fct_nps_monthly: latest version of each survey response (latest `updatedAt`), not archived,
  submitted by `as_of`, NPS scores 0..10 integral; account = the contact's company, else the
  associated company; segment = the HubSpot company's `segment` ('unknown' without one);
  month x segment grid from the first response month to the `as_of` month.
- fct_engagement_daily: Segment calls deduplicated on messageId (earliest receivedAt), event
  day = UTC day of `timestamp`, days after `as_of` dropped; track calls attributed to
  `context.groupId`, else the user's latest group call at or before the event; the dbt seed of
  non-qualifying events; DAU/WAU/MAU per account from its first active day to `as_of`; only
  accounts known to the CRM or to billing; licensed seats = quantity of the per-seat items
  (product unit_label seat(s)/user(s)) counting toward MRR at the end of the day.
- fct_mrr: subscription history rebuilt from every version (observed at the event time or the
  extraction day, backdated to start_date, cut at ended_at / cancel_at, trials excluded),
  item MRR normalised per interval, recurring discounts, month-start FX rates, movements
  (new, churn, reactivation, expansion, contraction, unchanged) with fx impact, involuntary
  churn and cross-sell, as in the dbt models.

Memory (the medium scale has 20.8M Segment calls): a batch must leave nothing of its parsed
records behind. Under pandas' copy-on-write a column taken from the batch's table of extracted
JSON values is a view that keeps that whole table alive, with the JSON objects it holds:
load_records copies each batch (the first version did not and was killed at 23.7 GB). Segment
calls are moreover reduced to numbers batch by batch: the messageId to a 128-bit key (two
64-bit hashes), user and account ids to codes of dictionaries that grow across batches (a code
means the same id in every batch), the event name to its qualifying flag, the call type to two
flags, timestamps to datetime64 and the version to one load-order number (batches hold whole
days in day order): about 56 bytes a copy of a call. Deduplication sorts those numbers, ids
become text again only in the account x day grid, and billing is done before the Segment calls
are read.

Money is computed in float64 and rounded as DuckDB's DECIMAL casts round (10 places for
intermediate values, then half away from zero to cents).

Known limits (inputs the demo data never holds, where Python and DuckDB read JSON differently):
an object with a duplicated key (Python keeps the last value), integers beyond 2^63 (DuckDB
types them UBIGINT/DOUBLE), timestamp text that only one of DuckDB's and pandas' ISO-8601
parsers accepts, a lone UTF-16 surrogate escape (DuckDB rejects the line), and Stripe event
`created` values outside 0..10^12 (the loader's version string stops sorting numerically
there). Two different messageIds with the same 128-bit key would count as one call (a 2^-128
chance per pair).

`python -m bench.pandas_peer --landing DIR --as-of YYYY-MM-DD [--serving serving.duckdb]`
prints the wall time, the peak memory and, with --serving, the comparison.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import resource
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.ingest.specs import (
    CUSTOMER_DISCOUNTS_SHAPE,
    LEGACY_V1_PIPELINE,
    SPECS_BY_KEY,
    ObjectSpec,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
NON_QUALIFYING_SEED = REPO_ROOT / "dbt_project" / "seeds" / "non_qualifying_events.csv"

MARTS = ("fct_nps_monthly", "fct_engagement_daily", "fct_mrr")
KEYS = {
    "fct_nps_monthly": ["month", "segment"],
    "fct_engagement_daily": ["account_id", "date_day"],
    "fct_mrr": ["account_id", "month"],
}
MONEY_COLUMNS = {"mrr", "previous_mrr", "mrr_change", "movement_mrr", "fx_impact"}
RELATIVE_TOLERANCE = 1e-6
MONEY_TOLERANCE = 0.005

# The loader's `_record_version`, as sortable columns (see load_records).
VERSION = ["_day", "_created", "_file", "_line", "_idx"]
# JSON text parsed at a time: its Python objects take several times as much memory
BATCH_BYTES = 64 * 2**20

_PART_FILE = re.compile(r"^part-\d{5}\.jsonl(\.gz)?$")
_RATES_FILE = "rates.csv"
_RATES_HEADER = "date,currency,usd_per_unit"
_DAY = 86_400
_COUNTING_STATUSES = ("active", "past_due")
_ENDED_STATUSES = ("canceled", "incomplete_expired")
_SEAT_LABELS = ("seat", "seats", "user", "users")
# Stripe's minor units: zero-decimal currencies are whole units, three-decimal ones use 1000
_ZERO_DECIMAL_CURRENCIES = (
    *("bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga"),
    *("pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"),
)
_THREE_DECIMAL_CURRENCIES = ("bhd", "jod", "kwd", "omr", "tnd")


# --------------------------------------------------------------------------------------------
# JSON values: the DuckDB functions the loader and the staging models use, on Python values
# --------------------------------------------------------------------------------------------


def _path_keys(path: str) -> tuple[str | int, ...]:
    """'$.a.b[0].c' -> ('a', 'b', 0, 'c')."""
    keys: list[str | int] = []
    for part in path.removeprefix("$.").split("."):
        name, *indexes = part.split("[")
        keys.append(name)
        keys.extend(int(index.rstrip("]")) for index in indexes)
    return tuple(keys)


def _walk(value: object, keys: tuple[str | int, ...]) -> object:
    for key in keys:
        if isinstance(key, int):
            if not isinstance(value, list) or key >= len(value):
                return None
            value = value[key]
        elif isinstance(value, dict):
            value = value.get(key)
        else:
            return None
    return value


def _json_text(value: object) -> str | None:
    """DuckDB `json_extract_string`: strings unquoted, other values as JSON text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _as_bigint(value: object) -> int | None:
    """DuckDB `try_cast(<json> as bigint)`."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return int(value + 0.5) if value >= 0 else -int(-value + 0.5)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _map(series: pd.Series, func: Callable[[object], object]) -> pd.Series:
    """Element-wise `func` keeping Python values as they are (no dtype inference)."""
    mapped = np.frompyfunc(func, 1, 1)(series.to_numpy(dtype=object))
    return pd.Series(np.asarray(mapped, dtype=object), index=series.index, dtype=object)


def _number(text: pd.Series) -> pd.Series:
    return pd.to_numeric(text.astype("string").str.strip(" "), errors="coerce").astype(float)


def _iso_ts(text: pd.Series) -> pd.Series:
    """ISO-8601 text -> naive UTC datetime64[us]; NaT when unparseable."""
    parsed = pd.to_datetime(text.astype("string"), format="ISO8601", utc=True, errors="coerce")
    return parsed.dt.tz_localize(None).astype("datetime64[us]").dt.floor("us")


def _hubspot_ts(text: pd.Series) -> pd.Series:
    """HubSpot date text: epoch milliseconds or ISO-8601 -> naive UTC datetime64[us]."""
    text = text.astype("string").str.strip(" ")
    is_millis = text.str.fullmatch(r"-?[0-9]+").fillna(False).astype(bool)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    if is_millis.any():
        millis = text[is_millis].astype("int64")
        out[is_millis] = pd.to_datetime(millis, unit="ms").astype("datetime64[us]")
    if (~is_millis).any():
        out[~is_millis] = _iso_ts(text[~is_millis])
    return out


_TYPE_NAMES = {
    str: "VARCHAR",
    int: "BIGINT",  # DuckDB says UBIGINT / DOUBLE beyond 2^63: accepted by the same checks
    float: "DOUBLE",
    bool: "BOOLEAN",
    dict: "OBJECT",
    list: "ARRAY",
}


def _getter(path: str) -> Callable[[dict], object]:
    keys = _path_keys(path)
    if len(keys) == 1 and isinstance(keys[0], str):
        key = keys[0]
        return lambda record: record.get(key)
    if len(keys) == 2 and all(isinstance(k, str) for k in keys):
        outer, inner = keys

        def two_levels(record: dict) -> object:
            value = record.get(outer)
            return value.get(inner) if isinstance(value, dict) else None

        return two_levels
    return lambda record: _walk(record, keys)


class Json:
    """A column of parsed JSON values, with the extractions the staging models use.

    The `paths` given up front are read in one pass over the values (a flat table, as
    `pd.json_normalize` would make); any other path is read on demand. Results are cached.
    """

    def __init__(self, values: pd.Series, paths: tuple[str, ...] = ()) -> None:
        self.values = values
        self._raw: dict[str, pd.Series] = {}
        self._text: dict[str, pd.Series] = {}
        paths = tuple(dict.fromkeys(paths))
        if paths and len(values):
            getters = [_getter(path) for path in paths]

            def flatten(value: object) -> tuple:
                if isinstance(value, dict):
                    return tuple([get(value) for get in getters])
                return (None,) * len(getters)

            rows = _map(values, flatten).tolist()
            table = pd.DataFrame(rows, columns=list(paths), index=values.index, dtype=object)
            self._raw.update({path: table[path] for path in paths})

    def subset(self, mask: pd.Series) -> Json:
        """The values where `mask` is true (cached extractions kept), re-indexed from 0."""
        subset = Json(self.values[mask].reset_index(drop=True))
        for cache, source in ((subset._raw, self._raw), (subset._text, self._text)):
            cache.update({k: v[mask].reset_index(drop=True) for k, v in source.items()})
        return subset

    def raw(self, path: str) -> pd.Series:
        """The Python value at `path` (None when absent or JSON null)."""
        if path not in self._raw:
            keys = _path_keys(path)
            self._raw[path] = _map(self.values, lambda v: _walk(v, keys))
        return self._raw[path]

    def kind(self, path: str) -> pd.Series:
        """DuckDB `json_type` at `path` (None when absent or JSON null)."""
        return self.raw(path).map(type).map(_TYPE_NAMES)

    def text(self, path: str) -> pd.Series:
        """`json_extract_string` at `path`, as a string column (NA when absent or null)."""
        if path not in self._text:
            values, kinds = self.raw(path), self.kind(path)
            text = values.where(kinds == "VARCHAR")
            other = kinds.notna() & (kinds != "VARCHAR")
            if other.any():
                text[other] = values[other].map(_json_text)
            self._text[path] = text.astype("string")
        return self._text[path]

    def stripe_id(self, path: str) -> pd.Series:
        """An id that may be expanded into an object with `id` (customer, price, product...)."""

        def read(value: object) -> str | None:
            return _json_text(value.get("id") if isinstance(value, dict) else value)

        return _map(self.raw(path), read).astype("string")

    def number(self, path: str) -> pd.Series:
        return _number(self.text(path))

    def stripe_ts(self, path: str) -> pd.Series:
        """Stripe Unix seconds at `path`, as float seconds (NaN = null)."""
        return self.number(path)

    def iso_ts(self, path: str) -> pd.Series:
        key = f"iso:{path}"
        if key not in self._raw:
            self._raw[key] = _iso_ts(self.text(path))
        return self._raw[key]

    def prop(self, name: str) -> pd.Series:
        """HubSpot property: text trimmed of spaces, '' as null (macro hubspot_prop)."""
        value = self.text(f"$.properties.{name}").str.strip(" ")
        return value.mask(value == "")

    def hubspot_ts(self, path: str) -> pd.Series:
        return _hubspot_ts(self.text(path))

    def flag(self, path: str) -> pd.Series:
        """`coalesce(cast(json_extract_string(path) as boolean), false)`."""
        return (self.text(path) == "true").fillna(False).astype(bool)


def _reads(*paths: str) -> Callable:
    """Declare the paths a decoder reads, so that they are extracted in one pass."""

    def declare(decode: Callable) -> Callable:
        decode.paths = paths
        return decode

    return declare


# --------------------------------------------------------------------------------------------
# Landing files -> valid records (what the loader keeps)
# --------------------------------------------------------------------------------------------


def _partition_files(
    landing_dir: Path, system: str, obj: str, pattern: re.Pattern[str] | str = _PART_FILE
) -> dict[date, list[Path]]:
    root = landing_dir / system / obj
    files: dict[date, list[Path]] = {}
    if not root.is_dir():
        return files
    for day_dir in sorted(root.iterdir()):
        try:
            day = date.fromisoformat(day_dir.name)
        except ValueError:
            continue
        if not day_dir.is_dir():
            continue
        for path in sorted(day_dir.iterdir()):
            matches = path.name == pattern if isinstance(pattern, str) else pattern.match(path.name)
            if path.is_file() and matches:
                files.setdefault(day, []).append(path)
    return dict(sorted(files.items()))


def _file_lines(path: Path) -> list[bytes]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def _lines_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if parts:
        return pd.concat(parts, ignore_index=True)
    return pd.DataFrame(
        {
            "line": pd.Series([], dtype=object),
            "_line": pd.Series([], dtype=np.int64),
            "_file": pd.Series([], dtype=object),
            "_day": pd.Series([], dtype=np.int64),
        }
    )


def _line_batches(
    landing_dir: Path, system: str, obj: str, pattern: re.Pattern[str] | str = _PART_FILE
) -> Iterator[pd.DataFrame]:
    """The lines of an object's files with their lineage, about BATCH_BYTES at a time.

    A batch holds whole days, in day order. A file that cannot be read fails its whole day, as
    the loader fails the partition.
    """
    batch: list[pd.DataFrame] = []
    size, yielded = 0, False
    for day, paths in _partition_files(landing_dir, system, obj, pattern).items():
        try:
            contents = [(path, _file_lines(path)) for path in paths]
        except (OSError, EOFError, zlib.error):
            continue
        for path, lines in contents:
            batch.append(
                pd.DataFrame(
                    {
                        "line": pd.Series(lines, dtype=object),
                        "_line": np.arange(1, len(lines) + 1, dtype=np.int64),
                        # the version compares `<file>|...`: 'part-0.jsonl.gz' < 'part-0.jsonl'
                        "_file": path.name + "|",
                        "_day": (day - date(1970, 1, 1)).days,
                    }
                )
            )
            size += sum(map(len, lines))
        if size >= BATCH_BYTES:
            yield _lines_frame(batch)
            batch, size, yielded = [], 0, True
    if batch or not yielded:
        yield _lines_frame(batch)


def _page_elements(value: dict) -> list:
    """A Stripe list or Search API page, or a HubSpot results page -> its elements; any other
    object -> itself."""
    data = value.get("data")
    if value.get("object") in ("list", "search_result") and isinstance(data, list):
        return data
    results = value.get("results")
    if isinstance(results, list) and "id" not in value:
        return results
    return [value]


def _line_records(line: bytes) -> list[tuple[int, dict, int | None]]:
    """Parse one line: (position in page, record, event `created`) per record it holds.

    A Stripe event yields its `data.object`. What is not a JSON object (a bad line, a page
    element or event payload of another type) yields nothing: the loader quarantines it.
    """
    try:
        value = json.loads(line)
    except ValueError:  # not JSON, or not UTF-8
        return []
    if not isinstance(value, dict):
        return []
    found = []
    for index, element in enumerate(_page_elements(value)):
        if not isinstance(element, dict):
            continue
        if element.get("object") == "event":
            data = element.get("data")
            record = data.get("object") if isinstance(data, dict) else None
            if isinstance(record, dict):
                found.append((index, record, _as_bigint(element.get("created"))))
        else:
            found.append((index, element, None))
    return found


def _out_of_interval_range(value: object) -> bool:
    count = _as_bigint(value)
    return count is not None and not 1 <= count <= 1095


def _is_negative(value: object) -> bool:
    number = _as_bigint(value)
    return number is not None and number < 0


def _reversed(start: object, end: object) -> bool:
    start, end = _as_bigint(start), _as_bigint(end)
    return start is not None and end is not None and end < start


def _any_item(items: object, test: Callable[[dict], bool]) -> bool:
    return isinstance(items, list) and any(test(item) for item in items)


def _item_period_reversed(item: object) -> bool:
    return _reversed(_walk(item, ("current_period_start",)), _walk(item, ("current_period_end",)))


def _item_interval_out_of_range(item: object) -> bool:
    return _out_of_interval_range(_walk(item, ("price", "recurring", "interval_count")))


def _item_quantity_negative(item: object) -> bool:
    return _is_negative(_walk(item, ("quantity",)))


def _legacy_v1_pipeline(record: object) -> bool:
    """The v1 pipelines shape: `pipelineId` without `id`, or a stage with `stageId` only."""
    if not isinstance(record, dict):
        return False
    if "pipelineId" in record and "id" not in record:
        return True
    return _any_item(
        record.get("stages"), lambda s: isinstance(s, dict) and "stageId" in s and "id" not in s
    )


def _flags(values: pd.Series, test: Callable[[object], bool]) -> pd.Series:
    return _map(values, test).astype(bool)


# The loader's sanity rules (SQL in specs.py), by their reason text: the paths each reads,
# and the test (true = the record is bad).
_RULES: dict[str, tuple[tuple[str, ...], Callable[[Json], pd.Series]]] = {
    "recurring.interval_count outside 1..1095": (
        ("$.recurring.interval_count",),
        lambda j: _flags(j.raw("$.recurring.interval_count"), _out_of_interval_range),
    ),
    "unit_amount is negative": (
        ("$.unit_amount",),
        lambda j: _flags(j.raw("$.unit_amount"), _is_negative),
    ),
    "an item's current_period_end is before its current_period_start": (
        ("$.items.data",),
        lambda j: _flags(j.raw("$.items.data"), lambda i: _any_item(i, _item_period_reversed)),
    ),
    "current_period_end is before current_period_start": (
        ("$.current_period_start", "$.current_period_end"),
        lambda j: pd.Series(
            [
                _reversed(start, end)
                for start, end in zip(
                    j.raw("$.current_period_start"), j.raw("$.current_period_end"), strict=True
                )
            ],
            index=j.values.index,
            dtype=bool,
        ),
    ),
    "an item's price.recurring.interval_count is outside 1..1095": (
        ("$.items.data",),
        lambda j: _flags(
            j.raw("$.items.data"), lambda i: _any_item(i, _item_interval_out_of_range)
        ),
    ),
    "an item's quantity is negative": (
        ("$.items.data",),
        lambda j: _flags(j.raw("$.items.data"), lambda i: _any_item(i, _item_quantity_negative)),
    ),
    CUSTOMER_DISCOUNTS_SHAPE.reason: (
        ("$.discounts",),
        lambda j: _flags(
            j.raw("$.discounts"), lambda d: _any_item(d, lambda e: not isinstance(e, str | dict))
        ),
    ),
    LEGACY_V1_PIPELINE.reason: (
        ("$.pipelineId", "$.stages"),
        lambda j: _flags(j.values, _legacy_v1_pipeline),
    ),
    "amount_due is negative": (
        ("$.amount_due",),
        lambda j: _flags(j.raw("$.amount_due"), _is_negative),
    ),
    "a track call without `event`": (
        ("$.type", "$.event"),
        lambda j: (j.text("$.type") == "track").fillna(False) & j.text("$.event").isna(),
    ),
    "timestamp is not an ISO-8601 timestamp": (
        ("$.timestamp",),
        lambda j: j.iso_ts("$.timestamp").isna(),
    ),
    "receivedAt is not an ISO-8601 timestamp": (
        ("$.receivedAt",),
        lambda j: j.iso_ts("$.receivedAt").isna(),
    ),
}


def _spec_paths(spec: ObjectSpec) -> tuple[str, ...]:
    """Every path the loader's checks of `spec` read."""
    paths = [spec.id_path, *(f.path for f in spec.fields)]
    if spec.object_types:
        paths.append("$.object")
    if spec.deleted_path:
        paths.append(spec.deleted_path)
    if spec.deleted_status:
        paths.append("$.status")
    for rule in (*spec.shape_rules, *spec.rules):
        if rule.reason not in _RULES:
            raise NotImplementedError(f"{spec.key}: the peer lacks the loader rule {rule.reason!r}")
        paths.extend(_RULES[rule.reason][0])
    return tuple(paths)


def _valid(records: Json, spec: ObjectSpec) -> pd.Series:
    """True for a record the loader keeps (specs.py checks; see validation.record_reason_sql).

    `records` holds JSON objects only (anything else is dropped when lines are parsed).
    """
    ok = records.kind(spec.id_path).isin(("VARCHAR", "BIGINT", "UBIGINT"))
    for rule in spec.shape_rules:
        ok &= ~_RULES[rule.reason][1](records).astype(bool)
    if spec.object_types:
        kind = records.text("$.object")
        ok &= (kind.isna() | kind.isin(spec.object_types)).astype(bool)
    body_ok = pd.Series(True, index=records.values.index)
    for fld in spec.fields:
        types = records.kind(fld.path)
        present = types.notna()
        if fld.required:
            body_ok &= present
        body_ok &= ~present | types.isin(fld.types)
        if fld.allowed:
            body_ok &= ~(types == "VARCHAR") | records.raw(fld.path).isin(fld.allowed)
    for rule in spec.rules:
        body_ok &= ~_RULES[rule.reason][1](records).astype(bool)
    if spec.deleted_path:
        body_ok |= records.raw(spec.deleted_path).map(lambda v: v is True).astype(bool)
    if spec.deleted_status:
        body_ok |= (records.raw("$.status") == spec.deleted_status).astype(bool)
    return (ok & body_ok).astype(bool)


def _valid_records(
    lines: pd.DataFrame, spec: ObjectSpec, paths: tuple[str, ...]
) -> tuple[pd.DataFrame, Json]:
    """Lines -> the records the loader keeps: their lineage columns and the records, with
    `paths` (and the paths the checks read) extracted in one pass."""
    per_line = _map(lines["line"], _line_records)
    frame = lines.drop(columns="line").assign(found=per_line).explode("found")
    frame = frame[frame["found"].notna()].reset_index(drop=True)
    found = pd.DataFrame(frame["found"].tolist(), columns=["_idx", "record", "event_created"])
    frame = frame.drop(columns="found")
    frame["_idx"] = found["_idx"]
    frame["event_created"] = pd.to_numeric(found["event_created"]).astype(float)
    frame["_created"] = frame["event_created"].fillna(0).astype(np.int64)
    frame["_idx"] = frame["_idx"].astype(np.int64)
    records = Json(found["record"].reset_index(drop=True), (*_spec_paths(spec), *paths))
    keep = _valid(records, spec)
    frame = frame[keep].reset_index(drop=True)
    records = records.subset(keep)
    frame["record_id"] = records.text(spec.id_path)
    return frame, records


def load_records(
    landing_dir: Path, key: str, decode: Callable[[Json], pd.DataFrame]
) -> pd.DataFrame:
    """The records of `<system>/<object>` the loader keeps, one row per record version.

    `decode` turns a batch of records into the columns a mart needs (the parsed records are
    not kept). Other columns: record_id, event_created (NaN outside Stripe events) and VERSION
    (_day, _created, _file, _line, _idx): sorted together they order versions exactly as the
    loader's `_record_version` string does (for event times below 10^12).
    """
    spec = SPECS_BY_KEY[key]
    parts = [
        _decoded_batch(lines, spec, decode)
        for lines in _line_batches(landing_dir, spec.system, spec.object)
    ]
    return pd.concat(parts, ignore_index=True)


def _decoded_batch(
    lines: pd.DataFrame, spec: ObjectSpec, decode: Callable[[Json], pd.DataFrame]
) -> pd.DataFrame:
    """One batch of load_records, copied so that no view keeps its parsed records alive."""
    lineage, records = _valid_records(lines, spec, getattr(decode, "paths", ()))
    decoded = decode(records)
    decoded.index = lineage.index
    return pd.concat([lineage[["record_id", "event_created", *VERSION]], decoded], axis=1).copy()


def _decode_utf8(line: bytes) -> str | None:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return None


def load_exchange_rates(landing_dir: Path) -> pd.DataFrame:
    """stg_stripe__exchange_rates: rate_date, currency, usd_per_unit (a later file wins)."""
    lines = _lines_frame(list(_line_batches(landing_dir, "stripe", "exchange_rates", _RATES_FILE)))
    text = _map(lines["line"], _decode_utf8).astype("string")  # invalid UTF-8: a bad line
    trimmed = text.str.strip(" ")
    header = (lines["_line"] == 1) & (trimmed == _RATES_HEADER)
    cells = trimmed.str.split(",")
    frame = pd.DataFrame(
        {
            "ok": ~header & (lines["_line"] > 1) & (cells.str.len() == 3),
            "rate_date": pd.to_datetime(
                cells.str[0].astype("string").str.strip(" "), format="%Y-%m-%d", errors="coerce"
            ),
            "currency": cells.str[1].astype("string").str.strip(" ").str.lower(),
            "usd_per_unit": _number(cells.str[2].astype("string")).round(10),
            "_day": lines["_day"],
            "_line": lines["_line"],
        }
    )
    frame = frame[
        frame["ok"].fillna(False)
        & frame["rate_date"].notna()
        & frame["currency"].str.fullmatch("[a-z]{3}").fillna(False)
        & (frame["usd_per_unit"] > 0).fillna(False)
    ]
    frame = frame.sort_values(["_day", "_line"]).drop_duplicates(
        ["rate_date", "currency"], keep="last"
    )
    frame["rate_date"] = frame["rate_date"].astype("datetime64[us]")
    return frame[["rate_date", "currency", "usd_per_unit"]].reset_index(drop=True)


def _latest(
    frame: pd.DataFrame, key: str | list[str], order: list[str], ascending: list[bool]
) -> pd.DataFrame:
    """One row per `key`: the first by `order`, nulls last (row_number() = 1)."""
    ranked = frame.sort_values(order, ascending=ascending, na_position="last", kind="stable")
    return ranked.drop_duplicates(key, keep="first")


def _latest_version(frame: pd.DataFrame, key: str = "record_id") -> pd.DataFrame:
    return _latest(frame, key, VERSION, [False] * len(VERSION))


def _latest_hubspot(frame: pd.DataFrame) -> pd.DataFrame:
    """Latest `updatedAt` wins (nulls last), then the latest load (HubSpot staging models)."""
    return _latest(frame, "record_id", ["updated_at", *VERSION], [False] * (1 + len(VERSION)))


# --------------------------------------------------------------------------------------------
# What each object contributes (the staging models' decoding), batch by batch
# --------------------------------------------------------------------------------------------


@_reads("$.properties.segment", "$.updatedAt")
def _decode_company(j: Json) -> pd.DataFrame:
    return pd.DataFrame({"segment": j.prop("segment"), "updated_at": j.hubspot_ts("$.updatedAt")})


@_reads("$.properties.associatedcompanyid", "$.associations.companies.results[0].id", "$.updatedAt")
def _decode_contact(j: Json) -> pd.DataFrame:
    company = j.prop("associatedcompanyid").fillna(j.text("$.associations.companies.results[0].id"))
    return pd.DataFrame({"company_id": company, "updated_at": j.hubspot_ts("$.updatedAt")})


@_reads(
    *(f"$.properties.{name}" for name in ("hs_survey_type", "hs_value", "hs_contact_id")),
    "$.properties.hs_submission_timestamp",
    "$.associations.companies.results[0].id",
    "$.archived",
    "$.createdAt",
    "$.updatedAt",
)
def _decode_submission(j: Json) -> pd.DataFrame:
    submitted_at = _hubspot_ts(j.prop("hs_submission_timestamp"))
    return pd.DataFrame(
        {
            "survey_type": j.prop("hs_survey_type").str.upper(),
            "score_value": _number(j.prop("hs_value")),
            "submitted_at": submitted_at.fillna(j.hubspot_ts("$.createdAt")),
            "contact_id": j.prop("hs_contact_id"),
            "associated_company_id": j.text("$.associations.companies.results[0].id"),
            "is_archived": j.flag("$.archived"),
            "updated_at": j.hubspot_ts("$.updatedAt"),
        }
    )


@_reads("$.metadata.hubspot_company_id", "$.deleted")
def _decode_customer(j: Json) -> pd.DataFrame:
    company = j.text("$.metadata.hubspot_company_id").str.strip(" ")
    return pd.DataFrame(
        {"hubspot_company_id": company.mask(company == ""), "is_deleted": j.flag("$.deleted")}
    )


@_reads("$.customer")
def _decode_invoice(j: Json) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": j.stripe_id("$.customer")})


@_reads("$.unit_label", "$.deleted")
def _decode_product(j: Json) -> pd.DataFrame:
    return pd.DataFrame(
        {"unit_label": j.text("$.unit_label").str.lower(), "is_deleted": j.flag("$.deleted")}
    )


def _minor_units(currency: pd.Series) -> pd.Series:
    lowered = currency.astype("string").str.lower()
    units = np.where(
        lowered.isin(_ZERO_DECIMAL_CURRENCIES),
        1.0,
        np.where(lowered.isin(_THREE_DECIMAL_CURRENCIES), 1000.0, 100.0),
    )
    return pd.Series(units, index=currency.index)


def _round(values: pd.Series | np.ndarray, places: int) -> np.ndarray:
    """Round half away from zero, like a DuckDB DECIMAL cast (float noise tolerated)."""
    values = np.asarray(values, dtype=float)
    scale = 10.0**places
    scaled = np.abs(values) * scale
    # a tie hidden by float noise (12.4999999999998 for 12.5) still rounds away from zero
    noise = np.maximum(5e-9, scaled * 1e-15)
    return np.sign(values) * np.floor(scaled + 0.5 + noise) / scale


def _stripe_amount(j: Json, amount_path: str, currency_path: str) -> np.ndarray:
    """Minor units -> decimal currency units (macro stripe_amount, decimal(24, 6))."""
    return _round(j.number(amount_path) / _minor_units(j.text(currency_path)), 6)


@_reads(
    "$.duration", "$.duration_in_months", "$.percent_off", "$.currency", "$.amount_off", "$.deleted"
)
def _decode_coupon(j: Json) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "duration": j.text("$.duration"),
            "duration_in_months": j.number("$.duration_in_months"),
            "percent_off": j.number("$.percent_off").round(4),
            "currency": j.text("$.currency").str.lower(),
            "amount_off": _stripe_amount(j, "$.amount_off", "$.currency"),
            "is_deleted": j.flag("$.deleted"),
        }
    )


@_reads(
    *("$.customer", "$.status", "$.currency", "$.start_date", "$.trial_end", "$.cancel_at"),
    *("$.ended_at", "$.cancellation_details.reason", "$.items.data", "$.discounts", "$.discount"),
)
def _decode_subscription(j: Json) -> pd.DataFrame:
    """A subscription version, its items and discounts kept as parsed JSON for later."""
    return pd.DataFrame(
        {
            "customer_id": j.stripe_id("$.customer"),
            "status": j.text("$.status"),
            "currency": j.text("$.currency").str.lower(),
            "started_at": j.stripe_ts("$.start_date"),
            "trial_end_at": j.stripe_ts("$.trial_end"),
            "cancel_at": j.stripe_ts("$.cancel_at"),
            "ended_at": j.stripe_ts("$.ended_at"),
            "cancellation_reason": j.text("$.cancellation_details.reason"),
            "items": j.raw("$.items.data"),
            "discounts": j.raw("$.discounts"),
            "discount": j.raw("$.discount"),
        }
    )


# --------------------------------------------------------------------------------------------
# Segment calls: tens of millions of rows, so kept as numbers only (see the module docstring)
# --------------------------------------------------------------------------------------------


class Dictionary:
    """Integer codes for the values of a text column, the same in every batch: the dictionary
    grows with the values a batch brings that it has not seen (-1 = null)."""

    def __init__(self) -> None:
        self.values = pd.Index([], dtype=object)

    def encode(self, text: pd.Series) -> np.ndarray:
        values = text.to_numpy(dtype=object, na_value=None)
        new = pd.Index(text.dropna().unique(), dtype=object)
        self.values = self.values.append(new[~new.isin(self.values)])
        return self.values.get_indexer(values).astype(np.int32)

    def decode(self, codes: pd.Series | np.ndarray) -> pd.Series:
        values = pd.Categorical.from_codes(np.asarray(codes), categories=self.values)
        return pd.Series(values, dtype="string")


@dataclass
class SegmentCalls:
    """Every Segment call the loader keeps, one row per copy (duplicates included), with the
    ids as codes of `users` and `accounts`."""

    calls: pd.DataFrame
    users: Dictionary
    accounts: Dictionary


# two independent hashes of a messageId make its 128-bit key
_MESSAGE_HASH_KEYS = ("segment-message1", "segment-message2")


def _message_key(message_ids: pd.Series) -> list[np.ndarray]:
    """messageId -> two uint64 hashes: 16 bytes a call instead of a Python string, equal for
    equal ids in every batch (different ids sharing both is a 2^-128 chance)."""
    # hashed as UTF-8 bytes; surrogatepass so that a lone surrogate cannot stop the run
    data = message_ids.str.encode("utf-8", "surrogatepass").to_numpy(dtype=object)
    return [pd.util.hash_array(data, hash_key=key) for key in _MESSAGE_HASH_KEYS]


def _load_order(lineage: pd.DataFrame, loaded: int) -> np.ndarray:
    """Each record's position in the loader's version order (VERSION), counted on from the
    `loaded` records of the earlier batches: batches hold whole days in day order, so one
    number compares versions across batches."""
    order = lineage.sort_values(VERSION, kind="stable").index.to_numpy()
    position = np.empty(len(order), dtype=np.int64)
    position[order] = loaded + np.arange(len(order))
    return position


_SEGMENT_PATHS = (
    *("$.type", "$.event", "$.userId", "$.anonymousId", "$.groupId", "$.context.groupId"),
    *("$.timestamp", "$.receivedAt"),
)


def _segment_batch(
    lines: pd.DataFrame,
    users: Dictionary,
    accounts: Dictionary,
    non_qualifying: pd.Series,
    loaded: int,
) -> pd.DataFrame:
    """One batch of Segment lines -> its valid calls as numbers (stg_segment__events' columns
    that the engagement mart reads)."""
    lineage, j = _valid_records(lines, SPECS_BY_KEY["segment/events"], _SEGMENT_PATHS)

    def nonempty(path: str) -> pd.Series:
        value = j.text(path)
        return value.mask(value == "")

    user_id = nonempty("$.userId")
    call_type = j.text("$.type")
    message_hi, message_lo = _message_key(lineage["record_id"])
    return pd.DataFrame(
        {
            "message_hi": message_hi,
            "message_lo": message_lo,
            "received_at": j.iso_ts("$.receivedAt"),
            "_version": _load_order(lineage, loaded),
            "is_track": (call_type == "track").fillna(False).to_numpy(bool),
            "is_group": (call_type == "group").fillna(False).to_numpy(bool),
            "event_at": j.iso_ts("$.timestamp"),
            # the user of a track call; an anonymous one is 'anonymous:<anonymousId>'
            "user": users.encode(user_id.fillna("anonymous:" + nonempty("$.anonymousId"))),
            "has_user_id": user_id.notna().to_numpy(bool),
            "group_id": accounts.encode(nonempty("$.groupId")),
            "context_group_id": accounts.encode(nonempty("$.context.groupId")),
            "is_qualifying": ~j.text("$.event").isin(non_qualifying).fillna(False).to_numpy(bool),
        }
    )


def load_segment_calls(landing_dir: Path) -> SegmentCalls:
    """The valid Segment calls (load_records for segment/events, in numbers): each batch is
    reduced to integer codes, hashes and timestamps before the next one is read."""
    spec = SPECS_BY_KEY["segment/events"]
    non_qualifying = pd.read_csv(NON_QUALIFYING_SEED, dtype=str)["event_name"]
    users, accounts = Dictionary(), Dictionary()
    parts: list[pd.DataFrame] = []
    loaded = 0
    for lines in _line_batches(landing_dir, spec.system, spec.object):
        parts.append(_segment_batch(lines, users, accounts, non_qualifying, loaded))
        loaded += len(parts[-1])
    return SegmentCalls(pd.concat(parts, ignore_index=True), users, accounts)


# --------------------------------------------------------------------------------------------
# Accounts (dim_accounts ids, the company segment, the Stripe customer -> account map)
# --------------------------------------------------------------------------------------------


def _companies(raw: pd.DataFrame) -> pd.DataFrame:
    latest = _latest_hubspot(raw)
    return pd.DataFrame(
        {"account_id": latest["record_id"].astype("string"), "segment": latest["segment"]}
    ).reset_index(drop=True)


def _customer_accounts(
    customers: pd.DataFrame, subscriptions: pd.DataFrame, invoices: pd.DataFrame
) -> pd.DataFrame:
    """int_stripe_customers_mapped: customer_id -> account_id (CRM company, else itself).

    Customers: every customer object, subscription version and latest invoice version names.
    The CRM link comes from the customer's latest version that is not a deletion.
    """
    live = _latest_version(customers[~customers["is_deleted"]])
    company_of = live.set_index("record_id")["hubspot_company_id"]
    ids = pd.concat(
        [
            customers["record_id"],
            subscriptions["customer_id"],
            _latest_version(invoices)["customer_id"],
        ]
    ).dropna()
    mapped = pd.DataFrame({"customer_id": ids.drop_duplicates().astype("string")})
    company = mapped["customer_id"].map(company_of)
    mapped["account_id"] = company.where(company.notna(), mapped["customer_id"]).astype("string")
    return mapped.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# fct_nps_monthly
# --------------------------------------------------------------------------------------------


def _month_start(timestamps: pd.Series) -> pd.Series:
    return timestamps.dt.to_period("M").dt.start_time.astype("datetime64[us]")


def nps_monthly(
    submissions: pd.DataFrame, contacts: pd.DataFrame, companies: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    responses = _latest_hubspot(submissions)
    score = responses["score_value"]
    as_of_ts = pd.Timestamp(as_of)
    responses = responses.assign(score=score.where(score == np.floor(score)))
    responses = responses[
        ~responses["is_archived"]
        & responses["submitted_at"].notna()
        & (responses["submitted_at"].dt.normalize() <= as_of_ts)
        & (responses["survey_type"] == "NPS").fillna(False)
        & responses["score"].between(0, 10)
    ]
    latest_contacts = _latest_hubspot(contacts)
    company_of_contact = pd.Series(
        latest_contacts["company_id"].to_numpy(),
        index=latest_contacts["record_id"].astype("string"),
    )
    account_id = responses["contact_id"].map(company_of_contact).astype("string")
    responses = responses.assign(
        account_id=account_id.fillna(responses["associated_company_id"]),
        month=_month_start(responses["submitted_at"]),
        category=np.select(
            [responses["score"] >= 9, responses["score"] >= 7],
            ["promoter", "passive"],
            "detractor",
        ),
    )
    segment_of = companies.set_index("account_id")["segment"]
    responses["segment"] = responses["account_id"].map(segment_of).fillna("unknown")

    columns = ["month", "segment", "responses", "promoters", "passives", "detractors", "nps"]
    if responses.empty:
        return pd.DataFrame(columns=columns)
    by_segment = pd.concat([responses.assign(segment="all"), responses])
    counts = (
        pd.crosstab([by_segment["month"], by_segment["segment"]], by_segment["category"])
        .reindex(columns=["promoter", "passive", "detractor"], fill_value=0)
        .rename(columns={"promoter": "promoters", "passive": "passives", "detractor": "detractors"})
    )
    months = pd.date_range(
        responses["month"].min(), _month_start(pd.Series([as_of_ts]))[0], freq="MS"
    )
    segments = ["all", *sorted(set(responses["segment"]))]
    grid = pd.MultiIndex.from_product(
        [months.astype("datetime64[us]"), segments], names=["month", "segment"]
    )
    table = counts.reindex(grid, fill_value=0).reset_index()
    table["responses"] = table[["promoters", "passives", "detractors"]].sum(axis=1)
    has_responses = table["responses"] > 0
    table["nps"] = (
        100.0 * (table["promoters"] - table["detractors"]) / table["responses"].where(has_responses)
    )
    return table[columns]


# --------------------------------------------------------------------------------------------
# Billing: subscription windows and their items (int_subscription_*_windowed)
# --------------------------------------------------------------------------------------------


def _subscription_windows(subscriptions: pd.DataFrame, as_of_end: float) -> pd.DataFrame:
    """int_subscription_versions_windowed: one row per state window of a subscription.

    `subscriptions` carries a `version_id` per loaded version (its subscription_version_id).
    """
    versions = subscriptions.assign(
        subscription_id=subscriptions["record_id"].astype("string"),
        observed_at=subscriptions["event_created"].fillna(subscriptions["_day"] * float(_DAY)),
    )
    versions = versions[versions["observed_at"] < as_of_end]
    versions = versions.sort_values(["subscription_id", *VERSION]).reset_index(drop=True)
    versions = versions.drop(columns=["items", "discounts", "discount"])
    is_ended = versions["status"].isin(_ENDED_STATUSES).fillna(False).astype(bool)
    versions["effective_from"] = np.where(
        is_ended & versions["ended_at"].notna(),
        versions["ended_at"],
        np.fmax(versions["observed_at"], versions["started_at"]),
    )
    grouped = versions.groupby("subscription_id", sort=False)
    versions["version_number"] = grouped.cumcount() + 1
    next_from = grouped["effective_from"].shift(-1)
    cut = np.fmin(np.fmin(next_from, versions["cancel_at"]), versions["ended_at"])
    observed = versions.assign(is_backfilled=False, effective_to=np.where(is_ended, next_from, cut))
    # the time before the first version was seen, from the subscription's start
    first = versions[
        (versions["version_number"] == 1)
        & (versions["started_at"] < versions["effective_from"]).fillna(False)
    ]
    first_ended = first["status"].isin(_ENDED_STATUSES).fillna(False).astype(bool)
    backfilled = first.assign(
        is_backfilled=True,
        version_number=0,
        status=first["status"].mask(first["status"] == "canceled", "active"),
        effective_from=first["started_at"],
        effective_to=np.where(
            first_ended,
            first["effective_from"],
            np.fmin(np.fmin(first["effective_from"], first["cancel_at"]), first["ended_at"]),
        ),
    )
    windows = pd.concat([observed, backfilled], ignore_index=True)
    windows["window_id"] = np.arange(len(windows))
    windows["effective_to"] = np.where(
        windows["effective_to"].notna(),
        np.fmax(windows["effective_to"], windows["effective_from"]),
        np.nan,
    )
    # no MRR before the trial ends (MRR-2)
    windows["paid_from"] = np.fmax(windows["effective_from"], windows["trial_end_at"])
    windows["is_counting_status"] = windows["status"].isin(_COUNTING_STATUSES).fillna(False)
    return windows


def _subscription_items(subscriptions: pd.DataFrame) -> pd.DataFrame:
    """stg_stripe__subscription_item_versions: one row per item of every version."""
    items = subscriptions[["version_id", "items"]]
    items = items[_flags(items["items"], lambda v: isinstance(v, list))].explode("items")
    items = items[items["items"].notna()].reset_index(drop=True)
    j = Json(items["items"])

    def first(*paths: str) -> pd.Series:
        values = j.text(paths[0])
        for path in paths[1:]:
            values = values.fillna(j.text(path))
        return values

    currency = first("$.price.currency", "$.plan.currency").str.lower()
    unit_amount_minor = _number(
        first(
            "$.price.unit_amount_decimal",
            "$.price.unit_amount",
            "$.plan.amount_decimal",
            "$.plan.amount",
        )
    )
    return pd.DataFrame(
        {
            "version_id": items["version_id"],
            "subscription_item_id": j.text("$.id"),
            "product_id": j.stripe_id("$.price.product").fillna(j.stripe_id("$.plan.product")),
            "item_currency": currency,
            "unit_amount": _round(unit_amount_minor / _minor_units(currency), 6),
            "price_type": j.text("$.price.type").fillna("recurring"),
            "recurring_interval": first("$.price.recurring.interval", "$.plan.interval"),
            "recurring_interval_count": _number(
                first("$.price.recurring.interval_count", "$.plan.interval_count")
            ),
            "usage_type": first("$.price.recurring.usage_type", "$.plan.usage_type").fillna(
                "licensed"
            ),
            "quantity": j.number("$.quantity"),
            "item_created_at": j.stripe_ts("$.created"),
        }
    )


def _counting_items(
    windows: pd.DataFrame, items: pd.DataFrame, customer_accounts: pd.DataFrame
) -> pd.DataFrame:
    """int_subscription_items_windowed rows that count toward MRR (MRR-1, MRR-2)."""
    joined = windows.merge(items, on="version_id")
    joined["paid_from"] = np.fmax(
        joined["paid_from"], joined["item_created_at"].fillna(joined["paid_from"])
    )
    joined["subscription_currency"] = joined["currency"]
    joined["currency"] = joined["item_currency"].fillna(joined["currency"])
    count = joined["recurring_interval_count"].fillna(1)
    joined["quantity"] = joined["quantity"].fillna(1)
    interval = joined["recurring_interval"]
    joined["months_in_interval"] = np.select(
        [interval == "month", interval == "year", interval == "week", interval == "day"],
        [count, 12.0 * count, count * 12.0 / 52.0, count * 12.0 / 365.0],
        np.nan,
    )
    gross = joined["unit_amount"] * joined["quantity"] / joined["months_in_interval"]
    joined["gross_mrr_native"] = _round(gross.fillna(0), 10)
    counts = (
        joined["is_counting_status"].astype(bool)
        & (joined["price_type"] == "recurring").fillna(False)
        & (joined["usage_type"] == "licensed").fillna(False)
        & (joined["unit_amount"].fillna(0) > 0)
        & (joined["quantity"] > 0)
        & (joined["months_in_interval"] > 0)
    )
    counting = joined[counts.astype(bool)].reset_index(drop=True)
    account_of = customer_accounts.set_index("customer_id")["account_id"]
    counting["account_id"] = counting["customer_id"].map(account_of).astype("string")
    return counting


def _products_per_seat(products: pd.DataFrame) -> pd.Series:
    """product_id -> True when the latest live version's unit_label is seat(s)/user(s)."""
    live = _latest_version(products[~products["is_deleted"]])
    return pd.Series(
        live["unit_label"].isin(_SEAT_LABELS).fillna(False).to_numpy(dtype=bool),
        index=live["record_id"].astype("string"),
    )


# --------------------------------------------------------------------------------------------
# fct_engagement_daily
# --------------------------------------------------------------------------------------------


def _days(timestamps: pd.Series) -> pd.Series:
    """Datetime -> whole days since 1970-01-01 (int)."""
    return timestamps.astype("datetime64[s]").astype(np.int64) // _DAY


def _attributed_track_calls(segment: SegmentCalls, as_of: date) -> pd.DataFrame:
    """int_segment_events_attributed, its qualifying calls with an account: account_id and
    user_id (codes of segment.accounts and segment.users) and the event day."""
    calls = segment.calls
    # ENG-3: one copy per messageId, the earliest receivedAt (then the earliest load)
    order = np.lexsort(
        [calls[c].to_numpy() for c in ("_version", "received_at", "message_lo", "message_hi")]
    )
    hi, lo = calls["message_hi"].to_numpy()[order], calls["message_lo"].to_numpy()[order]
    starts_key = np.ones(len(order), dtype=bool)
    starts_key[1:] = (hi[1:] != hi[:-1]) | (lo[1:] != lo[:-1])
    is_first_copy = np.zeros(len(calls), dtype=bool)
    is_first_copy[order[starts_key]] = True
    del order, hi, lo
    # the event day (UTC day of `timestamp`) no later than as_of
    kept = is_first_copy & (calls["event_at"] < pd.Timestamp(as_of + timedelta(days=1)))

    is_group = kept & calls["is_group"] & calls["has_user_id"] & (calls["group_id"] >= 0)
    group_calls = calls.loc[is_group, ["user", "event_at", "group_id"]]
    # a non-qualifying call counts nowhere: attributing it would change nothing
    is_track = kept & calls["is_track"] & calls["is_qualifying"]
    track = calls.loc[is_track, ["user", "has_user_id", "context_group_id", "event_at"]]

    # the user's latest group call at or before the event (ties: the smallest groupId)
    needs_group = (track["context_group_id"] < 0) & track["has_user_id"]
    lookup = track.loc[needs_group, ["user", "event_at"]].reset_index().sort_values("event_at")
    group_calls = group_calls.assign(
        group_name=segment.accounts.values[group_calls["group_id"].to_numpy()]
    ).sort_values(["event_at", "group_name"], ascending=[True, False])
    matched = pd.merge_asof(
        lookup,
        group_calls[["user", "event_at", "group_id"]],
        on="event_at",
        by="user",
        direction="backward",
    ).set_index("index")["group_id"]
    account_id = track["context_group_id"].where(
        ~needs_group, matched.reindex(track.index).fillna(-1).astype(np.int32)
    )
    attributed = account_id >= 0
    return pd.DataFrame(
        {
            "account_id": account_id[attributed],
            "user_id": track.loc[attributed, "user"],
            "day": _days(track.loc[attributed, "event_at"].dt.normalize()),
        }
    )


def _window_counts(user_days: pd.DataFrame, grid: pd.DataFrame, window: int) -> np.ndarray:
    """Distinct users active in (D - window, D] per grid row (account_id, day), by a sweep:
    a user's active days merge into islands (a gap > window starts a new one), each island
    adds 1 from its first day to its last day + window - 1."""
    ordered = user_days.sort_values(["account_id", "user_id", "day"])
    gap = ordered.groupby(["account_id", "user_id"], dropna=False)["day"].diff()
    island = (gap.isna() | (gap > window)).cumsum().rename("island")
    islands = ordered.groupby(island).agg(
        account_id=("account_id", "first"), start=("day", "min"), last=("day", "max")
    )
    deltas = pd.concat(
        [
            pd.DataFrame({"account_id": islands["account_id"], "day": islands["start"], "d": 1}),
            pd.DataFrame(
                {"account_id": islands["account_id"], "day": islands["last"] + window, "d": -1}
            ),
        ],
        ignore_index=True,
    )
    daily = deltas.groupby(["account_id", "day"])["d"].sum().rename("delta").reset_index()
    swept = grid.merge(daily, on=["account_id", "day"], how="left")
    swept["delta"] = swept["delta"].fillna(0)
    return swept.groupby("account_id", sort=False)["delta"].cumsum().to_numpy()


def _licensed_seats(
    counting: pd.DataFrame, per_seat: pd.Series, rows: pd.DataFrame, as_of_day: int
) -> pd.Series:
    """int_account_billing_daily.licensed_seats at each (account_id, day) of `rows` (else NA).

    An item is in effect at the end of day D when paid_from < D+1 <= effective_to.
    """
    first_day = np.floor(counting["paid_from"] / _DAY)
    last_day = np.where(
        counting["effective_to"].isna(),
        as_of_day,
        np.minimum(np.floor(counting["effective_to"] / _DAY) - 1, as_of_day),
    )
    is_per_seat = counting["product_id"].map(per_seat).fillna(False).astype(bool)
    spans = pd.DataFrame(
        {
            "account_id": counting["account_id"],
            "start": first_day,
            "end": last_day,
            "seats": np.where(is_per_seat, counting["quantity"], 0),
        }
    )
    spans = spans[(spans["start"] <= spans["end"]) & spans["account_id"].notna()]
    deltas = pd.concat(
        [
            pd.DataFrame(
                {"account_id": spans["account_id"], "day": spans["start"], "n": 1,
                 "s": spans["seats"]}
            ),
            pd.DataFrame(
                {"account_id": spans["account_id"], "day": spans["end"] + 1, "n": -1,
                 "s": -spans["seats"]}
            ),
        ]
    )  # fmt: skip
    daily = deltas.groupby(["account_id", "day"], as_index=False)[["n", "s"]].sum()
    daily = daily.sort_values(["account_id", "day"])
    daily[["n", "s"]] = daily.groupby("account_id")[["n", "s"]].cumsum()
    daily = daily.astype({"account_id": "string", "day": float}).sort_values("day")
    wanted = rows[["account_id", "day"]].astype({"account_id": "string", "day": float})
    state = pd.merge_asof(
        wanted.reset_index().sort_values("day"), daily, on="day", by="account_id"
    ).set_index("index")
    state = state.reindex(rows.index)
    return state["s"].where(state["n"] > 0).round().astype("Int64")


def engagement_daily(
    segment: SegmentCalls,
    account_ids: pd.Series,
    counting: pd.DataFrame,
    per_seat: pd.Series,
    as_of: date,
) -> pd.DataFrame:
    # account and user ids stay codes until the counts are done
    user_days = (
        _attributed_track_calls(segment, as_of)
        .groupby(["account_id", "user_id", "day"])
        .size()
        .rename("events")
        .reset_index()
    )
    as_of_day = (as_of - date(1970, 1, 1)).days
    first_days = user_days.groupby("account_id")["day"].min()
    lengths = (as_of_day - first_days + 1).clip(lower=0).to_numpy()
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    grid = pd.DataFrame(
        {
            "account_id": np.repeat(first_days.index.to_numpy(), lengths),
            "day": np.repeat(first_days.to_numpy(), lengths) + offsets,
        }
    )
    daily = user_days.groupby(["account_id", "day"]).agg(
        dau=("user_id", "size"), events=("events", "sum")
    )
    grid = grid.merge(daily.reset_index(), on=["account_id", "day"], how="left")
    grid[["dau", "events"]] = grid[["dau", "events"]].fillna(0).astype(np.int64)
    grid["wau"] = _window_counts(user_days, grid[["account_id", "day"]], 7).astype(np.int64)
    grid["mau"] = _window_counts(user_days, grid[["account_id", "day"]], 28).astype(np.int64)
    grid["account_id"] = segment.accounts.decode(grid["account_id"])
    grid = grid[grid["account_id"].isin(account_ids)].reset_index(drop=True)
    grid["licensed_seats"] = _licensed_seats(counting, per_seat, grid, as_of_day)
    seats = grid["licensed_seats"].astype(float)
    return pd.DataFrame(
        {
            "account_id": grid["account_id"].astype("string"),
            "date_day": pd.to_datetime(grid["day"], unit="D").astype("datetime64[us]"),
            "dau": grid["dau"],
            "wau": grid["wau"],
            "mau": grid["mau"],
            "events": grid["events"],
            "stickiness": (grid["dau"] / grid["mau"].where(grid["mau"] > 0)).astype(float),
            "licensed_seats": grid["licensed_seats"],
            "seat_utilisation": (grid["mau"] / seats.where(seats > 0)).astype(float),
        }
    )


# --------------------------------------------------------------------------------------------
# fct_mrr
# --------------------------------------------------------------------------------------------


def _month_index(seconds: pd.Series | np.ndarray) -> np.ndarray:
    """Unix seconds -> months since 1970-01 (float; NaN stays NaN)."""
    values = np.asarray(seconds, dtype=float)
    out = np.full(values.shape, np.nan)
    ok = ~np.isnan(values)
    months = values[ok].astype(np.int64).astype("datetime64[s]").astype("datetime64[M]")
    out[ok] = months.astype(np.int64)
    return out


def _month_seconds(month_index: np.ndarray | pd.Series) -> np.ndarray:
    return (
        np.asarray(month_index, dtype=np.int64)
        .astype("datetime64[M]")
        .astype("datetime64[s]")
        .astype(np.int64)
        .astype(float)
    )


def _add_months(seconds: pd.Series, months: pd.Series) -> pd.Series:
    """DuckDB `timestamp + interval (n) month`: the day clamps to the month's last day."""
    out = pd.Series(np.nan, index=seconds.index)
    ok = seconds.notna() & months.notna()
    if not ok.any():
        return out
    stamps = pd.to_datetime(seconds[ok].astype(np.int64), unit="s")
    total = stamps.dt.year * 12 + stamps.dt.month - 1 + months[ok].astype(np.int64)
    first = pd.to_datetime(pd.DataFrame({"year": total // 12, "month": total % 12 + 1, "day": 1}))
    day = np.minimum(stamps.dt.day, first.dt.days_in_month)
    time_of_day = stamps - stamps.dt.normalize()
    shifted = first + pd.to_timedelta(day - 1, unit="D") + time_of_day
    out[ok] = shifted.astype("datetime64[s]").astype(np.int64).astype(float).to_numpy()
    return out


def _coupon_object(discount: object) -> dict | None:
    """The coupon embedded in a discount: legacy `coupon`, newer `source.coupon`."""
    for keys in (("coupon",), ("source", "coupon")):
        coupon = _walk(discount, keys)
        if isinstance(coupon, dict):
            return coupon
    return None


def _discount_windows(
    subscriptions: pd.DataFrame, windows: pd.DataFrame, coupons: pd.DataFrame
) -> pd.DataFrame:
    """int_subscription_discounts_windowed, recurring discounts only (MRR-2)."""
    array_discounts = subscriptions[["version_id", "discounts"]].rename(
        columns={"discounts": "discount"}
    )
    array_discounts = array_discounts[
        _flags(array_discounts["discount"], lambda v: isinstance(v, list))
    ].explode("discount")
    array_discounts = array_discounts[array_discounts["discount"].notna()].assign(rank=1)
    legacy = subscriptions[["version_id", "discount"]]
    legacy = legacy[_flags(legacy["discount"], lambda v: isinstance(v, dict))].assign(rank=2)
    found = pd.concat([array_discounts, legacy], ignore_index=True)
    columns = [
        "window_id", "applies_from", "applies_to", "percent_off", "amount_off",
        "coupon_currency", "subscription_currency",
    ]  # fmt: skip
    if found.empty:
        empty = {"window_id": np.int64, "coupon_currency": object, "subscription_currency": object}
        return pd.DataFrame({c: pd.Series([], dtype=empty.get(c, float)) for c in columns})
    discount = Json(found["discount"])
    coupon = Json(_map(found["discount"], _coupon_object))
    is_object = _flags(found["discount"], lambda v: isinstance(v, dict))
    decoded = pd.DataFrame(
        {
            "version_id": found["version_id"],
            "rank": found["rank"],
            "discount_id": discount.text("$.id").where(
                is_object, _map(found["discount"], _json_text).astype("string")
            ),
            "coupon_id": discount.stripe_id("$.coupon").fillna(
                discount.stripe_id("$.source.coupon")
            ),
            "duration": coupon.text("$.duration"),
            "duration_in_months": coupon.number("$.duration_in_months"),
            "percent_off": coupon.number("$.percent_off").round(4),
            "currency": coupon.text("$.currency").str.lower(),
            "amount_off": _stripe_amount(coupon, "$.amount_off", "$.currency"),
            "start": discount.stripe_ts("$.start"),
            "end": discount.stripe_ts("$.end"),
        }
    )
    # the legacy `discount` usually repeats an element of `discounts`: keep the most complete
    decoded["dedup_key"] = decoded["discount_id"].fillna(decoded["coupon_id"])
    decoded = decoded.assign(
        no_duration=decoded["duration"].isna(), no_coupon=decoded["coupon_id"].isna()
    ).sort_values(["no_duration", "no_coupon", "rank"], kind="stable")
    decoded = decoded.drop_duplicates(["version_id", "dedup_key"], keep="first")

    # stg_stripe__coupons: the latest live version, else the latest deletion
    coupon_table = _latest(
        coupons, "record_id", ["is_deleted", *VERSION], [True] + [False] * len(VERSION)
    )
    coupon_table = coupon_table.rename(
        columns={name: f"c_{name}" for name in
                 ("duration", "duration_in_months", "percent_off", "currency", "amount_off")}
    ).rename(columns={"record_id": "coupon_id"})  # fmt: skip
    resolved = decoded.merge(
        coupon_table[["coupon_id", "c_duration", "c_duration_in_months", "c_percent_off",
                      "c_currency", "c_amount_off"]],
        on="coupon_id",
        how="left",
    )  # fmt: skip
    for name in ("duration", "duration_in_months", "percent_off", "currency", "amount_off"):
        resolved[name] = resolved[name].fillna(resolved[f"c_{name}"])
    joined = resolved.merge(
        windows[["version_id", "window_id", "effective_from", "currency"]].rename(
            columns={"currency": "subscription_currency"}
        ),
        on="version_id",
    )
    joined["applies_from"] = joined["start"].fillna(joined["effective_from"])
    repeating_months = joined["duration_in_months"].where(joined["duration"] == "repeating")
    joined["applies_to"] = joined["end"].fillna(
        _add_months(joined["applies_from"], repeating_months)
    )
    recurring = joined["duration"].isin(("forever", "repeating")).fillna(False).astype(bool)
    joined = joined[recurring].rename(columns={"currency": "coupon_currency"})
    return joined[columns].reset_index(drop=True)


def _as_of_end(as_of: date) -> float:
    """The instant after `as_of` (Unix seconds): midnight starting the next day."""
    return float(((as_of - date(1970, 1, 1)).days + 1) * _DAY)


def _items_valued_monthly(
    counting: pd.DataFrame, discounts: pd.DataFrame, rates: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    """int_subscription_items_valued_monthly: item MRR at each month end, in USD (MRR-3, 7)."""
    as_of_end = _as_of_end(as_of)
    as_of_month = int(_month_index(np.array([as_of_end - _DAY]))[0])
    first_month = _month_index(counting["paid_from"])
    lengths = np.clip(as_of_month - first_month + 1, 0, None).astype(np.int64)
    rows = np.repeat(np.arange(len(counting)), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    valued = counting.iloc[rows].reset_index(drop=True)
    valued["month"] = np.repeat(first_month, lengths) + offsets
    # each month is valued just before the next one starts (or at the end of `as_of`)
    valued["valued_before"] = np.minimum(_month_seconds(valued["month"] + 1), as_of_end)
    holds = (valued["paid_from"] < valued["valued_before"]) & (
        valued["effective_to"].isna() | (valued["effective_to"] >= valued["valued_before"])
    )
    valued = valued[holds].reset_index(drop=True)

    window_keys = ["window_id", "month"]
    totals = valued.groupby(window_keys, as_index=False).agg(
        window_gross=("gross_mrr_native", "sum"),
        window_months=("months_in_interval", "max"),
        valued_before=("valued_before", "first"),
    )
    applying = totals.merge(discounts, on="window_id")
    applying = applying[
        (applying["applies_from"] < applying["valued_before"])
        & (applying["applies_to"].isna() | (applying["applies_to"] >= applying["valued_before"]))
    ]
    percent = applying["percent_off"].astype(float).fillna(0)
    same_currency = (applying["coupon_currency"] == applying["subscription_currency"]).fillna(False)
    with np.errstate(divide="ignore", invalid="ignore"):
        applying = applying.assign(
            log_factor=np.log(1 - percent / 100.0),
            amount_off=np.where(same_currency, applying["amount_off"].astype(float).fillna(0), 0.0),
        )
    per_window = applying.groupby(window_keys).agg(
        max_percent=("percent_off", "max"),
        log_factor=("log_factor", "sum"),
        amount_off=("amount_off", "sum"),
    )
    # percent discounts compound; a 100% discount zeroes the subscription
    per_window["percent_factor"] = np.where(
        per_window["max_percent"] >= 100, 0.0, np.exp(per_window["log_factor"])
    )
    totals = totals.merge(
        per_window[["percent_factor", "amount_off"]].reset_index(), on=window_keys, how="left"
    )
    totals["net"] = np.maximum(
        totals["window_gross"] * totals["percent_factor"].fillna(1)
        - totals["amount_off"].fillna(0) / totals["window_months"],
        0,
    )
    valued = valued.merge(totals[[*window_keys, "window_gross", "net"]], on=window_keys)
    valued["mrr_native"] = _round(
        valued["gross_mrr_native"] * valued["net"] / valued["window_gross"], 10
    )

    # MRR-7: the rate of the month's first day, else the latest earlier one; USD is 1
    valued["month_start"] = pd.to_datetime(_month_seconds(valued["month"]), unit="s").astype(
        "datetime64[us]"
    )
    needed = valued.loc[valued["currency"] != "usd", ["month_start", "currency"]]
    needed = needed.drop_duplicates().dropna().sort_values("month_start")
    found = pd.merge_asof(
        needed.astype({"currency": "string"}),
        rates.astype({"currency": "string"}).sort_values("rate_date"),
        left_on="month_start",
        right_on="rate_date",
        by="currency",
        direction="backward",
    )
    valued = valued.merge(
        found[["month_start", "currency", "usd_per_unit"]].astype({"currency": "string"}),
        on=["month_start", "currency"],
        how="left",
    )
    valued.loc[(valued["currency"] == "usd").fillna(False), "usd_per_unit"] = 1.0
    valued["mrr_usd"] = _round(valued["mrr_native"] * valued["usd_per_unit"], 10)
    return valued


def _involuntary_exits(
    windows: pd.DataFrame, customer_accounts: pd.DataFrame, as_of_end: float
) -> pd.DataFrame:
    """int_subscription_exits_classified, involuntary ones: (account_id, exit month)."""
    kept = windows[
        windows["effective_to"].isna() | (windows["effective_to"] > windows["effective_from"])
    ]
    kept = kept.sort_values(["subscription_id", "effective_from", "version_number"], kind="stable")
    grouped = kept.groupby("subscription_id", sort=False)
    kept = kept.assign(
        next_status=grouped["status"].shift(-1),
        next_reason=grouped["cancellation_reason"].shift(-1),
        next_from=grouped["effective_from"].shift(-1),
    )
    leaves = kept["next_status"].notna() & ~kept["next_status"].isin(_COUNTING_STATUSES)
    ends = kept["next_status"].isna() & kept["effective_to"].notna()
    exits = kept[kept["is_counting_status"].astype(bool) & (leaves | ends)].copy()
    exits["exited_at"] = exits["next_from"].fillna(exits["effective_to"])
    reason = exits["next_reason"].fillna(exits["cancellation_reason"])
    involuntary = (
        (exits["next_status"] == "unpaid").fillna(False)
        | ((exits["next_status"] == "canceled") & (exits["status"] == "past_due")).fillna(False)
        | (reason == "payment_failed").fillna(False)
    )
    exits = exits[involuntary.astype(bool) & (exits["exited_at"] <= as_of_end)]
    account_of = customer_accounts.set_index("customer_id")["account_id"]
    return pd.DataFrame(
        {
            "account_id": exits["customer_id"].map(account_of).astype("string"),
            "month": _month_index(exits["exited_at"]),
        }
    ).drop_duplicates()


def mrr(
    valued: pd.DataFrame, windows: pd.DataFrame, customer_accounts: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    """fct_mrr from the valued items (MRR-3 .. MRR-7, UPS-1)."""
    as_of_end = _as_of_end(as_of)
    as_of_month = int(_month_index(np.array([as_of_end - _DAY]))[0])
    currency_months = valued.groupby(["account_id", "month", "currency"], as_index=False).agg(
        mrr_native=("mrr_native", "sum"),
        usd_per_unit=("usd_per_unit", "max"),
        mrr_usd=("mrr_usd", lambda s: s.sum(min_count=1)),
    )
    account_usd = currency_months.groupby(["account_id", "month"])["mrr_usd"].sum(min_count=1)
    paid = account_usd[_round(account_usd.fillna(0), 2) > 0].reset_index()
    first_paid = paid.groupby("account_id")["month"].min()

    # MRR-5: every month from the first paid month to the current one
    lengths = (as_of_month - first_paid + 1).clip(lower=0).astype(np.int64).to_numpy()
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    spine = pd.DataFrame(
        {
            "account_id": pd.array(np.repeat(first_paid.index.to_numpy(), lengths), dtype="string"),
            "month": np.repeat(first_paid.to_numpy(), lengths) + offsets,
            "is_first_paid_month": offsets == 0,
        }
    )

    # each currency's MRR this month next to the same currency's MRR last month (MRR-7)
    last_month = currency_months.assign(month=currency_months["month"] + 1)
    pairs = currency_months.merge(
        last_month, on=["account_id", "month", "currency"], how="outer", suffixes=("", "_prev")
    )
    native = pairs["mrr_native"].fillna(0)
    previous_native = pairs["mrr_native_prev"].fillna(0)
    pairs["fx"] = np.where(
        (native > 0) & (previous_native > 0),
        np.minimum(native, previous_native) * (pairs["usd_per_unit"] - pairs["usd_per_unit_prev"]),
        0.0,
    )
    totals = (
        pairs.assign(usd=pairs["mrr_usd"].fillna(0), usd_prev=pairs["mrr_usd_prev"].fillna(0))
        .groupby(["account_id", "month"])[["usd", "usd_prev", "fx"]]
        .sum()
        .reset_index()
    )
    amounts = spine.merge(totals.astype({"account_id": "string"}), on=["account_id", "month"],
                          how="left")  # fmt: skip
    amounts[["usd", "usd_prev", "fx"]] = amounts[["usd", "usd_prev", "fx"]].fillna(0)
    amounts["mrr"] = _round(amounts["usd"], 2)
    amounts["previous_mrr"] = _round(amounts["usd_prev"], 2)
    # the change not caused by exchange rates, rounded once; fx impact is the remainder
    amounts["movement_mrr"] = _round(amounts["usd"] - amounts["usd_prev"] - amounts["fx"], 2)

    # UPS-1: a product with MRR this month that had none last month makes it a cross-sell
    product_months = valued.loc[
        (valued["mrr_usd"] > 0).fillna(False), ["account_id", "month", "product_id"]
    ].drop_duplicates()
    # a null product id never equals last month's (SQL equality): always new
    previous_products = product_months.dropna(subset=["product_id"])
    previous_products = previous_products.assign(month=previous_products["month"] + 1, had=True)
    product_check = product_months.merge(
        previous_products, on=["account_id", "month", "product_id"], how="left"
    )
    new_products = product_check.loc[product_check["had"].isna(), ["account_id", "month"]]
    new_products = new_products.drop_duplicates().assign(has_new_product=True)
    exits = _involuntary_exits(windows, customer_accounts, as_of_end)
    flags = amounts.merge(new_products.astype({"account_id": "string"}), on=["account_id", "month"],
                          how="left")  # fmt: skip
    flags = flags.merge(
        exits.assign(has_involuntary_exit=True), on=["account_id", "month"], how="left"
    )
    mrr_now, mrr_before, movement = flags["mrr"], flags["previous_mrr"], flags["movement_mrr"]
    # MRR-6: the order of the tests is the rule
    flags["movement"] = np.select(
        [
            flags["is_first_paid_month"],
            (mrr_before > 0) & (mrr_now == 0),
            (mrr_before == 0) & (mrr_now > 0),
            movement > 0,
            movement < 0,
        ],
        ["new", "churn", "reactivation", "expansion", "contraction"],
        "unchanged",
    )
    involuntary = flags["has_involuntary_exit"].fillna(False).astype(bool)
    cross_sell = flags["has_new_product"].fillna(False).astype(bool)
    is_churn = flags["movement"] == "churn"
    is_expansion = flags["movement"] == "expansion"
    return pd.DataFrame(
        {
            "account_id": flags["account_id"].astype("string"),
            "month": pd.to_datetime(_month_seconds(flags["month"]), unit="s").astype(
                "datetime64[us]"
            ),
            "mrr": mrr_now,
            "previous_mrr": mrr_before,
            "mrr_change": _round(mrr_now - mrr_before, 2),
            "movement": flags["movement"],
            "movement_mrr": movement,
            "fx_impact": _round(mrr_now - mrr_before - movement, 2),
            "churn_type": pd.Series(
                np.where(is_churn, np.where(involuntary, "involuntary", "voluntary"), None),
                dtype="string",
            ),
            "expansion_type": pd.Series(
                np.where(is_expansion, np.where(cross_sell, "cross_sell", "upsell"), None),
                dtype="string",
            ),
        }
    )


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def _billing(landing_dir: Path, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """fct_mrr, and what the engagement mart needs of billing: the Stripe customer -> account
    map and the items counting toward MRR (the parsed subscription items are freed on return)."""
    subscriptions = load_records(landing_dir, "stripe/subscriptions", _decode_subscription)
    subscriptions["version_id"] = np.arange(len(subscriptions))
    customer_accounts = _customer_accounts(
        load_records(landing_dir, "stripe/customers", _decode_customer),
        subscriptions,
        load_records(landing_dir, "stripe/invoices", _decode_invoice),
    )
    windows = _subscription_windows(subscriptions, _as_of_end(as_of))
    counting = _counting_items(windows, _subscription_items(subscriptions), customer_accounts)
    discounts = _discount_windows(
        subscriptions, windows, load_records(landing_dir, "stripe/coupons", _decode_coupon)
    )
    valued = _items_valued_monthly(counting, discounts, load_exchange_rates(landing_dir), as_of)
    return customer_accounts, counting, mrr(valued, windows, customer_accounts, as_of)


def compute(landing_dir: Path, as_of: date) -> dict[str, pd.DataFrame]:
    """The marts fct_nps_monthly, fct_engagement_daily and fct_mrr from the landing files."""
    landing_dir = Path(landing_dir)
    companies = _companies(load_records(landing_dir, "hubspot/companies", _decode_company))
    marts = {
        "fct_nps_monthly": nps_monthly(
            load_records(landing_dir, "hubspot/feedback_submissions", _decode_submission),
            load_records(landing_dir, "hubspot/contacts", _decode_contact),
            companies,
            as_of,
        )
    }
    # billing before the Segment calls, the largest input, so that they never share memory
    customer_accounts, counting, marts["fct_mrr"] = _billing(landing_dir, as_of)
    account_ids = pd.concat([companies["account_id"], customer_accounts["account_id"]]).dropna()
    marts["fct_engagement_daily"] = engagement_daily(
        load_segment_calls(landing_dir),
        account_ids.drop_duplicates(),
        counting,
        _products_per_seat(load_records(landing_dir, "stripe/products", _decode_product)),
        as_of,
    )
    return {name: marts[name] for name in MARTS}


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[column] = series.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            out[column] = series.astype(float)
        else:
            values = series.astype(object).where(series.notna(), None)
            out[column] = values.map(lambda v: v if v is None else str(v)).astype(object)
    return out


def compare(peer: dict[str, pd.DataFrame], serving_db: Path) -> dict[str, list[str]]:
    """Per mart of `peer`: human-readable differences from `marts.<name>` (empty = equal).

    Same columns in the same order, the same keys, and per column equal values: numbers within
    1e-6 relative (0.005 absolute for money), text and dates exactly, nulls where nulls are.
    """
    import duckdb  # only to read the warehouse's published marts, never to compute

    results: dict[str, list[str]] = {}
    with duckdb.connect(str(serving_db), read_only=True) as con:
        for name, frame in peer.items():
            ours = con.sql(f"select * from marts.{name}").df()
            results[name] = _differences(name, frame, ours)
    return results


def _differences(name: str, peer: pd.DataFrame, ours: pd.DataFrame, limit: int = 5) -> list[str]:
    if list(peer.columns) != list(ours.columns):
        return [f"columns differ: peer {list(peer.columns)} vs warehouse {list(ours.columns)}"]
    problems: list[str] = []
    keys = KEYS[name]
    left = _normalise(peer).sort_values(keys).reset_index(drop=True)
    right = _normalise(ours).sort_values(keys).reset_index(drop=True)
    for label, frame in (("peer", left), ("warehouse", right)):
        duplicated = frame.duplicated(keys)
        if duplicated.any():
            problems.append(f"{duplicated.sum()} duplicate keys in the {label} frame")
    merged = left.merge(right, on=keys, how="outer", suffixes=("_peer", "_ours"), indicator=True)
    for side, label in (("left_only", "only in the peer"), ("right_only", "only in the warehouse")):
        rows = merged[merged["_merge"] == side]
        if len(rows):
            sample = rows[keys].head(limit).to_records(index=False).tolist()
            problems.append(f"{len(rows)} rows {label}, e.g. {sample}")
    both = merged[merged["_merge"] == "both"]
    for column in [c for c in peer.columns if c not in keys]:
        a, b = both[f"{column}_peer"], both[f"{column}_ours"]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            atol = MONEY_TOLERANCE if column in MONEY_COLUMNS else 1e-12
            same = np.isclose(
                a.to_numpy(float),
                b.to_numpy(float),
                rtol=RELATIVE_TOLERANCE,
                atol=atol,
                equal_nan=True,
            )
        else:
            same = ((a == b) | (a.isna() & b.isna())).fillna(False).to_numpy(bool)
        if not same.all():
            bad = both[~same]
            sample = [
                f"{tuple(row[k] for k in keys)}: peer={row[f'{column}_peer']!r} "
                f"warehouse={row[f'{column}_ours']!r}"
                for _, row in bad.head(limit).iterrows()
            ]
            problems.append(f"{column}: {len(bad)} rows differ, e.g. " + "; ".join(sample))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--as-of", type=date.fromisoformat, required=True)
    parser.add_argument("--serving", type=Path, help="serving.duckdb to compare against")
    parser.add_argument(
        "--out",
        type=Path,
        help="write each mart to OUT/<mart>.pkl (pickle keeps the dtypes; parquet would need "
        "pyarrow, which the environment does not have); `make bench` compares them",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    marts = compute(args.landing, args.as_of)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peer: {elapsed:.1f} s wall, peak RSS {peak_mb:.0f} MB")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    for name, frame in marts.items():
        print(f"  {name}: {len(frame)} rows")
        if args.out:
            frame.to_pickle(args.out / f"{name}.pkl")
    if args.serving is None:
        return 0
    failed = False
    for name, problems in compare(marts, args.serving).items():
        rows = len(marts[name])
        print(f"{name}: {'equal' if not problems else f'{len(problems)} problem(s)'} ({rows} rows)")
        for problem in problems:
            print(f"  - {problem}")
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
