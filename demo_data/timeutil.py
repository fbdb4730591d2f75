"""Integer-second UTC time helpers: every source timestamp is derived from these."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime

DAY = 86_400
HOUR = 3_600
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def day_start(day: date) -> int:
    """Unix seconds of 00:00:00 UTC on `day`."""
    return (day.toordinal() - _EPOCH_ORDINAL) * DAY


def day_of(ts: int) -> date:
    """The UTC calendar day of a Unix timestamp (the partition a record lands in)."""
    return date.fromordinal(_EPOCH_ORDINAL + ts // DAY)


def add_months(anchor: int, months: int) -> int:
    """`anchor` moved by whole months, keeping its day of month where the month allows.

    Stripe bills on the anchor's day; a 31st anchor bills on the last day of shorter months and
    returns to the 31st afterwards, which is why this is computed from the anchor every time.
    """
    moment = datetime.fromtimestamp(anchor, UTC)
    years, month_index = divmod(moment.month - 1 + months, 12)
    year, month = moment.year + years, month_index + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def first_of_month(day: date, months_back: int = 0) -> date:
    years, month_index = divmod(day.month - 1 - months_back, 12)
    return date(day.year + years, month_index + 1, 1)


_DAY_TEXT: dict[int, str] = {}


def iso_ms(ts: int, millis: int = 0) -> str:
    """ISO-8601 with milliseconds and a Z, as HubSpot and Segment write timestamps.

    Called for most HubSpot fields: the date part is cached per day, the time computed.
    """
    days, seconds = divmod(ts, DAY)
    day_text = _DAY_TEXT.get(days)
    if day_text is None:
        day_text = _DAY_TEXT.setdefault(days, day_of(ts).isoformat())
    hours, rest = divmod(seconds, HOUR)
    minutes, secs = divmod(rest, 60)
    return f"{day_text}T{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}Z"
