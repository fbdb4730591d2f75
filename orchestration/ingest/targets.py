"""Every landing object the warehouse loads, in one list."""

from __future__ import annotations

from orchestration.ingest.exchange_rates import EXCHANGE_RATES_TARGET
from orchestration.ingest.loader import LoadTarget, json_target
from orchestration.ingest.specs import ALL_SPECS

ALL_TARGETS: tuple[LoadTarget, ...] = (
    *(json_target(spec) for spec in ALL_SPECS),
    EXCHANGE_RATES_TARGET,
)
TARGETS_BY_KEY: dict[str, LoadTarget] = {target.spec.key: target for target in ALL_TARGETS}
