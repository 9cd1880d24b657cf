"""The databases a storage test runs on, for every folder of tests that needs one (a pytest
plugin, loaded by tests/conftest.py).

A test that asks for ``db_url`` (or ``settings``, ``services``) runs once per database of
``--dburl``: a new SQLite file, and a new PostgreSQL database at ``PHYTOWATCH_TEST_POSTGRES``,
dropped afterwards; both by default. A service a test needs and cannot reach skips the test on a
laptop and fails it in CI (``CI=true``), where ``.ci/run`` starts the services first.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
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


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"pw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_url" in metafunc.fixturenames:
        kinds = database_kinds(metafunc.config)
        metafunc.parametrize("db_kind", kinds, ids=kinds)


@pytest.fixture
def db_url(db_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The database URL of this run of a storage test: a new SQLite file, or a new PG database."""
    if db_kind == "sqlite":
        return f"sqlite:///{tmp_path / 'phytowatch.db'}"
    if db_kind == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        return url
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
