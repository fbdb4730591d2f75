"""Writes the golden landing folder (`landing/`) from the hand-written objects below.

Every object is written out by hand, field by field, in the real Stripe / HubSpot / Segment
shapes (LANDING.md); this script only serialises them into the landing layout, so the folder
can be regenerated after an edit: `uv run python tests/dbt/golden/write_landing.py`
(test_golden_landing.py fails when the committed folder and this script disagree).
The expected metrics are computed by hand in test_golden.py, never from this file's code.

The story (as_of = 2025-06-15; accounts = HubSpot company ids):
  101 Acme     annual plan 4 seats x $500/yr = $2,000/yr (old API shape); $200 refund in March
  102 Beta     5 seats x $100/mo; upgrade to 8 seats Mar 20 with proration lines; Analytics
               add-on $50 Apr 10 (cross-sell); add-on removed Jun 5 (partial cancel); a 50%
               `once` coupon that never changes MRR
  103 Gamma    $300/mo, cancel at period end (Mar 5), new subscription May 12 (reactivation)
  104 Delta    EUR 10 seats x EUR 100; 15 seats from May 10; EUR rate moves
  105 Epsilon  JPY 50,000/mo (zero-decimal); past_due Apr 28; canceled May 25 (involuntary)
  106 Zeta     14-day trial Apr 1-15, then $200/mo, paid Apr 15 (converted)
  107 Eta      14-day trial May 1-15, canceled at trial end (not converted)
  108 Theta    only a metered price and a free price (never MRR)
  109 Iota     $400/mo with 25% off for 2 months (repeating coupon, legacy `discount`);
               `unpaid` from Jun 3 (involuntary churn), new API shape from then on
  110 Kappa    send_invoice $250/mo with a forever $50-off coupon; April and May unpaid
  cus_orphan   Stripe customer without a CRM link, $50/mo from Jun 1
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANDING = HERE / "landing"


def ts(text: str) -> int:
    """'2025-01-10T09:00' (UTC) -> Unix seconds."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def ms(text: str) -> str:
    """HubSpot epoch milliseconds, as the string HubSpot sends."""
    return str(ts(text) * 1000)


FILES: dict[str, list[str]] = {}


def put(system: str, obj: str, day: str, value: dict, part: int = 0) -> None:
    FILES.setdefault(f"{system}/{obj}/{day}/part-{part:05d}.jsonl", []).append(
        json.dumps(value, separators=(",", ":"))
    )


def event(kind: str, created: str, obj: dict, event_id: str) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": ts(created),
        "type": kind,
        "data": {"object": obj},
    }


# ---------------------------------------------------------------- Stripe: catalogue
PRODUCTS = [
    {
        "id": "prod_core",
        "object": "product",
        "name": "Core platform",
        "active": True,
        "created": ts("2024-01-01T00:00"),
        "unit_label": "seat",
        "metadata": {},
    },
    {
        "id": "prod_analytics",
        "object": "product",
        "name": "Analytics add-on",
        "active": True,
        "created": ts("2024-01-01T00:00"),
        "unit_label": None,
        "metadata": {},
    },
    {
        "id": "prod_api",
        "object": "product",
        "name": "API usage",
        "active": True,
        "created": ts("2024-01-01T00:00"),
        "unit_label": None,
        "metadata": {},
    },
    {
        "id": "prod_free",
        "object": "product",
        "name": "Free tier",
        "active": True,
        "created": ts("2024-01-01T00:00"),
        "unit_label": None,
        "metadata": {},
    },
]


def price(
    pid: str,
    product: str,
    currency: str,
    amount: int | None,
    interval: str = "month",
    usage: str = "licensed",
) -> dict:
    return {
        "id": pid,
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "created": ts("2024-01-01T00:00"),
        "currency": currency,
        "product": product,
        "type": "recurring",
        "unit_amount": amount,
        "unit_amount_decimal": None if amount is None else str(amount),
        "recurring": {
            "interval": interval,
            "interval_count": 1,
            "usage_type": usage,
            "meter": None,
            "trial_period_days": None,
        },
    }


PRICES = {
    "annual": price("price_core_annual_usd", "prod_core", "usd", 50000, "year"),
    "seat": price("price_core_seat_usd", "prod_core", "usd", 10000),
    "analytics": price("price_analytics_usd", "prod_analytics", "usd", 5000),
    "flat300": price("price_core_300_usd", "prod_core", "usd", 30000),
    "seat_eur": price("price_core_seat_eur", "prod_core", "eur", 10000),
    "jpy": price("price_core_jpy", "prod_core", "jpy", 50000),
    "flat200": price("price_core_200_usd", "prod_core", "usd", 20000),
    "flat150": price("price_core_150_usd", "prod_core", "usd", 15000),
    "metered": price("price_api_metered", "prod_api", "usd", 1, usage="metered"),
    "free": price("price_free", "prod_free", "usd", 0),
    "flat400": price("price_core_400_usd", "prod_core", "usd", 40000),
    "flat250": price("price_core_250_usd", "prod_core", "usd", 25000),
    "flat50": price("price_core_50_usd", "prod_core", "usd", 5000),
}

COUPONS = [
    {
        "id": "QUARTER2",
        "object": "coupon",
        "duration": "repeating",
        "duration_in_months": 2,
        "percent_off": 25.0,
        "amount_off": None,
        "currency": None,
    },
    {
        "id": "FIFTYOFF",
        "object": "coupon",
        "duration": "forever",
        "duration_in_months": None,
        "percent_off": None,
        "amount_off": 5000,
        "currency": "usd",
    },
    {
        "id": "WELCOME50",
        "object": "coupon",
        "duration": "once",
        "duration_in_months": None,
        "percent_off": 50.0,
        "amount_off": None,
        "currency": None,
    },
]


def customer(cid: str, company: str | None, currency: str, created: str) -> dict:
    return {
        "id": cid,
        "object": "customer",
        "created": ts(created),
        "currency": currency,
        "delinquent": False,
        "email": f"billing@{cid}.example",
        "name": f"Billing {cid}",
        "metadata": {} if company is None else {"hubspot_company_id": company},
    }


CUSTOMERS = [
    customer("cus_A", "101", "usd", "2025-01-10T08:00"),
    customer("cus_B", "102", "usd", "2025-01-15T11:00"),
    customer("cus_C", "103", "usd", "2025-01-05T07:00"),
    customer("cus_D", "104", "eur", "2025-01-31T12:00"),
    customer("cus_E", "105", "jpy", "2025-03-02T12:00"),
    customer("cus_F", "106", "usd", "2025-03-31T12:00"),
    customer("cus_G", "107", "usd", "2025-04-30T12:00"),
    customer("cus_H", "108", "usd", "2025-01-31T12:00"),
    customer("cus_I", "109", "usd", "2025-01-19T12:00"),
    customer("cus_K", "110", "usd", "2025-02-28T12:00"),
    customer("cus_orphan", None, "usd", "2025-05-31T12:00"),
]


# ---------------------------------------------------------------- Stripe: subscriptions
def item(
    item_id: str,
    sub: str,
    price_key: str,
    quantity: int | None,
    created: str,
    period: tuple[str, str] | None = None,
) -> dict:
    """A subscription item; `period` given = new API shape (periods on items)."""
    value = {
        "id": item_id,
        "object": "subscription_item",
        "created": ts(created),
        "price": PRICES[price_key],
        "quantity": quantity,
        "subscription": sub,
        "discounts": [],
        "metadata": {},
    }
    if period is not None:
        value["current_period_start"] = ts(period[0])
        value["current_period_end"] = ts(period[1])
    return value


def subscription(
    sid: str,
    cus: str,
    status: str,
    created: str,
    items: list[dict],
    *,
    currency: str = "usd",
    period: tuple[str, str] | None = None,
    trial: tuple[str, str] | None = None,
    cancel_at: str | None = None,
    canceled_at: str | None = None,
    ended_at: str | None = None,
    reason: str | None = None,
    discounts: list | None = None,
    legacy_discount: dict | None = None,
    collection_method: str = "charge_automatically",
) -> dict:
    """`period` given = old API shape (top-level current_period_*)."""
    value = {
        "id": sid,
        "object": "subscription",
        "customer": cus,
        "status": status,
        "created": ts(created),
        "start_date": ts(created),
        "billing_cycle_anchor": ts(created),
        "currency": currency,
        "collection_method": collection_method,
        "trial_start": ts(trial[0]) if trial else None,
        "trial_end": ts(trial[1]) if trial else None,
        "cancel_at": ts(cancel_at) if cancel_at else None,
        "cancel_at_period_end": cancel_at is not None and ended_at is None,
        "canceled_at": ts(canceled_at) if canceled_at else None,
        "ended_at": ts(ended_at) if ended_at else None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": reason},
        "discounts": discounts or [],
        "items": {"object": "list", "data": items, "has_more": False},
        "metadata": {},
    }
    if period is not None:
        value["current_period_start"] = ts(period[0])
        value["current_period_end"] = ts(period[1])
        value["discount"] = legacy_discount
    return value


def write_subscriptions() -> None:
    put_sub = lambda day, kind, created, obj, eid: put(  # noqa: E731
        "stripe", "subscriptions", day, event(kind, created, obj, eid)
    )
    # 101 Acme: annual, 4 seats x $500, old API shape.
    put_sub(
        "2025-01-10",
        "customer.subscription.created",
        "2025-01-10T09:00",
        subscription(
            "sub_A",
            "cus_A",
            "active",
            "2025-01-10T09:00",
            [item("si_A1", "sub_A", "annual", 4, "2025-01-10T09:00")],
            period=("2025-01-10T09:00", "2026-01-10T09:00"),
        ),
        "evt_A1",
    )

    # 102 Beta: new API shape; a `once` coupon (never changes MRR).
    beta_period = {
        "2025-01-15": ("2025-01-15T12:00", "2025-02-15T12:00"),
        "2025-03-20": ("2025-03-15T12:00", "2025-04-15T12:00"),
        "2025-04-10": ("2025-03-15T12:00", "2025-04-15T12:00"),
        "2025-06-05": ("2025-05-15T12:00", "2025-06-15T12:00"),
    }
    once = [
        {
            "id": "di_B",
            "object": "discount",
            "start": ts("2025-01-15T12:00"),
            "end": None,
            "source": {"type": "coupon", "coupon": "WELCOME50"},
        }
    ]
    put_sub(
        "2025-01-15",
        "customer.subscription.created",
        "2025-01-15T12:00",
        subscription(
            "sub_B",
            "cus_B",
            "active",
            "2025-01-15T12:00",
            [item("si_B1", "sub_B", "seat", 5, "2025-01-15T12:00", beta_period["2025-01-15"])],
            discounts=once,
        ),
        "evt_B1",
    )
    put_sub(
        "2025-03-20",
        "customer.subscription.updated",
        "2025-03-20T10:00",
        subscription(
            "sub_B",
            "cus_B",
            "active",
            "2025-01-15T12:00",
            [item("si_B1", "sub_B", "seat", 8, "2025-01-15T12:00", beta_period["2025-03-20"])],
        ),
        "evt_B2",
    )
    put_sub(
        "2025-04-10",
        "customer.subscription.updated",
        "2025-04-10T10:00",
        subscription(
            "sub_B",
            "cus_B",
            "active",
            "2025-01-15T12:00",
            [
                item("si_B1", "sub_B", "seat", 8, "2025-01-15T12:00", beta_period["2025-04-10"]),
                item(
                    "si_B2", "sub_B", "analytics", 1, "2025-04-10T10:00", beta_period["2025-04-10"]
                ),
            ],
        ),
        "evt_B3",
    )
    put_sub(
        "2025-06-05",
        "customer.subscription.updated",
        "2025-06-05T10:00",
        subscription(
            "sub_B",
            "cus_B",
            "active",
            "2025-01-15T12:00",
            [item("si_B1", "sub_B", "seat", 8, "2025-01-15T12:00", beta_period["2025-06-05"])],
        ),
        "evt_B4",
    )

    # 103 Gamma: cancel at period end, old shape; exported again the day after it ended.
    c1 = lambda status, **kw: subscription(  # noqa: E731
        "sub_C1",
        "cus_C",
        status,
        "2025-01-05T08:00",
        [item("si_C1", "sub_C1", "flat300", 1, "2025-01-05T08:00")],
        **kw,
    )
    put_sub(
        "2025-01-05",
        "customer.subscription.created",
        "2025-01-05T08:00",
        c1("active", period=("2025-01-05T08:00", "2025-02-05T08:00")),
        "evt_C1",
    )
    put_sub(
        "2025-02-20",
        "customer.subscription.updated",
        "2025-02-20T15:00",
        c1(
            "active",
            period=("2025-02-05T08:00", "2025-03-05T08:00"),
            cancel_at="2025-03-05T08:00",
            canceled_at="2025-02-20T15:00",
        ),
        "evt_C2",
    )
    ended = c1(
        "canceled",
        period=("2025-02-05T08:00", "2025-03-05T08:00"),
        cancel_at="2025-03-05T08:00",
        canceled_at="2025-02-20T15:00",
        ended_at="2025-03-05T08:00",
        reason="cancellation_requested",
    )
    put_sub("2025-03-05", "customer.subscription.deleted", "2025-03-05T08:00", ended, "evt_C3")
    put("stripe", "subscriptions", "2025-03-06", ended)  # a plain export of the same state
    # ... and a new subscription two months later (reactivation), new shape.
    put_sub(
        "2025-05-12",
        "customer.subscription.created",
        "2025-05-12T10:00",
        subscription(
            "sub_C2",
            "cus_C",
            "active",
            "2025-05-12T10:00",
            [
                item(
                    "si_C2",
                    "sub_C2",
                    "flat300",
                    1,
                    "2025-05-12T10:00",
                    ("2025-05-12T10:00", "2025-06-12T10:00"),
                )
            ],
        ),
        "evt_C4",
    )

    # 104 Delta: EUR, starts exactly at a month boundary; 10 -> 15 seats on May 10.
    put_sub(
        "2025-02-01",
        "customer.subscription.created",
        "2025-02-01T00:00",
        subscription(
            "sub_D",
            "cus_D",
            "active",
            "2025-02-01T00:00",
            [
                item(
                    "si_D1",
                    "sub_D",
                    "seat_eur",
                    10,
                    "2025-02-01T00:00",
                    ("2025-02-01T00:00", "2025-03-01T00:00"),
                )
            ],
            currency="eur",
        ),
        "evt_D1",
    )
    put_sub(
        "2025-05-10",
        "customer.subscription.updated",
        "2025-05-10T09:00",
        subscription(
            "sub_D",
            "cus_D",
            "active",
            "2025-02-01T00:00",
            [
                item(
                    "si_D1",
                    "sub_D",
                    "seat_eur",
                    15,
                    "2025-02-01T00:00",
                    ("2025-05-01T00:00", "2025-06-01T00:00"),
                )
            ],
            currency="eur",
        ),
        "evt_D2",
    )

    # 105 Epsilon: JPY; past_due Apr 28; canceled while past_due May 25.
    e = lambda status, period, **kw: subscription(  # noqa: E731
        "sub_E",
        "cus_E",
        status,
        "2025-03-03T00:00",
        [item("si_E1", "sub_E", "jpy", 1, "2025-03-03T00:00", period)],
        currency="jpy",
        **kw,
    )
    put_sub(
        "2025-03-03",
        "customer.subscription.created",
        "2025-03-03T00:00",
        e("active", ("2025-03-03T00:00", "2025-04-03T00:00")),
        "evt_E1",
    )
    put_sub(
        "2025-04-28",
        "customer.subscription.updated",
        "2025-04-28T06:00",
        e("past_due", ("2025-04-03T00:00", "2025-05-03T00:00")),
        "evt_E2",
    )
    put_sub(
        "2025-05-25",
        "customer.subscription.deleted",
        "2025-05-25T06:00",
        e(
            "canceled",
            ("2025-05-03T00:00", "2025-06-03T00:00"),
            canceled_at="2025-05-25T06:00",
            ended_at="2025-05-25T06:00",
            reason="payment_failed",
        ),
        "evt_E3",
    )

    # 106 Zeta: trial Apr 1-15, then active.
    f = lambda status, period: subscription(  # noqa: E731
        "sub_F",
        "cus_F",
        status,
        "2025-04-01T00:00",
        [item("si_F1", "sub_F", "flat200", 1, "2025-04-01T00:00", period)],
        trial=("2025-04-01T00:00", "2025-04-15T00:00"),
    )
    put_sub(
        "2025-04-01",
        "customer.subscription.created",
        "2025-04-01T00:00",
        f("trialing", ("2025-04-01T00:00", "2025-04-15T00:00")),
        "evt_F1",
    )
    put_sub(
        "2025-04-15",
        "customer.subscription.updated",
        "2025-04-15T00:00",
        f("active", ("2025-04-15T00:00", "2025-05-15T00:00")),
        "evt_F2",
    )

    # 107 Eta: trial May 1-15, canceled at trial end.
    g = lambda status, **kw: subscription(  # noqa: E731
        "sub_G",
        "cus_G",
        status,
        "2025-05-01T00:00",
        [
            item(
                "si_G1",
                "sub_G",
                "flat150",
                1,
                "2025-05-01T00:00",
                ("2025-05-01T00:00", "2025-05-15T00:00"),
            )
        ],
        trial=("2025-05-01T00:00", "2025-05-15T00:00"),
        **kw,
    )
    put_sub(
        "2025-05-01", "customer.subscription.created", "2025-05-01T00:00", g("trialing"), "evt_G1"
    )
    put_sub(
        "2025-05-15",
        "customer.subscription.deleted",
        "2025-05-15T00:00",
        g(
            "canceled",
            canceled_at="2025-05-14T18:00",
            ended_at="2025-05-15T00:00",
            reason="cancellation_requested",
        ),
        "evt_G2",
    )

    # 108 Theta: metered + free prices only (a plain export, not an event).
    put(
        "stripe",
        "subscriptions",
        "2025-02-01",
        subscription(
            "sub_H",
            "cus_H",
            "active",
            "2025-02-01T00:00",
            [
                item(
                    "si_H1",
                    "sub_H",
                    "metered",
                    None,
                    "2025-02-01T00:00",
                    ("2025-02-01T00:00", "2025-03-01T00:00"),
                ),
                item(
                    "si_H2",
                    "sub_H",
                    "free",
                    1,
                    "2025-02-01T00:00",
                    ("2025-02-01T00:00", "2025-03-01T00:00"),
                ),
            ],
        ),
    )

    # 109 Iota: 25% off for 2 months (legacy single `discount` with the coupon embedded,
    # `discounts` holding only its id), old shape; `unpaid` from Jun 3 in the new shape.
    legacy = {
        "id": "di_I",
        "object": "discount",
        "coupon": COUPONS[0],
        "start": ts("2025-01-20T00:00"),
        "end": ts("2025-03-20T00:00"),
    }
    put_sub(
        "2025-01-20",
        "customer.subscription.created",
        "2025-01-20T00:00",
        subscription(
            "sub_I",
            "cus_I",
            "active",
            "2025-01-20T00:00",
            [item("si_I1", "sub_I", "flat400", 1, "2025-01-20T00:00")],
            period=("2025-01-20T00:00", "2025-02-20T00:00"),
            discounts=["di_I"],
            legacy_discount=legacy,
        ),
        "evt_I1",
    )
    put_sub(
        "2025-06-03",
        "customer.subscription.updated",
        "2025-06-03T10:00",
        subscription(
            "sub_I",
            "cus_I",
            "unpaid",
            "2025-01-20T00:00",
            [
                item(
                    "si_I1",
                    "sub_I",
                    "flat400",
                    1,
                    "2025-01-20T00:00",
                    ("2025-05-20T00:00", "2025-06-20T00:00"),
                )
            ],
        ),
        "evt_I2",
    )

    # 110 Kappa: send_invoice, forever $50 off (coupon referenced by id only).
    put_sub(
        "2025-03-01",
        "customer.subscription.created",
        "2025-03-01T00:00",
        subscription(
            "sub_K",
            "cus_K",
            "active",
            "2025-03-01T00:00",
            [
                item(
                    "si_K1",
                    "sub_K",
                    "flat250",
                    1,
                    "2025-03-01T00:00",
                    ("2025-03-01T00:00", "2025-04-01T00:00"),
                )
            ],
            discounts=[
                {
                    "id": "di_K",
                    "object": "discount",
                    "start": ts("2025-03-01T00:00"),
                    "end": None,
                    "source": {"type": "coupon", "coupon": "FIFTYOFF"},
                }
            ],
            collection_method="send_invoice",
        ),
        "evt_K1",
    )

    # cus_orphan: no CRM link.
    put_sub(
        "2025-06-01",
        "customer.subscription.created",
        "2025-06-01T00:00",
        subscription(
            "sub_O",
            "cus_orphan",
            "active",
            "2025-06-01T00:00",
            [
                item(
                    "si_O1",
                    "sub_O",
                    "flat50",
                    1,
                    "2025-06-01T00:00",
                    ("2025-06-01T00:00", "2025-07-01T00:00"),
                )
            ],
        ),
        "evt_O1",
    )


# ---------------------------------------------------------------- Stripe: invoices & cash
def invoice(
    iid: str,
    cus: str,
    sub: str | None,
    status: str,
    currency: str,
    amount: int,
    created: str,
    *,
    paid: int = 0,
    due: str | None = None,
    paid_at: str | None = None,
    uncollectible_at: str | None = None,
    reason: str = "subscription_cycle",
    lines: list[dict] | None = None,
    old_shape: bool = False,
    period: tuple[str, str] | None = None,
) -> dict:
    value = {
        "id": iid,
        "object": "invoice",
        "customer": cus,
        "status": status,
        "currency": currency,
        "amount_due": amount,
        "amount_paid": paid,
        "amount_remaining": amount - paid,
        "total": amount,
        "subtotal": amount,
        "created": ts(created),
        "due_date": ts(due) if due else None,
        "period_start": ts(period[0] if period else created),
        "period_end": ts(period[1] if period else created),
        "billing_reason": reason,
        "collection_method": "send_invoice" if due else "charge_automatically",
        "status_transitions": {
            "finalized_at": ts(created),
            "paid_at": ts(paid_at) if paid_at else None,
            "voided_at": None,
            "marked_uncollectible_at": ts(uncollectible_at) if uncollectible_at else None,
        },
        "lines": {"object": "list", "data": lines or [], "has_more": False},
    }
    if old_shape:
        value["subscription"] = sub
        value["tax"] = 0
    else:
        value["parent"] = {
            "type": "subscription_details",
            "subscription_details": {"subscription": sub, "metadata": {}},
        }
        value["total_taxes"] = []
    return value


def line_new(
    lid: str,
    amount: int,
    currency: str,
    sub: str,
    si: str,
    price_id: str,
    product: str,
    proration: bool,
    period: tuple[str, str],
    quantity: int = 1,
) -> dict:
    return {
        "id": lid,
        "object": "line_item",
        "amount": amount,
        "currency": currency,
        "quantity": quantity,
        "period": {"start": ts(period[0]), "end": ts(period[1])},
        "parent": {
            "type": "subscription_item_details",
            "subscription_item_details": {
                "proration": proration,
                "subscription": sub,
                "subscription_item": si,
                "invoice_item": None,
            },
        },
        "pricing": {
            "type": "price_details",
            "price_details": {"price": price_id, "product": product},
        },
    }


def write_invoices() -> None:
    def put_invoice(day: str, value: dict) -> None:
        put("stripe", "invoices", day, value)

    put_invoice(
        "2025-01-10",
        invoice(
            "in_A1",
            "cus_A",
            "sub_A",
            "paid",
            "usd",
            200000,
            "2025-01-10T09:00",
            paid=200000,
            paid_at="2025-01-10T09:05",
            reason="subscription_create",
            old_shape=True,
            lines=[
                {
                    "id": "il_A1",
                    "object": "line_item",
                    "amount": 200000,
                    "currency": "usd",
                    "quantity": 4,
                    "proration": False,
                    "subscription": "sub_A",
                    "subscription_item": "si_A1",
                    "price": PRICES["annual"],
                    "type": "subscription",
                    "period": {"start": ts("2025-01-10T09:00"), "end": ts("2026-01-10T09:00")},
                }
            ],
        ),
    )
    # Beta's upgrade: proration lines (credit unused 5 seats, charge 8 seats) - not MRR.
    put_invoice(
        "2025-03-20",
        invoice(
            "in_B_prorate",
            "cus_B",
            "sub_B",
            "paid",
            "usd",
            8710,
            "2025-03-20T10:00",
            paid=8710,
            paid_at="2025-03-20T10:01",
            reason="subscription_update",
            lines=[
                line_new(
                    "il_B_p1",
                    -41290,
                    "usd",
                    "sub_B",
                    "si_B1",
                    "price_core_seat_usd",
                    "prod_core",
                    True,
                    ("2025-03-20T10:00", "2025-04-15T12:00"),
                    5,
                ),
                line_new(
                    "il_B_p2",
                    50000,
                    "usd",
                    "sub_B",
                    "si_B1",
                    "price_core_seat_usd",
                    "prod_core",
                    True,
                    ("2025-03-20T10:00", "2025-04-15T12:00"),
                    8,
                ),
            ],
        ),
    )
    put_invoice(
        "2025-03-03",
        invoice(
            "in_E1",
            "cus_E",
            "sub_E",
            "paid",
            "jpy",
            50000,
            "2025-03-03T00:00",
            paid=50000,
            paid_at="2025-03-03T00:05",
            reason="subscription_create",
        ),
    )
    # Epsilon's April invoice fails, stays open, is marked uncollectible when canceled.
    put_invoice(
        "2025-04-03",
        invoice(
            "in_E2",
            "cus_E",
            "sub_E",
            "open",
            "jpy",
            50000,
            "2025-04-03T00:00",
        ),
    )
    put_invoice(
        "2025-05-25",
        invoice(
            "in_E2",
            "cus_E",
            "sub_E",
            "uncollectible",
            "jpy",
            50000,
            "2025-04-03T00:00",
            uncollectible_at="2025-05-25T06:00",
        ),
    )
    # Zeta: $0 trial invoice, then the first paid invoice at trial end.
    put_invoice(
        "2025-04-01",
        invoice(
            "in_F0",
            "cus_F",
            "sub_F",
            "paid",
            "usd",
            0,
            "2025-04-01T00:00",
            paid_at="2025-04-01T00:00",
            reason="subscription_create",
        ),
    )
    put_invoice(
        "2025-04-15",
        invoice(
            "in_F1",
            "cus_F",
            "sub_F",
            "paid",
            "usd",
            20000,
            "2025-04-15T00:00",
            paid=20000,
            paid_at="2025-04-15T01:00",
        ),
    )
    put_invoice(
        "2025-05-01",
        invoice(
            "in_G0",
            "cus_G",
            "sub_G",
            "paid",
            "usd",
            0,
            "2025-05-01T00:00",
            paid_at="2025-05-01T00:00",
            reason="subscription_create",
        ),
    )
    # Kappa: send_invoice, due 30 days after the 1st; April and May never paid.
    put_invoice(
        "2025-03-01",
        invoice(
            "in_K1",
            "cus_K",
            "sub_K",
            "open",
            "usd",
            20000,
            "2025-03-01T00:00",
            due="2025-03-31T00:00",
            reason="subscription_create",
        ),
    )
    put_invoice(
        "2025-03-20",
        invoice(
            "in_K1",
            "cus_K",
            "sub_K",
            "paid",
            "usd",
            20000,
            "2025-03-01T00:00",
            paid=20000,
            due="2025-03-31T00:00",
            paid_at="2025-03-20T12:00",
            reason="subscription_create",
        ),
    )
    for iid, created, due in (
        ("in_K2", "2025-04-01", "2025-05-01"),
        ("in_K3", "2025-05-01", "2025-05-31"),
        ("in_K4", "2025-06-01", "2025-07-01"),
    ):
        put_invoice(
            created,
            invoice(
                iid,
                "cus_K",
                "sub_K",
                "open",
                "usd",
                20000,
                f"{created}T00:00",
                due=f"{due}T00:00",
            ),
        )

    put(
        "stripe",
        "charges",
        "2025-01-10",
        {
            "id": "ch_A1",
            "object": "charge",
            "amount": 200000,
            "amount_refunded": 0,
            "currency": "usd",
            "customer": "cus_A",
            "invoice": "in_A1",
            "status": "succeeded",
            "created": ts("2025-01-10T09:05"),
            "failure_code": None,
        },
    )
    put(
        "stripe",
        "charges",
        "2025-03-03",
        {
            "id": "ch_A1",
            "object": "charge",
            "amount": 200000,
            "amount_refunded": 20000,
            "currency": "usd",
            "customer": "cus_A",
            "invoice": "in_A1",
            "status": "succeeded",
            "created": ts("2025-01-10T09:05"),
            "failure_code": None,
        },
    )
    put(
        "stripe",
        "refunds",
        "2025-03-03",
        {
            "id": "re_A1",
            "object": "refund",
            "amount": 20000,
            "charge": "ch_A1",
            "currency": "usd",
            "status": "succeeded",
            "reason": "requested_by_customer",
            "created": ts("2025-03-03T10:00"),
        },
    )


def write_catalogue() -> None:
    for product in PRODUCTS:
        put("stripe", "products", "2025-01-01", product)
    # prices as one Stripe list page (the loader unwraps the envelope)
    put(
        "stripe",
        "prices",
        "2025-01-01",
        {"object": "list", "data": list(PRICES.values()), "has_more": False, "url": "/v1/prices"},
    )
    for coupon in COUPONS:
        put("stripe", "coupons", "2025-01-01", coupon)
    for value in CUSTOMERS:
        put(
            "stripe",
            "customers",
            datetime.fromtimestamp(value["created"], UTC).date().isoformat(),
            value,
        )


RATES = {
    "2025-01-01": {"eur": "1.05", "jpy": "0.0064"},
    "2025-02-01": {"eur": "1.10", "jpy": "0.0065"},
    "2025-03-01": {"eur": "1.10", "jpy": "0.0066"},
    "2025-04-01": {"eur": "1.20", "jpy": "0.0068"},
    "2025-04-15": {"eur": "1.30", "jpy": "0.0070"},  # mid-month: never used for MRR
    "2025-05-01": {"eur": "1.20", "jpy": "0.0068"},
    "2025-06-01": {"eur": "1.15", "jpy": "0.0068"},
}


# ---------------------------------------------------------------- HubSpot
def company(cid: str, name: str, segment: str, industry: str, created: str) -> dict:
    return {
        "id": cid,
        "createdAt": f"{created}T00:00:00.000Z",
        "updatedAt": f"{created}T00:00:00.000Z",
        "archived": False,
        "properties": {
            "name": name,
            "domain": f"{name.lower()}.example",
            "industry": industry,
            "numberofemployees": "120",
            "lifecyclestage": "customer",
            "hubspot_owner_id": "9001",
            "segment": segment,
        },
    }


def write_hubspot() -> None:
    companies = [
        company("101", "Acme", "enterprise", "Software", "2024-12-01"),
        company("102", "Beta", "mid_market", "Retail", "2024-12-01"),
        company("103", "Gamma", "smb", "Software", "2024-12-01"),
        company("104", "Delta", "enterprise", "Manufacturing", "2024-12-01"),
        company("105", "Epsilon", "mid_market", "Media", "2024-12-01"),
        company("106", "Zeta", "smb", "Software", "2025-03-01"),
        company("107", "Eta", "smb", "Software", "2025-04-01"),
        company("108", "Theta", "smb", "Software", "2024-12-01"),
        company("109", "Iota", "mid_market", "Finance", "2024-12-01"),
        company("110", "Kappa", "smb", "Retail", "2024-12-01"),
    ]
    put(
        "hubspot",
        "companies",
        "2025-01-01",
        {"results": companies[:5], "paging": {"next": {"after": "5"}}},
    )
    put("hubspot", "companies", "2025-01-01", {"results": companies[5:], "paging": None})
    # a later version renames Acme (epoch-ms dates); the older copy exported later must lose
    renamed = json.loads(json.dumps(companies[0]))
    renamed["properties"]["name"] = "Acme Corp"
    renamed["updatedAt"] = ms("2025-03-01T00:00")
    put("hubspot", "companies", "2025-03-01", renamed)
    put("hubspot", "companies", "2025-03-02", companies[0])

    contacts = [("c1", "101"), ("c2", "102"), ("c3", "103"), ("c4", "101")]
    for cid, comp in contacts:
        put(
            "hubspot",
            "contacts",
            "2025-01-01",
            {
                "id": cid,
                "createdAt": "2025-01-01T00:00:00Z",
                "updatedAt": "2025-01-01T00:00:00Z",
                "archived": False,
                "properties": {
                    "email": f"{cid}@example.com",
                    "firstname": "Pat",
                    "lastname": f"Person {cid}",
                    "jobtitle": "Admin",
                    "associatedcompanyid": comp,
                },
            },
        )

    def feedback(
        fid: str,
        kind: str,
        value: str,
        when: str,
        contact: str,
        day: str,
        updated: str | None = None,
        epoch: bool = False,
    ) -> None:
        put(
            "hubspot",
            "feedback_submissions",
            day,
            {
                "id": fid,
                "createdAt": f"{when}Z",
                "updatedAt": updated or f"{when}Z",
                "archived": False,
                "properties": {
                    "hs_survey_type": kind,
                    "hs_value": value,
                    "hs_submission_timestamp": ms(when) if epoch else f"{when}.000Z",
                    "hs_contact_id": contact,
                    "hs_response_group": None,
                    "hs_content": "free text that stays out of the marts",
                },
            },
        )

    feedback("n1", "NPS", "10", "2025-05-03T10:00:00", "c1", "2025-05-03")
    feedback("n2", "NPS", "9", "2025-05-10T10:00:00", "c2", "2025-05-10", epoch=True)
    feedback("n3", "NPS", "7", "2025-05-20T10:00:00", "c3", "2025-05-20")
    feedback("n4", "NPS", "3", "2025-05-28T10:00:00", "c4", "2025-05-28")
    feedback("n0", "NPS", "0", "2024-11-20T10:00:00", "c1", "2025-01-01")  # > 180 days old
    feedback("n5", "NPS", "6", "2025-06-02T10:00:00", "c1", "2025-06-02")
    feedback("n6", "NPS", "8", "2025-06-05T10:00:00", "c2", "2025-06-05")
    # n6 corrected later (latest updatedAt wins: 9)
    feedback(
        "n6", "NPS", "9", "2025-06-05T10:00:00", "c2", "2025-06-06", updated="2025-06-06T09:00:00Z"
    )
    feedback("s1", "CSAT", "5", "2025-05-04T10:00:00", "c1", "2025-05-04")
    feedback("s2", "CSAT", "4", "2025-05-12T10:00:00", "c2", "2025-05-12")
    feedback("s3", "CSAT", "2", "2025-05-15T10:00:00", "c3", "2025-05-15")
    feedback("s4", "CSAT", "3", "2025-06-01T10:00:00", "c2", "2025-06-01")
    feedback("x1", "CES", "5", "2025-05-05T10:00:00", "c1", "2025-05-05")

    put(
        "hubspot",
        "ticket_pipelines",
        "2025-01-01",
        {
            "id": "0",
            "label": "Support Pipeline",
            "archived": False,
            "createdAt": "2024-01-01T00:00:00Z",
            "updatedAt": "2024-01-01T00:00:00Z",
            "stages": [
                {"id": "1", "label": "New", "displayOrder": 0, "metadata": {"ticketState": "OPEN"}},
                {
                    "id": "2",
                    "label": "Waiting on contact",
                    "displayOrder": 1,
                    "metadata": {"ticketState": "OPEN"},
                },
                {
                    "id": "4",
                    "label": "Closed",
                    "displayOrder": 3,
                    "metadata": {"ticketState": "CLOSED"},
                },
            ],
        },
    )
    put(
        "hubspot",
        "deal_pipelines",
        "2025-01-01",
        {
            "id": "default",
            "label": "Sales Pipeline",
            "archived": False,
            "createdAt": "2024-01-01T00:00:00Z",
            "updatedAt": "2024-01-01T00:00:00Z",
            "stages": [
                {
                    "id": "appointmentscheduled",
                    "label": "Appointment Scheduled",
                    "displayOrder": 0,
                    "metadata": {"probability": "0.2", "isClosed": "false"},
                },
                {
                    "id": "closedwon",
                    "label": "Closed Won",
                    "displayOrder": 1,
                    "metadata": {"probability": "1.0", "isClosed": "true"},
                },
            ],
        },
    )
    put(
        "hubspot",
        "deals",
        "2025-01-10",
        {
            "id": "d1",
            "createdAt": "2025-01-02T00:00:00Z",
            "updatedAt": "2025-01-10T00:00:00Z",
            "archived": False,
            "properties": {
                "dealname": "Acme annual",
                "dealtype": "newbusiness",
                "dealstage": "closedwon",
                "pipeline": "default",
                "amount": "2000",
                "closedate": "2025-01-10T00:00:00Z",
                "createdate": ms("2025-01-02T00:00"),
            },
            "associations": {"companies": {"results": [{"id": "101", "type": "deal_to_company"}]}},
        },
    )
    tickets = [
        ("t1", "110", "1", "high", "2025-06-01T09:00:00", None),
        ("t2", "110", "2", "medium", "2025-06-10T09:00:00", None),
        ("t3", "101", "4", "low", "2025-05-01T09:00:00", "2025-05-02T09:00:00"),
    ]
    for tid, comp, stage, prio, created, closed in tickets:
        put(
            "hubspot",
            "tickets",
            created[:10],
            {
                "id": tid,
                "createdAt": f"{created}Z",
                "updatedAt": f"{closed or created}Z",
                "archived": False,
                "properties": {
                    "subject": "Help",
                    "hs_pipeline": "0",
                    "hs_pipeline_stage": stage,
                    "hs_ticket_priority": prio.upper(),
                    "createdate": f"{created}Z",
                    "closed_date": f"{closed}Z" if closed else None,
                },
                "associations": {
                    "companies": {"results": [{"id": comp, "type": "ticket_to_company"}]}
                },
            },
        )
    meetings = [("m1", "101", "2025-06-01T15:00:00"), ("m2", "102", "2025-03-01T15:00:00")]
    for mid, comp, when in meetings:
        put(
            "hubspot",
            "meetings",
            when[:10],
            {
                "id": mid,
                "createdAt": f"{when}Z",
                "updatedAt": f"{when}Z",
                "archived": False,
                "properties": {
                    "hs_timestamp": f"{when}Z",
                    "hs_meeting_title": "QBR",
                    "hs_meeting_outcome": "COMPLETED",
                },
                "associations": {
                    "companies": {"results": [{"id": comp, "type": "meeting_to_company"}]}
                },
            },
        )


# ---------------------------------------------------------------- Segment
def segment_call(
    mid: str,
    kind: str,
    user: str,
    when: str,
    received: str,
    *,
    event_name: str | None = None,
    group: str | None = None,
    context_group: str | None = None,
    feature: str | None = None,
) -> dict:
    value = {
        "type": kind,
        "messageId": mid,
        "userId": user,
        "anonymousId": f"anon-{user}",
        "timestamp": f"{when}.000Z",
        "originalTimestamp": f"{when}.000Z",
        "sentAt": f"{when}.100Z",
        "receivedAt": f"{received}.200Z",
        "context": {"library": {"name": "analytics.js"}},
        "properties": {},
        "integrations": {},
    }
    if event_name:
        value["event"] = event_name
    if feature:
        value["properties"] = {"feature": feature}
    if group:
        value["groupId"] = group
        value["traits"] = {"plan": "pro"}
    if context_group:
        value["context"]["groupId"] = context_group
    return value


SEGMENT = [
    # (message, kind, user, timestamp, receivedAt, event, groupId, context.groupId, feature)
    ("g1", "group", "u1", "2025-06-01T08:00:00", "2025-06-01T08:00:01", None, "101", None, None),
    ("g3", "group", "u3", "2025-06-01T08:00:00", "2025-06-01T08:00:01", None, "102", None, None),
    (
        "e1",
        "track",
        "u1",
        "2025-06-02T10:00:00",
        "2025-06-02T10:00:01",
        "Report Created",
        None,
        None,
        "reports",
    ),
    (
        "e2",
        "track",
        "u2",
        "2025-06-02T11:00:00",
        "2025-06-02T11:00:01",
        "Report Created",
        None,
        "101",
        "reports",
    ),
    # e2 again (a retried delivery, received the next day): dropped
    (
        "e2",
        "track",
        "u2",
        "2025-06-02T11:00:00",
        "2025-06-03T09:00:00",
        "Report Created",
        None,
        "101",
        "reports",
    ),
    (
        "e3",
        "track",
        "u3",
        "2025-06-05T09:00:00",
        "2025-06-05T09:00:01",
        "Dashboard Viewed",
        None,
        "102",
        "dashboards",
    ),
    (
        "e4",
        "track",
        "u1",
        "2025-06-06T09:00:00",
        "2025-06-06T09:00:01",
        "Heartbeat",
        None,
        "101",
        None,
    ),
    # e5 happened Jun 10 but arrived Jun 14 (late): it belongs to Jun 10
    (
        "e5",
        "track",
        "u1",
        "2025-06-10T09:00:00",
        "2025-06-14T07:00:00",
        "Report Created",
        None,
        None,
        "reports",
    ),
    ("p1", "page", "u2", "2025-06-12T09:00:00", "2025-06-12T09:00:01", None, None, "101", None),
    (
        "e6",
        "track",
        "u3",
        "2025-06-14T09:00:00",
        "2025-06-14T09:00:01",
        "Dashboard Viewed",
        None,
        "102",
        "dashboards",
    ),
]


def write_segment() -> None:
    for mid, kind, user, when, received, name, group, ctx, feature in SEGMENT:
        put(
            "segment",
            "events",
            received[:10],
            segment_call(
                mid,
                kind,
                user,
                when,
                received,
                event_name=name,
                group=group,
                context_group=ctx,
                feature=feature,
            ),
        )


def main(landing: Path = LANDING) -> None:
    """Write the whole landing folder afresh (test_golden checks the committed one matches)."""
    if landing.exists():
        shutil.rmtree(landing)
    FILES.clear()
    write_catalogue()
    write_subscriptions()
    write_invoices()
    write_hubspot()
    write_segment()
    for relative, lines in FILES.items():
        path = landing / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for day, rates in RATES.items():
        path = landing / "stripe" / "exchange_rates" / day / "rates.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = [f"{day},{currency},{rate}" for currency, rate in rates.items()]
        path.write_text("date,currency,usd_per_unit\n" + "\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
