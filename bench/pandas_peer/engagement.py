"""fct_engagement_daily."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from bench.pandas_peer.common import _DAY
from bench.pandas_peer.segment import SegmentCalls


def _days(timestamps: pd.Series) -> pd.Series:
    """Datetime -> whole days since 1970-01-01 (int)."""
    return timestamps.astype("datetime64[s]").astype(np.int64) // _DAY


def _attributed_track_calls(segment: SegmentCalls, as_of: date) -> pd.DataFrame:
    """int_segment_events_attributed, its qualifying calls with an account: account_id and
    user_id (codes of segment.accounts and segment.users) and the event day."""
    calls = segment.calls
    # ENG-3: one copy per messageId, the earliest receivedAt (then the earliest load)
    order = np.lexsort(
        [calls[c].to_numpy() for c in ("_version", "received_at", "message_lo", "message_hi")]
    )
    hi, lo = calls["message_hi"].to_numpy()[order], calls["message_lo"].to_numpy()[order]
    starts_key = np.ones(len(order), dtype=bool)
    starts_key[1:] = (hi[1:] != hi[:-1]) | (lo[1:] != lo[:-1])
    is_first_copy = np.zeros(len(calls), dtype=bool)
    is_first_copy[order[starts_key]] = True
    del order, hi, lo
    # the event day (UTC day of `timestamp`) no later than as_of
    kept = is_first_copy & (calls["event_at"] < pd.Timestamp(as_of + timedelta(days=1)))

    is_group = kept & calls["is_group"] & calls["has_user_id"] & (calls["group_id"] >= 0)
    group_calls = calls.loc[is_group, ["user", "event_at", "group_id"]]
    # a non-qualifying call counts nowhere: attributing it would change nothing
    is_track = kept & calls["is_track"] & calls["is_qualifying"]
    track = calls.loc[is_track, ["user", "has_user_id", "context_group_id", "event_at"]]

    # the user's latest group call at or before the event (ties: the smallest groupId)
    needs_group = (track["context_group_id"] < 0) & track["has_user_id"]
    lookup = track.loc[needs_group, ["user", "event_at"]].reset_index().sort_values("event_at")
    group_calls = group_calls.assign(
        group_name=segment.accounts.values[group_calls["group_id"].to_numpy()]
    ).sort_values(["event_at", "group_name"], ascending=[True, False])
    matched = pd.merge_asof(
        lookup,
        group_calls[["user", "event_at", "group_id"]],
        on="event_at",
        by="user",
        direction="backward",
    ).set_index("index")["group_id"]
    account_id = track["context_group_id"].where(
        ~needs_group, matched.reindex(track.index).fillna(-1).astype(np.int32)
    )
    attributed = account_id >= 0
    return pd.DataFrame(
        {
            "account_id": account_id[attributed],
            "user_id": track.loc[attributed, "user"],
            "day": _days(track.loc[attributed, "event_at"].dt.normalize()),
        }
    )


def _window_counts(user_days: pd.DataFrame, grid: pd.DataFrame, window: int) -> np.ndarray:
    """Distinct users active in (D - window, D] per grid row (account_id, day), by a sweep:
    a user's active days merge into islands (a gap > window starts a new one), each island
    adds 1 from its first day to its last day + window - 1."""
    ordered = user_days.sort_values(["account_id", "user_id", "day"])
    gap = ordered.groupby(["account_id", "user_id"], dropna=False)["day"].diff()
    island = (gap.isna() | (gap > window)).cumsum().rename("island")
    islands = ordered.groupby(island).agg(
        account_id=("account_id", "first"), start=("day", "min"), last=("day", "max")
    )
    deltas = pd.concat(
        [
            pd.DataFrame({"account_id": islands["account_id"], "day": islands["start"], "d": 1}),
            pd.DataFrame(
                {"account_id": islands["account_id"], "day": islands["last"] + window, "d": -1}
            ),
        ],
        ignore_index=True,
    )
    daily = deltas.groupby(["account_id", "day"])["d"].sum().rename("delta").reset_index()
    swept = grid.merge(daily, on=["account_id", "day"], how="left")
    swept["delta"] = swept["delta"].fillna(0)
    return swept.groupby("account_id", sort=False)["delta"].cumsum().to_numpy()


def _licensed_seats(
    counting: pd.DataFrame, per_seat: pd.Series, rows: pd.DataFrame, as_of_day: int
) -> pd.Series:
    """int_account_billing_daily.licensed_seats at each (account_id, day) of `rows` (else NA).

    An item is in effect at the end of day D when paid_from < D+1 <= effective_to.
    """
    first_day = np.floor(counting["paid_from"] / _DAY)
    last_day = np.where(
        counting["effective_to"].isna(),
        as_of_day,
        np.minimum(np.floor(counting["effective_to"] / _DAY) - 1, as_of_day),
    )
    is_per_seat = counting["product_id"].map(per_seat).fillna(False).astype(bool)
    spans = pd.DataFrame(
        {
            "account_id": counting["account_id"],
            "start": first_day,
            "end": last_day,
            "seats": np.where(is_per_seat, counting["quantity"], 0),
        }
    )
    spans = spans[(spans["start"] <= spans["end"]) & spans["account_id"].notna()]
    deltas = pd.concat(
        [
            pd.DataFrame(
                {"account_id": spans["account_id"], "day": spans["start"], "n": 1,
                 "s": spans["seats"]}
            ),
            pd.DataFrame(
                {"account_id": spans["account_id"], "day": spans["end"] + 1, "n": -1,
                 "s": -spans["seats"]}
            ),
        ]
    )  # fmt: skip
    daily = deltas.groupby(["account_id", "day"], as_index=False)[["n", "s"]].sum()
    daily = daily.sort_values(["account_id", "day"])
    daily[["n", "s"]] = daily.groupby("account_id")[["n", "s"]].cumsum()
    daily = daily.astype({"account_id": "string", "day": float}).sort_values("day")
    wanted = rows[["account_id", "day"]].astype({"account_id": "string", "day": float})
    state = pd.merge_asof(
        wanted.reset_index().sort_values("day"), daily, on="day", by="account_id"
    ).set_index("index")
    state = state.reindex(rows.index)
    return state["s"].where(state["n"] > 0).round().astype("Int64")


def engagement_daily(
    segment: SegmentCalls,
    account_ids: pd.Series,
    counting: pd.DataFrame,
    per_seat: pd.Series,
    as_of: date,
) -> pd.DataFrame:
    # account and user ids stay codes until the counts are done
    user_days = (
        _attributed_track_calls(segment, as_of)
        .groupby(["account_id", "user_id", "day"])
        .size()
        .rename("events")
        .reset_index()
    )
    as_of_day = (as_of - date(1970, 1, 1)).days
    first_days = user_days.groupby("account_id")["day"].min()
    lengths = (as_of_day - first_days + 1).clip(lower=0).to_numpy()
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    grid = pd.DataFrame(
        {
            "account_id": np.repeat(first_days.index.to_numpy(), lengths),
            "day": np.repeat(first_days.to_numpy(), lengths) + offsets,
        }
    )
    daily = user_days.groupby(["account_id", "day"]).agg(
        dau=("user_id", "size"), events=("events", "sum")
    )
    grid = grid.merge(daily.reset_index(), on=["account_id", "day"], how="left")
    grid[["dau", "events"]] = grid[["dau", "events"]].fillna(0).astype(np.int64)
    grid["wau"] = _window_counts(user_days, grid[["account_id", "day"]], 7).astype(np.int64)
    grid["mau"] = _window_counts(user_days, grid[["account_id", "day"]], 28).astype(np.int64)
    grid["account_id"] = segment.accounts.decode(grid["account_id"])
    grid = grid[grid["account_id"].isin(account_ids)].reset_index(drop=True)
    grid["licensed_seats"] = _licensed_seats(counting, per_seat, grid, as_of_day)
    seats = grid["licensed_seats"].astype(float)
    return pd.DataFrame(
        {
            "account_id": grid["account_id"].astype("string"),
            "date_day": pd.to_datetime(grid["day"], unit="D").astype("datetime64[us]"),
            "dau": grid["dau"],
            "wau": grid["wau"],
            "mau": grid["mau"],
            "events": grid["events"],
            "stickiness": (grid["dau"] / grid["mau"].where(grid["mau"] > 0)).astype(float),
            "licensed_seats": grid["licensed_seats"],
            "seat_utilisation": (grid["mau"] / seats.where(seats > 0)).astype(float),
        }
    )
