"""Every local link of a built Data Docs site, and the ones whose target file is missing."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

# href/src attributes, and the row links of GX's index tables (bootstrap-table data, opened by
# a click on the row): `'_table_row_link_path': 'validations/...html'`.
_ATTRIBUTE = re.compile(r"""(?:href|src)\s*=\s*(["'])(.*?)\1""")
_ROW_LINK = re.compile(
    r"""['"]_table_row_link_path['"]\s*:\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
)


def local_links(page: Path) -> list[str]:
    html = page.read_text(encoding="utf-8")
    links = [m.group(2) for m in _ATTRIBUTE.finditer(html)]
    links += [ast.literal_eval(m.group(1)) for m in _ROW_LINK.finditer(html)]
    local = []
    for link in links:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or not parts.path:  # http(s), mailto, data, "#anchor"
            continue
        local.append(link)
    return local


def dead_links(site: Path) -> dict[str, list[str]]:
    """Page (relative to the site) -> its local links whose file does not exist."""
    dead: dict[str, list[str]] = {}
    for page in sorted(site.rglob("*.html")):
        if "vendor" in page.relative_to(site).parts:
            continue
        missing = [
            link
            for link in local_links(page)
            if not (page.parent / unquote(urlsplit(link).path)).exists()
        ]
        if missing:
            dead[str(page.relative_to(site))] = sorted(set(missing))
    return dead
