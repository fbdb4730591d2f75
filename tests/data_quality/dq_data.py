"""Small, valid landing data for every object, and small marts: the gate's clean baseline.

Tests inject one violation into this baseline and assert the check that must catch it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from data_quality.config import QualityConfig
from demo_data.generator import write_heartbeats

AS_OF = date(2025, 6, 10)
DAY = AS_OF.isoformat()
FIRST_EVENT_DAY = date(2025, 5, 13)  # 4 weeks of history before the judged days
EVENTS_PER_DAY = 40
APRIL_1 = int(datetime(2025, 4, 1, tzinfo=UTC).timestamp())
MAY_1 = int(datetime(2025, 5, 1, tzinfo=UTC).timestamp())
JUNE_1 = int(datetime(2025, 6, 1, tzinfo=UTC).timestamp())
JULY_1 = int(datetime(2025, 7, 1, tzinfo=UTC).timestamp())


def quality_config(tmp_path: Path, **overrides) -> QualityConfig:
    values = {
        "as_of": AS_OF,
        "docs_dir": tmp_path / "dq_docs",
        "store_dir": tmp_path / "dq_store",
        # the test stream has EVENTS_PER_DAY (40) events a day: judge volume at that scale
        "volume_min_median_events": 10,
        **overrides,
    }
    return QualityConfig(**values)


def price(price_id: str = "price_1", currency: str = "usd", amount: int = 2000) -> dict:
    return {
        "id": price_id,
        "object": "price",
        "product": "prod_1",
        "currency": currency,
        "unit_amount": amount,
        "type": "recurring",
        "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"},
        "active": True,
        "created": JUNE_1,
    }


def subscription(sub_id: str = "sub_1", **fields) -> dict:
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": "cus_1",
        "status": "active",
        "created": JUNE_1,
        "start_date": JUNE_1,
        "currency": "usd",
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_1",
                    "quantity": 5,
                    "current_period_start": JUNE_1,
                    "current_period_end": JULY_1,
                    "price": price(),
                }
            ],
        },
        **fields,
    }


def invoice(
    invoice_id: str = "in_1",
    amount: int = 10000,
    start: int = JUNE_1,
    end: int = JULY_1,
    **fields,
) -> dict:
    return {
        "id": invoice_id,
        "object": "invoice",
        "customer": "cus_1",
        "status": "paid",
        "currency": "usd",
        "amount_due": amount,
        "amount_paid": amount,
        "amount_remaining": 0,
        "total": amount,
        "created": start,
        "status_transitions": {"paid_at": start + 60},
        "parent": {"subscription_details": {"subscription": "sub_1"}},
        "lines": {
            "data": [
                {
                    "id": f"il_{invoice_id}",
                    "amount": amount,
                    "currency": "usd",
                    "discount_amounts": [],
                    "period": {"start": start, "end": end},
                    "parent": {
                        "type": "subscription_item_details",
                        "subscription_item_details": {"proration": False, "subscription": "sub_1"},
                    },
                }
            ]
        },
        **fields,
    }


def charge(charge_id: str = "ch_1", amount: int = 10000, created: int = JUNE_1, **fields) -> dict:
    return {
        "id": charge_id,
        "object": "charge",
        "customer": "cus_1",
        "amount": amount,
        "amount_refunded": 0,
        "currency": "usd",
        "status": "succeeded",
        "created": created + 55,
        **fields,
    }


def event(message_id: str, day: date, **fields) -> dict:
    stamp = f"{day.isoformat()}T08:00:00.000Z"
    return {
        "messageId": message_id,
        "type": "track",
        "event": "Report Created",
        "userId": "u1",
        "timestamp": stamp,
        "receivedAt": stamp,
        "context": {"groupId": "101"},
        **fields,
    }


def feedback(feedback_id: str, survey: str, value: str, **properties) -> dict:
    return {
        "id": feedback_id,
        "createdAt": "2025-06-01T10:00:00.000Z",
        "properties": {
            "hs_survey_type": survey,
            "hs_value": value,
            "hs_submission_timestamp": "2025-06-01T10:00:00.000Z",
            **properties,
        },
    }


def events_by_day(first: date = FIRST_EVENT_DAY, last: date = AS_OF) -> dict[date, list[dict]]:
    days = {}
    day = first
    while day <= last:
        days[day] = [event(f"m-{day}-{n}", day) for n in range(EVENTS_PER_DAY)]
        day += timedelta(days=1)
    return days


def write_clean_landing(landing) -> None:
    """One valid export of every object on DAY, and Segment events for two weeks before it."""
    landing.write(
        "stripe/customers",
        DAY,
        [
            {
                "object": "list",
                "data": [
                    {
                        "id": "cus_1",
                        "object": "customer",
                        "created": JUNE_1,
                        "currency": "usd",
                        "metadata": {"hubspot_company_id": "101"},
                    },
                    {"id": "cus_2", "object": "customer", "created": JUNE_1, "currency": "eur"},
                ],
            },
            {"id": "cus_3", "object": "customer", "deleted": True},
        ],
    )
    landing.write(
        "stripe/products", DAY, [{"id": "prod_1", "object": "product", "created": JUNE_1}]
    )
    landing.write("stripe/prices", DAY, [price(), price("price_2", "jpy", 3000)])
    landing.write("stripe/subscriptions", DAY, [subscription()])
    # Paid monthly invoices matching fct_mrr of create_clean_marts: 100 in April, 110 in May.
    landing.write(
        "stripe/invoices",
        DAY,
        [
            invoice("in_apr", 10000, APRIL_1, MAY_1),
            invoice("in_may", 10000, MAY_1, JUNE_1),
            invoice("in_may_2", 1000, MAY_1, JUNE_1),
            invoice("in_jun", 10000, JUNE_1, JULY_1),
        ],
    )
    landing.write(
        "stripe/charges",
        DAY,
        [
            charge("ch_apr", 10000, APRIL_1),
            charge("ch_may", 10000, MAY_1),
            charge("ch_may_2", 1000, MAY_1),
            charge("ch_1", 10000, JUNE_1),
            charge("ch_2", 10000, JUNE_1, status="failed"),
        ],
    )
    landing.write(
        "stripe/refunds",
        DAY,
        [
            {
                "id": "re_1",
                "object": "refund",
                "amount": 500,
                "currency": "usd",
                "status": "succeeded",
                "created": JUNE_1 + 86400,
                "charge": "ch_1",
            }
        ],
    )
    landing.write(
        "stripe/coupons",
        DAY,
        [{"id": "c1", "object": "coupon", "duration": "forever", "percent_off": 20}],
    )
    rates = landing.root / "stripe/exchange_rates" / DAY
    rates.mkdir(parents=True, exist_ok=True)
    (rates / "rates.csv").write_text(
        "date,currency,usd_per_unit\n2025-06-01,eur,1.08\n2025-06-01,jpy,0.0069\n"
    )
    company = {
        "id": "101",
        "createdAt": "2024-01-01T00:00:00Z",
        "updatedAt": 1748736000000,
        "properties": {"name": "Acme"},
    }
    landing.write("hubspot/companies", DAY, [{"results": [company], "paging": None}])
    landing.write("hubspot/contacts", DAY, [{"id": "1", "properties": {"email": "a@acme.io"}}])
    landing.write(
        "hubspot/deals", DAY, [{"id": "5", "properties": {"createdate": "1748736000000"}}]
    )
    pipeline = {"id": "default", "label": "Sales", "stages": [{"id": "s1", "label": "Won"}]}
    landing.write("hubspot/deal_pipelines", DAY, [pipeline])
    landing.write("hubspot/ticket_pipelines", DAY, [pipeline])
    landing.write(
        "hubspot/tickets",
        DAY,
        [{"id": "7", "properties": {"createdate": "2025-06-02T00:00:00Z", "closed_date": None}}],
    )
    landing.write(
        "hubspot/feedback_submissions",
        DAY,
        [feedback("1", "NPS", "9"), feedback("2", "NPS", "0"), feedback("3", "CSAT", "5")],
    )
    landing.write("hubspot/meetings", DAY, [{"id": "8", "properties": {"hs_timestamp": None}}])
    owner = {
        "id": "81234567",
        "email": "ana@example.com",
        "firstName": "Ana",
        "lastName": "Meyer",
        "archived": False,
        "updatedAt": "2021-03-01T00:00:00Z",  # an owner may predate the period by years
    }
    landing.write("hubspot/owners", DAY, [{"results": [owner], "paging": None}])
    for day, events in events_by_day().items():
        landing.write("segment/events", day.isoformat(), events, gz=True)
    # The extractor's marker on DAY for every object, as exporters leave it: an object without
    # a record that day (or one added to the sources later) delivered, it is not stale.
    write_heartbeats(landing.root, AS_OF)


MART_DDL = {
    "dim_accounts": "account_id varchar, account_name varchar",
    "fct_mrr": "account_id varchar, month date, mrr decimal(18, 2), "
    "previous_mrr decimal(18, 2), mrr_change decimal(18, 2), movement varchar",
    "fct_revenue_monthly": "month date, mrr decimal(18, 2), logo_churn_rate double, "
    "gross_mrr_churn_rate double, net_mrr_churn_rate double, grr double, nrr double, "
    "quick_ratio double, logo_renewal_rate double, dollar_renewal_rate double",
    "fct_nps_monthly": "month date, segment varchar, nps double",
    "fct_csat_monthly": "month date, csat double",
    "fct_engagement_daily": "account_id varchar, date_day date, stickiness double, "
    "seat_utilisation double",
    "fct_account_health_daily": "account_id varchar, date_day date, health_score double",
}


def create_clean_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Marts that satisfy every rule: acct_1 paid from April (100 a month), acct_2 new in May
    (churned in June, a $0 row after churn), as_of in June."""
    con.execute("create schema if not exists marts")
    for model, columns in MART_DDL.items():
        con.execute(f"create or replace table marts.{model} ({columns})")
    con.execute("insert into marts.dim_accounts values ('acct_1', 'Acme'), ('acct_2', 'Beta')")
    con.execute(
        """
        insert into marts.fct_mrr values
            ('acct_1', '2025-04-01', 100, 0, 100, 'new'),
            ('acct_1', '2025-05-01', 100, 100, 0, 'unchanged'),
            ('acct_1', '2025-06-01', 100, 100, 0, 'unchanged'),
            ('acct_2', '2025-05-01', 10, 0, 10, 'new'),
            ('acct_2', '2025-06-01', 0, 10, -10, 'churn')
        """
    )
    con.execute(
        """
        insert into marts.fct_revenue_monthly values
            ('2025-04-01', 100, null, null, null, null, null, null, null, null),
            ('2025-05-01', 110, 0, 0, -0.1, 1, 1.1, null, 1, 1),
            ('2025-06-01', 100, 0.5, 0.09, 0.09, 0.91, 0.91, 0, 0.5, 0.9)
        """
    )
    con.execute(
        "insert into marts.fct_nps_monthly values ('2025-05-01', 'smb', 40), "
        "('2025-05-01', 'enterprise', -100), ('2025-06-01', 'smb', 100)"
    )
    con.execute("insert into marts.fct_csat_monthly values ('2025-05-01', 80), ('2025-06-01', 0)")
    con.execute(
        "insert into marts.fct_engagement_daily values ('acct_1', '2025-06-09', 0.2, 1.3), "
        "('acct_1', '2025-06-10', 1, 0), ('acct_2', '2025-06-10', null, null)"
    )
    # product events as dbt attributes them to accounts (the unknown-account check reads them)
    con.execute("create schema if not exists intermediate")
    con.execute(
        "create or replace table intermediate.int_segment_events_attributed "
        "(message_id varchar, account_id varchar, event_date date)"
    )
    con.execute(
        "insert into intermediate.int_segment_events_attributed values "
        "('m1', 'acct_1', '2025-06-09'), ('m2', 'acct_1', '2025-06-10'), "
        "('m3', 'acct_2', '2025-06-10')"
    )
    con.execute(
        "insert into marts.fct_account_health_daily values ('acct_1', '2025-06-09', 0), "
        "('acct_1', '2025-06-10', 100), ('acct_2', '2025-06-10', 55.5)"
    )
