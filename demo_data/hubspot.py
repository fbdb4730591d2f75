"""HubSpot CRM exports rendered from the account stories.

Companies, contacts and deals follow the story (a closed-won deal when an account converts,
upsell and cross-sell deals when it grows, renewal deals before yearly renewals); tickets, survey
answers and CSM meetings are drawn month by month, and all three worsen in an account's risk
window before churn. Each changed object is re-exported whole with a later `updatedAt`.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterator

from demo_data.accounts import OWNER_IDS, PROFILES, Account, Life, SubPlan
from demo_data.config import Window
from demo_data.ids import HubSpotIds, rng_for
from demo_data.records import ApiRecord, dumps
from demo_data.stripe.catalog import LIST_PRICES, PRODUCT_NAMES
from demo_data.timeutil import DAY, HOUR, add_months, day_of, day_start, iso_ms

SALES_PIPELINE = "default"
RENEWAL_PIPELINE = "75319411"
SUPPORT_PIPELINE = "0"
# (id, label, probability, closed) — the default pipeline keeps HubSpot's readable stage ids;
# custom pipelines get numeric ones, which is why stages must be resolved via deal_pipelines.
SALES_STAGES = (
    ("appointmentscheduled", "Appointment Scheduled", "0.2", False),
    ("qualifiedtobuy", "Qualified To Buy", "0.4", False),
    ("presentationscheduled", "Presentation Scheduled", "0.6", False),
    ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", False),
    ("contractsent", "Contract Sent", "0.9", False),
    ("closedwon", "Closed Won", "1.0", True),
    ("closedlost", "Closed Lost", "0.0", True),
)
RENEWAL_STAGES = (
    ("158903271", "Renewal due", "0.5", False),
    ("158903272", "Negotiation", "0.75", False),
    ("158903273", "Renewed", "1.0", True),
    ("158903274", "Churned", "0.0", True),
)
TICKET_STAGES = (
    ("1", "New", "OPEN"),
    ("2", "Waiting on contact", "OPEN"),
    ("3", "Waiting on us", "OPEN"),
    ("4", "Closed", "CLOSED"),
)
PRIORITIES = ("LOW", "MEDIUM", "HIGH", "URGENT")
TICKET_SUBJECTS = (
    "Dashboard not loading",
    "Export to CSV fails",
    "SSO login issue",
    "Question about billing",
    "Report shows wrong totals",
    "How do I invite my team?",
    "Connector sync delayed",
    "Feature request: scheduled reports",
    "API rate limit errors",
    "Slow queries on large datasets",
)
NPS_COMMENTS = {
    "promoter": ("Love the dashboards", "Saves our team hours every week", None, None),
    "passive": ("Good, but reports could be faster", "Decent value", None, None),
    "detractor": ("Too expensive for what we use", "Support is slow", "Missing features", None),
}
JOB_TITLES = (
    "Head of Operations",
    "Data Analyst",
    "VP Finance",
    "Customer Success Lead",
    "CTO",
    "Marketing Manager",
    "BI Engineer",
    "COO",
)
FIRST_NAMES = ("Ana", "Ben", "Chloé", "Dev", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas")
LAST_NAMES = ("Meyer", "Okafor", "Dubois", "Sato", "Smith", "García", "Novak", "Khan", "Rossi")


def _pipeline(pipeline_id: str, label: str, stages: list[dict], created: int) -> dict:
    stamp = iso_ms(created)
    return {
        "id": pipeline_id,
        "label": label,
        "displayOrder": 0,
        "stages": stages,
        "createdAt": stamp,
        "updatedAt": stamp,
        "archived": False,
    }


def _stage(stage_id: str, label: str, order: int, metadata: dict, created: int) -> dict:
    stamp = iso_ms(created)
    return {
        "id": stage_id,
        "label": label,
        "displayOrder": order,
        "metadata": metadata,
        "createdAt": stamp,
        "updatedAt": stamp,
        "archived": False,
    }


def pipeline_records(window: Window) -> list[ApiRecord]:
    """Deal and ticket pipelines, exported once on the first day, each a single page."""
    ts = window.start_ts + 60
    deal_pipelines = [
        _pipeline(
            SALES_PIPELINE,
            "Sales Pipeline",
            [
                _stage(sid, label, i, {"isClosed": str(closed).lower(), "probability": p}, ts)
                for i, (sid, label, p, closed) in enumerate(SALES_STAGES)
            ],
            ts,
        ),
        _pipeline(
            RENEWAL_PIPELINE,
            "Renewals & Expansion",
            [
                _stage(sid, label, i, {"isClosed": str(closed).lower(), "probability": p}, ts)
                for i, (sid, label, p, closed) in enumerate(RENEWAL_STAGES)
            ],
            ts,
        ),
    ]
    ticket_pipelines = [
        _pipeline(
            SUPPORT_PIPELINE,
            "Support Pipeline",
            [
                _stage(
                    sid, label, i, {"isClosed": str(s == "CLOSED").lower(), "ticketState": s}, ts
                )
                for i, (sid, label, s) in enumerate(TICKET_STAGES)
            ],
            ts,
        )
    ]
    records = []
    for seq, (obj, pipeline) in enumerate(
        [("deal_pipelines", p) for p in deal_pipelines]
        + [("ticket_pipelines", p) for p in ticket_pipelines]
    ):
        records.append(
            ApiRecord(ts, -2, seq, "hubspot", obj, pipeline["id"], dumps(pipeline), "", "page")
        )
    return records


def _amount_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def annual_value(plan: str, interval: str, currency: str, quantity: int) -> float:
    """Contract value per year in major units (what a sales rep types into `amount`)."""
    minor = LIST_PRICES[(plan, interval)][currency] * quantity * (12 if interval == "month" else 1)
    return minor if currency == "jpy" else minor / 100


class CrmSimulation:
    """One company's HubSpot history, yielded in time order."""

    def __init__(self, account: Account, window: Window, seed: int) -> None:
        self.account = account
        self.company = account.company
        self.window = window
        self.rng: random.Random = rng_for(seed, account.index, 4)
        # Open expansion deals draw from their own stream, so adding them shifts nothing else.
        self.pipeline_rng: random.Random = rng_for(seed, account.index, 5)
        self.ids = HubSpotIds(account.index)
        self.profile = PROFILES[self.company.segment]
        self.pending: list[tuple[int, int, ApiRecord]] = []
        self._seq = 0
        self.company_props: dict[str, str | None] = {}
        self.contacts: list[tuple[str, int, int | None]] = []  # (id, created, archived at)
        self._current_moment = 0
        self.next_nps = 0
        self.next_meeting = 0

    # ---- output --------------------------------------------------------------------------

    def _stamp(self, ts: int) -> str | int:
        """HubSpot exports carry ISO-8601 strings or epoch milliseconds; both occur."""
        millis = self.rng.randint(0, 999)
        if self.rng.random() < 0.15:
            return ts * 1000 + millis
        return iso_ms(ts, millis)

    def _date_prop(self, ts: int) -> str:
        if self.rng.random() < 0.3:
            return str(ts * 1000)
        return iso_ms(ts)

    def _push(self, ts: int, obj: str, body: dict) -> None:
        record = ApiRecord(
            ts, self.account.index, self._seq, "hubspot", obj, body["id"], dumps(body), ""
        )
        heapq.heappush(self.pending, (ts, self._seq, record))
        self._seq += 1

    def _object(
        self, obj: str, object_id: str, created: int, updated: int, props: dict, **extra: object
    ) -> None:
        body = {
            "id": object_id,
            "properties": props,
            "createdAt": self._stamp(created),
            "updatedAt": self._stamp(updated),
            "archived": False,
        }
        body.update(extra)
        self._push(updated, obj, body)

    def _associate(self, kind: str) -> dict:
        return {"companies": {"results": [{"id": self.company.id, "type": f"{kind}_to_company"}]}}

    # ---- driving -------------------------------------------------------------------------

    def records(self) -> Iterator[ApiRecord]:
        moments = self._moments()
        month = day_of(self.company.created)
        month_start = day_start(month.replace(day=1))
        index = 0
        while month_start <= self.window.end_ts:
            month_end = add_months(month_start, 1)
            while index < len(moments) and moments[index][0] < month_end:
                self._current_moment, _, action, args = moments[index]
                action(*args)
                index += 1
            self._monthly_activity(month_start, month_end)
            while self.pending and self.pending[0][0] < month_end:
                ts, _, record = heapq.heappop(self.pending)
                if ts <= self.window.end_ts:
                    yield record
            month_start = month_end

    def _moments(self) -> list[tuple[int, int, Callable, tuple]]:
        """What the story makes happen in the CRM, in time order."""
        moments: list[tuple[int, int, Callable, tuple]] = []

        def at(ts: int, action: Callable, *args: object) -> None:
            moments.append((max(ts, self.company.created), len(moments), action, args))

        at(self.company.created, self._create_company)
        if not self.account.is_customer:
            at(self.company.created + self.rng.randint(HOUR, 5 * DAY), self._prospect_deal)
        for number, life in enumerate(self.account.lives):
            previous = self.account.lives[number - 1] if number else None
            retry = previous is not None and previous.main.ending is not None
            retry = retry and previous.main.ending.kind == "incomplete_expired"
            if not retry:
                opened = life.start - self.rng.randint(2 * DAY, 20 * DAY)
                at(opened, self._new_business_deal, number)
            if life.paid_start is not None and all(
                earlier.paid_start is None for earlier in self.account.lives[:number]
            ):
                at(life.paid_start, self._update_company, {"lifecyclestage": "customer"})
            self._plan_growth_deals(life, at)
            self._plan_renewal_deals(life, at)
            self._plan_open_expansion_deal(life, at)
        years = (self.window.end_ts - self.company.created) // (365 * DAY)
        for year in range(1, years + 1):
            at(self.company.created + year * 365 * DAY, self._yearly_company_update)
        moments.sort(key=lambda m: (m[0], m[1]))
        return moments

    # ---- companies and contacts ----------------------------------------------------------

    def _create_company(self) -> None:
        c = self.company
        created = iso_ms(c.created)
        self.company_props = {
            "name": c.name,
            "domain": c.domain,
            "industry": c.industry,
            "numberofemployees": str(c.employees),
            "lifecyclestage": "opportunity" if self.account.is_customer else "lead",
            "hubspot_owner_id": c.owner_id,
            "segment": c.segment,
            "country": c.country,
            "createdate": created,
            "hs_lastmodifieddate": created,
            "hs_object_id": c.id,
        }
        self._object("companies", c.id, c.created, c.created, dict(self.company_props))
        low, high = self.profile.contacts
        for _ in range(self.rng.randint(low, high)):
            self._create_contact(c.created + self.rng.randint(60, 3 * DAY))

    def _update_company(self, changes: dict[str, str]) -> None:
        ts = max(self._current_moment, self.company.created + 1)
        self.company_props.update(changes)
        self.company_props["hs_lastmodifieddate"] = iso_ms(ts)
        self._object(
            "companies", self.company.id, self.company.created, ts, dict(self.company_props)
        )

    def _yearly_company_update(self) -> None:
        changes: dict[str, str] = {}
        employees = int(self.company_props["numberofemployees"] or 1)
        if self.rng.random() < 0.4:
            changes["numberofemployees"] = str(
                max(1, round(employees * self.rng.uniform(0.9, 1.3)))
            )
        if self.rng.random() < 0.15:
            changes["hubspot_owner_id"] = self.rng.choice(OWNER_IDS)
        if changes:
            self._update_company(changes)

    def _create_contact(self, ts: int) -> None:
        contact_id = self.ids.new("contacts")
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        email = f"{first.lower()}.{last.lower()}.{contact_id[-4:]}@{self.company.domain}"
        props = {
            "email": email,
            "firstname": first,
            "lastname": last,
            "jobtitle": self.rng.choice(JOB_TITLES),
            "associatedcompanyid": self.company.id,
            "lifecyclestage": self.company_props.get("lifecyclestage"),
            "createdate": iso_ms(ts),
            "lastmodifieddate": iso_ms(ts),
            "hs_object_id": contact_id,
        }
        self._object("contacts", contact_id, ts, ts, props)
        gone = None
        if self.rng.random() < 0.06:
            # Some contacts leave the company and are archived (a HubSpot deletion).
            gone = ts + self.rng.randint(60, 500) * DAY
            archived = {
                "id": contact_id,
                "properties": dict(props, lastmodifieddate=iso_ms(gone)),
                "createdAt": self._stamp(ts),
                "updatedAt": self._stamp(gone),
                "archived": True,
                "archivedAt": iso_ms(gone),
            }
            self._push(gone, "contacts", archived)
        self.contacts.append((contact_id, ts, gone))

    def _contacts_at(self, ts: int) -> list[str]:
        return [i for i, created, gone in self.contacts if created <= ts and (gone or ts + 1) > ts]

    # ---- deals ---------------------------------------------------------------------------

    def _deal(
        self,
        name: str,
        dealtype: str,
        pipeline: str,
        amount: float,
        opened: int,
        stages: list[tuple[int, str]],
        close: int | None,
    ) -> None:
        """A deal created at `opened`, moving through `stages` [(ts, stage id)], closing at
        `close` (its expected close date while open)."""
        deal_id = self.ids.new("deals")
        props = {
            "dealname": name,
            "dealtype": dealtype,
            "pipeline": pipeline,
            "dealstage": stages[0][1],
            "amount": _amount_text(amount),
            "deal_currency_code": self.company.currency.upper(),
            "closedate": self._date_prop(close) if close else None,
            "createdate": iso_ms(opened),
            "hs_lastmodifieddate": iso_ms(opened),
            "hubspot_owner_id": self.company.owner_id,
            "hs_object_id": deal_id,
        }
        associations = self._associate("deal")
        for ts, stage in stages:
            props = dict(props, dealstage=stage, hs_lastmodifieddate=iso_ms(ts))
            self._object("deals", deal_id, opened, ts, props, associations=associations)

    def _prospect_deal(self) -> None:
        opened = self._current_moment
        plan = self.rng.choice(("starter", "pro"))
        amount = annual_value(plan, "month", self.company.currency, self.rng.randint(3, 30))
        stage_at = opened + self.rng.randint(5, 20) * DAY
        lost_at = opened + self.rng.randint(20, 120) * DAY
        stages = [(opened, "appointmentscheduled"), (stage_at, "qualifiedtobuy")]
        open_deal = self.rng.random() < 0.2
        if not open_deal:
            stages.append((lost_at, "closedlost"))
        name = f"{self.company.name} - New business"
        self._deal(name, "newbusiness", SALES_PIPELINE, amount, opened, stages, lost_at)

    def _new_business_deal(self, number: int) -> None:
        lives = self.account.lives
        life = lives[number]
        opened = self._current_moment
        won_at = None
        for later in lives[number:]:
            if later.paid_start is not None:
                won_at = later.paid_start
                break
            ending = later.main.ending
            if ending is None or ending.kind != "incomplete_expired":
                break
        main = life.main
        amount = annual_value(main.plan, main.interval, self.company.currency, main.quantity)
        middle = opened + (max(life.start - opened, 2)) // 2
        stages = [(opened, "appointmentscheduled"), (middle, "presentationscheduled")]
        lost_at = life.end or self.window.end_ts
        close = won_at if won_at is not None else lost_at
        stages.append((close, "closedwon" if won_at is not None else "closedlost"))
        name = f"{self.company.name} - {'New business' if number == 0 else 'Win-back'}"
        self._deal(name, "newbusiness", SALES_PIPELINE, amount, opened, stages, close)

    def _plan_growth_deals(self, life: Life, at: Callable) -> None:
        """Upsell deals for seat increases and upgrades, cross-sell deals for add-ons."""
        main = life.main
        seats, tier = main.quantity, main.plan
        for change in main.changes:
            interval = main.interval_at(change.ts)
            before = annual_value(tier, interval, self.company.currency, seats)
            if change.kind == "seats":
                seats = int(change.value)
            else:
                tier = str(change.value)
            delta = annual_value(tier, interval, self.company.currency, seats) - before
            if delta > 0:
                opened = max(
                    life.paid_start or life.start, change.ts - self.rng.randint(7, 25) * DAY
                )
                label = "Seat expansion" if change.kind == "seats" else f"Upgrade to {tier.title()}"
                at(opened, self._growth_deal, label, delta, change.ts)
        for addon in life.subs[1:]:
            value = annual_value(addon.plan, addon.interval, self.company.currency, 1)
            opened = max(
                life.paid_start or life.start, addon.created - self.rng.randint(10, 30) * DAY
            )
            at(opened, self._growth_deal, PRODUCT_NAMES[addon.plan], value, addon.created)

    def _growth_deal(self, label: str, amount: float, won_at: int) -> None:
        opened = self._current_moment
        stages = [(opened, "qualifiedtobuy"), (won_at, "closedwon")]
        name = f"{self.company.name} - {label}"
        self._deal(name, "existingbusiness", SALES_PIPELINE, amount, opened, stages, won_at)

    def _plan_open_expansion_deal(self, life: Life, at: Callable) -> None:
        """Some healthy accounts paying at the end of the window have an upsell deal still open
        (the expansion pipeline, RNW-2): opened in the last weeks, closing after the window."""
        end = self.window.end_ts
        paying = life.paid_start is not None and life.paid_start < end - 30 * DAY
        if not paying or (life.end is not None and life.end <= end):
            return
        if life.risk_start is not None and life.risk_start <= end:
            return
        if self.pipeline_rng.random() >= 0.3:
            return
        main = life.main
        seats, tier = main.quantity, main.plan
        for change in main.changes:
            if change.kind == "seats":
                seats = int(change.value)
            else:
                tier = str(change.value)
        more = max(1, round(seats * self.pipeline_rng.uniform(0.1, 0.4)))
        amount = annual_value(tier, main.interval_at(end), self.company.currency, more)
        opened = end - self.pipeline_rng.randint(5, 40) * DAY
        stage = self.pipeline_rng.choice(
            [sid for sid, _, _, closed in SALES_STAGES[1:] if not closed]
        )
        close = end + self.pipeline_rng.randint(10, 120) * DAY
        at(opened, self._open_expansion_deal, amount, stage, close)

    def _open_expansion_deal(self, amount: float, stage: str, close: int) -> None:
        opened = self._current_moment
        stages = [(opened, "qualifiedtobuy")]
        if stage != "qualifiedtobuy":
            stages.append((opened + (self.window.end_ts - opened) // 2, stage))
        story_rng, self.rng = self.rng, self.pipeline_rng
        try:
            name = f"{self.company.name} - Seat expansion"
            self._deal(name, "existingbusiness", SALES_PIPELINE, amount, opened, stages, close)
        finally:
            self.rng = story_rng

    def _plan_renewal_deals(self, life: Life, at: Callable) -> None:
        """A renewal deal 90 days before each yearly term of the platform subscription ends."""
        main: SubPlan = life.main
        if life.paid_start is None:
            return
        horizon = self.window.end_ts + 90 * DAY
        for start, end, interval in main.periods(horizon):
            if interval != "year" or end <= life.paid_start:
                continue
            if end > horizon or (life.end is not None and life.end < end - 90 * DAY):
                break
            at(max(start + DAY, end - 90 * DAY), self._renewal_deal, life, end)
            if life.end is not None and life.end <= end:
                break

    def _renewal_deal(self, life: Life, term_end: int) -> None:
        opened = self._current_moment
        main = life.main
        amount = annual_value(main.plan, "year", self.company.currency, main.quantity)
        renewed = life.end is None or life.end > term_end
        stages = [(opened, "158903271"), (max(opened + DAY, term_end - 30 * DAY), "158903272")]
        close = term_end if renewed else (life.end or term_end)
        stages.append((close, "158903273" if renewed else "158903274"))
        year = day_of(term_end).year
        name = f"{self.company.name} - Renewal {year}"
        self._deal(name, "existingbusiness", RENEWAL_PIPELINE, amount, opened, stages, term_end)

    # ---- monthly activity: tickets, surveys, meetings, new contacts ----------------------

    def _monthly_activity(self, month_start: int, month_end: int) -> None:
        if not self.account.is_customer:
            return
        end = min(month_end, self.window.end_ts + 1)
        middle = (month_start + end) // 2
        life = self.account.life_at(middle) or self.account.life_at(month_start)
        if life is None:
            return
        risk = self.account.risk_at(middle)
        self._tickets(life, month_start, end, risk)
        if life.paid_start is not None:
            self._surveys(life, month_start, end)
            self._meetings(life, month_start, end)
        if self.rng.random() < {"SMB": 0.05, "MM": 0.1, "ENT": 0.2}[self.company.segment]:
            self._create_contact(month_start + self.rng.randint(0, end - month_start - 1))

    def _in_life(self, life: Life, ts: int) -> bool:
        return life.start <= ts and (life.end is None or ts < life.end)

    def _tickets(self, life: Life, start: int, end: int, risk: float) -> None:
        onboarding = life.paid_start is not None and start < life.paid_start + 60 * DAY
        rate = self.profile.tickets_monthly * (1 + 2.5 * risk) * (1.5 if onboarding else 1.0)
        for _ in range(_poisson(self.rng, rate * (end - start) / (30 * DAY))):
            ts = start + self.rng.randint(0, end - start - 1)
            if self._in_life(life, ts):
                self._ticket(ts, risk)

    def _ticket(self, ts: int, risk: float) -> None:
        ticket_id = self.ids.new("tickets")
        weights = (0.35 - 0.2 * risk, 0.4, 0.2 + 0.15 * risk, 0.05 + 0.05 * risk)
        props = {
            "subject": self.rng.choice(TICKET_SUBJECTS),
            "hs_pipeline": SUPPORT_PIPELINE,
            "hs_pipeline_stage": "1",
            "hs_ticket_priority": self.rng.choices(PRIORITIES, weights=weights)[0],
            "hs_ticket_category": self.rng.choice(
                ("PRODUCT_ISSUE", "BILLING_ISSUE", "GENERAL_INQUIRY")
            ),
            "createdate": iso_ms(ts),
            "closed_date": None,
            "hs_lastmodifieddate": iso_ms(ts),
            "hubspot_owner_id": self.company.owner_id,
            "hs_object_id": ticket_id,
        }
        associations = self._associate("ticket")
        self._object("tickets", ticket_id, ts, ts, props, associations=associations)
        resolve = int(self.rng.lognormvariate(math.log(30 * HOUR), 1.0) * (1 + risk))
        if self.rng.random() < 0.4:
            waiting = ts + self.rng.randint(HOUR, max(resolve // 2, HOUR + 1))
            props = dict(props, hs_pipeline_stage=self.rng.choice(("2", "3")))
            props["hs_lastmodifieddate"] = iso_ms(waiting)
            self._object("tickets", ticket_id, ts, waiting, props, associations=associations)
        closed = ts + max(resolve, HOUR)
        props = dict(props, hs_pipeline_stage="4", closed_date=self._date_prop(closed))
        props["hs_lastmodifieddate"] = iso_ms(closed)
        self._object("tickets", ticket_id, ts, closed, props, associations=associations)
        answered = closed + self.rng.randint(HOUR, 2 * DAY)
        contacts = self._contacts_at(answered)
        if contacts and self.rng.random() < 0.45:
            rating = _clamp(round(self.rng.gauss(4.3 - 2.0 * risk, 1.0)), 1, 5)
            self._feedback("CSAT", str(rating), None, answered, self.rng.choice(contacts))

    def _feedback(
        self, survey: str, value: str, group: str | None, ts: int, contact_id: str
    ) -> None:
        submission_id = self.ids.new("feedback_submissions")
        comments = NPS_COMMENTS.get(group or "", (None,))
        props = {
            "hs_survey_type": survey,
            "hs_survey_name": "Quarterly NPS" if survey == "NPS" else "Support CSAT",
            "hs_survey_channel": "EMAIL",
            "hs_value": value,
            "hs_response_group": group,
            "hs_content": self.rng.choice(comments),
            "hs_submission_timestamp": self._date_prop(ts),
            "hs_contact_id": contact_id,
            "hs_createdate": iso_ms(ts),
            "hs_object_id": submission_id,
        }
        self._object("feedback_submissions", submission_id, ts, ts, props)

    def _surveys(self, life: Life, start: int, end: int) -> None:
        """A quarterly NPS campaign; each live contact answers with some probability."""
        if self.next_nps == 0:
            self.next_nps = (life.paid_start or start) + self.rng.randint(20, 80) * DAY
        while self.next_nps < end:
            sent = self.next_nps
            self.next_nps += self.rng.randint(80, 100) * DAY
            if sent < start or not self._in_life(life, sent):
                continue
            risk = self.account.risk_at(sent)
            for contact_id in self._contacts_at(sent):
                if self.rng.random() < 0.35:
                    answered = sent + self.rng.randint(HOUR, 10 * DAY)
                    mean = self.account.nps_base - 4.0 * risk
                    score = _clamp(round(self.rng.gauss(mean, 1.6)), 0, 10)
                    group = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
                    if self._in_life(life, answered):
                        self._feedback("NPS", str(score), group, answered, contact_id)

    def _meetings(self, life: Life, start: int, end: int) -> None:
        """CSM touches on a cadence by segment; they thin out in the risk window."""
        if self.next_meeting == 0:
            self.next_meeting = (life.paid_start or start) + self.rng.randint(DAY, 20 * DAY)
        while self.next_meeting < end:
            ts = self.next_meeting
            risk = self.account.risk_at(ts)
            mean = self.profile.meeting_every_days * (1 + 1.2 * risk)
            self.next_meeting += int(self.rng.expovariate(1 / mean) * DAY) + DAY
            if ts >= start and self._in_life(life, ts) and ts + HOUR <= self.window.end_ts:
                self._meeting(life, ts, risk, max(start, ts - self.rng.randint(DAY, 14 * DAY)))

    def _meeting(self, life: Life, ts: int, risk: float, booked: int) -> None:
        meeting_id = self.ids.new("meetings")
        if life.paid_start is not None and ts < life.paid_start + 45 * DAY:
            title = "Onboarding call"
        elif self.company.segment == "ENT" and self.rng.random() < 0.3:
            title = "Quarterly business review"
        else:
            title = self.rng.choice(("Check-in", "Success plan review", "Product training"))
        no_show = 0.06 + 0.2 * risk
        outcome = self.rng.choices(
            ("COMPLETED", "NO_SHOW", "RESCHEDULED", "CANCELED"),
            weights=(0.85 - no_show, no_show, 0.06, 0.03),
        )[0]
        props = {
            "hs_timestamp": iso_ms(ts),
            "hs_meeting_title": title,
            "hs_meeting_outcome": "SCHEDULED",
            "hs_meeting_start_time": iso_ms(ts),
            "hs_meeting_end_time": iso_ms(ts + 45 * 60),
            "hubspot_owner_id": self.company.owner_id,
            "hs_createdate": iso_ms(booked),
            "hs_lastmodifieddate": iso_ms(booked),
            "hs_object_id": meeting_id,
        }
        associations = self._associate("meeting_event")
        self._object("meetings", meeting_id, booked, booked, dict(props), associations=associations)
        done = ts + 45 * 60 + self.rng.randint(10 * 60, DAY)
        props.update(hs_meeting_outcome=outcome, hs_lastmodifieddate=iso_ms(done))
        self._object("meetings", meeting_id, booked, done, props, associations=associations)


def owner_records(window: Window, seed: int) -> list[ApiRecord]:
    """The CSMs companies are assigned to (`hubspot_owner_id`), v3 owners API shape: fields at
    the top level, no `properties`. Exported once on the first day in one page; halfway through
    the window one owner changes last name and is re-exported whole with a later `updatedAt`.
    The last owner has no name in HubSpot (only an email), as happens for invited users."""
    rng = random.Random(f"{seed}:owners")
    first_names = rng.sample(FIRST_NAMES, len(OWNER_IDS))
    last_names = [rng.choice(LAST_NAMES) for _ in OWNER_IDS]
    created = window.start_ts + 60
    records, owners = [], []
    for seq, (owner_id, first, last) in enumerate(
        zip(OWNER_IDS, first_names, last_names, strict=True)
    ):
        named = seq < len(OWNER_IDS) - 1
        local = f"{first}.{last}" if named else f"csm{seq + 1}"
        owner = {
            "id": owner_id,
            "email": f"{local.lower()}@example.com",
            "firstName": first if named else "",
            "lastName": last if named else "",
            "userId": int(owner_id) % 100_000,
            "createdAt": iso_ms(created),
            "updatedAt": iso_ms(created),
            "archived": False,
        }
        owners.append(owner)
        records.append(
            ApiRecord(created, -3, seq, "hubspot", "owners", owner_id, dumps(owner), "", "page")
        )
    renamed_at = (window.start_ts + window.end_ts) // 2
    renamed = dict(owners[0])
    renamed["lastName"] = rng.choice([n for n in LAST_NAMES if n != renamed["lastName"]])
    renamed["updatedAt"] = iso_ms(renamed_at)
    records.append(
        ApiRecord(
            renamed_at,
            -3,
            len(records),
            "hubspot",
            "owners",
            renamed["id"],
            dumps(renamed),
            "",
            "page",
        )
    )
    return records


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: small means only (tickets per month)."""
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
