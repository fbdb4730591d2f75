"""Headless Chromium for tests that open generated HTML (Debian's package, installed if missing)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these, Chromium keeps dialling Google services this machine cannot reach.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=5000",
]
# How Chromium's log reports a page's console output (console.error, uncaught exceptions).
_CONSOLE_LINE = re.compile(r":CONSOLE:\d+\] (.*)")


def chromium() -> str:
    """Path of Chromium; installs Debian's package when missing and allowed (root with apt)."""
    found = shutil.which("chromium")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"],
            check=False,
            env=env,
            capture_output=True,
        )
    found = shutil.which("chromium")
    if not found:
        pytest.skip("Chromium is not installed and could not be installed here")
    return found


def render(page: Path, fragment: str = "") -> tuple[str, list[str]]:
    """The rendered DOM of a local page (with `#fragment` when given) and its console
    messages."""
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [
                chromium(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--dump-dom",
                page.as_uri() + (f"#{fragment}" if fragment else ""),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    console = [m.group(1) for m in _CONSOLE_LINE.finditer(result.stderr)]
    return result.stdout, console
