"""Runs over HTTP: start, live state, late readings, close, readings for charts and as CSV."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from acting import ctx_at
from phytowatch.bootstrap import Services
from phytowatch.config import Settings
from phytowatch.formats.csvlog import parse_log
from phytowatch.schedules import load_one
from phytowatch.services.evaluation import judge_rows
from phytowatch.services.provisioning import add_enterprise, add_facility
from phytowatch.web.app import create_app

pytestmark = pytest.mark.integration
ADMIN = {"Authorization": "Bearer admin-secret-for-tests"}
T0 = 1_772_361_600  # 2026-03-01T10:40:00Z


@pytest.fixture
def kiln(services: Services) -> str:
    add_enterprise(services.registry, "E1", "企业", "Enterprise", "赣州", "II", ctx=ctx_at(1))
    return add_facility(
        services.registry,
        "K1",
        "E1",
        "kiln",
        ["C1:product", "C2:product", "C3:product"],
        ctx=ctx_at(1),
    ).token


@pytest.fixture
def client(settings: Settings, services: Services) -> Iterator[TestClient]:
    services.settings = settings.model_copy(
        update={"admin_token": SecretStr("admin-secret-for-tests"), "future_tolerance_s": 10**9}
    )
    with TestClient(create_app(services.settings, services)) as test_client:
        yield test_client


def _send(client: TestClient, token: str, minute: int, values: tuple[float, ...]) -> None:
    readings = [{"probe": f"C{k + 1}", "t": T0 + 60 * minute, "v": v} for k, v in enumerate(values)]
    answer = client.post(
        "/api/v1/ingest",
        headers={"Authorization": f"Bearer {token}"},
        json={"facility": "K1", "readings": readings},
    )
    assert answer.status_code == 200 and answer.json()["accepted"] == len(readings)


def _start(client: TestClient, services: Services) -> int:
    # the run starts "now" on the server's clock: put it before the log's device times
    answer = client.post(
        "/api/v1/runs",
        headers=ADMIN,
        json={"facility": "K1", "schedule": "ispm15-ht", "load": "1,200 pallets, pine"},
    )
    assert answer.status_code == 201, answer.text
    run_id: int = answer.json()["id"]
    with services.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("UPDATE runs SET started_at = :t"), {"t": (T0 - 60) * 1_000_000})
    return run_id


def test_a_run_goes_live_holds_and_passes_by_itself(
    client: TestClient, services: Services, kiln: str
) -> None:
    run_id = _start(client, services)
    for minute in range(10):
        _send(client, kiln, minute, (57.0, 57.5, 58.0))
    services.monitor.tick(now=(T0 + 600) * 1_000_000)
    live = client.get(f"/api/v1/runs/{run_id}", headers=ADMIN).json()["live"]
    assert live["phase"] == "HOLDING"
    assert live["holds"][0]["hold_start"] == "2026-03-01T10:40:00Z"
    assert live["earliest_end"] == "2026-03-01T11:10:00Z"
    for minute in range(10, 31):
        _send(client, kiln, minute, (57.0, 57.5, 58.0))
    events = services.monitor.tick(now=(T0 + 1900) * 1_000_000)
    assert [e.kind for e in events] == ["phase", "closed"]
    run = client.get(f"/api/v1/runs/{run_id}", headers=ADMIN).json()
    assert (run["verdict"], run["close_reason"]) == ("PASS", "pass")
    assert run["judgement"]["hold_end"] == "2026-03-01T11:10:00Z"
    assert "live" not in run  # closed: its record is frozen


def test_a_late_reading_that_breaks_the_hold_is_an_event_never_silent(
    client: TestClient, services: Services, kiln: str
) -> None:
    run_id = _start(client, services)
    for minute in (0, 1, 2, 4, 5):  # minute 3 is missing for now
        _send(client, kiln, minute, (57.0, 57.5, 58.0))
    assert services.monitor.tick(now=(T0 + 400) * 1_000_000)[-1].phase == "HOLDING"
    _send(client, kiln, 3, (55.0, 57.5, 58.0))  # the buffered minute arrives: C1 was below 56
    events = services.monitor.tick(now=(T0 + 401) * 1_000_000)
    state = services.monitor.state(run_id, (T0 + 401) * 1_000_000)
    assert state is not None
    assert [i.at for i in state.judgement.interruptions] == [(T0 + 180) * 1_000_000]
    assert state.holds[0].hold_start == (T0 + 240) * 1_000_000  # restarted after the dip
    assert events == [] or events[-1].kind == "phase"


def test_the_csv_of_a_closed_run_is_judged_offline_as_the_run_was(
    client: TestClient, services: Services, kiln: str
) -> None:
    run_id = _start(client, services)
    for minute in range(12):
        _send(client, kiln, minute, (57.0 if minute != 6 else 50.0, 57.5, 58.0))
    services.monitor.tick(now=(T0 + 800) * 1_000_000)
    closed = client.post(f"/api/v1/runs/{run_id}/close", headers=ADMIN)
    assert closed.status_code == 200 and closed.json()["verdict"] == "FAIL"
    answer = client.get(f"/api/v1/runs/{run_id}/readings.csv", headers=ADMIN)
    assert answer.status_code == 200
    assert answer.headers["x-phytowatch-evaluate"].startswith(
        f"phytowatch evaluate run-{run_id}.csv --schedule ispm15-ht"
    )
    log = parse_log(answer.text, "run.csv")
    schedule = load_one("ispm15-ht").resolve({})
    offline = judge_rows(schedule, log.probes, log.rows)
    assert offline.verdict is not None and offline.verdict.value == "FAIL"
    assert offline.longest_hold == closed.json()["judgement"]["longest_hold_s"] * 1_000_000
    assert client.post(f"/api/v1/runs/{run_id}/close", headers=ADMIN).status_code == 409


def test_chart_readings_keep_every_excursion_and_raw_readings_are_there_on_request(
    client: TestClient, services: Services, kiln: str
) -> None:
    run_id = _start(client, services)
    for minute in range(60):
        _send(client, kiln, minute, (40.0 if minute == 33 else 57.0, 57.5, 58.0))
    buckets = client.get(f"/api/v1/runs/{run_id}/readings?points=6", headers=ADMIN).json()
    c1 = buckets["buckets"]["C1"]
    assert len(c1) <= 7 and min(low for _, low, _ in c1) == 40.0
    raw = client.get(f"/api/v1/runs/{run_id}/readings?raw=true", headers=ADMIN).json()["raw"]
    assert len(raw["C1"]) == 60
    assert client.get(f"/api/v1/runs/{run_id}/readings?points=0", headers=ADMIN).status_code == 422


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"facility": "nope", "schedule": "ispm15-ht", "load": "x"}, 404),
        ({"facility": "K1", "schedule": "nope", "load": "x"}, 422),
        ({"facility": "K1", "schedule": "hwt-mango", "load": "x"}, 422),
        ({"facility": "K1", "schedule": "ispm15-ht", "load": ""}, 422),
        ({"facility": "K1", "schedule": "ispm15-ht"}, 422),
    ],
)
def test_a_bad_run_request_gets_a_clear_error_and_starts_nothing(
    client: TestClient, services: Services, kiln: str, body: dict[str, str], status: int
) -> None:
    answer = client.post("/api/v1/runs", headers=ADMIN, json=body)
    assert answer.status_code == status, answer.text
    assert set(answer.json()) in ({"error"}, {"error", "code", "params"})
    assert services.runs.open_runs() == []
    assert client.get("/api/v1/runs/999", headers=ADMIN).status_code == 404
    assert client.post("/api/v1/runs", json=body).status_code == 401


def test_a_waiting_run_gives_an_eta_from_its_trend_and_a_holding_run_its_earliest_end(
    client: TestClient, services: Services, kiln: str
) -> None:
    run_id = _start(client, services)
    for minute in range(8):  # warming 1 °C a minute: 50 ... 57 at minute 7
        value = 46.0 + minute
        _send(client, kiln, minute, (value, value + 1, value + 2))
        services.monitor.tick(now=(T0 + 60 * minute + 1) * 1_000_000)
    live = client.get(f"/api/v1/runs/{run_id}", headers=ADMIN).json()["live"]
    assert live["phase"] == "WAITING" and {"predicted_hold_start", "eta"} <= set(live)
    # the coldest probe reaches 56 at minute 10: the hold can end 30 min later
    now = (T0 + 7 * 60 + 1) * 1_000_000
    assert services.monitor.eta(run_id, now) == ((T0 + 600) * 1_000_000, (T0 + 2400) * 1_000_000)
    for minute in range(8, 12):
        value = 46.0 + minute
        _send(client, kiln, minute, (value, value + 1, value + 2))
        services.monitor.tick(now=(T0 + 60 * minute + 1) * 1_000_000)
    live = client.get(f"/api/v1/runs/{run_id}", headers=ADMIN).json()["live"]
    assert live["phase"] == "HOLDING"
    assert (live["predicted_hold_start"], live["eta"]) == (
        "2026-03-01T10:50:00Z",
        "2026-03-01T11:20:00Z",
    )
