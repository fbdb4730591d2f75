"""dagster-dbt's per-invocation target folders do not pile up."""

from __future__ import annotations

import os

from orchestration.transform import prune_invocation_folders


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
