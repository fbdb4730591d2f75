"""Expectation suites of the raw layer, the generic part: one suite per landing object
(`raw_<system>.<object>`), declared by its source in `orchestration/sources/<source>/suites.py`
with the helpers here.

A raw table keeps each record's original JSON in `record`. A suite names the few fields it
needs as typed columns extracted in DuckDB (`select_sql`: the query GX's SQL engine validates,
materialised once per batch as a temp table), and the rules over those columns. The loader
has already quarantined records that break the structural contract (specs.py); these suites
re-check the fields the warehouse relies on (defence in depth: a raw table can also be written
by a future loader or by hand) and add the plausibility rules the loader leaves to the gate:
value sets, ranges and the data period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from data_quality.config import QualityConfig
from data_quality.rules import NAMING_CONFIG, Rule, between, in_set, is_null, not_null
from landing.json_sql import json_string_paths, read_strings_once
from landing.spec import ObjectSpec

# Stripe Unix seconds are clamped into DuckDB's timestamp range (years 1..9999) so that a value
# in milliseconds or microseconds becomes 9999-12-31, outside the data period, instead of an
# overflow error; the record id in the sample finds the original.
MIN_EPOCH_S, MAX_EPOCH_S = -62135596800, 253402300799


@dataclass(frozen=True)
class Column:
    name: str
    sql: str


@dataclass(frozen=True)
class TableSuite:
    """A GX suite over typed columns selected from one table."""

    name: str  # the GX suite name: the table's name
    table: str
    asset_key: tuple[str, ...]
    columns: tuple[Column, ...]
    rules: Callable[[QualityConfig], list[Rule]]
    id_sql: str = "record_id"
    # Rows the suite validates (e.g. not deletion tombstones, which carry only an id).
    where: str = "true"
    partition_column: str | None = "_partition_date"
    # Columns that identify a row in samples of bad values.
    index_columns: tuple[str, ...] = ("record_id",)

    def select_sql(self, start: date | None = None, end: date | None = None) -> str:
        """SQL of the batch: the typed columns of the rows whose partition day is within
        [start, end] (every row when either is None or the table is not partitioned)."""
        columns = ",\n    ".join(f"{c.sql} as {c.name}" for c in self.columns)
        where = self.where
        if start is not None and end is not None and self.partition_column:
            where += (
                f" and {self.partition_column} between date '{start.isoformat()}' "
                f"and date '{end.isoformat()}'"
            )
        source = self.table
        paths = json_string_paths(columns)
        if paths:
            # Every JSON field the columns read, in one parse of the record per row: the
            # extraction, not GX, was most of the Segment check's time (20M records).
            columns = read_strings_once(columns, paths, "_strings")
            source = (
                f"(select *, json_extract_string(record, [{', '.join(paths)}]) as _strings "
                f"from {self.table})"
            )
        return (
            f"select\n    {self.id_sql} as record_id,\n    {columns}\nfrom {source}\nwhere {where}"
        )

    def check_names(self) -> list[str]:
        return list(dict.fromkeys(rule.check for rule in self.rules(NAMING_CONFIG)))


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def json_str(path: str) -> str:
    return f"json_extract_string(record, {_q(path)})"


def json_int(path: str) -> str:
    return f"try_cast({json_str(path)} as bigint)"


def json_number(path: str) -> str:
    return f"try_cast({json_str(path)} as double)"


def json_present(path: str) -> str:
    """The field's JSON type, null when it is absent or JSON null: enough for not-null rules
    without extracting whole nested objects."""
    return f"nullif(json_type(record, {_q(path)}), 'NULL')"


def _parsed_ts(value: str, allow_epoch_ms: bool) -> str:
    iso = f"try_cast({value} as timestamptz)"
    if not allow_epoch_ms:
        return iso
    # HubSpot writes dates as ISO-8601 or epoch milliseconds (a JSON number or a digit string).
    epoch = (
        f"epoch_ms(least(greatest(try_cast({value} as bigint), {MIN_EPOCH_S * 1000}), "
        f"{MAX_EPOCH_S * 1000}))::timestamptz"
    )  # only reached when the value is a digit string, never null
    return f"case when regexp_full_match({value}, '-?[0-9]+') then {epoch} else {iso} end"


def iso_ts_columns(name: str, path: str, allow_epoch_ms: bool = False) -> tuple[Column, Column]:
    """The parsed timestamp, and the raw text when it does not parse (null otherwise)."""
    value = json_str(path)
    parsed = _parsed_ts(value, allow_epoch_ms)
    return (
        Column(name, parsed),
        Column(
            f"{name}_unparsed",
            f"case when {value} is not null and {parsed} is null then {value} end",
        ),
    )


def _column_name(path: str) -> str:
    return path.removeprefix("$.").replace(".", "_")


def required_columns(spec: ObjectSpec, typed: tuple[Column, ...]) -> tuple[Column, ...]:
    """A presence column for every required field of the load contract not already typed."""
    have = {c.name for c in typed}
    return tuple(
        Column(_column_name(f.path), json_present(f.path))
        for f in spec.fields
        if f.required and _column_name(f.path) not in have
    )


def required_rules(spec: ObjectSpec) -> list[Rule]:
    rules = [not_null("required_fields", "record_id", note=f"the {spec.id_path[2:]} of the record")]
    rules += [
        not_null("required_fields", _column_name(f.path), note="required by the load contract")
        for f in spec.fields
        if f.required
    ]
    return rules


def _tombstones_excluded(spec: ObjectSpec) -> str:
    deletion = spec.deletion_sql()
    return f"not ({deletion})" if deletion else "true"


def object_suite(
    spec: ObjectSpec,
    typed: tuple[Column, ...],
    rules: Callable[[QualityConfig], list[Rule]],
) -> TableSuite:
    """The suite of one JSON object: its typed columns, a presence column and rule for every
    required field of its load contract, and `rules`; deletion tombstones excluded."""
    columns = typed + required_columns(spec, typed)

    def all_rules(config: QualityConfig) -> list[Rule]:
        return required_rules(spec) + rules(config)

    return TableSuite(
        name=spec.table,
        table=spec.table,
        asset_key=(spec.schema, spec.object),
        columns=columns,
        rules=all_rules,
        where=_tombstones_excluded(spec),
    )


NOT_ISO_CODE = "currency_not_iso_code"


def currency_columns(sql: str) -> tuple[Column, Column]:
    """The currency, and the currency again when it is no lowercase ISO code (null otherwise):
    DuckDB matches the pattern, since GX's SQL engine has no regex for the duckdb dialect."""
    return (
        Column("currency", sql),
        Column(
            NOT_ISO_CODE, f"case when not regexp_full_match({sql}, '[a-z]{{3}}') then {sql} end"
        ),
    )


def currency_rules(config: QualityConfig) -> list[Rule]:
    """A currency must be a lowercase ISO code (else amounts cannot be converted: blocking);
    one outside the known list is only worth a look (a warning), since rates decide."""
    return [
        is_null("value_sets", NOT_ISO_CODE, note="a lowercase ISO 4217 code"),
        in_set(
            "known_currencies", "currency", config.currencies, note="CS_DQ_EXTRA_CURRENCIES adds"
        ),
    ]


def non_negative(*columns: str) -> list[Rule]:
    return [between("ranges", c, 0, note="the source documents it as >= 0") for c in columns]


def allowed_values(spec: ObjectSpec, path: str) -> tuple[str, ...]:
    """The closed value set the load contract declares for a field (one source of truth)."""
    (values,) = [f.allowed for f in spec.fields if f.path == path]
    assert values, f"{spec.key} {path} has no value set"
    return values
