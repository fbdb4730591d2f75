"""Presets and the time window every generated record falls into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from demo_data.timeutil import DAY, day_start, first_of_month

# Stripe API version 2025-03-31 ("basil") moved current_period_* onto subscription items and
# invoice-line subscription fields under `parent`/`pricing`; partitions from this day on use it.
STRIPE_SHAPE_CUTOVER = date(2025, 3, 31)
STRIPE_SHAPE_CUTOVER_TS = day_start(STRIPE_SHAPE_CUTOVER)
STRIPE_API_VERSION_OLD = "2025-02-24.acacia"
STRIPE_API_VERSION_NEW = "2025-03-31.basil"


@dataclass(frozen=True)
class Scale:
    name: str
    accounts: int  # paying-or-trialling customers (Stripe customers = HubSpot customer companies)
    prospects: int  # CRM-only companies that never bought
    target_events: int  # Segment calls over a 24-month window (pro rata for other lengths)
    compress_api_files: bool  # gzip Stripe/HubSpot parts too (Segment parts are always gzip)
    segment_bad_lines: int
    parallel_segment: bool  # write Segment in a second process while Stripe/HubSpot run


SCALES: dict[str, Scale] = {
    "small": Scale("small", 200, 60, 120_000, False, 6, False),
    "medium": Scale("medium", 10_000, 3_000, 20_000_000, True, 12, True),
    "large": Scale("large", 100_000, 30_000, 200_000_000, True, 20, True),
}


@dataclass(frozen=True)
class Window:
    """The simulated history: from the first day of a month up to the end of `as_of` (UTC)."""

    start: date
    as_of: date

    @property
    def start_ts(self) -> int:
        return day_start(self.start)

    @property
    def end_ts(self) -> int:
        """The last second that may appear in any record: 23:59:59 on `as_of`."""
        return day_start(self.as_of) + DAY - 1

    @property
    def days(self) -> int:
        return (self.as_of - self.start).days + 1

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


def make_window(as_of: date, months: int) -> Window:
    """`months` whole months before the month of `as_of`, so every valued month has a rate on
    its first day (MRR-7) and a full month of history."""
    if months < 1:
        raise ValueError(f"months={months}: expected at least 1")
    return Window(first_of_month(as_of, months), as_of)


def scale_for(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError as error:
        raise ValueError(f"scale={name!r}: expected one of {', '.join(SCALES)}") from error
