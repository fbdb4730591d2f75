"""The pandas peer on a hand-written landing folder: values computed by hand below."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from bench.pandas_peer import compare, compute
from bench.pandas_peer import engagement as peer_engagement
from bench.pandas_peer import landing as peer_landing
from bench.pandas_peer import segment as peer_segment

AS_OF = date(2026, 5, 15)


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def company(company_id: str, segment: str) -> dict:
    return {
        "id": company_id,
        "properties": {"name": f"Company {company_id}", "segment": segment},
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-01-01T00:00:00Z",
        "archived": False,
    }


def contact(contact_id: str, company_id: str) -> dict:
    return {
        "id": contact_id,
        "properties": {"email": f"{contact_id}@example.com", "associatedcompanyid": company_id},
        "updatedAt": "2026-01-02T00:00:00Z",
        "archived": False,
    }


def response(
    response_id: str,
    score: str,
    submitted: str,
    contact_id: str | None = None,
    survey: str = "NPS",
    updated: str | None = None,
    **extra: object,
) -> dict:
    record = {
        "id": response_id,
        "properties": {
            "hs_survey_type": survey,
            "hs_value": score,
            "hs_submission_timestamp": submitted,
            "hs_contact_id": contact_id,
        },
        "createdAt": submitted if "T" in submitted else "2026-04-01T00:00:00Z",
        "updatedAt": updated or "2026-04-01T00:00:00Z",
        "archived": False,
    }
    record.update(extra)
    return record


def track(message_id: str, user: str, event: str, at: str, received: str, group: str | None):
    call = {
        "type": "track",
        "messageId": message_id,
        "userId": user,
        "event": event,
        "timestamp": at,
        "receivedAt": received,
        "properties": {},
    }
    if group:
        call["context"] = {"groupId": group}
    return call


@pytest.fixture
def marts(landing) -> dict[str, pd.DataFrame]:
    # CRM: two companies in two segments, one contact each
    landing.write("hubspot/companies", "2026-04-01", [company("c1", "ENT"), company("c2", "SMB")])
    landing.write("hubspot/contacts", "2026-04-01", [contact("k1", "c1"), contact("k2", "c2")])

    # NPS responses. April: 3 promoters (r1, r2, r3), 1 passive (r4), 1 detractor (r5).
    day1 = [
        json.dumps(response("r1", "9", "1775642400000", "k1")),  # epoch ms, 2026-04-08
        json.dumps(response("r2", "10", "2026-04-09T10:00:00Z", "k1")),
        # r3's first version says 4; a later version (updatedAt) says 9
        json.dumps(response("r3", "4", "2026-04-10T10:00:00Z", "k2")),
        json.dumps(
            {
                "results": [
                    response("r4", "7", "2026-04-11T10:00:00Z", "k2"),
                    # no contact: the company the submission is associated with
                    response(
                        "r5",
                        "3",
                        "2026-04-12T10:00:00Z",
                        associations={"companies": {"results": [{"id": "c1"}]}},
                    ),
                ],
                "paging": None,
            }
        ),
        json.dumps(response("r6", "5", "2026-04-12T11:00:00Z", "k1", survey="CSAT")),
        json.dumps(response("r7", "0", "2026-04-13T10:00:00Z", "k1") | {"archived": True}),
        json.dumps(response("r8", "11", "2026-04-13T11:00:00Z", "k1")),  # not on the scale
        '{"id": "r9", "properties": {"hs_value": "1"',  # not JSON: quarantined
    ]
    wrong_type = response("r10", "0", "2026-04-14T10:00:00Z", "k1")
    wrong_type["properties"]["hs_value"] = 0  # quarantined: hs_value must be a string
    day1.append(json.dumps(wrong_type))
    landing.write_lines("hubspot/feedback_submissions", "2026-04-15", day1)
    landing.write(
        "hubspot/feedback_submissions",
        "2026-04-20",
        [
            response("r3", "9", "2026-04-10T10:00:00Z", "k2", updated="2026-04-20T00:00:00Z"),
            # May: one detractor of a contact without a company -> segment 'unknown'
            response("r11", "6", "2026-05-02T10:00:00Z", "k9"),
            response("r12", "10", "2026-05-20T10:00:00Z", "k1"),  # after as_of
        ],
    )

    # Segment. u1 on 05-01 and 05-03 (late), u2 on 05-03 through its group call.
    landing.write(
        "segment/events",
        "2026-05-01",
        [
            {
                "type": "group",
                "messageId": "g1",
                "userId": "u2",
                "groupId": "c1",
                "timestamp": "2026-04-30T09:00:00Z",
                "receivedAt": "2026-04-30T09:00:01Z",
            },
            track(
                "m1", "u1", "Report Created", "2026-05-01T10:00:00Z", "2026-05-01T10:00:01Z", "c1"
            ),
        ],
        gz=True,
    )
    landing.write_lines(
        "segment/events",
        "2026-05-02",
        [
            # a duplicate of m1, received later: dropped
            json.dumps(
                track(
                    "m1",
                    "u1",
                    "Report Created",
                    "2026-05-01T10:00:00Z",
                    "2026-05-02T08:00:00Z",
                    "c1",
                )
            ),
            json.dumps(
                track("m2", "u1", "Heartbeat", "2026-05-02T10:00:00Z", "2026-05-02T10:00:01Z", "c1")
            ),
            '{"type": "track", "messageId": "bad"',  # not JSON
            json.dumps(  # a track call without `event`: quarantined
                {
                    k: v
                    for k, v in track(
                        "m9", "u9", "X", "2026-05-02T11:00:00Z", "2026-05-02T11:00:00Z", "c1"
                    ).items()
                    if k != "event"
                }
            ),
        ],
        gz=True,
    )
    landing.write(
        "segment/events",
        "2026-05-03",
        [
            track(
                "m3", "u2", "Dashboard Viewed", "2026-05-03T09:00:00Z", "2026-05-03T09:00:01Z", None
            )
        ],
        gz=True,
    )
    landing.write(
        "segment/events",
        "2026-05-06",
        [
            # late: received on 05-06, belongs to 05-03
            track(
                "m4", "u1", "Report Created", "2026-05-03T08:00:00Z", "2026-05-06T07:00:00Z", "c1"
            ),
            track(
                "m5", "u3", "Report Created", "2026-05-20T08:00:00Z", "2026-05-20T08:00:00Z", "c1"
            ),
        ],
        gz=True,
    )

    # Stripe: c1 pays 10 seats x $50 a month since 2026-04-10
    start = epoch("2026-04-10T00:00:00")
    landing.write(
        "stripe/products",
        "2026-04-10",
        [{"id": "prod_seat", "object": "product", "created": start, "unit_label": "seat"}],
    )
    landing.write(
        "stripe/customers",
        "2026-04-10",
        [
            {
                "id": "cus_1",
                "object": "customer",
                "created": start,
                "currency": "usd",
                "metadata": {"hubspot_company_id": "c1"},
            }
        ],
    )
    price = {
        "id": "price_seat",
        "object": "price",
        "product": "prod_seat",
        "currency": "usd",
        "unit_amount": 5000,
        "type": "recurring",
        "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"},
    }
    subscription = {
        "id": "sub_1",
        "object": "subscription",
        "customer": "cus_1",
        "status": "active",
        "created": start,
        "start_date": start,
        "currency": "usd",
        "discounts": [],
        "items": {
            "object": "list",
            "data": [{"id": "si_1", "created": start, "quantity": 10, "price": price}],
        },
    }
    landing.write(
        "stripe/subscriptions", "2026-04-10", [{"object": "list", "data": [subscription]}]
    )
    return compute(landing.root, AS_OF)


def test_nps_monthly_by_hand(marts: dict[str, pd.DataFrame]) -> None:
    nps = marts["fct_nps_monthly"]
    rows = {(row.month.date().isoformat(), row.segment): row for row in nps.itertuples(index=False)}
    assert sorted(rows) == [
        (month, segment)
        for month in ("2026-04-01", "2026-05-01")
        for segment in ("ENT", "SMB", "all", "unknown")
    ]
    expected = {
        # (responses, promoters, passives, detractors, nps)
        ("2026-04-01", "all"): (5, 3, 1, 1, 40.0),
        ("2026-04-01", "ENT"): (3, 2, 0, 1, 100 / 3),
        ("2026-04-01", "SMB"): (2, 1, 1, 0, 50.0),
        ("2026-04-01", "unknown"): (0, 0, 0, 0, None),
        ("2026-05-01", "all"): (1, 0, 0, 1, -100.0),
        ("2026-05-01", "unknown"): (1, 0, 0, 1, -100.0),
        ("2026-05-01", "ENT"): (0, 0, 0, 0, None),
        ("2026-05-01", "SMB"): (0, 0, 0, 0, None),
    }
    for key, (responses, promoters, passives, detractors, score) in expected.items():
        row = rows[key]
        assert (row.responses, row.promoters, row.passives, row.detractors) == (
            responses,
            promoters,
            passives,
            detractors,
        ), key
        if score is None:
            assert pd.isna(row.nps), key
        else:
            assert math.isclose(row.nps, score), key


def test_engagement_daily_by_hand(marts: dict[str, pd.DataFrame]) -> None:
    engagement = marts["fct_engagement_daily"]
    assert set(engagement["account_id"]) == {"c1"}
    days = engagement.set_index(engagement["date_day"].dt.strftime("%Y-%m-%d"))
    # from the first active day to as_of
    assert list(days.index) == [f"2026-05-{d:02d}" for d in range(1, 16)]
    expected = {
        # day: (dau, wau, mau, events)
        "2026-05-01": (1, 1, 1, 1),
        "2026-05-02": (0, 1, 1, 0),  # Heartbeat does not qualify; m1's duplicate is dropped
        "2026-05-03": (2, 2, 2, 2),  # m4 arrived late, m3 attributed through u2's group call
        "2026-05-09": (0, 2, 2, 0),
        "2026-05-10": (0, 0, 2, 0),  # 05-03 left the 7-day window
        "2026-05-15": (0, 0, 2, 0),
    }
    for day, values in expected.items():
        row = days.loc[day]
        assert (row["dau"], row["wau"], row["mau"], row["events"]) == values, day
    assert days.loc["2026-05-03", "stickiness"] == 1.0
    assert days.loc["2026-05-02", "stickiness"] == 0.0
    assert (days["licensed_seats"] == 10).all()
    assert days.loc["2026-05-15", "seat_utilisation"] == pytest.approx(0.2)


def test_mrr_by_hand(marts: dict[str, pd.DataFrame]) -> None:
    mrr = marts["fct_mrr"]
    rows = [
        (r.account_id, r.month.date().isoformat(), r.mrr, r.previous_mrr, r.movement)
        for r in mrr.sort_values("month").itertuples(index=False)
    ]
    assert rows == [
        ("c1", "2026-04-01", 500.0, 0.0, "new"),
        ("c1", "2026-05-01", 500.0, 500.0, "unchanged"),
    ]


def test_segment_calls_across_batches(landing, monkeypatch) -> None:
    """Copies of a call in different batches, codes shared by batches, group-call ties."""
    monkeypatch.setattr(peer_landing, "BATCH_BYTES", 1)  # one batch per day

    def group_call(message_id: str, user: str | None, at: str, group: str) -> dict:
        return {"type": "group", "messageId": message_id, "userId": user, "groupId": group,
                "timestamp": at, "receivedAt": at}  # fmt: skip

    late = "2026-05-01T11:30:00Z"  # received before m2's first copy
    landing.write(
        "segment/events",
        "2026-05-01",
        [
            # u2's two group calls at the same time: the smallest groupId ('c10' < 'c9') wins
            group_call("g1", "u2", "2026-04-30T09:00:00Z", "c9"),
            group_call("g2", "u2", "2026-04-30T09:00:00Z", "c10"),
            track(
                "m1", "u1", "Report Created", "2026-05-01T10:00:00Z", "2026-05-01T10:00:01Z", "c1"
            ),
            track(
                "m2", "u1", "Report Created", "2026-05-01T11:00:00Z", "2026-05-01T12:00:00Z", "c1"
            ),
            track(
                "m3", "u1", "Report Created", "2026-05-01T12:00:00Z", "2026-05-01T12:00:01Z", "c1"
            )
            | {"type": "page"},
            # no userId: the user is 'anonymous:<anonymousId>'
            track(
                "m5", None, "Report Created", "2026-05-01T13:00:00Z", "2026-05-01T13:00:01Z", "c1"
            )
            | {"anonymousId": "a1"},
        ],
    )
    landing.write(
        "segment/events",
        "2026-05-02",
        [
            # m1 again, received at the same time: the earlier load wins
            track(
                "m1", "u3", "Report Created", "2026-05-01T10:00:00Z", "2026-05-01T10:00:01Z", "c2"
            ),
            # m3's first copy is a page call: this track copy counts nowhere
            track(
                "m3", "u1", "Report Created", "2026-05-01T12:00:00Z", "2026-05-01T12:00:02Z", "c2"
            ),
            # no context.groupId: u2's latest group call
            track(
                "m4", "u2", "Report Created", "2026-05-02T09:00:00Z", "2026-05-02T09:00:01Z", None
            ),
            # anonymous calls: a group call needs a userId, and so does the lookup of one
            group_call("g3", None, "2026-05-02T08:00:00Z", "c2") | {"anonymousId": "a2"},
            track(
                "m8", None, "Report Created", "2026-05-02T09:00:00Z", "2026-05-02T09:00:01Z", None
            )
            | {"anonymousId": "a2"},
        ],
    )
    landing.write(
        "segment/events",
        "2026-05-03",
        [
            # m2 again, received earlier than its first copy: this copy wins
            track("m2", "u3", "Report Created", "2026-05-03T08:00:00Z", late, "c2"),
            track(
                "m6", "u1", "Report Created", "2026-05-03T10:00:00Z", "2026-05-03T10:00:01Z", "c1"
            ),
            # after as_of
            track(
                "m7", "u1", "Report Created", "2026-05-20T10:00:00Z", "2026-05-20T10:00:01Z", "c1"
            ),
        ],
    )
    assert len(list(peer_landing._line_batches(landing.root, "segment", "events"))) == 3

    segment = peer_segment.load_segment_calls(landing.root)
    assert len(segment.calls) == 14  # every copy, until deduplicated
    track_calls = peer_engagement._attributed_track_calls(segment, AS_OF)
    rows = pd.DataFrame(
        {
            "account_id": segment.accounts.decode(track_calls["account_id"]),
            "user_id": segment.users.decode(track_calls["user_id"]),
            "day": pd.to_datetime(track_calls["day"], unit="D").dt.strftime("%Y-%m-%d").to_numpy(),
        }
    )
    assert sorted(rows.itertuples(index=False, name=None)) == [
        ("c1", "anonymous:a1", "2026-05-01"),  # m5
        ("c1", "u1", "2026-05-01"),  # m1
        ("c1", "u1", "2026-05-03"),  # m6
        ("c10", "u2", "2026-05-02"),  # m4
        ("c2", "u3", "2026-05-03"),  # m2
    ]


def test_no_segment_calls(landing) -> None:
    landing.write("hubspot/companies", "2026-04-01", [company("c1", "ENT")])
    engagement = compute(landing.root, AS_OF)["fct_engagement_daily"]
    assert engagement.empty
    assert list(engagement.columns) == [
        "account_id", "date_day", "dau", "wau", "mau", "events", "stickiness",
        "licensed_seats", "seat_utilisation",
    ]  # fmt: skip


def test_compare_finds_equal_and_different_rows(marts, tmp_path) -> None:
    import duckdb

    serving = tmp_path / "serving.duckdb"
    nps = marts["fct_nps_monthly"]
    with duckdb.connect(str(serving)) as con:
        con.execute("create schema marts")
        con.register("peer_nps", nps.astype({"segment": str}))
        con.execute(
            "create table marts.fct_nps_monthly as select cast(month as date) as month, segment, "
            "cast(responses as integer) as responses, cast(promoters as integer) as promoters, "
            "cast(passives as integer) as passives, cast(detractors as integer) as detractors, "
            "nps from peer_nps order by segment desc"
        )
    assert compare({"fct_nps_monthly": nps}, serving) == {"fct_nps_monthly": []}

    changed = nps.copy()
    changed.loc[changed["segment"] == "all", "nps"] += 1.0
    problems = compare({"fct_nps_monthly": changed.iloc[1:]}, serving)["fct_nps_monthly"]
    assert len(problems) == 2
    assert "only in the warehouse" in problems[0]
    assert problems[1].startswith("nps: 1 rows differ")
