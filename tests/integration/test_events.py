"""The live event stream (GET /api/v1/events): runs, run summaries and alarms, as they happen.

With ``services`` passed in, the app does not tick by itself: each test ticks the monitor and the
alarms, then publishes the tick on the app's event loop, as ``serve`` does every second. Every
read is bounded: the heartbeat is made fast, and a test reads a bounded number of frames.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pwsupport import app_of, portal
from pydantic import SecretStr
from ssesupport import frames, until

from acting import ctx_at
from phytowatch.bootstrap import Services
from phytowatch.config import Settings
from phytowatch.domain.instants import US_PER_MIN, US_PER_S
from phytowatch.services.ports import ReadingBatch, StoredItem
from phytowatch.services.provisioning import add_enterprise, add_facility
from phytowatch.services.runs import RunEvent, start_run
from phytowatch.web.api import events as events_api
from phytowatch.web.app import create_app
from phytowatch.web.events import EventHub, TickPublisher, publish_tick

pytestmark = pytest.mark.integration
TOKEN = "admin-secret-for-tests"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
T0 = 1_772_361_600 * US_PER_S


@pytest.fixture(autouse=True)
def fast_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events_api, "HEARTBEAT_S", 0.05)


@pytest.fixture
def run(services: Services) -> int:
    add_enterprise(services.registry, "E1", "企业", "Enterprise", "赣州", "II", ctx=ctx_at(1))
    for code in ("K1", "K2"):
        add_facility(
            services.registry,
            code,
            "E1",
            "kiln",
            ["C1:product", "C2:product", "C3:product"],
            ctx=ctx_at(1),
        )
    return start_run(services.runs, "K1", "ispm15-ht", load="pallets", ctx=ctx_at(T0 - US_PER_S)).id


@pytest.fixture
def client(settings: Settings, services: Services) -> Iterator[TestClient]:
    services.settings = settings.model_copy(update={"admin_token": SecretStr(TOKEN)})
    with TestClient(create_app(services.settings, services)) as test_client:
        yield test_client


def store(services: Services, minute: int, values: tuple[float, ...]) -> None:
    facility = services.registry.facility_by_code("K1")
    assert facility is not None
    t = T0 + minute * US_PER_MIN
    items = tuple(
        StoredItem(k, facility.probes[f"C{k + 1}"].id, t, v, None) for k, v in enumerate(values)
    )
    services.writer.submit(ReadingBatch(facility.id, "test", t, items)).result(timeout=10)


def tick(client: TestClient, publisher: TickPublisher, minute: float) -> None:
    """One tick of ``serve``: judge, look for alarms, publish (on the app's event loop)."""
    now = T0 + int(minute * US_PER_MIN)
    services = publisher.services
    run_events = services.monitor.tick(now)
    changes = services.alarms.tick(now)
    portal(client).call(publisher.publish, now, run_events, changes)


def subscribers(client: TestClient) -> int:
    hub: EventHub = app_of(client).state.events
    return int(portal(client).call(lambda: hub.subscribers))


def test_a_subscriber_sees_a_phase_change_a_hold_break_and_its_acknowledgement(
    client: TestClient, services: Services, run: int
) -> None:
    publisher = TickPublisher(app_of(client).state.events, services)
    with client.stream("GET", "/api/v1/events", headers=ADMIN) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        assert next(lines) == "retry: 3000"  # subscribed from here on
        found = frames(lines)
        store(services, 0, (57.0, 57.0, 57.0))
        tick(client, publisher, 0.1)
        phase = until(found, "run", run=run)
        assert (phase["data"]["kind"], phase["data"]["phase"]) == ("phase", "HOLDING")
        summary = until(found, "runs")["data"]["runs"]
        assert [(r["id"], r["facility"], r["phase"]) for r in summary] == [(run, "K1", "HOLDING")]
        assert summary[0]["holds"][0]["earliest_end"] == "2026-03-01T11:10:00Z"
        assert summary[0]["governing"] and summary[0]["stale"] is False

        store(services, 1, (50.0, 57.0, 57.0))
        tick(client, publisher, 1.1)
        restart = until(found, "run", run=run, previous="HOLDING")  # a tick's runs come first
        assert restart["data"]["phase"] == "WAITING"  # the hold restarts
        assert int(phase["id"]) < int(restart["id"])  # ids only grow
        broken = until(found, "alarm", change="raised")["data"]["alarm"]
        assert (broken["kind"], broken["facility"], broken["subject"]) == (
            "hold_broken",
            "K1",
            f"run {run}",
        )

        services.alarms.acknowledge(
            broken["id"], by="inspector Li", comment="door opened by the loader", ctx=ctx_at(T0)
        )
        tick(client, publisher, 1.2)
        acked = until(found, "alarm", change="acknowledged")["data"]["alarm"]
        assert (acked["id"], acked["acknowledged_by"]) == (broken["id"], "inspector Li")
        services.alarms.clear(
            broken["id"], by="inspector Li", comment="hold restarted in full", ctx=ctx_at(T0)
        )
        tick(client, publisher, 1.3)
        cleared = until(found, "alarm", change="cleared")["data"]["alarm"]
        assert (cleared["id"], cleared["cleared_by"]) == (broken["id"], "inspector Li")
    # the stream ends with the client: its subscription goes
    deadline = time.monotonic() + 5
    while subscribers(client) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert subscribers(client) == 0


def test_the_facility_filter_keeps_only_that_facilitys_events(
    client: TestClient, services: Services, run: int
) -> None:
    hub: EventHub = app_of(client).state.events
    k1 = RunEvent("phase", run, "K1", T0, "HOLDING", "WAITING")
    k2 = RunEvent("phase", run + 1, "K2", T0, "HOLDING", "WAITING")
    summaries = [{"id": run, "facility": "K1"}, {"id": run + 1, "facility": "K2"}]

    def publish() -> None:
        publish_tick(hub, [k1, k2], [], summaries, now=T0)

    with client.stream("GET", "/api/v1/events?facility=K2", headers=ADMIN) as response:
        lines = response.iter_lines()
        assert next(lines) == "retry: 3000"
        portal(client).call(publish)
        found = frames(lines)
        first, second = next(found), next(found)
    assert (first["event"], first["data"]["facility"]) == ("run", "K2")
    assert (second["event"], second["data"]["runs"]) == ("runs", [summaries[1]])
    assert client.get("/api/v1/events?facility=K9", headers=ADMIN).status_code == 404


def test_the_stream_needs_the_admin_token_in_the_header_or_the_query(
    client: TestClient, run: int
) -> None:
    assert client.get("/api/v1/events").status_code == 401
    assert client.get("/api/v1/events?token=wrong").status_code == 401
    wrong_header = {"Authorization": "Bearer wrong"}
    assert client.get(f"/api/v1/events?token={TOKEN}", headers=wrong_header).status_code == 401
    with client.stream("GET", f"/api/v1/events?token={TOKEN}") as response:
        assert response.status_code == 200
        assert next(response.iter_lines()) == "retry: 3000"


def test_a_subscriber_that_does_not_read_is_dropped_and_the_others_get_everything() -> None:
    async def scenario() -> None:
        hub = EventHub(queue_size=2)
        stalled = events_api.frames(hub.subscribe(), None)  # subscribed, and reads nothing
        reader = hub.subscribe()
        got = []
        for n in range(5):
            hub.publish("runs", {"n": n})
            got.append((await reader.queue.get()).data["n"])
        assert got == [0, 1, 2, 3, 4]
        assert hub.subscribers == 1  # the stalled one was dropped at the third event
        rest = [frame async for frame in stalled]  # what it had, the notice, and the end
        assert [f.split("\n")[1] for f in rest[1:]] == ["event: runs"] * 2 + ["event: overflow"]
        assert '"last_id":2' in rest[-1]

    asyncio.run(asyncio.wait_for(scenario(), 5))
