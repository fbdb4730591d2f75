"""Dagster's SQLite storage, with one pooled SQLAlchemy engine per database file.

Dagster's SQLite storages create a new engine (`NullPool`) for every query, and storing one
event takes about six queries (the event, its index mirror, schema probes, the check or
materialisation tables). On this project's 2-core machine that was 12-22 ms per event, and a
demo refresh stores ~1,700 events (one per materialisation, check evaluation and output): about
a quarter of the refresh was spent opening SQLite files. Keeping an engine per file makes an
event cost a few milliseconds, with the same files, schema and multi-process locking (SQLite
locks per transaction, not per connection), so `dagster dev`, the daemon and the CLI share
`$DAGSTER_HOME` exactly as with the stock storage. Its connections also flush SQLite's
write-ahead log at checkpoints rather than at every commit (`_sync_at_checkpoints`).

Configured in dagster.yaml as `storage: custom:` (the paths are those of `storage: sqlite:`).
It subclasses Dagster's internal SQLite classes, which the pinned Dagster release fixes;
tests/orchestration/test_dagster_storage.py fails if an upgrade stops them being used or
brings back a connection per query.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS, create_db_conn_string
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# Engines of run shards kept open: a long-lived webserver reads many runs' files; the runs
# being written or watched are the recent ones.
_RUN_SHARD_ENGINES = 16


def _engine(conn_string: str) -> Engine:
    engine = create_engine(conn_string, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
    event.listen(engine, "connect", _sync_at_checkpoints)
    return engine


def _sync_at_checkpoints(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    """Dagster's files are in WAL mode (Dagster sets it when it creates them), where SQLite's
    default, synchronous=FULL, flushes the log to disk at every commit: a demo refresh commits
    ~3,000 times (a check evaluation or materialisation is a transaction) and spent 0.2-0.8 ms
    in each flush. NORMAL flushes at checkpoints only, which SQLite documents as safe from
    corruption in WAL mode; a power cut can lose the last few events, never the file."""
    dbapi_connection.execute("pragma synchronous = normal")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """The stock per-run-shard event log, reusing one engine per shard."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data)

    def _shard_engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is not None:
                self._engines.move_to_end(shard)
                return engine
            engine = _engine(self.conn_string_for_shard(shard))
            self._engines[shard] = engine
            run_shards = [name for name in self._engines if name != "index"]
            for name in run_shards[: max(0, len(run_shards) - _RUN_SHARD_ENGINES)]:
                self._engines.pop(name).dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._shard_engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        super().dispose()
        with self._engines_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


class PooledSqliteRunStorage(SqliteRunStorage):
    """The stock run storage, reusing one engine."""

    def __init__(self, conn_string: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(conn_string, inst_data)
        self._pooled_engine = _engine(conn_string)  # connects on first use

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._pooled_engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        super().dispose()
        self._pooled_engine.dispose()


class PooledSqliteStorage(DagsterSqliteStorage):
    """`storage: sqlite:` with pooled engines (same directories under `base_dir`)."""

    @classmethod
    def from_config_value(  # the parent's builds its own class
        cls, inst_data: ConfigurableClassData, config_value: dict
    ) -> PooledSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir, inst_data)
        runs_dir = _runs_directory(base_dir)
        # The stock constructor created and migrated the run database; reuse its location.
        self._run_storage = PooledSqliteRunStorage(
            create_db_conn_string(runs_dir, "runs"), inst_data=None
        )
        self._event_log_storage = PooledSqliteEventLogStorage(_event_logs_directory(base_dir))
