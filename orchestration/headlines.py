"""The headline figures a CS lead reads first: one definition for the CLI summary (all accounts,
read from the marts) and the CS report's cards (the same figures for every segment and CSM).

Each figure names its period and its change from the previous period. MRR, ARR and ARPA are of
the `as_of` month (MRR-3: the MRR at the end of the `as_of` day) against the month before; NRR,
GRR and logo churn of the last complete month against the one before (a month in progress has
no churn rate yet, CHN-1); NPS over the last three months with its number of responses (NPS-1:
from the responses, never an average of monthly scores) against the three months before; trial
conversion of the last three complete cohorts with its counts (TRL-1); the accounts at risk on
the `as_of` day (the red and yellow rows of the worklist, HLT-3's calibrated bands, or HLT-1's
fixed bands when no calibrated rows were published: orchestration/worklist.py, which the note
names) against the same accounts 30 days before, banded the same way. A figure from fewer than
SMALL_SAMPLE responses or trials says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.worklist import AT_RISK, Worklist, band_counts, read_worklist

SMALL_SAMPLE = 30
WINDOW_MONTHS = 3  # NPS months and trial cohorts per headline period
EN_DASH = "\u2013"  # between the months of a period


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    period: str
    change: str = ""  # against the previous period, which it names
    note: str = ""  # e.g. a small sample


@dataclass(frozen=True)
class RiskFacts:
    """Of the accounts paying on `as_of`, those red and yellow then and on `before` with the
    same bands (None: no account was scored on `before`); `bands` names the bands used."""

    as_of: date
    red: int
    yellow: int
    paying: int
    mrr_at_stake: float
    before: date
    red_before: int | None
    yellow_before: int | None
    bands: str


def risk_facts(worklist: Worklist, accounts: pd.DataFrame | None = None) -> RiskFacts:
    """The risk figures of `accounts` (rows of `worklist.accounts`, all of them by default)."""
    rows = worklist.accounts if accounts is None else accounts
    red, yellow = band_counts(rows)
    red_before, yellow_before = (
        band_counts(rows, "band_30d_before") if worklist.compared else (None, None)
    )
    stake = float(rows.loc[rows["band"].isin(AT_RISK), "mrr_at_stake"].fillna(0).sum())
    return RiskFacts(
        worklist.as_of, red, yellow, len(rows), stake, worklist.before, red_before,
        yellow_before, worklist.bands.label,
    )  # fmt: skip


@dataclass(frozen=True)
class HeadlineFacts:
    """What the headlines are computed from, for all accounts or a filtered set.

    revenue: one row per month, ascending (month, is_complete_month, mrr, arr, arpa,
    paying_accounts, nrr, grr, logo_churn_rate, customers_churned, customers_start);
    nps: month, responses, promoters, detractors; trials: cohort_month, trials, converted,
    is_complete."""

    revenue: pd.DataFrame
    nps: pd.DataFrame
    trials: pd.DataFrame
    risk: RiskFacts | None


def _known(value: object) -> bool:
    return value is not None and not pd.isna(value)


def money(value: object) -> str:
    """'$1,234', '-$56' (whole dollars), 'n/a' when unknown."""
    if not _known(value):
        return "n/a"
    rounded = round(float(value))
    return f"-${-rounded:,}" if rounded < 0 else f"${rounded:,}"


def percent(value: object) -> str:
    return f"{100 * float(value):.1f} %" if _known(value) else "n/a"


def month_label(month: object) -> str:
    return pd.Timestamp(month).strftime("%b %Y")


def month_span(first: object, last: object) -> str:
    """'Sep-Nov 2026' or 'Dec 2025-Feb 2026' (with an en dash), or one month."""
    start, end = pd.Timestamp(first), pd.Timestamp(last)
    if start == end:
        return month_label(end)
    if start.year == end.year:
        return f"{start:%b}{EN_DASH}{end:%b %Y}"
    return f"{start:%b %Y}{EN_DASH}{end:%b %Y}"


def _money_change(now: object, before: object, period: str) -> str:
    if not (_known(now) and _known(before)):
        return ""
    difference = float(now) - float(before)
    relative = f" ({100 * difference / float(before):+.1f} %)" if float(before) else ""
    sign = "-" if difference < 0 else "+"
    return f"{sign}${abs(difference):,.0f}{relative} vs {period}"


def _points_change(now: object, before: object, period: str) -> str:
    if not (_known(now) and _known(before)):
        return ""
    return f"{100 * (float(now) - float(before)):+.1f} pt vs {period}"


def _revenue_headlines(revenue: pd.DataFrame) -> list[Headline]:
    if revenue.empty:
        return []
    current = revenue.iloc[-1]
    previous = revenue.iloc[-2] if len(revenue) > 1 else None
    period = month_label(current["month"])
    before = month_label(previous["month"]) if previous is not None else ""

    def change(column: str) -> str:
        return _money_change(current[column], previous[column], before) if before else ""

    headlines = [
        Headline("MRR", money(current["mrr"]), period, change("mrr")),
        Headline("ARR", money(current["arr"]), period, change("arr")),
        Headline(
            "ARPA",
            f"{money(current['arpa'])} ({int(current['paying_accounts']):,} paying accounts)",
            period,
            change("arpa"),
        ),
    ]
    complete = revenue[revenue["is_complete_month"].astype(bool)]
    if complete.empty:
        return headlines
    last = complete.iloc[-1]
    prior = complete.iloc[-2] if len(complete) > 1 else None
    period = month_label(last["month"])
    before = month_label(prior["month"]) if prior is not None else ""

    def rate_change(column: str) -> str:
        return _points_change(last[column], prior[column], before) if before else ""

    churn = f"{percent(last['logo_churn_rate'])} ({int(last['customers_churned'])} of "
    churn += f"{int(last['customers_start'])})"
    return [
        *headlines,
        Headline("NRR", percent(last["nrr"]), period, rate_change("nrr")),
        Headline("GRR", percent(last["grr"]), period, rate_change("grr")),
        Headline("Logo churn", churn, period, rate_change("logo_churn_rate")),
    ]


def _nps(window: pd.DataFrame) -> tuple[float | None, int]:
    responses = int(window["responses"].sum())
    if not responses:
        return None, 0
    net = int(window["promoters"].sum()) - int(window["detractors"].sum())
    return 100 * net / responses, responses


def _nps_headline(nps: pd.DataFrame) -> Headline | None:
    if nps.empty:
        return None
    window, earlier = nps.tail(WINDOW_MONTHS), nps.iloc[:-WINDOW_MONTHS].tail(WINDOW_MONTHS)
    score, responses = _nps(window)
    period = month_span(window["month"].iloc[0], window["month"].iloc[-1])
    value = f"{score:.0f} ({responses:,} responses)" if score is not None else "n/a (no responses)"
    change = ""
    previous, previous_responses = _nps(earlier) if not earlier.empty else (None, 0)
    if score is not None and previous is not None:
        span = month_span(earlier["month"].iloc[0], earlier["month"].iloc[-1])
        # The difference of the scores as shown (whole numbers): never "-0" for 6.8 vs 7.1.
        shown = round(score) - round(previous)
        change = f"{shown:+d} vs {span} ({previous_responses:,} responses)"
    note = "small sample" if responses < SMALL_SAMPLE else ""
    return Headline("NPS", value, period, change, note)


def _conversion(window: pd.DataFrame) -> tuple[float | None, int, int]:
    trials, converted = int(window["trials"].sum()), int(window["converted"].sum())
    return (converted / trials if trials else None), converted, trials


def _trial_headline(trials: pd.DataFrame) -> Headline | None:
    complete = trials[trials["is_complete"].astype(bool)]
    if complete.empty:
        return None
    window = complete.tail(WINDOW_MONTHS)
    earlier = complete.iloc[:-WINDOW_MONTHS].tail(WINDOW_MONTHS)
    rate, converted, count = _conversion(window)
    period = month_span(window["cohort_month"].iloc[0], window["cohort_month"].iloc[-1])
    change = ""
    if not earlier.empty:
        previous, previous_converted, previous_count = _conversion(earlier)
        span = month_span(earlier["cohort_month"].iloc[0], earlier["cohort_month"].iloc[-1])
        if rate is not None and previous is not None:
            change = (
                f"{100 * (rate - previous):+.1f} pt vs {span} "
                f"({previous_converted} of {previous_count})"
            )
    value = f"{percent(rate)} ({converted} of {count} trials)"
    note = "small sample" if count < SMALL_SAMPLE else ""
    return Headline("Trial conversion", value, f"{period} cohorts", change, note)


def _risk_headline(risk: RiskFacts) -> Headline:
    flagged = risk.red + risk.yellow
    share = f"{percent(flagged / risk.paying)} of " if risk.paying else ""
    noun = "paying account" if risk.paying == 1 else "paying accounts"
    value = (
        f"{risk.red} red, {risk.yellow} yellow ({share}{risk.paying:,} {noun}; "
        f"{money(risk.mrr_at_stake)} MRR at stake)"
    )
    change = ""
    if risk.red_before is not None and risk.yellow_before is not None:
        change = (
            f"red {risk.red - risk.red_before:+d}, yellow {risk.yellow - risk.yellow_before:+d} "
            f"vs {risk.before.isoformat()} (same accounts, same bands)"
        )
    return Headline("Accounts at risk", value, risk.as_of.isoformat(), change, risk.bands)


def headlines(facts: HeadlineFacts) -> list[Headline]:
    """The headline figures of `facts`, in reading order; a figure without data is left out."""
    found = [
        *_revenue_headlines(facts.revenue),
        _nps_headline(facts.nps),
        _trial_headline(facts.trials),
        _risk_headline(facts.risk) if facts.risk else None,
    ]
    return [headline for headline in found if headline is not None]


def _risk_facts(con: duckdb.DuckDBPyConnection) -> RiskFacts | None:
    logged = con.execute(
        "select as_of from meta.refresh_log order by published_at desc limit 1"
    ).fetchone()
    if not logged:
        return None
    return risk_facts(read_worklist(con, pd.Timestamp(logged[0]).date()))


def headline_numbers(serving_path: Path) -> list[Headline]:
    """The headlines of all accounts, from the marts; empty when nothing is published."""
    if not serving_path.exists():
        return []
    with duckdb.connect(str(serving_path), read_only=True) as con:
        revenue = con.execute(
            "select month, is_complete_month, mrr, arr, arpa, paying_accounts, nrr, grr, "
            "logo_churn_rate, customers_churned, customers_start "
            "from marts.fct_revenue_monthly order by month"
        ).df()
        nps = con.execute(
            "select month, responses, promoters, detractors from marts.fct_nps_monthly "
            "where segment = 'all' order by month"
        ).df()
        trials = con.execute(
            "select cohort_month, trials, converted, is_complete "
            "from marts.fct_trial_conversion order by cohort_month"
        ).df()
        risk = _risk_facts(con)
    return headlines(HeadlineFacts(revenue, nps, trials, risk))
