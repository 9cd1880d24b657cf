"""Fixtures for tests against real services: a kiln, the world and its client, Mosquitto.

The databases (``db_url``, ``settings``, ``services``, picked by ``--dburl``) are the whole
suite's: tests/databases.py. A test that needs a service it cannot reach is skipped on a laptop,
but fails in CI (``CI=true``), where ``.ci/run`` starts the services first.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from accountsworld import World, build, client_for
from fastapi.testclient import TestClient
from pwsupport import MQTT_HOST, MQTT_PORT, Provisioned, port_open

from acting import ctx_at
from databases import need
from phytowatch.bootstrap import Services
from phytowatch.services.provisioning import add_enterprise, add_facility


@pytest.fixture
def kiln(services: Services) -> Provisioned:
    """Enterprise 0031 with kiln JX-0031-K2: probes C1-C3 (product) and A1 (air)."""
    add_enterprise(
        services.registry, "0031", "赣州木业", "Ganzhou Wood", "赣州", "II", ctx=ctx_at(1)
    )
    issued = add_facility(
        services.registry,
        "JX-0031-K2",
        "0031",
        "kiln",
        ["C1:product", "C2:product", "C3:product", "A1:air"],
        ctx=ctx_at(1),
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
