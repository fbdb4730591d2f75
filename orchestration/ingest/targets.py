"""Kept for tests/e2e/test_refresh_e2e.py: every target is listed in orchestration.sources."""

from __future__ import annotations

from orchestration.sources import ALL_TARGETS, TARGETS_BY_KEY

__all__ = ["ALL_TARGETS", "TARGETS_BY_KEY"]
