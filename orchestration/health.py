"""HLT-3 learned health weights: a Dagster asset downstream of the dbt marts, and its checks.

A logistic regression cannot be fitted in portable SQL, and dbt Python models do not run on
the Spark target, so the fit is Python here: it reads `marts.fct_account_health_outcomes`
(the month-start frame HLT-2 also reads), `marts.fct_account_health_daily` on `as_of` and 30
days before, `marts.dim_accounts` (the worklist's account facts) and the seed
`health_score_config` from the DuckDB warehouse (on Spark those are views over Spark's
output, read the same way), and writes `marts.fct_health_backtest_learned` and
`marts.rpt_health_calibrated` with the columns and types declared in
orchestration/health_model.py, where the logic lives as pure functions.
"""

from collections.abc import Iterator
from datetime import date, timedelta

import duckdb
import pandas as pd
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    multi_asset,
    multi_asset_check,
)
from dagster_duckdb import DuckDBResource

from orchestration.health_model import (
    ACCOUNT_FACTS,
    BACKTEST_TABLE,
    CALIBRATED_TABLE,
    COMPARISON_DAYS,
    OUTCOME_COLUMNS,
    SCORE_COLUMNS,
    TODAY_COLUMNS,
    Table,
    at_risk_excess,
    auc_out_of_range,
    backtest,
    band_shares,
    calibrated_accounts,
    with_account_facts,
)
from orchestration.quality import read_only_connection
from orchestration.resources import WAREHOUSE_POOL
from orchestration.run_config import RunConfig

MARTS_SCHEMA = "marts"
OUTCOMES = f"{MARTS_SCHEMA}.fct_account_health_outcomes"
DAILY = f"{MARTS_SCHEMA}.fct_account_health_daily"
ACCOUNTS = f"{MARTS_SCHEMA}.dim_accounts"
CONFIG = "seeds.health_score_config"
BACKTEST_KEY = AssetKey([MARTS_SCHEMA, BACKTEST_TABLE.name])
CALIBRATED_KEY = AssetKey([MARTS_SCHEMA, CALIBRATED_TABLE.name])
_NUMERIC = ("double", "decimal")


def read_config(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    return {name: float(value) for name, value in con.execute(
        f"select parameter, value from {CONFIG}"
    ).fetchall()}  # fmt: skip


def _select(columns: tuple[str, ...]) -> str:
    """Scores as doubles (DuckDB decimals would reach pandas as objects in some versions)."""
    return ", ".join(
        f"cast({c} as double) as {c}" if c in ("health_score", *SCORE_COLUMNS) else c
        for c in columns
    )


def read_outcomes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        f"select {_select(OUTCOME_COLUMNS)} from {OUTCOMES} order by month, account_id"
    ).df()


def read_today(con: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    """The paying accounts' rows of fct_account_health_daily on `as_of` (any day)."""
    return con.execute(
        f"select {_select(TODAY_COLUMNS)} from {DAILY} "
        "where date_day = ? and health_score is not null order by account_id",
        [as_of],
    ).df()


def read_accounts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """dim_accounts' worklist facts (ACC-1) of every account."""
    return con.execute(f"select {', '.join(ACCOUNT_FACTS)} from {ACCOUNTS}").df()


def _typed(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """The frame in the contract's column order, numbers as numbers (a column of nulls only
    would otherwise reach DuckDB untyped)."""
    if list(frame.columns) != list(table.column_names):
        raise ValueError(
            f"{table.name}: columns {list(frame.columns)} differ from its contract "
            f"{list(table.column_names)} (orchestration/health_model.py)"
        )
    typed = frame.copy()
    for column in table.columns:
        if column.data_type.startswith(_NUMERIC):
            typed[column.name] = pd.to_numeric(typed[column.name]).astype("float64")
    return typed


def write_table(con: duckdb.DuckDBPyConnection, table: Table, frame: pd.DataFrame) -> int:
    """Replace `marts.<table>` in one transaction: created with the declared column types (the
    enforced contract: a value that does not fit fails the write), then filled."""
    rows = _typed(frame, table)
    columns = ", ".join(f"{column.name} {column.data_type}" for column in table.columns)
    con.execute("begin")
    try:
        con.execute(f"create schema if not exists {MARTS_SCHEMA}")
        con.execute(f"create or replace table {MARTS_SCHEMA}.{table.name} ({columns})")
        con.register("hlt3_rows", rows)
        con.execute(f"insert into {MARTS_SCHEMA}.{table.name} select * from hlt3_rows")
        con.unregister("hlt3_rows")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return len(rows)


def _latest_complete(months: pd.DataFrame) -> dict[str, object]:
    complete = months[months["is_complete"]]
    if complete.empty:
        return {}
    row = complete.iloc[-1]
    return {
        "latest_complete_month": str(row["month"]),
        "configured_auc": None if pd.isna(row["configured_auc"]) else float(row["configured_auc"]),
        "learned_auc": None if pd.isna(row["learned_auc"]) else float(row["learned_auc"]),
        "score_in_use": str(row["score_in_use"]),
        "at_risk_share": float(row["at_risk_share"]),
        "capture_rate": None if pd.isna(row["capture_rate"]) else float(row["capture_rate"]),
    }


_SOURCE_KEYS = [
    AssetKey([MARTS_SCHEMA, "fct_account_health_outcomes"]),
    AssetKey(["seeds", "health_score_config"]),
]


@multi_asset(
    name="learned_health",
    specs=[
        AssetSpec(
            BACKTEST_KEY,
            deps=_SOURCE_KEYS,
            group_name=MARTS_SCHEMA,
            kinds={"python", "duckdb"},
            description=BACKTEST_TABLE.description,
        ),
        AssetSpec(
            CALIBRATED_KEY,
            deps=[
                *_SOURCE_KEYS,
                AssetKey([MARTS_SCHEMA, "fct_account_health_daily"]),
                AssetKey([MARTS_SCHEMA, "dim_accounts"]),
            ],
            group_name=MARTS_SCHEMA,
            kinds={"python", "duckdb"},
            description=CALIBRATED_TABLE.description,
        ),
    ],
    pool=WAREHOUSE_POOL,
)
def learned_health(
    context: AssetExecutionContext, warehouse: DuckDBResource, run_config: RunConfig
) -> Iterator[MaterializeResult]:
    """HLT-3: health weights learned out of time, both scores backtested side by side, and
    the calibrated bands of the score in use (docs/metrics.md, orchestration/health_model.py)."""
    as_of = run_config.run_as_of
    with warehouse.get_connection() as con:
        shares = band_shares(read_config(con))
        history = read_outcomes(con)
        today = read_today(con, as_of)
        before = read_today(con, as_of - timedelta(days=COMPARISON_DAYS))
        tested = backtest(history, shares, as_of)
        accounts = with_account_facts(
            calibrated_accounts(today, history, tested, shares, as_of, before),
            read_accounts(con),
        )
        backtest_rows = write_table(con, BACKTEST_TABLE, tested.months)
        account_rows = write_table(con, CALIBRATED_TABLE, accounts)
    in_use = accounts["score_in_use"].iloc[0] if len(accounts) else "none"
    at_risk = (
        float(accounts["calibrated_band"].isin(("red", "yellow")).mean()) if len(accounts) else 0
    )
    context.log.info(
        f"HLT-3: {backtest_rows} months backtested; {account_rows} accounts on {as_of}, "
        f"score in use {in_use}, {at_risk:.1%} red or yellow"
    )
    yield MaterializeResult(
        asset_key=BACKTEST_KEY,
        metadata={
            "dagster/row_count": backtest_rows,
            **{k: v for k, v in _latest_complete(tested.months).items() if v is not None},
        },
    )
    yield MaterializeResult(
        asset_key=CALIBRATED_KEY,
        metadata={
            "dagster/row_count": account_rows,
            "score_in_use": in_use,
            "at_risk_share": at_risk,
        },
    )


# --------------------------------------------------------------------------- checks
AUC_CHECK = "auc_in_range"
SHARE_CHECK = "at_risk_share_within_target"
PASSED = {
    AUC_CHECK: "passed: every AUC in [0, 1] or null",
    SHARE_CHECK: "passed: red + yellow at most {target:.0%} of paying accounts (+ tolerance)",
}


@multi_asset_check(
    name="learned_health_checks",
    specs=[
        AssetCheckSpec(
            AUC_CHECK,
            asset=BACKTEST_KEY,
            blocking=True,
            description="Both AUCs of every month lie in [0, 1] or are null (HLT-2, HLT-3).",
        ),
        AssetCheckSpec(
            SHARE_CHECK,
            asset=BACKTEST_KEY,
            blocking=False,
            description=(
                "Each month's calibrated red + yellow share is at most the seed's "
                "calibrated_red_share + calibrated_yellow_share plus a tolerance (warning)."
            ),
        ),
        AssetCheckSpec(
            SHARE_CHECK,
            asset=CALIBRATED_KEY,
            blocking=False,
            description=(
                "On `as_of`, calibrated red + yellow accounts are at most the seed's shares "
                "plus a tolerance (warning)."
            ),
        ),
    ],
    can_subset=True,
    pool=WAREHOUSE_POOL,
    description="Light checks of the HLT-3 marts written by orchestration/health.py.",
)
def learned_health_checks(
    context: AssetCheckExecutionContext, warehouse: DuckDBResource
) -> Iterator[AssetCheckResult]:
    selected = context.selected_asset_check_keys
    with read_only_connection(warehouse) as con:
        target = band_shares(read_config(con)).at_risk
        months = con.execute(
            f"select month, configured_auc, learned_auc, at_risk_share "
            f"from {MARTS_SCHEMA}.{BACKTEST_TABLE.name} order by month"
        ).df()
        today = con.execute(
            f"select as_of_date, avg(case when calibrated_band in ('red', 'yellow') "
            f"then 1.0 else 0.0 end) from {MARTS_SCHEMA}.{CALIBRATED_TABLE.name} "
            "group by as_of_date"
        ).fetchall()
    results = {
        (BACKTEST_KEY, AUC_CHECK): auc_out_of_range(months),
        (BACKTEST_KEY, SHARE_CHECK): at_risk_excess(
            {
                str(m.date()): s
                for m, s in zip(months["month"], months["at_risk_share"], strict=True)
            },
            target,
        ),
        (CALIBRATED_KEY, SHARE_CHECK): at_risk_excess(
            {str(day): share for day, share in today}, target
        ),
    }
    for (key, name), problems in results.items():
        if not any(k.asset_key == key and k.name == name for k in selected):
            continue
        yield AssetCheckResult(
            asset_key=key,
            check_name=name,
            passed=not problems,
            severity=AssetCheckSeverity.ERROR if name == AUC_CHECK else AssetCheckSeverity.WARN,
            description="; ".join(problems[:5]) or PASSED[name].format(target=target),
            metadata={"problems": len(problems)},
        )
