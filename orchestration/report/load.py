"""Reading the serving file: every fact the report shows, as DataFrames.

The charts' numbers are sums over accounts, so they are read already summed per filter cell
(one segment and one CSM, from dim_accounts; columns cell_segment and cell_csm, the CSM by
owner id); a filter's numbers are sums of its cells (cube.py). An account without a segment
or a CSM falls in the cell NO_SEGMENT / NO_CSM, so the cells always add up to all accounts.
Per-account rows are read only for the tables and the account pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from orchestration.worklist import Worklist, read_worklist

NO_SEGMENT = "(no segment)"
NO_CSM = "(no CSM)"
TREND_MONTHS = 24
DAYS = 180  # daily series (health, engagement, delinquency) cover the last DAYS days

_CELLS = f"""
with account_cells as (
    select
        account_id,
        coalesce(segment, '{NO_SEGMENT}') as segment,
        coalesce(csm_owner_id, '{NO_CSM}') as csm
    from marts.dim_accounts
)"""
_CELL_COLUMNS = f"""
    coalesce(cells.segment, '{NO_SEGMENT}') as cell_segment,
    coalesce(cells.csm, '{NO_CSM}') as cell_csm"""


def _cell_query(select: str, source: str, where: str = "true") -> str:
    """Sums per cell of `source` (aliased `facts`), left-joined to the account's cell."""
    return f"""{_CELLS}
select {_CELL_COLUMNS}, {select}
from {source} as facts
left join account_cells as cells on facts.account_id = cells.account_id
where {where}
group by all"""


# Per cell and month: the sums fct_revenue_monthly makes over all accounts (MRR-6, CHN-1).
MRR_SUMS = """
    facts.month,
    sum(facts.mrr) as mrr,
    sum(facts.previous_mrr) as mrr_start,
    count(case when facts.mrr > 0 then 1 end) as paying_accounts,
    count(case when facts.previous_mrr > 0 then 1 end) as customers_start,
    count(case when facts.movement = 'churn' then 1 end) as customers_churned,
    sum(case when facts.movement = 'new' then facts.movement_mrr else 0 end) as new_mrr,
    sum(case when facts.movement = 'expansion' then facts.movement_mrr else 0 end)
        as expansion_mrr,
    sum(case when facts.movement = 'reactivation' then facts.movement_mrr else 0 end)
        as reactivation_mrr,
    -sum(case when facts.movement = 'contraction' then facts.movement_mrr else 0 end)
        as contraction_mrr,
    -sum(case when facts.movement = 'churn' then facts.movement_mrr else 0 end) as churned_mrr,
    sum(facts.fx_impact) as fx_impact"""
NPS_SUMS = """
    facts.response_month as month,
    count(*) as responses,
    count(case when facts.nps_category = 'promoter' then 1 end) as promoters,
    count(case when facts.nps_category = 'detractor' then 1 end) as detractors"""
CSAT_SUMS = """
    facts.response_month as month,
    count(*) as ratings,
    count(case when facts.is_satisfied then 1 end) as satisfied"""
TRIAL_SUMS = """
    facts.cohort_month,
    count(*) as trials,
    count(case when facts.is_converted then 1 end) as converted"""
HEALTH_SUMS = """
    facts.date_day,
    count(case when facts.health_band = 'green' then 1 end) as green,
    count(case when facts.health_band = 'yellow' then 1 end) as yellow,
    count(case when facts.health_band = 'red' then 1 end) as red"""
ENGAGEMENT_SUMS = """
    facts.date_day,
    sum(facts.dau) as dau,
    sum(facts.mau) as mau,
    count(case when facts.mau > 0 then 1 end) as active_accounts"""
DELINQUENCY_SUMS = """
    facts.date_day,
    sum(facts.amount_overdue) as amount_overdue,
    count(*) as accounts_past_due"""


@dataclass(frozen=True)
class ReportData:
    as_of: date
    published_at: pd.Timestamp | None
    accounts: pd.DataFrame  # dim_accounts with its cell (cell_segment, cell_csm)
    months: pd.DataFrame  # month, is_complete_month: the last TREND_MONTHS months
    cohorts: pd.DataFrame  # cohort_month, is_complete (fct_trial_conversion)
    mrr: pd.DataFrame  # per cell and month: MRR_SUMS
    nps: pd.DataFrame  # per cell and month: NPS_SUMS
    csat: pd.DataFrame  # per cell and month: CSAT_SUMS
    trials: pd.DataFrame  # per cell and cohort month: TRIAL_SUMS
    health: pd.DataFrame  # per cell and day: HEALTH_SUMS
    engagement: pd.DataFrame  # per cell and day: ENGAGEMENT_SUMS
    delinquency: pd.DataFrame  # per cell and day: DELINQUENCY_SUMS
    worklist: Worklist  # every paying account with its band (orchestration/worklist.py)
    renewals: pd.DataFrame  # fct_renewal_forecast's next terms with names and cell keys

    @property
    def days(self) -> pd.DatetimeIndex:
        """The days of the daily series: (as_of - DAYS, as_of]."""
        return pd.date_range(end=pd.Timestamp(self.as_of), periods=DAYS, freq="D")


def _df(con: duckdb.DuckDBPyConnection, sql: str, **params: object) -> pd.DataFrame:
    return con.execute(sql, params).df() if params else con.execute(sql).df()


def _as_of(con: duckdb.DuckDBPyConnection) -> tuple[date, pd.Timestamp | None]:
    row = con.execute(
        "select as_of, published_at from meta.refresh_log order by published_at desc limit 1"
    ).fetchone()
    if row is None:
        raise ValueError("the serving file has no publication in meta.refresh_log")
    return pd.Timestamp(row[0]).date(), pd.Timestamp(row[1])


def _since(as_of: date) -> date:
    return as_of - timedelta(days=DAYS - 1)


def _with_cells(worklist: Worklist, con: duckdb.DuckDBPyConnection) -> Worklist:
    """The worklist's accounts with their filter cell, most MRR at stake first."""
    cells = _df(con, f"{_CELLS} select account_id, segment as cell_segment, csm as cell_csm "
                     "from account_cells")  # fmt: skip
    accounts = worklist.accounts.merge(cells, on="account_id", how="left", validate="1:1")
    accounts = accounts.fillna({"cell_segment": NO_SEGMENT, "cell_csm": NO_CSM})
    accounts = accounts.sort_values(
        ["mrr_at_stake", "score", "account_id"], ascending=[False, True, True], kind="stable",
        na_position="last", ignore_index=True,
    )  # fmt: skip
    return replace(worklist, accounts=accounts)


def load(serving_path: Path) -> ReportData:
    """Everything the index page shows, from the published serving file."""
    with duckdb.connect(str(serving_path), read_only=True) as con:
        as_of, published_at = _as_of(con)
        since = _since(as_of)
        months = _df(
            con,
            "select month, is_complete_month from marts.fct_revenue_monthly "
            f"order by month desc limit {TREND_MONTHS}",
        ).iloc[::-1]
        daily = {"since": since}
        data = ReportData(
            as_of=as_of,
            published_at=published_at,
            accounts=_df(
                con,
                f"""{_CELLS}
                select accounts.*, cells.segment as cell_segment, cells.csm as cell_csm
                from marts.dim_accounts as accounts
                inner join account_cells as cells on accounts.account_id = cells.account_id""",
            ),
            months=months.reset_index(drop=True),
            cohorts=_df(
                con,
                "select cohort_month, is_complete from marts.fct_trial_conversion "
                "order by cohort_month",
            ),
            mrr=_df(con, _cell_query(MRR_SUMS, "marts.fct_mrr")),
            nps=_df(con, _cell_query(NPS_SUMS, "marts.fct_nps_responses")),
            csat=_df(con, _cell_query(CSAT_SUMS, "marts.fct_csat_responses")),
            trials=_df(con, _cell_query(TRIAL_SUMS, "marts.fct_trials")),
            health=_df(
                con,
                _cell_query(HEALTH_SUMS, "marts.fct_account_health_daily", "date_day >= $since"),
                **daily,
            ),
            engagement=_df(
                con,
                _cell_query(ENGAGEMENT_SUMS, "marts.fct_engagement_daily", "date_day >= $since"),
                **daily,
            ),
            delinquency=_df(
                con,
                _cell_query(DELINQUENCY_SUMS, "marts.fct_delinquency_daily", "date_day >= $since"),
                **daily,
            ),
            worklist=_with_cells(read_worklist(con, as_of), con),
            renewals=_df(
                con,
                f"""{_CELLS}
                select forecast.*, accounts.account_name, accounts.csm_owner_name,
                    cells.segment as cell_segment, cells.csm as cell_csm
                from marts.fct_renewal_forecast as forecast
                inner join marts.dim_accounts as accounts
                    on forecast.account_id = accounts.account_id
                inner join account_cells as cells on forecast.account_id = cells.account_id
                where forecast.is_next_term
                order by forecast.term_end_date, forecast.arr_due desc""",
            ),
        )
    return data


@dataclass(frozen=True)
class Rows:
    """A few rows as plain columns (name -> list of values): what an account page reads. A
    page reading its rows as a small pandas frame paid ~0.1 ms per column access and ~1 ms
    per slice, most of the report's time with thousands of account pages."""

    columns: Mapping[str, Sequence[Any]]

    @classmethod
    def of_frame(cls, frame: pd.DataFrame, arrays: bool = False) -> Rows:
        """Lists of Python values (Timestamps, None), or with `arrays` numpy arrays: for rows
        only charts read, whose slices are views and whose values are never boxed one by one."""
        if arrays:
            return cls({name: frame[name].to_numpy() for name in frame.columns})
        return cls({name: frame[name].tolist() for name in frame.columns})

    def __getitem__(self, name: str) -> Sequence[Any]:
        return self.columns[name]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))

    @property
    def empty(self) -> bool:
        return len(self) == 0


@dataclass(frozen=True)
class AccountHistory:
    """Per-account rows for the account pages, each frame sorted by `account_id`."""

    mrr: pd.DataFrame
    health: pd.DataFrame
    nps: pd.DataFrame
    csat: pd.DataFrame
    tickets: pd.DataFrame
    meetings: pd.DataFrame

    # The health rows (~180 a page) feed only a chart: arrays (see `Rows.of_frame`).
    _CHART_ONLY = frozenset({"health"})

    @cached_property
    def _by_account(self) -> dict[str, tuple[Rows, dict[str, Rows]]]:
        """frame name -> (no rows, account id -> its rows): each column converted once for the
        whole frame, then cut at the account boundaries."""
        split = {}
        for name, frame in vars(self).items():
            if not isinstance(frame, pd.DataFrame):
                continue
            ids = frame["account_id"].to_numpy()
            starts = [0, *(np.flatnonzero(ids[1:] != ids[:-1]) + 1).tolist()] if len(ids) else []
            ends = [*starts[1:], len(ids)] if starts else []
            if len({ids[start] for start in starts}) != len(starts):
                raise ValueError(f"account history {name!r}: rows not sorted by account_id")
            columns = Rows.of_frame(frame, arrays=name in self._CHART_ONLY).columns
            split[name] = (
                Rows({column: values[:0] for column, values in columns.items()}),
                {
                    ids[start]: Rows({c: values[start:end] for c, values in columns.items()})
                    for start, end in zip(starts, ends, strict=True)
                },
            )
        return split

    def of(self, account_id: str) -> dict[str, Rows]:
        """This account's rows of each frame (no rows when it has none)."""
        return {
            name: by_id.get(account_id, none) for name, (none, by_id) in self._by_account.items()
        }


def load_account_history(
    serving_path: Path, account_ids: Iterable[str], as_of: date
) -> AccountHistory:
    """MRR by month (last TREND_MONTHS), health by day (last DAYS), surveys, tickets, meetings
    of the given accounts."""
    wanted = pd.DataFrame({"account_id": sorted(set(account_ids))}, dtype="object")
    since = _since(as_of)
    with duckdb.connect(str(serving_path), read_only=True) as con:
        con.register("wanted", wanted)

        def rows(sql: str, **params: object) -> pd.DataFrame:
            return _df(con, sql.replace("{wanted}", "(select account_id from wanted)"), **params)

        return AccountHistory(
            mrr=rows(
                "select account_id, month, mrr, movement, movement_mrr, fx_impact "
                "from marts.fct_mrr where account_id in {wanted} "
                f"and month > (select max(month) from marts.fct_mrr) - interval {TREND_MONTHS} "
                "month order by account_id, month"
            ),
            health=rows(
                "select * from marts.fct_account_health_daily where account_id in {wanted} "
                "and date_day >= $since order by account_id, date_day",
                since=since,
            ),
            nps=rows(
                "select account_id, response_date, score, nps_category from "
                "marts.fct_nps_responses where account_id in {wanted} "
                "order by account_id, submitted_at desc"
            ),
            csat=rows(
                "select account_id, response_date, score, is_satisfied from "
                "marts.fct_csat_responses where account_id in {wanted} "
                "order by account_id, submitted_at desc"
            ),
            tickets=rows(
                "select * from marts.fct_support_tickets where account_id in {wanted} "
                "order by account_id, created_at desc"
            ),
            meetings=rows(
                "select * from marts.fct_csm_meetings where account_id in {wanted} "
                "order by account_id, meeting_at desc"
            ),
        )
