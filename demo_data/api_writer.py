"""Writes Stripe and HubSpot object versions into extraction-day partitions.

Records arrive in global time order; each UTC day is buffered and then written as one part per
object. How a version is wrapped copies what extractors really produce: Stripe creations as
bare objects or `list` pages, changes as Events carrying the full new state; HubSpot objects
bare or in `results` pages. An object with several versions in one day is always written as
events, because the loader orders same-day versions by event `created`, then line.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from demo_data.bad_input import Injection, damage
from demo_data.config import (
    STRIPE_API_VERSION_NEW,
    STRIPE_API_VERSION_OLD,
    STRIPE_SHAPE_CUTOVER_TS,
)
from demo_data.files import part_path, write_lines
from demo_data.ids import WHOLE_SPACE, StripeIds
from demo_data.records import ApiRecord
from demo_data.report import BadLine, GeneratorReport
from demo_data.timeutil import day_of

# Event types that carry an object's first version: extractors list these as plain objects.
CREATION_EVENTS = frozenset(
    {
        "customer.created",
        "customer.subscription.created",
        "invoice.created",
        "charge.succeeded",
        "charge.failed",
        "refund.created",
        "product.created",
        "price.created",
        "coupon.created",
    }
)


class ApiLandingWriter:
    def __init__(
        self,
        out: Path,
        compress: bool,
        rng: random.Random,
        report: GeneratorReport,
        injections: Iterable[Injection],
    ) -> None:
        self.out = out
        self.compress = compress
        self.rng = rng
        self.report = report
        self.injections = [i for i in injections if not i.key.startswith("segment/")]
        self.event_ids = StripeIds(0, rng, capacity=WHOLE_SPACE)  # the only `evt_` minter

    def write(self, records: Iterable[ApiRecord]) -> None:
        day: date | None = None
        buffer: dict[tuple[str, str], list[ApiRecord]] = {}
        for record in records:
            record_day = day_of(record.ts)
            if record_day != day:
                if day is not None:
                    if record_day < day:
                        raise RuntimeError(f"record out of time order: {record[:6]} after {day}")
                    self._flush(day, buffer)
                day, buffer = record_day, {}
            buffer.setdefault((record.system, record.obj), []).append(record)
        if day is not None:
            self._flush(day, buffer)

    def _flush(self, day: date, buffer: dict[tuple[str, str], list[ApiRecord]]) -> None:
        for system, obj in sorted(buffer):
            records = buffer[(system, obj)]
            if system == "stripe":
                lines = self._stripe_lines(obj, records)
            else:
                lines = self._hubspot_lines(obj, records)
            path = part_path(self.out, system, obj, day, 0, self.compress)
            key = f"{system}/{obj}"
            self._inject(key, day, path, lines, records)
            write_lines(path, lines)
            counts = self.report.count(key)
            counts.records += len(records)
            counts.lines += len(lines)
            counts.files += 1
            self.report.files_written += 1

    # ---- Stripe --------------------------------------------------------------------------

    def _event(self, record: ApiRecord) -> str:
        new = record.ts >= STRIPE_SHAPE_CUTOVER_TS
        version = STRIPE_API_VERSION_NEW if new else STRIPE_API_VERSION_OLD
        event_id = self.event_ids.new("evt", 24)
        return (
            f'{{"id":"{event_id}","object":"event","api_version":"{version}",'
            f'"created":{record.ts},"data":{{"object":{record.body}}},"livemode":false,'
            f'"pending_webhooks":0,"request":{{"id":null,"idempotency_key":null}},'
            f'"type":"{record.event_type}"}}'
        )

    def _stripe_lines(self, obj: str, records: list[ApiRecord]) -> list[str]:
        versions = Counter(r.obj_id for r in records)
        singles: list[str] = []
        listed: list[str] = []
        events: list[str] = []
        for record in records:
            if versions[record.obj_id] > 1:
                events.append(self._event(record))
            elif record.wrap == "bare":
                singles.append(record.body)
            elif record.event_type in CREATION_EVENTS:
                r = self.rng.random()
                if r < 0.5:
                    singles.append(record.body)
                elif r < 0.8:
                    listed.append(record.body)
                else:
                    events.append(self._event(record))
            else:
                events.append(self._event(record))
        lines = singles
        while listed:
            size = self.rng.randint(1, 8)
            page, listed = listed[:size], listed[size:]
            lines.append(
                f'{{"object":"list","data":[{",".join(page)}],"has_more":false,"url":"/v1/{obj}"}}'
            )
        # Events last and in time order: the loader versions same-day records by event
        # `created`, then line; bare creations carry no `created` of an event and sort first.
        return lines + events

    # ---- HubSpot -------------------------------------------------------------------------

    def _hubspot_lines(self, obj: str, records: list[ApiRecord]) -> list[str]:
        if all(r.wrap == "page" for r in records):
            return [f'{{"results":[{",".join(r.body for r in records)}]}}']
        lines: list[str] = []
        index = 0
        while index < len(records):
            if self.rng.random() < 0.55:
                lines.append(records[index].body)
                index += 1
                continue
            size = self.rng.randint(2, 20)
            page = records[index : index + size]
            index += size
            body = ",".join(r.body for r in page)
            if index < len(records):
                after = page[-1].obj_id
                link = f"https://api.hubapi.com/crm/v3/objects/{obj}?after={after}"
                lines.append(
                    f'{{"results":[{body}],"paging":{{"next":{{"after":"{after}",'
                    f'"link":"{link}"}}}}}}'
                )
            else:
                lines.append(f'{{"results":[{body}]}}')
        return lines

    # ---- bad input -----------------------------------------------------------------------

    def _inject(
        self, key: str, day: date, path: Path, lines: list[str], records: list[ApiRecord]
    ) -> None:
        """At most one bad line per file, so the recorded line numbers stay exact."""
        for injection in self.injections:
            if injection.key != key or injection.not_before > day:
                continue
            candidates = [r for r in records if '"deleted":true' not in r.body]
            if not candidates:
                return
            source = self.rng.choice(candidates)
            line_source = self.rng.choice(lines)
            bad, detail = damage(
                key, injection.kind, json.loads(source.body), line_source, self.rng
            )
            position = self.rng.randint(0, len(lines))
            lines.insert(position, bad)
            relative = str(path.relative_to(self.out))
            self.report.add_bad(key, BadLine(relative, position + 1, injection.kind, detail))
            self.injections.remove(injection)
            return
