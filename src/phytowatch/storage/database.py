"""Engines for the two supported databases.

SQLite (the embedded default) runs in WAL mode with ``synchronous=FULL``: a batch is on disk when
its commit returns, so a ``200`` survives a crash of the process or of the machine. All SQLite
writes go through one writer thread (``storage.writer``); readers use their own connections.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import NullPool

from phytowatch.domain.messages import Code, say
from phytowatch.services.ports import DatabaseMissingError, DatabaseUrlError

SQLITE_POOL = 40  # anyio's default worker threads, each may hold a connection


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def masked_url(url: str) -> str | None:
    """The URL without its password, for messages; ``None`` when it is not a URL."""
    try:
        return repr(make_url(url).render_as_string(hide_password=True))
    except (ArgumentError, ValueError):
        return None


def make_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for ``url``; ``DatabaseUrlError`` (a ``ValueError``) for a URL that is not one
    of a supported database. Without ``create``, a SQLite file that is not there is
    ``DatabaseMissingError``, and neither it nor its folder is made (PostgreSQL never creates a
    database on its own: see :func:`check_exists`)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise DatabaseUrlError(say(Code.DATABASE_URL_UNREADABLE)) from None
    if parsed.get_backend_name() == "sqlite":
        file_based = bool(parsed.database) and parsed.database != ":memory:"
        if file_based and not create and not Path(str(parsed.database)).expanduser().is_file():
            raise DatabaseMissingError(say(Code.DATABASE_MISSING, database=str(parsed.database)))
        if file_based:
            folder = Path(str(parsed.database)).expanduser().resolve().parent
            folder.mkdir(parents=True, exist_ok=True)
        # A file is always there: no ping before each use. A pool as large as the web server's
        # thread pool, so that busy moments reuse connections instead of opening (and setting
        # up) new ones for every request.
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": 30},
            **({"pool_size": SQLITE_POOL, "max_overflow": SQLITE_POOL} if file_based else {}),
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=8,
            max_overflow=4,
            pool_timeout=5,
            connect_args={"connect_timeout": 3},
        )
    backend = parsed.get_backend_name()
    raise DatabaseUrlError(say(Code.DATABASE_UNSUPPORTED, backend=backend))


def check_exists(engine: Engine) -> None:
    """``DatabaseMissingError`` when the engine's PostgreSQL database does not exist.

    Asked only when connecting fails: the server's catalogue of databases (``pg_database``,
    through its maintenance database) says whether the name is unknown, whatever language the
    server speaks. Any other failure is left to the caller (the database out of reach)."""
    parsed = engine.url
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        return
    try:
        with engine.connect():
            return
    except DBAPIError:
        pass
    for maintenance in ("postgres", "template1"):
        if maintenance == parsed.database:
            continue
        probe = create_engine(
            parsed.set(database=maintenance),
            connect_args={"connect_timeout": 3},
            poolclass=NullPool,
        )
        try:
            with probe.connect() as connection:
                known = connection.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"),
                    {"name": parsed.database},
                ).first()
        except DBAPIError:
            continue  # not this maintenance database (or the server is out of reach)
        finally:
            probe.dispose()
        if known is None:
            raise DatabaseMissingError(say(Code.DATABASE_MISSING, database=parsed.database))
        return


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # a page cache of up to 32 MiB per connection (the default is 2 MiB), filled only as pages
    # are read: the figures of a province-year read ~100 MB of tables, and answer 12-17 % sooner
    # (benchmarks/kpi.py, docs/performance.md)
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()
