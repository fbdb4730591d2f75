"""The small demo landing folder: layout, shapes, counts, bad lines, keys, time bounds."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime

import duckdb
import pandas as pd
import pytest
from demo_landing import AS_OF, Landing

from demo_data.hubspot import RENEWAL_PIPELINE, SALES_PIPELINE
from orchestration.ingest.validation import records_sql
from orchestration.sources import ALL_SPECS, SPECS_BY_KEY

# Every API object of the landing contract (the rates are a CSV object of their own).
OBJECT_KEYS = {spec.key for spec in ALL_SPECS}
CUTOVER = date(2025, 3, 31)
END_OF_AS_OF = int(datetime(AS_OF.year, AS_OF.month, AS_OF.day, 23, 59, 59, tzinfo=UTC).timestamp())
PART = re.compile(
    r"^(stripe|hubspot|segment)/([a-z_]+)/(\d{4}-\d{2}-\d{2})/part-\d{5}\.jsonl(\.gz)?$"
)
RATES = re.compile(r"^stripe/exchange_rates/(\d{4}-\d{2}-\d{2})/rates\.csv$")
MARKER = re.compile(r"^(stripe|hubspot|segment)/([a-z_]+)/(\d{4}-\d{2}-\d{2})/_SUCCESS$")


def _day(relative: str) -> date:
    return date.fromisoformat(relative.split("/")[2])


def test_layout_and_naming(demo: Landing) -> None:
    seen: Counter = Counter()
    markers = [relative for relative in demo.files if MARKER.match(relative)]
    for relative in demo.files:
        if relative == "generator_report.json" or relative in markers:
            continue
        part, rates = PART.match(relative), RATES.match(relative)
        assert part or rates, f"{relative} does not follow the landing layout"
        key = f"{part.group(1)}/{part.group(2)}" if part else "stripe/exchange_rates"
        seen[key] += 1
        assert _day(relative) <= AS_OF, f"{relative}: partition after as_of"
        if relative.startswith("segment/"):
            assert relative.endswith(".gz"), "Segment parts are gzip"
    assert set(seen) == OBJECT_KEYS | {"stripe/exchange_rates"}, "every object folder is populated"
    assert demo.report.files_written == len(demo.files) - 1 - len(markers)  # data files
    # the extractor's heartbeat: every object, also one with nothing new, on the as_of day
    assert sorted(markers) == sorted(f"{key}/{AS_OF}/_SUCCESS" for key in seen)


def test_report_counts_equal_the_files(demo: Landing) -> None:
    for key in OBJECT_KEYS:
        counts = demo.report.objects[key]
        lines = demo.lines[key]
        assert counts.lines == len(lines), key
        assert counts.files == len({line.file for line in lines}), key
        assert counts.records == sum(1 for _ in demo.valid_records(key)), key
        assert counts.bad_lines == len(demo.report.injected.get(key, [])), key


def test_exchange_rates_are_daily_with_usd(demo: Landing) -> None:
    rate_files = [f for f in demo.files if RATES.match(f)]
    assert len(rate_files) == (AS_OF - date.fromisoformat(demo.report.window_start)).days + 1
    text = (demo.root / rate_files[0]).read_text().splitlines()
    assert text[0] == "date,currency,usd_per_unit"
    assert sorted(row.split(",")[1] for row in text[1:]) == ["eur", "gbp", "jpy", "usd"]
    assert demo.report.exchange_rate_rows == 4 * len(rate_files)


def _load_lines(con: duckdb.DuckDBPyConnection, demo: Landing, key: str) -> list[str]:
    lines = demo.lines[key]
    files = sorted({line.file for line in lines})
    ids = {f: i for i, f in enumerate(files)}
    frame = pd.DataFrame(
        [(ids[line.file], line.number, line.text, None) for line in lines],
        columns=["file_id", "line_number", "line", "read_error"],
    )
    con.register("lines_frame", frame)
    con.execute("create or replace temp table landing_lines as select * from lines_frame")
    con.unregister("lines_frame")
    return files


def test_loader_quarantines_exactly_the_injected_lines(demo: Landing) -> None:
    """Validated with the loader's own SQL: good records all pass, each bad line fails."""
    con = duckdb.connect()
    for spec in ALL_SPECS:
        files = _load_lines(con, demo, spec.key)
        rows = con.execute(
            f"select file_id, line_number, reason from ({records_sql(spec, 'landing_lines')})"
        ).fetchall()
        quarantined = {(files[f], n) for f, n, reason in rows if reason is not None}
        injected = {(b.file, b.line) for b in demo.report.injected.get(spec.key, [])}
        assert quarantined == injected, spec.key
        loaded = sum(reason is None for _, _, reason in rows)
        assert loaded == demo.report.objects[spec.key].records, spec.key
    assert {b.kind for b in demo.report.injected["segment/events"]} >= {
        "not_json",
        "missing_field",
        "wrong_type",
        "unknown_enum",
        "rule_violation",
    }
    assert any(k.startswith("stripe/") for k in demo.report.injected)
    assert any(k.startswith("hubspot/") for k in demo.report.injected)


def test_injected_lines_are_where_the_report_says(demo: Landing) -> None:
    by_position = {
        (line.file, line.number): line for lines in demo.lines.values() for line in lines
    }
    for bad_lines in demo.report.injected.values():
        for bad in bad_lines:
            line = by_position[(bad.file, bad.line)]
            assert (line.records is None) == (bad.kind == "not_json"), bad


def test_both_stripe_shapes_around_the_cutover(demo: Landing) -> None:
    shapes: Counter = Counter()
    for line, sub, _ in demo.records("stripe/subscriptions"):
        if "items" not in sub:
            continue  # an injected bad line
        item = sub["items"]["data"][0]
        if _day(line.file) < CUTOVER:
            assert "current_period_end" in sub and "current_period_end" not in item
            shapes["old"] += 1
        else:
            assert "current_period_end" in item and "current_period_end" not in sub
            shapes["new"] += 1
    for line, invoice, _ in demo.records("stripe/invoices"):
        lines = invoice.get("lines", {}).get("data", [])
        if _day(line.file) < CUTOVER:
            assert invoice["subscription"].startswith("sub_") and "parent" not in invoice
            assert all({"price", "proration", "type"} <= set(x) for x in lines)
        else:
            assert invoice["parent"]["subscription_details"]["subscription"].startswith("sub_")
            assert "subscription" not in invoice
            for x in lines:
                details = x["parent"]["subscription_item_details"]
                assert {"proration", "subscription", "subscription_item"} <= set(details)
                assert set(x["pricing"]["price_details"]) == {"price", "product"}
    assert shapes["old"] > 50 and shapes["new"] > 50


def _wrapper(text: str) -> str:
    if text.startswith('{"object":"list"'):
        return "list"
    return "event" if '"object":"event"' in text[:80] else "bare"


def _is_proration(line: dict) -> bool:
    """Old shape: `line.proration`; new shape: under `parent.subscription_item_details`."""
    if "proration" in line:
        return line["proration"]
    return line["parent"]["subscription_item_details"]["proration"]


def test_stripe_wrappers_and_hubspot_pages_all_occur(demo: Landing) -> None:
    stripe_kinds: Counter = Counter()
    for obj in ("customers", "subscriptions", "invoices"):
        for line in demo.lines[f"stripe/{obj}"]:
            stripe_kinds[_wrapper(line.text)] += 1
    assert min(stripe_kinds[k] for k in ("event", "list", "bare")) > 10, stripe_kinds
    pages = sum(line.text.startswith('{"results":') for line in demo.lines["hubspot/deals"])
    assert 0 < pages < len(demo.lines["hubspot/deals"])


def test_amounts_are_integer_minor_units_and_jpy_is_zero_decimal(demo: Landing) -> None:
    prices = list(demo.valid_records("stripe/prices"))
    by_key = {(p["lookup_key"].rsplit("_", 1)[0], p["currency"]): p["unit_amount"] for p in prices}
    for (plan, currency), amount in by_key.items():
        assert isinstance(amount, int) and currency == currency.lower()
        if currency == "jpy":
            # 1 USD is ~150 JPY: whole yen are ~1.5x the number of US cents, never ~150x.
            assert 1.2 < amount / by_key[(plan, "usd")] < 1.9, plan
    jpy_invoices = [i for i in demo.valid_records("stripe/invoices") if i["currency"] == "jpy"]
    assert jpy_invoices
    for invoice in jpy_invoices:
        for line in invoice["lines"]["data"]:
            assert isinstance(line["amount"], int)
            proration = _is_proration(line)
            if not proration and line["amount"]:
                assert line["amount"] % 100 == 0  # list prices in whole hundreds of yen


def _stamps(value: object) -> list[int]:
    """HubSpot/Segment dates as Unix seconds: ISO-8601 strings or epoch milliseconds."""
    if value is None:
        return []
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return [int(value) // 1000]
    return [int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp())]


# Fields that say when something happened. Forward-looking ones (a period's end, a trial's
# end, a due date, a planned cancel_at, an open deal's expected close) may lie after as_of.
STRIPE_STAMPS = ("created", "canceled_at", "ended_at", "start_date", "trial_start")
HUBSPOT_STAMPS = ("createdAt", "updatedAt", "archivedAt")
HUBSPOT_PROPERTY_STAMPS = (
    "createdate",
    "hs_lastmodifieddate",
    "lastmodifieddate",
    "closed_date",
    "hs_timestamp",
    "hs_meeting_start_time",
    "hs_meeting_end_time",
    "hs_submission_timestamp",
    "hs_createdate",
)
CLOSED_DEAL_STAGES = {"closedwon", "closedlost", "158903273", "158903274"}


def test_nothing_happens_after_as_of(demo: Landing) -> None:
    for key in OBJECT_KEYS:
        for line, record, created in demo.records(key):
            if line.records is None or not isinstance(record, dict):
                continue
            stamps: list[int] = [] if created is None else [created]
            if key.startswith("stripe/"):
                stamps += [record[f] for f in STRIPE_STAMPS if isinstance(record.get(f), int)]
                stamps += [v for v in (record.get("status_transitions") or {}).values() if v]
            elif key.startswith("hubspot/"):
                props = (
                    record.get("properties") if isinstance(record.get("properties"), dict) else {}
                )
                for f in HUBSPOT_STAMPS:
                    stamps += _stamps(record.get(f))
                for f in HUBSPOT_PROPERTY_STAMPS:
                    stamps += _stamps(props.get(f))
                if props.get("dealstage") in CLOSED_DEAL_STAGES:
                    stamps += _stamps(props.get("closedate"))
            else:
                for f in ("timestamp", "receivedAt", "sentAt", "originalTimestamp"):
                    if isinstance(record.get(f), str):
                        stamps += _stamps(record[f])
            assert all(s <= END_OF_AS_OF for s in stamps), (line.file, line.number)


def test_cross_system_keys_resolve(demo: Landing) -> None:
    companies = {c["id"] for c in demo.valid_records("hubspot/companies")}
    customers = [c for c in demo.valid_records("stripe/customers") if not c.get("deleted")]
    linked = {c["metadata"]["hubspot_company_id"] for c in customers}
    assert linked and linked <= companies
    assert len(linked) == demo.report.accounts
    customer_ids = {c["id"] for c in customers}
    subscriptions = list(demo.valid_records("stripe/subscriptions"))
    assert {s["customer"] for s in subscriptions} <= customer_ids
    assert {i["customer"] for i in demo.valid_records("stripe/invoices")} <= customer_ids
    charges = {c["id"] for c in demo.valid_records("stripe/charges")}
    assert {r["charge"] for r in demo.valid_records("stripe/refunds")} <= charges
    products = {p["id"] for p in demo.valid_records("stripe/products")}
    assert {p["product"] for p in demo.valid_records("stripe/prices")} <= products
    groups = set()
    for event in demo.valid_records("segment/events"):
        groups.update(g for g in (event.get("groupId"), event["context"].get("groupId")) if g)
    assert groups and groups <= linked
    contacts = {c["id"] for c in demo.valid_records("hubspot/contacts")}
    assert {
        c["properties"]["associatedcompanyid"] for c in demo.valid_records("hubspot/contacts")
    } <= companies
    for key in ("hubspot/deals", "hubspot/tickets", "hubspot/meetings"):
        for record in demo.valid_records(key):
            assert {a["id"] for a in record["associations"]["companies"]["results"]} <= companies
    feedback = list(demo.valid_records("hubspot/feedback_submissions"))
    assert {f["properties"]["hs_contact_id"] for f in feedback} <= contacts
    owners = {o["id"] for o in demo.valid_records("hubspot/owners")}
    assigned = {
        record["properties"]["hubspot_owner_id"]
        for record in demo.valid_records("hubspot/companies")
        if "hubspot_owner_id" in record.get("properties", {})
    }
    assert assigned and assigned <= owners, "every company's owner is an exported owner"


def test_owners_are_the_v3_owners_shape(demo: Landing) -> None:
    owners = list(demo.valid_records("hubspot/owners"))
    for owner in owners:
        assert "properties" not in owner, "owner fields are top-level"
        assert {"id", "email", "firstName", "lastName", "archived", "updatedAt"} <= set(owner)
    versions = Counter(o["id"] for o in owners)
    assert len(versions) >= 5, "a handful of CSMs"
    renamed = [i for i, n in versions.items() if n > 1]
    assert renamed, "one owner has a later version (staging keeps the latest)"
    for owner_id in renamed:
        names = {o["lastName"] for o in owners if o["id"] == owner_id}
        assert len(names) > 1, "the later version changes the name"
    assert any(not o["firstName"] and not o["lastName"] for o in owners), "an email-only owner"


def test_pipeline_stages_resolve(demo: Landing) -> None:
    deal_stages = {
        s["id"] for p in demo.valid_records("hubspot/deal_pipelines") for s in p["stages"]
    }
    ticket_stages = {
        s["id"] for p in demo.valid_records("hubspot/ticket_pipelines") for s in p["stages"]
    }
    assert {
        d["properties"]["dealstage"] for d in demo.valid_records("hubspot/deals")
    } <= deal_stages
    assert {
        t["properties"]["hs_pipeline_stage"] for t in demo.valid_records("hubspot/tickets")
    } <= ticket_stages


def test_billing_behaviours_the_metrics_need_are_present(demo: Landing) -> None:
    subscriptions = list(demo.valid_records("stripe/subscriptions"))
    statuses = {s["status"] for s in subscriptions}
    assert statuses >= {
        "trialing",
        "active",
        "past_due",
        "canceled",
        "unpaid",
        "incomplete_expired",
    }
    assert any(s["cancel_at_period_end"] for s in subscriptions)
    reasons = {s["cancellation_details"]["reason"] for s in subscriptions}
    assert {"cancellation_requested", "payment_failed"} <= reasons
    assert {s["collection_method"] for s in subscriptions} == {
        "charge_automatically",
        "send_invoice",
    }
    assert {s["currency"] for s in subscriptions} == {"usd", "eur", "gbp", "jpy"}
    coupons = {c["id"]: c["duration"] for c in demo.valid_records("stripe/coupons")}
    used = set()
    for s in subscriptions:
        for d in s["discounts"]:
            used.add(coupons[d["coupon"]["id"] if "coupon" in d else d["source"]["coupon"]])
    assert used == {"once", "repeating", "forever"}
    invoices = list(demo.valid_records("stripe/invoices"))
    assert {i["status"] for i in invoices} >= {"draft", "open", "paid", "uncollectible", "void"}
    assert {i["billing_reason"] for i in invoices} >= {
        "subscription_create",
        "subscription_cycle",
        "subscription_update",
    }
    prorations = [x for i in invoices for x in i["lines"]["data"] if _is_proration(x)]
    assert any(x["amount"] < 0 for x in prorations) and any(x["amount"] > 0 for x in prorations)
    open_overdue = [
        i
        for i in invoices
        if i["status"] == "open" and i["due_date"] and i["due_date"] < END_OF_AS_OF
    ]
    assert open_overdue, "some send_invoice invoices are open past due at as_of"
    assert {c["status"] for c in demo.valid_records("stripe/charges")} == {"succeeded", "failed"}
    assert demo.report.objects["stripe/refunds"].records > 0
    yearly = [
        s
        for s in subscriptions
        if s["items"]["data"][0]["price"]["recurring"]["interval"] == "year"
    ]
    assert yearly
    scenario = demo.report.scenario
    assert scenario["reactivations"] > 0 and scenario["cross_sell_subscriptions"] > 0
    assert scenario["trials_converted"] > 0 and scenario["lives_ended_never_paid"] > 0


def test_crm_behaviours_the_metrics_need_are_present(demo: Landing) -> None:
    companies = list(demo.valid_records("hubspot/companies"))
    assert {c["properties"]["segment"] for c in companies} == {"SMB", "MM", "ENT"}
    deals = list(demo.valid_records("hubspot/deals"))
    assert {d["properties"]["dealtype"] for d in deals} == {"newbusiness", "existingbusiness"}
    # RNW-2 needs open renewal deals and open expansion deals (existingbusiness in the sales
    # pipeline) at as_of: the latest version of each deal (later files come later).
    latest = {d["id"]: d["properties"] for d in deals}
    open_existing = Counter(
        props["pipeline"]
        for props in latest.values()
        if props["dealtype"] == "existingbusiness" and props["dealstage"] not in CLOSED_DEAL_STAGES
    )
    assert open_existing[RENEWAL_PIPELINE] > 0 and open_existing[SALES_PIPELINE] > 0, open_existing
    feedback = [f["properties"] for f in demo.valid_records("hubspot/feedback_submissions")]
    nps = {int(f["hs_value"]) for f in feedback if f["hs_survey_type"] == "NPS"}
    csat = {int(f["hs_value"]) for f in feedback if f["hs_survey_type"] == "CSAT"}
    assert nps <= set(range(11)) and len(nps) > 6
    assert csat <= set(range(1, 6)) and len(csat) >= 4
    priorities = {
        t["properties"]["hs_ticket_priority"] for t in demo.valid_records("hubspot/tickets")
    }
    assert priorities == {"LOW", "MEDIUM", "HIGH", "URGENT"}
    stamps = [c["updatedAt"] for c in demo.valid_records("hubspot/contacts")]
    assert any(isinstance(s, int) for s in stamps) and any(isinstance(s, str) for s in stamps)


def test_hubspot_property_values_are_strings_or_null(demo: Landing) -> None:
    # Pipelines and owners have no `properties`: their fields are top-level.
    without_properties = ("hubspot/deal_pipelines", "hubspot/ticket_pipelines", "hubspot/owners")
    for key in sorted(k for k in OBJECT_KEYS if k.startswith("hubspot/")):
        if key in without_properties:
            continue
        for record in demo.valid_records(key):
            for name, value in record["properties"].items():
                assert value is None or isinstance(value, str), (key, record["id"], name)


def test_segment_duplicates_and_late_events_match_the_report(demo: Landing) -> None:
    first_received: dict[str, str] = {}
    copies = 0
    for event in demo.valid_records("segment/events"):
        message_id = event["messageId"]
        if message_id in first_received:
            copies += 1
            first_received[message_id] = min(first_received[message_id], event["receivedAt"])
        else:
            first_received[message_id] = event["receivedAt"]
    late = 0
    timestamps = {e["messageId"]: e["timestamp"] for e in demo.valid_records("segment/events")}
    for message_id, received in first_received.items():
        late += received[:10] > timestamps[message_id][:10]
    assert copies == demo.report.duplicate_message_ids > 0
    assert late == demo.report.late_events > 0
    total = demo.report.objects["segment/events"].records
    assert 0.005 < copies / total < 0.02 and 0.01 < late / total < 0.04
    events = Counter(e.get("event") for e in demo.valid_records("segment/events"))
    assert {"Report Created", "Dashboard Viewed", "Export Downloaded", "Invite Sent"} <= set(events)
    assert {"Email Opened", "Session Heartbeat"} <= set(events)
    types = Counter(e["type"] for e in demo.valid_records("segment/events"))
    assert set(types) == {"track", "page", "identify", "group"}


@pytest.mark.parametrize("key", sorted(SPECS_BY_KEY))
def test_every_landing_object_has_records(demo: Landing, key: str) -> None:
    assert demo.report.objects[key].records > 0
