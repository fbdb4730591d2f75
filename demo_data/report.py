"""The generator's account of what it wrote: the warehouse and the tests reconcile against it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPORT_FILE = "generator_report.json"


@dataclass
class ObjectCounts:
    records: int = 0  # valid records, counted after unwrapping pages and events
    lines: int = 0  # lines written, bad ones included
    files: int = 0
    bad_lines: int = 0


@dataclass
class BadLine:
    file: str  # relative to the landing folder
    line: int  # 1-based
    kind: str  # not_json | missing_field | wrong_type | unknown_enum | rule_violation
    detail: str


@dataclass
class GeneratorReport:
    scale: str
    seed: int
    as_of: str
    months: int
    window_start: str
    accounts: int  # Stripe customers = HubSpot customer companies
    companies: int  # all HubSpot companies (customers and prospects)
    segment_users: int
    objects: dict[str, ObjectCounts] = field(default_factory=dict)
    injected: dict[str, list[BadLine]] = field(default_factory=dict)
    duplicate_message_ids: int = 0  # extra copies of an already-written messageId
    late_events: int = 0  # distinct events received on a later UTC day than their timestamp
    exchange_rate_rows: int = 0
    files_written: int = 0
    scenario: dict[str, int] = field(default_factory=dict)  # story counts, for sanity checks

    @classmethod
    def blank(cls) -> GeneratorReport:
        """A report for a partial writer (the Segment process) to count into."""
        return cls("", 0, "", 0, "", 0, 0, 0)

    def count(self, key: str) -> ObjectCounts:
        return self.objects.setdefault(key, ObjectCounts())

    def add_bad(self, key: str, bad: BadLine) -> None:
        self.injected.setdefault(key, []).append(bad)
        self.count(key).bad_lines += 1

    @property
    def injected_total(self) -> int:
        return sum(len(v) for v in self.injected.values())

    def to_dict(self) -> dict:
        data = asdict(self)
        data["objects"] = dict(sorted(data["objects"].items()))
        data["injected"] = dict(sorted(data["injected"].items()))
        data["injected_total"] = self.injected_total
        data["scenario"] = dict(sorted(self.scenario.items()))
        return data

    def write(self, out: Path) -> Path:
        path = out / REPORT_FILE
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def read(cls, out: Path) -> GeneratorReport:
        data = json.loads((out / REPORT_FILE).read_text(encoding="utf-8"))
        data.pop("injected_total", None)
        data["objects"] = {k: ObjectCounts(**v) for k, v in data["objects"].items()}
        data["injected"] = {k: [BadLine(**b) for b in v] for k, v in data["injected"].items()}
        return cls(**data)

    def merge(self, other: GeneratorReport) -> None:
        """Fold in what another writer (the Segment process) counted."""
        for key, counts in other.objects.items():
            mine = self.count(key)
            mine.records += counts.records
            mine.lines += counts.lines
            mine.files += counts.files
            mine.bad_lines += counts.bad_lines
        for key, bad in other.injected.items():
            self.injected.setdefault(key, []).extend(bad)
        self.duplicate_message_ids += other.duplicate_message_ids
        self.late_events += other.late_events
        self.files_written += other.files_written
