"""A small real-world shape, end to end: a USD-only business (no exchange-rate file at all)
whose HubSpot exports went quiet two months ago. Nothing here makes a number wrong, so the
refresh publishes; the quiet objects are warnings that meta.refresh_log and the summary list.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import REPO_ROOT
from tests.conftest import Landing

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group(name="e2e_quiet")]

AS_OF = date(2025, 6, 30)  # a month's last day, on purpose (REN-1)
QUIET_SINCE = AS_OF - timedelta(days=60)


def _ts(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _write_usd_only_landing(landing: Landing) -> None:
    day, quiet = AS_OF.isoformat(), QUIET_SINCE.isoformat()
    start = date(2025, 4, 1)
    landing.write(
        "stripe/customers",
        day,
        [{"id": "cus_1", "object": "customer", "created": _ts(start), "currency": "usd",
          "metadata": {"hubspot_company_id": "101"}}],
    )  # fmt: skip
    landing.write(
        "stripe/products", day, [{"id": "prod_1", "object": "product", "created": _ts(start)}]
    )
    price = {
        "id": "price_1", "object": "price", "product": "prod_1", "currency": "usd",
        "unit_amount": 50000, "type": "recurring", "active": True, "created": _ts(start),
        "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"},
    }  # fmt: skip
    landing.write("stripe/prices", day, [price])
    item = {
        "id": "si_1", "object": "subscription_item", "quantity": 1, "created": _ts(start),
        "current_period_start": _ts(date(2025, 6, 1)), "current_period_end": _ts(date(2025, 7, 1)),
        "price": price,
    }  # fmt: skip
    landing.write(
        "stripe/subscriptions",
        day,
        [{"id": "sub_1", "object": "subscription", "customer": "cus_1", "status": "active",
          "created": _ts(start), "start_date": _ts(start), "currency": "usd",
          "items": {"object": "list", "data": [item]}}],
    )  # fmt: skip
    landing.write(
        "hubspot/companies",
        quiet,
        [{"id": "101", "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-04-01T00:00:00Z",
          "properties": {"name": "Acme"}}],
    )  # fmt: skip
    landing.write(
        "segment/events",
        day,
        [{"type": "track", "messageId": "m1", "userId": "u1", "event": "Report Viewed",
          "timestamp": f"{day}T10:00:00Z", "receivedAt": f"{day}T10:00:01Z",
          "context": {"groupId": "101"}}],
    )  # fmt: skip


def test_usd_only_landing_with_quiet_hubspot_publishes_with_warnings(tmp_path: Path) -> None:
    landing = Landing(tmp_path / "landing")
    _write_usd_only_landing(landing)
    serving = tmp_path / "serving.duckdb"
    env = {
        **os.environ,
        "CS_LANDING_DIR": str(landing.root),
        "CS_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
        "CS_SERVING_PATH": str(serving),
        "CS_AS_OF": AS_OF.isoformat(),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "CS_DQ_DOCS_DIR": str(tmp_path / "data_docs"),
        "CS_DQ_STORE_DIR": str(tmp_path / "gx_store"),
        "CS_REPORT_DIR": str(tmp_path / "report"),
    }

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "orchestration.cli", *args],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=1800,
        )  # fmt: skip

    refresh = cli("refresh")
    assert refresh.returncode == 0, refresh.stdout[-3000:] + refresh.stderr[-3000:]
    with duckdb.connect(str(serving), read_only=True) as reader:
        (warnings_json,) = reader.execute("select warnings from meta.refresh_log").fetchone()
        (mrr,) = reader.execute(
            "select mrr from marts.fct_mrr where month = '2025-06-01'"
        ).fetchone()
    assert mrr == 500
    warned = {(w["asset"], w["check"]) for w in json.loads(warnings_json)}
    assert ("raw_hubspot/companies", "freshness") in warned  # 60 days quiet
    assert ("raw_hubspot/tickets", "freshness") in warned  # never delivered
    assert ("raw_stripe/subscriptions", "freshness") not in warned
    assert ("raw_stripe/exchange_rates", "freshness") not in warned  # USD-only: not needed
    # No invoice was exported: MRR has no recurring invoice lines behind it (a dbt audit test
    # of severity warn, listed with the gate's warnings).
    assert ("audit/rpt_mrr_invoices_reconciliation", "mrr_reconciles_with_invoices") in warned
    summary = cli("summary")
    assert summary.returncode == 0, summary.stderr
    assert "raw_hubspot/companies: freshness" in summary.stdout
    assert "audit/rpt_mrr_invoices_reconciliation: mrr_reconciles_with_invoices" in summary.stdout
