"""JSON values: the DuckDB functions the loader and the staging models use, on Python values."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd


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
