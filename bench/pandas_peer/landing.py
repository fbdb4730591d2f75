"""Landing files -> valid records (what the loader keeps), exchange rates, latest versions."""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from bench.pandas_peer.common import _PART_FILE, _RATES_FILE, _RATES_HEADER, BATCH_BYTES, VERSION
from bench.pandas_peer.json_values import Json, _as_bigint, _map, _number, _walk
from landing.spec import ObjectSpec
from orchestration.sources import SPECS_BY_KEY
from orchestration.sources.hubspot.spec import LEGACY_V1_PIPELINE
from orchestration.sources.stripe.spec import CUSTOMER_DISCOUNTS_SHAPE


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
