"""Fixtures of the data-quality tests (data builders live in dq_data.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dq_data import quality_config

from data_quality.config import QualityConfig


@pytest.fixture
def config(tmp_path: Path) -> QualityConfig:
    """The gate's configuration with Data Docs and GX stores in the test's folder."""
    return quality_config(tmp_path)
