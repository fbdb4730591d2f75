"""The report's filter: which account sets it offers, and each set's facts.

A selection is a segment and a CSM, either of them ALL. The index page holds the facts of every
selection that has accounts (all accounts, each segment, each CSM, each segment and CSM
together), precomputed here, so the page's script only picks one; its size grows with
segments x CSMs, not with accounts. The facts are sums over the selection's cells, and the
rates are computed from those sums exactly as the marts compute them over all accounts (CHN-1,
LTV-1's ARPA, NPS-1, CSAT-1, ENG-1 stickiness = DAU / MAU summed over the accounts, TRL-1).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from orchestration.headlines import HeadlineFacts, RiskFacts, risk_facts
from orchestration.report.load import NO_CSM, ReportData
from orchestration.worklist import AT_RISK

ALL = "*"
CELL_KEYS = ["cell_segment", "cell_csm"]


@dataclass(frozen=True)
class Selection:
    segment: str = ALL
    csm: str = ALL

    @property
    def key(self) -> str:
        return f"{self.segment}|{self.csm}"

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """The rows of `frame` (with cell_segment and cell_csm) in this selection."""
        keep = pd.Series(True, index=frame.index)
        if self.segment != ALL:
            keep &= frame["cell_segment"] == self.segment
        if self.csm != ALL:
            keep &= frame["cell_csm"] == self.csm
        return keep


def selections(accounts: pd.DataFrame) -> list[Selection]:
    """All accounts, each segment, each CSM, and each segment-CSM pair with accounts."""
    pairs = accounts[CELL_KEYS].drop_duplicates().sort_values(CELL_KEYS)
    found = [Selection()]
    found += [Selection(segment=s) for s in sorted(pairs["cell_segment"].unique())]
    found += [Selection(csm=c) for c in sorted(pairs["cell_csm"].unique())]
    found += [Selection(s, c) for s, c in pairs.itertuples(index=False)]
    return found


def csm_labels(accounts: pd.DataFrame) -> dict[str, str]:
    """CSM key (owner id) -> the name shown; an owner without a name shows its id."""
    labels = {}
    for key, name in (
        accounts[["cell_csm", "csm_owner_name"]].drop_duplicates().itertuples(index=False)
    ):
        labels[key] = key if key == NO_CSM else (name if isinstance(name, str) else f"owner {key}")
    return labels


def summed(cells: pd.DataFrame, selection: Selection, by: str, spine: pd.Index) -> pd.DataFrame:
    """Sums of the selection's cells per `by` value, one row per value of `spine` (0 if none)."""
    rows = cells[selection.mask(cells)].drop(columns=CELL_KEYS)
    rows = rows.assign(**{by: pd.to_datetime(rows[by])})
    totals = rows.groupby(by).sum(numeric_only=True)
    return totals.reindex(pd.DatetimeIndex(spine, name=by), fill_value=0)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, null where the denominator is 0 (CHN-1)."""
    return (numerator / denominator.where(denominator != 0)).astype("float64")


def revenue_rates(sums: pd.DataFrame) -> pd.DataFrame:
    """fct_revenue_monthly's rates from the MRR sums: ARR, ARPA (LTV-1), logo churn, GRR and
    NRR (CHN-1)."""
    lost = sums["churned_mrr"] + sums["contraction_mrr"]
    net_lost = lost - sums["expansion_mrr"] - sums["reactivation_mrr"]
    return sums.assign(
        arr=sums["mrr"] * 12,
        arpa=_ratio(sums["mrr"], sums["paying_accounts"]),
        logo_churn_rate=_ratio(sums["customers_churned"], sums["customers_start"]),
        grr=1 - _ratio(lost, sums["mrr_start"]),
        nrr=1 - _ratio(net_lost, sums["mrr_start"]),
    )


@dataclass(frozen=True)
class SelectionFacts:
    """One selection's facts, each frame indexed by its month or day spine."""

    selection: Selection
    revenue: pd.DataFrame  # MRR sums and rates, with is_complete_month
    nps: pd.DataFrame  # responses, promoters, detractors, nps
    csat: pd.DataFrame  # ratings, satisfied, csat
    trials: pd.DataFrame  # trials, converted, conversion_rate, is_complete
    health: pd.DataFrame  # green, yellow, red accounts per day
    engagement: pd.DataFrame  # dau, mau, active_accounts, stickiness per day
    delinquency: pd.DataFrame  # amount_overdue, accounts_past_due per day
    accounts_scored: pd.DataFrame  # the selection's paying accounts with their band (worklist)
    renewals: pd.DataFrame  # the selection's next terms up for renewal

    def headline_facts(self, data: ReportData) -> HeadlineFacts:
        revenue = self.revenue.reset_index()
        nps = self.nps.reset_index()
        trials = self.trials.reset_index()
        return HeadlineFacts(revenue, nps, trials, self.risk(data))

    @property
    def at_risk(self) -> pd.DataFrame:
        """The selection's worklist: its red and yellow accounts."""
        return self.accounts_scored[self.accounts_scored["band"].isin(AT_RISK)]

    def risk(self, data: ReportData) -> RiskFacts:
        """The "Accounts at risk" figures of the selection, as headlines.py computes them for
        all accounts (the same worklist rows, the same bands on both days)."""
        return risk_facts(data.worklist, self.accounts_scored)


def _voice_of_customer(data: ReportData, selection: Selection) -> tuple[pd.DataFrame, ...]:
    months = pd.DatetimeIndex(pd.to_datetime(data.months["month"]))
    nps = summed(data.nps, selection, "month", months)
    nps["nps"] = 100 * _ratio(nps["promoters"] - nps["detractors"], nps["responses"])
    csat = summed(data.csat, selection, "month", months)
    csat["csat"] = 100 * _ratio(csat["satisfied"], csat["ratings"])
    return nps, csat


def _trials(data: ReportData, selection: Selection) -> pd.DataFrame:
    cohorts = pd.DatetimeIndex(pd.to_datetime(data.cohorts["cohort_month"]))
    trials = summed(data.trials, selection, "cohort_month", cohorts)
    trials["conversion_rate"] = _ratio(trials["converted"], trials["trials"])
    # a cohort is complete for every account set once it is complete for all (TRL-1)
    trials["is_complete"] = data.cohorts["is_complete"].astype(bool).to_numpy()
    return trials


def _daily(data: ReportData, selection: Selection) -> tuple[pd.DataFrame, ...]:
    days = data.days
    health = summed(data.health, selection, "date_day", days)
    engagement = summed(data.engagement, selection, "date_day", days)
    engagement["stickiness"] = _ratio(engagement["dau"], engagement["mau"])
    delinquency = summed(data.delinquency, selection, "date_day", days)
    return health, engagement, delinquency


def facts(data: ReportData, selection: Selection) -> SelectionFacts:
    months = pd.DatetimeIndex(pd.to_datetime(data.months["month"]))
    revenue = revenue_rates(summed(data.mrr, selection, "month", months))
    revenue["is_complete_month"] = data.months["is_complete_month"].astype(bool).to_numpy()
    nps, csat = _voice_of_customer(data, selection)
    health, engagement, delinquency = _daily(data, selection)
    return SelectionFacts(
        selection=selection,
        revenue=revenue,
        nps=nps,
        csat=csat,
        trials=_trials(data, selection),
        health=health,
        engagement=engagement,
        delinquency=delinquency,
        accounts_scored=data.worklist.accounts[selection.mask(data.worklist.accounts)],
        renewals=data.renewals[selection.mask(data.renewals)],
    )
