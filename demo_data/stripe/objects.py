"""Stripe object state and its rendering in the two API shapes.

The billing engine mutates these states; every change is rendered at once, in the shape of
the partition day it lands in: before 2025-03-31 the old shape (top-level
`current_period_*`, `invoice.subscription`, `line.price/proration/type`), from then on the
"basil" shape (`items.data[].current_period_*`, `invoice.parent.subscription_details`,
`line.parent.subscription_item_details`, `line.pricing.price_details`). Field names and nesting
follow ../shared/samples/stripe; fields the warehouse never reads are kept to a plausible few.

Stripe quirk kept on purpose: a renewal invoice's `period_start/period_end` is the period that
just ended; its lines carry the period being billed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from demo_data.accounts import SubPlan


@dataclass
class CustomerState:
    id: str
    created: int
    email: str
    name: str
    currency: str
    company_id: str
    invoice_prefix: str
    delinquent: bool = False
    invoices_issued: int = 0


@dataclass
class ItemState:
    id: str
    plan: str  # tier or add-on key, to find the same plan's price in another interval
    price: dict
    quantity: int
    created: int


@dataclass
class DiscountState:
    id: str
    coupon: dict
    start: int
    end: int | None
    customer: str
    subscription: str


@dataclass
class LineState:
    id: str
    amount: int
    currency: str
    description: str
    quantity: int
    period_start: int
    period_end: int
    price: dict
    subscription: str
    item: str
    proration: bool = False
    invoice_item: str | None = None
    discount_amounts: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class SubscriptionState:
    id: str
    customer: str
    plan: SubPlan
    created: int
    status: str
    currency: str
    items: list[ItemState]
    period_start: int
    period_end: int
    schedule: Iterator[tuple[int, int, str]]
    billing_cycle_anchor: int
    trial_start: int | None = None
    trial_end: int | None = None
    cancel_at_period_end: bool = False
    cancel_at: int | None = None
    canceled_at: int | None = None
    ended_at: int | None = None
    reason: str | None = None
    feedback: str | None = None
    discounts: list[DiscountState] = field(default_factory=list)
    latest_invoice: str | None = None
    pending: list[LineState] = field(default_factory=list)  # prorations for the next invoice


@dataclass
class InvoiceState:
    id: str
    number: str
    customer: CustomerState
    sub: SubscriptionState
    created: int
    billing_reason: str
    period_start: int
    period_end: int
    lines: list[LineState]
    subtotal: int
    total_discounts: list[tuple[int, str]]
    total: int
    amount_due: int
    status: str = "draft"
    due_date: int | None = None
    amount_paid: int = 0
    attempt_count: int = 0
    finalized_at: int | None = None
    paid_at: int | None = None
    voided_at: int | None = None
    uncollectible_at: int | None = None
    charge: str | None = None
    payment_intent: str | None = None
    next_payment_attempt: int | None = None
    outcomes: list[bool] = field(default_factory=list)  # planned result of each charge attempt

    @property
    def ending_balance(self) -> int | None:
        return None if self.finalized_at is None else min(self.total, 0)


@dataclass
class ChargeState:
    id: str
    customer: str
    invoice: str
    payment_intent: str
    amount: int
    currency: str
    created: int
    succeeded: bool
    payment_method: str
    method_type: str  # card | customer_balance
    failure_code: str | None = None
    amount_refunded: int = 0


@dataclass
class RefundState:
    id: str
    charge: ChargeState
    amount: int
    created: int
    reason: str | None


_FAILURE_MESSAGES = {
    "card_declined": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "expired_card": "Your card has expired.",
}


def render_customer(c: CustomerState) -> dict:
    return {
        "id": c.id,
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": c.created,
        "currency": c.currency,
        "default_source": None,
        "delinquent": c.delinquent,
        "description": None,
        "discount": None,
        "email": c.email,
        "invoice_prefix": c.invoice_prefix,
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {"hubspot_company_id": c.company_id},
        "name": c.name,
        "next_invoice_sequence": c.invoices_issued + 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }


def render_deleted_customer(customer_id: str) -> dict:
    return {"id": customer_id, "object": "customer", "deleted": True}


def legacy_plan(price: dict) -> dict:
    """The legacy `plan` twin of a recurring price (still present in both shapes)."""
    recurring = price["recurring"]
    return {
        "id": price["id"],
        "object": "plan",
        "active": price["active"],
        "aggregate_usage": None,
        "amount": price["unit_amount"],
        "amount_decimal": price["unit_amount_decimal"],
        "billing_scheme": "per_unit",
        "created": price["created"],
        "currency": price["currency"],
        "interval": recurring["interval"],
        "interval_count": recurring["interval_count"],
        "livemode": False,
        "metadata": price["metadata"],
        "meter": None,
        "nickname": price["nickname"],
        "product": price["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": None,
        "usage_type": recurring["usage_type"],
    }


def _render_discount(d: DiscountState, new_shape: bool) -> dict:
    body: dict = {"id": d.id, "object": "discount", "checkout_session": None}
    if not new_shape:
        body["coupon"] = d.coupon
    body.update(
        {
            "customer": d.customer,
            "end": d.end,
            "invoice": None,
            "invoice_item": None,
            "promotion_code": None,
        }
    )
    if new_shape:
        body["source"] = {"coupon": d.coupon["id"], "type": "coupon"}
    body.update({"start": d.start, "subscription": d.subscription, "subscription_item": None})
    return body


def _render_item(item: ItemState, sub: SubscriptionState, new_shape: bool) -> dict:
    body = {
        "id": item.id,
        "object": "subscription_item",
        "billing_thresholds": None,
        "created": item.created,
    }
    if new_shape:
        body["current_period_end"] = sub.period_end
        body["current_period_start"] = sub.period_start
    body.update(
        {
            "discounts": [],
            "metadata": {},
            "plan": legacy_plan(item.price),
            "price": item.price,
            "quantity": item.quantity,
            "subscription": sub.id,
            "tax_rates": [],
        }
    )
    return body


def render_subscription(s: SubscriptionState, new_shape: bool) -> dict:
    discounts = [_render_discount(d, new_shape) for d in s.discounts]
    body: dict = {
        "id": s.id,
        "object": "subscription",
        "application": None,
        "application_fee_percent": None,
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
        "billing_cycle_anchor": s.billing_cycle_anchor,
        "billing_thresholds": None,
        "cancel_at": s.cancel_at,
        "cancel_at_period_end": s.cancel_at_period_end,
        "canceled_at": s.canceled_at,
        "cancellation_details": {"comment": None, "feedback": s.feedback, "reason": s.reason},
        "collection_method": s.plan.collection_method,
        "created": s.created,
        "currency": s.currency,
    }
    if not new_shape:
        body["current_period_end"] = s.period_end
        body["current_period_start"] = s.period_start
    body.update(
        {
            "customer": s.customer,
            "days_until_due": s.plan.days_until_due,
            "default_payment_method": None,
            "default_source": None,
            "default_tax_rates": [],
            "description": None,
        }
    )
    if not new_shape:
        body["discount"] = discounts[0] if discounts else None
    body.update(
        {
            "discounts": discounts,
            "ended_at": s.ended_at,
            "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
            "items": {
                "object": "list",
                "data": [_render_item(item, s, new_shape) for item in s.items],
                "has_more": False,
                "total_count": len(s.items),
                "url": f"/v1/subscription_items?subscription={s.id}",
            },
            "latest_invoice": s.latest_invoice,
            "livemode": False,
            "metadata": {},
            "next_pending_invoice_item_invoice": None,
            "on_behalf_of": None,
            "pause_collection": None,
            "payment_settings": {
                "payment_method_options": None,
                "payment_method_types": None,
                "save_default_payment_method": "off",
            },
            "pending_invoice_item_interval": None,
            "pending_setup_intent": None,
            "pending_update": None,
            "schedule": None,
            "start_date": s.created,
            "status": s.status,
            "test_clock": None,
            "transfer_data": None,
            "trial_end": s.trial_end,
            "trial_settings": {"end_behavior": {"missing_payment_method": "cancel"}},
            "trial_start": s.trial_start,
        }
    )
    return body


def _render_line(line: LineState, invoice_id: str, new_shape: bool) -> dict:
    unit_amount = line.price["unit_amount"]
    body: dict = {
        "id": line.id,
        "object": "line_item",
        "amount": line.amount,
    }
    if not new_shape:
        body["amount_excluding_tax"] = line.amount
    body.update(
        {
            "currency": line.currency,
            "description": line.description,
            "discount_amounts": [{"amount": a, "discount": d} for a, d in line.discount_amounts],
            "discountable": not line.proration,
            "discounts": [],
            "invoice": invoice_id,
        }
    )
    if not new_shape:
        body["invoice_item"] = line.invoice_item
    body.update({"livemode": False, "metadata": {}})
    if new_shape:
        body["parent"] = {
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": line.invoice_item,
                "proration": line.proration,
                "proration_details": {"credited_items": None},
                "subscription": line.subscription,
                "subscription_item": line.item,
            },
            "type": "subscription_item_details",
        }
    body["period"] = {"end": line.period_end, "start": line.period_start}
    if new_shape:
        body["pretax_credit_amounts"] = []
        body["pricing"] = {
            "price_details": {"price": line.price["id"], "product": line.price["product"]},
            "type": "price_details",
            "unit_amount_decimal": str(unit_amount),
        }
        body["quantity"] = line.quantity
        body["subscription"] = line.subscription
        body["taxes"] = []
        return body
    body.update(
        {
            "plan": legacy_plan(line.price),
            "price": line.price,
            "proration": line.proration,
            "proration_details": {"credited_items": None},
            "quantity": line.quantity,
            "subscription": line.subscription,
            "subscription_item": line.item,
            "tax_amounts": [],
            "tax_rates": [],
            "type": "invoiceitem" if line.proration else "subscription",
            "unit_amount_excluding_tax": str(unit_amount),
        }
    )
    return body


def render_invoice(inv: InvoiceState, new_shape: bool) -> dict:
    paid = inv.status == "paid"
    body: dict = {
        "id": inv.id,
        "object": "invoice",
        "account_country": "US",
        "account_name": "Lumen Analytics Inc.",
        "amount_due": inv.amount_due,
    }
    if new_shape:
        body["amount_overpaid"] = 0
    body.update(
        {
            "amount_paid": inv.amount_paid,
            "amount_remaining": inv.amount_due - inv.amount_paid,
            "amount_shipping": 0,
            "application": None,
            "attempt_count": inv.attempt_count,
            "attempted": inv.attempt_count > 0,
            "auto_advance": inv.status in ("draft", "open"),
            "automatic_tax": {"disabled_reason": None, "enabled": False, "status": None},
            "billing_reason": inv.billing_reason,
        }
    )
    if not new_shape:
        body["charge"] = inv.charge
    body.update(
        {
            "collection_method": inv.sub.plan.collection_method,
            "created": inv.created,
            "currency": inv.sub.currency,
            "customer": inv.customer.id,
            "customer_email": inv.customer.email,
            "customer_name": inv.customer.name,
            "default_payment_method": None,
            "description": None,
            "discounts": sorted({d for _, d in inv.total_discounts}),
            "due_date": inv.due_date,
            "effective_at": inv.finalized_at,
            "ending_balance": inv.ending_balance,
            "hosted_invoice_url": None,
            "invoice_pdf": None,
            "issuer": {"type": "self"},
            "lines": {
                "object": "list",
                "data": [_render_line(line, inv.id, new_shape) for line in inv.lines],
                "has_more": False,
                "total_count": len(inv.lines),
                "url": f"/v1/invoices/{inv.id}/lines",
            },
            "livemode": False,
            "metadata": {},
            "next_payment_attempt": inv.next_payment_attempt,
            "number": inv.number if inv.finalized_at is not None else None,
            "on_behalf_of": None,
        }
    )
    if not new_shape:
        body["paid"] = paid
        body["paid_out_of_band"] = False
    if new_shape:
        body["parent"] = {
            "quote_details": None,
            "subscription_details": {"metadata": {}, "subscription": inv.sub.id},
            "type": "subscription_details",
        }
    else:
        body["payment_intent"] = inv.payment_intent
    body.update(
        {
            "period_end": inv.period_end,
            "period_start": inv.period_start,
            "post_payment_credit_notes_amount": 0,
            "pre_payment_credit_notes_amount": 0,
            "receipt_number": None,
            "starting_balance": 0,
            "statement_descriptor": None,
            "status": inv.status,
            "status_transitions": {
                "finalized_at": inv.finalized_at,
                "marked_uncollectible_at": inv.uncollectible_at,
                "paid_at": inv.paid_at,
                "voided_at": inv.voided_at,
            },
        }
    )
    if not new_shape:
        body["subscription"] = inv.sub.id
        body["subscription_details"] = {"metadata": {}}
    body.update(
        {
            "subtotal": inv.subtotal,
            "subtotal_excluding_tax": inv.subtotal,
        }
    )
    if not new_shape:
        body["tax"] = None
    body.update(
        {
            "test_clock": None,
            "total": inv.total,
            "total_discount_amounts": [
                {"amount": a, "discount": d} for a, d in inv.total_discounts
            ],
            "total_excluding_tax": inv.total,
        }
    )
    if new_shape:
        body["total_pretax_credit_amounts"] = []
        body["total_taxes"] = []
    else:
        body["total_tax_amounts"] = []
    body["webhooks_delivered_at"] = inv.created
    return body


def render_charge(ch: ChargeState, new_shape: bool) -> dict:
    if ch.method_type == "card":
        details: dict = {
            "card": {
                "brand": "visa",
                "country": "US",
                "exp_month": 8,
                "exp_year": 2030,
                "funding": "credit",
                "last4": "4242",
                "network": "visa",
            },
            "type": "card",
        }
    else:
        details = {"customer_balance": {}, "type": "customer_balance"}
    declined = not ch.succeeded
    body: dict = {
        "id": ch.id,
        "object": "charge",
        "amount": ch.amount,
        "amount_captured": ch.amount if ch.succeeded else 0,
        "amount_refunded": ch.amount_refunded,
        "application": None,
        "balance_transaction": None if declined else "txn_" + ch.id[3:],
        "billing_details": {"address": None, "email": None, "name": None, "phone": None},
        "calculated_statement_descriptor": "LUMEN ANALYTICS",
        "captured": ch.succeeded,
        "created": ch.created,
        "currency": ch.currency,
        "customer": ch.customer,
        "description": "Subscription update",
        "disputed": False,
        "failure_code": ch.failure_code,
        "failure_message": _FAILURE_MESSAGES.get(ch.failure_code or ""),
        "fraud_details": {},
    }
    if not new_shape:
        body["invoice"] = ch.invoice
    body.update(
        {
            "livemode": False,
            "metadata": {},
            "outcome": {
                "network_status": "declined_by_network" if declined else "approved_by_network",
                "reason": ch.failure_code if declined else None,
                "risk_level": "normal",
                "seller_message": "The bank did not return any further details."
                if declined
                else "Payment complete.",
                "type": "issuer_declined" if declined else "authorized",
            },
            "paid": ch.succeeded,
            "payment_intent": ch.payment_intent,
            "payment_method": ch.payment_method,
            "payment_method_details": details,
            "receipt_email": None,
            "refunded": ch.succeeded and ch.amount_refunded == ch.amount,
            "review": None,
            "statement_descriptor": None,
            "status": "succeeded" if ch.succeeded else "failed",
        }
    )
    return body


def render_refund(r: RefundState) -> dict:
    return {
        "id": r.id,
        "object": "refund",
        "amount": r.amount,
        "balance_transaction": "txn_" + r.id[3:],
        "charge": r.charge.id,
        "created": r.created,
        "currency": r.charge.currency,
        "destination_details": {"card": {"type": "refund"}, "type": "card"}
        if r.charge.method_type == "card"
        else None,
        "metadata": {},
        "payment_intent": r.charge.payment_intent,
        "reason": r.reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
    }
