"""sqlfluff stand-in for dbt's `execute` flag: linting compiles, it does not execute."""
