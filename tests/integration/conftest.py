"""Fixtures for tests against real services: SQLite files, PostgreSQL, Mosquitto.

A test that needs a service it cannot reach is skipped on a laptop, but fails in CI (``CI=true``),
where ``.ci/run`` starts the services first. ``--dburl`` picks the databases the storage tests run
on (default: both SQLite and PostgreSQL at ``PHYTOWATCH_TEST_POSTGRES``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from accountsworld import World, build, client_for
from fastapi.testclient import TestClient
from pwsupport import (
    MQTT_HOST,
    MQTT_PORT,
    POSTGRES_ADMIN,
    Provisioned,
    need,
    port_open,
    postgres_reachable,
)

from phytowatch.bootstrap import Services, bootstrap
from phytowatch.config import Settings, load_settings
from phytowatch.services.provisioning import add_enterprise, add_facility


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
        kinds = metafunc.config.getoption("dburl") or ["sqlite", "postgresql"]
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
    return load_settings(database_url=db_url)


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    svc = bootstrap(settings)
    try:
        yield svc
    finally:
        svc.close()


@pytest.fixture
def kiln(services: Services) -> Provisioned:
    """Enterprise 0031 with kiln JX-0031-K2: probes C1-C3 (product) and A1 (air)."""
    add_enterprise(services.registry, "0031", "赣州木业", "Ganzhou Wood", "赣州", "II", now=1)
    issued = add_facility(
        services.registry,
        "JX-0031-K2",
        "0031",
        "kiln",
        ["C1:product", "C2:product", "C3:product", "A1:air"],
        now=1,
    )
    return Provisioned(issued.facility, issued.token)


@pytest.fixture
def world(services: Services) -> World:
    """Two enterprises, two offices, a person of every role and one of each object
    (accountsworld.py)."""
    return build(services)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    """The app on the world's services; a file that needs another app defines its own client."""
    with client_for(world) as test_client:
        yield test_client


@pytest.fixture
def mosquitto() -> tuple[str, int]:
    need("Mosquitto", port_open(MQTT_HOST, MQTT_PORT), f"{MQTT_HOST}:{MQTT_PORT}")
    return MQTT_HOST, MQTT_PORT
