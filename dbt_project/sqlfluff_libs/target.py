"""sqlfluff stand-in for dbt's `target` (the linted SQL is the DuckDB one)."""

type = "duckdb"
