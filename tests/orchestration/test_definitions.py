"""The code location loads, and every asset is documented and grouped."""

from __future__ import annotations

from orchestration.definitions import defs


def test_definitions_resolve_with_documented_grouped_assets():
    graph = defs.resolve_asset_graph()
    keys = list(graph.get_all_asset_keys())
    assert keys, "no assets"
    for key in keys:
        node = graph.get(key)
        if not node.is_materializable:
            continue
        assert node.group_name and node.group_name != "default", key
        assert node.description and len(node.description) > 20, key


def test_every_landing_object_has_a_daily_partitioned_ingestion_asset():
    from orchestration.ingest.targets import ALL_TARGETS

    graph = defs.resolve_asset_graph()
    for target in ALL_TARGETS:
        node = graph.get(_key(target.spec.schema, target.spec.object))
        assert node.is_partitioned
        assert node.group_name == target.spec.system


def _key(*parts: str):
    from dagster import AssetKey

    return AssetKey(list(parts))
