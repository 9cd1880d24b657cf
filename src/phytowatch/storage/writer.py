"""Writers: every batch of readings reaches the database through one of these.

``SqliteWriter``: the one writer SQLite wants. A bounded queue feeds one thread, which takes every
batch waiting and commits them together (group commit: one fsync for many devices), each batch in
its own savepoint so that one bad batch cannot spoil the others. ``PostgresWriter``: a few threads,
each with its own connection and transaction, on the same bounded queue.

A full queue raises :class:`WriterBusyError` at once (the device gets 503 and Retry-After); nothing
is dropped silently. A future resolves only after its batch is committed. Whoever wants to know
what was committed the moment it is (live judging) adds a listener to ``on_commit``: it is called
on the writer's thread, after the commit and before the batch's future resolves, so it must only
hand the batch on (queue it), never work on it there.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, cast

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from phytowatch.services.ports import (
    ReadingBatch,
    StorageUnavailableError,
    StoreOutcome,
    WriterBusyError,
)
from phytowatch.storage.reading_store import store_postgres, store_sqlite

log = logging.getLogger(__name__)
Job = tuple[ReadingBatch, Future[StoreOutcome]]
CommitListener = Callable[[ReadingBatch, StoreOutcome], None]
_STOP = object()
GROUP_LIMIT = 64  # batches committed together at most
RETRIES = 3  # a PostgreSQL batch that lost a deadlock or serialization race is tried again


class _QueuedWriter:
    def __init__(self, engine: Engine, capacity: int, threads: int, name: str) -> None:
        self.engine = engine
        self._queue: queue.Queue[Job | object] = queue.Queue(maxsize=capacity)
        self._threads = [
            threading.Thread(target=self._run, name=f"{name}-{k}", daemon=True)
            for k in range(threads)
        ]
        self._closed = False
        self.on_commit: list[CommitListener] = []
        for thread in self._threads:
            thread.start()

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    def submit(self, batch: ReadingBatch) -> Future[StoreOutcome]:
        if self._closed:
            raise StorageUnavailableError("the writer is shutting down")
        future: Future[StoreOutcome] = Future()
        try:
            self._queue.put_nowait((batch, future))
        except queue.Full:
            raise WriterBusyError(f"write queue full ({self._queue.maxsize} batches)") from None
        return future

    def close(self) -> None:
        """Finish what is queued, then stop."""
        if self._closed:
            return
        self._closed = True
        for _ in self._threads:
            self._queue.put(_STOP)
        for thread in self._threads:
            thread.join(timeout=30)

    def _take(self) -> list[Job] | None:
        first = self._queue.get()
        if first is _STOP:
            return None
        jobs: list[Job] = [first]  # type: ignore[list-item]
        while len(jobs) < self._group_limit():
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                break
            if more is _STOP:
                self._queue.put(_STOP)  # leave it for the next round (or another thread)
                break
            jobs.append(more)  # type: ignore[arg-type]
        return jobs

    def _group_limit(self) -> int:
        return 1

    def _committed(self, batch: ReadingBatch, outcome: StoreOutcome) -> None:
        for listener in self.on_commit:
            try:
                listener(batch, outcome)
            except Exception:  # a listener's bug must not fail a batch that is stored
                log.exception("a commit listener failed")

    def _run(self) -> None:
        while True:
            jobs = self._take()
            if jobs is None:
                return
            try:
                self._write(jobs)
            except StorageUnavailableError as error:
                log.warning("database unavailable: %s", error)
                for _, future in jobs:
                    if not future.done():
                        future.set_exception(error)
            except (OperationalError, DBAPIError, sqlite3.OperationalError) as error:
                log.warning("database unavailable: %s", type(error).__name__)
                for _, future in jobs:
                    if not future.done():
                        future.set_exception(StorageUnavailableError("the database is unavailable"))
            except Exception as error:  # a bug: fail the batch loudly, keep the writer alive
                log.exception("writing a batch failed")
                for _, future in jobs:
                    if not future.done():
                        future.set_exception(error)

    def _write(self, jobs: list[Job]) -> None:
        raise NotImplementedError


class SqliteWriter(_QueuedWriter):
    def __init__(self, engine: Engine, capacity: int) -> None:
        # the writer's own connection, in autocommit mode so that it says BEGIN and COMMIT itself
        self._raw = engine.raw_connection()
        self._driver = cast(Any, self._raw.driver_connection)
        self._driver.isolation_level = None
        super().__init__(engine, capacity, threads=1, name="sqlite-writer")

    def _group_limit(self) -> int:
        return GROUP_LIMIT

    def close(self) -> None:
        super().close()
        self._raw.close()

    def _write(self, jobs: list[Job]) -> None:
        outcomes: list[tuple[Future[StoreOutcome], StoreOutcome | BaseException]] = []
        cursor = self._driver.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            for batch, future in jobs:
                outcomes.append((future, _in_savepoint(cursor, store_sqlite, batch)))
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        finally:
            cursor.close()
        for (batch, _), (future, outcome) in zip(jobs, outcomes, strict=True):
            if not isinstance(outcome, BaseException):
                self._committed(batch, outcome)
            # answered only once durably committed
            if future.cancelled():
                continue  # its request went away; the others of the group still get answers
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


def _in_savepoint(
    cursor: Any, store: Callable[[Any, ReadingBatch], StoreOutcome], batch: ReadingBatch
) -> StoreOutcome | BaseException:
    cursor.execute("SAVEPOINT batch")
    try:
        outcome = store(cursor, batch)
    except sqlite3.OperationalError:
        raise  # the database itself (disk full, locked): fail the whole group
    except Exception as error:
        cursor.execute("ROLLBACK TO SAVEPOINT batch")
        cursor.execute("RELEASE SAVEPOINT batch")
        return error
    cursor.execute("RELEASE SAVEPOINT batch")
    return outcome


class PostgresWriter(_QueuedWriter):
    def __init__(self, engine: Engine, capacity: int, workers: int) -> None:
        super().__init__(engine, capacity, threads=max(1, workers), name="pg-writer")

    def _write(self, jobs: list[Job]) -> None:
        import psycopg

        for batch, future in jobs:
            for attempt in range(RETRIES):
                try:
                    with self.engine.begin() as connection:
                        raw: Any = connection.connection.dbapi_connection
                        with raw.cursor() as cursor:
                            outcome = store_postgres(cursor, batch)
                except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure):
                    if attempt == RETRIES - 1:
                        raise StorageUnavailableError("the database is busy") from None
                    continue  # rolled back as a whole: try the batch again
                except psycopg.OperationalError:
                    raise StorageUnavailableError("the database is unavailable") from None
                self._committed(batch, outcome)
                if not future.cancelled():
                    future.set_result(outcome)
                break


def make_writer(engine: Engine, capacity: int, workers: int) -> SqliteWriter | PostgresWriter:
    if engine.dialect.name == "sqlite":
        return SqliteWriter(engine, capacity)
    return PostgresWriter(engine, capacity, workers)
