"""The headline figures a CS lead reads first, from the published serving file.

Each figure names its period: MRR is the `as_of` month so far, rates are of the last complete
month (a month in progress has no churn rate yet), NPS is over the last three months with its
number of responses (NPS-1: from responses, never an average of monthly scores).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    period: str


def _money(value: float | None) -> str:
    return "n/a" if value is None else f"${value:,.0f}"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


def headline_numbers(serving_path: Path) -> list[Headline]:
    """MRR, NRR, logo churn, NPS and accounts at risk; empty when nothing is published."""
    if not serving_path.exists():
        return []
    with duckdb.connect(str(serving_path), read_only=True) as con:
        current = con.execute(
            "select month, mrr, arr from marts.fct_revenue_monthly order by month desc limit 1"
        ).fetchall()
        complete = con.execute(
            "select month, nrr, logo_churn_rate, customers_churned, customers_start "
            "from marts.fct_revenue_monthly where is_complete_month order by month desc limit 1"
        ).fetchall()
        nps = con.execute(
            "select sum(responses), 100.0 * (sum(promoters) - sum(detractors)) / "
            "nullif(sum(responses), 0), min(month), max(month) from ("
            "select * from marts.fct_nps_monthly where segment = 'all' "
            "order by month desc limit 3)"
        ).fetchall()
        at_risk = con.execute(
            "select count(*) filter (where health_band = 'red'), "
            "count(*) filter (where health_band = 'yellow'), sum(mrr_at_stake), "
            "max(as_of_date) from marts.rpt_at_risk_accounts"
        ).fetchall()
    headlines: list[Headline] = []
    if current:
        month, mrr, arr = current[0]
        headlines.append(Headline("MRR", f"{_money(mrr)} (ARR {_money(arr)})", f"{month:%b %Y}"))
    if complete:
        month, nrr, churn, churned, start = complete[0]
        period = f"{month:%b %Y}"
        headlines.append(Headline("NRR", _percent(nrr), period))
        headlines.append(
            Headline("Logo churn", f"{_percent(churn)} ({churned} of {start})", period)
        )
    if nps and nps[0][0]:
        responses, score, first, last = nps[0]
        headlines.append(
            Headline("NPS", f"{score:.0f} ({responses} responses)", f"{first:%b}-{last:%b %Y}")
        )
    if at_risk:
        red, yellow, stake, as_of = at_risk[0]
        headlines.append(
            Headline(
                "Accounts at risk",
                f"{red} red, {yellow} yellow ({_money(stake)} MRR at stake)",
                f"{as_of}" if as_of else "",
            )
        )
    return headlines
