"""The load contract of Stripe's API objects (docs/landing.md): one `ObjectSpec` per
`stripe/<object>` folder.

A deletion needs only its id: `deleted: true`, or for invoices a `status` of `deleted` (the
object inside an `invoice.deleted` event).
"""

from __future__ import annotations

from landing.spec import (
    ARRAY,
    BOOLEAN,
    INTEGER,
    NUMBER,
    OBJECT,
    STRING,
    Field,
    ObjectSpec,
    SanityRule,
    optional,
)

# Customer-level discounts (MRR-2): `discounts` holds discount ids or expanded objects.
CUSTOMER_DISCOUNTS_SHAPE = SanityRule(
    "len(list_filter(json_extract(record, '$.discounts[*]'), lambda d: "
    "json_type(d) not in ('VARCHAR', 'OBJECT'))) > 0",
    "an element of discounts is neither a discount id nor a discount object",
)


SUBSCRIPTION_STATUSES = (
    "incomplete",
    "incomplete_expired",
    "trialing",
    "active",
    "past_due",
    "canceled",
    "unpaid",
    "paused",
)
INVOICE_STATUSES = ("draft", "open", "paid", "uncollectible", "void")
PRICE_INTERVALS = ("day", "week", "month", "year")
# Stripe caps a billing interval at three years.
_INTERVAL_COUNT_OUT_OF_RANGE = (
    "coalesce(try_cast(json_extract({p}, '$.interval_count') as bigint) not between 1 and 1095, "
    "false)"
)

STRIPE = (
    ObjectSpec(
        "stripe",
        "customers",
        "$.id",
        (
            Field("$.created", INTEGER),
            optional("$.email", STRING),
            optional("$.currency", STRING),
            optional("$.metadata", OBJECT),
            optional("$.delinquent", BOOLEAN),
            # customer-level discounts (MRR-2): one object, or a list of ids or objects
            optional("$.discount", OBJECT),
            optional("$.discounts", ARRAY),
        ),
        object_types=("customer",),
        rules=(CUSTOMER_DISCOUNTS_SHAPE,),
        deleted_path="$.deleted",
        description="Stripe customers; `metadata.hubspot_company_id` links to the CRM.",
    ),
    ObjectSpec(
        "stripe",
        "products",
        "$.id",
        (Field("$.created", INTEGER), optional("$.name", STRING), optional("$.active", BOOLEAN)),
        object_types=("product",),
        deleted_path="$.deleted",
        description="Stripe products (what a price sells; the unit of cross-sell).",
    ),
    ObjectSpec(
        "stripe",
        "prices",
        "$.id",
        (
            Field("$.product", STRING),
            Field("$.currency", STRING),
            Field("$.type", STRING, allowed=("one_time", "recurring")),
            Field("$.created", INTEGER),
            optional("$.unit_amount", INTEGER),
            optional("$.recurring", OBJECT),
            optional("$.recurring.interval", STRING, allowed=PRICE_INTERVALS),
            optional("$.recurring.interval_count", INTEGER),
            optional("$.recurring.usage_type", STRING, allowed=("licensed", "metered")),
        ),
        object_types=("price",),
        rules=(
            SanityRule(
                _INTERVAL_COUNT_OUT_OF_RANGE.format(p="json_extract(record, '$.recurring')"),
                "recurring.interval_count outside 1..1095",
            ),
            SanityRule(
                "coalesce(try_cast(json_extract_string(record, '$.unit_amount') as bigint) < 0, "
                "false)",
                "unit_amount is negative",
            ),
        ),
        deleted_path="$.deleted",
        description="Stripe prices: amount, currency and billing interval (MRR-1).",
    ),
    ObjectSpec(
        "stripe",
        "subscriptions",
        "$.id",
        (
            Field("$.customer", STRING),
            Field("$.status", STRING, allowed=SUBSCRIPTION_STATUSES),
            Field("$.created", INTEGER),
            Field("$.items", OBJECT),
            Field("$.items.data", ARRAY),
            optional("$.currency", STRING),
            optional("$.start_date", INTEGER),
            optional("$.trial_start", INTEGER),
            optional("$.trial_end", INTEGER),
            optional("$.cancel_at", INTEGER),
            optional("$.cancel_at_period_end", BOOLEAN),
            optional("$.canceled_at", INTEGER),
            optional("$.ended_at", INTEGER),
            optional("$.discounts", ARRAY),
        ),
        object_types=("subscription",),
        rules=(
            SanityRule(
                "len(list_filter(json_extract(record, '$.items.data[*]'), lambda i: "
                "try_cast(json_extract(i, '$.current_period_end') as bigint) "
                "< try_cast(json_extract(i, '$.current_period_start') as bigint))) > 0",
                "an item's current_period_end is before its current_period_start",
            ),
            SanityRule(
                "coalesce(try_cast(json_extract(record, '$.current_period_end') as bigint) "
                "< try_cast(json_extract(record, '$.current_period_start') as bigint), false)",
                "current_period_end is before current_period_start",
            ),
            SanityRule(
                "len(list_filter(json_extract(record, '$.items.data[*]'), lambda i: "
                + _INTERVAL_COUNT_OUT_OF_RANGE.format(p="json_extract(i, '$.price.recurring')")
                + ")) > 0",
                "an item's price.recurring.interval_count is outside 1..1095",
            ),
            SanityRule(
                "len(list_filter(json_extract(record, '$.items.data[*]'), lambda i: "
                "coalesce(try_cast(json_extract(i, '$.quantity') as bigint) < 0, false))) > 0",
                "an item's quantity is negative",
            ),
        ),
        description="Stripe subscriptions, every version kept (MRR history is rebuilt from them).",
    ),
    ObjectSpec(
        "stripe",
        "invoices",
        "$.id",
        (
            optional("$.customer", STRING),
            optional("$.status", STRING, allowed=INVOICE_STATUSES),
            Field("$.created", INTEGER),
            Field("$.currency", STRING),
            Field("$.amount_due", INTEGER),
            Field("$.amount_paid", INTEGER),
            optional("$.amount_remaining", INTEGER),
            optional("$.total", INTEGER),
            optional("$.due_date", INTEGER),
            optional("$.lines", OBJECT),
            optional("$.lines.data", ARRAY),
        ),
        object_types=("invoice",),
        rules=(
            SanityRule(
                "coalesce(try_cast(json_extract_string(record, '$.amount_due') as bigint) < 0, "
                "false)",
                "amount_due is negative",
            ),
        ),
        deleted_path="$.deleted",
        deleted_status="deleted",
        description=(
            "Stripe invoices with their lines (cash facts, delinquency, trial conversion); "
            "`deleted: true` or status `deleted` (the object of an `invoice.deleted` event) is a "
            "deletion."
        ),
    ),
    ObjectSpec(
        "stripe",
        "charges",
        "$.id",
        (
            Field("$.amount", INTEGER),
            Field("$.currency", STRING),
            Field("$.status", STRING, allowed=("succeeded", "pending", "failed")),
            Field("$.created", INTEGER),
            optional("$.customer", STRING),
            optional("$.amount_refunded", INTEGER),
            optional("$.failure_code", STRING),
        ),
        object_types=("charge",),
        description="Stripe charges (payments, failed payments).",
    ),
    ObjectSpec(
        "stripe",
        "refunds",
        "$.id",
        (
            Field("$.amount", INTEGER),
            Field("$.currency", STRING),
            Field(
                "$.status",
                STRING,
                allowed=("pending", "requires_action", "succeeded", "failed", "canceled"),
            ),
            Field("$.created", INTEGER),
            optional("$.charge", STRING),
            optional("$.reason", STRING),
        ),
        object_types=("refund",),
        description="Stripe refunds (cash only; never MRR, MRR-8).",
    ),
    ObjectSpec(
        "stripe",
        "coupons",
        "$.id",
        (
            Field("$.duration", STRING, allowed=("once", "repeating", "forever")),
            optional("$.duration_in_months", INTEGER),
            optional("$.percent_off", NUMBER),
            optional("$.amount_off", INTEGER),
            optional("$.currency", STRING),
        ),
        object_types=("coupon",),
        deleted_path="$.deleted",
        description="Stripe coupons (recurring discounts reduce MRR, MRR-2).",
    ),
)
