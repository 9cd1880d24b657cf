"""One transaction for a change and its audit entry: both are stored, or neither.

``Transactions(engine).atomic()`` opens a connection, takes the audit trail's write lock first
(SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the trail's advisory lock, always before any row lock,
so two units never wait on each other in a circle) and makes it the *current* connection of this
context. Every repository call inside, through :func:`begin` and :func:`connect`, runs on that
connection, and the unit commits once at its end: a crash anywhere before the commit loses the
change and its entry together, never one of them. Outside a unit the repositories open their own
short transactions, as before.

The current connection lives in a :class:`~contextvars.ContextVar`, so it follows the code that
opened it (a request's worker thread) and nothing else: another thread's calls are not in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

AUDIT_LOCK_KEY = 0x7068_7974_6F61  # "phytoa": the audit trail's PostgreSQL advisory lock

_current: ContextVar[Connection | None] = ContextVar("phytowatch_unit", default=None)


def current(engine: Engine) -> Connection | None:
    """The unit's connection, when this code runs inside a unit on ``engine``."""
    conn = _current.get()
    return conn if conn is not None and conn.engine is engine else None


def begin(engine: Engine) -> AbstractContextManager[Connection]:
    """A connection to write on: the unit's (committed with it), else a transaction of its own."""
    conn = current(engine)
    return nullcontext(conn) if conn is not None else engine.begin()


def connect(engine: Engine) -> AbstractContextManager[Connection]:
    """A connection to read on: the unit's (it sees what the unit wrote), else a new one."""
    conn = current(engine)
    return nullcontext(conn) if conn is not None else engine.connect()


def lock_audit(conn: Connection) -> None:
    """The audit trail's write lock, taken before its head is read (see the module's docstring)."""
    if conn.dialect.name == "sqlite":
        # pysqlite would only begin at the first write, after the read of the head: take the
        # write lock first (waits up to busy_timeout for another writer)
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})


class Transactions:
    """Units of work on one engine (``services.audit.AuditStore.atomic``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def atomic(self) -> Iterator[None]:
        if current(self.engine) is not None:  # a unit inside a unit is the same unit
            yield
            return
        with self.engine.connect() as conn:
            lock_audit(conn)
            token = _current.set(conn)
            try:
                yield
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            finally:
                _current.reset(token)
