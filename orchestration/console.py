"""What a person sees in the terminal during a refresh: short lines and a pulse.

Dagster's default console logger prints the job name and run id on every line and colour codes
into redirected logs; the UI keeps all of that in the event log anyway. This logger prints the
time, the step and the message, in plain text. `heartbeat` prints the elapsed time whenever the
terminal has been silent for a while (Dagster planning the run, a long dbt model), so a long
step is never mistaken for a hung one.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TextIO

from dagster import Field, InitLoggerContext, logger
from dagster._core.log_manager import LOG_RECORD_METADATA_ATTR

# Silence after which a pulse is printed. It is checked each second, so a person watching a
# refresh never waits 10 s for a line.
SILENCE_SECONDS = 8.0


class ConciseFormatter(logging.Formatter):
    """`17:01:20  raw_stripe__charges  stripe/charges: 572 day(s) loaded ...`."""

    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, LOG_RECORD_METADATA_ATTR, None) or {}
        message = meta.get("orig_message") or record.getMessage()
        step = meta.get("step_key") or meta.get("job_name") or ""
        level = "" if record.levelno < logging.WARNING else f"{record.levelname}: "
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        return f"{when}  {step}  {level}{message}".rstrip()


# dagster-dbt's bookkeeping around each dbt invocation; our own line names the build and its
# log file. On screen they are noise; the Dagster event log keeps them.
DAGSTER_DBT_CHATTER = (
    "A dbt subsetted execution is not being performed",
    "Copying `",
    "Running dbt command: ",
    "Finished dbt command: ",
)


class DropDagsterDbtChatter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, LOG_RECORD_METADATA_ATTR, None) or {}
        message = meta.get("orig_message") or record.getMessage()
        return not message.startswith(DAGSTER_DBT_CHATTER)


@logger(
    {"log_level": Field(str, is_required=False, default_value="INFO")},
    description="Plain one-line messages: time, step, message (no run ids, no colour codes).",
)
def concise_console_logger(init_context: InitLoggerContext) -> logging.Logger:
    log = logging.Logger("cs_warehouse", level=init_context.logger_config["log_level"])
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ConciseFormatter())
    handler.addFilter(DropDagsterDbtChatter())
    log.addHandler(handler)
    return log


class _Watched(io.TextIOBase):
    """A stream that remembers when it was last written to."""

    def __init__(self, stream: TextIO, clock: list[float]) -> None:
        self._stream, self._clock = stream, clock

    def write(self, text: str) -> int:
        if text:
            self._clock[0] = time.monotonic()
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()


@contextmanager
def heartbeat(label: str, every: float = SILENCE_SECONDS) -> Iterator[None]:
    """While inside, print `... <label>: <n> s` after each `every` seconds of silence."""
    started = time.monotonic()
    clock = [started]
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Watched(stdout, clock), _Watched(stderr, clock)
    done = threading.Event()

    def pulse() -> None:
        while not done.wait(1.0):
            now = time.monotonic()
            if now - clock[0] >= every:
                sys.stdout.write(f"  ... {label}: {now - started:.0f} s\n")
                sys.stdout.flush()

    thread = threading.Thread(target=pulse, name="heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        sys.stdout, sys.stderr = stdout, stderr
