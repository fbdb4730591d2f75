"""What each landing object must look like: the load-time contract (docs/landing.md).

One `ObjectSpec` per `<system>/<object>` folder. The loader turns these specs into SQL that
checks every record; a record failing a check goes to quarantine with the reason, never dropped.
Checks here are structural (presence, JSON type, known enum values) plus a few sanity rules for
values that would break downstream arithmetic. Plausibility (ranges, freshness, volume) is the
data-quality gate's job, not the loader's.

A deletion needs only its id: `deleted: true`, or for Stripe invoices a `status` of `deleted`
(the object inside an `invoice.deleted` event). HubSpot property-change and webhook exports
carry only the properties that changed, so `properties` may be partial: staging merges a later
version into the earlier one property by property (an absent key keeps its value, an explicit
null clears it). HubSpot pipelines are the v3 shape (`id`, `stages[].id`); the legacy v1 shape
(`pipelineId`, `stages[].stageId`) is quarantined with a reason that says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# DuckDB `json_type` names.
INTEGER = ("BIGINT", "UBIGINT")
NUMBER = ("BIGINT", "UBIGINT", "DOUBLE")
STRING = ("VARCHAR",)
OBJECT = ("OBJECT",)
ARRAY = ("ARRAY",)
BOOLEAN = ("BOOLEAN",)
# HubSpot dates come as ISO-8601 strings or epoch milliseconds.
HUBSPOT_DATE = ("VARCHAR", "BIGINT", "UBIGINT")


@dataclass(frozen=True)
class Field:
    """One field a record must (or may) carry, addressed by a JSON path."""

    path: str
    types: tuple[str, ...]
    required: bool = True  # False: the field may be absent or JSON null
    allowed: tuple[str, ...] | None = None  # a closed set of string values (an enum)


@dataclass(frozen=True)
class SanityRule:
    """A SQL predicate over the JSON column `record` that is true for an impossible record."""

    is_bad_sql: str
    reason: str


# Customer-level discounts (MRR-2): `discounts` holds discount ids or expanded objects.
CUSTOMER_DISCOUNTS_SHAPE = SanityRule(
    "len(list_filter(json_extract(record, '$.discounts[*]'), lambda d: "
    "json_type(d) not in ('VARCHAR', 'OBJECT'))) > 0",
    "an element of discounts is neither a discount id nor a discount object",
)


@dataclass(frozen=True)
class ObjectSpec:
    system: str
    object: str
    id_path: str
    fields: tuple[Field, ...]
    # Stripe records say what they are in `object`; a record of another type is quarantined.
    object_types: tuple[str, ...] | None = None
    rules: tuple[SanityRule, ...] = field(default_factory=tuple)
    # JSON path of the flag that marks a deletion tombstone (only the id is then required).
    deleted_path: str | None = None
    # A `status` value that also marks a deletion (Stripe: an invoice inside `invoice.deleted`).
    deleted_status: str | None = None
    # Known wrong shapes (e.g. a legacy API version), checked before the id and every field so
    # the reason names the shape and what is expected instead of the first missing field.
    shape_rules: tuple[SanityRule, ...] = field(default_factory=tuple)
    description: str = ""

    @property
    def schema(self) -> str:
        return f"raw_{self.system}"

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.object}"

    @property
    def key(self) -> str:
        return f"{self.system}/{self.object}"

    def deletion_sql(self) -> str | None:
        """A SQL predicate over the JSON column `record` that is true for a deletion (then only
        the id is required), or None when the object has no deletions."""
        conditions = []
        if self.deleted_path:
            path = self.deleted_path.replace("'", "''")
            conditions.append(f"coalesce(json_extract(record, '{path}')::varchar, '') = 'true'")
        if self.deleted_status:
            status = self.deleted_status.replace("'", "''")
            conditions.append(
                f"coalesce(json_extract_string(record, '$.status') = '{status}', false)"
            )
        return " or ".join(conditions) or None


def _optional(path: str, types: tuple[str, ...], allowed: tuple[str, ...] | None = None) -> Field:
    return Field(path, types, required=False, allowed=allowed)


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
            _optional("$.email", STRING),
            _optional("$.currency", STRING),
            _optional("$.metadata", OBJECT),
            _optional("$.delinquent", BOOLEAN),
            # customer-level discounts (MRR-2): one object, or a list of ids or objects
            _optional("$.discount", OBJECT),
            _optional("$.discounts", ARRAY),
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
        (Field("$.created", INTEGER), _optional("$.name", STRING), _optional("$.active", BOOLEAN)),
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
            _optional("$.unit_amount", INTEGER),
            _optional("$.recurring", OBJECT),
            _optional("$.recurring.interval", STRING, allowed=PRICE_INTERVALS),
            _optional("$.recurring.interval_count", INTEGER),
            _optional("$.recurring.usage_type", STRING, allowed=("licensed", "metered")),
        ),
        object_types=("price",),
        rules=(
            SanityRule(
                _INTERVAL_COUNT_OUT_OF_RANGE.format(p="json_extract(record, '$.recurring')"),
                "recurring.interval_count outside 1..1095",
            ),
            SanityRule(
                "coalesce(try_cast(json_extract(record, '$.unit_amount') as bigint) < 0, false)",
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
            _optional("$.currency", STRING),
            _optional("$.start_date", INTEGER),
            _optional("$.trial_start", INTEGER),
            _optional("$.trial_end", INTEGER),
            _optional("$.cancel_at", INTEGER),
            _optional("$.cancel_at_period_end", BOOLEAN),
            _optional("$.canceled_at", INTEGER),
            _optional("$.ended_at", INTEGER),
            _optional("$.discounts", ARRAY),
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
            _optional("$.customer", STRING),
            _optional("$.status", STRING, allowed=INVOICE_STATUSES),
            Field("$.created", INTEGER),
            Field("$.currency", STRING),
            Field("$.amount_due", INTEGER),
            Field("$.amount_paid", INTEGER),
            _optional("$.amount_remaining", INTEGER),
            _optional("$.total", INTEGER),
            _optional("$.due_date", INTEGER),
            _optional("$.lines", OBJECT),
            _optional("$.lines.data", ARRAY),
        ),
        object_types=("invoice",),
        rules=(
            SanityRule(
                "coalesce(try_cast(json_extract(record, '$.amount_due') as bigint) < 0, false)",
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
            _optional("$.customer", STRING),
            _optional("$.amount_refunded", INTEGER),
            _optional("$.failure_code", STRING),
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
            _optional("$.charge", STRING),
            _optional("$.reason", STRING),
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
            _optional("$.duration_in_months", INTEGER),
            _optional("$.percent_off", NUMBER),
            _optional("$.amount_off", INTEGER),
            _optional("$.currency", STRING),
        ),
        object_types=("coupon",),
        deleted_path="$.deleted",
        description="Stripe coupons (recurring discounts reduce MRR, MRR-2).",
    ),
)


def _hubspot(
    obj: str,
    fields: tuple[Field, ...],
    description: str,
    shape_rules: tuple[SanityRule, ...] = (),
) -> ObjectSpec:
    common = (
        _optional("$.createdAt", HUBSPOT_DATE),
        _optional("$.updatedAt", HUBSPOT_DATE),
        _optional("$.archived", BOOLEAN),
    )
    return ObjectSpec(
        "hubspot", obj, "$.id", common + fields, shape_rules=shape_rules, description=description
    )


_PROPERTIES = Field("$.properties", OBJECT)
_PIPELINE = (Field("$.label", STRING), Field("$.stages", ARRAY))
# The v1 pipelines API named the ids `pipelineId` and `stages[].stageId`; staging reads v3.
LEGACY_V1_PIPELINE = SanityRule(
    "(json_exists(record, '$.pipelineId') and not json_exists(record, '$.id')) "
    "or len(list_filter(json_extract(record, '$.stages[*]'), lambda s: "
    "json_exists(s, '$.stageId') and not json_exists(s, '$.id'))) > 0",
    "legacy v1 pipelines shape (pipelineId, stages[].stageId): expected the v3 pipelines "
    "shape with id and stages[].id",
)

HUBSPOT = (
    _hubspot("companies", (_PROPERTIES,), "HubSpot companies: the account dimension's source."),
    _hubspot("contacts", (_PROPERTIES,), "HubSpot contacts (people; kept out of the marts)."),
    _hubspot("deals", (_PROPERTIES,), "HubSpot deals: new business, renewals, upsells."),
    _hubspot(
        "deal_pipelines",
        _PIPELINE,
        "HubSpot deal pipelines (v3 shape): stage ids to labels.",
        (LEGACY_V1_PIPELINE,),
    ),
    _hubspot(
        "ticket_pipelines",
        _PIPELINE,
        "HubSpot ticket pipelines (v3 shape): stage ids to labels.",
        (LEGACY_V1_PIPELINE,),
    ),
    _hubspot("tickets", (_PROPERTIES,), "HubSpot support tickets (support load, HLT-1)."),
    _hubspot(
        "feedback_submissions",
        (
            _PROPERTIES,
            Field("$.properties.hs_survey_type", STRING, allowed=("NPS", "CSAT", "CES")),
            _optional("$.properties.hs_value", STRING),
        ),
        "HubSpot survey responses: NPS and CSAT scores (NPS-1, CSAT-1).",
    ),
    _hubspot("meetings", (_PROPERTIES,), "HubSpot meetings: CSM touches (HLT-1)."),
    _hubspot(
        "owners",
        (
            _optional("$.email", STRING),
            _optional("$.firstName", STRING),
            _optional("$.lastName", STRING),
        ),
        "HubSpot owners (v3 owners API, fields top-level, no `properties`): the CSM a "
        "company's `hubspot_owner_id` points to (ACC-1).",
    ),
)

SEGMENT_EVENTS = ObjectSpec(
    "segment",
    "events",
    "$.messageId",
    (
        Field("$.type", STRING, allowed=("track", "identify", "group", "page", "screen", "alias")),
        Field("$.timestamp", STRING),
        Field("$.receivedAt", STRING),
        _optional("$.userId", STRING),
        _optional("$.anonymousId", STRING),
        _optional("$.event", STRING),
        _optional("$.groupId", STRING),
        _optional("$.properties", OBJECT),
        _optional("$.traits", OBJECT),
        _optional("$.context", OBJECT),
    ),
    rules=(
        SanityRule(
            "json_extract_string(record, '$.type') = 'track' "
            "and json_extract_string(record, '$.event') is null",
            "a track call without `event`",
        ),
        SanityRule(
            "try_cast(json_extract_string(record, '$.timestamp') as timestamptz) is null",
            "timestamp is not an ISO-8601 timestamp",
        ),
        SanityRule(
            "try_cast(json_extract_string(record, '$.receivedAt') as timestamptz) is null",
            "receivedAt is not an ISO-8601 timestamp",
        ),
    ),
    description="Segment calls as its S3 destination writes them (ENG-1..3).",
)

ALL_SPECS: tuple[ObjectSpec, ...] = (*STRIPE, *HUBSPOT, SEGMENT_EVENTS)
SPECS_BY_KEY: dict[str, ObjectSpec] = {spec.key: spec for spec in ALL_SPECS}
