"""The Customer Success report: a folder of static pages, rebuilt after every publication.

It reads the serving file (what BI tools see, so it never shows unchecked numbers) and writes
to CS_REPORT_DIR (default data/report):

- `index.html`: headline cards with their periods and changes (orchestration.headlines), a
  segment and CSM filter that every card, chart and table follows, and the charts: MRR
  movements (MRR-6), MRR with NRR, GRR and logo churn (CHN-1), NPS and CSAT with their sample
  sizes (NPS-1, CSAT-1), health bands (HLT-1), engagement (ENG-1), delinquency (DLQ-1) and
  trial conversion with its counts (TRL-1); the at-risk worklist on HLT-3's calibrated bands
  (orchestration/worklist.py), red and yellow apart, sortable, with reasons in words; the
  renewals due in 90 days with their forecast (RNW-2).
- `accounts/<account id>.html`: a page per account the worklist or the renewals link to.
- `plotly.min.js`, `theme.js`, `report.js`, `account.js`, `report.css`: shared by the pages,
  so the folder opens offline and can be copied or zipped as it is.

Modules: load (SQL on the serving file), cube (filter selections and their facts), figures
and captions (charts and their sentences), tables (worklist and renewals rows), pages (account
pages), build (templates, writing the folder).
"""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.report.build import write_report
from orchestration.run_config import RunConfig

__all__ = ["cs_report", "write_report"]


@asset(
    key=AssetKey(["serving", "cs_report"]),
    deps=[AssetKey(["serving", "published_warehouse"])],
    group_name="serving",
    kinds={"html", "plotly"},
    description=(
        "Offline HTML report for the CS team (folder CS_REPORT_DIR, default data/report): "
        "headline cards with periods and changes, a segment and CSM filter over every chart "
        "and table, MRR movements, MRR/NRR/GRR/logo churn, NPS/CSAT, health bands, engagement, "
        "delinquency, trial conversion, the at-risk worklist (HLT-3 calibrated bands, red and "
        "yellow, sortable) and "
        "renewals due in 90 days with their forecast, and a page per linked account. Drawn "
        "from the published serving file, so it only ever shows checked numbers."
    ),
)
def cs_report(context: AssetExecutionContext, run_config: RunConfig) -> MaterializeResult:
    settings = run_config.settings
    counts = write_report(settings.serving_path, settings.report_dir)
    context.log.info(
        f"Wrote the CS report to {settings.report_path} ({counts['account_pages']} account pages)"
    )
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(settings.report_path)),
            **{name: MetadataValue.int(value) for name, value in counts.items()},
        }
    )
