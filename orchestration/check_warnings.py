"""The warnings standing at publication: the latest result of every check that failed with
severity WARN (Great Expectations checks and dbt tests alike).

Read from Dagster's instance rather than from one run, because raw checks run with the
ingestion and mart checks with the transformation; the latest result of each is what the
published numbers rest on. `meta.refresh_log` and the CLI summary list them.
"""

from __future__ import annotations

from collections.abc import Iterable

from dagster import AssetCheckKey, AssetCheckSeverity, DagsterInstance
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

_DESCRIPTION_CHARS = 300


def standing_warnings(
    instance: DagsterInstance, check_keys: Iterable[AssetCheckKey]
) -> list[dict[str, str]]:
    """One entry per check whose latest result is a failed warning: asset, check, what it
    found and the run that found it, sorted by asset and check."""
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(list(check_keys))
    warnings = []
    for key, record in latest.items():
        if record.status != AssetCheckExecutionRecordStatus.FAILED or record.event is None:
            continue
        evaluation = record.event.dagster_event.asset_check_evaluation_data
        if evaluation.severity != AssetCheckSeverity.WARN:
            continue
        description = (evaluation.description or "failed").strip()
        warnings.append(
            {
                "asset": key.asset_key.to_user_string(),
                "check": key.name,
                "description": description[:_DESCRIPTION_CHARS],
                "run_id": record.run_id,
            }
        )
    return sorted(warnings, key=lambda w: (w["asset"], w["check"]))
