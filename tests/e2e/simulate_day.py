"""One unattended day, as the Dagster daemon would run it, driven by Dagster's test harness.

`python -m tests.e2e.simulate_day` (with the CS_* environment of a project) evaluates the
`landing_files` sensor, runs the ingestion it requests, evaluates `transform_after_ingest` on
that run's success, runs the transformation it requests, and ticks the sensor once more.
It prints a JSON account of every step.
"""

from __future__ import annotations

import json

from dagster import (
    DagsterInstance,
    RunRequest,
    build_run_status_sensor_context,
    build_sensor_context,
)

from orchestration.automation import landing_files, transform_after_ingest
from orchestration.cli import QUIET_RUN_CONFIG, ensure_dagster_home
from orchestration.definitions import SETTINGS, defs
from orchestration.run_config import RunConfig
from orchestration.settings import get_settings
from orchestration.window import window_of


def _run(instance: DagsterInstance, job_name: str, request: RunRequest):
    return defs.resolve_job_def(job_name).execute_in_process(
        instance=instance,
        run_config={**QUIET_RUN_CONFIG, **(request.run_config or {})},
        tags=request.tags,
        raise_on_error=False,
    )


def main() -> dict:
    ensure_dagster_home(get_settings())
    account: dict = {"ingestions": [], "transformations": []}
    resources = {"run_config": RunConfig.from_settings(SETTINGS)}
    with DagsterInstance.get() as instance:
        tick = landing_files(build_sensor_context(instance=instance, resources=resources))
        account["requested"] = [
            {"window": window_of(r.run_config), "run_key": r.run_key} for r in tick.run_requests
        ]
        for request in tick.run_requests:
            ingested = _run(instance, "ingest_landing", request)
            account["ingestions"].append(ingested.success)
            if not ingested.success:
                continue
            context = build_run_status_sensor_context(
                sensor_name="transform_after_ingest",
                dagster_event=ingested.get_run_success_event(),
                dagster_instance=instance,
                dagster_run=ingested.dagster_run,
                resources=resources,
            )
            follow_up = transform_after_ingest(context)
            if isinstance(follow_up, RunRequest):
                account["transformations"].append(
                    _run(instance, "transform_warehouse", follow_up).success
                )
        again = landing_files(
            build_sensor_context(instance=instance, cursor=tick.cursor, resources=resources)
        )
        account["requested_on_next_tick"] = len(again.run_requests)
    return account


if __name__ == "__main__":
    print(json.dumps(main()))
