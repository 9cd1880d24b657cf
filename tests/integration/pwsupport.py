"""Helpers shared by the integration tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from anyio.from_thread import BlockingPortal
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from phytowatch.services.ports import FacilityRef

MQTT_HOST = os.environ.get("PHYTOWATCH_TEST_MQTT_HOST", "127.0.0.1")
MQTT_PORT = int(os.environ.get("PHYTOWATCH_TEST_MQTT_PORT", "1883"))


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class Provisioned:
    facility: FacilityRef
    token: str


@contextmanager
def writes_blocked(engine: Engine) -> Iterator[None]:
    """Hold the database's write lock from another connection while the block runs."""
    if engine.dialect.name == "sqlite":
        holder = sqlite3.connect(
            str(engine.url.database), isolation_level=None, timeout=30, check_same_thread=False
        )
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    else:
        with engine.connect() as conn:
            conn.execute(text("LOCK TABLE readings IN SHARE MODE"))  # blocks every INSERT
            try:
                yield
            finally:
                conn.rollback()


def app_of(client: TestClient) -> FastAPI:
    """The app a test client calls (TestClient types it as any ASGI app)."""
    assert isinstance(client.app, FastAPI)
    return client.app


def portal(client: TestClient) -> BlockingPortal:
    """The open client's way onto the app's event loop: ``portal(client).call(f)``."""
    assert client.portal is not None, "the client is not open: use `with TestClient(app) as ...`"
    return client.portal
