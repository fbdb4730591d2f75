"""The worklist sorted by clicks in headless Chromium: the index page written from hand-made
facts (no warehouse), its column headings clicked with the mouse over the DevTools protocol,
and the rows read back from the page (expected orders written out by hand)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from orchestration.report.build import write_index
from orchestration.report.tables import WORKLIST
from tests.browser import Page
from tests.orchestration.report_data import report_data, worklist_accounts

# Yellow accounts in the order the page receives them (neither by name nor by MRR), one without
# a name (shown as "-"); two red ones.
ACCOUNTS = [
    ("y1", "Umbra", "Ana Okafor", "SMB", 91.0, "yellow", "green", "nps", 480.0, "2025-07-01", 16,
     0, 0.0, "SMB", "81"),
    ("y2", "acme", "Ana Okafor", "SMB", 90.2, "yellow", "yellow", "billing", 1100.0, "2025-06-20",
     5, 12, 99.0, "SMB", "81"),
    ("y3", "Kite", None, "ENT", 92.5, "yellow", None, "csm_touch", 75.0, None, None, 0, 0.0,
     "ENT", "(no CSM)"),
    ("y4", None, "Ana Okafor", "ENT", 89.9, "yellow", "green", "support", 2037.0, "2026-05-01",
     320, 0, 0.0, "ENT", "81"),
    ("y5", "Delta", "Ana Okafor", "SMB", 90.7, "yellow", "red", "nps", 292.0, "2025-08-01", 47, 0,
     0.0, "SMB", "81"),
    ("r1", "Zeta", "Ana Okafor", "SMB", 88.0, "red", "red", "billing", 10.0, "2025-07-01", 16, 0,
     0.0, "SMB", "81"),
    ("r2", "Beta", "Ana Okafor", "SMB", 87.0, "red", "yellow", "nps", 900.0, "2025-07-01", 16, 0,
     0.0, "SMB", "81"),
]  # fmt: skip
MRR_AT_STAKE = [column.heading for column in WORKLIST].index("MRR at stake")
ACCOUNT = [column.heading for column in WORKLIST].index("account")


@pytest.fixture(scope="session")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = report_data()
    data = replace(data, worklist=replace(data.worklist, accounts=worklist_accounts(ACCOUNTS)))
    folder = tmp_path_factory.mktemp("report")
    write_index(folder, data, {}, "serving.duckdb")
    return folder / "index.html"


def _column(page: Page, table: str, column: int) -> list[str]:
    return page.evaluate(
        f"Array.from(document.querySelectorAll('#{table} tbody tr'))"
        f".map(row => row.cells[{column}].textContent)"
    )


def _click_heading(page: Page, table: str, column: int, expect: str) -> None:
    """Click a heading and wait for the table to be re-drawn with that heading marked
    `expect` (asc or desc)."""
    heading = f"#{table} th:nth-child({column + 1})"
    page.click(heading)
    page.wait_until(f"document.querySelector('{heading}').className === '{expect}'", timeout=10)


def test_clicking_a_worklist_heading_sorts_its_rows_and_a_second_click_reverses_them(index):
    with Page(index) as page:
        page.wait_until("document.querySelectorAll('#worklist-yellow tbody tr').length === 5")
        headings = page.evaluate(
            "Array.from(document.querySelectorAll('#worklist-yellow th')).map(h => h.textContent)"
        )
        assert headings[MRR_AT_STAKE] == "MRR at stake" and headings[ACCOUNT] == "account"
        assert _column(page, "worklist-yellow", MRR_AT_STAKE) == [
            "$480", "$1,100", "$75", "$2,037", "$292",
        ]  # fmt: skip
        red_before = _column(page, "worklist-red", ACCOUNT)

        _click_heading(page, "worklist-yellow", MRR_AT_STAKE, "asc")
        assert _column(page, "worklist-yellow", MRR_AT_STAKE) == [
            "$75", "$292", "$480", "$1,100", "$2,037",
        ]  # fmt: skip
        assert _column(page, "worklist-yellow", ACCOUNT) == ["Kite", "Delta", "Umbra", "acme", "-"]
        assert "sort=worklist-yellow%3A6%3Aasc" in page.evaluate("location.hash")

        _click_heading(page, "worklist-yellow", MRR_AT_STAKE, "desc")
        assert _column(page, "worklist-yellow", MRR_AT_STAKE) == [
            "$2,037", "$1,100", "$480", "$292", "$75",
        ]  # fmt: skip

        # text sorts case-blind, the nameless account last whichever the direction
        _click_heading(page, "worklist-yellow", ACCOUNT, "asc")
        assert _column(page, "worklist-yellow", ACCOUNT) == ["acme", "Delta", "Kite", "Umbra", "-"]
        _click_heading(page, "worklist-yellow", ACCOUNT, "desc")
        assert _column(page, "worklist-yellow", ACCOUNT) == ["Umbra", "Kite", "Delta", "acme", "-"]
        # each table sorts on its own
        assert _column(page, "worklist-red", ACCOUNT) == red_before == ["Zeta", "Beta"]
        assert page.console == []


def test_the_worklist_heading_and_caption_say_which_bands_it_uses(index):
    with Page(index) as page:
        page.wait_until("document.querySelectorAll('#worklist-red tbody tr').length === 2")
        heading = page.evaluate("document.querySelector('#worklist h2').textContent")
        caption = page.evaluate("document.querySelector('[data-caption=worklist]').textContent")
    assert heading.endswith("(HLT-3 calibrated bands)")
    assert caption.startswith("Bands: HLT-3's calibrated bands.")
    # 2 red and 5 yellow of these 7 paying accounts: $10 + $900 + $480 + $1,100 + $75 +
    # $2,037 + $292 = $4,894
    assert "On 2025-06-15: 2 red and 5 yellow, 7 of 7 paying accounts (100.0 %), $4,894" in caption
