"""Bad lines injected on purpose, so the warehouse's quarantine can be checked against a count.

Each bad line is a damaged copy of a valid record from the same file, inserted next to the
good lines (the original stays, so no valid record is lost). Every kind fails at least one
check of orchestration/ingest/specs.py: the quarantine count must equal the injected count.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta

from demo_data.config import Window
from demo_data.records import dumps


@dataclass(frozen=True)
class Injection:
    key: str  # "<system>/<object>"
    kind: str
    not_before: date  # goes into the first file of `key` on or after this day


# For each object: the required field to drop, a field to give a wrong JSON type, and an enum
# field to give an unknown value. Paths are (nested) keys inside the record.
_TARGETS: dict[str, dict[str, tuple[str, ...]]] = {
    "stripe/customers": {"missing_field": ("created",), "wrong_type": ("created",)},
    "stripe/subscriptions": {
        "missing_field": ("status",),
        "wrong_type": ("created",),
        "unknown_enum": ("status",),
    },
    "stripe/invoices": {
        "missing_field": ("amount_due",),
        "wrong_type": ("amount_due",),
        "unknown_enum": ("status",),
    },
    "stripe/charges": {"missing_field": ("amount",), "wrong_type": ("amount",)},
    "hubspot/companies": {"missing_field": ("properties",), "wrong_type": ("properties",)},
    "hubspot/tickets": {"missing_field": ("properties",), "wrong_type": ("properties",)},
    "hubspot/feedback_submissions": {
        "missing_field": ("properties", "hs_survey_type"),
        "wrong_type": ("properties", "hs_value"),
        "unknown_enum": ("properties", "hs_survey_type"),
    },
    "segment/events": {
        "missing_field": ("timestamp",),
        "wrong_type": ("timestamp",),
        "unknown_enum": ("type",),
    },
}
_UNKNOWN_VALUES = {"status": "on_hold", "hs_survey_type": "PULSE", "type": "trak"}

API_INJECTIONS = (
    ("stripe/customers", "not_json", 0.3),
    ("stripe/subscriptions", "unknown_enum", 0.15),  # before the API cutover: old shape
    ("stripe/invoices", "wrong_type", 0.8),
    ("hubspot/feedback_submissions", "unknown_enum", 0.5),
    ("hubspot/tickets", "missing_field", 0.7),
)
_SEGMENT_KINDS = ("not_json", "missing_field", "wrong_type", "unknown_enum", "rule_violation")


def plan_injections(window: Window, segment_lines: int, rng: random.Random) -> list[Injection]:
    """Where bad lines go: a few in Stripe and HubSpot, most in the Segment stream."""

    def day_at(share: float) -> date:
        return window.start + timedelta(days=int(share * (window.days - 1)))

    plan = [Injection(key, kind, day_at(share)) for key, kind, share in API_INJECTIONS]
    for number in range(segment_lines):
        kind = _SEGMENT_KINDS[number % len(_SEGMENT_KINDS)]
        plan.append(Injection("segment/events", kind, day_at(0.05 + 0.9 * rng.random())))
    return plan


def _set(record: dict, path: tuple[str, ...], value: object) -> None:
    for key in path[:-1]:
        record = record[key]
    record[path[-1]] = value


def _get(record: dict, path: tuple[str, ...]) -> object:
    for key in path:
        record = record[key]
    return record


def _wrong_type(value: object) -> object:
    """A value of another JSON type that a careless exporter might write."""
    if isinstance(value, bool) or value is None:
        return "unknown"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return 1_700_000_000_000  # e.g. epoch millis where an ISO string belongs
    if isinstance(value, dict):
        return json.dumps(value)  # an object serialised twice
    return [value]


def damage(key: str, kind: str, record: dict, line: str, rng: random.Random) -> tuple[str, str]:
    """A bad line made from a good record (parsed) or its line; returns (line, detail)."""
    if kind == "not_json":
        cut = max(10, int(len(line) * rng.uniform(0.3, 0.8)))
        return line[:cut], f"line truncated after {cut} characters"
    bad = json.loads(json.dumps(record))
    if kind == "rule_violation":
        bad["type"] = "track"
        bad.pop("event", None)
        return dumps(bad), "track call without event"
    path = _TARGETS[key][kind]
    name = ".".join(path)
    if kind == "missing_field":
        parent = _get(bad, path[:-1]) if len(path) > 1 else bad
        assert isinstance(parent, dict)
        parent.pop(path[-1])
        return dumps(bad), f"required field {name} removed"
    if kind == "wrong_type":
        wrong = _wrong_type(_get(bad, path))
        _set(bad, path, wrong)
        return dumps(bad), f"{name} set to {type(wrong).__name__} {str(wrong)[:30]!r}"
    if kind == "unknown_enum":
        value = _UNKNOWN_VALUES[path[-1]]
        _set(bad, path, value)
        return dumps(bad), f"{name} set to unknown value {value!r}"
    raise ValueError(f"unknown injection kind {kind!r}")
