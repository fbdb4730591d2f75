"""Every mart and every mart column is documented, and the rule ids they cite exist.

Reads dbt's manifest (`make manifest` writes it; descriptions there are rendered, so a
`{{ doc(...) }}` reference counts with its text). Marts have enforced contracts, so their
declared columns are exactly the columns the models produce.
"""

from __future__ import annotations

import json
import re

import pytest

from orchestration.settings import REPO_ROOT
from orchestration.transform import MANIFEST_PATH

METRICS_DOC = REPO_ROOT / "docs" / "metrics.md"
RULE_ID = re.compile(r"\b([A-Z]{3,4}-\d+)\b")


def _marts() -> list[dict]:
    manifest = json.loads(MANIFEST_PATH.read_text())
    return sorted(
        (
            node
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["fqn"][1] == "marts"
        ),
        key=lambda node: node["name"],
    )


MARTS = _marts()


def test_the_manifest_has_the_marts():
    assert len(MARTS) >= 16, [node["name"] for node in MARTS]


@pytest.mark.parametrize("node", MARTS, ids=lambda node: node["name"])
def test_every_mart_column_is_declared_and_described(node):
    assert node["config"]["contract"]["enforced"], "marts declare every column (contract)"
    assert node["description"].strip(), f"{node['name']} has no description"
    undocumented = [
        name for name, column in node["columns"].items() if not column["description"].strip()
    ]
    assert not undocumented, f"{node['name']}: columns without a description: {undocumented}"


def test_every_rule_id_a_mart_cites_is_defined_in_docs_metrics():
    defined = set(RULE_ID.findall(METRICS_DOC.read_text()))
    cited = {}
    for node in MARTS:
        texts = [node["description"], *(col["description"] for col in node["columns"].values())]
        for rule in RULE_ID.findall(" ".join(texts)):
            cited.setdefault(rule, node["name"])
    assert cited, "the marts cite no METRICS rule"
    assert not {rule: mart for rule, mart in cited.items() if rule not in defined}
