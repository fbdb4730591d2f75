"""One page per account the index links to: its facts (ACC-1), MRR history (MRR-3, MRR-6),
health components over time (HLT-1), survey answers (NPS-1, CSAT-1), tickets and CSM meetings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from orchestration.headlines import money, percent
from orchestration.report.figures import (
    BLUE,
    GREEN,
    GREY,
    RED,
    Figure,
    dates,
    figure_json,
    rounded_values,
    values,
)
from orchestration.report.load import Rows
from orchestration.report.tables import reason_words

LIST_ROWS = 50  # newest survey answers, tickets and meetings listed per account
DAY_MS = 86_400_000
COMPONENTS = [
    ("engagement_trend_score", "engagement trend"),
    ("seat_utilisation_score", "seat utilisation"),
    ("nps_score", "NPS"),
    ("support_score", "support"),
    ("billing_score", "billing"),
    ("csm_touch_score", "CSM touch"),
]
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def page_names(account_ids: list[str]) -> dict[str, str]:
    """account id -> its page, relative to the index: accounts/<id>.html (unsafe characters
    replaced; two ids that would share a file are refused)."""
    pages: dict[str, str] = {}
    owners: dict[str, str] = {}
    for account_id in sorted(set(account_ids)):
        name = f"accounts/{_UNSAFE.sub('_', account_id)}.html"
        if name in owners:
            raise ValueError(f"accounts {owners[name]!r} and {account_id!r} would share {name}")
        owners[name] = account_id
        pages[account_id] = name
    return pages


def _value(value: object, fallback: str = "-") -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return fallback
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _plural(count: object, noun: str) -> str:
    number = int(count)
    return f"{number} {noun if number == 1 else noun + 's'}"


def _score(value: object, signed: bool = False) -> str:
    if value is None or pd.isna(value):
        return "-"
    return f"{float(value):+.1f}" if signed else f"{float(value):.1f}"


def _worklist_band(account: Mapping[str, Any]) -> str:
    """The account's band in the worklist (orchestration/worklist.py) and the score it was cut
    on; '-' for an account not scored today."""
    band = account.get("worklist_band")
    if band is None or pd.isna(band):
        return "-"
    return f"{band} (score {_score(account.get('worklist_score'))})"


def facts_list(account: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The account's ACC-1 facts as (label, text), in reading order."""
    nps, csat = account["nps_180d"], account["csat_90d"]
    nps_text = "n/a" if pd.isna(nps) else f"{nps:.0f}"
    csat_text = percent(None if pd.isna(csat) else csat / 100)
    return [
        ("Account id", _value(account["account_id"])),
        ("Segment", _value(account["segment"])),
        ("CSM", _value(account["csm_owner_name"])),
        ("MRR", money(account["current_mrr"])),
        ("ARR", money(account["current_arr"])),
        ("Products", _value(account["current_products"])),
        ("Health", f"{_score(account['health_score'])} ({_value(account['health_band'])})"),
        ("Worklist band", _worklist_band(account)),
        ("Health change, 30 days", _score(account["health_score_change_30d"], signed=True)),
        ("Main risk", reason_words(account["top_risk_reason"], account["account_id"])),
        ("NPS, 180 days", f"{nps_text} ({_plural(account['nps_responses_180d'], 'response')})"),
        ("CSAT, 90 days", f"{csat_text} ({_plural(account['csat_ratings_90d'], 'rating')})"),
        ("Open tickets", _value(account["open_tickets"])),
        ("Last CSM meeting", _value(account["last_csm_meeting_date"])),
        ("Next renewal", f"{_value(account['next_renewal_date'])} "
                         f"({money(account['next_renewal_arr'])} ARR)"),
        ("Amount overdue", money(account["amount_overdue"])),
        ("Days past due", _value(account["days_past_due"])),
    ]  # fmt: skip


def mrr_history(mrr: Rows) -> Figure:
    movement = [
        kind + (f" {change:+,.0f}" if kind != "unchanged" else "")
        for kind, change in zip(mrr["movement"], mrr["movement_mrr"], strict=True)
    ]
    bars = {
        "type": "bar", "x": dates(mrr["month"]), "y": values(mrr["mrr"]), "name": "MRR",
        "marker": {"color": BLUE}, "customdata": movement,
        "hovertemplate": "%{x|%b %Y}: %{y:$,.2f} (%{customdata})<extra></extra>",
    }  # fmt: skip
    layout = {"yaxis": {"title": {"text": "MRR (USD)"}}, "height": 320, "margin": {"t": 20}}
    return {"data": [bars], "layout": layout}


def health_history(health: Rows, days: pd.DatetimeIndex) -> Figure:
    """Health score and its components per day on the report's day spine (gaps: not paying);
    the days are given as a start and a step, not repeated in every trace. Its lines are
    rounded as they are drawn (`rounded_values`): ~1,300 values a page, too many to round one
    by one on thousands of pages."""
    # Each row's position on the (daily) spine; rows off the spine are not drawn.
    first_day = np.datetime64(f"{days[0]:%Y-%m-%d}", "D")
    positions = (np.asarray(health["date_day"], dtype="datetime64[D]") - first_day).astype(int)
    on_spine = (positions >= 0) & (positions < len(days))
    spine = {"x0": f"{days[0]:%Y-%m-%d}", "dx": DAY_MS}

    def day_line(column: str, name: str, colour: str, width: float) -> dict:
        line = np.full(len(days), np.nan)
        line[positions[on_spine]] = np.asarray(health[column], dtype=float)[on_spine]
        return {"type": "scatter", "y": rounded_values(line), "name": name, "mode": "lines",
                "line": {"color": colour, "width": width}, **spine}  # fmt: skip

    palette = [BLUE, GREEN, "#9b59b6", "#e67e22", RED, GREY]
    traces = [day_line("health_score", "health score", "#222", 3)]
    traces += [
        day_line(column, name, colour, 1.5)
        for (column, name), colour in zip(COMPONENTS, palette, strict=True)
    ]
    layout = {
        "yaxis": {"title": {"text": "score (0-100)"}, "range": [0, 105]},
        "xaxis": {"type": "date"}, "height": 380, "margin": {"t": 20},
    }  # fmt: skip
    return {"data": traces, "layout": layout}


# The lists below are built from plain Python values of each account's few rows: pandas
# operations on small frames (assign, map, concat, sort) cost ~25 ms a page, most of the report's
# time with thousands of account pages.


def _listed(headings: list[str], rows: list[tuple], total: int) -> dict:
    return {
        "headings": headings,
        "rows": [[_value(cell) for cell in row] for row in rows[:LIST_ROWS]],
        "more": max(total - LIST_ROWS, 0),
    }


def _columns(rows: Rows, *names: str) -> list[list]:
    return [rows[name][:LIST_ROWS] for name in names]


def _labelled(flags: list, labels: dict[bool, str]) -> list[str | None]:
    return [None if flag is None or pd.isna(flag) else labels[bool(flag)] for flag in flags]


def surveys(nps: Rows, csat: Rows) -> dict:
    """NPS and CSAT answers together, newest response day first (ties: NPS first)."""
    nps_days, nps_scores, categories = nps["response_date"], nps["score"], nps["nps_category"]
    csat_days, csat_scores, satisfied = (
        csat["response_date"], csat["score"], csat["is_satisfied"])  # fmt: skip
    answers = [
        *zip(nps_days, ["NPS"] * len(nps), nps_scores, categories, strict=True),
        *zip(
            csat_days,
            ["CSAT"] * len(csat),
            csat_scores,
            _labelled(satisfied, {True: "satisfied", False: "not satisfied"}),
            strict=True,
        ),
    ]
    # Newest first, stable, answers without a day last (as pandas sorts).
    dated = [answer for answer in answers if not pd.isna(answer[0])]
    dated.sort(key=lambda answer: answer[0], reverse=True)
    answers = dated + [answer for answer in answers if pd.isna(answer[0])]
    return _listed(["day", "survey", "score", "answer"], answers, len(answers))


def tickets(rows: Rows) -> dict:
    created, closed, is_open, priority, stage, ticket_id = _columns(
        rows, "created_date", "closed_date", "is_open", "priority", "stage_label", "ticket_id"
    )
    state = _labelled(is_open, {True: "open", False: "closed"})
    listed = list(zip(created, closed, state, priority, stage, ticket_id, strict=True))
    headings = ["created", "closed", "state", "priority", "stage", "ticket id"]
    return _listed(headings, listed, len(rows))


def meetings(rows: Rows) -> dict:
    day, outcome, touch = _columns(rows, "meeting_date", "outcome", "is_csm_touch")
    listed = list(zip(day, outcome, _labelled(touch, {True: "yes", False: "no"}), strict=True))
    return _listed(["day", "outcome", "counts as CSM touch"], listed, len(rows))


def page_context(account: Mapping[str, Any], history: Mapping[str, Rows], days: pd.DatetimeIndex):
    """What the account template needs: facts, the two charts' JSON and the three lists."""
    charts = []
    if not history["mrr"].empty:
        charts.append(("account-mrr", "MRR by month (MRR-3; hover: MRR-6 movement)",
                       figure_json(mrr_history(history["mrr"]))))  # fmt: skip
    if not history["health"].empty:
        charts.append(("account-health", "Health score and its components by day (HLT-1)",
                       health_history(history["health"], days)))  # fmt: skip
    return {
        "account": account,
        "name": _value(account["account_name"], account["account_id"]),
        "facts": facts_list(account),
        "charts": charts,
        "surveys": surveys(history["nps"], history["csat"]),
        "tickets": tickets(history["tickets"]),
        "meetings": meetings(history["meetings"]),
    }
