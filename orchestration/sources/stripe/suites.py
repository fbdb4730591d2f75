"""The gate's raw suites of Stripe's API objects (data_quality/raw_suites.py has the generic
pieces): the fields the warehouse relies on, re-checked, plus value sets, ranges and the data
period.
"""

from __future__ import annotations

from data_quality.raw_suites import (
    MAX_EPOCH_S,
    MIN_EPOCH_S,
    Column,
    TableSuite,
    currency_columns,
    currency_rules,
    json_int,
    json_number,
    json_str,
    non_negative,
    object_suite,
)
from data_quality.rules import between, in_period, in_set
from orchestration.sources.stripe.spec import (
    INVOICE_STATUSES,
    PRICE_INTERVALS,
    STRIPE,
    SUBSCRIPTION_STATUSES,
)

_SPECS = {spec.object: spec for spec in STRIPE}


def stripe_ts(path: str) -> str:
    # (DuckDB's least/greatest skip nulls: an absent field must stay null, not become year 1.)
    seconds = json_int(path)
    clamped = f"least(greatest({seconds}, {MIN_EPOCH_S}), {MAX_EPOCH_S})"
    return f"case when {seconds} is not null then to_timestamp({clamped}) end"


CREATED = Column("created", stripe_ts("$.created"))

STRIPE_SUITES: tuple[TableSuite, ...] = (
    object_suite(
        _SPECS["customers"],
        (CREATED, *currency_columns(json_str("$.currency"))),
        lambda c: [*currency_rules(c), in_period(c, "created")],
    ),
    object_suite(_SPECS["products"], (CREATED,), lambda c: [in_period(c, "created")]),
    object_suite(
        _SPECS["prices"],
        (
            CREATED,
            *currency_columns(json_str("$.currency")),
            Column("type", json_str("$.type")),
            Column("interval", json_str("$.recurring.interval")),
            Column("usage_type", json_str("$.recurring.usage_type")),
            Column("unit_amount", json_int("$.unit_amount")),
        ),
        lambda c: [
            *currency_rules(c),
            in_set("value_sets", "type", ("one_time", "recurring")),
            in_set("value_sets", "interval", PRICE_INTERVALS),
            in_set("value_sets", "usage_type", ("licensed", "metered")),
            *non_negative("unit_amount"),
            in_period(c, "created"),
        ],
    ),
    object_suite(
        _SPECS["subscriptions"],
        (
            CREATED,
            Column("status", json_str("$.status")),
            *currency_columns(json_str("$.currency")),
            Column("canceled_at", stripe_ts("$.canceled_at")),
            Column("ended_at", stripe_ts("$.ended_at")),
        ),
        lambda c: [
            in_set("value_sets", "status", SUBSCRIPTION_STATUSES),
            *currency_rules(c),
            in_period(c, "created"),
            in_period(c, "canceled_at"),
            in_period(c, "ended_at"),
        ],
    ),
    object_suite(
        _SPECS["invoices"],
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
            *currency_rules(c),
            *non_negative("amount_due", "amount_paid", "amount_remaining"),
            in_period(c, "created"),
            in_period(c, "paid_at"),
        ],
    ),
    object_suite(
        _SPECS["charges"],
        (
            CREATED,
            Column("status", json_str("$.status")),
            *currency_columns(json_str("$.currency")),
            Column("amount", json_int("$.amount")),
            Column("amount_refunded", json_int("$.amount_refunded")),
        ),
        lambda c: [
            in_set("value_sets", "status", ("succeeded", "pending", "failed")),
            *currency_rules(c),
            *non_negative("amount", "amount_refunded"),
            in_period(c, "created"),
        ],
    ),
    object_suite(
        _SPECS["refunds"],
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
            *currency_rules(c),
            *non_negative("amount"),
            in_period(c, "created"),
        ],
    ),
    object_suite(
        _SPECS["coupons"],
        (
            Column("duration", json_str("$.duration")),
            *currency_columns(json_str("$.currency")),
            Column("amount_off", json_int("$.amount_off")),
            Column("percent_off", json_number("$.percent_off")),
        ),
        lambda c: [
            in_set("value_sets", "duration", ("once", "repeating", "forever")),
            *currency_rules(c),
            *non_negative("amount_off"),
            between("ranges", "percent_off", 0, 100, strict_min=True, note="Stripe: (0, 100]"),
        ],
    ),
)
