"""Expectation suites of the raw layer: one per landing object (`raw_<system>.<object>`).

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
from data_quality.rules import Rule, between, in_period, in_set, is_null, not_null
from orchestration.ingest.raw_schema import EXCHANGE_RATES_TABLE
from orchestration.ingest.specs import (
    INVOICE_STATUSES,
    PRICE_INTERVALS,
    SPECS_BY_KEY,
    SUBSCRIPTION_STATUSES,
    ObjectSpec,
)
from orchestration.ingest.validation import json_string_paths, read_strings_once

# Stripe Unix seconds are clamped into DuckDB's timestamp range (years 1..9999) so that a value
# in milliseconds or microseconds becomes 9999-12-31, outside the data period, instead of an
# overflow error; the record id in the sample finds the original.
_MIN_EPOCH_S, _MAX_EPOCH_S = -62135596800, 253402300799


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
        return list(dict.fromkeys(rule.check for rule in self.rules(_NAMING_CONFIG)))


# Rules depend on the configuration only through their arguments, never through their check.
_NAMING_CONFIG = QualityConfig(as_of=date(2000, 1, 1))


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


def stripe_ts(path: str) -> str:
    # (DuckDB's least/greatest skip nulls: an absent field must stay null, not become year 1.)
    seconds = json_int(path)
    clamped = f"least(greatest({seconds}, {_MIN_EPOCH_S}), {_MAX_EPOCH_S})"
    return f"case when {seconds} is not null then to_timestamp({clamped}) end"


def _parsed_ts(value: str, allow_epoch_ms: bool) -> str:
    iso = f"try_cast({value} as timestamptz)"
    if not allow_epoch_ms:
        return iso
    # HubSpot writes dates as ISO-8601 or epoch milliseconds (a JSON number or a digit string).
    epoch = (
        f"epoch_ms(least(greatest(try_cast({value} as bigint), {_MIN_EPOCH_S * 1000}), "
        f"{_MAX_EPOCH_S * 1000}))::timestamptz"
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


def _suite(
    key: str,
    typed: tuple[Column, ...],
    rules: Callable[[QualityConfig], list[Rule]],
) -> TableSuite:
    spec = SPECS_BY_KEY[key]
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


def _currency(config: QualityConfig) -> list[Rule]:
    """A currency must be a lowercase ISO code (else amounts cannot be converted: blocking);
    one outside the known list is only worth a look (a warning), since rates decide."""
    return [
        is_null("value_sets", NOT_ISO_CODE, note="a lowercase ISO 4217 code"),
        in_set(
            "known_currencies", "currency", config.currencies, note="CS_DQ_EXTRA_CURRENCIES adds"
        ),
    ]


def _non_negative(*columns: str) -> list[Rule]:
    return [between("ranges", c, 0, note="the source documents it as >= 0") for c in columns]


CREATED = Column("created", stripe_ts("$.created"))

STRIPE_SUITES = (
    _suite(
        "stripe/customers",
        (CREATED, *currency_columns(json_str("$.currency"))),
        lambda c: [*_currency(c), in_period(c, "created")],
    ),
    _suite("stripe/products", (CREATED,), lambda c: [in_period(c, "created")]),
    _suite(
        "stripe/prices",
        (
            CREATED,
            *currency_columns(json_str("$.currency")),
            Column("type", json_str("$.type")),
            Column("interval", json_str("$.recurring.interval")),
            Column("usage_type", json_str("$.recurring.usage_type")),
            Column("unit_amount", json_int("$.unit_amount")),
        ),
        lambda c: [
            *_currency(c),
            in_set("value_sets", "type", ("one_time", "recurring")),
            in_set("value_sets", "interval", PRICE_INTERVALS),
            in_set("value_sets", "usage_type", ("licensed", "metered")),
            *_non_negative("unit_amount"),
            in_period(c, "created"),
        ],
    ),
    _suite(
        "stripe/subscriptions",
        (
            CREATED,
            Column("status", json_str("$.status")),
            *currency_columns(json_str("$.currency")),
            Column("canceled_at", stripe_ts("$.canceled_at")),
            Column("ended_at", stripe_ts("$.ended_at")),
        ),
        lambda c: [
            in_set("value_sets", "status", SUBSCRIPTION_STATUSES),
            *_currency(c),
            in_period(c, "created"),
            in_period(c, "canceled_at"),
            in_period(c, "ended_at"),
        ],
    ),
    _suite(
        "stripe/invoices",
        (
            CREATED,
            Column("status", json_str("$.status")),
            *currency_columns(json_str("$.currency")),
            Column("amount_due", json_int("$.amount_due")),
            Column("amount_paid", json_int("$.amount_paid")),
            Column("amount_remaining", json_int("$.amount_remaining")),
            Column("paid_at", stripe_ts("$.status_transitions.paid_at")),
        ),
        lambda c: [
            in_set("value_sets", "status", INVOICE_STATUSES),
            *_currency(c),
            *_non_negative("amount_due", "amount_paid", "amount_remaining"),
            in_period(c, "created"),
            in_period(c, "paid_at"),
        ],
    ),
    _suite(
        "stripe/charges",
        (
            CREATED,
            Column("status", json_str("$.status")),
            *currency_columns(json_str("$.currency")),
            Column("amount", json_int("$.amount")),
            Column("amount_refunded", json_int("$.amount_refunded")),
        ),
        lambda c: [
            in_set("value_sets", "status", ("succeeded", "pending", "failed")),
            *_currency(c),
            *_non_negative("amount", "amount_refunded"),
            in_period(c, "created"),
        ],
    ),
    _suite(
        "stripe/refunds",
        (
            CREATED,
            Column("status", json_str("$.status")),
            *currency_columns(json_str("$.currency")),
            Column("amount", json_int("$.amount")),
        ),
        lambda c: [
            in_set(
                "value_sets",
                "status",
                ("pending", "requires_action", "succeeded", "failed", "canceled"),
            ),
            *_currency(c),
            *_non_negative("amount"),
            in_period(c, "created"),
        ],
    ),
    _suite(
        "stripe/coupons",
        (
            Column("duration", json_str("$.duration")),
            *currency_columns(json_str("$.currency")),
            Column("amount_off", json_int("$.amount_off")),
            Column("percent_off", json_number("$.percent_off")),
        ),
        lambda c: [
            in_set("value_sets", "duration", ("once", "repeating", "forever")),
            *_currency(c),
            *_non_negative("amount_off"),
            between("ranges", "percent_off", 0, 100, strict_min=True, note="Stripe: (0, 100]"),
        ],
    ),
)

EXCHANGE_RATES_SUITE = TableSuite(
    name=EXCHANGE_RATES_TABLE,
    table=EXCHANGE_RATES_TABLE,
    asset_key=("raw_stripe", "exchange_rates"),
    columns=(
        Column("rate_date", "date::timestamptz"),
        *currency_columns("currency"),
        Column("usd_per_unit", "usd_per_unit::double"),
        Column("source_file", "_source_file"),
        Column("line_number", "_line_number"),
    ),
    rules=lambda c: [
        not_null("required_fields", "rate_date"),
        not_null("required_fields", "currency"),
        not_null("required_fields", "usd_per_unit"),
        *_currency(c),
        between("ranges", "usd_per_unit", 0, strict_min=True, note="a rate is positive"),
        in_period(c, "rate_date"),
    ],
    id_sql="currency || ' ' || strftime(date, '%Y-%m-%d')",
    index_columns=("record_id", "source_file", "line_number"),
)


def _hubspot_suite(key: str, typed: tuple[Column, ...], rules: Callable) -> TableSuite:
    created = iso_ts_columns("created_at", "$.createdAt", allow_epoch_ms=True)
    updated = iso_ts_columns("updated_at", "$.updatedAt", allow_epoch_ms=True)

    def with_common(config: QualityConfig) -> list[Rule]:
        return [
            in_period(config, "created_at"),
            is_null("timestamps", "created_at_unparsed", note="ISO-8601 or epoch milliseconds"),
            in_period(config, "updated_at"),
            is_null("timestamps", "updated_at_unparsed", note="ISO-8601 or epoch milliseconds"),
            *rules(config),
        ]

    return _suite(key, (*created, *updated, *typed), with_common)


def _allowed(key: str, path: str) -> tuple[str, ...]:
    """The closed value set the load contract declares for a field (one source of truth)."""
    (values,) = [f.allowed for f in SPECS_BY_KEY[key].fields if f.path == path]
    assert values, f"{key} {path} has no value set"
    return values


def _survey_score(survey_type: str) -> str:
    return (
        f"case when {json_str('$.properties.hs_survey_type')} = '{survey_type}' "
        f"then {json_number('$.properties.hs_value')} end"
    )


HUBSPOT_SUITES = (
    _hubspot_suite("hubspot/companies", (), lambda c: []),
    _hubspot_suite("hubspot/contacts", (), lambda c: []),
    _hubspot_suite(
        "hubspot/deals",
        iso_ts_columns("deal_createdate", "$.properties.createdate", allow_epoch_ms=True),
        lambda c: [
            in_period(c, "deal_createdate"),
            is_null("timestamps", "deal_createdate_unparsed"),
        ],
    ),
    _hubspot_suite("hubspot/deal_pipelines", (), lambda c: []),
    _hubspot_suite("hubspot/ticket_pipelines", (), lambda c: []),
    _hubspot_suite(
        "hubspot/tickets",
        (
            *iso_ts_columns("ticket_createdate", "$.properties.createdate", allow_epoch_ms=True),
            *iso_ts_columns("closed_date", "$.properties.closed_date", allow_epoch_ms=True),
        ),
        lambda c: [
            in_period(c, "ticket_createdate"),
            is_null("timestamps", "ticket_createdate_unparsed"),
            in_period(c, "closed_date"),
            is_null("timestamps", "closed_date_unparsed"),
        ],
    ),
    _hubspot_suite(
        "hubspot/feedback_submissions",
        (
            Column("properties_hs_survey_type", json_str("$.properties.hs_survey_type")),
            Column("nps_score", _survey_score("NPS")),
            Column("csat_score", _survey_score("CSAT")),
            Column(
                "hs_value_not_a_number",
                f"case when {json_str('$.properties.hs_value')} is not null and "
                f"{json_number('$.properties.hs_value')} is null "
                f"then {json_str('$.properties.hs_value')} end",
            ),
            *iso_ts_columns(
                "submitted_at", "$.properties.hs_submission_timestamp", allow_epoch_ms=True
            ),
        ),
        lambda c: [
            in_set("value_sets", "properties_hs_survey_type", ("NPS", "CSAT", "CES")),
            between("ranges", "nps_score", 0, 10, note="NPS-1: scores 0-10"),
            between("ranges", "csat_score", 1, 5, note="CSAT-1: ratings 1-5"),
            is_null("ranges", "hs_value_not_a_number", note="hs_value is a number as a string"),
            in_period(c, "submitted_at"),
            is_null("timestamps", "submitted_at_unparsed"),
        ],
    ),
    _hubspot_suite("hubspot/meetings", (), lambda c: []),
    # Minimal: the required fields only. An owner's createdAt/updatedAt may predate the
    # reporting period by years, so no period checks.
    _suite("hubspot/owners", (), lambda c: []),
)

SEGMENT_SUITE = _suite(
    "segment/events",
    (
        Column("type", json_str("$.type")),
        *iso_ts_columns("timestamp", "$.timestamp"),
        *iso_ts_columns("receivedAt", "$.receivedAt"),
    ),
    lambda c: [
        in_set("value_sets", "type", _allowed("segment/events", "$.type")),
        in_period(c, "timestamp"),
        is_null("timestamps", "timestamp_unparsed", note="ISO-8601"),
        in_period(c, "receivedAt"),
        is_null("timestamps", "receivedAt_unparsed", note="ISO-8601"),
    ],
)

RAW_SUITES: tuple[TableSuite, ...] = (
    *STRIPE_SUITES,
    EXCHANGE_RATES_SUITE,
    *HUBSPOT_SUITES,
    SEGMENT_SUITE,
)
RAW_SUITES_BY_TABLE: dict[str, TableSuite] = {suite.table: suite for suite in RAW_SUITES}
