"""The data-quality gate: Great Expectations suites as code, run on DuckDB data.

rules.py (expectations as plain data) -> raw_suites.py / mart_suites.py (one suite per raw
object, declared by its source in orchestration/sources/<source>/suites.py, and per mart) ->
frames.py (the batches: SQL queries over the warehouse, or small frames DuckDB aggregated) ->
checks.py (every check declared once: blocking or warning, where it applies, its batch
function) -> runner.py (GX's SQL engine through gx_duckdb.py, or its pandas engine for the
aggregates; Data Docs) -> gate.py (all checks of one asset, assembled from the declarations).
orchestration/quality.py turns the outcomes into Dagster asset checks. Nothing here imports
Great Expectations at module level, nor orchestration (the landing contract is in landing/).
"""

import warnings

# GX probes for pyspark when it is installed (`make env WITH_SPARK=1`), and pyspark warns that
# it does not support pandas 3: a line in every refresh about code the gate never runs.
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)
