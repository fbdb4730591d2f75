"""The asset graph as a reviewed file: keys, groups, upstream keys, checks and whether they
block (with CS_DQ_ERRORS unset). A structural change (a new asset, a moved group, a check that
stops blocking) fails here until `asset_graph.json` is regenerated on purpose and the diff is
read in review:

    CS_UPDATE_ASSET_GRAPH=1 uv run pytest tests/orchestration/test_asset_graph_snapshot.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from orchestration.definitions import defs

SNAPSHOT = Path(__file__).with_name("asset_graph.json")


def _graph() -> dict[str, dict]:
    graph = defs.resolve_asset_graph()
    checks: dict[str, dict[str, bool]] = {}
    for check_key in graph.asset_check_keys:
        spec = graph.get_check_spec(check_key)
        checks.setdefault(check_key.asset_key.to_user_string(), {})[check_key.name] = spec.blocking
    return {
        key.to_user_string(): {
            "group": node.group_name,
            "upstream": sorted(parent.to_user_string() for parent in node.parent_keys),
            "checks": dict(sorted(checks.get(key.to_user_string(), {}).items())),
        }
        for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string())
        if (node := graph.get(key)).is_materializable
    }


def test_the_asset_graph_matches_its_reviewed_snapshot():
    current = _graph()
    if os.environ.get("CS_UPDATE_ASSET_GRAPH"):
        SNAPSHOT.write_text(json.dumps(current, indent=1) + "\n")
    reviewed = json.loads(SNAPSHOT.read_text())
    added, removed = sorted(set(current) - set(reviewed)), sorted(set(reviewed) - set(current))
    assert not added and not removed, f"assets added {added}, removed {removed}"
    changed = [key for key in current if current[key] != reviewed[key]]
    assert not changed, f"groups, upstream keys or checks changed for {changed}"
