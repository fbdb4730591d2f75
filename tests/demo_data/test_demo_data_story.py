"""The story behind the data: churn is foreshadowed, and the small pure helpers behave."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import UTC, date, datetime

import pytest
from demo_landing import AS_OF, MONTHS, Landing

from demo_data.accounts import INVOLUNTARY, VOLUNTARY, build_accounts
from demo_data.bad_input import damage
from demo_data.config import SCALES, make_window
from demo_data.ids import HubSpotIds, StripeIds, company_id
from demo_data.timeutil import DAY, add_months, day_start

WINDOW = make_window(AS_OF, MONTHS)


def _seconds(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def _daily(times: list[int], start: int, end: int) -> float:
    return sum(start <= t < end for t in times) / max((end - start) / DAY, 1)


def test_churn_is_foreshadowed_by_usage_and_nps(demo: Landing) -> None:
    """HLT-2 needs a real signal: where the story puts an account at risk before it churns
    (most churners; some churn without warning), its usage and NPS fall in the data."""
    accounts = build_accounts(42, SCALES["small"], WINDOW)
    churns = {}  # company id -> (healthy period start, healthy period end, service end)
    for account in accounts:
        for life in account.lives:
            ending = life.main.ending
            if not ending or ending.kind not in VOLUNTARY + INVOLUNTARY or not life.risk_start:
                continue
            assert life.paid_start is not None and life.end is not None
            healthy = (life.paid_start + 30 * DAY, life.risk_start)
            if life.end <= WINDOW.end_ts and healthy[1] - healthy[0] >= 30 * DAY:
                churns[account.company.id] = (*healthy, life.end)
    assert len(churns) >= 3
    user_account: dict[str, str] = {}
    for event in demo.valid_records("segment/events"):
        if event["type"] == "group":
            user_account[event["userId"]] = event["groupId"]
    usage: dict[str, list[int]] = defaultdict(list)
    for event in demo.valid_records("segment/events"):
        usage[user_account.get(event["userId"], "")].append(_seconds(event["timestamp"]))
    healthy_rate = sum(_daily(usage[c], s, e) for c, (s, e, _) in churns.items())
    final_rate = sum(_daily(usage[c], end - 45 * DAY, end) for c, (_, _, end) in churns.items())
    assert final_rate < 0.6 * healthy_rate  # per day: usage fell by more than 40%
    contact_company = {
        c["id"]: c["properties"]["associatedcompanyid"]
        for c in demo.valid_records("hubspot/contacts")
    }
    near, other = [], []
    for submission in demo.valid_records("hubspot/feedback_submissions"):
        props = submission["properties"]
        if props["hs_survey_type"] != "NPS":
            continue
        company = contact_company[props["hs_contact_id"]]
        ts = _seconds(props["hs_createdate"])
        end = churns.get(company, (0, 0, 0))[2]
        (near if end - 90 * DAY <= ts < end else other).append(int(props["hs_value"]))
    assert near and sum(near) / len(near) < sum(other) / len(other) - 1.0


def test_add_months_keeps_the_anchor_day() -> None:
    jan_31 = int(datetime(2025, 1, 31, 10, tzinfo=UTC).timestamp())
    assert datetime.fromtimestamp(add_months(jan_31, 1), UTC).date() == date(2025, 2, 28)
    assert datetime.fromtimestamp(add_months(jan_31, 2), UTC).date() == date(2025, 3, 31)
    assert add_months(jan_31, 12) == int(datetime(2026, 1, 31, 10, tzinfo=UTC).timestamp())


def test_window_starts_on_the_first_of_a_month() -> None:
    window = make_window(date(2026, 7, 15), 24)
    assert window.start == date(2024, 7, 1)
    assert window.end_ts == day_start(date(2026, 7, 16)) - 1
    with pytest.raises(ValueError, match="months"):
        make_window(date(2026, 7, 15), 0)


def test_ids_are_unique_across_accounts_and_shaped_like_the_source() -> None:
    minters = [StripeIds(a, random.Random(0)) for a in range(300)]
    stripe = {minter.new("sub", 24) for minter in minters for _ in range(3)}
    assert len(stripe) == 900
    assert all(i.startswith("sub_") and len(i) == 28 for i in stripe)
    hubspot = {HubSpotIds(a).new("contacts") for a in range(300)}
    assert len(hubspot) == 300 and all(i.isdigit() for i in hubspot)
    assert len({company_id(a) for a in range(5_000)}) == 5_000


@pytest.mark.parametrize("kind", ["not_json", "missing_field", "wrong_type", "unknown_enum"])
def test_damaged_lines_are_bad_in_the_intended_way(kind: str) -> None:
    record = {"id": "sub_1", "object": "subscription", "status": "active", "created": 1}
    line = json.dumps(record)
    bad, detail = damage("stripe/subscriptions", kind, record, line, random.Random(0))
    assert detail and record["status"] == "active"  # the good record is left untouched
    if kind == "not_json":
        with pytest.raises(json.JSONDecodeError):
            json.loads(bad)
        return
    parsed = json.loads(bad)
    if kind == "missing_field":
        assert "status" not in parsed
    elif kind == "wrong_type":
        assert isinstance(parsed["created"], str)
    else:
        assert parsed["status"] == "on_hold"
