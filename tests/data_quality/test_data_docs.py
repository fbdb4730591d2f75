"""Data Docs that explain: warnings vs blocking failures, no dead links, bad values with keys.

One small site is built once for the module: a feedback batch failing a blocking rule (NPS 11)
and a warning rule (unknown currency), and an invoices batch failing only the warning rule.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from dq_data import quality_config
from site_links import dead_links

from data_quality.checks import CHECKS
from data_quality.rules import Batch, between, in_set, not_null
from data_quality.runner import CheckOutcome, validate
from tests.browser import render

FEEDBACK = "raw_hubspot.feedback_submissions"
INVOICES = "raw_stripe.invoices"
ROWS_KEPT = 3


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> tuple[Path, dict[str, dict[str, CheckOutcome]]]:
    assert CHECKS["ranges"].blocking and not CHECKS["known_currencies"].blocking
    config = quality_config(tmp_path_factory.mktemp("docs"), unexpected_rows_kept=ROWS_KEPT)
    feedback = pd.DataFrame(
        {
            "record_id": ["1", "42", "7"],
            "nps_score": [3.0, 11.0, 9.0],
            "currency": ["usd", "usd", "xyz"],
        }
    )
    feedback_rules = [
        between("ranges", "nps_score", 0, 10),
        in_set("known_currencies", "currency", ("usd", "eur")),
        not_null("required_fields", "record_id"),
    ]
    # Five unknown currencies, more than the rows kept per expectation.
    invoices = pd.DataFrame(
        {
            "month": ["2025-05-01"] + ["2025-06-01"] * 5,
            "account_id": ["acc_1", "acc_7", "acc_8", "acc_9", "acc_10", "acc_11"],
            "currency": ["usd", "chf", "xyz", "xyz", "xyz", "xyz"],
        }
    )
    outcomes = {
        FEEDBACK: validate(
            [Batch(FEEDBACK, feedback, feedback_rules, "all", ("record_id",))],
            config,
            run_name="docs",
        ),
        INVOICES: validate(
            [
                Batch(
                    INVOICES,
                    invoices,
                    [in_set("known_currencies", "currency", ("usd", "eur"))],
                    "all",
                    ("month", "account_id"),
                )
            ],
            config,
            run_name="docs",
        ),
    }
    return config.docs_dir, outcomes


def _page(outcomes: dict[str, CheckOutcome], check: str) -> Path:
    return Path(outcomes[check].docs_urls[0].removeprefix("file://").replace("%20", " "))


def _section(dom: str, column: str) -> str:
    """The rendered section of one column of a validation page."""
    sections = re.split(r'<div id="section-\d+" class="ge-section', dom)
    found = [s for s in sections if re.search(rf"<h5[^>]*>\s*{re.escape(column)}\s*</h5>", s)]
    assert len(found) == 1, column
    return found[0]


def _index_row(dom: str, suite: str) -> str:
    link = re.compile(rf">\s*{re.escape(suite)}\s*</a>")
    rows = [r for r in re.findall(r"<tr[^>]*>.*?</tr>", dom, re.S) if link.search(r)]
    assert len(rows) == 1, (suite, len(rows))
    return rows[0]


def test_a_failed_warning_and_a_blocking_failure_look_different(site):
    docs, outcomes = site
    page = _page(outcomes[FEEDBACK], "ranges")
    dom, console = render(page)
    assert console == []
    blocking = _section(dom, "nps_score")
    warning = _section(dom, "currency")
    assert "dq-severity-blocking" in blocking and "dq-severity-warning" not in blocking
    assert "blocking — nothing published" in blocking and "text-danger" in blocking
    assert "dq-severity-warning" in warning and "dq-severity-blocking" not in warning
    assert "warning — published anyway" in warning and "text-warning" in warning
    # A passing expectation keeps GX's tick, with no severity label.
    assert "published" not in _section(dom, "record_id")

    dom, console = render(docs / "index.html")
    assert console == []
    feedback_row = _index_row(dom, FEEDBACK)  # fails a blocking and a warning rule
    invoices_row = _index_row(dom, INVOICES)  # fails a warning rule only
    assert "dq-severity-blocking" in feedback_row and "nothing published" in feedback_row
    assert "dq-severity-warning" in invoices_row and "published anyway" in invoices_row
    assert "dq-severity-blocking" not in invoices_row


def test_no_local_link_of_the_site_leads_nowhere(site):
    docs, _ = site
    pages = [p for p in docs.rglob("*.html") if "vendor" not in p.parts]
    assert {p.parts[len(docs.parts)] for p in pages} >= {"expectations", "validations"}
    assert dead_links(docs) == {}


def _unexpected_rows(section: str) -> list[list[str]]:
    """The rows of the unexpected-values table inside a validation page section."""
    table = re.search(r"<table[^>]*-content-\d+-body.*?</table>", section, re.S)
    assert table, "no unexpected-values table"
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(0), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in cells])
    return rows


def test_a_bad_value_is_shown_with_the_key_of_its_row(site):
    _, outcomes = site
    html = _page(outcomes[FEEDBACK], "ranges").read_text()
    rows = _unexpected_rows(_section(html, "nps_score"))
    assert rows[0] == ["Unexpected Value", "Count", "record_id"]
    assert rows[1:] == [["11.0", "1", "42"]]

    html = _page(outcomes[INVOICES], "known_currencies").read_text()
    rows = _unexpected_rows(_section(html, "currency"))
    # Five bad values, three kept: GX says the table is a sample.
    assert rows[0] == ["Sampled Unexpected Values", "Count", "month", "account_id"]
    assert ["chf", "1", "2025-06-01", "acc_7"] in rows[1:]

    # The Dagster metadata keeps its samples and whole-batch counts.
    assert outcomes[FEEDBACK]["ranges"].samples == [
        "expect_column_values_to_be_between(nps_score): nps_score=11.0, record_id=42"
    ]
    currencies = outcomes[INVOICES]["known_currencies"]
    assert currencies.unexpected_count == 5
    assert currencies.samples[0] == (
        "expect_column_values_to_be_in_set(currency): "
        "currency=chf, month=2025-06-01, account_id=acc_7"
    )


def test_stored_results_keep_a_bounded_number_of_unexpected_rows(site):
    docs, _ = site
    store = docs.parent / "dq_store" / "validations"
    (stored,) = [p for p in store.rglob("*.json") if "raw_stripe" in p.parts]
    (result,) = json.loads(stored.read_text())["results"]
    assert result["expectation_config"]["severity"] == "warning"
    assert result["result"]["unexpected_count"] == 5
    assert len(result["result"]["unexpected_index_list"]) == ROWS_KEPT
    assert len(result["result"]["unexpected_list"]) == ROWS_KEPT


def test_a_warning_promoted_to_an_error_for_the_asset_shows_as_blocking(tmp_path):
    config = quality_config(
        tmp_path, promoted_to_errors=frozenset({"stripe/invoices:known_currencies"})
    )
    frame = pd.DataFrame({"record_id": ["in_1"], "currency": ["xyz"]})
    rules = [in_set("known_currencies", "currency", ("usd",))]
    batch = Batch(INVOICES, frame, rules, "all", ("record_id",))
    promoted = validate([batch], config, run_name="promoted", asset="stripe/invoices")
    html = _page(promoted, "known_currencies").read_text()
    assert "dq-severity-blocking" in _section(html, "currency")
    # The same rule on another asset stays a warning.
    other = validate([batch], config, run_name="other", asset="stripe/charges")
    html = _page(other, "known_currencies").read_text()
    assert "dq-severity-warning" in _section(html, "currency")


def test_a_new_site_copies_the_vendored_files_unpacked_once(tmp_path, monkeypatch):
    """Every test and every new warehouse starts a site: the tarballs are decompressed once per
    cache, and each site gets a copy of the same files."""
    from data_quality import offline_assets

    tarballs = sorted(offline_assets.VENDOR_CACHE.glob("*.tgz"))
    if len(tarballs) < len({spec for spec, _ in offline_assets.CDN_FILES.values()}):
        pytest.skip("the npm tarballs are not in data_quality/vendor (no npm on this machine)")
    cache = tmp_path / "cache"
    cache.mkdir()
    for tarball in tarballs:
        (cache / tarball.name).symlink_to(tarball)
    unpacked = []
    extract = offline_assets._extract
    monkeypatch.setattr(
        offline_assets,
        "_extract",
        lambda cache, spec, *args: unpacked.append(spec) or extract(cache, spec, *args),
    )

    first = offline_assets.install_assets(tmp_path / "first", cache)
    unpacked_for_first = len(unpacked)
    second = offline_assets.install_assets(tmp_path / "second", cache)

    assert unpacked_for_first == len(set(unpacked)) > 0 and len(unpacked) == unpacked_for_first
    for url, path in second.items():
        assert path.read_bytes() == first[url].read_bytes(), url
    fonts = tmp_path / "second/static/vendor/@fortawesome__fontawesome-free@6.6.0/webfonts"
    assert any(fonts.iterdir())  # a companion folder is copied whole
