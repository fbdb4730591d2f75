"""One owner per rule: no GX rule re-checks what dbt already checks on the same column of the
same table (not null, unique, accepted values): a data test, or a mart's contract constraint."""

from __future__ import annotations

import json
from pathlib import Path

from data_quality.mart_suites import MART_SUITES, MARTS_SCHEMA
from data_quality.rules import NAMING_CONFIG
from orchestration.sources import RAW_SUITES
from orchestration.transform import MANIFEST_PATH

# dbt generic test -> the GX expectations that check the same thing.
SAME_RULE = {
    "not_null": {"ExpectColumnValuesToNotBeNull"},
    "unique": {"ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique"},
    "unique_combination_of_columns": {"ExpectCompoundColumnsToBeUnique"},
    "accepted_values": {"ExpectColumnValuesToBeInSet"},
}


def dbt_owned(manifest: dict) -> set[tuple[str, str, str]]:
    """(schema.table, column, GX expectation) of every rule a dbt test owns."""
    tables = {
        node["unique_id"]: f"{node['schema']}.{node.get('alias') or node['identifier']}"
        for node in [*manifest["nodes"].values(), *manifest["sources"].values()]
        if node["resource_type"] in ("model", "seed", "snapshot", "source")
    }
    owned = {
        (tables[node["unique_id"]], column["name"], "ExpectColumnValuesToNotBeNull")
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["contract"]["enforced"]
        for column in node["columns"].values()
        if any(c["type"] == "not_null" for c in column.get("constraints", []))
    }
    for node in manifest["nodes"].values():
        test = node.get("test_metadata") or {}
        if node["resource_type"] != "test" or test.get("name") not in SAME_RULE:
            continue
        kwargs = test.get("kwargs", {})
        columns = kwargs.get("combination_of_columns") or [kwargs.get("column_name")]
        table = tables.get(node.get("attached_node") or "")
        if table is None:  # a test of no single relation
            continue
        for column in columns:
            for expectation in SAME_RULE[test["name"]]:
                owned.add((table, column, expectation))
    return owned


def gx_rules() -> set[tuple[str, str, str]]:
    rules = set()
    for suite in RAW_SUITES:
        for rule in suite.rules(NAMING_CONFIG):
            rules |= {(suite.table, column, rule.expectation) for column in rule.columns}
    for mart in MART_SUITES:
        present = {*mart.key, *mart.optional_key}
        for rule in mart.all_rules(NAMING_CONFIG, present):
            rules |= {(mart.name, column, rule.expectation) for column in rule.columns}
    return rules


def test_no_gx_rule_repeats_a_dbt_test():
    owned = dbt_owned(json.loads(Path(MANIFEST_PATH).read_text()))
    assert {table for table, _, _ in owned} >= {f"{MARTS_SCHEMA}.fct_mrr"}, "manifest not read"
    assert (f"{MARTS_SCHEMA}.fct_mrr", "mrr", "ExpectColumnValuesToNotBeNull") in owned
    assert sorted(gx_rules() & owned) == []
