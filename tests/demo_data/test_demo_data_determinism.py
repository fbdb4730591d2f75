"""Same arguments, same bytes; another seed, another dataset."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from demo_data import generate
from demo_data.generator import write_heartbeats
from orchestration.sources import ALL_TARGETS

# One month and ten days across the Stripe API cutover keep this test quick.
AS_OF = date(2025, 4, 10)


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", scale="small", seed=7, as_of=AS_OF, months=1)
    generate(tmp_path / "b", scale="small", seed=7, as_of=AS_OF, months=1)
    digest_a, digest_b = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert digest_a == digest_b
    markers = [name for name in digest_a if name.endswith("/_SUCCESS")]
    # One heartbeat per landing object the warehouse loads (the rates included), on as_of.
    assert sorted(marker.rsplit("/", 2)[0] for marker in markers) == sorted(
        f"{target.spec.system}/{target.spec.object}" for target in ALL_TARGETS
    )
    assert len(digest_a) == first.files_written + len(markers) + 1  # and the report


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", scale="small", seed=7, as_of=AS_OF, months=1)
    generate(tmp_path / "b", scale="small", seed=8, as_of=AS_OF, months=1)
    a, b = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    shared = set(a) & set(b)
    assert sum(a[f] != b[f] for f in shared) > len(shared) // 2


def test_regenerating_replaces_the_previous_landing(tmp_path: Path) -> None:
    generate(tmp_path, scale="small", seed=7, as_of=AS_OF, months=1)
    generate(tmp_path, scale="small", seed=7, as_of=date(2025, 3, 20), months=1)
    days = {p.name for p in tmp_path.glob("*/*/*") if p.is_dir()}
    assert max(days) == "2025-03-20", "no partition of the earlier, longer run survives"


def test_every_loaded_object_gets_its_heartbeat_even_with_no_file(tmp_path: Path) -> None:
    """A rare object (no record in the window, so no folder) still has the extractor's marker:
    freshness reads it as a delivery, and a new object needs no entry in the generator."""
    write_heartbeats(tmp_path, AS_OF)
    markers = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("_SUCCESS"))
    assert markers == sorted(f"{t.spec.key}/{AS_OF}/_SUCCESS" for t in ALL_TARGETS)
