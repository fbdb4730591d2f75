"""The repository's dagster.yaml storage: Dagster's SQLite files, one engine per file."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from dagster import AssetKey, AssetMaterialization, DagsterInstance, DagsterRunStatus
from dagster._core.test_utils import create_run_for_test

from orchestration import dagster_storage
from orchestration.settings import REPO_ROOT


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shutil.copyfile(REPO_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with DagsterInstance.get() as instance:
        yield instance


def test_dagster_yaml_selects_the_pooled_storage_with_stock_file_layout(instance, tmp_path):
    assert isinstance(instance.event_log_storage, dagster_storage.PooledSqliteEventLogStorage)
    assert isinstance(instance.run_storage, dagster_storage.PooledSqliteRunStorage)
    # The files of `storage: sqlite:`, so an existing DAGSTER_HOME keeps its history.
    assert (tmp_path / "history" / "runs.db").exists()
    assert (tmp_path / "history" / "runs" / "index.db").exists()


def test_events_round_trip_over_a_few_held_connections(instance, monkeypatch):
    opened: list[str] = []
    real_connect = sqlite3.dbapi2.connect

    def counting_connect(database, *args, **kwargs):
        opened.append(str(database))
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3.dbapi2, "connect", counting_connect)  # what pysqlite calls
    run = create_run_for_test(instance, job_name="storage_test", status=DagsterRunStatus.STARTED)
    for number in range(40):
        instance.report_runless_asset_event(
            AssetMaterialization(AssetKey(["raw", "rows"]), metadata={"number": number})
        )

    latest = instance.get_latest_materialization_event(AssetKey(["raw", "rows"]))
    assert latest is not None
    assert latest.asset_materialization.metadata["number"].value == 39
    assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.STARTED
    # 40 events touch a few files (runs.db, the index, the runless run's shard), each opened
    # once; the stock storage opens a connection per query, about six per event.
    assert len(opened) <= 5, opened


def test_commits_flush_the_write_ahead_log_at_checkpoints_only(instance):
    """Dagster's files are in WAL mode; the pooled engines' connections sync at checkpoints
    (synchronous=NORMAL, 1), not at every commit (FULL, 2: SQLite's default)."""
    instance.report_runless_asset_event(AssetMaterialization(AssetKey(["raw", "rows"])))
    engines = [
        instance.run_storage._pooled_engine,
        *instance.event_log_storage._engines.values(),
    ]
    assert len(engines) >= 2
    for engine in engines:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("pragma synchronous").scalar() == 1
