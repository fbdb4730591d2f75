"""fct_mrr."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from bench.pandas_peer.common import _COUNTING_STATUSES, _DAY, VERSION
from bench.pandas_peer.json_values import Json, _json_text, _map, _walk
from bench.pandas_peer.landing import _flags, _latest
from bench.pandas_peer.staging import _round, _stripe_amount


def _month_index(seconds: pd.Series | np.ndarray) -> np.ndarray:
    """Unix seconds -> months since 1970-01 (float; NaN stays NaN)."""
    values = np.asarray(seconds, dtype=float)
    out = np.full(values.shape, np.nan)
    ok = ~np.isnan(values)
    months = values[ok].astype(np.int64).astype("datetime64[s]").astype("datetime64[M]")
    out[ok] = months.astype(np.int64)
    return out


def _month_seconds(month_index: np.ndarray | pd.Series) -> np.ndarray:
    return (
        np.asarray(month_index, dtype=np.int64)
        .astype("datetime64[M]")
        .astype("datetime64[s]")
        .astype(np.int64)
        .astype(float)
    )


def _add_months(seconds: pd.Series, months: pd.Series) -> pd.Series:
    """DuckDB `timestamp + interval (n) month`: the day clamps to the month's last day."""
    out = pd.Series(np.nan, index=seconds.index)
    ok = seconds.notna() & months.notna()
    if not ok.any():
        return out
    stamps = pd.to_datetime(seconds[ok].astype(np.int64), unit="s")
    total = stamps.dt.year * 12 + stamps.dt.month - 1 + months[ok].astype(np.int64)
    first = pd.to_datetime(pd.DataFrame({"year": total // 12, "month": total % 12 + 1, "day": 1}))
    day = np.minimum(stamps.dt.day, first.dt.days_in_month)
    time_of_day = stamps - stamps.dt.normalize()
    shifted = first + pd.to_timedelta(day - 1, unit="D") + time_of_day
    out[ok] = shifted.astype("datetime64[s]").astype(np.int64).astype(float).to_numpy()
    return out


def _coupon_object(discount: object) -> dict | None:
    """The coupon embedded in a discount: legacy `coupon`, newer `source.coupon`."""
    for keys in (("coupon",), ("source", "coupon")):
        coupon = _walk(discount, keys)
        if isinstance(coupon, dict):
            return coupon
    return None


def _discount_windows(
    subscriptions: pd.DataFrame, windows: pd.DataFrame, coupons: pd.DataFrame
) -> pd.DataFrame:
    """int_subscription_discounts_windowed, recurring discounts only (MRR-2)."""
    array_discounts = subscriptions[["version_id", "discounts"]].rename(
        columns={"discounts": "discount"}
    )
    array_discounts = array_discounts[
        _flags(array_discounts["discount"], lambda v: isinstance(v, list))
    ].explode("discount")
    array_discounts = array_discounts[array_discounts["discount"].notna()].assign(rank=1)
    legacy = subscriptions[["version_id", "discount"]]
    legacy = legacy[_flags(legacy["discount"], lambda v: isinstance(v, dict))].assign(rank=2)
    found = pd.concat([array_discounts, legacy], ignore_index=True)
    columns = [
        "window_id", "applies_from", "applies_to", "percent_off", "amount_off",
        "coupon_currency", "subscription_currency",
    ]  # fmt: skip
    if found.empty:
        empty = {"window_id": np.int64, "coupon_currency": object, "subscription_currency": object}
        return pd.DataFrame({c: pd.Series([], dtype=empty.get(c, float)) for c in columns})
    discount = Json(found["discount"])
    coupon = Json(_map(found["discount"], _coupon_object))
    is_object = _flags(found["discount"], lambda v: isinstance(v, dict))
    decoded = pd.DataFrame(
        {
            "version_id": found["version_id"],
            "rank": found["rank"],
            "discount_id": discount.text("$.id").where(
                is_object, _map(found["discount"], _json_text).astype("string")
            ),
            "coupon_id": discount.stripe_id("$.coupon").fillna(
                discount.stripe_id("$.source.coupon")
            ),
            "duration": coupon.text("$.duration"),
            "duration_in_months": coupon.number("$.duration_in_months"),
            "percent_off": coupon.number("$.percent_off").round(4),
            "currency": coupon.text("$.currency").str.lower(),
            "amount_off": _stripe_amount(coupon, "$.amount_off", "$.currency"),
            "start": discount.stripe_ts("$.start"),
            "end": discount.stripe_ts("$.end"),
        }
    )
    # the legacy `discount` usually repeats an element of `discounts`: keep the most complete
    decoded["dedup_key"] = decoded["discount_id"].fillna(decoded["coupon_id"])
    decoded = decoded.assign(
        no_duration=decoded["duration"].isna(), no_coupon=decoded["coupon_id"].isna()
    ).sort_values(["no_duration", "no_coupon", "rank"], kind="stable")
    decoded = decoded.drop_duplicates(["version_id", "dedup_key"], keep="first")

    # stg_stripe__coupons: the latest live version, else the latest deletion
    coupon_table = _latest(
        coupons, "record_id", ["is_deleted", *VERSION], [True] + [False] * len(VERSION)
    )
    coupon_table = coupon_table.rename(
        columns={name: f"c_{name}" for name in
                 ("duration", "duration_in_months", "percent_off", "currency", "amount_off")}
    ).rename(columns={"record_id": "coupon_id"})  # fmt: skip
    resolved = decoded.merge(
        coupon_table[["coupon_id", "c_duration", "c_duration_in_months", "c_percent_off",
                      "c_currency", "c_amount_off"]],
        on="coupon_id",
        how="left",
    )  # fmt: skip
    for name in ("duration", "duration_in_months", "percent_off", "currency", "amount_off"):
        resolved[name] = resolved[name].fillna(resolved[f"c_{name}"])
    joined = resolved.merge(
        windows[["version_id", "window_id", "effective_from", "currency"]].rename(
            columns={"currency": "subscription_currency"}
        ),
        on="version_id",
    )
    joined["applies_from"] = joined["start"].fillna(joined["effective_from"])
    repeating_months = joined["duration_in_months"].where(joined["duration"] == "repeating")
    joined["applies_to"] = joined["end"].fillna(
        _add_months(joined["applies_from"], repeating_months)
    )
    recurring = joined["duration"].isin(("forever", "repeating")).fillna(False).astype(bool)
    joined = joined[recurring].rename(columns={"currency": "coupon_currency"})
    return joined[columns].reset_index(drop=True)


def _as_of_end(as_of: date) -> float:
    """The instant after `as_of` (Unix seconds): midnight starting the next day."""
    return float(((as_of - date(1970, 1, 1)).days + 1) * _DAY)


def _items_valued_monthly(
    counting: pd.DataFrame, discounts: pd.DataFrame, rates: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    """int_subscription_items_valued_monthly: item MRR at each month end, in USD (MRR-3, 7)."""
    as_of_end = _as_of_end(as_of)
    as_of_month = int(_month_index(np.array([as_of_end - _DAY]))[0])
    first_month = _month_index(counting["paid_from"])
    lengths = np.clip(as_of_month - first_month + 1, 0, None).astype(np.int64)
    rows = np.repeat(np.arange(len(counting)), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    valued = counting.iloc[rows].reset_index(drop=True)
    valued["month"] = np.repeat(first_month, lengths) + offsets
    # each month is valued just before the next one starts (or at the end of `as_of`)
    valued["valued_before"] = np.minimum(_month_seconds(valued["month"] + 1), as_of_end)
    holds = (valued["paid_from"] < valued["valued_before"]) & (
        valued["effective_to"].isna() | (valued["effective_to"] >= valued["valued_before"])
    )
    valued = valued[holds].reset_index(drop=True)

    window_keys = ["window_id", "month"]
    totals = valued.groupby(window_keys, as_index=False).agg(
        window_gross=("gross_mrr_native", "sum"),
        window_months=("months_in_interval", "max"),
        valued_before=("valued_before", "first"),
    )
    applying = totals.merge(discounts, on="window_id")
    applying = applying[
        (applying["applies_from"] < applying["valued_before"])
        & (applying["applies_to"].isna() | (applying["applies_to"] >= applying["valued_before"]))
    ]
    percent = applying["percent_off"].astype(float).fillna(0)
    same_currency = (applying["coupon_currency"] == applying["subscription_currency"]).fillna(False)
    with np.errstate(divide="ignore", invalid="ignore"):
        applying = applying.assign(
            log_factor=np.log(1 - percent / 100.0),
            amount_off=np.where(same_currency, applying["amount_off"].astype(float).fillna(0), 0.0),
        )
    per_window = applying.groupby(window_keys).agg(
        max_percent=("percent_off", "max"),
        log_factor=("log_factor", "sum"),
        amount_off=("amount_off", "sum"),
    )
    # percent discounts compound; a 100% discount zeroes the subscription
    per_window["percent_factor"] = np.where(
        per_window["max_percent"] >= 100, 0.0, np.exp(per_window["log_factor"])
    )
    totals = totals.merge(
        per_window[["percent_factor", "amount_off"]].reset_index(), on=window_keys, how="left"
    )
    totals["net"] = np.maximum(
        totals["window_gross"] * totals["percent_factor"].fillna(1)
        - totals["amount_off"].fillna(0) / totals["window_months"],
        0,
    )
    valued = valued.merge(totals[[*window_keys, "window_gross", "net"]], on=window_keys)
    valued["mrr_native"] = _round(
        valued["gross_mrr_native"] * valued["net"] / valued["window_gross"], 10
    )

    # MRR-7: the rate of the month's first day, else the latest earlier one; USD is 1
    valued["month_start"] = pd.to_datetime(_month_seconds(valued["month"]), unit="s").astype(
        "datetime64[us]"
    )
    needed = valued.loc[valued["currency"] != "usd", ["month_start", "currency"]]
    needed = needed.drop_duplicates().dropna().sort_values("month_start")
    found = pd.merge_asof(
        needed.astype({"currency": "string"}),
        rates.astype({"currency": "string"}).sort_values("rate_date"),
        left_on="month_start",
        right_on="rate_date",
        by="currency",
        direction="backward",
    )
    valued = valued.merge(
        found[["month_start", "currency", "usd_per_unit"]].astype({"currency": "string"}),
        on=["month_start", "currency"],
        how="left",
    )
    valued.loc[(valued["currency"] == "usd").fillna(False), "usd_per_unit"] = 1.0
    valued["mrr_usd"] = _round(valued["mrr_native"] * valued["usd_per_unit"], 10)
    return valued


def _involuntary_exits(
    windows: pd.DataFrame, customer_accounts: pd.DataFrame, as_of_end: float
) -> pd.DataFrame:
    """int_subscription_exits_classified, involuntary ones: (account_id, exit month)."""
    kept = windows[
        windows["effective_to"].isna() | (windows["effective_to"] > windows["effective_from"])
    ]
    kept = kept.sort_values(["subscription_id", "effective_from", "version_number"], kind="stable")
    grouped = kept.groupby("subscription_id", sort=False)
    kept = kept.assign(
        next_status=grouped["status"].shift(-1),
        next_reason=grouped["cancellation_reason"].shift(-1),
        next_from=grouped["effective_from"].shift(-1),
    )
    leaves = kept["next_status"].notna() & ~kept["next_status"].isin(_COUNTING_STATUSES)
    ends = kept["next_status"].isna() & kept["effective_to"].notna()
    exits = kept[kept["is_counting_status"].astype(bool) & (leaves | ends)].copy()
    exits["exited_at"] = exits["next_from"].fillna(exits["effective_to"])
    reason = exits["next_reason"].fillna(exits["cancellation_reason"])
    involuntary = (
        (exits["next_status"] == "unpaid").fillna(False)
        | ((exits["next_status"] == "canceled") & (exits["status"] == "past_due")).fillna(False)
        | (reason == "payment_failed").fillna(False)
    )
    exits = exits[involuntary.astype(bool) & (exits["exited_at"] <= as_of_end)]
    account_of = customer_accounts.set_index("customer_id")["account_id"]
    return pd.DataFrame(
        {
            "account_id": exits["customer_id"].map(account_of).astype("string"),
            "month": _month_index(exits["exited_at"]),
        }
    ).drop_duplicates()


def mrr(
    valued: pd.DataFrame, windows: pd.DataFrame, customer_accounts: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    """fct_mrr from the valued items (MRR-3 .. MRR-7, UPS-1)."""
    as_of_end = _as_of_end(as_of)
    as_of_month = int(_month_index(np.array([as_of_end - _DAY]))[0])
    currency_months = valued.groupby(["account_id", "month", "currency"], as_index=False).agg(
        mrr_native=("mrr_native", "sum"),
        usd_per_unit=("usd_per_unit", "max"),
        mrr_usd=("mrr_usd", lambda s: s.sum(min_count=1)),
    )
    account_usd = currency_months.groupby(["account_id", "month"])["mrr_usd"].sum(min_count=1)
    paid = account_usd[_round(account_usd.fillna(0), 2) > 0].reset_index()
    first_paid = paid.groupby("account_id")["month"].min()

    # MRR-5: every month from the first paid month to the current one
    lengths = (as_of_month - first_paid + 1).clip(lower=0).astype(np.int64).to_numpy()
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    spine = pd.DataFrame(
        {
            "account_id": pd.array(np.repeat(first_paid.index.to_numpy(), lengths), dtype="string"),
            "month": np.repeat(first_paid.to_numpy(), lengths) + offsets,
            "is_first_paid_month": offsets == 0,
        }
    )

    # each currency's MRR this month next to the same currency's MRR last month (MRR-7)
    last_month = currency_months.assign(month=currency_months["month"] + 1)
    pairs = currency_months.merge(
        last_month, on=["account_id", "month", "currency"], how="outer", suffixes=("", "_prev")
    )
    native = pairs["mrr_native"].fillna(0)
    previous_native = pairs["mrr_native_prev"].fillna(0)
    pairs["fx"] = np.where(
        (native > 0) & (previous_native > 0),
        np.minimum(native, previous_native) * (pairs["usd_per_unit"] - pairs["usd_per_unit_prev"]),
        0.0,
    )
    totals = (
        pairs.assign(usd=pairs["mrr_usd"].fillna(0), usd_prev=pairs["mrr_usd_prev"].fillna(0))
        .groupby(["account_id", "month"])[["usd", "usd_prev", "fx"]]
        .sum()
        .reset_index()
    )
    amounts = spine.merge(totals.astype({"account_id": "string"}), on=["account_id", "month"],
                          how="left")  # fmt: skip
    amounts[["usd", "usd_prev", "fx"]] = amounts[["usd", "usd_prev", "fx"]].fillna(0)
    amounts["mrr"] = _round(amounts["usd"], 2)
    amounts["previous_mrr"] = _round(amounts["usd_prev"], 2)
    # the change not caused by exchange rates, rounded once; fx impact is the remainder
    amounts["movement_mrr"] = _round(amounts["usd"] - amounts["usd_prev"] - amounts["fx"], 2)

    # UPS-1: a product with MRR this month that had none last month makes it a cross-sell
    product_months = valued.loc[
        (valued["mrr_usd"] > 0).fillna(False), ["account_id", "month", "product_id"]
    ].drop_duplicates()
    # a null product id never equals last month's (SQL equality): always new
    previous_products = product_months.dropna(subset=["product_id"])
    previous_products = previous_products.assign(month=previous_products["month"] + 1, had=True)
    product_check = product_months.merge(
        previous_products, on=["account_id", "month", "product_id"], how="left"
    )
    new_products = product_check.loc[product_check["had"].isna(), ["account_id", "month"]]
    new_products = new_products.drop_duplicates().assign(has_new_product=True)
    exits = _involuntary_exits(windows, customer_accounts, as_of_end)
    flags = amounts.merge(new_products.astype({"account_id": "string"}), on=["account_id", "month"],
                          how="left")  # fmt: skip
    flags = flags.merge(
        exits.assign(has_involuntary_exit=True), on=["account_id", "month"], how="left"
    )
    mrr_now, mrr_before, movement = flags["mrr"], flags["previous_mrr"], flags["movement_mrr"]
    # MRR-6: the order of the tests is the rule
    flags["movement"] = np.select(
        [
            flags["is_first_paid_month"],
            (mrr_before > 0) & (mrr_now == 0),
            (mrr_before == 0) & (mrr_now > 0),
            movement > 0,
            movement < 0,
        ],
        ["new", "churn", "reactivation", "expansion", "contraction"],
        "unchanged",
    )
    involuntary = flags["has_involuntary_exit"].fillna(False).astype(bool)
    cross_sell = flags["has_new_product"].fillna(False).astype(bool)
    is_churn = flags["movement"] == "churn"
    is_expansion = flags["movement"] == "expansion"
    return pd.DataFrame(
        {
            "account_id": flags["account_id"].astype("string"),
            "month": pd.to_datetime(_month_seconds(flags["month"]), unit="s").astype(
                "datetime64[us]"
            ),
            "mrr": mrr_now,
            "previous_mrr": mrr_before,
            "mrr_change": _round(mrr_now - mrr_before, 2),
            "movement": flags["movement"],
            "movement_mrr": movement,
            "fx_impact": _round(mrr_now - mrr_before - movement, 2),
            "churn_type": pd.Series(
                np.where(is_churn, np.where(involuntary, "involuntary", "voluntary"), None),
                dtype="string",
            ),
            "expansion_type": pd.Series(
                np.where(is_expansion, np.where(cross_sell, "cross_sell", "upsell"), None),
                dtype="string",
            ),
        }
    )
