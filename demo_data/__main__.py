"""CLI: `python -m demo_data --scale small --seed 42 --as-of 2026-07-01`."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from demo_data.config import SCALES
from demo_data.generator import generate


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demo_data",
        description="Write demo Stripe, HubSpot and Segment exports in the landing layout.",
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=datetime.now(UTC).date(),
        help="last day of data, YYYY-MM-DD (default: today, UTC)",
    )
    parser.add_argument("--months", type=int, default=24, help="whole months of history")
    parser.add_argument("--out", type=Path, default=Path("data/landing"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    started = time.perf_counter()
    report = generate(args.out, args.scale, args.seed, args.as_of, args.months)
    elapsed = time.perf_counter() - started
    print(
        f"wrote {report.files_written} files to {args.out} in {elapsed:.1f}s: "
        f"{report.accounts} accounts, {report.companies} companies, "
        f"{report.objects['segment/events'].records} Segment events "
        f"({report.duplicate_message_ids} duplicates, {report.late_events} late), "
        f"{report.injected_total} bad lines injected; see {args.out}/generator_report.json"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
