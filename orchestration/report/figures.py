"""The index page's charts: one Plotly figure per chart from one selection's facts.

Figures are plain Plotly JSON (`{"data": [...], "layout": {...}}`), which Plotly.js draws as it
is; building them as dicts is ~50x faster than through plotly.py's validating objects, and the
report draws one figure per chart and selection. Every builder draws the same traces whatever
the selection (the spines of months and days are shared, an empty selection gives zeros or
gaps), so a selection's figure is stored as the few trace and layout values that differ from
the all-accounts figure (`patch`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.io as pio

from orchestration.headlines import month_label
from orchestration.report.cube import SelectionFacts

Figure = dict  # Plotly JSON: {"data": [trace, ...], "layout": {...}}

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
    draw: Callable[[SelectionFacts], Figure]
    has_data: Callable[[SelectionFacts], bool]  # False for all accounts: `empty` in words
    empty: str


def dates(index: pd.Index) -> list[str]:
    return [f"{day:%Y-%m-%d}" for day in index]


def values(series: pd.Series) -> list[float | None]:
    return [None if pd.isna(value) else float(value) for value in series]


def counts(series: pd.Series) -> list[int]:
    return [int(value) for value in series]


def two_axes(left: dict, right: dict) -> dict:
    """Layout with a left y axis and a right one (traces on it say `"yaxis": "y2"`)."""
    return {
        "yaxis": left,
        "yaxis2": {**right, "overlaying": "y", "side": "right", "showgrid": False},
        "legend": {"x": 1.08},
    }


def line(x: list, y: list, name: str, colour: str, **more: object) -> dict:
    return {"type": "scatter", "x": x, "y": y, "name": name, "mode": "lines",
            "line": {"color": colour}, **more}  # fmt: skip


def mrr_waterfall(facts: SelectionFacts) -> Figure:
    months = facts.revenue.tail(WATERFALL_MONTHS)
    first = months.iloc[0]
    x_month, x_step = [month_label(months.index[0])], ["Opening"]
    amounts, measures = [float(first["mrr_start"])], ["absolute"]
    for month, row in months.iterrows():
        for name, column, sign in MOVEMENTS:
            x_month.append(month_label(month))
            x_step.append(name)
            amounts.append(sign * float(row[column]))
            measures.append("relative")
        x_month.append(month_label(month))
        x_step.append("Closing" if row["is_complete_month"] else "To date")
        amounts.append(0.0)  # a "total" bar shows the running sum: the month's closing MRR
        measures.append("total")
    # Movements are small next to MRR itself: start the axis near the lowest level reached.
    levels = [float(first["mrr_start"]), *months["mrr"].astype(float)]
    low, high = min(levels), max(levels)
    pad = max((high - low) * 0.5, high * 0.02, 1.0)
    waterfall = {
        "type": "waterfall", "x": [x_month, x_step], "y": amounts, "measure": measures,
        "increasing": {"marker": {"color": GREEN}}, "decreasing": {"marker": {"color": RED}},
        "totals": {"marker": {"color": BLUE}},
        "hovertemplate": "%{x}<br>%{y:$,.0f}<extra></extra>",
    }  # fmt: skip
    layout = {
        "yaxis": {"title": {"text": "MRR (USD)"}, "range": [max(low - pad, 0), high + pad]},
        "showlegend": False,
    }
    return {"data": [waterfall], "layout": layout}


def revenue_trend(facts: SelectionFacts) -> Figure:
    months = facts.revenue
    x = dates(months.index)
    traces = [
        {"type": "bar", "x": x, "y": values(months["mrr"]), "name": "MRR",
         "marker": {"color": BLUE}, "hovertemplate": "%{x|%b %Y}: %{y:$,.0f}<extra>MRR</extra>"}
    ]  # fmt: skip
    for column, name, colour in (
        ("nrr", "NRR", GREEN),
        ("grr", "GRR", GREY),
        ("logo_churn_rate", "Logo churn", RED),
    ):
        traces.append(
            line(x, values(months[column]), name, colour, mode="lines+markers", yaxis="y2",
                 hovertemplate=f"%{{x|%b %Y}}: %{{y:.1%}}<extra>{name}</extra>")
        )  # fmt: skip
    layout = two_axes(
        {"title": {"text": "MRR (USD)"}},
        {"title": {"text": "rate"}, "tickformat": ".0%", "rangemode": "tozero"},
    )
    return {"data": traces, "layout": layout}


def voice_of_customer(facts: SelectionFacts) -> Figure:
    nps, csat = facts.nps, facts.csat
    symbols = ["circle-open" if count < SMALL_MONTH else "circle" for count in nps["responses"]]
    traces = [
        line(dates(nps.index), values(nps["nps"]), "NPS", BLUE, mode="lines+markers",
             customdata=counts(nps["responses"]), marker={"symbol": symbols, "size": 9},
             hovertemplate="%{x|%b %Y}: NPS %{y:.0f} from %{customdata} responses"
             "<extra></extra>"),
        line(dates(csat.index), values(csat["csat"]), "CSAT %", RED, mode="lines+markers",
             yaxis="y2", customdata=counts(csat["ratings"]),
             hovertemplate="%{x|%b %Y}: CSAT %{y:.0f}% from %{customdata} ratings"
             "<extra></extra>"),
    ]  # fmt: skip
    layout = two_axes(
        {"title": {"text": "NPS (-100..100)"}, "range": [-100, 100]},
        {"title": {"text": "CSAT (% satisfied)"}, "range": [0, 100]},
    )
    return {"data": traces, "layout": layout}


def health_bands(facts: SelectionFacts) -> Figure:
    x = dates(facts.health.index)
    traces = [
        line(x, values(facts.health[band]), band, colour, stackgroup="bands")
        for band, colour in BAND_COLOURS.items()
    ]
    return {"data": traces, "layout": {"yaxis": {"title": {"text": "paying accounts"}}}}


def engagement(facts: SelectionFacts) -> Figure:
    days = facts.engagement
    x = dates(days.index)
    traces = [
        line(x, values(days["mau"]), "MAU", GREY),
        line(x, values(days["dau"]), "DAU", BLUE),
        line(x, values(days["stickiness"]), "Stickiness", GREEN, yaxis="y2",
             hovertemplate="%{x|%d %b %Y}: %{y:.1%}<extra>DAU/MAU</extra>"),
    ]  # fmt: skip
    layout = two_axes(
        {"title": {"text": "active users"}},
        {"title": {"text": "DAU / MAU"}, "tickformat": ".0%", "rangemode": "tozero"},
    )
    return {"data": traces, "layout": layout}


def delinquency(facts: SelectionFacts) -> Figure:
    days = facts.delinquency
    x = dates(days.index)
    traces = [
        line(x, values(days["amount_overdue"]), "Amount overdue", RED, fill="tozeroy",
             hovertemplate="%{x|%d %b %Y}: %{y:$,.0f}<extra>overdue</extra>"),
        line(x, values(days["accounts_past_due"]), "Accounts past due", GREY, yaxis="y2"),
    ]  # fmt: skip
    layout = two_axes(
        {"title": {"text": "overdue (USD)"}, "rangemode": "tozero"},
        {"title": {"text": "accounts"}, "rangemode": "tozero", "tickformat": ",d"},
    )
    return {"data": traces, "layout": layout}


def trial_conversion(facts: SelectionFacts) -> Figure:
    trials = facts.trials
    pairs = list(zip(counts(trials["converted"]), counts(trials["trials"]), strict=True))
    bars = {
        "type": "bar", "x": dates(trials.index), "y": values(trials["conversion_rate"]),
        "marker": {"color": [BLUE if done else "#a9b8ee" for done in trials["is_complete"]]},
        "text": [f"{converted}/{count}" for converted, count in pairs],
        "textposition": "outside", "customdata": [list(pair) for pair in pairs],
        "hovertemplate": "%{x|%b %Y}: %{y:.0%} (%{customdata[0]} of %{customdata[1]})"
        "<extra></extra>",
    }  # fmt: skip
    layout = {
        "yaxis": {"tickformat": ".0%", "title": {"text": "converted"}, "range": [0, 1.1]},
        "xaxis": {"title": {"text": "trial cohort (bar label: converted/trials; light: open)"}},
    }
    return {"data": [bars], "layout": layout}


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


def _round(value: float) -> float:
    """A float cut to what a chart shows (cents, or 6 significant digits)."""
    return round(value, 2) if abs(value) >= 100 else float(f"{value:.6g}")


def rounded_values(array: np.ndarray) -> list[float | None]:
    """`_round` of every value of a float array at once (NaN: None), for the long daily lines
    of thousands of account pages. Scaling by a power of ten, rounding half to even and
    dividing gives the double nearest the decimal `_round` writes; the two differ only on a
    value within an ulp of a half in its last kept digit (tested against `_round`)."""
    values = np.asarray(array, dtype=float)
    magnitude = np.abs(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        digits = np.where(magnitude >= 100, 2, 5 - np.floor(np.log10(magnitude)))
    # Zero, NaN and values too small for an exact power of ten keep their own value.
    exact = np.isfinite(digits) & (digits <= 22)
    scale = 10.0 ** np.where(exact, digits, 0)
    rounded = np.where(exact, np.rint(values * scale) / scale, values)
    return [None if value != value else value for value in rounded.tolist()]


_SCALARS = (str, int, bool, type(None))


def _rounded(value: object) -> object:
    """JSON values with floats cut by `_round`. A list's plain values are handled in place,
    without a call each: a report of thousands of account pages rounds millions of them."""
    if isinstance(value, float):
        return _round(value)
    if isinstance(value, list):
        return [
            _round(item) if type(item) is float
            else item if type(item) in _SCALARS
            else _rounded(item)
            for item in value
        ]  # fmt: skip
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


def figure_json(figure: Figure) -> Figure:
    """The figure as the page embeds it: floats rounded (the template is shared once)."""
    return _rounded(figure)


def patch(base: Figure, other: Figure) -> dict:
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
    """Plotly's plotly_white template, shared by every page (theme.js)."""
    return pio.templates["plotly_white"].to_plotly_json()
