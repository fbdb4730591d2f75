"""Who the customers are and what happens to them: the story every source is rendered from.

Each account's story is decided up front from its own random stream: when it signs up, trials,
converts, changes seats or tier, buys an add-on, churns (and how), and comes back. The Stripe,
HubSpot and Segment generators only render this story, so they agree with each other. Accounts
that churn get a *risk window* of 2-4 months before service ends, in which the other generators
lower usage and NPS and raise tickets: the causal signal a health score should find (HLT-2).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from demo_data.config import Scale, Window
from demo_data.ids import company_id, rng_for
from demo_data.stripe.catalog import ADDONS, COUPONS, TIERS
from demo_data.timeutil import DAY, HOUR, add_months

VOLUNTARY = ("period_end", "immediate")
INVOLUNTARY = ("unpaid", "past_due_cancel")
NEVER_PAID = ("trial_expired", "trial_canceled", "incomplete_expired")
FEEDBACK = (
    "too_expensive",
    "unused",
    "missing_features",
    "switched_service",
    "customer_service",
    "too_complex",
    "low_quality",
    "other",
)
# How far past as_of stories are planned: a churn decided for next month already shows its
# warning signs before as_of, as it would in real data.
PLANNING_HORIZON = 120 * DAY


@dataclass(frozen=True)
class Profile:
    """Behaviour of a customer segment (SMB / MM / ENT)."""

    weight: float
    seats: tuple[int, int]
    employees: tuple[int, int]
    tier_weights: tuple[float, float, float]  # starter, pro, enterprise
    annual: float  # share choosing yearly billing
    send_invoice: float  # share paying by invoice (bank transfer) instead of card
    trial: float
    converts: float  # share of trials that convert
    monthly_churn: float  # per monthly renewal
    annual_churn: float  # per yearly renewal
    addon_monthly: float  # chance per month of buying an add-on (cross-sell)
    seat_up_monthly: float
    tickets_monthly: float
    meeting_every_days: float  # CSM touch cadence
    contacts: tuple[int, int]


PROFILES: dict[str, Profile] = {
    "SMB": Profile(
        0.62, (2, 12), (5, 80), (0.75, 0.25, 0.0), 0.15, 0.0, 0.7, 0.62,
        0.035, 0.25, 0.012, 0.04, 0.3, 150, (1, 2),
    ),
    "MM": Profile(
        0.28, (10, 60), (80, 800), (0.2, 0.7, 0.1), 0.4, 0.25, 0.5, 0.72,
        0.018, 0.15, 0.025, 0.06, 0.8, 70, (2, 4),
    ),
    "ENT": Profile(
        0.10, (50, 300), (800, 20_000), (0.0, 0.3, 0.7), 0.8, 0.6, 0.0, 0.0,
        0.01, 0.08, 0.035, 0.07, 2.0, 35, (3, 6),
    ),
}  # fmt: skip
CURRENCY_WEIGHTS = {"usd": 0.6, "eur": 0.2, "gbp": 0.12, "jpy": 0.08}
COUNTRIES = {"usd": ("US", "US", "US", "CA"), "eur": ("DE", "FR", "NL", "ES"), "gbp": ("GB",)}
COUNTRIES["jpy"] = ("JP",)
TLDS = {"US": "com", "CA": "ca", "DE": "de", "FR": "fr", "NL": "nl", "ES": "es", "GB": "co.uk"}
TLDS["JP"] = "jp"
INDUSTRIES = (
    "COMPUTER_SOFTWARE",
    "FINANCIAL_SERVICES",
    "HOSPITAL_HEALTH_CARE",
    "RETAIL",
    "MARKETING_AND_ADVERTISING",
    "LOGISTICS_AND_SUPPLY_CHAIN",
    "EDUCATION_MANAGEMENT",
    "MACHINERY",
    "INFORMATION_TECHNOLOGY_AND_SERVICES",
    "REAL_ESTATE",
)
OWNER_IDS = ("81234567", "81234588", "81234602", "81234615", "81234633", "81234671")
_NAME_A = (
    "Acme", "Blue", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper",
    "Kite", "Lumen", "Maple", "Nimbus", "Orchid", "Pioneer", "Quartz", "River", "Summit", "Tidal",
    "Umber", "Vertex", "Willow", "Xenon", "Yarrow", "Zephyr", "Atlas", "Beacon", "Copper", "Drift",
)  # fmt: skip
_NAME_B = (
    "Analytics", "Labs", "Systems", "Logistics", "Health", "Retail", "Capital", "Robotics",
    "Foods", "Media", "Energy", "Learning", "Works", "Partners", "Dynamics", "Networks",
)  # fmt: skip


@dataclass
class Company:
    index: int
    id: str  # HubSpot company id = Stripe metadata.hubspot_company_id = Segment groupId
    name: str
    domain: str
    industry: str
    segment: str  # SMB | MM | ENT
    employees: int
    owner_id: str
    country: str
    currency: str
    created: int


@dataclass
class Change:
    ts: int
    kind: str  # "seats" | "tier"
    value: int | str


@dataclass
class Ending:
    kind: str  # one of VOLUNTARY, INVOLUNTARY or NEVER_PAID
    request_ts: int  # canceled_at when asked; the failing renewal for involuntary churn
    end_ts: int  # service end: ended_at, or the moment the subscription went unpaid
    reason: str | None  # cancellation_details.reason
    feedback: str | None  # cancellation_details.feedback


@dataclass
class SubPlan:
    """One Stripe subscription's planned life; the billing engine executes it."""

    key: str
    plan: str  # tier (platform product) or add-on
    interval: str  # at creation; see annual_switch_at
    quantity: int
    created: int
    collection_method: str
    days_until_due: int | None
    trial_end: int | None = None
    coupon: str | None = None
    annual_switch_at: int | None = None  # renewal at which a monthly plan becomes yearly
    first_payment_fails: bool = False
    fail_from: int | None = None  # invoices finalised from here on are never paid
    changes: list[Change] = field(default_factory=list)
    ending: Ending | None = None

    @property
    def anchor(self) -> int:
        return self.trial_end or self.created

    def interval_at(self, ts: int) -> str:
        if self.annual_switch_at is not None and ts >= self.annual_switch_at:
            return "year"
        return self.interval

    def periods(self, until: int) -> Iterator[tuple[int, int, str]]:
        """Billing periods (start, end, interval) up to the first ending after `until`.

        Reads `annual_switch_at` lazily, so a planner may set it while iterating.
        """
        if self.trial_end:
            yield self.created, self.trial_end, self.interval
        base, start, step, k = self.anchor, self.anchor, 1 if self.interval == "month" else 12, 0
        while start <= until:
            end = add_months(base, (k + 1) * step)
            yield start, end, "month" if step == 1 else "year"
            start, k = end, k + 1
            if step == 1 and self.annual_switch_at == end:
                base, step, k = end, 12, 0


@dataclass
class Life:
    """One continuous relationship: a platform subscription and the add-ons bought during it."""

    start: int
    subs: list[SubPlan]
    paid_start: int | None = None  # first paid period; None when it never paid
    end: int | None = None  # service end; may lie after as_of (decided, not yet happened)
    risk_start: int | None = None  # warning signs from here until `end`
    severity: float = 0.0

    @property
    def main(self) -> SubPlan:
        return self.subs[0]


@dataclass
class Account:
    company: Company
    lives: list[Life]
    users: int  # product users (Segment); 0 for prospects
    engagement: float  # baseline usage level, around 1
    nps_base: float
    dip: tuple[int, int] | None  # a scare that is not followed by churn (a false alarm)
    delete_customer_at: int | None

    @property
    def index(self) -> int:
        return self.company.index

    @property
    def is_customer(self) -> bool:
        return bool(self.lives)

    def risk_at(self, ts: int) -> float:
        """0 (healthy) .. 1 (about to churn): how strongly warning signs show at `ts`."""
        for life in self.lives:
            if life.risk_start is not None and life.end and life.risk_start <= ts <= life.end:
                return life.severity * (ts - life.risk_start) / max(life.end - life.risk_start, 1)
        if self.dip and self.dip[0] <= ts <= self.dip[1]:
            return 0.5
        return 0.0

    def life_at(self, ts: int) -> Life | None:
        for life in self.lives:
            if life.start <= ts and (life.end is None or ts < life.end):
                return life
        return None


def _choose(rng: random.Random, options: Sequence[str], weights: Sequence[float]) -> str:
    return rng.choices(options, weights=weights)[0]


def _signup_ts(rng: random.Random, window: Window) -> int:
    """A few customers migrate in the first weeks; the rest arrive at a growing rate."""
    span = window.end_ts - 3 * DAY - window.start_ts
    if rng.random() < 0.15:
        return window.start_ts + rng.randint(DAY, min(20 * DAY, span))
    growth = 1.2
    share = math.log1p(rng.random() * math.expm1(growth)) / growth
    return window.start_ts + int(share * span)


def _company(rng: random.Random, index: int, signup: int, window: Window) -> Company:
    segment = _choose(rng, list(PROFILES), [p.weight for p in PROFILES.values()])
    profile = PROFILES[segment]
    currency = _choose(rng, list(CURRENCY_WEIGHTS), list(CURRENCY_WEIGHTS.values()))
    country = rng.choice(COUNTRIES[currency])
    name = f"{rng.choice(_NAME_A)} {rng.choice(_NAME_B)}"
    slug = name.lower().replace(" ", "")
    created = max(window.start_ts + rng.randint(HOUR, 10 * HOUR), signup - rng.randint(5, 60) * DAY)
    return Company(
        index=index,
        id=company_id(index),
        name=name,
        domain=f"{slug}{index}.{TLDS[country]}",
        industry=rng.choice(INDUSTRIES),
        segment=segment,
        employees=rng.randint(*profile.employees),
        owner_id=rng.choice(OWNER_IDS),
        country=country,
        currency=currency,
        created=created,
    )


def _request_before(rng: random.Random, start: int, end: int) -> int:
    """When a cancel-at-period-end was asked: days to weeks before the period ends."""
    latest = min(80 * DAY, (end - start) * 2 // 3)
    return end - rng.randint(DAY, max(latest, DAY + 1))


def _ending(rng: random.Random, main: SubPlan, start: int, end: int, interval: str) -> Ending:
    feedback = rng.choice(FEEDBACK)
    r = rng.random()
    voluntary_share = 0.85 if interval == "year" else 0.65
    if r < voluntary_share:
        if interval == "month" and r > 0.5:
            # Immediate cancellation somewhere in the period before the renewal.
            ts = end - rng.randint(2 * DAY, 25 * DAY)
            return Ending("immediate", ts, ts, "cancellation_requested", feedback)
        request = _request_before(rng, start, end)
        return Ending("period_end", request, end, "cancellation_requested", feedback)
    if main.collection_method == "charge_automatically":
        kind = "unpaid" if rng.random() < 0.5 else "past_due_cancel"
        return Ending(kind, end, end + 14 * DAY, "payment_failed", None)
    days_until_due = main.days_until_due or 30
    give_up = end + HOUR + (days_until_due + rng.randint(30, 60)) * DAY
    return Ending("past_due_cancel", end, give_up, "payment_failed", None)


def _coupon_for(rng: random.Random, currency: str) -> str:
    usable = [c.code for c in COUPONS if c.currency in (None, currency)]
    return rng.choice(usable)


def _plan_main_churn(rng: random.Random, profile: Profile, life: Life, window: Window) -> None:
    main = life.main
    assert life.paid_start is not None
    for start, end, interval in main.periods(window.end_ts + PLANNING_HORIZON):
        if end <= life.paid_start:
            continue  # the trial: converting is not a renewal
        if end > window.end_ts + PLANNING_HORIZON:
            break
        hazard = profile.monthly_churn if interval == "month" else profile.annual_churn
        if rng.random() < hazard:
            main.ending = _ending(rng, main, start, end, interval)
            if main.ending.kind in INVOLUNTARY:
                main.fail_from = end
            life.end = main.ending.end_ts
            return
        if interval == "month" and main.annual_switch_at is None and rng.random() < 0.012:
            main.annual_switch_at = end  # a longer commitment of the same product (upsell)


def _plan_risk(rng: random.Random, life: Life) -> None:
    ending = life.main.ending
    if ending is None or ending.kind in NEVER_PAID or life.paid_start is None:
        return
    if rng.random() < 0.15:
        return  # sudden churn with no warning: real data has these, and the AUC should show it
    start = max(life.paid_start + 14 * DAY, ending.end_ts - rng.randint(60, 120) * DAY)
    if start < ending.end_ts:
        life.risk_start = start
        life.severity = 1.0 if ending.kind in VOLUNTARY else 0.5


def _plan_addon(
    rng: random.Random, life: Life, addon: str, ts: int, life_no: int, window: Window
) -> SubPlan:
    main = life.main
    sub = SubPlan(
        key=f"L{life_no}-{addon}",
        plan=addon,
        interval=main.interval_at(ts),
        quantity=1,
        created=ts,
        collection_method=main.collection_method,
        days_until_due=main.days_until_due,
        fail_from=main.fail_from,
    )
    life_end = life.end if life.end is not None else window.end_ts + PLANNING_HORIZON
    for start, end, interval in sub.periods(life_end):
        if end >= life_end:
            break
        if rng.random() < (0.02 if interval == "month" else 0.15):
            request = max(_request_before(rng, start, end), ts + HOUR)
            sub.ending = Ending("period_end", request, end, "cancellation_requested", "unused")
            return sub
    if life.end is not None and main.ending is not None:
        # The account leaves: its add-ons end with it, for the same reason.
        ending = main.ending
        sub.ending = Ending("immediate", life.end, life.end, ending.reason, ending.feedback)
    return sub


_TIER_UP = {"starter": ("pro", 0.015), "pro": ("enterprise", 0.006)}
_TIER_DOWN = {"pro": "starter", "enterprise": "pro"}


def _healthy_change(
    rng: random.Random, profile: Profile, tier: str, seats: int
) -> tuple[str, int | str] | None:
    """At most one change a month for a healthy account: mostly growth."""
    up_tier, up_chance = _TIER_UP.get(tier, (tier, 0.0))
    options: list[tuple[float, str, int | str]] = [
        (profile.seat_up_monthly, "seats", seats + max(1, round(seats * rng.uniform(0.1, 0.4)))),
        (0.015 if seats > 1 else 0.0, "seats", max(1, seats - max(1, round(seats * 0.1)))),
        (up_chance, "tier", up_tier),
        (0.004 if tier in _TIER_DOWN else 0.0, "tier", _TIER_DOWN.get(tier, tier)),
    ]
    r = rng.random()
    for chance, kind, value in options:
        if r < chance:
            return kind, value
        r -= chance
    return None


def _risky_change(rng: random.Random, tier: str, seats: int) -> tuple[str, int | str] | None:
    """An account in its risk window shrinks: fewer seats, a cheaper tier."""
    r = rng.random()
    if r < 0.12 and seats > 1:
        return "seats", max(1, seats - max(1, round(seats * rng.uniform(0.1, 0.3))))
    if r < 0.16 and tier in _TIER_DOWN:
        return "tier", _TIER_DOWN[tier]
    return None


def _plan_changes(
    rng: random.Random, profile: Profile, life: Life, life_no: int, window: Window
) -> None:
    """Seat and tier changes and add-on purchases while the account is paying.

    Healthy accounts grow; accounts in their risk window shrink and buy nothing.
    """
    main = life.main
    assert life.paid_start is not None
    stop = min(window.end_ts, main.ending.request_ts if main.ending else window.end_ts)
    tier, seats, held = main.plan, main.quantity, set()
    ts = life.paid_start + rng.randint(10 * DAY, 30 * DAY)
    while ts < stop:
        at_risk = life.risk_start is not None and ts >= life.risk_start
        if at_risk:
            change = _risky_change(rng, tier, seats)
        else:
            change = _healthy_change(rng, profile, tier, seats)
        if change is not None:
            kind, value = change
            if kind == "seats":
                seats = int(value)
            else:
                tier = str(value)
            main.changes.append(Change(ts, kind, value))
        available = [a for a in ADDONS if a not in held]
        if not at_risk and available and rng.random() < profile.addon_monthly:
            addon = rng.choice(available)
            held.add(addon)
            life.subs.append(_plan_addon(rng, life, addon, ts + HOUR, life_no, window))
        ts += rng.randint(20 * DAY, 40 * DAY)


def _plan_life(
    rng: random.Random, company: Company, start: int, life_no: int, window: Window
) -> Life:
    profile = PROFILES[company.segment]
    tier = _choose(rng, TIERS, profile.tier_weights)
    annual = rng.random() < (0.9 if tier == "enterprise" else profile.annual)
    send_invoice = rng.random() < profile.send_invoice
    main = SubPlan(
        key=f"L{life_no}-platform",
        plan=tier,
        interval="year" if annual else "month",
        quantity=rng.randint(*profile.seats),
        created=start,
        collection_method="send_invoice" if send_invoice else "charge_automatically",
        days_until_due=30 if send_invoice else None,
    )
    if rng.random() < 0.2:
        main.coupon = _coupon_for(rng, company.currency)
    life = Life(start=start, subs=[main])
    if life_no == 0 and not send_invoice and rng.random() < profile.trial:
        main.trial_end = start + 14 * DAY
        if rng.random() >= profile.converts:
            if rng.random() < 0.4:
                ts = start + rng.randint(2 * DAY, 12 * DAY)
                feedback = rng.choice(FEEDBACK)
                main.ending = Ending("trial_canceled", ts, ts, "cancellation_requested", feedback)
            else:
                main.ending = Ending("trial_expired", main.trial_end, main.trial_end, None, None)
            life.end = main.ending.end_ts
            return life
    elif not send_invoice and rng.random() < 0.05:
        # The first card payment fails and Stripe expires the subscription after 23 hours.
        main.first_payment_fails = True
        main.ending = Ending("incomplete_expired", start, start + 23 * HOUR, None, None)
        life.end = main.ending.end_ts
        return life
    life.paid_start = main.anchor
    _plan_main_churn(rng, profile, life, window)
    _plan_risk(rng, life)
    _plan_changes(rng, profile, life, life_no, window)
    return life


def _next_life_start(rng: random.Random, life: Life, window: Window) -> int | None:
    """Reactivation: some accounts come back months after they left (MRR-6)."""
    ending = life.main.ending
    if ending is None or life.end is None:
        return None
    if ending.kind == "incomplete_expired":
        chance, gap = 0.6, (1, 5)  # retried with another card
    elif ending.kind in VOLUNTARY:
        chance, gap = 0.2, (45, 300)
    elif ending.kind in INVOLUNTARY:
        chance, gap = 0.1, (30, 200)
    else:
        chance, gap = 0.04, (30, 200)
    if rng.random() >= chance:
        return None
    ts = life.end + rng.randint(gap[0] * DAY, gap[1] * DAY)
    return ts if ts < window.end_ts - 7 * DAY else None


def plan_account(seed: int, index: int, is_customer: bool, window: Window) -> Account:
    rng = rng_for(seed, index, 1)
    signup = _signup_ts(rng, window)
    company = _company(rng, index, signup, window)
    signup = max(signup, company.created + rng.randint(HOUR, 2 * DAY))
    lives: list[Life] = []
    start: int | None = signup if is_customer else None
    while start is not None and len(lives) < 3:
        lives.append(_plan_life(rng, company, start, len(lives), window))
        start = _next_life_start(rng, lives[-1], window)
    max_seats = max(
        (
            max([life.main.quantity] + [c.value for c in life.main.changes if c.kind == "seats"])
            for life in lives
        ),
        default=0,
    )
    churns = any(life.main.ending and life.main.ending.kind in VOLUNTARY for life in lives)
    dip = None
    if rng.random() < 0.12:
        dip_start = window.start_ts + int(rng.random() * (window.end_ts - window.start_ts))
        dip = (dip_start, dip_start + rng.randint(30, 60) * DAY)
    delete_at = None
    if lives and all(life.paid_start is None for life in lives) and rng.random() < 0.15:
        candidate = (lives[-1].end or window.end_ts) + rng.randint(20, 90) * DAY
        delete_at = candidate if candidate <= window.end_ts else None
    return Account(
        company=company,
        lives=lives,
        users=max(1, round(max_seats * rng.uniform(0.45, 1.0))) if lives else 0,
        engagement=math.exp(rng.gauss(0.0, 0.35)),
        nps_base=min(9.8, max(4.0, rng.gauss(7.9, 1.1) - (0.6 if churns else 0.0))),
        dip=dip,
        delete_customer_at=delete_at,
    )


def build_accounts(seed: int, scale: Scale, window: Window) -> list[Account]:
    """All companies of the CRM: customers and prospects, in a seeded random order."""
    roster = [True] * scale.accounts + [False] * scale.prospects
    random.Random(f"{seed}:roster").shuffle(roster)
    return [plan_account(seed, i, customer, window) for i, customer in enumerate(roster)]
