"""Cross-engine comparison: the same tables built by two engines, row for row.

`python -m tests.spark.compare LEFT.duckdb RIGHT.duckdb [SCHEMA ...]` compares every table of
the schemas (default: marts) present in either file and prints one line per table; exit 1 on
any difference. Rows are compared as multisets (engines order nothing): each side is sorted on
its values, then compared pairwise. Money (DECIMAL) must agree to the cent, floating-point
values (rates) to 1e-9 (relative beyond 1), everything else exactly.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

CENT = Decimal("0.005")
FLOAT_TOLERANCE = 1e-9


@dataclass
class TableDiff:
    name: str
    left_rows: int
    right_rows: int
    problems: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not self.problems


def _sort_key(row: tuple) -> tuple:
    # Floats are rounded for ordering only (the comparison below uses the tolerance), so two
    # engines' last-bit differences cannot reorder rows.
    return tuple(
        (0, "")
        if value is None
        else (1, f"{value:.6e}")
        if isinstance(value, float)
        else (1, f"{Decimal(value):.2f}")
        if isinstance(value, Decimal)
        else (1, repr(value))
        for value in row
    )


def values_equal(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        return abs(Decimal(str(left)) - Decimal(str(right))) < CENT
    if isinstance(left, float) or isinstance(right, float):
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return abs(left - right) <= FLOAT_TOLERANCE * max(1.0, abs(left), abs(right))
    return left == right


def _columns(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    return [row[0] for row in con.execute(f"describe {name}").fetchall()]


def compare_table(
    left: duckdb.DuckDBPyConnection,
    right: duckdb.DuckDBPyConnection,
    name: str,
    ignored: frozenset[str] = frozenset(),
) -> TableDiff:
    """Compare `name` (schema.table) between two connections, by column name, leaving out the
    `ignored` columns."""
    left_columns = [column for column in _columns(left, name) if column not in ignored]
    right_columns = [column for column in _columns(right, name) if column not in ignored]
    columns = [column for column in left_columns if column in right_columns]
    diff = TableDiff(name, 0, 0)
    if set(left_columns) != set(right_columns):
        diff.problems.append(
            f"columns differ: only left {sorted(set(left_columns) - set(right_columns))}, "
            f"only right {sorted(set(right_columns) - set(left_columns))}"
        )
    select = f"select {', '.join(columns)} from {name}"
    left_rows = sorted(left.execute(select).fetchall(), key=_sort_key)
    right_rows = sorted(right.execute(select).fetchall(), key=_sort_key)
    diff.left_rows, diff.right_rows = len(left_rows), len(right_rows)
    if len(left_rows) != len(right_rows):
        diff.problems.append(f"{len(left_rows)} rows against {len(right_rows)}")
    for index, (left_row, right_row) in enumerate(zip(left_rows, right_rows, strict=False)):
        for column, a, b in zip(columns, left_row, right_row, strict=True):
            if not values_equal(a, b):
                diff.problems.append(f"row {index} (sorted) {column}: {a!r} != {b!r}")
        if len(diff.problems) >= 5:
            diff.problems.append("...")
            break
    return diff


def tables_of(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> set[str]:
    placeholders = ", ".join("?" for _ in schemas)
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        f"where table_schema in ({placeholders})",
        list(schemas),
    ).fetchall()
    return {row[0] for row in rows}


def compare_databases(
    left: duckdb.DuckDBPyConnection,
    right: duckdb.DuckDBPyConnection,
    schemas: tuple[str, ...] = ("marts",),
    ignored: frozenset[str] = frozenset(),
) -> list[TableDiff]:
    """Every table of `schemas` in either database; one present on one side only differs."""
    left_tables, right_tables = tables_of(left, schemas), tables_of(right, schemas)
    diffs = []
    for name in sorted(left_tables | right_tables):
        if name not in left_tables or name not in right_tables:
            side = "left" if name in left_tables else "right"
            diffs.append(TableDiff(name, 0, 0, [f"only in the {side} database"]))
        else:
            diffs.append(compare_table(left, right, name, ignored))
    return diffs


def report(diffs: list[TableDiff]) -> str:
    lines = [
        f"{'EQUAL' if diff.equal else 'DIFFERENT':9} {diff.name:55} "
        f"{diff.left_rows:>8} / {diff.right_rows:<8} {'; '.join(diff.problems)}"
        for diff in diffs
    ]
    equal = [diff for diff in diffs if diff.equal]
    lines.append(
        f"{len(equal)} of {len(diffs)} tables equal, "
        f"{sum(diff.left_rows for diff in equal)} rows compared"
    )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    left_path, right_path, *schemas = argv
    with (
        duckdb.connect(str(Path(left_path)), read_only=True) as left,
        duckdb.connect(str(Path(right_path)), read_only=True) as right,
    ):
        diffs = compare_databases(left, right, tuple(schemas) or ("marts",))
    print(report(diffs))
    return 0 if all(diff.equal for diff in diffs) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
