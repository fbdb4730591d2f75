"""HLT-3 learned health weights, as pure functions (no Dagster, no warehouse): tests call them.

The input is `marts.fct_account_health_outcomes`: one row per paying account per month, its
HLT-1 component scores on the month's first day and whether it churned within 90 days (HLT-2's
outcome). For each month M:

- **Out of time.** M's weights are fitted only on months m whose outcome was known when M
  began: m + 90 days <= M's first day (the months HLT-2 marks complete as of M's first day).
- **Fit.** A logistic regression (scikit-learn, L2 with C = 1) of the outcome on the six
  component scores / 100, fitted as its complement (staying), so a positive weight protects as
  the configured weights do; a weight is the change in log-odds of staying per 100 points.
  A missing component is filled with the row's configured health score: the value that leaves
  HLT-1's weighted mean unchanged, i.e. exactly HLT-1's redistribution of its weight.
- **Score.** learned score = P(not churning within 90 days) x 100.
- **Choice.** M uses the learned score only when its mean AUC over the trailing 6 complete
  months (the 6 latest months m with m + 90 days <= M in which both AUCs are defined) beats the
  configured score's mean over the same months; otherwise the configured score.
- **Bands.** Quantile cut-offs on the score in use among the month's paying accounts: red = the
  lowest `calibrated_red_share`, yellow = the next `calibrated_yellow_share` (seed
  `health_score_config`). Accounts tied at a cut-off go to the better band, so red + yellow
  never exceed their shares. Capture = share of the month's churners that were red or yellow.

The published tables' columns, types and descriptions are declared once here (TABLES), used
to create the tables (orchestration/health.py) and to document them in the serving file.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

COMPONENTS = ("engagement_trend", "seat_utilisation", "nps", "support", "billing", "csm_touch")
SCORE_COLUMNS = tuple(f"{component}_score" for component in COMPONENTS)
OUTCOME_DAYS = 90
TRAILING_MONTHS = 6
# L2 strength of the fit (scikit-learn's C: larger = weaker); features are scores / 100.
REGULARISATION_C = 1.0
LEARNED, CONFIGURED = "learned", "configured"
RED, YELLOW, GREEN = "red", "yellow", "green"
AT_RISK_BANDS = (RED, YELLOW)
# A share times a count may land a hair below a whole number in floating point (0.29 x 100).
_SHARE_EPSILON = 1e-9

OUTCOME_COLUMNS = (
    "account_id",
    "month",
    "health_score",
    "health_band",
    *SCORE_COLUMNS,
    "churned_within_90_days",
)
TODAY_COLUMNS = ("account_id", "health_score", "health_band", *SCORE_COLUMNS, "top_risk_reason")
# The worklist's comparison: each account's band this many days before `as_of`, same score
# and same cut-offs (the "Accounts at risk" headline's change).
COMPARISON_DAYS = 30


# --------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class BandShares:
    """Largest shares of paying accounts in the calibrated red and yellow bands (HLT-3)."""

    red: float
    yellow: float

    def __post_init__(self) -> None:
        if not (self.red > 0 and self.yellow >= 0 and self.red + self.yellow < 1):
            raise ValueError(
                f"calibrated band shares red={self.red}, yellow={self.yellow}: expected "
                "red > 0, yellow >= 0 and red + yellow < 1 (seed health_score_config)"
            )

    @property
    def at_risk(self) -> float:
        return self.red + self.yellow


def band_shares(config: Mapping[str, float]) -> BandShares:
    """The calibrated band shares from the seed's parameter -> value rows."""
    missing = [p for p in ("calibrated_red_share", "calibrated_yellow_share") if p not in config]
    if missing:
        raise KeyError(
            f"seed health_score_config has no row for {', '.join(missing)} (HLT-3 band shares)"
        )
    return BandShares(
        float(config["calibrated_red_share"]), float(config["calibrated_yellow_share"])
    )


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise KeyError(f"{what} lacks column(s) {', '.join(missing)}")


# --------------------------------------------------------------------------- out of time
def outcome_known_by(month: date, day: date) -> bool:
    """Whether month `month`'s 90-day outcome is known on `day` (HLT-2's completeness)."""
    return month + timedelta(days=OUTCOME_DAYS) <= day


def training_months(months: Iterable[date], month: date) -> list[date]:
    """The months whose rows may train `month`'s weights: outcome known on its first day."""
    return sorted({m for m in months if outcome_known_by(m, month)})


def training_rows(frame: pd.DataFrame, month: date) -> pd.DataFrame:
    """The rows of `frame` (fct_account_health_outcomes) that may train `month`'s weights."""
    allowed = set(training_months(frame["month"], month))
    return frame[frame["month"].isin(allowed)]


# --------------------------------------------------------------------------- fit and score
def features(frame: pd.DataFrame) -> np.ndarray:
    """Component scores / 100, a missing one filled with the row's configured health score
    (which leaves HLT-1's weighted mean unchanged: HLT-1's redistribution)."""
    require_columns(frame, ("health_score", *SCORE_COLUMNS), "the health frame")
    scores = frame[list(SCORE_COLUMNS)].to_numpy(dtype=float)
    health = frame["health_score"].to_numpy(dtype=float)
    if np.isnan(health).any():
        account = frame["account_id"].iloc[int(np.argmax(np.isnan(health)))]
        raise ValueError(f"account {account}: no configured health score to fill components")
    filled = np.where(np.isnan(scores), health[:, None], scores)
    return filled / 100.0


@dataclass(frozen=True)
class LearnedWeights:
    """A fitted model: log-odds of staying = intercept + sum(weight x score / 100)."""

    intercept: float
    weights: Mapping[str, float]
    training_months: int
    training_rows: int


def fit_weights(train: pd.DataFrame) -> LearnedWeights | None:
    """The logistic regression of staying on the component scores; None when the rows hold
    only one outcome (no churner or no stayer: nothing to learn)."""
    require_columns(train, ("month", "churned_within_90_days"), "the training frame")
    stayed = ~train["churned_within_90_days"].to_numpy(dtype=bool)
    if len(train) == 0 or stayed.all() or not stayed.any():
        return None
    from sklearn.linear_model import LogisticRegression  # ~1 s to import: only when fitting

    model = LogisticRegression(C=REGULARISATION_C, max_iter=1000)
    model.fit(features(train), stayed)
    return LearnedWeights(
        intercept=float(model.intercept_[0]),
        weights={c: float(w) for c, w in zip(COMPONENTS, model.coef_[0], strict=True)},
        training_months=int(train["month"].nunique()),
        training_rows=len(train),
    )


def learned_scores(weights: LearnedWeights, frame: pd.DataFrame) -> np.ndarray:
    """P(not churning within 90 days) x 100 per row of `frame`."""
    coefficients = np.array([weights.weights[c] for c in COMPONENTS])
    log_odds = weights.intercept + features(frame) @ coefficients
    return 100.0 / (1.0 + np.exp(-log_odds))


# --------------------------------------------------------------------------- measure
def auc(scores: Sequence[float] | np.ndarray, churned: Sequence[bool] | np.ndarray) -> float | None:
    """HLT-2's AUC: the probability that a random churner scored lower than a random
    non-churner, ties counting half (Mann-Whitney U from average ranks). None without churners
    or without non-churners."""
    scores = np.asarray(scores, dtype=float)
    churned = np.asarray(churned, dtype=bool)
    churners = int(churned.sum())
    stayers = len(churned) - churners
    if churners == 0 or stayers == 0:
        return None
    ranks = pd.Series(scores).rank(method="average").to_numpy()
    u = ranks[~churned].sum() - stayers * (stayers + 1) / 2.0
    return float(u / (churners * stayers))


@dataclass(frozen=True)
class Cutoffs:
    """Calibrated bands: red when score < red_below, yellow when < yellow_below, else green."""

    red_below: float
    yellow_below: float


def quantile_cutoffs(scores: Sequence[float] | np.ndarray, shares: BandShares) -> Cutoffs | None:
    """Cut-offs at the shares' quantiles: with n scores sorted ascending, red_below is the
    (floor(red x n) + 1)-th lowest, so at most red x n scores lie below it (ties at a cut-off
    go to the better band); yellow_below likewise at red + yellow. None without scores."""
    ordered = np.sort(np.asarray(scores, dtype=float))
    n = len(ordered)
    if n == 0:
        return None
    red_count = math.floor(shares.red * n + _SHARE_EPSILON)
    at_risk_count = math.floor(shares.at_risk * n + _SHARE_EPSILON)
    return Cutoffs(float(ordered[red_count]), float(ordered[at_risk_count]))


def bands(scores: Sequence[float] | np.ndarray, cutoffs: Cutoffs) -> np.ndarray:
    scores = np.asarray(scores, dtype=float)
    return np.where(
        scores < cutoffs.red_below, RED, np.where(scores < cutoffs.yellow_below, YELLOW, GREEN)
    )


def capture_rate(at_risk: np.ndarray, churned: np.ndarray) -> float | None:
    """Share of churners flagged at risk; None without churners."""
    churned = np.asarray(churned, dtype=bool)
    if not churned.any():
        return None
    return float((np.asarray(at_risk, dtype=bool) & churned).sum() / churned.sum())


def _rate(numerator: int | float, denominator: int | float) -> float | None:
    return None if denominator == 0 else float(numerator / denominator)


def _mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values))


# --------------------------------------------------------------------------- the choice
@dataclass(frozen=True)
class Choice:
    """Which score a month uses, and the trailing evidence it rests on."""

    score_in_use: str
    trailing_months: int
    trailing_configured_auc: float | None
    trailing_learned_auc: float | None


def choose_score(month: date, aucs: Mapping[date, tuple[float | None, float | None]]) -> Choice:
    """`aucs`: month -> (configured AUC, learned AUC). The learned score is used for `month`
    when its mean AUC over the trailing 6 complete months (outcome known on `month`'s first
    day, both AUCs defined) beats the configured one; fewer than 6 such months: configured."""
    evidence = [
        aucs[m]
        for m in sorted(aucs)
        if outcome_known_by(m, month) and aucs[m][0] is not None and aucs[m][1] is not None
    ][-TRAILING_MONTHS:]
    if len(evidence) < TRAILING_MONTHS:
        return Choice(CONFIGURED, len(evidence), None, None)
    configured = _mean([pair[0] for pair in evidence])
    learned = _mean([pair[1] for pair in evidence])
    in_use = LEARNED if learned > configured else CONFIGURED
    return Choice(in_use, len(evidence), configured, learned)


# --------------------------------------------------------------------------- the backtest
@dataclass(frozen=True)
class Backtest:
    """fct_health_backtest_learned's rows, and what each month learned and chose."""

    months: pd.DataFrame
    weights: Mapping[date, LearnedWeights | None]
    aucs: Mapping[date, tuple[float | None, float | None]]  # (configured, learned)
    choices: Mapping[date, Choice]


def _weight_columns(weights: LearnedWeights | None) -> dict[str, float | None]:
    columns: dict[str, float | None] = {"learned_intercept": weights.intercept if weights else None}
    for component in COMPONENTS:
        columns[f"learned_weight_{component}"] = weights.weights[component] if weights else None
    return columns


def _band_columns(
    rows: pd.DataFrame, in_use: np.ndarray, shares: BandShares
) -> dict[str, float | None]:
    churned = rows["churned_within_90_days"].to_numpy(dtype=bool)
    cutoffs = quantile_cutoffs(in_use, shares)
    calibrated = bands(in_use, cutoffs)
    at_risk = np.isin(calibrated, AT_RISK_BANDS)
    configured_at_risk = rows["health_band"].isin(AT_RISK_BANDS).to_numpy()
    at_risk_share = _rate(at_risk.sum(), len(rows))
    capture = capture_rate(at_risk, churned)
    columns: dict[str, float | None] = {
        "red_below": cutoffs.red_below,
        "yellow_below": cutoffs.yellow_below,
        "at_risk_share": at_risk_share,
        "capture_rate": capture,
        "lift": None if capture is None or not at_risk_share else capture / at_risk_share,
    }
    for band in (RED, YELLOW, GREEN):
        in_band = calibrated == band
        columns[f"churn_rate_{band}"] = _rate((in_band & churned).sum(), in_band.sum())
    columns["configured_at_risk_share"] = _rate(configured_at_risk.sum(), len(rows))
    columns["configured_capture_rate"] = capture_rate(configured_at_risk, churned)
    return columns


def with_month_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """`month` as datetime.date (DuckDB hands dates to pandas as timestamps)."""
    return frame.assign(month=[pd.Timestamp(m).date() for m in frame["month"]])


def backtest(frame: pd.DataFrame, shares: BandShares, as_of: date) -> Backtest:
    """Every month of `frame` (fct_account_health_outcomes): both scores' AUC, the weights
    fitted out of time, the score in use and its calibrated bands."""
    require_columns(frame, OUTCOME_COLUMNS, "fct_account_health_outcomes")
    frame = with_month_dates(frame)
    by_month = {month: rows for month, rows in frame.groupby("month", sort=True)}
    weights: dict[date, LearnedWeights | None] = {}
    learned: dict[date, np.ndarray | None] = {}
    aucs: dict[date, tuple[float | None, float | None]] = {}
    for month, rows in by_month.items():
        churned = rows["churned_within_90_days"].to_numpy(dtype=bool)
        weights[month] = fit_weights(training_rows(frame, month))
        learned[month] = learned_scores(weights[month], rows) if weights[month] else None
        learned_auc = auc(learned[month], churned) if learned[month] is not None else None
        aucs[month] = (auc(rows["health_score"].to_numpy(dtype=float), churned), learned_auc)

    records = []
    choices: dict[date, Choice] = {}
    for month, rows in by_month.items():
        choice = choices[month] = choose_score(month, aucs)
        learned_now = learned[month]
        in_use = (
            learned_now
            if choice.score_in_use == LEARNED and learned_now is not None
            else rows["health_score"].to_numpy(dtype=float)
        )
        records.append(
            {
                "month": month,
                "accounts_scored": len(rows),
                "churners_within_90_days": int(rows["churned_within_90_days"].sum()),
                "configured_auc": aucs[month][0],
                "learned_auc": aucs[month][1],
                "training_months": weights[month].training_months if weights[month] else 0,
                "training_rows": weights[month].training_rows if weights[month] else 0,
                **_weight_columns(weights[month]),
                "trailing_auc_months": choice.trailing_months,
                "trailing_configured_auc": choice.trailing_configured_auc,
                "trailing_learned_auc": choice.trailing_learned_auc,
                "score_in_use": choice.score_in_use,
                **_band_columns(rows, in_use, shares),
                "is_complete": outcome_known_by(month, as_of),
            }
        )
    table = pd.DataFrame.from_records(records, columns=list(BACKTEST_TABLE.column_names))
    return Backtest(table, weights, aucs, choices)


def month_start(day: date) -> date:
    return day.replace(day=1)


def _score_in_use(
    choice: Choice, weights: LearnedWeights | None
) -> Callable[[pd.DataFrame], np.ndarray]:
    """The score `choice` says a month uses, as a function of fct_account_health_daily rows:
    the learned score with `weights`, or (configured, or learned without weights) HLT-1's."""
    if choice.score_in_use == LEARNED and weights is not None:
        return lambda rows: learned_scores(weights, rows)
    return lambda rows: rows["health_score"].to_numpy(dtype=float)


def calibrated_accounts(
    today: pd.DataFrame,
    history: pd.DataFrame,
    tested: Backtest,
    shares: BandShares,
    as_of: date,
    before: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """rpt_health_calibrated's HLT-3 columns (CALIBRATED_COLUMNS): every paying account on
    `as_of` (`today`: its rows of fct_account_health_daily) with both scores, the score in use
    in `as_of`'s month (its weights and choice from the backtest `tested` of `history`,
    fct_account_health_outcomes; computed the same way when that month has no row there) and
    its calibrated band, cut at the quantiles of the `as_of` scores in use. `before`: the rows
    of fct_account_health_daily on `as_of` - COMPARISON_DAYS; each account's score then, with
    the same weights, and its band at the same cut-offs (null when it was not scored then)."""
    require_columns(today, TODAY_COLUMNS, "fct_account_health_daily on as_of")
    month = month_start(as_of)
    if month in tested.choices:
        choice, weights = tested.choices[month], tested.weights[month]
    else:
        choice = choose_score(month, tested.aucs)
        weights = fit_weights(training_rows(with_month_dates(history), month))
    score = _score_in_use(choice, weights)
    configured = today["health_score"].to_numpy(dtype=float)
    learned = learned_scores(weights, today) if weights is not None else None
    in_use = score(today)
    cutoffs = quantile_cutoffs(in_use, shares)
    then = _scores_before(before, score, today["account_id"])
    band_then = np.where(
        np.isnan(then), None, bands(then, cutoffs) if cutoffs else np.array([], dtype=object)
    )
    table = pd.DataFrame(
        {
            "as_of_date": [as_of] * len(today),
            "account_id": today["account_id"].to_numpy(),
            "configured_score": configured,
            "configured_band": today["health_band"].to_numpy(),
            "learned_score": learned if learned is not None else [None] * len(today),
            "score_in_use": [choice.score_in_use] * len(today),
            "calibrated_score": in_use,
            "calibrated_band": bands(in_use, cutoffs) if cutoffs else [],
            "top_risk_reason": today["top_risk_reason"].to_numpy(),
            "red_below": [cutoffs.red_below if cutoffs else None] * len(today),
            "yellow_below": [cutoffs.yellow_below if cutoffs else None] * len(today),
            "calibrated_red_share": [shares.red] * len(today),
            "calibrated_yellow_share": [shares.yellow] * len(today),
            "calibrated_score_30d_before": then,
            "calibrated_band_30d_before": band_then,
        },
        columns=list(CALIBRATED_COLUMNS),
    )
    return table.sort_values(["calibrated_score", "account_id"], ignore_index=True)


def _scores_before(
    before: pd.DataFrame | None,
    score: Callable[[pd.DataFrame], np.ndarray],
    account_ids: pd.Series,
) -> np.ndarray:
    """The score in use of each of `account_ids` on the comparison day (NaN: not scored)."""
    if before is None or before.empty:
        return np.full(len(account_ids), np.nan)
    require_columns(before, TODAY_COLUMNS, f"fct_account_health_daily {COMPARISON_DAYS} days back")
    then = pd.Series(score(before), index=before["account_id"].to_numpy(), dtype=float)
    if then.index.has_duplicates:
        duplicated = then.index[then.index.duplicated()][0]
        raise ValueError(f"account {duplicated}: two health rows on the comparison day")
    return then.reindex(account_ids.to_numpy()).to_numpy(dtype=float)


ACCOUNT_FACTS = (
    "account_id",
    "account_name",
    "segment",
    "csm_owner_id",
    "csm_owner_name",
    "current_mrr",
    "next_renewal_date",
    "days_past_due",
    "amount_overdue",
)


def with_account_facts(calibrated: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """rpt_health_calibrated: the HLT-3 columns of `calibrated` joined to the worklist facts
    of `accounts` (dim_accounts: ACC-1's name, segment, CSM, MRR, next renewal, days past
    due), in the contract's column order. An account of `calibrated` without a row in
    `accounts` is refused, naming it (dim_accounts holds every account)."""
    require_columns(calibrated, CALIBRATED_COLUMNS, "the calibrated accounts")
    require_columns(accounts, ACCOUNT_FACTS, "dim_accounts")
    facts = accounts[list(ACCOUNT_FACTS)].set_index("account_id")
    missing = sorted(set(calibrated["account_id"]) - set(facts.index))
    if missing:
        raise KeyError(f"account {missing[0]}: scored on as_of but not in dim_accounts")
    joined = calibrated.join(facts, on="account_id")
    renewal = pd.to_datetime(joined["next_renewal_date"])
    as_of = pd.to_datetime(joined["as_of_date"])
    joined["mrr_at_stake"] = joined["current_mrr"]
    joined["next_renewal_date"] = [None if pd.isna(day) else day.date() for day in renewal]
    joined["days_to_renewal"] = (renewal - as_of).dt.days
    return joined[list(CALIBRATED_TABLE.column_names)]


# --------------------------------------------------------------------------- checks
# How far above the seed's red + yellow share a month may go before the check warns: the
# quantile rule never exceeds it, so any excess means the rule was changed or bypassed.
AT_RISK_TOLERANCE = 0.02


def auc_out_of_range(months: pd.DataFrame) -> list[str]:
    """Months whose configured or learned AUC lies outside [0, 1] (null is allowed)."""
    problems = []
    for _, row in months.iterrows():
        for column in ("configured_auc", "learned_auc"):
            value = row[column]
            if not pd.isna(value) and not 0 <= value <= 1:
                problems.append(f"{pd.Timestamp(row['month']).date()}: {column} = {value}")
    return problems


def at_risk_excess(
    shares_by_period: Mapping[str, float], target: float, tolerance: float = AT_RISK_TOLERANCE
) -> list[str]:
    """Periods whose red + yellow share exceeds `target` + `tolerance`."""
    return [
        f"{period}: {share:.1%} red or yellow, above {target:.0%} + {tolerance:.0%}"
        for period, share in shares_by_period.items()
        if share > target + tolerance
    ]


# --------------------------------------------------------------------------- the contracts
@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str


@dataclass(frozen=True)
class Table:
    """A mart written by Python: its enforced columns and types, and its docs."""

    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


_COMPONENT_WEIGHTS = tuple(
    Column(
        f"learned_weight_{component}",
        "double",
        f"Learned weight of the {component} component: change in log-odds of staying 90 days "
        "per 100 points of its score (positive protects); null without a fit (HLT-3).",
    )
    for component in COMPONENTS
)
_BAND_CHURN = tuple(
    Column(
        f"churn_rate_{band}",
        "double",
        f"Share of the month's accounts in the calibrated {band} band that churned within 90 "
        "days; null when the band is empty (HLT-3).",
    )
    for band in (RED, YELLOW, GREEN)
)

BACKTEST_TABLE = Table(
    name="fct_health_backtest_learned",
    description=(
        "One row per month (HLT-3, beside HLT-2's fct_health_backtest): the AUC of the "
        "configured and of the learned health score on the month's first day against churn "
        "within 90 days, the weights learned out of time (only from months whose 90-day outcome "
        "was known when the month began), the score in use (learned only when its mean AUC over "
        "the trailing 6 complete months beats the configured one), and the calibrated bands of "
        "that score (red + yellow at most the seed's shares of paying accounts) with the share "
        "of churners they caught. Written by the Dagster asset of orchestration/health.py."
    ),
    columns=(
        Column(
            "month", "date", "First day of the calendar month (UTC), the day accounts are scored."
        ),
        Column("accounts_scored", "integer", "Paying accounts with a health score on that day."),
        Column(
            "churners_within_90_days",
            "integer",
            "Of accounts_scored, those with an MRR movement `churn` in the month or the two "
            "after it (HLT-2's outcome; fct_account_health_outcomes).",
        ),
        Column(
            "configured_auc",
            "double",
            "AUC of the configured health score (HLT-1 weights from the seed), as HLT-2 "
            "computes it: equal to fct_health_backtest.auc.",
        ),
        Column(
            "learned_auc",
            "double",
            "AUC of the learned score (P(not churning) x 100, HLT-3) with this month's weights; "
            "null before any month can train them or without churners.",
        ),
        Column(
            "training_months",
            "integer",
            "Months the weights were fitted on: those whose first day + 90 days is on or "
            "before this month's first day (out of time; 0 = no fit).",
        ),
        Column("training_rows", "integer", "Account-months the weights were fitted on."),
        Column(
            "learned_intercept",
            "double",
            "Intercept of the logistic regression (log-odds of staying with every score 0); "
            "null without a fit (HLT-3).",
        ),
        *_COMPONENT_WEIGHTS,
        Column(
            "trailing_auc_months",
            "integer",
            "Complete months before this one with both AUCs defined, at most 6: the evidence "
            "for score_in_use.",
        ),
        Column(
            "trailing_configured_auc",
            "double",
            "Mean configured AUC over the trailing 6 complete months with both AUCs; null "
            "with fewer than 6.",
        ),
        Column(
            "trailing_learned_auc",
            "double",
            "Mean learned AUC over the same months; null with fewer than 6.",
        ),
        Column(
            "score_in_use",
            "varchar",
            "learned when trailing_learned_auc > trailing_configured_auc, else configured (HLT-3).",
        ),
        Column(
            "red_below",
            "double",
            "Calibrated cut-off: a score in use below it is red (the lowest "
            "calibrated_red_share of the month's accounts at most; seed health_score_config).",
        ),
        Column(
            "yellow_below",
            "double",
            "Calibrated cut-off: a score in use from red_below to below it is yellow (red + "
            "yellow at most calibrated_red_share + calibrated_yellow_share).",
        ),
        Column(
            "at_risk_share",
            "double",
            "Share of the month's paying accounts red or yellow in the calibrated bands.",
        ),
        Column(
            "capture_rate",
            "double",
            "Share of the month's churners within 90 days that were red or yellow (calibrated) "
            "on its first day; null without churners (HLT-3).",
        ),
        Column("lift", "double", "capture_rate / at_risk_share (1 = no better than chance)."),
        *_BAND_CHURN,
        Column(
            "configured_at_risk_share",
            "double",
            "For comparison: share of accounts red or yellow in HLT-1's fixed bands (< 70).",
        ),
        Column(
            "configured_capture_rate",
            "double",
            "For comparison: share of churners red or yellow in HLT-1's fixed bands.",
        ),
        Column(
            "is_complete",
            "boolean",
            "The 90 days after the month's first day have passed at `as_of` (churn final).",
        ),
    ),
)

CALIBRATED_TABLE = Table(
    name="rpt_health_calibrated",
    description=(
        "One row per paying account on `as_of` (HLT-3): its configured health score and band "
        "(HLT-1), its learned score, which score its month uses (fct_health_backtest_learned) "
        "and the calibrated band of that score, cut at quantiles of the `as_of` scores (red + "
        "yellow at most the seed's shares of paying accounts); the same score and cut-offs "
        f"applied to the account {COMPARISON_DAYS} days before; and the account facts a CSM "
        "acts on (dim_accounts, ACC-1: name, segment, CSM, MRR at stake, next renewal, days "
        "past due). The CS worklist is its red and yellow rows: the CS report's worklist and "
        "the 'Accounts at risk' headline read it (rpt_at_risk_accounts keeps HLT-1's fixed "
        "bands). Lowest score in use first. Written by the Dagster asset of "
        "orchestration/health.py."
    ),
    columns=(
        Column("as_of_date", "date", "The refresh date `as_of` (the same on every row)."),
        Column("account_id", "varchar", "The account (HubSpot company id, else Stripe customer)."),
        Column(
            "account_name",
            "varchar",
            "Company name (dim_accounts.account_name); null for billing-only accounts.",
        ),
        Column("segment", "varchar", "Customer segment (dim_accounts.segment)."),
        Column(
            "csm_owner_id",
            "varchar",
            "HubSpot owner id of the account's CSM (dim_accounts.csm_owner_id, ACC-1).",
        ),
        Column(
            "csm_owner_name",
            "varchar",
            "Name of the account's CSM (dim_accounts.csm_owner_name, ACC-1); null when the "
            "owner is unknown.",
        ),
        Column(
            "configured_score",
            "decimal(5,2)",
            "Health score 0-100 on as_of_date with the seed's weights (HLT-1).",
        ),
        Column("configured_band", "varchar", "green (>= 70), yellow (40-69) or red (HLT-1)."),
        Column(
            "learned_score",
            "double",
            "P(not churning within 90 days) x 100 with the weights of as_of_date's month "
            "(HLT-3); null before any month can train them.",
        ),
        Column("score_in_use", "varchar", "learned or configured: the month's choice (HLT-3)."),
        Column("calibrated_score", "double", "The value of the score in use."),
        Column(
            "calibrated_band",
            "varchar",
            "red, yellow or green: quantile band of calibrated_score among the accounts on "
            "as_of_date (seed shares calibrated_red_share, calibrated_yellow_share).",
        ),
        Column(
            "top_risk_reason",
            "varchar",
            "The component with the largest configured weight x (100 - score) (HLT-1).",
        ),
        Column(
            "red_below",
            "double",
            "The day's red cut-off: calibrated_score below it is red (the same on every row).",
        ),
        Column(
            "yellow_below",
            "double",
            "The day's yellow cut-off: calibrated_score from red_below to below it is yellow "
            "(the same on every row).",
        ),
        Column(
            "calibrated_red_share",
            "double",
            "Seed health_score_config: the largest share of paying accounts in red (HLT-3).",
        ),
        Column(
            "calibrated_yellow_share",
            "double",
            "Seed health_score_config: the largest share of paying accounts in yellow (HLT-3).",
        ),
        Column(
            "calibrated_score_30d_before",
            "double",
            f"The score in use {COMPARISON_DAYS} days before as_of_date, with the same weights "
            "(fct_account_health_daily's components then); null when the account was not "
            "scored that day (not paying).",
        ),
        Column(
            "calibrated_band_30d_before",
            "varchar",
            "The band of calibrated_score_30d_before at this day's cut-offs (red_below, "
            "yellow_below): the same band definition both days, so the worklist's change is "
            "comparable; null when not scored then.",
        ),
        Column(
            "mrr_at_stake",
            "decimal(18,2)",
            "The account's MRR at `as_of`, USD (dim_accounts.current_mrr, MRR-3).",
        ),
        Column(
            "next_renewal_date",
            "date",
            "The earliest next term end after `as_of` (dim_accounts.next_renewal_date, RNW-2's "
            "projected terms); null when nothing renews.",
        ),
        Column(
            "days_to_renewal",
            "integer",
            "Days from as_of_date to next_renewal_date; null when nothing renews.",
        ),
        Column(
            "days_past_due",
            "integer",
            "Days past due of the oldest overdue invoice at `as_of` (dim_accounts, DLQ-1); 0 "
            "when not delinquent.",
        ),
        Column(
            "amount_overdue",
            "decimal(18,2)",
            "Amount overdue at `as_of`, USD (dim_accounts, DLQ-1); 0 when not delinquent.",
        ),
    ),
)
# The columns calibrated_accounts computes (HLT-3); with_account_facts adds dim_accounts'.
_FROM_ACCOUNTS = {*ACCOUNT_FACTS, "mrr_at_stake", "days_to_renewal"} - {"account_id"}
CALIBRATED_COLUMNS = tuple(c for c in CALIBRATED_TABLE.column_names if c not in _FROM_ACCOUNTS)

TABLES = (BACKTEST_TABLE, CALIBRATED_TABLE)
