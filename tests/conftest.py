"""Shared test helpers: writing landing files and opening scratch warehouses."""

from __future__ import annotations

import gzip
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import REPO_ROOT

# With the `spark` group installed, GX imports pyspark.sql.connect, whose dependency check takes
# a process whose __main__ has neither __spec__ nor __file__ for a doctest run and calls
# sys.exit(0): an xdist worker (started with `python -c`) is such a process. Name its file.
_MAIN = sys.modules["__main__"]
if getattr(_MAIN, "__spec__", None) is None and not hasattr(_MAIN, "__file__"):
    _MAIN.__file__ = "<pytest-xdist worker>"

# The xdist groups that run longest (`make test --durations`: the Spark build ~150 s, dbt and
# the end-to-end refreshes ~200 s each, the bench harness ~100 s), longest first. `make test`
# hands them out in this order (--no-loadscope-reorder): xdist's default order, the most tests
# first, hands the 3-test Spark group out late (longest-first scheduling; no gain measured yet).
_GROUP_RANK = {
    name: rank for rank, name in enumerate(("spark", "dbt", "e2e", "bench", "e2e_quiet"))
}


def _group_rank(item: pytest.Item) -> int:
    marker = item.get_closest_marker("xdist_group")
    name = (marker.kwargs.get("name") or marker.args[0]) if marker else None
    return _GROUP_RANK.get(name, len(_GROUP_RANK))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_group_rank)  # stable: each group, and the rest, keep their order


# ../shared beside the repository (where CI puts it); CS_SHARED_DIR overrides.
SHARED_DIR = Path(os.environ.get("CS_SHARED_DIR", REPO_ROOT.parent / "shared"))


class Landing:
    """Writes files in the landing layout under a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write_lines(
        self, key: str, day: str, lines: list[str], part: int = 0, gz: bool = False
    ) -> Path:
        folder = self.root / key / day
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"part-{part:05d}.jsonl{'.gz' if gz else ''}"
        data = "".join(line + "\n" for line in lines).encode()
        path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
        return path

    def write(self, key: str, day: str, records: list, part: int = 0, gz: bool = False) -> Path:
        return self.write_lines(key, day, [json.dumps(r) for r in records], part, gz)


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    return Landing(tmp_path / "landing")


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()
