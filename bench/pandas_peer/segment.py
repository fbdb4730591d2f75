"""Segment calls: tens of millions of rows, so kept as numbers only (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bench.pandas_peer.common import NON_QUALIFYING_SEED, VERSION
from bench.pandas_peer.landing import _line_batches, _valid_records
from orchestration.sources import SPECS_BY_KEY


class Dictionary:
    """Integer codes for the values of a text column, the same in every batch: the dictionary
    grows with the values a batch brings that it has not seen (-1 = null)."""

    def __init__(self) -> None:
        self.values = pd.Index([], dtype=object)

    def encode(self, text: pd.Series) -> np.ndarray:
        values = text.to_numpy(dtype=object, na_value=None)
        new = pd.Index(text.dropna().unique(), dtype=object)
        self.values = self.values.append(new[~new.isin(self.values)])
        return self.values.get_indexer(values).astype(np.int32)

    def decode(self, codes: pd.Series | np.ndarray) -> pd.Series:
        values = pd.Categorical.from_codes(np.asarray(codes), categories=self.values)
        return pd.Series(values, dtype="string")


@dataclass
class SegmentCalls:
    """Every Segment call the loader keeps, one row per copy (duplicates included), with the
    ids as codes of `users` and `accounts`."""

    calls: pd.DataFrame
    users: Dictionary
    accounts: Dictionary


# two independent hashes of a messageId make its 128-bit key
_MESSAGE_HASH_KEYS = ("segment-message1", "segment-message2")


def _message_key(message_ids: pd.Series) -> list[np.ndarray]:
    """messageId -> two uint64 hashes: 16 bytes a call instead of a Python string, equal for
    equal ids in every batch (different ids sharing both is a 2^-128 chance)."""
    # hashed as UTF-8 bytes; surrogatepass so that a lone surrogate cannot stop the run
    data = message_ids.str.encode("utf-8", "surrogatepass").to_numpy(dtype=object)
    return [pd.util.hash_array(data, hash_key=key) for key in _MESSAGE_HASH_KEYS]


def _load_order(lineage: pd.DataFrame, loaded: int) -> np.ndarray:
    """Each record's position in the loader's version order (VERSION), counted on from the
    `loaded` records of the earlier batches: batches hold whole days in day order, so one
    number compares versions across batches."""
    order = lineage.sort_values(VERSION, kind="stable").index.to_numpy()
    position = np.empty(len(order), dtype=np.int64)
    position[order] = loaded + np.arange(len(order))
    return position


_SEGMENT_PATHS = (
    *("$.type", "$.event", "$.userId", "$.anonymousId", "$.groupId", "$.context.groupId"),
    *("$.timestamp", "$.receivedAt"),
)


def _segment_batch(
    lines: pd.DataFrame,
    users: Dictionary,
    accounts: Dictionary,
    non_qualifying: pd.Series,
    loaded: int,
) -> pd.DataFrame:
    """One batch of Segment lines -> its valid calls as numbers (stg_segment__events' columns
    that the engagement mart reads)."""
    lineage, j = _valid_records(lines, SPECS_BY_KEY["segment/events"], _SEGMENT_PATHS)

    def nonempty(path: str) -> pd.Series:
        value = j.text(path)
        return value.mask(value == "")

    user_id = nonempty("$.userId")
    call_type = j.text("$.type")
    message_hi, message_lo = _message_key(lineage["record_id"])
    return pd.DataFrame(
        {
            "message_hi": message_hi,
            "message_lo": message_lo,
            "received_at": j.iso_ts("$.receivedAt"),
            "_version": _load_order(lineage, loaded),
            "is_track": (call_type == "track").fillna(False).to_numpy(bool),
            "is_group": (call_type == "group").fillna(False).to_numpy(bool),
            "event_at": j.iso_ts("$.timestamp"),
            # the user of a track call; an anonymous one is 'anonymous:<anonymousId>'
            "user": users.encode(user_id.fillna("anonymous:" + nonempty("$.anonymousId"))),
            "has_user_id": user_id.notna().to_numpy(bool),
            "group_id": accounts.encode(nonempty("$.groupId")),
            "context_group_id": accounts.encode(nonempty("$.context.groupId")),
            "is_qualifying": ~j.text("$.event").isin(non_qualifying).fillna(False).to_numpy(bool),
        }
    )


def load_segment_calls(landing_dir: Path) -> SegmentCalls:
    """The valid Segment calls (load_records for segment/events, in numbers): each batch is
    reduced to integer codes, hashes and timestamps before the next one is read."""
    spec = SPECS_BY_KEY["segment/events"]
    non_qualifying = pd.read_csv(NON_QUALIFYING_SEED, dtype=str)["event_name"]
    users, accounts = Dictionary(), Dictionary()
    parts: list[pd.DataFrame] = []
    loaded = 0
    for lines in _line_batches(landing_dir, spec.system, spec.object):
        parts.append(_segment_batch(lines, users, accounts, non_qualifying, loaded))
        loaded += len(parts[-1])
    return SegmentCalls(pd.concat(parts, ignore_index=True), users, accounts)
