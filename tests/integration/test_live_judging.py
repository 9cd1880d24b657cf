"""Judging on commit: a committed batch is judged at once, not at the next tick of the clock.

``serve`` (``create_app`` without services passed in) runs one live-judging thread: the writer
hands it every batch it commits, and the clock's tick does only what needs no data. Here the
clock is slowed to once an hour, so anything that reaches the stream after the first tick came
through the commit path.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pwsupport import app_of
from pydantic import SecretStr
from ssesupport import frames, until

from acting import ctx_at
from phytowatch.bootstrap import Services, bootstrap
from phytowatch.config import Settings
from phytowatch.domain.alarms import AlarmKind
from phytowatch.domain.instants import US_PER_MIN, US_PER_S, format_instant
from phytowatch.runtime import live
from phytowatch.services.ports import ReadingBatch, StoredItem, StoreOutcome
from phytowatch.services.provisioning import add_enterprise, add_facility
from phytowatch.services.runs import start_run
from phytowatch.web.api import events as events_api
from phytowatch.web.app import create_app

pytestmark = pytest.mark.integration
TOKEN = "admin-secret-for-live-tests"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
PROBES = ("C1", "C2", "C3")


@pytest.fixture(autouse=True)
def slow_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "TICK_S", 3600.0)  # one tick at start, then none in a test
    monkeypatch.setattr(events_api, "HEARTBEAT_S", 0.05)  # lines keep coming: deadlines hold


def now_us() -> int:
    return time.time_ns() // 1000


@pytest.fixture
def device(services: Services) -> str:
    add_enterprise(services.registry, "E1", "企业", "Enterprise", "赣州", "II", ctx=ctx_at(1))
    add_facility(
        services.registry, "K2", "E1", "kiln", [f"{p}:product" for p in PROBES], ctx=ctx_at(1)
    )
    issued = add_facility(
        services.registry, "K1", "E1", "kiln", [f"{p}:product" for p in PROBES], ctx=ctx_at(1)
    )
    return issued.token


def post(client: TestClient, token: str, t: int, values: tuple[float, ...]) -> None:
    readings = [
        {"probe": probe, "t": format_instant(t), "v": value}
        for probe, value in zip(PROBES, values, strict=True)
    ]
    answer = client.post(
        "/api/v1/ingest",
        json={"facility": "K1", "readings": readings},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == len(PROBES)


def test_a_device_breaking_a_hold_raises_its_alarm_on_the_stream_without_a_tick(
    settings: Settings, services: Services, device: str
) -> None:
    start = now_us() - 20 * US_PER_MIN
    run_id = start_run(services.runs, "K1", "ispm15-ht", load="pallets", ctx=ctx_at(start)).id
    app_settings = settings.model_copy(update={"admin_token": SecretStr(TOKEN)})
    with TestClient(create_app(app_settings, build=bootstrap)) as client:
        served: Services = app_of(client).state.services
        judging = app_of(client).state.live
        deadline = time.monotonic() + 10
        while served.monitor.state(run_id, now_us()) is None:  # the first tick watches it
            assert time.monotonic() < deadline, "the run was never watched"
            time.sleep(0.02)
        with client.stream("GET", "/api/v1/events", headers=ADMIN) as response:
            lines = response.iter_lines()
            assert next(lines) == "retry: 3000"
            found = frames(lines)
            for minute in range(10, 13):
                post(client, device, start + minute * US_PER_MIN, (60.0, 60.0, 60.0))
            holding = until(found, "run", run=run_id, phase="HOLDING")
            assert holding["data"]["kind"] == "phase"
            post(client, device, start + 13 * US_PER_MIN, (50.0, 60.0, 60.0))
            broken = until(found, "alarm", change="raised")["data"]["alarm"]
            assert (broken["kind"], broken["facility"], broken["subject"]) == (
                "hold_broken",
                "K1",
                f"run {run_id}",
            )
        assert judging.rounds >= 4  # one round per committed batch at least, none by the clock
    [stored] = [a for a in services.alarm_store.open_alarms() if a.kind is AlarmKind.HOLD_BROKEN]
    assert stored.facility == "K1"


def test_a_committed_batch_for_a_facility_without_a_watched_run_is_left_to_the_tick(
    services: Services, device: str
) -> None:
    start = now_us() - 20 * US_PER_MIN
    facility = services.registry.facility_by_code("K1")
    assert facility is not None
    probe_id = facility.probes["C1"].id
    events, fed = services.monitor.committed(
        facility.id, start, [(probe_id, start, 60.0, None)], start
    )
    assert (events, fed) == ([], None)  # no run at all
    run_id = start_run(services.runs, "K1", "ispm15-ht", load="pallets", ctx=ctx_at(start)).id
    events, fed = services.monitor.committed(
        facility.id, start, [(probe_id, start, 60.0, None)], start
    )
    assert (events, fed) == ([], None)  # a run, but not watched yet: the tick loads its history
    services.monitor.tick(start + US_PER_S)
    assert services.monitor.state(run_id, start + US_PER_S) is not None


def test_a_committed_batch_closes_a_run_that_passes_and_judges_only_that_run(
    services: Services, device: str
) -> None:
    start = now_us() - 60 * US_PER_MIN
    run_id = start_run(services.runs, "K1", "ispm15-ht", load="pallets", ctx=ctx_at(start)).id
    other = start_run(services.runs, "K2", "ispm15-ht", load="crates", ctx=ctx_at(start)).id
    services.monitor.tick(start)
    k1 = services.registry.facility_by_code("K1")
    assert k1 is not None
    ids = [k1.probes[p].id for p in PROBES]
    closed = []
    for minute in range(0, 31):  # 60 °C from minute 0: the 30 minutes are done at minute 30
        t = start + minute * US_PER_MIN
        events, fed = services.monitor.committed(
            k1.id, t, [(i, t, 60.0, None) for i in ids], t + US_PER_S
        )
        assert fed is not None and fed.record.id == run_id
        closed += [(minute, e.run_id, e.phase) for e in events if e.kind == "closed"]
    assert closed == [(30, run_id, "PASS")]
    t = start + 31 * US_PER_MIN
    assert services.monitor.committed(k1.id, t, [(ids[0], t, 60.0, None)], t) == ([], None)
    record = services.runs.run(run_id)
    assert record is not None and (record.verdict, record.close_reason) == ("PASS", "pass")
    assert services.runs.open_run_ids() == {other}  # K2's run was not touched


def test_observing_one_facility_does_not_clear_another_facilitys_alarms(
    services: Services, device: str
) -> None:
    start = now_us() - 60 * US_PER_MIN
    start_run(services.runs, "K1", "ispm15-ht", load="pallets", ctx=ctx_at(start))
    start_run(services.runs, "K2", "ispm15-ht", load="crates", ctx=ctx_at(start))
    services.monitor.tick(start)
    k1 = services.registry.facility_by_code("K1")
    k2 = services.registry.facility_by_code("K2")
    assert k1 is not None and k2 is not None
    t = start + US_PER_MIN
    _, fed2 = services.monitor.committed(k2.id, t, [(k2.probes["C1"].id, t, None, "E07")], t)
    assert fed2 is not None
    raised = services.alarms.observe([fed2], t)
    assert [(c.what, c.alarm.kind, c.alarm.facility) for c in raised] == [
        ("raised", AlarmKind.SENSOR_FAULT, "K2")
    ]
    _, fed1 = services.monitor.committed(
        k1.id, t, [(k1.probes[p].id, t, 60.0, None) for p in PROBES], t
    )
    assert fed1 is not None
    assert services.alarms.observe([fed1], t + 1) == []  # K2's fault alarm stays open
    assert [a.facility for a in services.alarm_store.open_alarms()] == ["K2"]


def test_the_writer_tells_its_listeners_what_it_committed(services: Services, device: str) -> None:
    facility = services.registry.facility_by_code("K1")
    assert facility is not None
    heard: list[tuple[ReadingBatch, StoreOutcome]] = []
    services.writer.on_commit.append(lambda batch, outcome: heard.append((batch, outcome)))
    t = now_us() - US_PER_MIN
    items = tuple(StoredItem(k, facility.probes[p].id, t, 60.0, None) for k, p in enumerate(PROBES))
    batch = ReadingBatch(facility.id, "test", t, items)
    services.writer.submit(batch).result(timeout=10)
    services.writer.submit(batch).result(timeout=10)  # a resend: all duplicates
    assert [(b.received_at, o.inserted, o.duplicates) for b, o in heard] == [
        (t, 3, ()),
        (t, 0, (0, 1, 2)),
    ]


def test_runs_started_and_closed_and_alarms_handled_are_in_the_audit_trail(
    services: Services, device: str
) -> None:
    start = now_us() - 60 * US_PER_MIN
    by_hand = start_run(
        services.runs,
        "K2",
        "ispm15-ht",
        load="crates",
        ctx=ctx_at(start, "user:op-k2"),
        audit=services.audit,
    ).id
    passing = start_run(
        services.runs, "K1", "ispm15-ht", load="pallets", ctx=ctx_at(start), audit=services.audit
    ).id
    services.monitor.tick(start)
    k1 = services.registry.facility_by_code("K1")
    assert k1 is not None
    ids = [k1.probes[p].id for p in PROBES]
    t = start
    _, fed = services.monitor.committed(k1.id, t, [(ids[0], t, None, "E07")], t)
    assert fed is not None
    [fault] = services.alarms.observe([fed], t)
    services.alarms.acknowledge(
        fault.alarm.id or 0,
        by="Li",
        comment="probe reseated",
        ctx=ctx_at(t, "user:li"),
    )
    for minute in range(1, 32):  # minute 0 had the fault: the hold runs from minute 1
        t = start + minute * US_PER_MIN
        services.monitor.committed(k1.id, t, [(i, t, 60.0, None) for i in ids], t)
    services.monitor.close(by_hand, ctx=ctx_at(t, "user:op-k2"))
    entries = services.audit.latest(limit=20, object_type="run")
    assert sorted((e.action, e.object_id, e.actor) for e in entries) == [
        ("run.closed", str(by_hand), "user:op-k2"),
        ("run.closed", str(passing), "system"),
        ("run.started", str(by_hand), "user:op-k2"),
        ("run.started", str(passing), "system"),
    ]
    closed = next(e for e in entries if e.action == "run.closed" and e.actor == "system")
    assert closed.after_data()["verdict"] == "PASS"
    [ack] = services.audit.latest(limit=5, object_type="alarm")
    assert (ack.action, ack.actor, ack.after_data()["comment"]) == (
        "alarm.acknowledged",
        "user:li",
        "probe reseated",
    )
    assert services.audit.verify().intact


def test_a_run_closed_by_hand_over_http_is_a_run_event_at_once(
    settings: Settings, services: Services, device: str
) -> None:
    run_id = start_run(services.runs, "K1", "ispm15-ht", load="pallets", ctx=ctx_at(now_us())).id
    app_settings = settings.model_copy(update={"admin_token": SecretStr(TOKEN)})
    with (
        TestClient(create_app(app_settings, build=bootstrap)) as client,
        client.stream("GET", "/api/v1/events", headers=ADMIN) as response,
    ):
        lines = response.iter_lines()
        assert next(lines) == "retry: 3000"
        found = frames(lines)
        closed = client.post(f"/api/v1/runs/{run_id}/close", headers=ADMIN)
        assert closed.status_code == 200, closed.text
        event = until(found, "run", run=run_id, kind="closed")
        assert event["data"]["detail"] == {"reason": "operator"}
    [entry] = [e for e in services.audit.latest(object_type="run") if e.action == "run.closed"]
    assert entry.actor == "admin-token"


def test_a_tick_reads_back_only_the_batches_another_process_stored(
    services: Services, device: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = now_us() - 30 * US_PER_MIN
    run_id = start_run(services.runs, "K1", "ispm15-ht", load="pallets", ctx=ctx_at(start)).id
    services.monitor.tick(start)
    k1 = services.registry.facility_by_code("K1")
    assert k1 is not None

    def batch(minute: int, received: int) -> ReadingBatch:
        t = start + minute * US_PER_MIN
        items = tuple(StoredItem(k, k1.probes[p].id, t, 60.0, None) for k, p in enumerate(PROBES))
        return ReadingBatch(k1.id, "test", received, items)

    own = batch(1, start + US_PER_MIN)  # stored here and judged on commit
    outcome = services.writer.submit(own).result(timeout=10)
    services.monitor.committed(
        k1.id, own.received_at, [(i.probe_id, i.t, i.value, i.fault) for i in own.items], start
    )
    foreign = batch(2, start + 2 * US_PER_MIN)  # stored by another process (an MQTT worker)
    services.writer.submit(foreign).result(timeout=10)
    asked: list[list[tuple[int, int]]] = []
    read_back = services.runs.batch_readings

    def spy(batches: list[tuple[int, int]]) -> Any:
        asked.append(list(batches))
        return read_back(batches)

    monkeypatch.setattr(services.runs, "batch_readings", spy)
    services.monitor.tick(start + 3 * US_PER_MIN)
    assert outcome.inserted == len(PROBES)
    assert asked == [[(k1.id, foreign.received_at)]]
    state = services.monitor.state(run_id, start + 3 * US_PER_MIN)
    assert state is not None and state.last_sample == start + 2 * US_PER_MIN  # both judged


def test_a_run_whose_close_failed_is_closed_by_the_next_tick_without_new_readings(
    services: Services, device: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = now_us() - 60 * US_PER_MIN
    run_id = start_run(services.runs, "K1", "ispm15-ht", load="pallets", ctx=ctx_at(start)).id
    services.monitor.tick(start)
    k1 = services.registry.facility_by_code("K1")
    assert k1 is not None
    ids = [k1.probes[p].id for p in PROBES]
    close_run = services.runs.close_run
    failures = [RuntimeError("the database went away")]

    def flaky(*args: Any) -> bool:
        if failures:
            raise failures.pop()
        return close_run(*args)

    monkeypatch.setattr(services.runs, "close_run", flaky)
    for minute in range(0, 31):
        t = start + minute * US_PER_MIN
        batch = [(i, t, 60.0, None) for i in ids]
        if minute < 30:
            services.monitor.committed(k1.id, t, batch, t)
        else:  # the deciding batch: judged PASS, but the close fails
            with pytest.raises(RuntimeError):
                services.monitor.committed(k1.id, t, batch, t)
    assert services.runs.open_run_ids() == {run_id}
    events = services.monitor.tick(t + US_PER_S)  # nothing new arrived
    assert [(e.kind, e.phase) for e in events] == [("closed", "PASS")]
    record = services.runs.run(run_id)
    assert record is not None and record.verdict == "PASS"
