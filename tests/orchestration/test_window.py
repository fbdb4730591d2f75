"""The ingestion window: run config in, day bounds out, errors that say what was expected."""

from __future__ import annotations

from datetime import date

import pytest

from orchestration.window import IngestWindow, window_of, window_run_config


def test_the_window_round_trips_through_run_config():
    config = window_run_config(date(2026, 1, 1), None)
    assert config == {"resources": {"ingest_window": {"config": {"start": "2026-01-01"}}}}
    assert window_of(config) == ("2026-01-01", None)
    assert IngestWindow(**config["resources"]["ingest_window"]["config"]).bounds() == (
        date(2026, 1, 1),
        None,
    )
    assert IngestWindow().bounds() == (None, None)


def test_bad_bounds_name_what_was_expected():
    with pytest.raises(ValueError, match=r"ingest_window.end='2026-13-01' .*expected YYYY-MM-DD"):
        IngestWindow(end="2026-13-01").bounds()
    with pytest.raises(ValueError, match="start 2026-02-01 is after end 2026-01-01"):
        IngestWindow(start="2026-02-01", end="2026-01-01").bounds()
