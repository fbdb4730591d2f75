"""Issue 12 end to end (MRR-2): Stripe objects as exported -> loader -> dbt -> fct_mrr.

The bug report: a 20% forever discount on the Stripe customer was ignored (MRR 500, not 400).
Also pinned here from landing files: a subscription with its own discount ignores its
customer's, a customer discount exported later applies from its `start`, an item discount
reduces its item only, and tiered prices are valued by their tiers (embedded in the item, or
only on the price object). Every expected value is computed by hand in the comments.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import Landing
from tests.dbt.conftest import load_golden, query, run_dbt

pytestmark = pytest.mark.xdist_group("dbt")

AS_OF = "2025-06-15"
START = "2025-01-01"
MONTHS = [date(2025, month, 1) for month in range(1, 7)]


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


COUPON_20 = {
    "id": "OFF20",
    "object": "coupon",
    "duration": "forever",
    "duration_in_months": None,
    "percent_off": 20.0,
    "amount_off": None,
    "currency": None,
}
COUPON_10 = {**COUPON_20, "id": "OFF10", "percent_off": 10.0}


def discount(discount_id: str, coupon: dict, start: str, legacy: bool = False) -> dict:
    """A discount object: legacy shape embeds `coupon`, newer shape names `source.coupon`."""
    value = {"id": discount_id, "object": "discount", "start": ts(start), "end": None}
    if legacy:
        value["coupon"] = coupon
    else:
        value["source"] = {"type": "coupon", "coupon": coupon["id"]}
    return value


def customer(cid: str, **discounts: object) -> dict:
    return {"id": cid, "object": "customer", "created": ts(START), "currency": "usd", **discounts}


def price(pid: str, amount: int | None, **tiered: object) -> dict:
    return {
        "id": pid,
        "object": "price",
        "product": "prod_core",
        "currency": "usd",
        "type": "recurring",
        "created": ts(START),
        "billing_scheme": "tiered" if tiered else "per_unit",
        "tiers_mode": tiered.get("tiers_mode"),
        "unit_amount": amount,
        "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"},
        **({"tiers": tiered["tiers"]} if "tiers" in tiered else {}),
    }


def item(item_id: str, item_price: dict, quantity: int, discounts: list | None = None) -> dict:
    return {
        "id": item_id,
        "object": "subscription_item",
        "created": ts(START),
        "current_period_start": ts(START),
        "current_period_end": ts("2025-02-01"),
        "price": item_price,
        "quantity": quantity,
        "discounts": discounts or [],
    }


def subscription(sid: str, cus: str, items: list[dict], discounts: list | None = None) -> dict:
    return {
        "id": sid,
        "object": "subscription",
        "customer": cus,
        "status": "active",
        "created": ts(START),
        "start_date": ts(START),
        "currency": "usd",
        "discounts": discounts or [],
        "items": {"object": "list", "data": items},
    }


# Tiers in cents: (up_to, unit_amount, flat_amount).
VOLUME_TIERS = [
    {"up_to": 10, "unit_amount": 1000, "flat_amount": 0},
    {"up_to": 20, "unit_amount": 800, "flat_amount": 2000},
    {"up_to": None, "unit_amount": 500, "flat_amount": 5000},
]
GRADUATED_TIERS = [
    {"up_to": 10, "unit_amount": 1000, "flat_amount": 500},
    {"up_to": 20, "unit_amount": 800, "flat_amount": 2000},
    {"up_to": None, "unit_amount": 500, "flat_amount": 0},
]
# As subscriptions embed it: without `tiers` (Stripe includes them only when expanded).
GRADUATED_PRICE = price("price_graduated", None, tiers_mode="graduated")


def write_landing(landing: Landing) -> None:
    landing.write("stripe/coupons", START, [COUPON_20, COUPON_10])
    landing.write(
        "stripe/prices",
        START,
        [price("price_graduated", None, tiers_mode="graduated", tiers=GRADUATED_TIERS)],
    )
    landing.write(
        "stripe/customers",
        START,
        [
            # the bug report: 20% forever on the customer (newer `discount.source.coupon`)
            customer("cus_1", discount=discount("di_c1", COUPON_20, START)),
            # a customer discount in the `discounts` list (legacy embedded coupon)
            customer("cus_2", discounts=[discount("di_c2", COUPON_20, START, legacy=True)]),
            customer("cus_3", discount=None),
            customer("cus_4"),
            customer("cus_5"),
        ],
    )
    # cus_3's discount is added later: exported Apr 10, it started Apr 1.
    landing.write(
        "stripe/customers",
        "2025-04-10",
        [customer("cus_3", discount=discount("di_c3", COUPON_20, "2025-04-01"))],
    )
    volume_price = price("price_volume", None, tiers_mode="volume", tiers=VOLUME_TIERS)
    landing.write(
        "stripe/subscriptions",
        START,
        [
            subscription("sub_1", "cus_1", [item("si_1", price("price_500", 50000), 1)]),
            subscription(
                "sub_2",
                "cus_2",
                [item("si_2", price("price_300", 30000), 1)],
                discounts=[discount("di_s2", COUPON_10, START, legacy=True)],
            ),
            subscription("sub_3", "cus_3", [item("si_3", price("price_100", 10000), 1)]),
            subscription(
                "sub_4",
                "cus_4",
                [
                    item("si_4a", volume_price, 12),
                    item(
                        "si_4b",
                        price("price_100", 10000),
                        1,
                        discounts=[discount("di_i4", COUPON_10, START, legacy=True)],
                    ),
                ],
            ),
            subscription("sub_5", "cus_5", [item("si_5", GRADUATED_PRICE, 12)]),
        ],
    )


EXPECTED_MRR = {
    # $500 with the customer's 20% forever -> 400 every month (the bug report).
    "cus_1": ["400.00"] * 6,
    # $300 with its own 10%: the customer's 20% does not apply -> 270 (not 216).
    "cus_2": ["270.00"] * 6,
    # $100; the customer's 20% exported Apr 10 applies from its start Apr 1 -> 80 from April.
    "cus_3": ["100.00"] * 3 + ["80.00"] * 3,
    # volume tiers at 12 seats: tier 2 -> 12 x 8 + 20 = 116 (tiers embedded in the item);
    # plus a $100 item with 10% off on that item only -> 90; 116 + 90 = 206.
    "cus_4": ["206.00"] * 6,
    # graduated tiers (only on the price object) at 12: 10 x 10 + 5 + 2 x 8 + 20 = 141.
    "cus_5": ["141.00"] * 6,
}


def test_customer_item_discounts_and_tiered_prices_from_landing_to_fct_mrr(
    tmp_path: Path,
) -> None:
    landing = Landing(tmp_path / "landing")
    write_landing(landing)
    warehouse = tmp_path / "warehouse.duckdb"
    load_golden(warehouse, landing.root)
    run_dbt(
        ["run", "--select", "+fct_mrr"], warehouse=warehouse, as_of=AS_OF, work_dir=tmp_path
    ).check()
    rows = query(warehouse, "select account_id, month, mrr from marts.fct_mrr order by all")
    actual: dict[str, list[str]] = {}
    for account_id, month, mrr in rows:
        assert month == MONTHS[len(actual.get(account_id, []))], (account_id, month)
        actual.setdefault(account_id, []).append(str(Decimal(mrr).quantize(Decimal("0.01"))))
    assert actual == EXPECTED_MRR
