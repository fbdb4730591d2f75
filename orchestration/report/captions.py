"""One sentence under each chart with its latest numbers and their sample sizes, per selection.

The sentences are what a reader quotes, and what the browser tests read to check that a filter
shows the right numbers.
"""

from __future__ import annotations

import pandas as pd

from orchestration.headlines import SMALL_SAMPLE, money, month_label, percent
from orchestration.report.cube import SelectionFacts


def _day(day: pd.Timestamp) -> str:
    return f"{day:%Y-%m-%d}"


def _count(count: int, noun: str) -> str:
    """'1 account', '2 accounts' (noun given in the plural)."""
    return f"{count:,} {noun[:-1] if count == 1 else noun}"


def _small(count: int, noun: str) -> str:
    return f" (fewer than {SMALL_SAMPLE} {noun}: read with care)" if count < SMALL_SAMPLE else ""


def waterfall(facts: SelectionFacts) -> str:
    month, row = facts.revenue.index[-1], facts.revenue.iloc[-1]
    closing = "closing" if row["is_complete_month"] else "to date"
    return (
        f"{month_label(month)}: opening {money(row['mrr_start'])}, new {money(row['new_mrr'])}, "
        f"expansion {money(row['expansion_mrr'])}, reactivation "
        f"{money(row['reactivation_mrr'])}, contraction {money(row['contraction_mrr'])}, churn "
        f"{money(row['churned_mrr'])}, FX {money(row['fx_impact'])}; {closing} "
        f"{money(row['mrr'])}."
    )


def revenue(facts: SelectionFacts) -> str:
    complete = facts.revenue[facts.revenue["is_complete_month"]]
    if complete.empty:
        return "No complete month yet."
    month, row = complete.index[-1], complete.iloc[-1]
    return (
        f"{month_label(month)}: MRR {money(row['mrr'])} from {int(row['paying_accounts']):,} "
        f"paying accounts, NRR {percent(row['nrr'])}, GRR {percent(row['grr'])}, logo churn "
        f"{percent(row['logo_churn_rate'])} ({int(row['customers_churned'])} of "
        f"{_count(int(row['customers_start']), 'accounts')})."
    )


def _survey(name: str, score: float, count: int, noun: str, unit: str = "") -> str:
    if not count:
        return f"no {name} {noun}"
    return f"{name} {score:.0f}{unit} from {_count(count, noun)}{_small(count, noun)}"


def voice(facts: SelectionFacts) -> str:
    month = facts.nps.index[-1]
    nps = _survey("NPS", facts.nps["nps"].iloc[-1], int(facts.nps["responses"].iloc[-1]),
                  "responses")  # fmt: skip
    csat = _survey("CSAT", facts.csat["csat"].iloc[-1], int(facts.csat["ratings"].iloc[-1]),
                   "ratings", " %")  # fmt: skip
    return f"{month_label(month)}: {nps}, {csat}."


def health(facts: SelectionFacts) -> str:
    day, row = facts.health.index[-1], facts.health.iloc[-1]
    total = int(row["green"] + row["yellow"] + row["red"])
    return (
        f"{_day(day)}: {int(row['green'])} green, {int(row['yellow'])} yellow, "
        f"{int(row['red'])} red of {total} paying accounts."
    )


def engagement(facts: SelectionFacts) -> str:
    day, row = facts.engagement.index[-1], facts.engagement.iloc[-1]
    return (
        f"{_day(day)}: DAU {int(row['dau']):,}, MAU {int(row['mau']):,}, stickiness "
        f"{percent(row['stickiness'])}, {_count(int(row['active_accounts']), 'accounts')} "
        "with active users in 28 days."
    )


def delinquency(facts: SelectionFacts) -> str:
    day, row = facts.delinquency.index[-1], facts.delinquency.iloc[-1]
    return (
        f"{_day(day)}: {money(row['amount_overdue'])} overdue across "
        f"{_count(int(row['accounts_past_due']), 'accounts')} past due."
    )


def trials(facts: SelectionFacts) -> str:
    complete = facts.trials[facts.trials["is_complete"]]
    if complete.empty:
        return "No complete trial cohort yet."
    month, row = complete.index[-1], complete.iloc[-1]
    count = int(row["trials"])
    return (
        f"{month_label(month)} cohort (the last complete): {int(row['converted'])} of "
        f"{_count(count, 'trials')} converted ({percent(row['conversion_rate'])})"
        f"{_small(count, 'trials')}."
    )


CAPTIONS = {
    "chart-waterfall": waterfall,
    "chart-revenue": revenue,
    "chart-voice": voice,
    "chart-health": health,
    "chart-engagement": engagement,
    "chart-delinquency": delinquency,
    "chart-trials": trials,
}
