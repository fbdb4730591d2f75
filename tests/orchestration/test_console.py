"""What the terminal shows: short log lines, a pulse during silence, dbt in one line."""

from __future__ import annotations

import io
import logging
import sys
import time

from dagster._core.log_manager import LOG_RECORD_METADATA_ATTR

from orchestration.console import ConciseFormatter, DropDagsterDbtChatter, heartbeat
from orchestration.transform import DbtOutput


def _record(message: str, level: int = logging.INFO, **meta: str) -> logging.LogRecord:
    record = logging.LogRecord("dagster", level, __file__, 1, "job - run - " + message, (), None)
    setattr(record, LOG_RECORD_METADATA_ATTR, {"orig_message": message, **meta})
    return record


def test_log_lines_carry_time_step_and_message_without_run_ids():
    line = ConciseFormatter().format(_record("stripe/charges: 3 days", step_key="raw_charges"))
    assert line.endswith("  raw_charges  stripe/charges: 3 days")
    assert "run" not in line and "\x1b[" not in line
    warning = _record("2 warnings", logging.WARNING, step_key="publish")
    assert ConciseFormatter().format(warning).endswith("publish  WARNING: 2 warnings")


def test_heartbeat_speaks_only_after_silence(monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr(sys, "stdout", screen)
    with heartbeat("dbt", every=1.5):
        time.sleep(3.3)
    pulses = [line for line in screen.getvalue().splitlines() if line.startswith("  ... dbt")]
    assert 1 <= len(pulses) <= 2, screen.getvalue()
    quiet = io.StringIO()
    monkeypatch.setattr(sys, "stdout", quiet)
    with heartbeat("busy", every=1.5):
        for _ in range(6):
            print("working")
            time.sleep(0.5)
    assert "..." not in quiet.getvalue()


def test_dbt_lines_go_to_the_log_and_only_what_matters_to_the_screen():
    log, screen = io.StringIO(), io.StringIO()
    out = DbtOutput(log, screen)
    out.write(
        "1 of 3 START sql table model marts.fct_mrr [RUN]\n"
        "1 of 3 OK created sql table model marts.fct_mrr [OK in 0.1s]\n"
        "2 of 3 PASS unique_fct_mrr_id [PASS in 0.1s]\n"
        "3 of 3 WARN 2 not_null_fct_mrr_x [WARN 2 in 0.1s]\n"
        "Done. PASS=1 WARN=1 ERROR=0 SKIP=0 NO-OP=0 TOTAL=3\n"
    )
    assert log.getvalue().count("\n") == 5
    assert screen.getvalue() == "3 of 3 WARN 2 not_null_fct_mrr_x [WARN 2 in 0.1s]\n"
    assert out.totals == "Done. PASS=1 WARN=1 ERROR=0 SKIP=0 NO-OP=0 TOTAL=3"


def test_dagster_dbt_bookkeeping_stays_off_the_screen():
    chatter = DropDagsterDbtChatter()
    noise = _record("Running dbt command: `dbt build --select fqn:*`.", step_key="dbt_models")
    ours = _record("dbt build: 70 models; node log data/logs/dbt_build.log", step_key="dbt_models")
    assert chatter.filter(noise) is False
    assert chatter.filter(ours) is True
