"""The finance team's daily exchange rates: `stripe/exchange_rates/<date>/rates.csv` (MRR-7)."""

from __future__ import annotations

import math
import random
from pathlib import Path

from demo_data.config import Window
from demo_data.report import GeneratorReport

HEADER = "date,currency,usd_per_unit"
# USD value of one unit, around which the daily rates wander.
CENTRES = {"eur": 1.08, "gbp": 1.27, "jpy": 0.0067}


def write_rates(out: Path, window: Window, seed: int, report: GeneratorReport) -> None:
    """One file per day (the finance team's daily export), usd = 1 included."""
    rng = random.Random(f"{seed}:rates")
    logs = {currency: math.log(centre) for currency, centre in CENTRES.items()}
    for day in window.dates():
        rows = [HEADER, f"{day.isoformat()},usd,1.0000000000"]
        for currency, centre in CENTRES.items():
            # A mean-reverting random walk: daily moves of ~0.4%, never far from the centre.
            logs[currency] += 0.05 * (math.log(centre) - logs[currency]) + rng.gauss(0, 0.004)
            rows.append(f"{day.isoformat()},{currency},{math.exp(logs[currency]):.10f}")
        path = out / "stripe" / "exchange_rates" / day.isoformat() / "rates.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        report.exchange_rate_rows += len(rows) - 1
        report.files_written += 1
