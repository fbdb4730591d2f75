"""Which landing days a run ingests: the optional `start`/`end` of the `ingest_window` resource.

Ingestion assets are not partitioned: their state is the load log (`main.raw_load_log`), and a
run visits the day folders that exist within the window (every one when it is open), skipping
the days whose files are unchanged. The window travels in the run config, so a backfill of any
range is one run and the launchpad shows it:

    resources:
      ingest_window:
        config: {start: "2026-01-01", end: "2026-01-31"}
"""

from __future__ import annotations

from datetime import date

from dagster import ConfigurableResource
from pydantic import Field

WINDOW_RESOURCE = "ingest_window"


def _day(value: str | None, bound: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(
            f"{WINDOW_RESOURCE}.{bound}={value!r} is not a day; expected YYYY-MM-DD"
        ) from error


class IngestWindow(ConfigurableResource):
    """The landing days a run ingests (inclusive); unset bounds are open."""

    start: str | None = Field(
        default=None, description="First landing day to ingest (YYYY-MM-DD); default: the first."
    )
    end: str | None = Field(
        default=None, description="Last landing day to ingest (YYYY-MM-DD); default: the last."
    )

    def bounds(self) -> tuple[date | None, date | None]:
        first, last = _day(self.start, "start"), _day(self.end, "end")
        if first and last and first > last:
            raise ValueError(
                f"{WINDOW_RESOURCE}: start {first} is after end {last}; expected start <= end"
            )
        return first, last

    def label(self) -> str:
        first, last = self.bounds()
        return f"{first or 'first'}..{last or 'last'} landing day"


def window_run_config(first: date | None, last: date | None) -> dict:
    """Run config that makes a run ingest the landing days first..last (None: open)."""
    config = {bound: day.isoformat() for bound, day in (("start", first), ("end", last)) if day}
    return {"resources": {WINDOW_RESOURCE: {"config": config}}}


def window_of(run_config: dict) -> tuple[str | None, str | None]:
    """(start, end) of a run config made by window_run_config (None where open)."""
    config = run_config.get("resources", {}).get(WINDOW_RESOURCE, {}).get("config", {})
    return config.get("start"), config.get("end")
