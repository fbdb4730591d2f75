"""Thresholds of the data-quality gate: their defaults are `QualityConfig`'s field defaults.

The run configuration (orchestration/run_config.py) builds a `QualityConfig` per run from the
variables below (collected by orchestration.settings.Settings.from_env, parsed here by
`quality_changes`) and the run's `as_of`; nothing in data_quality/ reads the environment.

- CS_AS_OF: the refresh date (settled once per run by orchestration/run_config.py)
- CS_DQ_EXTRA_CURRENCIES: currencies accepted besides usd, eur, gbp, jpy (comma list)
- CS_DQ_DATA_START: no source timestamp is older than this (default 2010-01-01)
- CS_DQ_FRESHNESS_HOURS: newest partition of a source vs `as_of` (default 36)
- CS_DQ_VOLUME_BAND: a day's Segment events / median of the same weekday in the trailing
  28 days (default 0.5,2.0)
- CS_DQ_MRR_BAND: allowed month-over-month change of total MRR, new customers' MRR left out
  (default 0.25)
- CS_DQ_ERRORS: warning checks promoted to blocking errors, comma list of `check` (every
  asset) or `<system>/<object>:check` / `<mart>:check` (one asset), e.g.
  `freshness` or `stripe/invoices:freshness,segment/events:volume` (default none)
- CS_DQ_DOCS_DIR: where Data Docs are built (default data_quality/docs, git-ignored)
- CS_DQ_STORE_DIR: GX suites and validation results (default data_quality/gx/uncommitted)

`as_of` comes from the run configuration, so the gate, dbt and the publication agree on it.
The tolerances of the Stripe cash and MRR-vs-invoices reconciliations are dbt vars
(dbt_project/dbt_project.yml), read by their dbt models and tests (models/audit).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent

BASE_CURRENCIES = ("usd", "eur", "gbp", "jpy")


@dataclass(frozen=True)
class QualityConfig:
    as_of: date
    extra_currencies: tuple[str, ...] = ()
    # Stripe was founded in 2010 and HubSpot's and Segment's APIs are younger: an older timestamp
    # is an epoch-0 default or a unit mix-up, not history.
    data_start: date = date(2010, 1, 1)
    freshness_hours: int = 36
    # A day is compared with the same weekday in the trailing 28 days (4 days; B2B usage drops
    # at weekends, so a Sunday is judged against Sundays). Judged once 3 of them exist.
    volume_band: tuple[float, float] = (0.5, 2.0)
    volume_window_days: int = 28
    volume_min_history_days: int = 3
    # Small daily counts, and the median of four of them, are noisy: the small demo (6-170
    # events a day) put 40 of 733 days outside [0.5, 2] with no export lost. Days whose usual
    # volume is below this are not judged; the warning would be noise, not a lost export.
    volume_min_median_events: int = 200
    mrr_band: float = 0.25
    sample_size: int = 5
    # Unexpected rows (bad value and the row's key) kept per expectation in a stored result and
    # shown on its Data Docs page.
    unexpected_rows_kept: int = 200
    docs_dir: Path = REPO_ROOT / "data_quality" / "docs"
    store_dir: Path = REPO_ROOT / "data_quality" / "gx" / "uncommitted"
    # Validation results kept per suite (older ones and their pages are pruned from the docs).
    results_kept_per_suite: int = 3
    # Warning checks the user promoted to errors: "check" (everywhere) or "asset:check".
    promoted_to_errors: frozenset[str] = frozenset()

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*BASE_CURRENCIES, *self.extra_currencies)))

    @property
    def docs_index(self) -> Path:
        return self.docs_dir / "index.html"


def quality_changes(variables: Mapping[str, str], check_names: Collection[str]) -> dict[str, Any]:
    """The `QualityConfig` fields that the CS_DQ_* `variables` set (unset ones keep their
    defaults); a bad value is refused with its variable named. `check_names`: the declared
    checks (checks.CHECKS) CS_DQ_ERRORS may promote."""
    env = {name: value for name, value in variables.items() if value}
    changes: dict[str, Any] = {}
    if env.get("CS_DQ_EXTRA_CURRENCIES"):
        changes["extra_currencies"] = _currencies(env["CS_DQ_EXTRA_CURRENCIES"])
    if env.get("CS_DQ_DATA_START"):
        changes["data_start"] = _date(env, "CS_DQ_DATA_START")
    if env.get("CS_DQ_FRESHNESS_HOURS"):
        changes["freshness_hours"] = _number(env, "CS_DQ_FRESHNESS_HOURS", int)
    if env.get("CS_DQ_VOLUME_BAND"):
        changes["volume_band"] = _band(env, "CS_DQ_VOLUME_BAND")
    if env.get("CS_DQ_MRR_BAND"):
        changes["mrr_band"] = _number(env, "CS_DQ_MRR_BAND", float)
    if env.get("CS_DQ_ERRORS"):
        changes["promoted_to_errors"] = _promotions(env["CS_DQ_ERRORS"], check_names)
    if env.get("CS_DQ_DOCS_DIR"):
        changes["docs_dir"] = _path(env["CS_DQ_DOCS_DIR"])
    if env.get("CS_DQ_STORE_DIR"):
        changes["store_dir"] = _path(env["CS_DQ_STORE_DIR"])
    return changes


def _currencies(value: str) -> tuple[str, ...]:
    codes = tuple(code.strip().lower() for code in value.split(",") if code.strip())
    bad = [code for code in codes if len(code) != 3 or not code.isalpha()]
    if bad:
        raise ValueError(
            f"CS_DQ_EXTRA_CURRENCIES={value!r}: {', '.join(bad)} is not a 3-letter currency code"
        )
    return codes


def _promotions(value: str, check_names: Collection[str]) -> frozenset[str]:
    entries = frozenset(entry.strip() for entry in value.split(",") if entry.strip())
    unknown = sorted(e for e in entries if e.rpartition(":")[2] not in check_names)
    if unknown:
        raise ValueError(
            f"CS_DQ_ERRORS={value!r}: {', '.join(unknown)} names no check; expected `check` or "
            f"`<system>/<object>:check` with a check among {', '.join(check_names)}"
        )
    return entries


def _date(env: Mapping[str, str], name: str) -> date:
    try:
        return date.fromisoformat(env[name])
    except ValueError as error:
        raise ValueError(f"{name}={env[name]!r} is not a date; expected YYYY-MM-DD") from error


def _number(env: Mapping[str, str], name: str, kind: type) -> float:
    try:
        return kind(env[name])
    except ValueError as error:
        raise ValueError(f"{name}={env[name]!r} is not a {kind.__name__}") from error


def _band(env: Mapping[str, str], name: str) -> tuple[float, float]:
    try:
        low, high = (float(part) for part in env[name].split(","))
    except ValueError as error:
        raise ValueError(f"{name}={env[name]!r}: expected two numbers, e.g. 0.5,2.0") from error
    if not 0 <= low < high:
        raise ValueError(f"{name}={env[name]!r}: expected 0 <= low < high")
    return low, high


def _path(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path
