"""Demo data: Stripe, HubSpot and Segment exports in the landing layout of docs/landing.md.

`generate()` writes a deterministic landing folder and a `generator_report.json` that the
warehouse and the tests reconcile against; `python -m demo_data` is its CLI.

How it is built, one concern per module:
  config       presets (small/medium/large) and the time window
  accounts     the story of every company: signup, trial, plan, changes, churn, comeback,
               and the risk window in which usage, NPS and tickets worsen before churn
  One module (or folder) per source, as in the product:
  stripe/catalog   products, prices (usd/eur/gbp/jpy, monthly/yearly), coupons
  stripe/billing   executes a story the way Stripe would: subscriptions, invoices, charges
  stripe/objects   Stripe object state, rendered in the API shape before/after 2025-03-31
  hubspot      companies, contacts, deals, pipelines, owners, tickets, surveys, meetings
  segment      product events, vectorised with numpy and rendered by DuckDB
  exchange_rates  the finance team's daily exchange-rate file
  api_writer   Stripe/HubSpot versions -> extraction-day parts (bare, pages, events)
  bad_input    the bad lines injected on purpose, each recorded in the report
  files, ids, records, report, timeutil   small shared helpers
"""

from demo_data.generator import generate
from demo_data.report import GeneratorReport

__all__ = ["GeneratorReport", "generate"]
