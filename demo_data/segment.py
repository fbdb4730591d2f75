"""Segment events (S3 destination format), generated and written in vectorised daily chunks.

There is no Python loop per event: each UTC day, numpy draws which users are active and how
many calls each makes; DuckDB renders the JSON lines of whole batches of received days; gzip
writes one part per received day. Memory holds a few days of events, never the stream.

Usage follows the story: users of an account are active only while it has a subscription,
less during a trial that will not convert, and ever less through the risk window before churn.
Raw-log realities are injected: ~1% duplicate deliveries (same messageId and payload, later
`receivedAt`), ~2% late arrivals (received 1-3 days after `timestamp`, so they land in a later
received-day partition), and a few malformed lines (see bad_input.py).
"""

from __future__ import annotations

import json
import random
import re
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from demo_data.accounts import Account
from demo_data.bad_input import Injection, damage
from demo_data.config import Scale, Window
from demo_data.files import part_path, write_lines
from demo_data.records import dumps
from demo_data.report import BadLine, GeneratorReport
from demo_data.stripe.catalog import TIERS
from demo_data.timeutil import DAY

MS_PER_DAY = 86_400_000
NEVER = np.iinfo(np.int64).max // 4
LIVES = 3  # life slots per account (Account planning caps lives at 3)
EXTRA_EVENTS = 4.0  # mean calls beyond the first on an active user-day
LATE_SHARE = 0.02
DUPLICATE_SHARE = 0.01
PAGE_SHARE = 0.22
RENDER_BATCH = 400_000  # events rendered per DuckDB call
MAX_PENDING_WRITES = 8  # day files waiting for gzip: bounds memory

# Track events: (name, weights for starter/pro/enterprise accounts, property, its values).
# The last two are non-qualifying for ENG-1 (the dbt seed lists them); the rest are product use.
TRACK_EVENTS: tuple[tuple[str, tuple[float, float, float], str, tuple[str, ...]], ...] = (
    ("Dashboard Viewed", (30, 28, 26), "dashboard_id", tuple(f"dsh_{i}" for i in range(40))),
    ("Report Created", (10, 12, 13), "report_type", ("funnel", "cohort", "revenue", "retention")),
    ("Export Downloaded", (5, 7, 8), "format", ("csv", "xlsx", "pdf")),
    ("Invite Sent", (1.0, 1.2, 1.5), "invitee_role", ("viewer", "editor", "admin")),
    ("Alert Created", (0.5, 2, 3), "metric", ("mrr", "signups", "churn")),
    ("Integration Connected", (0.2, 0.6, 1), "integration", ("salesforce", "snowflake", "slack")),
    ("Workflow Run", (0.0, 2, 4), "workflow_id", tuple(f"wf_{i}" for i in range(25))),
    ("Email Opened", (8, 8, 8), "campaign", ("onboarding", "monthly_digest", "product_update")),
    ("Session Heartbeat", (25, 25, 25), "interval_s", ("60", "120")),
)
PAGES = ("Home", "Dashboards", "Reports", "Integrations", "Settings", "Billing")
KIND_TRACK, KIND_PAGE, KIND_IDENTIFY, KIND_GROUP = 0, 1, 2, 3
_TZ_HOURS = {"usd": -5.0, "eur": 1.0, "gbp": 0.0, "jpy": 9.0}
_FIRST = ("ana", "ben", "chloe", "dev", "emma", "farid", "grace", "hiro", "ines", "jonas")
_ROLES = ("admin", "editor", "viewer", "viewer")
_USER_AGENTS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
)


@dataclass
class SegmentInputs:
    """Everything the Segment writer needs, as plain arrays (cheap to send to a process)."""

    window: Window
    seed: int
    target_events: int
    injections: list[Injection]
    group_id: np.ndarray  # per account (object)
    company: np.ndarray
    domain: np.ndarray
    plan: np.ndarray
    industry: np.ndarray
    employees: np.ndarray
    tier: np.ndarray  # int8 index into TIERS
    tz_hours: np.ndarray
    engagement: np.ndarray
    life_start: np.ndarray  # (accounts, LIVES) Unix seconds; NEVER when unused
    life_end: np.ndarray
    trial_only: np.ndarray  # the life never paid: a trial that did not convert
    risk_start: np.ndarray
    severity: np.ndarray
    dip_start: np.ndarray
    dip_end: np.ndarray
    user_account: np.ndarray  # per user
    user_join: np.ndarray
    propensity: np.ndarray
    user_id: np.ndarray
    anonymous_id: np.ndarray
    email: np.ndarray
    name: np.ndarray
    role: np.ndarray


def segment_inputs(
    accounts: list[Account], window: Window, seed: int, scale: Scale, injections: list[Injection]
) -> SegmentInputs:
    customers = [a for a in accounts if a.is_customer]
    n = len(customers)
    rng = np.random.default_rng([seed, 7])
    life_start = np.full((n, LIVES), NEVER, dtype=np.int64)
    life_end = np.full((n, LIVES), NEVER, dtype=np.int64)
    trial_only = np.zeros((n, LIVES), dtype=bool)
    risk_start = np.full((n, LIVES), NEVER, dtype=np.int64)
    severity = np.zeros((n, LIVES), dtype=np.float32)
    dip = np.full((n, 2), NEVER, dtype=np.int64)
    for i, account in enumerate(customers):
        for j, life in enumerate(account.lives):
            life_start[i, j] = life.start
            life_end[i, j] = life.end if life.end is not None else NEVER
            trial_only[i, j] = life.paid_start is None
            if life.risk_start is not None:
                risk_start[i, j], severity[i, j] = life.risk_start, life.severity
        if account.dip:
            dip[i] = account.dip
    users = np.array([a.users for a in customers], dtype=np.int64)
    user_account = np.repeat(np.arange(n, dtype=np.int32), users)
    first_start = life_start[:, 0][user_account]
    # Most users arrive with the rollout in the first two weeks, the rest within half a year.
    early = rng.random(len(user_account)) < 0.7
    spread = np.where(early, 14 * DAY, 180 * DAY).astype(np.float64)
    user_join = first_start + (rng.random(len(user_account)) * spread).astype(np.int64)
    u = len(user_account)
    # A bijection of the user index (odd multiplier mod 2**48): unique, random-looking ids.
    with np.errstate(over="ignore"):
        mixed = np.arange(u, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(seed)
    hexes = (mixed & np.uint64(2**48 - 1)).astype(np.int64)
    anon = rng.integers(0, 2**63, size=(u, 2), dtype=np.int64)
    domains = [a.company.domain for a in customers]
    first_names = [_FIRST[k % len(_FIRST)] for k in range(u)]
    return SegmentInputs(
        window=window,
        seed=seed,
        target_events=round(scale.target_events * window.days / 730),
        injections=[i for i in injections if i.key == "segment/events"],
        group_id=np.array([a.company.id for a in customers], dtype=object),
        company=np.array([a.company.name for a in customers], dtype=object),
        domain=np.array(domains, dtype=object),
        plan=np.array([a.lives[0].main.plan for a in customers], dtype=object),
        industry=np.array([a.company.industry for a in customers], dtype=object),
        employees=np.array([a.company.employees for a in customers], dtype=np.int64),
        tier=np.array([TIERS.index(a.lives[0].main.plan) for a in customers], dtype=np.int8),
        tz_hours=np.array([_TZ_HOURS[a.company.currency] for a in customers], dtype=np.float64),
        engagement=np.array([a.engagement for a in customers], dtype=np.float64),
        life_start=life_start,
        life_end=life_end,
        trial_only=trial_only,
        risk_start=risk_start,
        severity=severity,
        dip_start=dip[:, 0].copy(),
        dip_end=dip[:, 1].copy(),
        user_account=user_account,
        user_join=user_join,
        propensity=np.exp(rng.normal(0.0, 0.6, size=u)),
        user_id=np.array([f"usr_{h:012x}" for h in hexes], dtype=object),
        anonymous_id=np.array([_uuid(f"{a:016x}{b:016x}") for a, b in anon], dtype=object),
        email=np.array(
            [
                f"{first_names[k]}.{hexes[k] % 9973}@{domains[a]}"
                for k, a in enumerate(user_account)
            ],
            dtype=object,
        ),
        name=np.array(
            [f"{f.title()} {h % 97}" for f, h in zip(first_names, hexes, strict=True)],
            dtype=object,
        ),
        role=np.array([_ROLES[h % len(_ROLES)] for h in hexes], dtype=object),
    )


_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')


def _check_json_safe(inputs: SegmentInputs) -> None:
    """The render SQL splices these strings into JSON text unescaped: refuse any that would
    need an escape rather than write a broken line."""
    for name in ("group_id", "company", "domain", "plan", "industry", "user_id", "email", "name"):
        if _NEEDS_ESCAPE.search("".join(getattr(inputs, name))):
            raise ValueError(f"segment input {name} holds a character that needs a JSON escape")


def _uuid(value: str) -> str:
    return f"{value[:8]}-{value[8:12]}-4{value[13:16]}-a{value[17:20]}-{value[20:32]}"


class _DaySimulator:
    """Draws one UTC day of calls for all users at once."""

    def __init__(self, inputs: SegmentInputs) -> None:
        self.x = inputs
        self.rng = np.random.default_rng([inputs.seed, 11])
        weights = np.array([w for _, w, _, _ in TRACK_EVENTS], dtype=np.float64).T  # tiers x events
        self.track_cdf = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
        self.seen = np.zeros(len(inputs.user_account), dtype=bool)
        self.message_counter = 0
        self.rate = self._calibrate()

    def account_activity(self, midday: int) -> np.ndarray:
        """Usage level per account at `midday`: 0 without a subscription, lower in a trial
        that will not convert, ramping up in onboarding, falling through the risk window."""
        x = self.x
        level = np.zeros(len(x.group_id))
        for j in range(LIVES):
            start, end = x.life_start[:, j], x.life_end[:, j]
            alive = (start <= midday) & (midday < end)
            onboarding = np.clip(0.4 + 0.6 * (midday - start) / (30 * DAY), 0.4, 1.0)
            base = np.where(x.trial_only[:, j], 0.35, 1.0) * onboarding
            risk_start = x.risk_start[:, j]
            in_risk = (risk_start <= midday) & (midday < end)
            progress = (midday - risk_start) / np.maximum(end - risk_start, 1)
            risk = np.where(in_risk, x.severity[:, j] * progress, 0.0)
            level += np.where(alive, base * (1.0 - 0.85 * risk), 0.0)
        dip = (x.dip_start <= midday) & (midday < x.dip_end)
        return level * x.engagement * np.where(dip, 0.5, 1.0)

    def user_probability(self, day_start: int, rate: float) -> np.ndarray:
        """Each user's chance of being active on the day (before the cap)."""
        midday = day_start + DAY // 2
        weekday = (day_start // DAY + 3) % 7  # 1970-01-01 was a Thursday
        weekend = 0.25 if weekday >= 5 else 1.0
        joined = self.x.user_join <= midday
        level = self.account_activity(midday)[self.x.user_account]
        return np.where(joined, rate * self.x.propensity * level * weekend, 0.0)

    def _calibrate(self) -> float:
        """The activity rate at which the window yields about `target_events` calls.

        Estimated on every 5th day (a stride of 7 would sample one weekday only); a few
        fixed-point steps account for the cap on a user's daily probability, which makes the
        total grow less than linearly with the rate.
        """
        window = self.x.window
        days = [window.start_ts + d * DAY for d in range(0, window.days, 5)]
        calls_per_active_day = 1 + EXTRA_EVENTS + 0.02  # + an occasional repeated group call
        # Every user also identifies and joins their account once, when first seen.
        target = max(self.x.target_events - 2 * len(self.x.user_account), self.x.target_events / 2)
        rate = 1.0
        for _ in range(4):
            # Recomputed per step rather than kept: a day of weights is a float per user.
            active = sum(
                float(np.minimum(self.user_probability(day, rate), 0.95).sum()) for day in days
            )
            expected = active * calls_per_active_day * window.days / len(days)
            if expected <= 0:
                return 1.0
            rate *= target / expected
        return rate

    def _message_ids(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """128-bit ids: a bijection of a global counter (unique) and 64 random bits."""
        counter = np.arange(self.message_counter, self.message_counter + count, dtype=np.uint64)
        self.message_counter += count
        with np.errstate(over="ignore"):
            mixed = counter * np.uint64(0x9E3779B97F4A7C15)  # odd: a bijection mod 2**64
            mixed ^= mixed >> np.uint64(29)  # xor-shift is invertible too
        return mixed, self.rng.integers(0, 2**63, size=count, dtype=np.int64).astype(np.uint64)

    def day(self, day_start: int) -> dict[str, np.ndarray]:
        """All calls whose `timestamp` falls on this day, with their delivery times."""
        x, rng = self.x, self.rng
        probability = np.minimum(self.user_probability(day_start, self.rate), 0.95)
        active = np.flatnonzero(rng.random(len(probability)) < probability)
        counts = 1 + rng.poisson(EXTRA_EVENTS, size=len(active))
        user = np.repeat(active, counts).astype(np.int32)
        account = x.user_account[user]
        local = np.clip(rng.normal(13.5 * 3600, 2.5 * 3600, size=len(user)), 0, DAY - 1)
        second = np.mod(local - x.tz_hours[account] * 3600, DAY).astype(np.int64)
        ts = (day_start + second) * 1000 + rng.integers(0, 1000, size=len(user))
        kind = np.where(rng.random(len(user)) < PAGE_SHARE, KIND_PAGE, KIND_TRACK).astype(np.int8)
        # A user seen for the first time identifies and joins their account first.
        first_seen = active[~self.seen[active]]
        self.seen[active] = True
        again = active[rng.random(len(active)) < 0.02]
        intro = np.concatenate([first_seen, first_seen, again])
        intro_kind = np.concatenate(
            [
                np.full(len(first_seen), KIND_IDENTIFY),
                np.full(len(first_seen), KIND_GROUP),
                np.full(len(again), KIND_GROUP),
            ]
        ).astype(np.int8)
        first_ts = np.full(len(x.user_account), np.iinfo(np.int64).max)
        np.minimum.at(first_ts, user, ts)
        intro_ts = np.maximum(
            first_ts[intro] - rng.integers(1000, 5000, size=len(intro)), day_start * 1000
        )
        user = np.concatenate([user, intro.astype(np.int32)])
        ts = np.concatenate([ts, intro_ts])
        kind = np.concatenate([kind, intro_kind])
        account = x.user_account[user]
        n = len(user)
        tier = x.tier[account]
        event = (rng.random(n)[:, None] > self.track_cdf[tier]).sum(axis=1).astype(np.int8)
        newcomer = np.isin(user, first_seen)
        return self._deliveries(
            {
                "kind": kind,
                "event": np.minimum(event, len(TRACK_EVENTS) - 1),
                "user": user,
                "account": account,
                "ts": ts,
                "context_group": newcomer | (rng.random(n) < 0.7),
                "p": rng.integers(0, 1_000, size=n).astype(np.int32),
            }
        )

    def _deliveries(self, calls: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Add sentAt/receivedAt, late arrivals and duplicate deliveries."""
        rng = self.rng
        n = len(calls["ts"])
        ts = calls["ts"]
        latency = rng.integers(30, 1500, size=n)
        late = rng.random(n) < LATE_SHARE
        delay = rng.integers(1, 4, size=n) * MS_PER_DAY + rng.integers(0, 6 * 3600 * 1000, size=n)
        received = np.where(late, ts + delay, ts + latency)
        on_time_sent = ts + (latency * rng.uniform(0.05, 0.5, size=n)).astype(np.int64)
        sent = np.where(late, received - rng.integers(20, 500, size=n), on_time_sent)
        high, low = self._message_ids(n)
        calls.update(sent=sent, received=received, id_high=high, id_low=low)
        calls["duplicate"] = np.zeros(n, dtype=bool)
        copies = np.flatnonzero(rng.random(n) < DUPLICATE_SHARE)
        if len(copies):
            dup = {k: v[copies] for k, v in calls.items()}
            dup["received"] = dup["received"] + rng.integers(
                1000, 48 * 3600 * 1000, size=len(copies)
            )
            dup["duplicate"][:] = True
            calls = {k: np.concatenate([calls[k], dup[k]]) for k in calls}
        # Not yet received by the end of as_of: not in the landing folder yet.
        keep = calls["received"] <= self.x.window.end_ts * 1000 + 999
        return {k: v[keep] for k, v in calls.items()}


# JSON text is assembled by concatenation, in the key order Segment writes. Every value spliced
# in is an id, a number or a name from this package's own word lists, none needing JSON
# escapes (segment_inputs checks that); nested json_object() calls were 6x slower.
_RENDER_SQL = """
with calls as (
    select
        batch.row_number,
        batch.kind,
        batch.event,
        batch.p,
        users.user_id,
        users.anonymous_id,
        users.email,
        users.user_name,
        users.user_role,
        accounts.group_id,
        accounts.company,
        accounts.plan,
        accounts.industry,
        accounts.employees,
        {event_names}[batch.event + 1] as event_name,
        {page_names}[batch.p % {page_count} + 1] as page_name,
        strftime(make_timestamp(batch.ts * 1000), '%Y-%m-%dT%H:%M:%S.%gZ') as ts_text,
        strftime(make_timestamp(batch.sent * 1000), '%Y-%m-%dT%H:%M:%S.%gZ') as sent_text,
        strftime(make_timestamp(batch.received * 1000), '%Y-%m-%dT%H:%M:%S.%gZ')
            as received_text,
        concat('ajs-next-', lower(lpad(to_hex(batch.id_high), 16, '0')),
            lower(lpad(to_hex(batch.id_low), 16, '0'))) as message_id,
        concat('{', case when batch.context_group then concat('"groupId":"', accounts.group_id,
            '",') else '' end,
            '"library":{"name":"analytics.js","version":"next-1.72.0"},"locale":"en-US",',
            '"userAgent":"', users.user_agent, '"}') as context
    from batch
    join users on users.user_index = batch.user_index
    join accounts on accounts.account_index = batch.account_index
),

parts as (
    select
        row_number,
        kind,
        concat('{"anonymousId":"', anonymous_id, '","context":', context) as head,
        concat(',"integrations":{},"messageId":"', message_id, '"') as message,
        concat(',"originalTimestamp":"', ts_text, '"') as original,
        concat(',"receivedAt":"', received_text, '","sentAt":"', sent_text,
            '","timestamp":"', ts_text, '"') as times,
        concat('","userId":"', user_id, '","version":2}') as tail,
        *
    from calls
)

select case kind
    when 0 then concat(head, ',"event":"', event_name, '"', message, original,
        ',"properties":', {track_properties}, times, ',"type":"track', tail)
    when 1 then concat(head, message, ',"name":"', page_name, '"', original,
        ',"properties":{"path":"/', lower(page_name), '","title":"', page_name,
        ' - Lumen","url":"https://app.lumen.example/', lower(page_name), '"}',
        times, ',"type":"page', tail)
    when 2 then concat(head, message, original, times,
        ',"traits":{"email":"', email, '","name":"', user_name, '","role":"', user_role,
        '"},"type":"identify', tail)
    else concat(head, ',"groupId":"', group_id, '"', message, original, times,
        ',"traits":{"name":"', company, '","plan":"', plan, '","industry":"', industry,
        '","employees":', employees, '},"type":"group', tail)
end as line
from parts
order by row_number
"""


def _sql_list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _property_sql(key: str, values: tuple[str, ...]) -> str:
    value = f"{_sql_list(values)}[p % {len(values)} + 1]"
    if all(v.isdigit() for v in values):
        return f"""concat('{{"{key}":', {value}, '}}')"""
    return f"""concat('{{"{key}":"', {value}, '"}}')"""


def _render_sql() -> str:
    cases = " ".join(
        f"when {i} then {_property_sql(key, values)}"
        for i, (_, _, key, values) in enumerate(TRACK_EVENTS)
    )
    return (
        _RENDER_SQL.replace("{track_properties}", f"case event {cases} end")
        .replace("{event_names}", _sql_list([name for name, _, _, _ in TRACK_EVENTS]))
        .replace("{page_names}", _sql_list(PAGES))
        .replace("{page_count}", str(len(PAGES)))
    )


class SegmentWriter:
    def __init__(self, inputs: SegmentInputs, out: Path, report: GeneratorReport) -> None:
        _check_json_safe(inputs)
        self.x = inputs
        self.out = out
        self.report = report
        self.con = duckdb.connect()
        self.con.execute("set threads = 2")
        self.con.execute("set enable_progress_bar = false")
        self._load_dimensions()
        self.sql = _render_sql()
        self.rng = random.Random(f"{inputs.seed}:segment-bad")
        self.injections = list(inputs.injections)
        self.pending: list[dict[str, np.ndarray]] = []
        self.pending_rows = 0
        # gzip runs in a thread (zlib releases the GIL) while DuckDB renders the next batch.
        self.io = ThreadPoolExecutor(max_workers=1)
        self.writes: deque[Future] = deque()

    def _load_dimensions(self) -> None:
        """Users and accounts live in DuckDB once; each batch only carries integer keys, so no
        Python string crosses into DuckDB per event."""
        x = self.x
        users = pd.DataFrame(
            {
                "user_index": np.arange(len(x.user_account), dtype=np.int32),
                "user_id": x.user_id,
                "anonymous_id": x.anonymous_id,
                "email": x.email,
                "user_name": x.name,
                "user_role": x.role,
                "user_agent": np.array(_USER_AGENTS, dtype=object)[
                    np.arange(len(x.user_account)) % len(_USER_AGENTS)
                ],
            }
        )
        accounts = pd.DataFrame(
            {
                "account_index": np.arange(len(x.group_id), dtype=np.int32),
                "group_id": x.group_id,
                "company": x.company,
                "plan": x.plan,
                "industry": x.industry,
                "employees": x.employees,
            }
        )
        for name, frame in (("users", users), ("accounts", accounts)):
            self.con.register(f"{name}_frame", frame)
            self.con.execute(f"create table {name} as select * from {name}_frame")
            self.con.unregister(f"{name}_frame")

    def run(self) -> None:
        simulator = _DaySimulator(self.x)
        window = self.x.window
        buffered: list[dict[str, np.ndarray]] = []
        for offset in range(window.days):
            day_start = window.start_ts + offset * DAY
            calls = simulator.day(day_start)
            original = ~calls["duplicate"]
            received_day = calls["received"] // MS_PER_DAY
            late = original & (received_day > calls["ts"] // MS_PER_DAY)
            self.report.late_events += int(late.sum())
            self.report.duplicate_message_ids += int(calls["duplicate"].sum())
            calls["received_day"] = received_day
            buffered.append(calls)
            # Calls are never received before their timestamp: every received day up to
            # today is now complete and can be written.
            complete = day_start // DAY
            ready = [{k: v[c["received_day"] <= complete] for k, v in c.items()} for c in buffered]
            buffered = [
                {k: v[c["received_day"] > complete] for k, v in c.items()} for c in buffered
            ]
            buffered = [c for c in buffered if len(c["ts"])]
            self._queue(ready, force=offset == window.days - 1)
        self.con.close()
        while self.writes:
            self.writes.popleft().result()  # re-raises a failed write
        self.io.shutdown()

    def _queue(self, parts: list[dict[str, np.ndarray]], force: bool) -> None:
        parts = [p for p in parts if len(p["ts"])]
        self.pending.extend(parts)
        self.pending_rows += sum(len(p["ts"]) for p in parts)
        if self.pending and (force or self.pending_rows >= RENDER_BATCH):
            batch = {k: np.concatenate([p[k] for p in self.pending]) for k in self.pending[0]}
            self.pending, self.pending_rows = [], 0
            self._render(batch)

    def _render(self, batch: dict[str, np.ndarray]) -> None:
        order = np.lexsort((batch["id_low"], batch["received"]))
        batch = {k: v[order] for k, v in batch.items()}
        frame = pd.DataFrame(
            {
                "row_number": np.arange(len(order), dtype=np.int64),
                "kind": batch["kind"],
                "event": batch["event"],
                "p": batch["p"],
                "ts": batch["ts"],
                "sent": batch["sent"],
                "received": batch["received"],
                "id_high": batch["id_high"],
                "id_low": batch["id_low"],
                "context_group": batch["context_group"],
                "user_index": batch["user"],
                "account_index": batch["account"].astype(np.int32),
            }
        )
        self.con.register("batch", frame)
        lines = self.con.execute(self.sql).fetchnumpy()["line"]
        self.con.unregister("batch")
        days = batch["received_day"]
        bounds = np.flatnonzero(np.diff(days)) + 1
        for start, end in zip(np.r_[0, bounds], np.r_[bounds, len(days)], strict=True):
            self._write_day(int(days[start]), list(lines[start:end]))

    def _write_day(self, epoch_day: int, lines: list[str]) -> None:
        day = self.x.window.start + timedelta(days=epoch_day - self.x.window.start_ts // DAY)
        path = part_path(self.out, "segment", "events", day, 0, gz=True)
        valid = len(lines)
        for injection in list(self.injections):
            if injection.not_before <= day:
                self._inject(injection, path, lines)
                self.injections.remove(injection)
                break  # one bad line per file keeps the recorded line numbers exact
        self.writes.append(self.io.submit(write_lines, path, lines))
        while len(self.writes) > MAX_PENDING_WRITES:
            self.writes.popleft().result()
        counts = self.report.count("segment/events")
        counts.records += valid
        counts.lines += len(lines)
        counts.files += 1
        self.report.files_written += 1

    def _inject(self, injection: Injection, path: Path, lines: list[str]) -> None:
        source = self.rng.choice(lines)
        record = json.loads(source)
        # A fresh messageId: a quarantined line must not look like a copy of a good event.
        record["messageId"] = f"ajs-next-{self.rng.getrandbits(128):032x}"
        bad, detail = damage("segment/events", injection.kind, record, dumps(record), self.rng)
        position = self.rng.randint(0, len(lines))
        lines.insert(position, bad)
        relative = str(path.relative_to(self.out))
        self.report.add_bad(
            "segment/events", BadLine(relative, position + 1, injection.kind, detail)
        )


def write_segment(inputs: SegmentInputs, out: Path, report: GeneratorReport) -> GeneratorReport:
    SegmentWriter(inputs, out, report).run()
    return report
