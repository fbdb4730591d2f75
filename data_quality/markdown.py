"""Markdown tables: the one renderer behind check metadata, load metadata and the README's
table of checks (Dagster's UI renders markdown metadata as a table)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def markdown_table(
    header: Sequence[str], rows: Iterable[Sequence[object]], numeric: Sequence[str] = ()
) -> str:
    """A markdown table; the `numeric` columns are right-aligned. Pipes in cells are escaped,
    so a value never breaks the table."""
    align = ["---:" if name in numeric else "---" for name in header]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("|", "\\|")
