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


def test_every_landing_object_has_an_unpartitioned_ingestion_asset():
    from orchestration.sources import ALL_TARGETS

    graph = defs.resolve_asset_graph()
    for target in ALL_TARGETS:
        node = graph.get(_key(target.spec.schema, target.spec.object))
        assert node.group_name == target.spec.system
    # Nothing is partitioned: Dagster's bookkeeping grows with runs, not with landing days.
    assert not any(graph.get(key).is_partitioned for key in graph.get_all_asset_keys())


def test_the_refresh_job_holds_every_asset_and_the_ingestion_window_is_optional():
    from orchestration.window import WINDOW_RESOURCE

    refresh = defs.resolve_job_def("refresh_warehouse")
    graph = defs.resolve_asset_graph()
    materializable = {key for key in graph.get_all_asset_keys() if graph.get(key).is_materializable}
    assert set(refresh.asset_layer.selected_asset_keys) == materializable
    window = refresh.run_config_schema.config_type.fields["resources"].config_type
    assert not window.fields[WINDOW_RESOURCE].is_required


def _key(*parts: str):
    from dagster import AssetKey

    return AssetKey(list(parts))
