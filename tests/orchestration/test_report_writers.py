"""The account pages shared by forked writers (orchestration/report/build.py `in_parts`): the
same files and byte count as one process, and a writer that fails fails the report."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orchestration.report.build import PAGES_PER_WRITER, in_parts, page_writers


def _writer(folder: Path):
    def write(name: str, text: str) -> int:
        (folder / name).write_text(text)
        if text == "fail":
            raise ValueError(f"cannot write {name}")
        return len(text)

    return write


ITEMS = [(f"page-{n}.html", "x" * n) for n in range(1, 41)]


def _written(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in folder.iterdir()}


def test_forked_writers_write_what_one_process_writes(tmp_path: Path) -> None:
    alone, shared = tmp_path / "alone", tmp_path / "shared"
    alone.mkdir(), shared.mkdir()

    assert in_parts(_writer(alone), ITEMS, 1) == sum(range(1, 41))
    assert in_parts(_writer(shared), ITEMS, 3) == sum(range(1, 41))
    assert _written(shared) == _written(alone) and len(_written(alone)) == 40


def test_a_failing_child_fails_the_whole(tmp_path: Path) -> None:
    items = list(ITEMS)
    items[1] = ("bad.html", "fail")  # every 2nd item from the 2nd on is the child's share
    with pytest.raises(RuntimeError, match="forked page writer failed \\(exit code 1"):
        in_parts(_writer(tmp_path), items, 2)
    assert (tmp_path / ITEMS[-2][0]).exists()  # this process wrote its whole share


def test_a_failure_in_this_process_waits_for_the_children(tmp_path: Path) -> None:
    items = list(ITEMS)
    items[0] = ("bad.html", "fail")  # the first item is this process's
    with pytest.raises(ValueError, match=r"cannot write bad\.html"):
        in_parts(_writer(tmp_path), items, 2)
    assert (tmp_path / ITEMS[-1][0]).exists()  # the child's share was written before the error


def test_writers_are_one_per_core_with_enough_pages_each() -> None:
    cores = len(os.sched_getaffinity(0))
    assert page_writers(PAGES_PER_WRITER - 1) == 1
    assert page_writers(PAGES_PER_WRITER * 2) == min(cores, 2)
    assert page_writers(PAGES_PER_WRITER * 1000) == cores
