"""The raw layer's DDL and dbt's source declarations describe the same columns.

`raw_schema.py` creates the tables and `dbt_project/models/staging/*/_*__sources.yml` documents
them for dbt docs; a column added to one (a new typed Segment field) must be added to the other.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.ingest.raw_schema import create_raw_tables
from orchestration.settings import REPO_ROOT
from orchestration.sources import ALL_TARGETS

STAGING = REPO_ROOT / "dbt_project" / "models" / "staging"


def _documented_columns() -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for path in sorted(STAGING.glob("*/_*__sources.yml")):
        for source in yaml.safe_load(Path(path).read_text())["sources"]:
            for table in source["tables"]:
                names = [column["name"] for column in table.get("columns", [])]
                columns[f"{source['schema']}.{table['name']}"] = names
    return columns


@pytest.mark.parametrize("target", ALL_TARGETS, ids=lambda target: target.spec.key)
def test_sources_document_every_raw_column_in_order(target):
    con = duckdb.connect()
    create_raw_tables(con, [target])
    created = [
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [target.spec.schema, target.spec.object],
        ).fetchall()
    ]
    assert _documented_columns()[target.spec.table] == created
