"""sqlfluff stand-in for dbt's `flags` (the command being run)."""

WHICH = "parse"
