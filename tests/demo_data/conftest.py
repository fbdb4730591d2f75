"""One small demo landing folder per test session, parsed once, shared by the tests."""

from __future__ import annotations

import pytest
from demo_landing import AS_OF, MONTHS, Landing, read_landing

from demo_data import generate


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    root = tmp_path_factory.mktemp("demo_landing")
    generate(root, scale="small", seed=42, as_of=AS_OF, months=MONTHS)
    return read_landing(root)
