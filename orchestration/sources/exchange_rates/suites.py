"""The gate's raw suite of the finance team's exchange rates (`raw_stripe.exchange_rates`)."""

from __future__ import annotations

from data_quality.raw_suites import Column, TableSuite, currency_columns, currency_rules
from data_quality.rules import between, in_period, not_null
from landing.tables import EXCHANGE_RATES_TABLE

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
        *currency_rules(c),
        between("ranges", "usd_per_unit", 0, strict_min=True, note="a rate is positive"),
        in_period(c, "rate_date"),
    ],
    id_sql="currency || ' ' || strftime(date, '%Y-%m-%d')",
    index_columns=("record_id", "source_file", "line_number"),
)
