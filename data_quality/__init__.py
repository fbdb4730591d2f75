"""The data-quality gate: Great Expectations suites as code, run on DuckDB data.

rules.py (checks and expectations as plain data) -> raw_suites.py / mart_suites.py (one suite
per raw object and per mart) -> frames.py (the batches: SQL queries over the warehouse, or small
frames DuckDB aggregated) -> runner.py (GX's SQL engine through gx_duckdb.py, or its pandas
engine for the aggregates; Data Docs) -> gate.py (all checks of one asset).
orchestration/quality.py turns the outcomes into Dagster asset checks. Nothing here imports
Great Expectations at module level.
"""
