"""Raw-layer checks: each violation class, injected into small clean data, is caught by GX.

Violations the loader lets through (ranges, currencies, timestamps) are written as landing
files and loaded; violations the loader would quarantine (unknown enum, missing field) are
inserted into the raw table directly, as a future loader bug or a hand-written table would.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest
from dq_data import (
    AS_OF,
    DAY,
    EVENTS_PER_DAY,
    FIRST_EVENT_DAY,
    MAY_1,
    charge,
    event,
    events_by_day,
    feedback,
    invoice,
    price,
    write_clean_landing,
)

from data_quality import frames
from data_quality.frames import Days, RawObject, landing_files_frame, message_ids_batch
from data_quality.gate import run_raw_checks
from orchestration.ingest.loader import load_landing
from orchestration.sources import ALL_TARGETS, TARGETS_BY_KEY

ALL_DAYS = Days(date(2025, 5, 1), AS_OF)


def run(con, landing, config, key: str, days: Days | None = ALL_DAYS) -> dict:
    return run_raw_checks(con, TARGETS_BY_KEY[key], config, landing.root, days)


def failing(outcomes: dict) -> dict[str, int]:
    return {name: o.unexpected_count for name, o in outcomes.items() if not o.passed}


def rule_count(outcome, column: str) -> int:
    (rule,) = [r for r in outcome.rules if f"({column})" in r.expectation]
    return rule.unexpected_count


def raw_insert(con: duckdb.DuckDBPyConnection, table: str, record_id: str, record: dict) -> None:
    con.execute(
        f"insert into {table} values (?, ?, null, null, null, 'hand/written.jsonl', 1, 0, ?, "
        "'x', now())",
        [record_id, json.dumps(record), AS_OF],
    )


def segment_insert(con: duckdb.DuckDBPyConnection, record_id: str, call_type: str) -> None:
    """A hand-written Segment row (its table holds typed columns, not the JSON)."""
    con.execute(
        "insert into raw_segment.events by name select ? as record_id, ? as call_type, "
        "timestamp '2025-06-10 08:00:00' as event_at, timestamp '2025-06-10 08:00:01' as "
        "received_at, 'hand/written.jsonl' as _source_file, 1 as _line_number, 0 as "
        "_record_index, ? as _partition_date, 'x' as _record_version, now() as _loaded_at",
        [record_id, call_type, AS_OF],
    )


def rewrite(landing, key: str, records: list, day: str = DAY) -> None:
    landing.write(key, day, records)


Case = tuple[str, Callable, Callable | None, str, dict[str, int]]

CASES: list[Case] = [
    (
        "currency outside usd, eur, gbp, jpy",
        lambda landing: rewrite(landing, "stripe/prices", [price(), price("p_chf", "chf")]),
        None,
        "stripe/prices",
        {"known_currencies": 1},
    ),
    (
        "currency that is no ISO code",
        lambda landing: rewrite(landing, "stripe/prices", [price(), price("p_x", "US$")]),
        None,
        "stripe/prices",
        {"value_sets": 1, "known_currencies": 1},
    ),
    (
        "NPS above 10 and CSAT below 1",
        lambda landing: rewrite(
            landing,
            "hubspot/feedback_submissions",
            [feedback("1", "NPS", "11"), feedback("2", "CSAT", "0"), feedback("3", "CES", "9")],
        ),
        None,
        "hubspot/feedback_submissions",
        {"ranges": 2},
    ),
    (
        "survey score that is not a number",
        lambda landing: rewrite(
            landing, "hubspot/feedback_submissions", [feedback("1", "NPS", "nine")]
        ),
        None,
        "hubspot/feedback_submissions",
        {"ranges": 1},
    ),
    (
        "negative charge amount",
        lambda landing: rewrite(landing, "stripe/charges", [charge("ch_neg", -100)]),
        None,
        "stripe/charges",
        {"ranges": 1},
    ),
    (
        "Stripe timestamp in milliseconds",
        lambda landing: rewrite(
            landing,
            "stripe/customers",
            [{"id": "cus_ms", "object": "customer", "created": 1748736000000}],
        ),
        None,
        "stripe/customers",
        {"timestamps": 1},
    ),
    (
        "Segment timestamp three days after as_of",
        lambda landing: landing.write(
            "segment/events",
            DAY,
            [
                *events_by_day(AS_OF, AS_OF)[AS_OF][1:],
                event("late", AS_OF, timestamp=f"{AS_OF + timedelta(days=3)}T00:00:00Z"),
            ],
            gz=True,
        ),
        None,
        "segment/events",
        {"timestamps": 1},
    ),
    (
        "HubSpot date that does not parse",
        lambda landing: rewrite(
            landing, "hubspot/companies", [{"id": "1", "createdAt": "yesterday", "properties": {}}]
        ),
        None,
        "hubspot/companies",
        {"timestamps": 1},
    ),
    (
        "required field missing in the raw table",
        None,
        lambda con: raw_insert(
            con,
            "raw_stripe.subscriptions",
            "sub_x",
            {"id": "sub_x", "customer": "cus_1", "created": MAY_1, "items": {"data": []}},
        ),
        "stripe/subscriptions",
        # the hand-written row is also in no landing file, which reconciliation notices
        {"required_fields": 1, "reconciles_with_landing": 1},
    ),
    (
        "unknown Segment call type in the raw table",
        None,
        lambda con: segment_insert(con, "m_x", "trak"),
        "segment/events",
        {"value_sets": 1, "reconciles_with_landing": 1, "message_ids_match_landing": 1},
    ),
    (
        "Segment day with an eighth of the usual volume",
        lambda landing: landing.write(
            "segment/events",
            "2025-06-05",
            events_by_day(date(2025, 6, 5), date(2025, 6, 5))[date(2025, 6, 5)][:5],
            gz=True,
        ),
        None,
        "segment/events",
        {"volume": 1},
    ),
    (
        "a loaded row deleted from the raw table",
        None,
        lambda con: con.execute("delete from raw_stripe.customers where record_id = 'cus_2'"),
        "stripe/customers",
        # the file's records and the load log both disagree with the table
        {"reconciles_with_landing": 2},
    ),
    (
        "an exchange rate lost between file and table",
        None,
        lambda con: con.execute("delete from raw_stripe.exchange_rates where currency = 'jpy'"),
        "stripe/exchange_rates",
        # the file holds 2 rates (its header is not one): the table and the log disagree
        {"reconciles_with_landing": 2},
    ),
    (
        "a Segment event lost between file and table",
        None,
        lambda con: con.execute(
            "delete from raw_segment.events where record_id = 'm-2025-06-03-7'"
        ),
        "segment/events",
        {"reconciles_with_landing": 2, "message_ids_match_landing": 1},
    ),
]


@pytest.mark.parametrize(
    ("write", "mutate", "key", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_violation_fails_its_named_check_with_the_unexpected_count(
    landing, con, config, write, mutate, key, expected
):
    write_clean_landing(landing)
    if write:
        write(landing)
    load_landing(con, landing.root, ALL_TARGETS)
    if mutate:
        mutate(con)
    outcomes = run(con, landing, config, key)
    assert failing(outcomes) == expected
    for name in expected:
        assert outcomes[name].samples, f"{name} reports no sample of the bad values"


def test_configured_extra_currency_is_accepted(landing, con, config):
    write_clean_landing(landing)
    rewrite(landing, "stripe/prices", [price("p_chf", "chf")])
    load_landing(con, landing.root, ALL_TARGETS)
    assert failing(run(con, landing, config, "stripe/prices")) == {"known_currencies": 1}
    accepting = replace(config, extra_currencies=("chf",))
    assert failing(run(con, landing, accepting, "stripe/prices")) == {}


def test_an_invoice_deleted_by_an_event_is_a_deletion_not_an_unknown_status(landing, con, config):
    write_clean_landing(landing)
    draft = invoice("in_draft", 500, status="draft", amount_paid=0, status_transitions={})
    deleted_event = {
        "object": "event",
        "id": "evt_1",
        "type": "invoice.deleted",
        "created": MAY_1 + 3600,
        "data": {"object": {**draft, "status": "deleted"}},
    }
    landing.write("stripe/invoices", DAY, [draft, deleted_event], part=1)
    load_landing(con, landing.root, ALL_TARGETS)
    statuses = con.execute(
        "select record->>'$.status' from raw_stripe.invoices where record_id = 'in_draft' "
        "order by _record_version"
    ).fetchall()
    assert statuses == [("draft",), ("deleted",)]
    assert failing(run(con, landing, config, "stripe/invoices")) == {}


def test_search_api_pages_reconcile_record_by_record(landing, con, config):
    # A Search API page holds len(data) records, as a list page does: 3 records in 2 lines.
    page = {"object": "search_result", "data": [price(), price("p_eur", "eur")], "has_more": True}
    last = {"object": "search_result", "data": [price("p_gbp", "gbp")], "has_more": False}
    rewrite(landing, "stripe/prices", [page, last])
    load_landing(con, landing.root, ALL_TARGETS)
    outcome = run(con, landing, config, "stripe/prices")["reconciles_with_landing"]
    assert outcome.passed, outcome.report


def test_samples_name_the_record_and_the_bad_value(landing, con, config):
    write_clean_landing(landing)
    rewrite(landing, "hubspot/feedback_submissions", [feedback("42", "NPS", "11")])
    load_landing(con, landing.root, ALL_TARGETS)
    outcome = run(con, landing, config, "hubspot/feedback_submissions")["ranges"]
    assert outcome.samples == [
        "expect_column_values_to_be_between(nps_score): nps_score=11.0, record_id=42"
    ]
    assert outcome.suites == ["raw_hubspot.feedback_submissions"]
    assert rule_count(outcome, "nps_score") == 1
    assert outcome.unexpected_percent == pytest.approx(
        100 / 3, abs=1e-3
    )  # 1 of 1 row x 3 range rules


def test_stale_source_fails_freshness(landing, con, config):
    write_clean_landing(landing)
    load_landing(con, landing.root, ALL_TARGETS)
    assert run(con, landing, config, "stripe/coupons")["freshness"].passed
    two_days_later = replace(config, as_of=AS_OF + timedelta(days=2))
    outcome = run(con, landing, two_days_later, "stripe/coupons")["freshness"]
    assert not outcome.passed
    assert outcome.unexpected_count == 1
    assert outcome.samples == [
        "expect_column_values_to_be_between(hours_behind_as_of): "
        "hours_behind_as_of=48, object=stripe/coupons"
    ]


def test_freshness_is_per_object_and_counts_empty_part_files_and_markers(landing, con, config):
    """A quiet object is judged by its own heartbeat: an export that delivered an empty part
    file, or only the extractor's `_SUCCESS` marker, ran that day."""
    write_clean_landing(landing)
    later = AS_OF + timedelta(days=10)
    landing.write("stripe/charges", later.isoformat(), [])  # an empty part file
    marker_day = landing.root / "hubspot/companies" / later.isoformat()
    marker_day.mkdir(parents=True)
    (marker_day / "_SUCCESS").write_text("")
    load_landing(con, landing.root, ALL_TARGETS)
    ten_days_later = replace(config, as_of=later)

    def fresh(key: str) -> bool:
        return run(con, landing, ten_days_later, key)["freshness"].passed

    assert fresh("stripe/charges") and fresh("hubspot/companies")
    # other objects of the same systems did not deliver: theirs is stale, not Stripe's as a whole
    assert not fresh("stripe/invoices") and not fresh("hubspot/tickets")


def test_exchange_rates_are_not_needed_when_billing_is_usd_only(landing, con, config):
    write_clean_landing(landing)
    rewrite(landing, "stripe/prices", [price()])
    rewrite(landing, "stripe/customers", [{"id": "cus_1", "object": "customer", "created": 1}])
    for day_dir in (landing.root / "stripe/exchange_rates").iterdir():
        for path in day_dir.iterdir():
            path.unlink()
        day_dir.rmdir()
    load_landing(con, landing.root, ALL_TARGETS)
    outcome = run(con, landing, config, "stripe/exchange_rates")["freshness"]
    assert outcome.passed and "not needed" in outcome.report
    # a price in EUR makes the rates needed again: none were delivered, so freshness fails
    rewrite(landing, "stripe/prices", [price(), price("p_eur", "eur")])
    load_landing(con, landing.root, ALL_TARGETS)
    assert not run(con, landing, config, "stripe/exchange_rates")["freshness"].passed


def test_partition_range_validates_only_its_days(landing, con, config):
    write_clean_landing(landing)
    landing.write(
        "segment/events",
        "2025-06-02",
        [event("early", date(2025, 6, 2), timestamp="2009-01-01T00:00:00Z")],
        gz=True,
    )
    load_landing(con, landing.root, ALL_TARGETS)
    one_day = Days(AS_OF, AS_OF)
    assert run(con, landing, config, "segment/events", one_day)["timestamps"].passed
    outcome = run(con, landing, config, "segment/events", None)["timestamps"]
    assert outcome.unexpected_count == 1


def test_a_range_of_days_is_one_sql_validation_with_exact_totals(landing, con, config):
    """DuckDB computes over the days in one query: one GX validation, every row counted."""
    write_clean_landing(landing)
    load_landing(con, landing.root, ALL_TARGETS)
    con.execute(
        "update raw_segment.events set call_type = 'trak' where record_id like 'm-2025-06-08-%'"
    )
    ((rows,),) = con.execute("select count(*) from raw_segment.events").fetchall()
    whole = run(con, landing, config, "segment/events", None)["value_sets"]
    assert (whole.batches, whole.element_count, whole.unexpected_count) == (
        1,
        rows,
        EVENTS_PER_DAY,
    )
    after = run(con, landing, config, "segment/events", Days(date(2025, 6, 9), AS_OF))
    assert (after["value_sets"].batches, after["value_sets"].unexpected_count) == (1, 0)


def test_message_ids_are_compared_a_stretch_of_days_at_a_time_with_the_same_result(landing, con):
    write_clean_landing(landing)
    load_landing(con, landing.root, ALL_TARGETS)
    # three consecutive days and one apart: two runs, the first in two stretches
    lost_days = [date(2025, 6, 3), date(2025, 6, 4), date(2025, 6, 5), date(2025, 6, 8)]
    for day in lost_days:
        con.execute(f"delete from raw_segment.events where record_id = 'm-{day}-7'")

    whole = message_ids_batch(con, landing.root, None, ids_per_query=10**9).frame
    stretched = message_ids_batch(con, landing.root, None, ids_per_query=2 * EVENTS_PER_DAY).frame

    event_days = (AS_OF - FIRST_EVENT_DAY).days + 1
    assert len(whole) == event_days
    pd.testing.assert_frame_equal(stretched, whole)
    lost = whole[whole["missing_from_warehouse"] > 0]
    assert lost["day"].dt.date.tolist() == lost_days
    assert (whole["compared"] == "ids").sum() == len(lost_days)


def test_message_ids_matching_by_fingerprint_need_no_id_comparison_and_a_swapped_id_is_caught(
    landing, con
):
    """Same count, other id: the record counts reconcile, the fingerprint does not; the day is
    then compared id by id, which names one id missing and one from no file."""
    write_clean_landing(landing)
    load_landing(con, landing.root, ALL_TARGETS)
    clean = message_ids_batch(con, landing.root, None).frame
    assert (clean["compared"] == "fingerprint").all()
    assert (clean["ids_in_files"] == clean["ids_in_tables"]).all()
    assert (
        clean["ids_in_files"].sum()
        == con.execute("select count(*) from raw_segment.events").fetchone()[0]
    )

    day = date(2025, 6, 3)
    con.execute(
        f"update raw_segment.events set record_id = 'not-sent' where record_id = 'm-{day}-7'"
    )

    frame = message_ids_batch(con, landing.root, None).frame.set_index("day")
    swapped = frame.loc[pd.Timestamp(day)]
    assert (swapped["compared"], swapped["ids_in_files"], swapped["ids_in_tables"]) == (
        "ids",
        EVENTS_PER_DAY,
        EVENTS_PER_DAY,
    )
    assert (swapped["missing_from_warehouse"], swapped["loaded_not_in_files"]) == (1, 1)
    assert (frame.drop(index=pd.Timestamp(day))["compared"] == "fingerprint").all()


def test_message_ids_of_a_file_the_line_reader_cannot_split_are_still_compared(landing, con):
    # An invalid UTF-8 line makes the fast line reader refuse the file; DuckDB's JSON reader then
    # reads it, skipping that line (the loader quarantined it without a readable messageId).
    write_clean_landing(landing)
    day = FIRST_EVENT_DAY + timedelta(days=1)
    path = landing.write("segment/events", day.isoformat(), events_by_day(day, day)[day])
    path.write_bytes(path.read_bytes() + b'{"messageId": "\xff"}\n')
    load_landing(con, landing.root, ALL_TARGETS)
    con.execute(f"delete from raw_segment.events where record_id = 'm-{day}-7'")

    frame = message_ids_batch(con, landing.root, None).frame.set_index("day")

    # the file was read in Python: no fingerprint, its day compared id by id
    assert frame.loc[pd.Timestamp(day), "compared"] == "ids"
    assert pd.isna(frame.loc[pd.Timestamp(day), "ids_in_files"])
    assert frame.loc[pd.Timestamp(day), "missing_from_warehouse"] == 1
    assert frame["missing_from_warehouse"].sum() == 1
    assert frame["loaded_not_in_files"].sum() == 0


def test_exchange_rate_files_are_counted_in_one_scan(landing, con, monkeypatch):
    """Every rates.csv is read in one DuckDB scan, its header (first line only) not a record;
    the per-file reader is for files that scan refuses."""
    folder = landing.root / "stripe/exchange_rates"
    for day, text in (
        ("2025-06-01", "date,currency,usd_per_unit\n2025-06-01,eur,1.08\n2025-06-01,gbp,1.27\n"),
        ("2025-06-02", "2025-06-02,eur,1.09\n"),
        ("2025-06-03", "date,currency,usd_per_unit\n"),
    ):
        (folder / day).mkdir(parents=True)
        (folder / day / "rates.csv").write_text(text)

    def read_one_by_one(*args, **kwargs):
        raise AssertionError("rates.csv files fell back to one read per file")

    monkeypatch.setattr(frames, "_file_records", read_one_by_one)
    obj = RawObject.of(TARGETS_BY_KEY["stripe/exchange_rates"])
    counted = landing_files_frame(con, obj, landing.root, None).set_index("file")

    assert counted.loc["stripe/exchange_rates/2025-06-01/rates.csv", "lines_in_file"] == 3
    assert counted["records_in_file"].to_dict() == {
        "stripe/exchange_rates/2025-06-01/rates.csv": 2,
        "stripe/exchange_rates/2025-06-02/rates.csv": 1,
        "stripe/exchange_rates/2025-06-03/rates.csv": 0,
    }


def test_volume_is_not_judged_below_the_minimum_daily_median(landing, con, config):
    """At 40 events a day an eighth of the volume is still judged with a minimum of 10, and
    left alone under the default minimum of 200 (counting noise at that scale)."""
    write_clean_landing(landing)
    day = date(2025, 6, 5)
    landing.write("segment/events", day.isoformat(), events_by_day(day, day)[day][:5], gz=True)
    load_landing(con, landing.root, ALL_TARGETS)
    assert not run(con, landing, config, "segment/events")["volume"].passed
    default = replace(config, volume_min_median_events=200)
    assert run(con, landing, default, "segment/events")["volume"].passed
