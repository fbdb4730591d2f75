"""Expectation suites of the marts (schema `marts`, built by dbt): one per model.

Names and columns are the marts' contract (METRICS.md). A suite reads only its key and rule
columns. A mart that dbt has not built yet is reported as skipped, never as an import error;
a missing column of a built mart fails its rules with "column ... missing".

One owner per rule: what dbt already tests on a mart (its keys not null and unique, fct_mrr's
movement in its accepted values; dbt_project/models/marts/*/_*__models.yml) is not re-checked
here. The key columns still name each bad row in samples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from data_quality.config import QualityConfig
from data_quality.rules import NAMING_CONFIG, Rule, between

MARTS_SCHEMA = "marts"


@dataclass(frozen=True)
class MartSuite:
    model: str
    key: tuple[str, ...]
    rules: Callable[[QualityConfig], list[Rule]]
    # Key columns used when the mart has them (fct_nps_monthly may be split by segment).
    optional_key: tuple[str, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return f"{MARTS_SCHEMA}.{self.model}"

    @property
    def asset_key(self) -> tuple[str, ...]:
        return (MARTS_SCHEMA, self.model)

    def all_rules(self, config: QualityConfig, present: set[str]) -> list[Rule]:
        return self.rules(config)

    def index_columns(self, present: set[str]) -> tuple[str, ...]:
        """The grain's columns the mart has: they name a bad row in samples."""
        return tuple(c for c in (*self.key, *self.optional_key) if c in present)

    def columns(self, config: QualityConfig, present: set[str]) -> list[str]:
        wanted = [*self.index_columns(present)]
        wanted += [c for rule in self.all_rules(config, present) for c in rule.columns]
        return list(dict.fromkeys(wanted))

    def check_names(self) -> list[str]:
        names = [r.check for r in self.all_rules(NAMING_CONFIG, set(self.optional_key))]
        return list(dict.fromkeys(names))


def _rate(column: str, note: str = "a rate: within [0, 1] or null") -> Rule:
    return between("ranges", column, 0, 1, note=note)


# dim_accounts has no suite: dbt owns its only rule (account_id unique and not null).
MART_SUITES: tuple[MartSuite, ...] = (
    MartSuite(
        "fct_mrr",
        ("account_id", "month"),
        lambda c: [
            between("ranges", "mrr", 0, note="MRR-2: never negative"),
            between("ranges", "previous_mrr", 0, note="MRR-2: never negative"),
        ],
    ),
    MartSuite(
        "fct_revenue_monthly",
        ("month",),
        lambda c: [
            between("ranges", "mrr", 0, note="MRR-2: never negative"),
            _rate("logo_churn_rate"),
            _rate("gross_mrr_churn_rate"),
            between("ranges", "net_mrr_churn_rate", None, 1, note="CHN-1: <= 1, may be negative"),
            _rate("grr"),
            between("ranges", "nrr", 0, note="CHN-1: >= 0, may exceed 1"),
            between("ranges", "quick_ratio", 0, note="CHN-1: >= 0"),
            _rate("logo_renewal_rate"),
            _rate("dollar_renewal_rate", note="REN-1: capped at 100%"),
        ],
    ),
    MartSuite(
        "fct_nps_monthly",
        ("month",),
        lambda c: [between("ranges", "nps", -100, 100, note="NPS-1")],
        optional_key=("segment",),
    ),
    MartSuite(
        "fct_csat_monthly",
        ("month",),
        lambda c: [between("ranges", "csat", 0, 100, note="CSAT-1: a percentage")],
        optional_key=("segment",),
    ),
    MartSuite(
        "fct_engagement_daily",
        ("account_id", "date_day"),
        lambda c: [
            _rate("stickiness", note="ENG-1: DAU / MAU"),
            # ENG-2: MAU / licensed seats exceeds 1 when more people use the product than
            # there are seats (a real upsell signal), so only the lower bound is a rule.
            between("ranges", "seat_utilisation", 0, note="ENG-2: >= 0, may exceed 1"),
        ],
    ),
    MartSuite(
        "fct_account_health_daily",
        ("account_id", "date_day"),
        lambda c: [between("ranges", "health_score", 0, 100, note="HLT-1: 0-100")],
    ),
)
MART_SUITES_BY_MODEL: dict[str, MartSuite] = {suite.model: suite for suite in MART_SUITES}
