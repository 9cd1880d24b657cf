"""The databases a storage test runs on, for every folder of tests that needs one (a pytest
plugin, loaded by tests/conftest.py).

A test that asks for ``db_url`` (or ``settings``, ``services``) runs once per database of
``--dburl``: a new SQLite file, and a new PostgreSQL database at ``PHYTOWATCH_TEST_POSTGRES``,
dropped afterwards; both by default. A service a test needs and cannot reach skips the test on a
laptop and fails it in CI (``CI=true``), where ``.ci/run`` starts the services first.

A test that uses ``services`` (whose ``bootstrap`` migrates the database before the test sees
it) gets its new database as a copy of one migrated once per process: the SQLite file copied,
the PostgreSQL database created from it as ``TEMPLATE``. Running the migrations on each new
database cost more than most tests; what the test sees is the same newest schema, which
``bootstrap`` then finds up to date. Every other test (``db_url`` or ``settings`` alone, such
as the migrations' own tests) gets an empty database, as before.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # imported by the fixtures that build them: a unit run loads no database stack
    from phytowatch.bootstrap import Services
    from phytowatch.config import Settings

POSTGRES_ADMIN = os.environ.get(
    "PHYTOWATCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DATABASES = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--dburl",
        action="append",
        choices=DATABASES,
        help="database(s) the storage tests run on (default: both)",
    )


def database_kinds(config: pytest.Config) -> list[str]:
    """The databases of ``--dburl``, both when it is not given."""
    kinds: list[str] | None = config.getoption("dburl")
    return kinds or list(DATABASES)


def need(service: str, reachable: bool, how: str) -> None:
    """Skip (laptop) or fail (CI) when a service is not reachable."""
    if reachable:
        return
    message = f"{service} is not reachable ({how})"
    if IN_CI:
        pytest.fail(f"{message}; CI must run it (.ci/run starts it)")
    pytest.skip(message)


def postgres_reachable(url: str = POSTGRES_ADMIN) -> bool:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    engine = create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    need("PostgreSQL", postgres_reachable(), POSTGRES_ADMIN)
    return POSTGRES_ADMIN


@contextmanager
def _postgres_database(admin_url: str, template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (a copy of ``template`` when given), dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"pw_test_{uuid.uuid4().hex[:12]}"
    copied = f' TEMPLATE "{template}"' if template else ""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(url: str) -> None:
    from phytowatch.storage.database import make_engine
    from phytowatch.storage.migrate import upgrade

    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with _postgres_database(postgres_admin_url) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_postgres(postgres_admin_url: str) -> Iterator[str]:
    """The name of a PostgreSQL database at the newest schema, for this process's tests to copy
    (nobody connects to it after: a template must have no sessions)."""
    from sqlalchemy.engine import make_url

    with _postgres_database(postgres_admin_url) as url:
        _migrate(url)
        name = make_url(url).database
        assert name is not None
        yield name


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the newest schema, for this process's tests to copy."""
    path = tmp_path_factory.mktemp("migrated") / "phytowatch.db"
    _migrate(f"sqlite:///{path}")
    return path


def _copy_sqlite(source: Path, target: Path) -> None:
    """The whole database, its write-ahead log included (SQLite's online backup)."""
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _starts_migrated(request: pytest.FixtureRequest) -> bool:
    """Whether the test uses ``services``, which migrates its database before the test runs. The
    contract tests ask for ``services`` by name as they run (their ``memory`` kind needs none),
    and every one of their SQL stores comes from it."""
    contract = request.node.get_closest_marker("contract") is not None
    return "services" in request.fixturenames or contract


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_url" in metafunc.fixturenames:
        kinds = database_kinds(metafunc.config)
        metafunc.parametrize("db_kind", kinds, ids=kinds)


@pytest.fixture
def db_url(db_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The database URL of this run of a storage test: a new SQLite file, or a new PG database
    (at the newest schema already for a test that uses ``services``, see above)."""
    migrated = _starts_migrated(request)
    if db_kind == "sqlite":
        path = tmp_path / "phytowatch.db"
        if migrated:
            _copy_sqlite(request.getfixturevalue("migrated_sqlite"), path)
        yield f"sqlite:///{path}"
    elif db_kind == "postgresql":
        if migrated:
            template: str = request.getfixturevalue("migrated_postgres")
            admin: str = request.getfixturevalue("postgres_admin_url")
            with _postgres_database(admin, template) as url:
                yield url
        else:
            url = request.getfixturevalue("postgres_url")
            yield url
    else:
        raise ValueError(f"--dburl {db_kind}: sqlite or postgresql")


@pytest.fixture
def settings(db_url: str) -> Settings:
    from phytowatch.config import load_settings

    return load_settings(database_url=db_url)


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    from phytowatch.bootstrap import bootstrap

    svc = bootstrap(settings)
    try:
        yield svc
    finally:
        svc.close()
