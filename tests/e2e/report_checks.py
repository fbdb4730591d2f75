"""Checks of a written CS report folder against its serving file, for the end-to-end tests.

Every expected number is computed here with its own SQL on the serving file (from the
account-grain marts), never with the report's code; the report's numbers are read from what
the page embeds and from what Chromium renders.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import duckdb
import pytest

from tests.browser import Page, render

NO_SEGMENT, NO_CSM = "(no segment)", "(no CSM)"
_DATA = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.S)
_CARD = re.compile(
    r'<div class="kpi"><span class="kpi-label">([^<]*)</span><b class="kpi-value">([^<]*)</b>'
)
_CAPTION = re.compile(r'data-caption="([^"]+)">([^<]*)<')
_SI = {"": 1, "k": 1e3, "M": 1e6, "B": 1e9}


def embedded(index: Path) -> dict:
    """The data the index page embeds (base figures, selections, table rows)."""
    found = _DATA.search(index.read_text(encoding="utf-8"))
    assert found, f"{index} embeds no report data"
    return json.loads(found.group(1))


def figure(data: dict, selection: str, chart: str) -> list[dict]:
    """A chart's traces for one selection: the base figure with the selection's patch, as
    report.js merges them."""
    changes = data["selections"][selection]["patches"].get(chart, {}).get("data", [])
    base = data["charts"][chart]["data"]
    return [{**trace, **(changes[i] if i < len(changes) else {})} for i, trace in enumerate(base)]


def trace(data: dict, selection: str, chart: str, name: str) -> dict:
    traces = {t.get("name"): t for t in figure(data, selection, chart)}
    return traces[name]


def _where(segment: str | None, csm: str | None) -> tuple[str, dict]:
    clauses, params = ["true"], {}
    if segment is not None:
        clauses.append(f"coalesce(accounts.segment, '{NO_SEGMENT}') = $segment")
        params["segment"] = segment
    if csm is not None:
        clauses.append(f"coalesce(accounts.csm_owner_id, '{NO_CSM}') = $csm")
        params["csm"] = csm
    return " and ".join(clauses), params


def _sql(serving: Path, sql: str, params: dict) -> list[tuple]:
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def _expected_monthly(serving: Path, segment: str | None, csm: str | None) -> dict[str, tuple]:
    """month -> (MRR, NRR) of the accounts, straight from fct_mrr (CHN-1 written out again)."""
    where, params = _where(segment, csm)
    rows = _sql(
        serving,
        f"""select strftime(mrr.month, '%Y-%m-%d'), sum(mrr.mrr),
            1 - (sum(case when mrr.movement in ('churn', 'contraction') then -mrr.movement_mrr
                          else 0 end)
                 - sum(case when mrr.movement in ('expansion', 'reactivation')
                            then mrr.movement_mrr else 0 end))
                / nullif(sum(mrr.previous_mrr), 0)
        from marts.fct_mrr as mrr
        left join marts.dim_accounts as accounts on mrr.account_id = accounts.account_id
        where {where} group by 1""",
        params,
    )
    return {month: (float(mrr), None if nrr is None else float(nrr)) for month, mrr, nrr in rows}


def _expected_on(serving: Path, table: str, select: str, segment, csm, day: str) -> tuple:
    where, params = _where(segment, csm)
    return _sql(
        serving,
        f"""select {select} from marts.{table} as facts
        left join marts.dim_accounts as accounts on facts.account_id = accounts.account_id
        where {where} and facts.date_day = $day""",
        {**params, "day": day},
    )[0]


def _amount(value: float | None) -> object:
    """A money amount as the page stores it: to the cent."""
    return None if value is None else pytest.approx(value, rel=0, abs=0.006)


def _rate(value: float | None) -> object:
    """A rate as the page stores it: 6 significant digits."""
    return None if value is None else pytest.approx(value, rel=1e-5, abs=1e-12)


def check_selection_matches_sql(serving: Path, data: dict, key: str) -> None:
    """The charts of one selection hold the same numbers as SQL over its accounts."""
    segment, csm = (None if part == "*" else part for part in key.split("|"))
    expected = _expected_monthly(serving, segment, csm)
    mrr = trace(data, key, "chart-revenue", "MRR")
    nrr = trace(data, key, "chart-revenue", "NRR")
    for month, drawn_mrr, drawn_nrr in zip(mrr["x"], mrr["y"], nrr["y"], strict=True):
        want_mrr, want_nrr = expected.get(month, (0.0, None))
        assert drawn_mrr == _amount(want_mrr), (key, month, "MRR")
        assert drawn_nrr == _rate(want_nrr), (key, month, "NRR")
    day = trace(data, key, "chart-health", "red")["x"][-1]
    bands = _expected_on(
        serving, "fct_account_health_daily",
        "count(*) filter (where facts.health_band = 'green'), "
        "count(*) filter (where facts.health_band = 'yellow'), "
        "count(*) filter (where facts.health_band = 'red')",
        segment, csm, day,
    )  # fmt: skip
    drawn = tuple(
        trace(data, key, "chart-health", band)["y"][-1] for band in ("green", "yellow", "red")
    )
    assert drawn == bands, (key, day, "health bands")
    dau, mau = _expected_on(
        serving, "fct_engagement_daily",
        "coalesce(sum(facts.dau), 0), coalesce(sum(facts.mau), 0)", segment, csm, day,
    )  # fmt: skip
    assert trace(data, key, "chart-engagement", "DAU")["y"][-1] == dau, (key, "DAU")
    assert trace(data, key, "chart-engagement", "MAU")["y"][-1] == mau, (key, "MAU")
    (overdue,) = _expected_on(
        serving, "fct_delinquency_daily", "coalesce(sum(facts.amount_overdue), 0)", segment,
        csm, day,
    )  # fmt: skip
    drawn_overdue = trace(data, key, "chart-delinquency", "Amount overdue")["y"][-1]
    assert drawn_overdue == _amount(float(overdue)), (key, "amount overdue")


def check_all_accounts_match_the_marts(serving: Path, data: dict) -> None:
    """With no filter, the charts equal the marts' own totals and rates month by month."""
    rows = _sql(
        serving,
        "select strftime(month, '%Y-%m-%d'), mrr, nrr, grr, logo_churn_rate "
        "from marts.fct_revenue_monthly",
        {},
    )
    marts = {month: values for month, *values in rows}
    traces = {t["name"]: t for t in figure(data, "*|*", "chart-revenue")}
    for i, month in enumerate(traces["MRR"]["x"]):
        mrr, nrr, grr, churn = marts[month]
        assert traces["MRR"]["y"][i] == _amount(float(mrr)), month
        assert traces["NRR"]["y"][i] == _rate(nrr), month
        assert traces["GRR"]["y"][i] == _rate(grr), month
        assert traces["Logo churn"]["y"][i] == _rate(churn), month


def cards(dom: str) -> dict[str, str]:
    return {html.unescape(label): html.unescape(value) for label, value in _CARD.findall(dom)}


def captions(dom: str) -> dict[str, str]:
    return {key: html.unescape(text) for key, text in _CAPTION.findall(dom)}


def money(value: float) -> str:
    rounded = round(value)
    return f"-${-rounded:,}" if rounded < 0 else f"${rounded:,}"


def _chart_svg(dom: str, chart: str) -> str:
    start = dom.index(f'id="{chart}"')
    end = dom.find('class="caption"', start)
    return dom[start:end]


def top_tick(dom: str, chart: str) -> float:
    """The highest value labelled on a chart's left axis, as Chromium drew it ('350k' -> 350000)."""
    ticks = re.findall(r'class="ytick">.*?<text[^>]*>([^<]+)</text>', _chart_svg(dom, chart))
    assert ticks, f"{chart} has no y axis ticks"
    values = []
    for tick in ticks:
        match = re.fullmatch(r"-?([\d.,]+)([kMB]?)", tick.replace("\u2212", "-").strip())
        if match:
            values.append(float(match.group(1).replace(",", "")) * _SI[match.group(2)])
    return max(values)


def _column(table: str, index: int) -> list[str]:
    """The texts of one column of a rendered table's body."""
    body = table.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body)
    return [html.unescape(re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", row)[index]))
            for row in rows]  # fmt: skip


def _dollars(texts: list[str]) -> list[float]:
    return [float(text.replace("$", "").replace(",", "")) for text in texts]


def check_filter_in_browser(serving: Path, index: Path) -> dict:
    """Open the index filtered on its largest segment, the yellow worklist sorted by MRR at
    stake (largest first) and the renewals by ARR due (smallest first), as the address says
    after clicks on those headings: the cards, the charts' axis and the tables show that
    segment's numbers in that order; returns what was checked."""
    data = embedded(index)
    segment = max(data["segments"], key=lambda option: option["accounts"])["key"]
    dom, console = render(
        index, f"segment={segment}&sort=worklist-yellow:6:desc&sort=renewals:4:asc"
    )
    assert console == []
    where, params = _where(segment, None)
    mrr, accounts, at_risk, renewals = _sql(
        serving,
        f"""select
            (select coalesce(sum(mrr.mrr), 0) from marts.fct_mrr as mrr
             left join marts.dim_accounts as accounts on mrr.account_id = accounts.account_id
             where {where} and mrr.month = (select max(month) from marts.fct_mrr)),
            (select count(*) from marts.dim_accounts as accounts where {where}),
            (select count(*) from marts.rpt_health_calibrated as risk
             inner join marts.dim_accounts as accounts on risk.account_id = accounts.account_id
             where {where} and risk.calibrated_band in ('red', 'yellow')),
            (select count(*) from marts.fct_renewal_forecast as forecast
             inner join marts.dim_accounts as accounts on forecast.account_id = accounts.account_id
             where {where} and forecast.is_next_term)""",
        params,
    )[0]
    shown = cards(dom)
    assert shown["MRR"] == money(float(mrr)), (segment, shown)
    unfiltered = cards(render(index)[0])
    assert unfiltered["MRR"] != shown["MRR"], "the filter changed nothing"
    # Plotly re-drew the MRR chart on the segment's scale: its top tick is near its largest MRR
    largest = max(value for value in trace(data, f"{segment}|*", "chart-revenue", "MRR")["y"])
    assert 0.5 * largest <= top_tick(dom, "chart-revenue") <= 1.1 * largest
    tables = {name: dom.split(f'id="{name}"', 1)[1].split("</table>", 1)[0]
              for name in ("worklist-red", "worklist-yellow", "renewals")}  # fmt: skip
    assert sum(tables[name].count("<tr>") - 1 for name in ("worklist-red", "worklist-yellow")) == (
        at_risk
    )
    assert tables["renewals"].count("<tr>") - 1 == renewals
    stakes = _dollars(_column(tables["worklist-yellow"], 6))
    assert len(stakes) > 1 and stakes == sorted(stakes, reverse=True), stakes
    arr_due = _dollars(_column(tables["renewals"], 4))
    assert len(arr_due) > 1 and arr_due == sorted(arr_due), arr_due
    assert '<th class="desc">MRR at stake</th>' in tables["worklist-yellow"]
    assert f">{segment} ({accounts} accounts)</option>" in dom
    return {"segment": segment, "mrr": shown["MRR"], "dom": dom}


def check_account_page_from_worklist(serving: Path, index: Path, dom: str) -> str:
    """Follow the first worklist link of a rendered index: the account page opens without
    console errors and shows that account's MRR, with its MRR history drawn."""
    links = []
    for band in ("worklist-red", "worklist-yellow"):
        table = dom.split(f'id="{band}"', 1)[1].split("</table>", 1)[0]
        links += re.findall(r'<a href="(accounts/[^"]+\.html)">([^<]*)</a>', table)
    assert links, "the worklist links to no account page"
    href, account_id = (html.unescape(part) for part in links[1])  # row 1: name, then id link
    page = index.parent / href
    page_dom, console = render(page)
    assert console == []
    (mrr,) = _sql(
        serving,
        "select current_mrr from marts.dim_accounts where account_id = $id",
        {"id": account_id},
    )[0]
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", page_dom))
    assert facts["Account id"] == account_id
    assert facts["MRR"] == money(float(mrr))
    chart = page_dom.split('id="account-mrr"', 1)[1]
    assert 'class="point"' in chart, "the MRR history has no bars"
    return account_id


def check_worklist_sorts_by_click(serving: Path, index: Path) -> list[float]:
    """Open the index, click the yellow worklist's "MRR at stake" heading twice in Chromium:
    the rows are the calibrated yellow accounts of rpt_health_calibrated (SQL), smallest MRR
    first after one click, largest first after the second; returns the amounts."""
    (expected,) = _sql(
        serving,
        "select list(cast(mrr_at_stake as double) order by mrr_at_stake) "
        "from marts.rpt_health_calibrated where calibrated_band = 'yellow'",
        {},
    )[0]
    heading = "#worklist-yellow th:nth-child(7)"
    column = (
        "Array.from(document.querySelectorAll('#worklist-yellow tbody tr'))"
        ".map(row => row.cells[6].textContent)"
    )
    with Page(index) as page:
        page.wait_until("document.querySelectorAll('#worklist-yellow tbody tr').length > 1")
        assert page.evaluate(f"document.querySelector('{heading}').textContent") == "MRR at stake"
        page.click(heading)
        page.wait_until(f"document.querySelector('{heading}').className === 'asc'", timeout=10)
        ascending = _dollars(page.evaluate(column))
        page.click(heading)
        page.wait_until(f"document.querySelector('{heading}').className === 'desc'", timeout=10)
        descending = _dollars(page.evaluate(column))
        assert page.console == []
    assert ascending == [round(value) for value in expected], "not the calibrated yellow rows"
    assert descending == ascending[::-1] and ascending != descending
    return ascending
