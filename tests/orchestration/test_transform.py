"""dagster-dbt's per-invocation target folders do not pile up; each warehouse keeps its parse."""

from __future__ import annotations

import json
import os

from dagster import AssetKey

from orchestration.serving import dbt_test_summary
from orchestration.settings import Settings
from orchestration.transform import (
    MANIFEST_PATH,
    PARTIAL_PARSE_FILE,
    RUN_RESULTS_FILE,
    dbt_file_log_level,
    dbt_models,
    dbt_run_results_path,
    keep_copy,
    keep_parse,
    kept_parse_path,
    prune_invocation_folders,
    start_from_kept_parse,
)


def test_only_the_newest_invocation_folders_are_kept(tmp_path):
    for age, name in enumerate(["dbt_models-new", "dbt_models-mid", "dbt_models-old"]):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "run_results.json").write_text("{}")
        os.utime(folder, (1_000_000 - age * 10, 1_000_000 - age * 10))
    (tmp_path / "compiled").mkdir()

    prune_invocation_folders(tmp_path, keep=2)

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "compiled",
        "dbt_models-mid",
        "dbt_models-new",
    ]


def test_a_build_starts_from_the_parse_its_warehouse_kept(tmp_path):
    settings = Settings(warehouse_path=tmp_path / "data" / "warehouse.duckdb")
    kept = kept_parse_path(settings)
    first, second = tmp_path / "target" / "dbt_models-1", tmp_path / "target" / "dbt_models-2"

    start_from_kept_parse(kept, first)  # none kept yet: dagster-dbt gives the prepared one
    assert not (first / PARTIAL_PARSE_FILE).exists()
    first.mkdir(parents=True)
    (first / PARTIAL_PARSE_FILE).write_bytes(b"parsed by the first build")
    keep_parse(first, kept)

    start_from_kept_parse(kept, second)
    assert (second / PARTIAL_PARSE_FILE).read_bytes() == b"parsed by the first build"
    other = Settings(warehouse_path=tmp_path / "data" / "other.duckdb")
    assert kept_parse_path(other) != kept  # each warehouse keeps its own


def test_each_warehouse_publishes_the_test_counts_of_its_own_build(tmp_path):
    """Two warehouses built from one checkout (a refresh and the benchmark, say): the newest
    build folder under target/ is the other warehouse's, yet each counts its own tests."""

    def build(name: str, statuses: list[str]) -> Settings:
        settings = Settings(warehouse_path=tmp_path / name / "warehouse.duckdb")
        folder = tmp_path / "target" / f"dbt_models-{name}"
        folder.mkdir(parents=True)
        results = [{"unique_id": f"test.p.t{i}", "status": s} for i, s in enumerate(statuses)]
        (folder / RUN_RESULTS_FILE).write_text(json.dumps({"results": results}))
        keep_copy(folder / RUN_RESULTS_FILE, dbt_run_results_path(settings))
        return settings

    first = build("first", ["pass", "fail"])
    second = build("second", ["pass", "pass", "warn"])

    assert dbt_test_summary(first)["dbt_tests"] == 2
    assert dbt_test_summary(first)["dbt_tests_fail"] == 1
    assert dbt_test_summary(second)["dbt_tests"] == 3
    assert dbt_test_summary(Settings(warehouse_path=tmp_path / "never_built.duckdb")) == {}


def test_dbt_assets_are_described_by_their_yml_descriptions_not_their_sql():
    nodes = {
        (node["fqn"][1], node["name"]): node
        for node in json.loads(MANIFEST_PATH.read_text())["nodes"].values()
        if node["resource_type"] == "model"
    }
    descriptions = dbt_models.descriptions_by_key
    for (layer, name), node in nodes.items():
        description = descriptions[AssetKey([layer, name])]
        assert "Raw SQL" not in description, name
        assert node["raw_code"].strip() not in description, name
        assert description == (node["description"].strip() or f"dbt model {name}"), name
    # A mart's description is its yml text, rendered: grain and the rule ids it cites.
    fct_mrr = descriptions[AssetKey(["marts", "fct_mrr"])]
    assert fct_mrr.startswith("One row per account per month (MRR-5)")
    assert sum(bool(node["description"].strip()) for node in nodes.values()) > len(nodes) / 2


def test_dbt_tests_are_checks_where_a_reader_acts_on_them():
    """Tests of marts and audit models, and every warning, are asset checks; the error tests of
    staging and intermediate models run in the build without a check's event-log writes."""
    manifest = json.loads(MANIFEST_PATH.read_text())
    tests = [node for node in manifest["nodes"].values() if node["resource_type"] == "test"]
    checks = {(key.asset_key.path[0], key.name) for key in dbt_models.check_keys}

    def layer(test: dict) -> str:
        return manifest["nodes"].get(test.get("attached_node") or "", {}).get("fqn", ["", ""])[1]

    def is_check(test: dict) -> bool:
        return (layer(test), test["name"]) in checks

    marts = [t for t in tests if layer(t) == "marts"]
    staging_errors = [
        t for t in tests if layer(t) == "staging" and t["config"]["severity"] == "error"
    ]
    warnings = [t for t in tests if t["config"]["severity"] == "warn" and t.get("attached_node")]
    assert marts and staging_errors and warnings
    assert all(is_check(t) for t in marts)
    assert all(is_check(t) for t in warnings)
    assert not any(is_check(t) for t in staging_errors)


def test_dbt_writes_only_warnings_to_its_own_log_file_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("DBT_LOG_LEVEL_FILE", raising=False)
    assert dbt_file_log_level() == {"DBT_LOG_LEVEL_FILE": "warn"}
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")  # someone debugging a model
    assert dbt_file_log_level() == {"DBT_LOG_LEVEL_FILE": "debug"}
