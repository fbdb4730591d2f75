"""Reading a generated landing folder the way the loader does (pages and events unwrapped).

A module with a unique name (not conftest) so test modules can import it unambiguously."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from demo_data import GeneratorReport

# A year that straddles the Stripe API cutover of 2025-03-31.
AS_OF = date(2025, 6, 30)
MONTHS = 12


@dataclass
class Line:
    file: str  # relative to the landing folder
    number: int  # 1-based
    text: str
    records: list[tuple[dict, int | None]] | None  # (record, event created); None: not JSON


@dataclass
class Landing:
    root: Path
    report: GeneratorReport
    files: list[str]
    lines: dict[str, list[Line]] = field(default_factory=dict)  # "<system>/<object>" -> lines

    def records(self, key: str) -> Iterator[tuple[Line, dict, int | None]]:
        """Every record of an object, unwrapped like the loader does (pages, events)."""
        for line in self.lines.get(key, []):
            for record, created in line.records or []:
                yield line, record, created

    def valid_records(self, key: str) -> Iterator[dict]:
        injected = {(b.file, b.line) for b in self.report.injected.get(key, [])}
        for line, record, _ in self.records(key):
            if (line.file, line.number) not in injected:
                yield record


def unwrap(value: object) -> list[tuple[dict, int | None]]:
    """Stripe lists and HubSpot pages yield their elements; a Stripe event its data.object."""
    if not isinstance(value, dict):
        return [(value, None)]  # type: ignore[list-item]
    if value.get("object") == "list" and isinstance(value.get("data"), list):
        elements = value["data"]
    elif isinstance(value.get("results"), list) and "id" not in value:
        elements = value["results"]
    else:
        elements = [value]
    out = []
    for element in elements:
        if isinstance(element, dict) and element.get("object") == "event":
            out.append((element["data"]["object"], element["created"]))
        else:
            out.append((element, None))
    return out


def read_landing(root: Path) -> Landing:
    report = GeneratorReport.read(root)
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    landing = Landing(root, report, files)
    for relative in files:
        if not relative.endswith((".jsonl", ".jsonl.gz")):
            continue
        system, obj = relative.split("/")[:2]
        path = root / relative
        opener = gzip.open if relative.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as handle:
            text_lines = handle.read().split("\n")
        assert text_lines[-1] == "", f"{relative} does not end with a newline"
        for number, text in enumerate(text_lines[:-1], start=1):
            try:
                records = unwrap(json.loads(text))
            except json.JSONDecodeError:
                records = None
            landing.lines.setdefault(f"{system}/{obj}", []).append(
                Line(relative, number, text, records)
            )
    return landing
