"""The CS worklist: which paying accounts are red or yellow on `as_of`, read from the serving
file in one place for the CS report (its worklist and cards) and the CLI summary (its
"Accounts at risk" headline).

Its source is `marts.rpt_health_calibrated` (HLT-3, written by orchestration/health.py): the
calibrated band of the score in use, with the account facts a CSM acts on from dim_accounts
and each account's band 30 days before with the same score and cut-offs, so today and the day
compared with are banded the same way. When a publication has no calibrated rows for its
`as_of` (HLT-3 did not run, e.g. a build of the dbt models alone), the worklist falls back to
HLT-1's fixed bands (fct_account_health_daily on both days, dim_accounts' facts) and says so
in its caption and in the headline's note: never an empty list, never two definitions mixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pandas as pd

from orchestration.health_model import CALIBRATED_TABLE, COMPARISON_DAYS, LEARNED

AT_RISK = ("red", "yellow")
# One row per account paying on as_of, whichever source: the columns the report and headline use.
COLUMNS = (
    "account_id",
    "account_name",
    "segment",
    "csm_owner_id",
    "csm_owner_name",
    "score",
    "band",
    "band_30d_before",
    "top_risk_reason",
    "mrr_at_stake",
    "next_renewal_date",
    "days_to_renewal",
    "days_past_due",
    "amount_overdue",
)
_ACCOUNT_FACTS = """
    accounts.account_name, accounts.segment, accounts.csm_owner_id, accounts.csm_owner_name"""
_MONEY_AND_DAYS = """
    cast(accounts.current_mrr as double) as mrr_at_stake,
    accounts.next_renewal_date,
    date_diff('day', $as_of, accounts.next_renewal_date) as days_to_renewal,
    accounts.days_past_due,
    cast(accounts.amount_overdue as double) as amount_overdue"""
CALIBRATED_SQL = f"""
select account_id, account_name, segment, csm_owner_id, csm_owner_name,
    calibrated_score as score, calibrated_band as band,
    calibrated_band_30d_before as band_30d_before, top_risk_reason,
    cast(mrr_at_stake as double) as mrr_at_stake, next_renewal_date, days_to_renewal,
    days_past_due, cast(amount_overdue as double) as amount_overdue
from marts.{CALIBRATED_TABLE.name}
where as_of_date = $as_of
order by calibrated_score, account_id"""
# HLT-1's fixed bands on both days, for the same accounts (those scored on as_of)
FIXED_SQL = f"""
select health.account_id, {_ACCOUNT_FACTS},
    cast(health.health_score as double) as score, health.health_band as band,
    before.health_band as band_30d_before, health.top_risk_reason, {_MONEY_AND_DAYS}
from marts.fct_account_health_daily as health
inner join marts.dim_accounts as accounts on health.account_id = accounts.account_id
left join marts.fct_account_health_daily as before
    on health.account_id = before.account_id and before.date_day = $before
where health.date_day = $as_of and health.health_score is not null
order by health.health_score, health.account_id"""


def _percent(share: float, digits: int = 0) -> str:
    return f"{100 * share:.{digits}f} %"


@dataclass(frozen=True)
class Bands:
    """How the worklist's bands were cut: HLT-3's calibrated bands (with the score in use, its
    cut-offs and the seed's shares) or, as a fallback, HLT-1's fixed bands."""

    calibrated: bool
    score_in_use: str | None = None  # learned or configured (calibrated only)
    red_below: float | None = None
    yellow_below: float | None = None
    red_share: float | None = None
    yellow_share: float | None = None

    @property
    def label(self) -> str:
        """A few words for the headline's note."""
        if not self.calibrated:
            return "HLT-1 fixed bands: calibrated bands not published"
        return f"HLT-3 calibrated bands, {self.score_in_use} score"

    def definition(self) -> str:
        """What the bands mean, in words a CS lead reads."""
        if not self.calibrated:
            return (
                "Bands: HLT-1's fixed bands (health score below 40 red, 40 to 69 yellow). The "
                "calibrated bands (HLT-3) were not published with this refresh "
                f"({CALIBRATED_TABLE.name} has no rows for this day), so this list is broader "
                "than HLT-3's target."
            )
        if self.score_in_use == LEARNED:
            score = (
                "the learned health score: the chance, in %, that the account is still paying "
                "in 90 days, as a model fitted on this warehouse's own churn history estimates "
                "it. It replaced the configured weights because it predicted churn better over "
                "the last 6 complete months"
            )
        else:
            score = (
                "the configured health score (HLT-1's weights, 0-100): the learned weights did "
                "not predict churn better over the last 6 complete months"
            )
        return (
            f"Bands: HLT-3's calibrated bands. Paying accounts are ranked by {score}. The "
            f"lowest {_percent(self.red_share)} are red (score below {self.red_below:.1f}), the "
            f"next {_percent(self.yellow_share)} yellow (below {self.yellow_below:.1f}), so red "
            f"and yellow together are at most {_percent(self.red_share + self.yellow_share)} of "
            "paying accounts."
        )


@dataclass(frozen=True)
class Worklist:
    """Every account paying on `as_of` with its band (COLUMNS); the worklist is its red and
    yellow rows. `compared`: some account was scored on `before` (else no comparison)."""

    as_of: date
    before: date
    bands: Bands
    accounts: pd.DataFrame
    compared: bool

    @property
    def at_risk(self) -> pd.DataFrame:
        return self.accounts[self.accounts["band"].isin(AT_RISK)]


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def _calibrated_bands(con: duckdb.DuckDBPyConnection, as_of: date) -> Bands | None:
    """The calibrated bands of `as_of`; None when the file has no calibrated rows for it (or
    holds the table in an older shape, without the worklist's columns)."""
    if not _has_table(con, "marts", CALIBRATED_TABLE.name):
        return None
    found = {
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'marts' "
            "and table_name = ?",
            [CALIBRATED_TABLE.name],
        ).fetchall()
    }
    if not set(CALIBRATED_TABLE.column_names) <= found:
        return None
    row = con.execute(
        "select any_value(score_in_use), any_value(red_below), any_value(yellow_below), "
        "any_value(calibrated_red_share), any_value(calibrated_yellow_share), count(*) "
        f"from marts.{CALIBRATED_TABLE.name} where as_of_date = $as_of",
        {"as_of": as_of},
    ).fetchone()
    if not row[-1]:
        return None
    in_use, red_below, yellow_below, red_share, yellow_share, _ = row
    return Bands(True, in_use, red_below, yellow_below, red_share, yellow_share)


def read_worklist(con: duckdb.DuckDBPyConnection, as_of: date) -> Worklist:
    """The worklist of `as_of` from a serving (or warehouse) connection."""
    before = as_of - timedelta(days=COMPARISON_DAYS)
    bands = _calibrated_bands(con, as_of)
    if bands is None:
        bands = Bands(calibrated=False)
        accounts = con.execute(FIXED_SQL, {"as_of": as_of, "before": before}).df()
    else:
        accounts = con.execute(CALIBRATED_SQL, {"as_of": as_of}).df()
    accounts = accounts[list(COLUMNS)]
    return Worklist(as_of, before, bands, accounts, bool(accounts["band_30d_before"].notna().any()))


def band_counts(accounts: pd.DataFrame, column: str = "band") -> tuple[int, int]:
    """(red, yellow) accounts of `accounts` by `column` (band or band_30d_before)."""
    return int((accounts[column] == "red").sum()), int((accounts[column] == "yellow").sum())


def summary(worklist: Worklist, accounts: pd.DataFrame) -> str:
    """The worklist's caption for `accounts` (all, or a filter's): how its bands are cut and
    how many of the accounts they flag, with the MRR at stake."""
    red, yellow = band_counts(accounts)
    paying = len(accounts)
    flagged = red + yellow
    share = f" ({_percent(flagged / paying, 1)})" if paying else ""
    stake = float(accounts.loc[accounts["band"].isin(AT_RISK), "mrr_at_stake"].fillna(0).sum())
    return (
        f"{worklist.bands.definition()} On {worklist.as_of.isoformat()}: {red:,} red and "
        f"{yellow:,} yellow, {flagged:,} of {paying:,} paying accounts{share}, "
        f"${stake:,.0f} MRR at stake. The main reason is HLT-1's: the health component that "
        "pulls the configured score down most. The health-band chart above shows HLT-1's fixed "
        "bands."
    )
