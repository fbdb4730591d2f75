"""The loader: every record loaded or quarantined with a reason, never lost."""

from __future__ import annotations

import json
from datetime import date, datetime

import duckdb
import pytest

from orchestration.ingest.loader import load_landing, load_partitions
from orchestration.sources import ALL_TARGETS, SPECS_BY_KEY, TARGETS_BY_KEY

DAY = "2025-06-01"


def subscription_new_shape(sub_id: str = "sub_new", status: str = "active") -> dict:
    """A subscription as API versions since 2025-03-31 write it: periods on the items."""
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": "cus_1",
        "status": status,
        "created": 1748736000,
        "start_date": 1748736000,
        "cancel_at_period_end": False,
        "currency": "usd",
        "discounts": [],
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_1",
                    "object": "subscription_item",
                    "quantity": 5,
                    "created": 1748736000,
                    "current_period_start": 1748736000,
                    "current_period_end": 1751328000,
                    "price": {
                        "id": "price_1",
                        "object": "price",
                        "product": "prod_1",
                        "currency": "usd",
                        "unit_amount": 2000,
                        "type": "recurring",
                        "recurring": {"interval": "month", "interval_count": 1},
                    },
                }
            ],
        },
    }


def subscription_old_shape() -> dict:
    """The same subscription before API version 2025-03-31: periods at the top level."""
    sub = subscription_new_shape("sub_old")
    item = sub["items"]["data"][0]
    sub["current_period_start"] = item.pop("current_period_start")
    sub["current_period_end"] = item.pop("current_period_end")
    return sub


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def quarantine(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return rows(
        con,
        "select object, file, line_number, reason from raw_quarantine order by file, line_number",
    )


def test_both_stripe_api_shapes_load_with_their_original_json(landing, con):
    landing.write("stripe/subscriptions", DAY, [subscription_new_shape(), subscription_old_shape()])
    old_invoice = {
        "id": "in_old",
        "object": "invoice",
        "customer": "cus_1",
        "status": "paid",
        "created": 1735689600,
        "currency": "eur",
        "amount_due": 1000,
        "amount_paid": 1000,
        "subscription": "sub_old",
        "lines": {"data": [{"id": "il_1", "amount": 1000, "proration": False, "price": {}}]},
    }
    new_invoice = {
        **{k: v for k, v in old_invoice.items() if k != "subscription"},
        "id": "in_new",
        "parent": {"subscription_details": {"subscription": "sub_new"}},
    }
    landing.write("stripe/invoices", DAY, [old_invoice, new_invoice])

    load_landing(con, landing.root, ALL_TARGETS)

    subs = rows(
        con,
        "select record_id, record->>'$.current_period_start', "
        "record->>'$.items.data[0].current_period_start' "
        "from raw_stripe.subscriptions order by record_id",
    )
    assert subs == [("sub_new", None, "1748736000"), ("sub_old", "1748736000", None)]
    invoices = rows(con, "select record_id from raw_stripe.invoices order by 1")
    assert invoices == [("in_new",), ("in_old",)]
    assert quarantine(con) == []


def test_envelopes_and_events_are_unwrapped(landing, con):
    customer = {"id": "cus_1", "object": "customer", "created": 1700000000}
    stripe_page = {"object": "list", "data": [customer, {**customer, "id": "cus_2"}]}
    event = {
        "object": "event",
        "id": "evt_9",
        "type": "customer.updated",
        "created": 1700000500,
        "data": {"object": {**customer, "email": "new@example.com"}},
    }
    landing.write("stripe/customers", DAY, [stripe_page, event])
    hubspot_page = {
        "results": [{"id": "101", "properties": {"name": "Acme"}}, {"id": "102", "properties": {}}],
        "paging": {"next": {"after": "102"}},
    }
    landing.write("hubspot/companies", DAY, [hubspot_page])

    load_landing(con, landing.root, ALL_TARGETS)

    customers = rows(
        con,
        "select record_id, _line_number, _record_index, _event_id, _event_created, "
        "record->>'$.email' from raw_stripe.customers order by _line_number, _record_index",
    )
    assert customers == [
        ("cus_1", 1, 0, None, None, None),
        ("cus_2", 1, 1, None, None, None),
        ("cus_1", 2, 0, "evt_9", 1700000500, "new@example.com"),
    ]
    # The event's version sorts after the page's version of the same customer.
    versions = rows(
        con,
        "select _record_version from raw_stripe.customers where record_id = 'cus_1' "
        "order by _record_version",
    )
    # day | event's created | file | line | index in the page, each padded to sort as text
    assert [v[0] for v in versions] == [
        f"{DAY}|000000000000|part-00000.jsonl|000000000001|000000",
        f"{DAY}|001700000500|part-00000.jsonl|000000000002|000000",
    ]
    companies = rows(con, "select record_id from raw_hubspot.companies order by 1")
    assert companies == [("101",), ("102",)]


def test_an_event_without_an_object_is_quarantined_and_the_others_keep_the_events_fields(
    landing, con
):
    customer = {"id": "cus_1", "object": "customer", "created": 1700000000}
    event = {"object": "event", "id": "evt_1", "type": "customer.updated", "created": 1700000500}
    lines = [
        {**event, "data": {"object": customer}},
        {**event, "id": "evt_2"},  # no data at all
        {**event, "id": "evt_3", "data": {"object": "cus_1"}},  # an id, not the object
        {**event, "id": "evt_4", "created": "1700000600", "data": {"object": customer}},
        {**event, "id": "evt_5", "data": {"object": {**customer, "object": "invoice"}}},
    ]
    landing.write("stripe/customers", DAY, lines)

    load_partitions(con, TARGETS_BY_KEY["stripe/customers"], landing.root)

    loaded = rows(
        con,
        "select _line_number, record_id, _event_id, _event_type, _event_created, "
        "record->>'$.object' from raw_stripe.customers order by _line_number",
    )
    assert loaded == [
        (1, "cus_1", "evt_1", "customer.updated", 1700000500, "customer"),
        (4, "cus_1", "evt_4", "customer.updated", 1700000600, "customer"),  # cast from "..."
    ]
    assert [(line, reason) for _, _, line, reason in quarantine(con)] == [
        (2, "event without data.object"),
        (3, "event without data.object"),
        (5, "object type 'invoice' does not belong in stripe/customers (expected customer)"),
    ]


def test_search_api_pages_are_unwrapped_like_list_pages(landing, con):
    customer = {"id": "cus_1", "object": "customer", "created": 1700000000}
    search_page = {
        "object": "search_result",
        "url": "/v1/customers/search",
        "data": [customer, {**customer, "id": "cus_2"}],
        "has_more": True,
        "next_page": "WzE3MDAwMDAwMDBd",
        "total_count": 3,
    }
    last_page = {**search_page, "data": [{**customer, "id": "cus_3"}], "has_more": False}
    landing.write("stripe/customers", DAY, [search_page, {**last_page, "next_page": None}])

    load_landing(con, landing.root, ALL_TARGETS)

    customers = rows(
        con,
        "select record_id, _line_number, _record_index, record->>'$.object' "
        "from raw_stripe.customers order by _line_number, _record_index",
    )
    assert customers == [
        ("cus_1", 1, 0, "customer"),
        ("cus_2", 1, 1, "customer"),
        ("cus_3", 2, 0, "customer"),
    ]
    assert quarantine(con) == []


def invoice_deleted_event(invoice_id: str = "in_gone") -> dict:
    """An `invoice.deleted` event: its object is the (draft) invoice with status `deleted`."""
    return {
        "object": "event",
        "id": "evt_del",
        "type": "invoice.deleted",
        "created": 1748779200,
        "data": {
            "object": {
                "id": invoice_id,
                "object": "invoice",
                "customer": "cus_1",
                "status": "deleted",
                "created": 1748736000,
                "currency": "usd",
                "amount_due": 5000,
                "amount_paid": 0,
                "lines": {"object": "list", "data": []},
            }
        },
    }


def test_invoice_with_status_deleted_is_loaded_as_a_deletion(landing, con):
    draft = {**invoice_deleted_event()["data"]["object"], "status": "draft"}
    misspelt = {**draft, "id": "in_typo", "status": "deleted_"}
    landing.write("stripe/invoices", DAY, [draft, invoice_deleted_event(), misspelt])

    load_landing(con, landing.root, ALL_TARGETS)

    loaded = rows(
        con,
        "select record_id, _event_type, record->>'$.status' from raw_stripe.invoices "
        "order by _record_version",
    )
    assert loaded == [("in_gone", None, "draft"), ("in_gone", "invoice.deleted", "deleted")]
    # Only the exact status marks a deletion; any other unknown status is still quarantined.
    assert quarantine(con) == [
        (
            "invoices",
            f"stripe/invoices/{DAY}/part-00000.jsonl",
            3,
            "unknown value 'deleted_' for status: expected one of draft, open, paid, "
            "uncollectible, void",
        )
    ]


def test_invoice_with_status_deleted_needs_only_its_id(landing, con):
    landing.write(
        "stripe/invoices", DAY, [{"id": "in_gone", "object": "invoice", "status": "deleted"}]
    )
    load_landing(con, landing.root, ALL_TARGETS)
    assert rows(con, "select record_id from raw_stripe.invoices") == [("in_gone",)]
    assert quarantine(con) == []


V1_PIPELINE = {
    "pipelineId": "default",
    "label": "Sales Pipeline",
    "displayOrder": 0,
    "active": True,
    "stages": [
        {"stageId": "appointmentscheduled", "label": "Appointment scheduled", "probability": 0.2},
        {"stageId": "closedwon", "label": "Closed won", "probability": 1.0, "closedWon": True},
    ],
}
V3_PIPELINE = {
    "id": "default",
    "label": "Sales Pipeline",
    "displayOrder": 0,
    "archived": False,
    "createdAt": "2025-01-01T00:00:00Z",
    "updatedAt": "2025-05-01T00:00:00Z",
    "stages": [
        {
            "id": "appointmentscheduled",
            "label": "Appointment scheduled",
            "displayOrder": 0,
            "metadata": {"probability": "0.2"},
        },
        {
            "id": "closedwon",
            "label": "Closed won",
            "displayOrder": 1,
            "metadata": {"probability": "1.0", "isClosed": "true"},
        },
    ],
}
LEGACY_PIPELINE_REASON = (
    "legacy v1 pipelines shape (pipelineId, stages[].stageId): expected the v3 pipelines "
    "shape with id and stages[].id"
)


@pytest.mark.parametrize("folder", ["deal_pipelines", "ticket_pipelines"])
def test_legacy_v1_pipelines_are_quarantined_naming_the_shape(landing, con, folder):
    # v1 ids with a v3 top-level id: the stages still cannot resolve a stage id.
    v1_stages = {**V3_PIPELINE, "id": "support", "stages": V1_PIPELINE["stages"]}
    landing.write(f"hubspot/{folder}", DAY, [V3_PIPELINE, V1_PIPELINE, v1_stages])

    load_landing(con, landing.root, ALL_TARGETS)

    assert rows(con, f"select record_id from raw_hubspot.{folder}") == [("default",)]
    path = f"hubspot/{folder}/{DAY}/part-00000.jsonl"
    assert quarantine(con) == [
        (folder, path, 2, LEGACY_PIPELINE_REASON),
        (folder, path, 3, LEGACY_PIPELINE_REASON),
    ]


def test_hubspot_dates_as_iso_or_epoch_ms_and_string_numbers_are_accepted(landing, con):
    landing.write(
        "hubspot/feedback_submissions",
        DAY,
        [
            {
                "id": "1",
                "createdAt": "2025-05-31T10:00:00.000Z",
                "properties": {"hs_survey_type": "NPS", "hs_value": "9"},
            },
            {
                "id": "2",
                "createdAt": 1748685600000,
                "properties": {"hs_survey_type": "CSAT", "hs_value": "4"},
            },
            {"id": "3", "createdAt": True, "properties": {"hs_survey_type": "NPS"}},
        ],
    )
    load_landing(con, landing.root, ALL_TARGETS)
    assert rows(con, "select record_id from raw_hubspot.feedback_submissions order by 1") == [
        ("1",),
        ("2",),
    ]
    assert [q[3] for q in quarantine(con)] == [
        "wrong type for createdAt: expected varchar or bigint or ubigint, got boolean true"
    ]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"messageId": "m1", "type": "track"', "not valid JSON"),
        ("[1, 2]", "expected a JSON object, got array"),
        (
            '{"type": "track", "event": "x", "timestamp": "2025-06-01T00:00:00Z", '
            '"receivedAt": "2025-06-01T00:00:01Z"}',
            "missing required field messageId",
        ),
        (
            '{"messageId": "m1", "type": "track", "event": "x", "timestamp": 1748736000, '
            '"receivedAt": "2025-06-01T00:00:01Z"}',
            "wrong type for timestamp: expected varchar, got ubigint 1748736000",
        ),
        (
            '{"messageId": "m1", "type": "trak", "event": "x", '
            '"timestamp": "2025-06-01T00:00:00Z", "receivedAt": "2025-06-01T00:00:01Z"}',
            "unknown value 'trak' for type: expected one of track, identify, group, page, "
            "screen, alias",
        ),
        (
            '{"messageId": "m1", "type": "track", "timestamp": "2025-06-01T00:00:00Z", '
            '"receivedAt": "2025-06-01T00:00:01Z"}',
            "a track call without `event`",
        ),
        ("   ", "blank line"),
    ],
)
def test_each_bad_input_class_is_quarantined_with_file_line_and_reason(landing, con, line, reason):
    good = {
        "messageId": "m0",
        "type": "track",
        "event": "Report Created",
        "timestamp": "2025-06-01T08:00:00.000Z",
        "receivedAt": "2025-06-01T08:00:01.000Z",
    }
    landing.write_lines("segment/events", DAY, [json.dumps(good), line], gz=True)
    (load,) = load_partitions(con, TARGETS_BY_KEY["segment/events"], landing.root)
    assert rows(con, "select record_id from raw_segment.events") == [("m0",)]
    assert quarantine(con) == [
        ("events", f"segment/events/{DAY}/part-00000.jsonl.gz", 2, reason),
    ]
    raw_text = rows(con, "select raw_text from raw_quarantine")[0][0]
    assert raw_text == line
    (file_load,) = load.files
    assert (file_load.lines_read, file_load.records_loaded, file_load.records_quarantined) == (
        2,
        1,
        1,
    )


def test_invalid_utf8_line_is_quarantined_and_its_neighbours_loaded(landing, con):
    path = landing.write("stripe/coupons", DAY, [{"id": "c1", "duration": "once"}])
    path.write_bytes(path.read_bytes() + b'{"id": "c2", "name": "\xff"}\n')
    load_landing(con, landing.root, ALL_TARGETS)
    assert rows(con, "select record_id from raw_stripe.coupons") == [("c1",)]
    ((reason, raw_text),) = rows(con, "select reason, raw_text from raw_quarantine")
    assert reason.startswith("not valid UTF-8")
    assert raw_text == '{"id": "c2", "name": "\\xff"}'


def test_empty_file_loads_nothing_and_is_logged(landing, con):
    landing.write_lines("stripe/coupons", DAY, [])
    (load,) = load_partitions(con, TARGETS_BY_KEY["stripe/coupons"], landing.root)
    assert load.error is None
    assert [(f.lines_read, f.records_loaded) for f in load.files] == [(0, 0)]


def test_progress_names_batches_only_when_there_are_several(landing, con):
    coupon = {"id": "c1", "duration": "forever"}
    for day in ("2025-06-01", "2025-06-02", "2025-06-03"):
        landing.write("stripe/coupons", day, [coupon])
    target = TARGETS_BY_KEY["stripe/coupons"]
    one_batch: list[str] = []
    load_partitions(con, target, landing.root, force=True, on_progress=one_batch.append)
    assert one_batch == [
        "stripe/coupons: 3 day(s) 2025-06-01..2025-06-03 (3 loaded, 0 unchanged, 0 failed), "
        "3 records loaded, 0 quarantined"
    ]
    per_day: list[str] = []
    load_partitions(
        con, target, landing.root, force=True, on_progress=per_day.append, max_batch_bytes=1
    )
    assert per_day[:3] == [
        f"stripe/coupons: batch {n} of 3 loaded (2025-06-0{n}..2025-06-0{n})" for n in (1, 2, 3)
    ]
    assert len(per_day) == 4


def test_corrupt_gzip_fails_only_its_partition_naming_the_file(landing, con):
    good = {"id": "c1", "duration": "forever"}
    landing.write("stripe/coupons", "2025-06-01", [good])
    bad = landing.write("stripe/coupons", "2025-06-02", [good], gz=True)
    bad.write_bytes(bad.read_bytes()[:20])  # truncated gzip stream
    loads = load_partitions(con, TARGETS_BY_KEY["stripe/coupons"], landing.root)
    assert [(load.partition_date, load.error is None) for load in loads] == [
        (date(2025, 6, 1), True),
        (date(2025, 6, 2), False),
    ]
    assert "stripe/coupons/2025-06-02/part-00000.jsonl.gz" in loads[1].error
    assert rows(con, "select _partition_date from raw_stripe.coupons") == [(date(2025, 6, 1),)]


def test_duplicates_are_kept_in_raw_for_staging_to_resolve(landing, con):
    event = {
        "messageId": "dup",
        "type": "page",
        "timestamp": "2025-06-01T08:00:00Z",
        "receivedAt": "2025-06-01T08:00:01Z",
    }
    landing.write("segment/events", DAY, [event, {**event, "receivedAt": "2025-06-01T09:00:00Z"}])
    load_landing(con, landing.root, ALL_TARGETS)
    assert rows(con, "select count(*) from raw_segment.events where record_id = 'dup'") == [(2,)]


def test_reloading_is_idempotent_and_a_changed_file_replaces_its_partition(landing, con):
    coupon = {"id": "c1", "duration": "once"}
    landing.write("stripe/coupons", DAY, [coupon, {"id": "c2", "duration": "nope"}])
    target = TARGETS_BY_KEY["stripe/coupons"]
    load_partitions(con, target, landing.root)
    snapshot = "select * exclude (_loaded_at) from raw_stripe.coupons order by all"
    first = rows(con, snapshot)
    (again,) = load_partitions(con, target, landing.root)
    assert again.skipped_unchanged
    (forced,) = load_partitions(con, target, landing.root, force=True)
    assert not forced.skipped_unchanged
    assert rows(con, snapshot) == first
    assert rows(con, "select count(*) from raw_quarantine") == [(1,)]

    landing.write("stripe/coupons", DAY, [{"id": "c3", "duration": "forever"}])
    load_partitions(con, target, landing.root)
    assert rows(con, "select record_id from raw_stripe.coupons") == [("c3",)]
    assert rows(con, "select count(*) from raw_quarantine") == [(0,)]


def test_line_numbers_follow_the_file_on_the_fast_reader(landing, con):
    events = [
        {
            "messageId": f"m{n}",
            "type": "page",
            "timestamp": "2025-06-01T00:00:00Z",
            "receivedAt": "2025-06-01T00:00:00Z",
            "properties": {"n": n},
        }
        for n in range(1, 50_001)
    ]
    landing.write("segment/events", DAY, events, gz=True)
    load_landing(con, landing.root, ALL_TARGETS)
    mismatched = rows(
        con,
        "select count(*) from raw_segment.events where record_id <> 'm' || _line_number",
    )
    assert mismatched == [(0,)]


def _numbered_events(day: str, count: int) -> list[dict]:
    stamp = f"{day}T00:00:00Z"
    return [
        {
            "messageId": f"{day}-{n}",
            "type": "page",
            "timestamp": stamp,
            "receivedAt": stamp,
            "properties": {"n": n},
        }
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize("with_unsplittable_file", [False, True])
def test_files_read_together_keep_their_own_line_numbers(landing, con, with_unsplittable_file):
    # All files of a batch are read in one scan; an invalid UTF-8 file sends the batch to the
    # per-file readers instead. Either way each record keeps its file's line number.
    days = [f"2025-06-{d:02d}" for d in range(1, 8)]
    for number, day in enumerate(days):
        landing.write("segment/events", day, _numbered_events(day, 10 + number), gz=number % 2 == 0)
    if with_unsplittable_file:
        bad = landing.write("segment/events", "2025-06-08", _numbered_events("2025-06-08", 3))
        bad.write_bytes(bad.read_bytes() + b'{"messageId": "\xff"}\n')
    load_landing(con, landing.root, ALL_TARGETS)
    per_file = rows(
        con,
        "select _source_file, count(*), count(*) filter "
        "(where split_part(record_id, '-', 4)::bigint <> _line_number) "
        "from raw_segment.events group by _source_file order by _source_file",
    )
    expected = [(f"segment/events/{day}/part-00000.jsonl", 10 + n, 0) for n, day in enumerate(days)]
    expected = [(f + (".gz" if n % 2 == 0 else ""), c, m) for n, (f, c, m) in enumerate(expected)]
    if with_unsplittable_file:
        expected.append(("segment/events/2025-06-08/part-00000.jsonl", 3, 0))
        assert [r[:2] for r in quarantine(con)] == [("events", expected[-1][0])]
    assert per_file == expected


def test_exchange_rates_csv_is_parsed_and_bad_rows_quarantined(landing, con):
    folder = landing.root / "stripe/exchange_rates" / DAY
    folder.mkdir(parents=True)
    (folder / "rates.csv").write_text(
        "date,currency,usd_per_unit\n2025-06-01,EUR,1.0850\n2025-06-01,jpy,0.0069\n"
        "2025-06-01,gbp,-1\n06/01/2025,gbp,1.27\n"
    )
    load_landing(con, landing.root, ALL_TARGETS)
    assert rows(con, "select currency, usd_per_unit::double from raw_stripe.exchange_rates") == [
        ("eur", 1.085),
        ("jpy", 0.0069),
    ]
    assert [(q[2], q[3]) for q in quarantine(con)] == [
        (4, "usd_per_unit must be positive: -1"),
        (5, "date is not YYYY-MM-DD: 06/01/2025"),
    ]


def test_deletion_tombstones_need_only_an_id(landing, con):
    landing.write("stripe/customers", DAY, [{"id": "cus_9", "object": "customer", "deleted": True}])
    load_landing(con, landing.root, ALL_TARGETS)
    assert rows(con, "select record_id, record->>'$.deleted' from raw_stripe.customers") == [
        ("cus_9", "true")
    ]


def test_only_a_json_true_marks_a_tombstone(landing, con):
    """`deleted: "true"` (a string) is no deletion: the record needs its contract fields."""
    landing.write(
        "stripe/customers", DAY, [{"id": "cus_8", "object": "customer", "deleted": "true"}]
    )
    load_landing(con, landing.root, ALL_TARGETS)
    assert rows(con, "select count(*) from raw_stripe.customers") == [(0,)]
    assert [row[-1] for row in quarantine(con)] == ["missing required field created"]


def test_every_spec_has_a_raw_table_named_after_its_folder():
    assert SPECS_BY_KEY["segment/events"].table == "raw_segment.events"
    assert TARGETS_BY_KEY["stripe/exchange_rates"].spec.table == "raw_stripe.exchange_rates"


def test_customer_discounts_accept_stripe_shapes_and_quarantine_others(landing, con):
    """MRR-2 customer-level discounts: `discount` null or an object (legacy `coupon` or newer
    `source.coupon`), `discounts` a list of ids or expanded objects; anything else is
    quarantined with a reason."""
    base = {"object": "customer", "created": 1748736000}
    discount = {
        "id": "di_1",
        "object": "discount",
        "source": {"type": "coupon", "coupon": "off20"},
        "start": 1748736000,
        "end": None,
    }
    customers = [
        {**base, "id": "cus_null", "discount": None, "discounts": []},
        {**base, "id": "cus_object", "discount": discount},
        {**base, "id": "cus_list", "discounts": ["di_1", discount]},
        {**base, "id": "cus_text", "discount": "di_1"},
        {**base, "id": "cus_number", "discounts": [7]},
    ]
    landing.write("stripe/customers", DAY, customers)
    load_landing(con, landing.root, ALL_TARGETS)
    assert rows(con, "select record_id from raw_stripe.customers order by 1") == [
        ("cus_list",),
        ("cus_null",),
        ("cus_object",),
    ]
    assert [(q[2], q[3]) for q in quarantine(con)] == [
        (4, 'wrong type for discount: expected object, got varchar "di_1"'),
        (5, "an element of discounts is neither a discount id nor a discount object"),
    ]


def test_segment_fields_are_typed_at_load_and_its_json_is_not_kept(landing, con):
    # Staging selects these columns instead of decoding the JSON again (parse once).
    event = {
        "messageId": "tz",
        "type": "track",
        "event": "Report Created",
        "userId": "u1",
        "context": {"groupId": "101"},
        "properties": {"feature": "reports"},
        "timestamp": "2025-06-02T23:30:00-02:00",
        "receivedAt": "2025-06-03T01:30:01Z",
    }
    landing.write("segment/events", DAY, [event, {**event, "messageId": "plain", "event": None}])
    load_partitions(con, TARGETS_BY_KEY["segment/events"], landing.root)
    assert rows(
        con,
        "select record_id, call_type, event_name, user_id, anonymous_id, context_group_id, "
        "feature_name, event_at, received_at from raw_segment.events where record_id = 'tz'",
    ) == [
        (
            "tz",
            "track",
            "Report Created",
            "u1",
            None,
            "101",
            "reports",
            datetime(2025, 6, 3, 1, 30),  # the offset converted: the next UTC day
            datetime(2025, 6, 3, 1, 30, 1),
        )
    ]
    assert "record" not in {
        c for (c,) in rows(con, "select column_name from (describe raw_segment.events)")
    }
    # A track call without `event` is still quarantined with the reason, its text kept.
    assert quarantine(con) == [
        ("events", f"segment/events/{DAY}/part-00000.jsonl", 2, "a track call without `event`")
    ]


def test_the_original_json_is_stored_zstd_compressed(landing, tmp_path):
    # In a warehouse file (an in-memory table is not compressed). Stripe's events are
    # kilobytes of JSON each: DuckDB's default for strings (FSST) wrote them ~3x slower and
    # ~8x larger than zstd (medium benchmark's invoices, subscriptions and charges).
    landing.write(
        "stripe/subscriptions", DAY, [subscription_new_shape(f"sub_{i}") for i in range(50)]
    )
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        load_partitions(con, TARGETS_BY_KEY["stripe/subscriptions"], landing.root)
        con.execute("checkpoint")
        compressions = rows(
            con,
            "select distinct compression from pragma_storage_info('raw_stripe.subscriptions') "
            "where column_name = 'record' and segment_type <> 'VALIDITY'",
        )
        assert compressions == [("ZSTD",)]
        assert rows(con, "select count(*) from raw_stripe.subscriptions") == [(50,)]


def test_a_raw_table_of_an_older_shape_is_rebuilt_from_the_landing_files(landing, con):
    # A warehouse built before Segment's typed columns held the JSON in `record`.
    con.execute("create schema raw_segment")
    con.execute(
        "create table raw_segment.events (record_id varchar, record json, _source_file varchar)"
    )
    con.execute("insert into raw_segment.events values ('old', '{}', 'gone.jsonl')")
    event = {
        "messageId": "m1",
        "type": "page",
        "timestamp": "2025-06-01T08:00:00Z",
        "receivedAt": "2025-06-01T08:00:01Z",
    }
    landing.write("segment/events", DAY, [event])
    (load,) = load_partitions(con, TARGETS_BY_KEY["segment/events"], landing.root)
    assert load.records_loaded == 1
    assert rows(con, "select record_id, call_type from raw_segment.events") == [("m1", "page")]
