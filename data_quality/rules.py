"""Expectations declared as plain data, turned into Great Expectations objects only when run.

Declaring a suite must not import GX (importing it takes ~10 s): the Dagster code location
reads the suites to name its checks, and only a running check builds the GX expectations.
Every rule belongs to one Dagster check (`check`, declared in checks.py), so a check's result
is the sum of its rules; the runner refuses a rule whose check is not declared. A `Batch` is
rows and the rules to validate them against.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from data_quality.config import QualityConfig

if TYPE_CHECKING:
    import pandas as pd

# Rules depend on the configuration only through their arguments, never through their check:
# any configuration names a suite's checks.
NAMING_CONFIG = QualityConfig(as_of=date(2000, 1, 1))


@dataclass(frozen=True)
class Rule:
    """One GX expectation: its class name (great_expectations.expectations) and arguments."""

    check: str
    expectation: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        if "column" in self.kwargs:
            return (self.kwargs["column"],)
        return tuple(self.kwargs.get("column_list", ()))

    @property
    def name(self) -> str:
        """e.g. expect_column_values_to_be_in_set(status): how reports name the expectation."""
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", self.expectation).lower()
        return f"{snake}({', '.join(self.columns)})"

    def build(self, rule_id: str, blocking: bool) -> Any:
        """The GX expectation. Its severity is GX's own field: `critical` when a failure blocks
        publication (`checks.is_blocking`: the check's flag, or a warning promoted by
        CS_DQ_ERRORS), `warning` when it only reports; Data Docs show it (docs_render.py)."""
        import great_expectations.expectations as gxe

        meta: dict[str, Any] = {"check": self.check, "rule_id": rule_id}
        if self.note:
            meta["notes"] = self.note
        return getattr(gxe, self.expectation)(
            **self.kwargs, meta=meta, severity="critical" if blocking else "warning"
        )


@dataclass
class Batch:
    """Rows to validate against the rules of one suite: a SQL query over the warehouse (GX's
    SQL engine), or a small frame DuckDB has already aggregated (GX's pandas engine)."""

    suite_name: str
    frame: pd.DataFrame | None
    rules: list[Rule]
    label: str = ""  # what the batch covers, e.g. 2025-06-01..2025-06-03
    index_columns: tuple[str, ...] = ()  # identify a row in samples of bad values
    query: str | None = None  # SQL over the warehouse; `frame` is None then
    staged: bool = False  # GX materialises the query once as a temp table (JSON parsing)


def not_null(check: str, column: str, note: str = "") -> Rule:
    return Rule(check, "ExpectColumnValuesToNotBeNull", {"column": column}, note)


def is_null(check: str, column: str, note: str = "") -> Rule:
    return Rule(check, "ExpectColumnValuesToBeNull", {"column": column}, note)


def in_set(check: str, column: str, values: tuple[str, ...], note: str = "") -> Rule:
    return Rule(
        check, "ExpectColumnValuesToBeInSet", {"column": column, "value_set": list(values)}, note
    )


def between(
    check: str,
    column: str,
    min_value: Any = None,
    max_value: Any = None,
    *,
    strict_min: bool = False,
    strict_max: bool = False,
    note: str = "",
) -> Rule:
    kwargs: dict[str, Any] = {"column": column}
    if min_value is not None:
        kwargs["min_value"] = min_value
        kwargs["strict_min"] = strict_min
    if max_value is not None:
        kwargs["max_value"] = max_value
        kwargs["strict_max"] = strict_max
    return Rule(check, "ExpectColumnValuesToBeBetween", kwargs, note)


def row_count(check: str, value: int, note: str = "") -> Rule:
    return Rule(check, "ExpectTableRowCountToEqual", {"value": int(value)}, note)


def timestamp_bounds(config: QualityConfig) -> tuple[datetime, datetime]:
    """[data start, end of `as_of` + 1 day): the data period a source timestamp must lie in."""
    low = datetime.combine(config.data_start, datetime.min.time(), tzinfo=UTC)
    high = datetime.combine(config.as_of + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    return low, high


def in_period(config: QualityConfig, column: str, note: str = "") -> Rule:
    low, high = timestamp_bounds(config)
    return between(
        "timestamps",
        column,
        low,
        high,
        strict_max=True,
        note=note or f"between {low.date()} and the end of {high.date() - timedelta(days=1)}",
    )


def day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)
