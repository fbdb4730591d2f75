"""Entry points: compute the three marts, compare them with a serving file, the CLI."""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from bench.pandas_peer.accounts import _companies, _customer_accounts
from bench.pandas_peer.billing import (
    _counting_items,
    _products_per_seat,
    _subscription_items,
    _subscription_windows,
)
from bench.pandas_peer.common import KEYS, MARTS, MONEY_COLUMNS, MONEY_TOLERANCE, RELATIVE_TOLERANCE
from bench.pandas_peer.engagement import engagement_daily
from bench.pandas_peer.landing import load_exchange_rates, load_records
from bench.pandas_peer.mrr import _as_of_end, _discount_windows, _items_valued_monthly, mrr
from bench.pandas_peer.nps import nps_monthly
from bench.pandas_peer.segment import load_segment_calls
from bench.pandas_peer.staging import (
    _decode_company,
    _decode_contact,
    _decode_coupon,
    _decode_customer,
    _decode_invoice,
    _decode_product,
    _decode_submission,
    _decode_subscription,
)


def _billing(landing_dir: Path, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """fct_mrr, and what the engagement mart needs of billing: the Stripe customer -> account
    map and the items counting toward MRR (the parsed subscription items are freed on return)."""
    subscriptions = load_records(landing_dir, "stripe/subscriptions", _decode_subscription)
    subscriptions["version_id"] = np.arange(len(subscriptions))
    customer_accounts = _customer_accounts(
        load_records(landing_dir, "stripe/customers", _decode_customer),
        subscriptions,
        load_records(landing_dir, "stripe/invoices", _decode_invoice),
    )
    windows = _subscription_windows(subscriptions, _as_of_end(as_of))
    counting = _counting_items(windows, _subscription_items(subscriptions), customer_accounts)
    discounts = _discount_windows(
        subscriptions, windows, load_records(landing_dir, "stripe/coupons", _decode_coupon)
    )
    valued = _items_valued_monthly(counting, discounts, load_exchange_rates(landing_dir), as_of)
    return customer_accounts, counting, mrr(valued, windows, customer_accounts, as_of)


def compute(landing_dir: Path, as_of: date) -> dict[str, pd.DataFrame]:
    """The marts fct_nps_monthly, fct_engagement_daily and fct_mrr from the landing files."""
    landing_dir = Path(landing_dir)
    companies = _companies(load_records(landing_dir, "hubspot/companies", _decode_company))
    marts = {
        "fct_nps_monthly": nps_monthly(
            load_records(landing_dir, "hubspot/feedback_submissions", _decode_submission),
            load_records(landing_dir, "hubspot/contacts", _decode_contact),
            companies,
            as_of,
        )
    }
    # billing before the Segment calls, the largest input, so that they never share memory
    customer_accounts, counting, marts["fct_mrr"] = _billing(landing_dir, as_of)
    account_ids = pd.concat([companies["account_id"], customer_accounts["account_id"]]).dropna()
    marts["fct_engagement_daily"] = engagement_daily(
        load_segment_calls(landing_dir),
        account_ids.drop_duplicates(),
        counting,
        _products_per_seat(load_records(landing_dir, "stripe/products", _decode_product)),
        as_of,
    )
    return {name: marts[name] for name in MARTS}


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[column] = series.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            out[column] = series.astype(float)
        else:
            values = series.astype(object).where(series.notna(), None)
            out[column] = values.map(lambda v: v if v is None else str(v)).astype(object)
    return out


def compare(peer: dict[str, pd.DataFrame], serving_db: Path) -> dict[str, list[str]]:
    """Per mart of `peer`: human-readable differences from `marts.<name>` (empty = equal).

    Same columns in the same order, the same keys, and per column equal values: numbers within
    1e-6 relative (0.005 absolute for money), text and dates exactly, nulls where nulls are.
    """
    import duckdb  # only to read the warehouse's published marts, never to compute

    results: dict[str, list[str]] = {}
    with duckdb.connect(str(serving_db), read_only=True) as con:
        for name, frame in peer.items():
            ours = con.sql(f"select * from marts.{name}").df()
            results[name] = _differences(name, frame, ours)
    return results


def _differences(name: str, peer: pd.DataFrame, ours: pd.DataFrame, limit: int = 5) -> list[str]:
    if list(peer.columns) != list(ours.columns):
        return [f"columns differ: peer {list(peer.columns)} vs warehouse {list(ours.columns)}"]
    problems: list[str] = []
    keys = KEYS[name]
    left = _normalise(peer).sort_values(keys).reset_index(drop=True)
    right = _normalise(ours).sort_values(keys).reset_index(drop=True)
    for label, frame in (("peer", left), ("warehouse", right)):
        duplicated = frame.duplicated(keys)
        if duplicated.any():
            problems.append(f"{duplicated.sum()} duplicate keys in the {label} frame")
    merged = left.merge(right, on=keys, how="outer", suffixes=("_peer", "_ours"), indicator=True)
    for side, label in (("left_only", "only in the peer"), ("right_only", "only in the warehouse")):
        rows = merged[merged["_merge"] == side]
        if len(rows):
            sample = rows[keys].head(limit).to_records(index=False).tolist()
            problems.append(f"{len(rows)} rows {label}, e.g. {sample}")
    both = merged[merged["_merge"] == "both"]
    for column in [c for c in peer.columns if c not in keys]:
        a, b = both[f"{column}_peer"], both[f"{column}_ours"]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            atol = MONEY_TOLERANCE if column in MONEY_COLUMNS else 1e-12
            same = np.isclose(
                a.to_numpy(float),
                b.to_numpy(float),
                rtol=RELATIVE_TOLERANCE,
                atol=atol,
                equal_nan=True,
            )
        else:
            same = ((a == b) | (a.isna() & b.isna())).fillna(False).to_numpy(bool)
        if not same.all():
            bad = both[~same]
            sample = [
                f"{tuple(row[k] for k in keys)}: peer={row[f'{column}_peer']!r} "
                f"warehouse={row[f'{column}_ours']!r}"
                for _, row in bad.head(limit).iterrows()
            ]
            problems.append(f"{column}: {len(bad)} rows differ, e.g. " + "; ".join(sample))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--as-of", type=date.fromisoformat, required=True)
    parser.add_argument("--serving", type=Path, help="serving.duckdb to compare against")
    parser.add_argument(
        "--out",
        type=Path,
        help="write each mart to OUT/<mart>.pkl (pickle keeps the dtypes; parquet would need "
        "pyarrow, which the environment does not have); `make bench` compares them",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    marts = compute(args.landing, args.as_of)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peer: {elapsed:.1f} s wall, peak RSS {peak_mb:.0f} MB")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    for name, frame in marts.items():
        print(f"  {name}: {len(frame)} rows")
        if args.out:
            frame.to_pickle(args.out / f"{name}.pkl")
    if args.serving is None:
        return 0
    failed = False
    for name, problems in compare(marts, args.serving).items():
        rows = len(marts[name])
        print(f"{name}: {'equal' if not problems else f'{len(problems)} problem(s)'} ({rows} rows)")
        for problem in problems:
            print(f"  - {problem}")
        failed |= bool(problems)
    return 1 if failed else 0
