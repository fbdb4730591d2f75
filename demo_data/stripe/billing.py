"""The billing engine: executes one account's story the way Stripe would, version by version.

Every state change is emitted as a rendered object version at the moment it happens, in time
order, so the landing writer can place it in its extraction-day partition. Actions are kept in
a small per-account queue (renewals, retries, planned changes), never a whole history.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from demo_data.accounts import PLANNING_HORIZON, Account, Change, SubPlan
from demo_data.config import STRIPE_SHAPE_CUTOVER_TS, Window
from demo_data.ids import StripeIds, rng_for
from demo_data.records import ApiRecord, dumps
from demo_data.stripe.catalog import PRODUCT_NAMES, Catalog, product_key
from demo_data.stripe.objects import (
    ChargeState,
    CustomerState,
    DiscountState,
    InvoiceState,
    ItemState,
    LineState,
    RefundState,
    SubscriptionState,
    render_charge,
    render_customer,
    render_deleted_customer,
    render_invoice,
    render_refund,
    render_subscription,
)
from demo_data.timeutil import DAY, HOUR, add_months

# Smart-retry schedule after a failed card payment (days after the previous attempt).
RETRY_DELAYS = (3 * DAY, 4 * DAY, 5 * DAY)
FAILURE_CODES = ("card_declined", "insufficient_funds", "expired_card")
REFUND_SHARE = 0.04  # of successful payments, refunded in full or in part within weeks
TIMES = "\N{MULTIPLICATION SIGN}"  # as in Stripe's "3 x Pro (at $49.00 / month)"


def _money(amount: int, currency: str) -> str:
    if currency == "jpy":
        return f"¥{amount:,}"
    symbol = {"usd": "$", "eur": "€", "gbp": "£"}[currency]
    return f"{symbol}{amount / 100:,.2f}"


def _date_text(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%d %b %Y")


class BillingSimulation:
    """One account's Stripe history: customers, subscriptions, invoices, charges, refunds."""

    def __init__(
        self, account: Account, catalog: Catalog, window: Window, seed: int, stats: Counter
    ) -> None:
        self.account = account
        self.catalog = catalog
        self.window = window
        self.stats = stats
        self.rng: random.Random = rng_for(seed, account.index, 2)
        self.ids = StripeIds(account.index, rng_for(seed, account.index, 3))
        self.customer: CustomerState | None = None
        self.payment_method = self.ids.new("pm", 27)
        self.queue: list[tuple[int, int, Callable, tuple]] = []
        self.out: list[ApiRecord] = []
        self.unpaid: dict[str, InvoiceState] = {}  # failed or overdue: the customer is delinquent
        self.open: dict[str, InvoiceState] = {}  # finalised, not yet paid, voided or written off
        self.last_charge: dict[str, ChargeState] = {}  # subscription id -> last successful charge
        self._queued = 0
        self._seq = 0
        self.now = 0

    # ---- driving -------------------------------------------------------------------------

    def _at(self, ts: int, action: Callable, *args: object) -> None:
        heapq.heappush(self.queue, (ts, self._queued, action, args))
        self._queued += 1

    def records(self) -> Iterator[ApiRecord]:
        lives = self.account.lives
        if not lives:
            return
        self._at(lives[0].start - self.rng.randint(30, 600), self._create_customer)
        for life in lives:
            for plan in life.subs:
                self._at(plan.created, self._start, plan)
        if self.account.delete_customer_at is not None:
            self._at(self.account.delete_customer_at, self._delete_customer)
        while self.queue:
            ts, _, action, args = heapq.heappop(self.queue)
            if ts > self.window.end_ts:
                break
            self.now = ts
            action(*args)
            if self.out:
                out, self.out = self.out, []
                yield from out
        self._count_delinquency()

    def _count_delinquency(self) -> None:
        end = self.window.end_ts
        if any(i.due_date is not None and i.due_date < end for i in self.open.values()):
            self.stats["accounts_with_overdue_invoices_at_as_of"] += 1

    # ---- emitting ------------------------------------------------------------------------

    @property
    def new_shape(self) -> bool:
        return self.now >= STRIPE_SHAPE_CUTOVER_TS

    def _emit(self, obj: str, obj_id: str, event_type: str, body: dict, wrap: str = "auto") -> None:
        record = ApiRecord(
            self.now,
            self.account.index,
            self._seq,
            "stripe",
            obj,
            obj_id,
            dumps(body),
            event_type,
            wrap,
        )
        self.out.append(record)
        self._seq += 1

    def _emit_customer(self, event_type: str) -> None:
        assert self.customer is not None
        self._emit("customers", self.customer.id, event_type, render_customer(self.customer))

    def _emit_sub(self, sub: SubscriptionState, event_type: str) -> None:
        body = render_subscription(sub, self.new_shape)
        self._emit("subscriptions", sub.id, event_type, body)

    def _emit_invoice(self, inv: InvoiceState, event_type: str) -> None:
        self._emit("invoices", inv.id, event_type, render_invoice(inv, self.new_shape))

    def _emit_charge(self, charge: ChargeState, event_type: str) -> None:
        self._emit("charges", charge.id, event_type, render_charge(charge, self.new_shape))

    # ---- customers -----------------------------------------------------------------------

    def _create_customer(self) -> None:
        company = self.account.company
        self.customer = CustomerState(
            id=self.ids.new("cus", 14),
            created=self.now,
            email=f"billing@{company.domain}",
            name=company.name,
            currency=company.currency,
            company_id=company.id,
            invoice_prefix=f"{self.rng.getrandbits(32):08X}",
        )
        self._emit_customer("customer.created")

    def _delete_customer(self) -> None:
        assert self.customer is not None
        body = render_deleted_customer(self.customer.id)
        self._emit("customers", self.customer.id, "customer.deleted", body, wrap="bare")
        self.stats["customers_deleted"] += 1

    def _set_delinquent(self) -> None:
        assert self.customer is not None
        delinquent = bool(self.unpaid)
        if delinquent != self.customer.delinquent:
            self.customer.delinquent = delinquent
            self._emit_customer("customer.updated")

    # ---- subscriptions -------------------------------------------------------------------

    def _price(self, plan: str, interval: str) -> dict:
        return self.catalog.price(plan, interval, self.account.company.currency)

    def _start(self, plan: SubPlan) -> None:
        assert self.customer is not None
        schedule = plan.periods(self.window.end_ts + PLANNING_HORIZON + 800 * DAY)
        period_start, period_end, interval = next(schedule)
        item = ItemState(
            self.ids.new("si", 14),
            plan.plan,
            self._price(plan.plan, interval),
            plan.quantity,
            self.now,
        )
        sub = SubscriptionState(
            id=self.ids.new("sub", 24),
            customer=self.customer.id,
            plan=plan,
            created=self.now,
            status="active",
            currency=self.account.company.currency,
            items=[item],
            period_start=period_start,
            period_end=period_end,
            schedule=schedule,
            billing_cycle_anchor=plan.anchor,
        )
        if plan.coupon:
            self._attach_discount(sub, plan.coupon)
        self._schedule_story(sub)
        if plan.trial_end:
            sub.status = "trialing"
            sub.trial_start, sub.trial_end = self.now, plan.trial_end
            self._emit_sub(sub, "customer.subscription.created")
            trial_line = self._line(sub, item, 0, period_start, period_end, "Trial period for")
            self._invoice(sub, "subscription_create", [trial_line], draft=False)
            self._at(plan.trial_end, self._end_trial, sub)
            return
        if plan.first_payment_fails:
            sub.status = "incomplete"
        self._emit_sub(sub, "customer.subscription.created")
        self._invoice(sub, "subscription_create", self._period_lines(sub), draft=False)
        self._at(period_end, self._renew, sub)

    def _schedule_story(self, sub: SubscriptionState) -> None:
        plan = sub.plan
        for change in plan.changes:
            self._at(change.ts, self._change, sub, change)
        ending = plan.ending
        if ending is None:
            return
        if ending.kind == "period_end":
            self._at(ending.request_ts, self._request_cancel, sub)
        elif ending.kind in ("immediate", "trial_canceled", "past_due_cancel"):
            self._at(ending.end_ts, self._cancel_now, sub)
        elif ending.kind == "unpaid":
            self._at(ending.end_ts, self._go_unpaid, sub)
        elif ending.kind == "incomplete_expired":
            self._at(ending.end_ts, self._expire_incomplete, sub)

    def _attach_discount(self, sub: SubscriptionState, coupon_id: str) -> None:
        coupon = self.catalog.coupons[coupon_id]
        end = None
        if coupon["duration"] == "repeating":
            end = add_months(self.now, coupon["duration_in_months"])
            self.stats["discounts_repeating"] += 1
        discount = DiscountState(
            self.ids.new("di", 24), coupon, self.now, end, sub.customer, sub.id
        )
        sub.discounts.append(discount)
        if end is not None:
            self._at(end, self._expire_discount, sub, discount)

    def _expire_discount(self, sub: SubscriptionState, discount: DiscountState) -> None:
        if discount in sub.discounts and sub.status not in ("canceled", "incomplete_expired"):
            sub.discounts.remove(discount)
            self._emit_sub(sub, "customer.subscription.updated")

    def _end_trial(self, sub: SubscriptionState) -> None:
        ending = sub.plan.ending
        if sub.status != "trialing":
            return
        if ending is not None and ending.kind == "trial_expired":
            self._end(sub, canceled_at=self.now)
            return
        self.stats["trials_converted"] += 1
        sub.status = "active"
        self._renew(sub)

    def _renew(self, sub: SubscriptionState) -> None:
        if sub.status not in ("active", "past_due", "trialing"):
            return
        if sub.cancel_at_period_end:
            self._end(sub, canceled_at=sub.canceled_at)
            return
        previous = (sub.period_start, sub.period_end)
        start, end, interval = next(sub.schedule)
        item = sub.items[0]
        if item.price["recurring"]["interval"] != interval:
            item.price = self._price(item.plan, interval)  # monthly -> yearly commitment
        sub.period_start, sub.period_end = start, end
        self._emit_sub(sub, "customer.subscription.updated")
        lines = self._period_lines(sub) + sub.pending
        sub.pending = []
        self._invoice(sub, "subscription_cycle", lines, draft=True, period=previous)
        self._at(end, self._renew, sub)

    def _change(self, sub: SubscriptionState, change: Change) -> None:
        """A mid-period seat or tier change, prorated like Stripe does."""
        if sub.status != "active" or sub.cancel_at_period_end:
            return
        if not sub.period_start < self.now < sub.period_end:
            return
        item = sub.items[0]
        old_price, old_quantity = item.price, item.quantity
        interval = old_price["recurring"]["interval"]
        new_plan, new_quantity = item.plan, old_quantity
        if change.kind == "seats":
            new_quantity = int(change.value)
        else:
            new_plan = str(change.value)
        new_price = self._price(new_plan, interval)
        share = (sub.period_end - self.now) / (sub.period_end - sub.period_start)
        credit = self._line(
            sub,
            item,
            -round(old_price["unit_amount"] * old_quantity * share),
            self.now,
            sub.period_end,
            "Unused time on",
            proration=True,
        )
        item.plan, item.price, item.quantity = new_plan, new_price, new_quantity
        debit = self._line(
            sub,
            item,
            round(new_price["unit_amount"] * new_quantity * share),
            self.now,
            sub.period_end,
            "Remaining time on",
            proration=True,
        )
        self._emit_sub(sub, "customer.subscription.updated")
        upgrade = credit.amount + debit.amount > 0
        self.stats[f"changes_{change.kind}_{'up' if upgrade else 'down'}"] += 1
        if interval == "year" or (change.kind == "tier" and upgrade):
            # always_invoice: bill the difference now (yearly plans, upgrades)
            self._invoice(sub, "subscription_update", [credit, debit], draft=False)
        else:
            sub.pending.extend([credit, debit])  # create_prorations: on the next invoice

    def _request_cancel(self, sub: SubscriptionState) -> None:
        ending = sub.plan.ending
        if sub.status not in ("active", "past_due") or ending is None:
            return
        sub.cancel_at_period_end = True
        sub.cancel_at = sub.period_end
        sub.canceled_at = self.now
        sub.reason, sub.feedback = ending.reason, ending.feedback
        self._emit_sub(sub, "customer.subscription.updated")

    def _end(self, sub: SubscriptionState, canceled_at: int | None) -> None:
        ending = sub.plan.ending
        sub.status = "canceled"
        sub.canceled_at = canceled_at if canceled_at is not None else self.now
        sub.ended_at = self.now
        if ending is not None:
            sub.reason, sub.feedback = ending.reason, ending.feedback
        self._emit_sub(sub, "customer.subscription.deleted")
        self.stats["subscriptions_ended"] += 1

    def _cancel_now(self, sub: SubscriptionState) -> None:
        ending = sub.plan.ending
        if sub.status in ("canceled", "incomplete_expired", "unpaid") or ending is None:
            return
        share = (sub.period_end - self.now) / max(sub.period_end - sub.period_start, 1)
        self._end(sub, canceled_at=self.now)
        if ending.reason == "payment_failed":
            for inv in list(self.open.values()):
                if inv.sub is sub:
                    self._mark_uncollectible(inv)
        elif ending.kind == "immediate" and self.rng.random() < 0.5:
            charge = self.last_charge.get(sub.id)
            if charge is not None:
                amount = min(round(charge.amount * share), charge.amount - charge.amount_refunded)
                if amount > 0:
                    self._refund(charge, amount, "requested_by_customer")

    def _go_unpaid(self, sub: SubscriptionState) -> None:
        if sub.status != "past_due":
            return
        sub.status = "unpaid"
        self._emit_sub(sub, "customer.subscription.updated")
        self.stats["subscriptions_unpaid"] += 1

    def _expire_incomplete(self, sub: SubscriptionState) -> None:
        if sub.status != "incomplete":
            return
        sub.status = "incomplete_expired"
        sub.ended_at = self.now
        self._emit_sub(sub, "customer.subscription.updated")
        for inv in list(self.open.values()):
            if inv.sub is sub:
                inv.status, inv.voided_at = "void", self.now
                inv.next_payment_attempt = None
                self.open.pop(inv.id)
                self.unpaid.pop(inv.id, None)
                self._emit_invoice(inv, "invoice.voided")
        self._set_delinquent()

    # ---- invoices ------------------------------------------------------------------------

    def _line(
        self,
        sub: SubscriptionState,
        item: ItemState,
        amount: int,
        start: int,
        end: int,
        label: str = "",
        proration: bool = False,
    ) -> LineState:
        price = item.price
        name = PRODUCT_NAMES[product_key(item.plan)]
        tier = f" {item.plan.title()}" if product_key(item.plan) == "platform" else ""
        each = _money(price["unit_amount"], price["currency"])
        text = (
            f"{item.quantity} {TIMES} {name}{tier} (at {each} / {price['recurring']['interval']})"
        )
        if label:
            suffix = f" after {_date_text(start)}" if proration else ""
            text = f"{label} {text}{suffix}"
        return LineState(
            id=self.ids.new("il", 24),
            amount=amount,
            currency=sub.currency,
            description=text,
            quantity=item.quantity,
            period_start=start,
            period_end=end,
            price=price,
            subscription=sub.id,
            item=item.id,
            proration=proration,
            invoice_item=self.ids.new("ii", 24) if proration else None,
        )

    def _period_lines(self, sub: SubscriptionState) -> list[LineState]:
        return [
            self._line(
                sub,
                item,
                item.price["unit_amount"] * item.quantity,
                sub.period_start,
                sub.period_end,
            )
            for item in sub.items
        ]

    def _apply_discounts(self, sub: SubscriptionState, lines: list[LineState]) -> None:
        """Coupons reduce the regular (non-proration) lines; a `once` coupon is then used up."""
        for discount in list(sub.discounts):
            coupon = discount.coupon
            left = coupon["amount_off"] or 0
            applied = 0
            for line in lines:
                if line.proration or line.amount <= 0:
                    continue
                if coupon["percent_off"] is not None:
                    amount = round(line.amount * coupon["percent_off"] / 100)
                else:
                    amount = min(left, line.amount)
                    left -= amount
                if amount > 0:
                    line.discount_amounts.append((amount, discount.id))
                    applied += amount
            if applied and coupon["duration"] == "once":
                sub.discounts.remove(discount)
                self._emit_sub(sub, "customer.subscription.updated")

    def _invoice(
        self,
        sub: SubscriptionState,
        reason: str,
        lines: list[LineState],
        draft: bool,
        period: tuple[int, int] | None = None,
    ) -> InvoiceState:
        assert self.customer is not None
        self._apply_discounts(sub, lines)
        discounts: Counter = Counter()
        for line in lines:
            for amount, discount_id in line.discount_amounts:
                discounts[discount_id] += amount
        subtotal = sum(line.amount for line in lines)
        total = subtotal - sum(discounts.values())
        self.customer.invoices_issued += 1
        start, end = period or (self.now, self.now)
        inv = InvoiceState(
            id=self.ids.new("in", 24),
            number=f"{self.customer.invoice_prefix}-{self.customer.invoices_issued:04d}",
            customer=self.customer,
            sub=sub,
            created=self.now,
            billing_reason=reason,
            period_start=start,
            period_end=end,
            lines=lines,
            subtotal=subtotal,
            total_discounts=sorted((amount, d) for d, amount in discounts.items()),
            total=total,
            amount_due=max(total, 0),  # a negative total becomes customer credit
        )
        sub.latest_invoice = inv.id
        self.stats["invoices"] += 1
        if draft:
            self._emit_invoice(inv, "invoice.created")
            self._at(self.now + HOUR, self._finalize, inv)
        else:
            self._finalize(inv, event_type="invoice.created")
        return inv

    def _finalize(self, inv: InvoiceState, event_type: str = "invoice.finalized") -> None:
        if inv.status != "draft":
            return
        inv.status = "open"
        inv.finalized_at = self.now
        plan = inv.sub.plan
        if plan.collection_method == "send_invoice":
            inv.due_date = self.now + (plan.days_until_due or 30) * DAY
        if inv.amount_due == 0:
            inv.status, inv.paid_at = "paid", self.now
            self._emit_invoice(inv, event_type)
            return
        inv.payment_intent = self.ids.new("pi", 24)
        self.open[inv.id] = inv
        self._emit_invoice(inv, event_type)
        if plan.collection_method == "charge_automatically":
            inv.outcomes = self._planned_outcomes(inv)
            self._attempt(inv)
            return
        paid_at = self._transfer_time(inv)
        if paid_at is not None:
            self._at(paid_at, self._pay_by_transfer, inv)
        assert inv.due_date is not None
        self._at(inv.due_date + 60, self._check_overdue, inv)

    def _never_paid(self, inv: InvoiceState) -> bool:
        fail_from = inv.sub.plan.fail_from
        return fail_from is not None and self.now >= fail_from

    def _planned_outcomes(self, inv: InvoiceState) -> list[bool]:
        """Charge attempts of a card invoice: [first attempt, retries...]."""
        if inv.billing_reason == "subscription_create" and inv.sub.plan.first_payment_fails:
            return [False]
        if self._never_paid(inv):
            return [False] * (1 + len(RETRY_DELAYS))
        if self.rng.random() < 0.04:
            self.stats["payments_recovered"] += 1
            return [False, True] if self.rng.random() < 0.7 else [False, False, True]
        return [True]

    def _transfer_time(self, inv: InvoiceState) -> int | None:
        """When a bank transfer pays an invoice: mostly on time, some late, some never."""
        assert inv.due_date is not None and inv.finalized_at is not None
        if self._never_paid(inv):
            return None
        r = self.rng.random()
        if r < 0.55:
            days = -self.rng.randint(1, 25)
        elif r < 0.85:
            days = self.rng.randint(0, 10)
        elif r < 0.97:
            days = self.rng.randint(11, 45)
        else:
            days = self.rng.randint(46, 100)
        ts = inv.due_date + days * DAY + self.rng.randint(0, DAY - 1)
        return max(ts, inv.finalized_at + DAY)

    def _attempt(self, inv: InvoiceState) -> None:
        if inv.status != "open":
            return
        succeeded = inv.outcomes[inv.attempt_count]
        inv.attempt_count += 1
        charge = self._charge(inv, succeeded, "card")
        if succeeded:
            self._paid(inv, charge)
            return
        more = inv.attempt_count < len(inv.outcomes)
        inv.next_payment_attempt = self.now + RETRY_DELAYS[inv.attempt_count - 1] if more else None
        self._emit_invoice(inv, "invoice.payment_failed")
        self.unpaid[inv.id] = inv
        self._set_delinquent()
        if inv.sub.status == "active":
            inv.sub.status = "past_due"
            self._emit_sub(inv.sub, "customer.subscription.updated")
        if more and inv.next_payment_attempt is not None:
            self._at(inv.next_payment_attempt, self._attempt, inv)

    def _pay_by_transfer(self, inv: InvoiceState) -> None:
        if inv.status != "open":
            return
        self._paid(inv, self._charge(inv, True, "customer_balance"))

    def _charge(self, inv: InvoiceState, succeeded: bool, method: str) -> ChargeState:
        assert inv.payment_intent is not None
        charge = ChargeState(
            id=self.ids.new("ch", 24),
            customer=inv.customer.id,
            invoice=inv.id,
            payment_intent=inv.payment_intent,
            amount=inv.amount_due,
            currency=inv.sub.currency,
            created=self.now,
            succeeded=succeeded,
            payment_method=self.payment_method,
            method_type=method,
            failure_code=None if succeeded else self.rng.choice(FAILURE_CODES),
        )
        self._emit_charge(charge, "charge.succeeded" if succeeded else "charge.failed")
        self.stats["charges_failed" if not succeeded else "charges_succeeded"] += 1
        return charge

    def _paid(self, inv: InvoiceState, charge: ChargeState) -> None:
        inv.status, inv.paid_at = "paid", self.now
        inv.amount_paid = inv.amount_due
        inv.charge = charge.id
        inv.next_payment_attempt = None
        self.open.pop(inv.id, None)
        self._emit_invoice(inv, "invoice.paid")
        self.last_charge[inv.sub.id] = charge
        if self.unpaid.pop(inv.id, None) is not None:
            self._set_delinquent()
        sub = inv.sub
        if sub.status == "past_due" and not any(i.sub is sub for i in self.unpaid.values()):
            sub.status = "active"
            self._emit_sub(sub, "customer.subscription.updated")
        if self.rng.random() < REFUND_SHARE:
            full = self.rng.random() < 0.4
            amount = (
                charge.amount if full else max(1, round(charge.amount * self.rng.uniform(0.1, 0.5)))
            )
            reason = self.rng.choice(("requested_by_customer", "duplicate", None))
            self._at(
                self.now + self.rng.randint(DAY, 20 * DAY), self._refund, charge, amount, reason
            )

    def _check_overdue(self, inv: InvoiceState) -> None:
        if inv.status != "open":
            return
        self.unpaid[inv.id] = inv
        self._set_delinquent()
        if inv.sub.status == "active":
            inv.sub.status = "past_due"
            self._emit_sub(inv.sub, "customer.subscription.updated")

    def _mark_uncollectible(self, inv: InvoiceState) -> None:
        inv.status, inv.uncollectible_at = "uncollectible", self.now
        inv.next_payment_attempt = None
        self.open.pop(inv.id, None)
        self.unpaid.pop(inv.id, None)
        self._emit_invoice(inv, "invoice.marked_uncollectible")
        self._set_delinquent()

    def _refund(self, charge: ChargeState, amount: int, reason: str | None) -> None:
        amount = min(amount, charge.amount - charge.amount_refunded)
        if amount <= 0:
            return
        refund = RefundState(self.ids.new("re", 24), charge, amount, self.now, reason)
        charge.amount_refunded += amount
        self._emit("refunds", refund.id, "refund.created", render_refund(refund))
        self._emit_charge(charge, "charge.refunded")
        self.stats["refunds"] += 1
