"""The sources the warehouse loads, one folder each; the one list of them.

A source's folder holds what is specific to it: `spec.py` (the load contract of its landing
objects), `suites.py` (the gate's raw suites of its tables) and its `__init__` exposing
`SPECS`, `SUITES` and `TARGETS`. The shared machinery (orchestration/ingest, data_quality)
imports no source: it is handed the lists below.
"""

from __future__ import annotations

from data_quality.raw_suites import TableSuite
from landing.spec import ObjectSpec
from orchestration.ingest.loader import LoadTarget
from orchestration.sources import exchange_rates, hubspot, segment, stripe

SOURCES = (stripe, hubspot, segment, exchange_rates)

# The JSON objects' load contracts (the exchange-rates CSV has none).
ALL_SPECS: tuple[ObjectSpec, ...] = tuple(spec for source in SOURCES for spec in source.SPECS)
SPECS_BY_KEY: dict[str, ObjectSpec] = {spec.key: spec for spec in ALL_SPECS}
# Every landing object the warehouse loads, each with its raw suite.
ALL_TARGETS: tuple[LoadTarget, ...] = tuple(t for source in SOURCES for t in source.TARGETS)
TARGETS_BY_KEY: dict[str, LoadTarget] = {target.spec.key: target for target in ALL_TARGETS}
RAW_SUITES: tuple[TableSuite, ...] = tuple(s for source in SOURCES for s in source.SUITES)
