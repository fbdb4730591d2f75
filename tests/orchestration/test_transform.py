"""dagster-dbt's per-invocation target folders do not pile up."""

from __future__ import annotations

import json
import os

from dagster import AssetKey

from orchestration.transform import MANIFEST_PATH, dbt_models, prune_invocation_folders


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
