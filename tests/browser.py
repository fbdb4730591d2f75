"""Headless Chromium for tests that open generated HTML (Debian's package, installed if missing)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
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


class Page:
    """A page opened in headless Chromium over the DevTools protocol, for tests that click:
    `evaluate` runs a JavaScript expression and returns its value, `click` presses and releases
    the left mouse button on the centre of an element, as a user's click does (the events go
    through Chromium's input pipeline, not through element.click()). `console` collects the
    page's console errors and uncaught exceptions. Use as a context manager."""

    def __init__(self, page: Path, fragment: str = "", timeout: float = 60) -> None:
        self.url = page.as_uri() + (f"#{fragment}" if fragment else "")
        self.timeout = timeout
        self.console: list[str] = []
        self._next_id = 0

    def __enter__(self) -> Page:
        from websockets.sync.client import connect  # with dagster-webserver (uvicorn[standard])

        # Chromium's helper processes may still write to the profile for a moment after the
        # browser is killed: the profile's removal must not fail the test that used it.
        self._profile = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)
        flags = [f for f in CHROMIUM_FLAGS if not f.startswith("--virtual-time-budget")]
        self._process = subprocess.Popen(
            [chromium(), *flags, f"--user-data-dir={self._profile.name}",
             "--remote-debugging-port=0", "--window-size=1400,1000", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopped with all its helpers
        )  # fmt: skip
        try:
            port = self._devtools_port(Path(self._profile.name) / "DevToolsActivePort")
            targets = json.loads(
                urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read()
            )
            target = next(t for t in targets if t["type"] == "page")
            self._socket = connect(target["webSocketDebuggerUrl"], max_size=None)
            for method in ("Page.enable", "Runtime.enable"):
                self._call(method)
            self._call("Page.navigate", url=self.url)
            self._wait_for_event("Page.loadEventFired")
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._socket.close()
        self._stop()

    def _stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait(timeout=30)
        self._profile.cleanup()

    def _devtools_port(self, file: Path) -> int:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if file.exists() and file.read_text().strip():
                return int(file.read_text().split()[0])
            if self._process.poll() is not None:
                raise RuntimeError(f"Chromium exited with {self._process.returncode}")
            time.sleep(0.1)
        raise TimeoutError(f"Chromium wrote no {file} within {self.timeout} s")

    def _receive(self) -> dict:
        message = json.loads(self._socket.recv(timeout=self.timeout))
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params["type"] == "error":
            self.console.append(" ".join(str(a.get("value", "")) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.console.append(details.get("exception", {}).get("description", details["text"]))
        return message

    def _call(self, method: str, **params: object) -> dict:
        self._next_id += 1
        self._socket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            message = self._receive()
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def _wait_for_event(self, method: str) -> None:
        while self._receive().get("method") != method:
            pass

    def evaluate(self, expression: str) -> object:
        result = self._call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']['text']}")
        return result["result"].get("value")

    def wait_until(self, expression: str, timeout: float | None = None) -> None:
        """Until `expression` is truthy in the page (or `timeout`, the page's by default)."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while not self.evaluate(expression):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{expression!r} stayed false for {limit} s")
            time.sleep(0.05)

    def click(self, selector: str) -> None:
        """A left click at the centre of the first element matching the CSS `selector`."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); "
            "if (!e) return null; e.scrollIntoView({block: 'center'}); "
            "const r = e.getBoundingClientRect(); "
            "return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()"
        )
        if box is None:
            raise LookupError(f"no element matches {selector!r} on {self.url}")
        for kind in ("mousePressed", "mouseReleased"):
            self._call(
                "Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left",
                clickCount=1,
            )  # fmt: skip

    def screenshot(self, path: Path, selector: str | None = None) -> None:
        """A PNG of the viewport, or of the element matching `selector` (scrolled to)."""
        params: dict[str, object] = {"format": "png", "captureBeyondViewport": True}
        if selector:
            box = self.evaluate(
                f"(() => {{ const e = document.querySelector({json.dumps(selector)}); "
                "e.scrollIntoView(); const r = e.getBoundingClientRect(); "
                "return {x: r.left + window.scrollX, y: r.top + window.scrollY, "
                "width: r.width, height: r.height}; })()"
            )
            params["clip"] = {**box, "scale": 1}
        data = self._call("Page.captureScreenshot", **params)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
