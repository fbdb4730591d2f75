"""`generate()`: the whole demo landing folder, deterministic by seed.

Order of work: plan every account's story, then render it three ways. The Stripe and HubSpot
generators are merged into one time-ordered stream and written day by day; the Segment stream
is written by its own vectorised writer (in a second process for medium and large presets,
which the 2-core machines we target can run side by side).
"""

from __future__ import annotations

import heapq
import random
import shutil
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from multiprocessing import get_context
from pathlib import Path

from demo_data.accounts import (
    INVOLUNTARY,
    NEVER_PAID,
    VOLUNTARY,
    Account,
    build_accounts,
)
from demo_data.api_writer import ApiLandingWriter
from demo_data.bad_input import Injection, plan_injections
from demo_data.config import Window, make_window, scale_for
from demo_data.exchange_rates import write_rates
from demo_data.hubspot import CrmSimulation, owner_records, pipeline_records
from demo_data.ids import StripeIds, rng_for
from demo_data.records import ApiRecord
from demo_data.report import REPORT_FILE, GeneratorReport
from demo_data.segment import SegmentInputs, segment_inputs, write_segment
from demo_data.stripe.billing import BillingSimulation
from demo_data.stripe.catalog import Catalog, build_catalog, catalog_records
from demo_data.timeutil import HOUR
from orchestration.sources import ALL_TARGETS

SYSTEMS = ("stripe", "hubspot", "segment")


def _clear(out: Path) -> None:
    """Remove what a previous run wrote (and only that), so no stale partition survives."""
    for system in SYSTEMS:
        shutil.rmtree(out / system, ignore_errors=True)
    (out / REPORT_FILE).unlink(missing_ok=True)


def _api_stream(
    accounts: list[Account], catalog: Catalog, window: Window, seed: int, stats: Counter
) -> Iterator[ApiRecord]:
    """Every Stripe and HubSpot version of every account, in global time order."""
    streams: list[Iterator[ApiRecord]] = [
        iter(catalog_records(catalog)),
        iter(pipeline_records(window)),
        iter(owner_records(window, seed)),
    ]
    for account in accounts:
        streams.append(BillingSimulation(account, catalog, window, seed, stats).records())
        streams.append(CrmSimulation(account, window, seed).records())
    return heapq.merge(*streams, key=lambda r: (r.ts, r.account, r.seq, r.system))


def _scenario(accounts: list[Account], window: Window, stats: Counter) -> dict[str, int]:
    """What the story put into the data, for sanity checks against the marts."""
    end = window.end_ts
    counts: Counter = Counter(stats)
    for account in accounts:
        counts[f"segment_{account.company.segment}"] += 1
        if not account.is_customer:
            continue
        counts[f"currency_{account.company.currency}"] += 1
        for number, life in enumerate(account.lives):
            main = life.main
            counts["trials_started"] += main.trial_end is not None
            if number and account.lives[number - 1].paid_start is not None:
                counts["reactivations"] += life.start <= end
            counts["cross_sell_subscriptions"] += sum(s.created <= end for s in life.subs[1:])
            ending = main.ending
            if ending is not None and ending.end_ts <= end:
                group = (
                    "voluntary"
                    if ending.kind in VOLUNTARY
                    else "involuntary"
                    if ending.kind in INVOLUNTARY
                    else "never_paid"
                    if ending.kind in NEVER_PAID
                    else ending.kind
                )
                counts[f"lives_ended_{group}"] += 1
    return dict(counts)


def _segment_job(inputs: SegmentInputs, out: Path) -> GeneratorReport:
    """The Segment writer in its own process: it reports into a blank report, merged later."""
    return write_segment(inputs, out, GeneratorReport.blank())


def _write_api(
    out: Path,
    accounts: list[Account],
    window: Window,
    seed: int,
    compress: bool,
    report: GeneratorReport,
    injections: list[Injection],
) -> Counter:
    """Exchange rates, then every Stripe and HubSpot version; returns the billing counters."""
    write_rates(out, window, seed, report)
    catalog = build_catalog(StripeIds(-1, rng_for(seed, -1, 3)), window.start_ts + HOUR)
    stats: Counter = Counter()
    writer = ApiLandingWriter(out, compress, random.Random(f"{seed}:wrap"), report, injections)
    writer.write(_api_stream(accounts, catalog, window, seed, stats))
    return stats


def generate(
    out_dir: Path,
    scale: str = "small",
    seed: int = 42,
    as_of: date | None = None,
    months: int = 24,
) -> GeneratorReport:
    """Write a landing folder of Stripe, HubSpot and Segment exports and its report.

    Replaces what an earlier run wrote under `out_dir` (its stripe/, hubspot/, segment/ and
    report); the same arguments always give byte-identical files.
    """
    preset = scale_for(scale)
    as_of = as_of or datetime.now(UTC).date()
    window = make_window(as_of, months)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _clear(out)
    accounts = build_accounts(seed, preset, window)
    report = GeneratorReport(
        scale=preset.name,
        seed=seed,
        as_of=as_of.isoformat(),
        months=months,
        window_start=window.start.isoformat(),
        accounts=sum(a.is_customer for a in accounts),
        companies=len(accounts),
        segment_users=sum(a.users for a in accounts),
    )
    injections = plan_injections(window, preset.segment_bad_lines, random.Random(f"{seed}:bad"))
    inputs = segment_inputs(accounts, window, seed, preset, injections)
    api_args = (out, accounts, window, seed, preset.compress_api_files, report, injections)
    if preset.parallel_segment:
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            segment = pool.submit(_segment_job, inputs, out)
            stats = _write_api(*api_args)
            report.merge(segment.result())
    else:
        write_segment(inputs, out, report)
        stats = _write_api(*api_args)
    report.scenario = _scenario(accounts, window, stats)
    write_heartbeats(out, as_of)
    report.write(out)
    return report


EXTRACTOR_MARKER = "_SUCCESS"


def write_heartbeats(out: Path, day: date) -> None:
    """The extractor ran on `day` for every object, also those with nothing new that day: it
    leaves its marker (as Spark and Hadoop writers do), which freshness reads as a delivery.

    The objects are those the warehouse loads, so a rare object (no record this window)
    has its heartbeat too, and a new object needs no entry here."""
    for target in ALL_TARGETS:
        marker = out / target.spec.key / day.isoformat() / EXTRACTOR_MARKER
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
