"""The unit the Stripe and HubSpot generators hand to the landing writer."""

from __future__ import annotations

import json
from typing import NamedTuple

try:  # installed with dagster-dbt; ~10x faster, and byte-identical output for our values
    import orjson
except ImportError:  # pragma: no cover - the stdlib fallback gives the same bytes
    orjson = None


class ApiRecord(NamedTuple):
    """One version of one API object, rendered, waiting for its extraction-day file.

    Sorting on (ts, account, seq) orders every generator's output globally and deterministically.
    """

    ts: int  # when this version came to be (Unix seconds): decides the partition day
    account: int  # account index; negative for shared objects (catalog, pipelines)
    seq: int  # order within the account's generator
    system: str  # stripe | hubspot
    obj: str  # landing object folder, e.g. "subscriptions"
    obj_id: str
    body: str  # the object as compact JSON
    event_type: str  # Stripe event type for this version ("" for HubSpot)
    wrap: str = "auto"  # auto | bare | event | page: how the writer may wrap it


def dumps(value: object) -> str:
    """Compact JSON, UTF-8 kept as is, key order as built (deterministic)."""
    if orjson is not None:
        return orjson.dumps(value).decode("utf-8")
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
