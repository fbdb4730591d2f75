"""Pandas peer of three marts, computed straight from the landing files (benchmark baseline).

COVERED: fct_nps_monthly, fct_engagement_daily and fct_mrr (all three). Each equals the mart
our DuckDB + dbt pipeline publishes: `compare()` finds no difference on the demo data (seed 11,
2 and 12 months of history, as_of 2026-06-30, and 12 months with as_of 2026-02-17).

What an analyst would write with pandas, reproducing the dbt models' logic (not METRICS.md read
afresh), so that the benchmark compares like with like:

- Reading: every `<landing>/<system>/<object>/<YYYY-MM-DD>/part-NNNNN.jsonl[.gz]`, one
  `json.loads` per line, in batches of whole days (about 64 MiB of JSON); Stripe `list`
  pages, HubSpot `results` pages and Stripe events are unwrapped; records failing the
  load-time contract of `orchestration/sources/*/spec.py` (required fields, JSON types, enum
  values, sanity rules) are skipped, as the loader quarantines them; a file that cannot be
  read fails its whole day.
  Each batch keeps only the columns the marts need (not the parsed records). Versions sort like
  the loader's `_record_version`: extraction day, event `created`, file, line, page position.
- fct_nps_monthly: latest version of each survey response (latest `updatedAt`), not archived,
  submitted by `as_of`, NPS scores 0..10 integral; account = the contact's company, else the
  associated company; segment = the HubSpot company's `segment` ('unknown' without one);
  month x segment grid from the first response month to the `as_of` month.
- fct_engagement_daily: Segment calls deduplicated on messageId (earliest receivedAt), event
  day = UTC day of `timestamp`, days after `as_of` dropped; track calls attributed to
  `context.groupId`, else the user's latest group call at or before the event; the dbt seed of
  non-qualifying events; DAU/WAU/MAU per account from its first active day to `as_of`; only
  accounts known to the CRM or to billing; licensed seats = quantity of the per-seat items
  (product unit_label seat(s)/user(s)) counting toward MRR at the end of the day.
- fct_mrr: subscription history rebuilt from every version (observed at the event time or the
  extraction day, backdated to start_date, cut at ended_at / cancel_at, trials excluded),
  item MRR normalised per interval, recurring discounts, month-start FX rates, movements
  (new, churn, reactivation, expansion, contraction, unchanged) with fx impact, involuntary
  churn and cross-sell, as in the dbt models.

Memory (the medium scale has 20.8M Segment calls): a batch must leave nothing of its parsed
records behind. Under pandas' copy-on-write a column taken from the batch's table of extracted
JSON values is a view that keeps that whole table alive, with the JSON objects it holds:
load_records copies each batch (the first version did not and was killed at 23.7 GB). Segment
calls are moreover reduced to numbers batch by batch: the messageId to a 128-bit key (two
64-bit hashes), user and account ids to codes of dictionaries that grow across batches (a code
means the same id in every batch), the event name to its qualifying flag, the call type to two
flags, timestamps to datetime64 and the version to one load-order number (batches hold whole
days in day order): about 56 bytes a copy of a call. Deduplication sorts those numbers, ids
become text again only in the account x day grid, and billing is done before the Segment calls
are read.

Money is computed in float64 and rounded as DuckDB's DECIMAL casts round (10 places for
intermediate values, then half away from zero to cents).

Known limits (inputs the demo data never holds, where Python and DuckDB read JSON differently):
an object with a duplicated key (Python keeps the last value), integers beyond 2^63 (DuckDB
types them UBIGINT/DOUBLE), timestamp text that only one of DuckDB's and pandas' ISO-8601
parsers accepts, a lone UTF-16 surrogate escape (DuckDB rejects the line), and Stripe event
`created` values outside 0..10^12 (the loader's version string stops sorting numerically
there). Two different messageIds with the same 128-bit key would count as one call (a 2^-128
chance per pair).

`python -m bench.pandas_peer --landing DIR --as-of YYYY-MM-DD [--serving serving.duckdb]`
prints the wall time, the peak memory and, with --serving, the comparison.
"""

from bench.pandas_peer.run import compare, compute, main

__all__ = ["compare", "compute", "main"]
