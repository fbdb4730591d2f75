"""Real Stripe objects (stripe-mock fixtures, both API shapes) load without losing a record.

Their values are random placeholders, so some are impossible (a period that ends before it
starts): those must be quarantined with a reason, never dropped.
"""

from __future__ import annotations

import json

import pytest

from orchestration.ingest.loader import load_landing
from orchestration.sources import ALL_TARGETS
from tests.conftest import SHARED_DIR

SAMPLES = SHARED_DIR / "samples" / "stripe"
# Sample object type -> landing folder. Credit notes, invoice items, payment intents,
# subscription items and schedules are not landing objects (LANDING.md).
FOLDER_BY_OBJECT = {
    "customer": "customers",
    "product": "products",
    "price": "prices",
    "subscription": "subscriptions",
    "invoice": "invoices",
    "charge": "charges",
    "refund": "refunds",
}

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(),
    reason=(
        f"no Stripe samples at {SAMPLES}: the shared folder beside the repository is absent "
        "(a plain clone has none); set CS_SHARED_DIR to a folder with samples/stripe/ to run"
    ),
)


def _samples() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(SAMPLES.glob("*.json")):
        sample = json.loads(path.read_text())
        found.append((path.name, sample))
    return found


def test_every_stripe_sample_is_loaded_or_quarantined_with_a_reason(landing, con):
    expected: dict[str, int] = {}
    for _name, sample in _samples():
        kind = sample["object"]
        if kind == "event":  # a Stripe Event: lands in the folder of the object it carries
            kind = {"plan": "price"}.get(sample["data"]["object"]["object"], kind)
        folder = FOLDER_BY_OBJECT.get(kind)
        if folder is None:
            continue
        part = expected.get(folder, 0)
        landing.write(f"stripe/{folder}", "2026-07-29", [sample], part=part)
        expected[folder] = part + 1
        # Each sample also arrives inside a list page, the other way exports deliver objects.
        landing.write(
            f"stripe/{folder}", "2026-07-30", [{"object": "list", "data": [sample]}], part
        )

    load_landing(con, landing.root, ALL_TARGETS)

    for folder, count in expected.items():
        loaded, quarantined = con.execute(
            f"select (select count(*) from raw_stripe.{folder}), "
            "(select count(*) from raw_quarantine where object = ?)",
            [folder],
        ).fetchone()
        assert loaded + quarantined == 2 * count, folder
    reasons = con.execute(
        "select distinct object, reason from raw_quarantine order by all"
    ).fetchall()
    assert reasons == [
        ("prices", "object type 'plan' does not belong in stripe/prices (expected price)"),
        ("subscriptions", "an item's current_period_end is before its current_period_start"),
    ]
    assert con.execute("select count(*) from raw_quarantine where raw_text is null").fetchone() == (
        0,
    )
    shapes = con.execute(
        "select count(*) filter (where record->>'$.subscription' is not null or "
        "json_exists(record, '$.lines.data[0].price')), "
        "count(*) filter (where json_exists(record, '$.lines.data[0].parent')) "
        "from raw_stripe.invoices"
    ).fetchone()
    assert shapes == (2, 2)  # the old and the new invoice shape, each twice


def _real_invoices() -> list[dict]:
    """The real invoice objects, one per API shape."""
    return [sample for _name, sample in _samples() if sample["object"] == "invoice"]


def test_a_real_invoice_inside_an_invoice_deleted_event_is_loaded_as_a_deletion(landing, con):
    (event,) = [sample for _name, sample in _samples() if sample["object"] == "event"]
    deleted_events = [
        {
            **event,
            "id": f"{event['id']}_{n}",
            "type": "invoice.deleted",
            "data": {"object": {**invoice, "status": "deleted"}},
        }
        for n, invoice in enumerate(_real_invoices())
    ]
    assert len(deleted_events) == 2  # the current and the pre-2025-03-31 shape
    landing.write("stripe/invoices", "2026-07-29", deleted_events)

    load_landing(con, landing.root, ALL_TARGETS)

    loaded = con.execute(
        "select _event_type, record->>'$.status', _event_created from raw_stripe.invoices"
    ).fetchall()
    assert loaded == [("invoice.deleted", "deleted", event["created"])] * 2
    assert con.execute("select reason from raw_quarantine").fetchall() == []


def test_real_invoices_in_a_search_api_page_are_unwrapped(landing, con):
    invoices = _real_invoices()
    page = {
        "object": "search_result",
        "url": "/v1/invoices/search",
        "data": invoices,
        "has_more": False,
        "next_page": None,
    }
    landing.write("stripe/invoices", "2026-07-29", [page])

    load_landing(con, landing.root, ALL_TARGETS)

    loaded = con.execute(
        "select record_id, _record_index from raw_stripe.invoices order by _record_index"
    ).fetchall()
    assert loaded == [(invoice["id"], index) for index, invoice in enumerate(invoices)]
    assert con.execute("select reason from raw_quarantine").fetchall() == []
