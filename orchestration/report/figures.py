"""The index page's charts: one Plotly figure per chart from one selection's facts.

Every builder draws the same traces whatever the selection (the spines of months and days are
shared, an empty selection gives zeros or gaps), so a selection's figure is stored as the few
trace and layout values that differ from the all-accounts figure (`patch`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from orchestration.headlines import month_label
from orchestration.report.cube import SelectionFacts

WATERFALL_MONTHS = 6
SMALL_MONTH = 10  # a month's NPS from fewer responses is drawn as an open marker
GREEN, YELLOW, RED, BLUE, GREY = "#2e9e5b", "#e8b923", "#d64545", "#4063d8", "#8a8f98"
BAND_COLOURS = {"green": GREEN, "yellow": YELLOW, "red": RED}
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
class ChartSpec:
    id: str
    title: str
    draw: Callable[[SelectionFacts], go.Figure]
    has_data: Callable[[SelectionFacts], bool]  # False for all accounts: `empty` in words
    empty: str


def _dates(index: pd.Index) -> list[str]:
    return [f"{day:%Y-%m-%d}" for day in index]


def _values(series: pd.Series) -> list[float | None]:
    return [None if pd.isna(value) else float(value) for value in series]


def mrr_waterfall(facts: SelectionFacts) -> go.Figure:
    months = facts.revenue.tail(WATERFALL_MONTHS)
    x_month, x_step, values, measures = [], [], [], []
    first = months.iloc[0]
    x_month.append(month_label(months.index[0]))
    x_step.append("Opening")
    values.append(float(first["mrr_start"]))
    measures.append("absolute")
    for month, row in months.iterrows():
        for name, column, sign in MOVEMENTS:
            x_month.append(month_label(month))
            x_step.append(name)
            values.append(sign * float(row[column]))
            measures.append("relative")
        x_month.append(month_label(month))
        x_step.append("Closing" if row["is_complete_month"] else "To date")
        values.append(0.0)  # a "total" bar shows the running sum: the month's closing MRR
        measures.append("total")
    figure = go.Figure(
        go.Waterfall(
            x=[x_month, x_step], y=values, measure=measures,
            increasing={"marker": {"color": GREEN}}, decreasing={"marker": {"color": RED}},
            totals={"marker": {"color": BLUE}},
            hovertemplate="%{x}<br>%{y:$,.0f}<extra></extra>",
        )
    )  # fmt: skip
    # Movements are small next to MRR itself: start the axis near the lowest level reached.
    levels = [float(first["mrr_start"]), *months["mrr"].astype(float)]
    low, high = min(levels), max(levels)
    pad = max((high - low) * 0.5, high * 0.02, 1.0)
    figure.update_layout(
        yaxis_title="MRR (USD)", yaxis_range=[max(low - pad, 0), high + pad], showlegend=False
    )
    return figure


def revenue_trend(facts: SelectionFacts) -> go.Figure:
    months = facts.revenue
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(
        go.Bar(x=_dates(months.index), y=_values(months["mrr"]), name="MRR", marker_color=BLUE,
               hovertemplate="%{x|%b %Y}: %{y:$,.0f}<extra>MRR</extra>")
    )  # fmt: skip
    for column, name, colour in (
        ("nrr", "NRR", GREEN),
        ("grr", "GRR", GREY),
        ("logo_churn_rate", "Logo churn", RED),
    ):
        figure.add_trace(
            go.Scatter(x=_dates(months.index), y=_values(months[column]), name=name,
                       mode="lines+markers", line={"color": colour},
                       hovertemplate=f"%{{x|%b %Y}}: %{{y:.1%}}<extra>{name}</extra>"),
            secondary_y=True,
        )  # fmt: skip
    figure.update_yaxes(title_text="MRR (USD)", secondary_y=False)
    figure.update_yaxes(title_text="rate", tickformat=".0%", secondary_y=True)
    return figure


def voice_of_customer(facts: SelectionFacts) -> go.Figure:
    nps, csat = facts.nps, facts.csat
    small = [count < SMALL_MONTH for count in nps["responses"]]
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(
        go.Scatter(
            x=_dates(nps.index), y=_values(nps["nps"]), name="NPS", mode="lines+markers",
            customdata=[int(count) for count in nps["responses"]],
            marker={"symbol": ["circle-open" if s else "circle" for s in small], "size": 9},
            hovertemplate="%{x|%b %Y}: NPS %{y:.0f} from %{customdata} responses<extra></extra>",
        )
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=_dates(csat.index), y=_values(csat["csat"]), name="CSAT %", mode="lines+markers",
            customdata=[int(count) for count in csat["ratings"]],
            hovertemplate="%{x|%b %Y}: CSAT %{y:.0f}% from %{customdata} ratings<extra></extra>",
        ),
        secondary_y=True,
    )  # fmt: skip
    figure.update_yaxes(title_text="NPS (-100..100)", range=[-100, 100], secondary_y=False)
    figure.update_yaxes(title_text="CSAT (% satisfied)", range=[0, 100], secondary_y=True)
    return figure


def health_bands(facts: SelectionFacts) -> go.Figure:
    figure = go.Figure()
    for band, colour in BAND_COLOURS.items():
        figure.add_trace(
            go.Scatter(x=_dates(facts.health.index), y=_values(facts.health[band]), name=band,
                       stackgroup="bands", mode="lines", line={"color": colour})
        )  # fmt: skip
    figure.update_layout(yaxis_title="paying accounts")
    return figure


def engagement(facts: SelectionFacts) -> go.Figure:
    days = facts.engagement
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    for column, name, colour in (("mau", "MAU", GREY), ("dau", "DAU", BLUE)):
        figure.add_trace(
            go.Scatter(x=_dates(days.index), y=_values(days[column]), name=name, mode="lines",
                       line={"color": colour})
        )  # fmt: skip
    figure.add_trace(
        go.Scatter(x=_dates(days.index), y=_values(days["stickiness"]), name="Stickiness",
                   mode="lines", line={"color": GREEN},
                   hovertemplate="%{x|%d %b %Y}: %{y:.1%}<extra>DAU/MAU</extra>"),
        secondary_y=True,
    )  # fmt: skip
    figure.update_yaxes(title_text="active users", secondary_y=False)
    figure.update_yaxes(title_text="DAU / MAU", tickformat=".0%", secondary_y=True)
    return figure


def delinquency(facts: SelectionFacts) -> go.Figure:
    days = facts.delinquency
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(
        go.Scatter(x=_dates(days.index), y=_values(days["amount_overdue"]),
                   name="Amount overdue", mode="lines", fill="tozeroy", line={"color": RED},
                   hovertemplate="%{x|%d %b %Y}: %{y:$,.0f}<extra>overdue</extra>")
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(x=_dates(days.index), y=_values(days["accounts_past_due"]),
                   name="Accounts past due", mode="lines", line={"color": GREY}),
        secondary_y=True,
    )  # fmt: skip
    figure.update_yaxes(title_text="overdue (USD)", rangemode="tozero", secondary_y=False)
    figure.update_yaxes(
        title_text="accounts", rangemode="tozero", tickformat=",d", secondary_y=True
    )
    return figure


def trial_conversion(facts: SelectionFacts) -> go.Figure:
    trials = facts.trials
    colours = [BLUE if complete else "#a9b8ee" for complete in trials["is_complete"]]
    figure = go.Figure(
        go.Bar(
            x=_dates(trials.index), y=_values(trials["conversion_rate"]), marker_color=colours,
            text=[f"{int(c)}/{int(n)}" for c, n in zip(trials["converted"], trials["trials"],
                                                         strict=True)],
            textposition="outside",
            customdata=[[int(c), int(n)] for c, n in zip(trials["converted"], trials["trials"],
                                                         strict=True)],
            hovertemplate="%{x|%b %Y}: %{y:.0%} (%{customdata[0]} of %{customdata[1]})"
            "<extra></extra>",
        )
    )  # fmt: skip
    figure.update_layout(
        yaxis_tickformat=".0%", yaxis_title="converted", yaxis_range=[0, 1.1],
        xaxis_title="trial cohort (bar label: converted/trials; light: still open)",
    )  # fmt: skip
    return figure


CHARTS = [
    ChartSpec("chart-waterfall", f"MRR movements, last {WATERFALL_MONTHS} months (MRR-6)",
              mrr_waterfall, lambda f: not f.revenue.empty, "no MRR yet"),
    ChartSpec("chart-revenue", "MRR, NRR, GRR and logo churn by month (MRR-3, CHN-1)",
              revenue_trend, lambda f: not f.revenue.empty, "no MRR yet"),
    ChartSpec("chart-voice", "NPS and CSAT by month (NPS-1, CSAT-1; open marker: under "
              f"{SMALL_MONTH} responses)", voice_of_customer,
              lambda f: bool(f.nps["responses"].sum() or f.csat["ratings"].sum()),
              "no survey responses yet"),
    ChartSpec("chart-health", "Paying accounts by health band by day (HLT-1)", health_bands,
              lambda f: bool(f.health.to_numpy().sum()), "no health scores yet"),
    ChartSpec("chart-engagement", "Engagement: DAU, MAU and stickiness = DAU / MAU (ENG-1)",
              engagement, lambda f: bool(f.engagement["mau"].sum()), "no product activity yet"),
    ChartSpec("chart-delinquency", "Delinquency: amount overdue and accounts past due (DLQ-1)",
              delinquency, lambda f: not f.revenue.empty, "no billing yet"),
    ChartSpec("chart-trials", "Trial conversion by cohort month (TRL-1)", trial_conversion,
              lambda f: bool(f.trials["trials"].sum()), "no trials yet"),
]  # fmt: skip


def _rounded(value: object) -> object:
    """JSON values with floats cut to what a chart shows (cents, or 6 significant digits)."""
    if isinstance(value, float):
        return round(value, 2) if abs(value) >= 100 else float(f"{value:.6g}")
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


def figure_json(figure: go.Figure) -> dict:
    """The figure as plain JSON data and layout, without the template (shared once)."""
    plain = json.loads(pio.to_json(figure, validate=False))
    plain["layout"].pop("template", None)
    return _rounded({"data": plain["data"], "layout": plain["layout"]})


def patch(base: dict, other: dict) -> dict:
    """What `other` changes in `base`: per trace and top-level layout key, the new values."""
    if len(base["data"]) != len(other["data"]):
        raise ValueError("a chart drew a different number of traces for another selection")
    traces = [
        {key: value for key, value in trace.items() if base_trace.get(key) != value}
        for base_trace, trace in zip(base["data"], other["data"], strict=True)
    ]
    layout = {
        key: value for key, value in other["layout"].items() if base["layout"].get(key) != value
    }
    found = {}
    if any(traces):
        found["data"] = traces
    if layout:
        found["layout"] = layout
    return found


def template_json() -> dict:
    return pio.templates["plotly_white"].to_plotly_json()
