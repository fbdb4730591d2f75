"""Assembling the report folder: index.html, one page per linked account, and the shared
script, style and Plotly files, written next to the target and swapped in when complete."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from orchestration import worklist
from orchestration.headlines import headlines
from orchestration.report import cube, tables
from orchestration.report.captions import CAPTIONS
from orchestration.report.figures import CHARTS, ChartSpec, figure_json, patch, template_json
from orchestration.report.load import ReportData, load, load_account_history
from orchestration.report.pages import page_context, page_names

HERE = Path(__file__).resolve().parent
STATIC = ["report.js", "account.js", "report.css"]
CHART_LAYOUT = {"height": 420, "margin": {"t": 30}}


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def script_json(value: object) -> Markup:
    """JSON to place inside <script type="application/json">: no '<' can end the element."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return Markup(text.replace("<", "\\u003c").replace("\u2028", "\\u2028"))


def _drawn(spec: ChartSpec, facts: cube.SelectionFacts) -> dict:
    figure = spec.draw(facts)
    return figure_json({"data": figure["data"], "layout": {**figure["layout"], **CHART_LAYOUT}})


def _selection_payload(
    data: ReportData, facts: cube.SelectionFacts, base: dict[str, dict], charts: list[ChartSpec]
) -> dict:
    captions = {spec.id: CAPTIONS[spec.id](facts) for spec in charts}
    captions["worklist"] = worklist.summary(data.worklist, facts.accounts_scored)
    captions["worklist-red"] = tables.worklist_summary(facts.at_risk, "red")
    captions["worklist-yellow"] = tables.worklist_summary(facts.at_risk, "yellow")
    captions["renewals"] = tables.renewals_summary(facts.renewals)
    patches = {}
    for spec in charts:
        changed = patch(base[spec.id], _drawn(spec, facts))
        if changed:
            patches[spec.id] = changed
    return {
        "cards": [asdict(card) for card in headlines(facts.headline_facts(data))],
        "captions": captions,
        "patches": patches,
    }


def _options(accounts: pd.DataFrame, column: str, labels: dict[str, str]) -> list[dict]:
    counts = accounts[column].value_counts()
    return [
        {"key": key, "label": labels.get(key, key), "accounts": int(counts[key])}
        for key in sorted(counts.index, key=lambda key: labels.get(key, key).lower())
    ]


def index_payload(data: ReportData, pages: dict[str, str]) -> tuple[dict, list[dict]]:
    """The index page's embedded data (base figures, every selection, table rows) and the
    charts' headings (drawn or why not)."""
    everyone = cube.facts(data, cube.Selection())
    charts = [spec for spec in CHARTS if spec.has_data(everyone)]
    base = {spec.id: _drawn(spec, everyone) for spec in charts}
    selections = {
        selection.key: _selection_payload(data, cube.facts(data, selection), base, charts)
        for selection in cube.selections(data.accounts)
    }
    csm_names = cube.csm_labels(data.accounts)
    payload = {
        "all": cube.ALL,
        "segments": _options(data.accounts, "cell_segment", {}),
        "csms": _options(data.accounts, "cell_csm", csm_names),
        "charts": base,
        "selections": selections,
        "tables": {
            "worklist": {
                "columns": tables.headings(tables.WORKLIST),
                "rows": tables.rows(data.worklist.at_risk, tables.WORKLIST, pages, band="band"),
            },
            "renewals": {
                "columns": tables.headings(tables.RENEWALS),
                "rows": tables.rows(data.renewals, tables.RENEWALS, pages),
            },
        },
    }
    headings = [
        {"id": spec.id, "title": spec.title, "drawn": spec in charts, "empty": spec.empty}
        for spec in CHARTS
    ]
    return payload, headings


def _write(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def _write_pages(
    env: Environment, folder: Path, serving_path: Path, data: ReportData, pages: dict[str, str]
) -> int:
    """Every linked account's page; returns the bytes written."""
    history = load_account_history(serving_path, pages, data.as_of)
    template = env.get_template("account.html.j2")
    # Plain dicts: a pandas row per page (.loc, .copy, setting a value) cost ~8 ms a page.
    accounts = data.accounts.set_index("account_id", drop=False).to_dict("index")
    banded = data.worklist.accounts.set_index("account_id")[["band", "score"]].to_dict("index")

    def write_page(account_id: str, page: str) -> int:
        account = dict(accounts[account_id])
        if account_id in banded:  # its worklist band (paying accounts)
            account["worklist_band"] = banded[account_id]["band"]
            account["worklist_score"] = banded[account_id]["score"]
        context = page_context(account, history.of(account_id), data.days)
        context["charts_json"] = script_json(
            [{"id": chart_id, **figure} for chart_id, _, figure in context["charts"]]
        )
        return _write(folder / page, template.render(as_of=data.as_of, **context))

    return in_parts(write_page, list(pages.items()), page_writers(len(pages)))


# Pages are Python work (Jinja, JSON, rounding): ~2 ms each, 84 s for large's 53,067. Above
# this many, the cores share them.
PAGES_PER_WRITER = 20


def page_writers(pages: int) -> int:
    """How many processes write `pages` pages: one per core, each with PAGES_PER_WRITER or more."""
    return max(1, min(len(os.sched_getaffinity(0)), pages // PAGES_PER_WRITER))


def in_parts(work: Callable[..., int], items: list[tuple], processes: int) -> int:
    """The sum of `work(*item)` over `items`, shared by `processes` processes: this one and
    forked children, each with every `processes`-th item. A fork starts at once (no pickling:
    the child has the parent's loaded data) and a child only renders and writes files; it
    reports its sum through a pipe. A child that fails fails the whole: its traceback is on
    stderr and the error names its exit code."""
    if processes <= 1:
        return sum(work(*item) for item in items)
    fork = multiprocessing.get_context("fork")
    children = []
    for part in range(1, processes):
        receiver, sender = fork.Pipe(duplex=False)
        child = fork.Process(target=_sum_part, args=(work, items[part::processes], sender))
        child.start()
        sender.close()
        children.append((child, receiver))
    try:
        total = sum(work(*item) for item in items[::processes])
    finally:  # every child is waited for, even when this process's share failed
        ended = [_child_sum(child, receiver) for child, receiver in children]
    for exitcode, part in ended:
        if part is None:
            raise RuntimeError(
                f"a forked page writer failed (exit code {exitcode}; its error is on stderr)"
            )
        total += part
    return total


def _child_sum(child: BaseProcess, receiver: Connection) -> tuple[int | None, int | None]:
    """The child's exit code and sum (None when it died without sending one)."""
    part = None
    with contextlib.suppress(EOFError):
        part = receiver.recv()
    child.join()
    return child.exitcode, part if child.exitcode == 0 else None


def _sum_part(work: Callable[..., int], items: list[tuple], sender: Connection) -> None:
    sender.send(sum(work(*item) for item in items))
    sender.close()


def worklist_rule(data: ReportData) -> str:
    """The worklist heading's rule: which bands it uses."""
    if data.worklist.bands.calibrated:
        return "HLT-3 calibrated bands"
    return "HLT-1 fixed bands: HLT-3's were not published"


def write_index(
    folder: Path, data: ReportData, pages: dict[str, str], serving_name: str
) -> tuple[int, dict, list[dict]]:
    """index.html and the files it loads (Plotly, theme, script, style) into `folder`
    (existing); returns the index's bytes, its payload and its charts' headings."""
    payload, headings = index_payload(data, pages)
    index = (
        _environment()
        .get_template("index.html.j2")
        .render(
            as_of=data.as_of.isoformat(),
            published=f"{data.published_at:%Y-%m-%d %H:%M}" if data.published_at else "never",
            serving_name=serving_name,
            charts=headings,
            segments=payload["segments"],
            csms=payload["csms"],
            all=cube.ALL,
            worklist_rule=worklist_rule(data),
            data_json=script_json(payload),
            generated=f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        )
    )
    index_bytes = _write(folder / "index.html", index)
    _write(folder / "plotly.min.js", get_plotlyjs())
    _write(folder / "theme.js", f"window.REPORT_TEMPLATE = {script_json(template_json())};\n")
    for name in STATIC:
        shutil.copyfile(HERE / "static" / name, folder / name)
    return index_bytes, payload, headings


def render_folder(serving_path: Path, folder: Path) -> dict[str, int]:
    """Write the whole report into `folder` (new); returns counts for the asset's metadata."""
    data = load(serving_path)
    pages = page_names([*data.worklist.at_risk["account_id"], *data.renewals["account_id"]])
    folder.mkdir(parents=True)
    index_bytes, payload, headings = write_index(folder, data, pages, serving_path.name)
    page_bytes = _write_pages(_environment(), folder, serving_path, data, pages)
    return {
        "index_bytes": index_bytes,
        "account_pages": len(pages),
        "account_page_bytes": page_bytes,
        "selections": len(payload["selections"]),
        "worklist_rows": len(data.worklist.at_risk),
        "renewal_rows": len(data.renewals),
        "charts_drawn": sum(1 for heading in headings if heading["drawn"]),
    }


def write_report(serving_path: Path, report_dir: Path) -> dict[str, int]:
    """Render the report beside `report_dir` and swap it in: a reader sees the old folder or
    the new one (for the instant between two renames, none), never half of one."""
    staging = report_dir.with_name(f".{report_dir.name}.new")
    retired = report_dir.with_name(f".{report_dir.name}.old")
    for leftover in (staging, retired):
        shutil.rmtree(leftover, ignore_errors=True)
    report_dir.parent.mkdir(parents=True, exist_ok=True)
    counts = render_folder(serving_path, staging)
    if report_dir.exists():
        os.replace(report_dir, retired)
    os.replace(staging, report_dir)
    shutil.rmtree(retired, ignore_errors=True)
    return counts
