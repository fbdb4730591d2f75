"""The repository is self-contained: every relative link of its docs resolves inside it."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from orchestration.settings import REPO_ROOT

DOCUMENTS = sorted([REPO_ROOT / "README.md", *(REPO_ROOT / "docs").glob("*.md")])
# [text](target) and [text](target "title"), also inside a list or a table; images too.
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# [label]: target
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def relative_links(text: str) -> list[str]:
    """Link targets that point into the file system (no scheme, not a bare #anchor)."""
    text = FENCE.sub("", text)
    targets = INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text)
    return [
        target
        for target in targets
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target)  # http:, https:, mailto: ...
        and not target.startswith("#")
    ]


def unresolved(document: Path, text: str | None = None) -> list[str]:
    """Links of `document` (or of `text` read as if it were there) that do not resolve."""
    if text is None:
        text = document.read_text(encoding="utf-8")
    problems = []
    for target in relative_links(text):
        path_part = unquote(target.split("#", 1)[0].split("?", 1)[0])
        resolved = (document.parent / path_part).resolve()
        if not resolved.is_relative_to(REPO_ROOT):
            problems.append(f"{target} (outside the repository)")
        elif not resolved.exists():
            problems.append(f"{target} (no such file)")
    return problems


def test_the_link_parser_finds_relative_links_and_skips_urls_and_code():
    text = (
        'See [m](docs/metrics.md#mrr-1) and [s](../shared/X.md "t") or ![i](img.png).\n'
        "| [cell](a/b.md) | [web](https://duckdb.org) | [top](#section) |\n"
        "[ref]: ../outside.md\n"
        "```\n[not a link](nowhere.md)\n```\n"
    )
    assert sorted(relative_links(text)) == sorted(
        ["docs/metrics.md#mrr-1", "../shared/X.md", "img.png", "a/b.md", "../outside.md"]
    )


def test_links_outside_the_repository_or_to_missing_files_are_reported():
    readme = REPO_ROOT / "README.md"
    text = "[a](../shared/METRICS.md) [b](docs/metrics.md#mrr-1) [c](docs/nowhere.md)"
    assert unresolved(readme, text) == [
        "../shared/METRICS.md (outside the repository)",
        "docs/nowhere.md (no such file)",
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_every_relative_link_resolves_inside_the_repository(document):
    assert relative_links(document.read_text(encoding="utf-8")) or document.name != "README.md"
    assert unresolved(document) == []


def test_the_docs_folder_holds_the_metric_and_landing_contracts():
    assert {path.name for path in DOCUMENTS} >= {"README.md", "metrics.md", "landing.md"}
