"""The committed golden landing folder is exactly what golden/write_landing.py writes.

The golden tests read `golden/landing/`; the story and its objects are written by hand in
`write_landing.py`. An edit to one without regenerating the other would make the tests check
files nobody reads as the story says.
"""

from __future__ import annotations

from pathlib import Path

from tests.dbt.golden import write_landing


def _files(root: Path) -> dict[str, bytes]:
    files = sorted(path for path in root.rglob("*") if path.is_file())
    return {str(path.relative_to(root)): path.read_bytes() for path in files}


def test_committed_landing_is_what_the_script_writes(tmp_path: Path) -> None:
    written = tmp_path / "landing"
    write_landing.main(written)

    committed = _files(write_landing.LANDING)
    regenerated = _files(written)
    assert sorted(regenerated) == sorted(committed), "files differ: run write_landing.py"
    changed = [name for name in committed if committed[name] != regenerated[name]]
    assert changed == [], f"content differs (run tests/dbt/golden/write_landing.py): {changed}"
    assert len(committed) == 88
