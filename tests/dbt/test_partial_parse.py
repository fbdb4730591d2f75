"""The refresh's dbt build reuses the parse `make manifest` prepared, whatever the date.

dbt re-parses the whole project (~15 s on 2 cores, every refresh) when a command's `--vars`,
`--profile` or `--target` differ from those of the parse it finds; the refresh once passed
`--target` and paid that on every run. This counts full parses; it does not time them.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.transform import DBT_BUILD_ARGS
from tests.dbt.conftest import run_dbt

FULL_PARSE = "Unable to do partial parsing"
# A selection that matches no node: dbt parses, selects nothing, builds nothing.
NOTHING = ["--select", "tag:no_node_has_this_tag"]


def test_a_refresh_on_any_date_reuses_the_prepared_parse(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    # The first run starts from the worker's prepared parse (tests/dbt/conftest.py), made as
    # `make manifest` makes it: `dbt parse`, no date, no flags.
    build = run_dbt(
        [*DBT_BUILD_ARGS, *NOTHING], warehouse=warehouse, as_of="2026-11-30", work_dir=tmp_path
    ).check()
    assert FULL_PARSE not in build.output, build.output[-3000:]

    # The counter-check: a flag the parse did not have makes dbt parse everything again.
    flagged = run_dbt(
        [*DBT_BUILD_ARGS, "--target", "dev", *NOTHING],
        warehouse=warehouse,
        as_of="2026-11-30",
        work_dir=tmp_path,
    ).check()
    assert FULL_PARSE in flagged.output
