"""The port contract tests' fixtures: each port as its fake (``memory``) and as its SQL store on
each database of ``--dburl`` (tests/databases.py); every test runs on each of them.

A fixture gives a port in a known state, reached through the ports themselves where it can be
(an enterprise added to the registry), and by the fake's own means where the fake has no port for
it (the enterprises an in-memory account store knows of).
"""

from __future__ import annotations

import pytest
from stores import T0, SignOffDesk, Site

from databases import database_kinds
from fakes import (
    InMemoryAccountStore,
    InMemoryAlarmStore,
    InMemoryAuditStore,
    InMemoryReadingWriter,
    InMemoryRegistry,
    InMemoryRunStore,
    InMemorySignOffStore,
)
from phytowatch.bootstrap import Services
from phytowatch.services.accounts import AccountStore
from phytowatch.services.alarms import AlarmStore
from phytowatch.services.audit import AuditStore
from phytowatch.services.ports import ReadingWriter, Registry
from phytowatch.services.runs import RunStore


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store_kind" in metafunc.fixturenames:
        on_databases = [
            pytest.param(kind, id=kind, marks=pytest.mark.integration)
            for kind in database_kinds(metafunc.config)
        ]
        metafunc.parametrize("store_kind", [pytest.param("memory", id="memory"), *on_databases])


@pytest.fixture
def db_kind(store_kind: str) -> str:
    """The database of a SQL store is the one this run of the test is on."""
    return store_kind


def _services(store_kind: str, request: pytest.FixtureRequest) -> Services | None:
    if store_kind == "memory":
        return None
    services: Services = request.getfixturevalue("services")
    return services


@pytest.fixture
def site(store_kind: str, request: pytest.FixtureRequest) -> Site:
    services = _services(store_kind, request)
    registry: Registry
    writer: ReadingWriter
    if services is None:
        memory = InMemoryRegistry()
        registry, writer = memory, InMemoryReadingWriter(memory)
        runs: RunStore = InMemoryRunStore(memory)
        alarms: AlarmStore = InMemoryAlarmStore(memory)
    else:
        registry, writer = services.registry, services.writer
        runs, alarms = services.runs, services.alarm_store
    enterprise = registry.add_enterprise("E1", "企业", "Enterprise", "赣州", "II", now=T0)
    probes = [(code, "product", "") for code in ("C1", "C2", "C3")]
    k1 = registry.add_facility(
        "K1", enterprise.id, "kiln", probes, name="", treater_number=None, now=T0
    )
    k2 = registry.add_facility(
        "K2", enterprise.id, "kiln", probes[:1], name="", treater_number=None, now=T0
    )
    return Site(registry, writer, runs, alarms, k1, k2)


@pytest.fixture
def account_store(store_kind: str, request: pytest.FixtureRequest) -> AccountStore:
    """An account store where enterprises E1 (赣州) and E2 (南昌) exist."""
    services = _services(store_kind, request)
    if services is None:
        return InMemoryAccountStore({"E1": "赣州", "E2": "南昌"})
    for code, city in (("E1", "赣州"), ("E2", "南昌")):
        services.registry.add_enterprise(code, "企业", "Enterprise", city, "II", now=T0)
    return services.accounts


@pytest.fixture
def audit_store(store_kind: str, request: pytest.FixtureRequest) -> AuditStore:
    """An empty audit trail."""
    services = _services(store_kind, request)
    return InMemoryAuditStore() if services is None else services.audit.store


@pytest.fixture
def signoff_desk(store_kind: str, request: pytest.FixtureRequest) -> SignOffDesk:
    services = _services(store_kind, request)
    if services is None:
        return SignOffDesk(InMemorySignOffStore({"K1": ("E1", "赣州")}), run=1, user=1)
    enterprise = services.registry.add_enterprise("E1", "企业", "E", "赣州", "II", now=T0)
    k1 = services.registry.add_facility(
        "K1", enterprise.id, "kiln", [("C1", "product", "")], name="", treater_number=None, now=T0
    )
    run = services.runs.create_run(k1.id, "ispm15-ht", "1", "{}", "{}", [], "pallets", "", T0)
    user = services.accounts.add_user("li", "Li", "inspector", None, None, "x", now=T0)
    return SignOffDesk(services.accounts, run, user)
