"""The Customer Success report: one self-contained HTML page, rebuilt after every publication.

It reads the serving file (what BI tools see, so it never shows unchecked numbers) and draws,
with Plotly: the MRR movements waterfall by month (MRR-6), MRR with NRR and logo churn
(CHN-1), NPS and CSAT (NPS-1, CSAT-1), the health band distribution (HLT-1),
trial conversion by cohort (TRL-1), the at-risk worklist with each account's main reason and CSM,
and the renewals due in the next 90 days with their forecast (RNW-2).
Plotly's JavaScript is inlined once, so the page opens offline and can be mailed as one file.
"""

import html
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset
from plotly.subplots import make_subplots

from orchestration.settings import get_settings

WATERFALL_MONTHS = 6
TREND_MONTHS = 24
HEALTH_DAYS = 180
WORKLIST_ROWS = 50
BAND_COLOURS = {"green": "#2e9e5b", "yellow": "#e8b923", "red": "#d64545"}
# Order and sign of the MRR-6 movements between one month's opening and closing MRR.
MOVEMENTS = [
    ("New", "new_mrr", 1),
    ("Expansion", "expansion_mrr", 1),
    ("Reactivation", "reactivation_mrr", 1),
    ("Contraction", "contraction_mrr", -1),
    ("Churn", "churned_mrr", -1),
    ("FX", "fx_impact", 1),
]


@dataclass(frozen=True)
class Chart:
    title: str
    figure: go.Figure | None  # None: no data yet, said in words instead of an empty chart
    empty_reason: str = ""


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def _month_label(month) -> str:
    return pd.Timestamp(month).strftime("%b %Y")


def mrr_waterfall(revenue: pd.DataFrame) -> Chart:
    title = f"MRR movements, last {WATERFALL_MONTHS} months (MRR-6)"
    months = revenue.tail(WATERFALL_MONTHS)
    if months.empty:
        return Chart(title, None, "no MRR yet")
    x_month, x_step, values, measures = [], [], [], []
    first = months.iloc[0]
    x_month.append(_month_label(first["month"]))
    x_step.append("Opening")
    values.append(float(first["mrr_start"]))
    measures.append("absolute")
    for _, row in months.iterrows():
        label = _month_label(row["month"])
        for name, column, sign in MOVEMENTS:
            x_month.append(label)
            x_step.append(name)
            values.append(sign * float(row[column]))
            measures.append("relative")
        x_month.append(label)
        x_step.append("Closing" if row["is_complete_month"] else "To date")
        values.append(0.0)  # a "total" bar shows the running sum: the month's closing MRR
        measures.append("total")
    figure = go.Figure(
        go.Waterfall(
            x=[x_month, x_step],
            y=values,
            measure=measures,
            increasing={"marker": {"color": "#2e9e5b"}},
            decreasing={"marker": {"color": "#d64545"}},
            totals={"marker": {"color": "#4063d8"}},
            hovertemplate="%{x}<br>%{y:$,.0f}<extra></extra>",
        )
    )
    # Movements are small next to MRR itself: start the axis near the lowest level reached.
    levels = [float(first["mrr_start"]), *months["mrr"].astype(float)]
    low, high = min(levels), max(levels)
    pad = max((high - low) * 0.5, high * 0.02)
    figure.update_layout(
        yaxis_title="MRR (USD)", yaxis_range=[max(low - pad, 0), high + pad], showlegend=False
    )
    return Chart(title, figure)


def revenue_trend(revenue: pd.DataFrame) -> Chart:
    title = "MRR, NRR and logo churn by month (MRR-3, CHN-1)"
    months = revenue.tail(TREND_MONTHS)
    if months.empty:
        return Chart(title, None, "no MRR yet")
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(go.Bar(x=months["month"], y=months["mrr"], name="MRR", marker_color="#4063d8"))
    for column, name, colour in (
        ("nrr", "NRR", "#2e9e5b"),
        ("logo_churn_rate", "Logo churn", "#d64545"),
    ):
        figure.add_trace(
            go.Scatter(x=months["month"], y=months[column], name=name, mode="lines+markers",
                       line={"color": colour}),
            secondary_y=True,
        )  # fmt: skip
    figure.update_yaxes(title_text="MRR (USD)", secondary_y=False)
    figure.update_yaxes(title_text="rate", tickformat=".0%", secondary_y=True)
    return Chart(title, figure)


def voice_of_customer(nps: pd.DataFrame, csat: pd.DataFrame) -> Chart:
    title = "NPS and CSAT by month, all responses (NPS-1, CSAT-1)"
    if nps.empty and csat.empty:
        return Chart(title, None, "no survey responses yet")
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(
        go.Scatter(x=nps["month"], y=nps["nps"], name="NPS", mode="lines+markers",
                   customdata=nps["responses"],
                   hovertemplate="NPS %{y:.0f} (%{customdata} responses)")
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(x=csat["month"], y=csat["csat"], name="CSAT %", mode="lines+markers",
                   customdata=csat["ratings"],
                   hovertemplate="CSAT %{y:.0f}% (%{customdata} ratings)"),
        secondary_y=True,
    )  # fmt: skip
    figure.update_yaxes(title_text="NPS (-100..100)", range=[-100, 100], secondary_y=False)
    figure.update_yaxes(title_text="CSAT (% satisfied)", range=[0, 100], secondary_y=True)
    return Chart(title, figure)


def health_bands(health: pd.DataFrame) -> Chart:
    title = f"Accounts by health band, last {HEALTH_DAYS} days (HLT-1)"
    if health.empty:
        return Chart(title, None, "no health scores yet")
    figure = go.Figure()
    for band, colour in BAND_COLOURS.items():
        rows = health[health["health_band"] == band]
        figure.add_trace(
            go.Scatter(x=rows["date_day"], y=rows["accounts"], name=band, stackgroup="bands",
                       mode="lines", line={"color": colour})
        )  # fmt: skip
    figure.update_layout(yaxis_title="accounts")
    return Chart(title, figure)


def trial_conversion(trials: pd.DataFrame) -> Chart:
    title = "Trial conversion by cohort month (TRL-1)"
    if trials.empty:
        return Chart(title, None, "no trials yet")
    colours = ["#4063d8" if complete else "#a9b8ee" for complete in trials["is_complete"]]
    figure = go.Figure(
        go.Bar(
            x=trials["cohort_month"],
            y=trials["conversion_rate"],
            marker_color=colours,
            customdata=trials[["converted", "trials"]],
            hovertemplate="%{x|%b %Y}: %{y:.0%} (%{customdata[0]} of %{customdata[1]})"
            "<extra></extra>",
        )
    )
    figure.update_layout(yaxis_tickformat=".0%", yaxis_title="converted",
                         xaxis_title="trial cohort (light: still open)")  # fmt: skip
    return Chart(title, figure)


def _table_html(frame: pd.DataFrame, columns: dict[str, str], empty: str) -> str:
    """A plain table of `columns` (name -> heading): money for columns that start with
    `mrr`/`arr` or end in `_arr`, percent for rates and probabilities, a signed number for other
    decimals (changes), and a `health_band` cell coloured by its band."""
    if frame.empty:
        return f"<p class='empty-chart'>{html.escape(empty)}</p>"
    head = "".join(f"<th>{html.escape(label)}</th>" for label in columns.values())
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for column in columns:
            value = row[column]
            if pd.isna(value):
                text = "-"
            elif column.startswith(("mrr", "arr")) or column.endswith("_arr"):
                text = f"${float(value):,.0f}"
            elif isinstance(value, pd.Timestamp):
                text = value.date().isoformat()
            elif column.endswith(("_rate", "probability")):
                text = f"{float(value):.0%}"
            elif isinstance(value, float):
                text = f"{value:+.0f}"
            else:
                text = str(value)
            css = f" class='band-{html.escape(str(value))}'" if column == "health_band" else ""
            cells.append(f"<td{css}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    body = "".join(rows)
    return f"<table class='worklist'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _worklist_html(at_risk: pd.DataFrame) -> str:
    columns = {
        "account_name": "account", "account_id": "account id", "owner_name": "CSM",
        "segment": "segment", "health_score": "health", "health_band": "band",
        "top_risk_reason": "main reason", "mrr_at_stake": "MRR at stake",
        "days_to_renewal": "days to renewal", "days_past_due": "days past due",
    }  # fmt: skip
    return _table_html(at_risk, columns, "No account is at risk.")


def _renewals_html(renewals: pd.DataFrame) -> str:
    """RNW-2: each subscription's next term end within 90 days, with its forecast."""
    columns = {
        "term_end_date": "term ends", "account_name": "account", "csm_owner_name": "CSM",
        "arr_due": "ARR due", "health_band": "band",
        "health_score_change_30d": "health 30-day change",
        "renewal_deal_stage": "renewal deal stage", "forecast_method": "forecast by",
        "forecast_rate": "probability", "forecast_arr": "forecast ARR",
    }  # fmt: skip
    table = _table_html(renewals, columns, "No term ends in the next 90 days.")
    if renewals.empty:
        return table
    total = (
        f"<p>{len(renewals)} subscriptions renew in the next 90 days: "
        f"${renewals['arr_due'].sum():,.0f} ARR due, ${renewals['forecast_arr'].sum():,.0f} "
        "forecast (the renewal deal's stage probability, else the trailing-12-month renewal "
        "rate of the account's health band).</p>"
    )
    return total + table


_QUERIES = {
    "revenue": "select * from marts.fct_revenue_monthly order by month",
    "nps": "select * from marts.fct_nps_monthly where segment = 'all' order by month",
    "csat": "select * from marts.fct_csat_monthly where segment = 'all' order by month",
    "health": f"""
        select date_day, health_band, count(*) as accounts from marts.fct_account_health_daily
        where date_day > (select max(date_day) from marts.fct_account_health_daily)
            - interval {HEALTH_DAYS} day
        group by all order by date_day""",
    "trials": "select * from marts.fct_trial_conversion order by cohort_month",
    "at_risk": f"""
        select * from marts.rpt_at_risk_accounts
        order by mrr_at_stake desc nulls last, health_score limit {WORKLIST_ROWS}""",
    "renewals": """
        select forecast.*, accounts.account_name, accounts.csm_owner_name
        from marts.fct_renewal_forecast as forecast
        left join marts.dim_accounts as accounts using (account_id)
        where forecast.is_next_term
        order by forecast.term_end_date, forecast.arr_due desc""",
    "log": "select as_of, published_at from meta.refresh_log order by published_at desc limit 1",
}


def _kpis(revenue: pd.DataFrame, nps: pd.DataFrame, at_risk_total: tuple) -> list[tuple[str, str]]:
    if revenue.empty:
        return []
    latest = revenue.iloc[-1]
    complete = revenue[revenue["is_complete_month"]]
    last_full = complete.iloc[-1] if not complete.empty else latest
    kpis = [
        (f"MRR ({_month_label(latest['month'])})", f"${float(latest['mrr']):,.0f}"),
        ("Paying accounts", f"{int(latest['paying_accounts']):,}"),
    ]
    if pd.notna(last_full["nrr"]):
        kpis.append((f"NRR ({_month_label(last_full['month'])})", f"{last_full['nrr']:.1%}"))
    if pd.notna(last_full["logo_churn_rate"]):
        kpis.append(("Logo churn", f"{last_full['logo_churn_rate']:.1%}"))
    if not nps.empty:
        kpis.append((f"NPS ({_month_label(nps.iloc[-1]['month'])})", f"{nps.iloc[-1]['nps']:+.0f}"))
    accounts, mrr = at_risk_total
    kpis.append(("At risk", f"{accounts:,} accounts, ${float(mrr or 0):,.0f} MRR"))
    return kpis


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
.kpis { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0 2rem; }
.kpi { background: #f3f5fb; border-radius: 8px; padding: .8rem 1.2rem; }
.kpi b { display: block; font-size: 1.4rem; }
.chart { margin-bottom: 2rem; } .empty-chart { color: #888; font-style: italic; }
table.worklist { border-collapse: collapse; width: 100%; font-size: .9rem; }
.worklist th, .worklist td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; }
.band-red { color: #d64545; font-weight: bold; } .band-yellow { color: #b08a00; }
"""


def render_report(serving_path: Path) -> tuple[str, dict[str, int]]:
    """The report's HTML, and how many rows fed each part (for the asset's metadata)."""
    with duckdb.connect(str(serving_path), read_only=True) as con:
        data = {name: _frame(con, sql) for name, sql in _QUERIES.items()}
        at_risk_total = con.execute(
            "select count(*), sum(mrr_at_stake) from marts.rpt_at_risk_accounts"
        ).fetchone()
    charts = [
        mrr_waterfall(data["revenue"]),
        revenue_trend(data["revenue"]),
        voice_of_customer(data["nps"], data["csat"]),
        health_bands(data["health"]),
        trial_conversion(data["trials"]),
    ]
    sections, plotly_included = [], False
    for number, chart in enumerate(charts):
        sections.append(f"<h2>{html.escape(chart.title)}</h2>")
        if chart.figure is None:
            sections.append(
                f"<p class='empty-chart'>No data: {html.escape(chart.empty_reason)}.</p>"
            )
            continue
        chart.figure.update_layout(height=420, margin={"t": 30}, template="plotly_white")
        sections.append(
            "<div class='chart'>"
            + chart.figure.to_html(
                full_html=False,
                include_plotlyjs=not plotly_included,  # inline once: the page works offline
                div_id=f"chart-{number}",
                config={"displaylogo": False, "responsive": True},
            )
            + "</div>"
        )
        plotly_included = True
    log = data["log"]
    as_of = f"{log['as_of'].iloc[0]:%Y-%m-%d}" if not log.empty else "unknown"
    published = f"{log['published_at'].iloc[0]:%Y-%m-%d %H:%M}" if not log.empty else "never"
    kpis = "".join(
        f"<div class='kpi'>{html.escape(label)}<b>{html.escape(value)}</b></div>"
        for label, value in _kpis(data["revenue"], data["nps"], at_risk_total)
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Customer Success report, as of {as_of}</title>
<style>{_STYLE}</style></head><body>
<h1>Customer Success report</h1>
<p>As of <b>{as_of}</b>, published {published} UTC
from <code>{html.escape(serving_path.name)}</code>.
Definitions: METRICS.md rule ids in each title.</p>
<div class="kpis">{kpis}</div>
{"".join(sections)}
<h2>At-risk worklist: top {WORKLIST_ROWS} by MRR at stake (HLT-1)</h2>
{_worklist_html(data["at_risk"])}
<h2>Renewals due in the next 90 days (RNW-2)</h2>
{_renewals_html(data["renewals"])}
<p><small>Generated {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}.</small></p>
</body></html>
"""
    rows = {name: len(frame) for name, frame in data.items() if name != "log"}
    return page, rows


def write_report(serving_path: Path, report_path: Path) -> dict[str, int]:
    """Render and write the report atomically (a reader never opens half a page)."""
    page, rows = render_report(serving_path)
    report_path.parent.mkdir(parents=True, exist_ok=True)
    partial = report_path.with_name(f".{report_path.name}.tmp")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, report_path)
    return rows


@asset(
    key=AssetKey(["serving", "cs_report"]),
    deps=[AssetKey(["serving", "published_warehouse"])],
    group_name="serving",
    kinds={"html", "plotly"},
    description=(
        "Self-contained HTML report for the CS team (CS_REPORT_PATH, default "
        "data/cs_report.html): MRR movements waterfall, MRR/NRR/logo churn, NPS/CSAT, health "
        "bands, trial conversion by cohort, at-risk worklist, renewals due in 90 days with their "
        "forecast. Drawn from the published serving "
        "file, so it only ever shows checked numbers."
    ),
)
def cs_report(context: AssetExecutionContext) -> MaterializeResult:
    settings = get_settings()
    rows = write_report(settings.serving_path, settings.report_path)
    context.log.info(f"Wrote the CS report to {settings.report_path}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(settings.report_path)),
            "bytes": settings.report_path.stat().st_size,
            "rows_by_section": MetadataValue.json(rows),
        }
    )
