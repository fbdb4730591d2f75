"""sqlfluff stand-in for dbt's `run_started_at` (only `.strftime` is used)."""


def strftime(fmt):
    return "2025-01-01 00:00:00"
