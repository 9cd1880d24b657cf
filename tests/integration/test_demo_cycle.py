"""The demo's cycle over a day of demo time, in a few seconds: facilities load, treat
and load again, their runs close when the service decides them, and every time agrees with every
other: a run closes at the time of the reading that decided it, on the same clock as its readings
and its alarms. The service is the real one (SQLite, the HTTP device protocol through a test
client); its clock is a fixed clock the test moves, as the demo's clock moves on its own."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from phytowatch.bootstrap import Services, bootstrap
from phytowatch.config import load_settings
from phytowatch.demo.cycle import Cycle
from phytowatch.demo.province import DemoFacility, province
from phytowatch.demo.run import DemoService, seed
from phytowatch.domain.instants import US_PER_H, US_PER_MIN, parse_instant
from phytowatch.services.clock import FixedClock
from phytowatch.simulate.device import Answer
from phytowatch.web.app import create_app

pytestmark = pytest.mark.integration

T0 = parse_instant("2026-12-01T08:00:00Z")
STEP = 20 * US_PER_MIN
SPAN = 24 * US_PER_H
# the stations under test, each with its fault plans (no outage: nobody should look silent)
PLANS = {
    "JX-NC01-K1": ((), ("door@100m:25m",)),
    "JX-NC03-K1": (("pulled:C3@90m",), ()),
    "JX-GZ05-H1": ((), ("dropout:W1@40m:3m",)),
    "JX-JA06-H1": ((),),
    "JX-NC07-V1": ((),),
}


class ClientTransport:
    channel = "http"

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.token = token

    def send(self, payload: dict[str, Any]) -> Answer:
        answer = self.client.post(
            "/api/v1/ingest", json=payload, headers={"Authorization": f"Bearer {self.token}"}
        )
        return Answer(answer.status_code, answer.json())

    def close(self) -> None:
        pass


class ClientService(DemoService):
    """The demo's service, its cameras posting through the test client."""

    def __init__(self, services: Services, client: TestClient) -> None:
        super().__init__(services, "http://testserver")
        self.client = client
        self.stills = 0

    def still(self, facility: DemoFacility, token: str, jpeg: bytes, taken_at: int) -> None:
        from phytowatch.domain.instants import format_instant

        answer = self.client.post(
            f"/api/v1/facilities/{facility.code}/snapshots",
            params={"camera": facility.camera, "taken_at": format_instant(taken_at)},
            content=jpeg,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"},
        )
        assert answer.status_code in (200, 201), answer.text
        self.stills += 1


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder: Path = tmp_path_factory.mktemp("demo")
    tokens: dict[str, str] = {}
    url = seed(folder / "data", tokens, at=T0, only=PLANS)
    clock = FixedClock(T0)
    settings = load_settings(database_url=url)
    services = bootstrap(settings, migrate=False, clock=clock)
    facilities = {f.code: f for f in province()[1]}
    chosen = [
        (dataclasses.replace(facilities[code], fault_plans=plans), tokens[code])
        for code, plans in PLANS.items()
    ]
    try:
        with TestClient(create_app(settings, services)) as client:
            service = ClientService(services, client)
            cycle = Cycle(
                chosen,
                service=service,
                connect=lambda _f, token: ClientTransport(client, token),
                now=T0,
            )
            wall = 0.0
            starts: list[tuple[str, int]] = []
            while cycle.busy or wall == 0.0:  # the head start's readings, time standing still
                cycle.step(clock.now(), wall)
                wall += 1.0
            services.monitor.tick(clock.now())
            while clock.now() < T0 + SPAN:
                clock.advance(STEP)
                wall += STEP / US_PER_MIN  # a wall second per demo minute, as at 60×
                before = cycle.started
                cycle.step(clock.now(), wall)
                if cycle.started > before:
                    starts.append(("", clock.now()))
                services.monitor.tick(clock.now())
                services.alarms.tick(clock.now())
            runs = [services.runs.run(run_id) for run_id in _run_ids(services)]
            readings = {
                record.id: services.runs.run_readings(
                    record.facility_id, record.started_at, record.closed_at, None
                )
                for record in runs
                if record is not None
            }
            alarms = services.alarm_store.list_alarms(open_only=False, limit=10_000)
            return {
                "cycle": cycle,
                "runs": [r for r in runs if r is not None],
                "readings": readings,
                "alarms": alarms,
                "stills": service.stills,
                "starts": starts,
            }
    finally:
        services.close()


def _run_ids(services: Services) -> list[int]:
    from sqlalchemy import text

    with services.engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT id FROM runs ORDER BY id"))]


def test_new_runs_keep_starting_on_every_facility(day: dict[str, Any]) -> None:
    cycle: Cycle = day["cycle"]
    for station in cycle.stations:
        assert station.runs_started >= 3, station.facility.code
    late = [t for _, t in day["starts"] if t > T0 + SPAN - 6 * US_PER_H]
    assert late, "no run started in the last six hours"
    verdicts = Counter(r.verdict for r in day["runs"] if r.closed_at is not None)
    assert verdicts["PASS"] >= 10 and verdicts["FAIL"] >= 1, verdicts


def test_a_run_closes_on_the_clock_of_its_readings(day: dict[str, Any]) -> None:
    for record in day["runs"]:
        rows = day["readings"][record.id]
        assert rows, record.id
        first = min(row[1] for row in rows)
        assert first >= record.started_at
        if record.closed_at is None:
            continue
        assert T0 - 3 * US_PER_H <= record.started_at < record.closed_at <= T0 + SPAN
        decided = (record.judgement or {}).get("decided_at")
        if record.close_reason in ("pass", "fail") and decided:
            # closed within a step of the demo's clock after the reading that decided it
            gap = record.closed_at - parse_instant(decided)
            assert 0 <= gap <= STEP, (record.id, record.close_reason, gap)
        # no run lasts hours longer than its readings do
        last = max(row[1] for row in rows if row[1] <= record.closed_at)
        assert record.closed_at - last <= STEP + US_PER_MIN, record.id


def test_no_facility_looks_silent_and_alarms_are_stamped_on_the_same_clock(
    day: dict[str, Any],
) -> None:
    kinds = Counter(alarm.kind.value for alarm in day["alarms"])
    assert kinds["facility_silent"] == 0, kinds
    assert kinds["tamper"] + kinds["hold_broken"] >= 1, kinds  # the faults are seen
    for alarm in day["alarms"]:
        assert T0 <= alarm.raised_at <= T0 + SPAN, alarm


def test_cameras_send_stills_during_the_runs(day: dict[str, Any]) -> None:
    assert day["stills"] >= 20
