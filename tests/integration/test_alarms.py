"""Alarms raised from live runs and the registry, on a timer (services.alarms)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from acting import ctx_at
from phytowatch.bootstrap import Services
from phytowatch.config import Settings
from phytowatch.domain.alarms import AlarmKind, AlarmState, Severity
from phytowatch.domain.instants import US_PER_D, US_PER_MIN, US_PER_S
from phytowatch.domain.messages import Code
from phytowatch.services.clock import FixedClock
from phytowatch.services.ports import ReadingBatch, StoredItem
from phytowatch.services.provisioning import add_calibration, add_enterprise, add_facility
from phytowatch.services.runs import start_run
from phytowatch.web.app import create_app

pytestmark = pytest.mark.integration
T0 = 1_772_361_600 * US_PER_S
WHY = "load re-treated, record checked"


@pytest.fixture
def run(services: Services) -> int:
    add_enterprise(services.registry, "E1", "企业", "Enterprise", "赣州", "II", ctx=ctx_at(1))
    add_facility(
        services.registry,
        "K1",
        "E1",
        "kiln",
        ["C1:product", "C2:product", "C3:product"],
        ctx=ctx_at(1),
    )
    return start_run(services.runs, "K1", "ispm15-ht", load="pallets", ctx=ctx_at(T0 - US_PER_S)).id


def store(
    services: Services, minute: int, values: tuple[float | None, ...], received: int | None = None
) -> None:
    facility = services.registry.facility_by_code("K1")
    assert facility is not None
    t = T0 + minute * US_PER_MIN
    items = tuple(
        StoredItem(k, facility.probes[f"C{k + 1}"].id, t, v, None if v is not None else "ERR")
        for k, v in enumerate(values)
    )
    batch = ReadingBatch(facility.id, "test", received if received is not None else t, items)
    services.writer.submit(batch).result(timeout=10)


def tick(services: Services, minute: float) -> list[tuple[str, str, str]]:
    now = T0 + int(minute * US_PER_MIN)
    services.monitor.tick(now)
    return [(c.what, c.alarm.kind.value, c.alarm.subject) for c in services.alarms.tick(now)]


def open_kinds(services: Services) -> dict[str, int]:
    return {a.kind.value: a.count for a in services.alarm_store.open_alarms()}


def test_each_break_of_a_hold_is_counted_on_one_alarm(services: Services, run: int) -> None:
    for minute, c1 in enumerate((57.0, 57.0, 55.0, 57.0, 57.0, 55.5, 57.0)):
        store(services, minute, (c1, 57.5, 58.0))
        tick(services, minute + 0.1)
    [alarm] = [a for a in services.alarm_store.open_alarms() if a.kind is AlarmKind.HOLD_BROKEN]
    assert (alarm.count, alarm.severity, alarm.subject) == (2, Severity.MAJOR, f"run {run}")
    assert alarm.message.code is Code.ALARM_HOLD_BROKEN_PROBES
    assert alarm.message.params["probes"] == "C1"


def test_a_faulty_probe_raises_an_alarm_that_clears_when_it_reads_again(
    services: Services, run: int
) -> None:
    store(services, 0, (57.0, None, 58.0))
    assert ("raised", "sensor_fault", "C2") in tick(services, 0.1)
    store(services, 1, (57.0, 57.5, 58.0))
    assert ("cleared", "sensor_fault", "C2") in tick(services, 1.1)


def test_a_silent_facility_raises_an_alarm_with_no_data_arriving(
    services: Services, run: int
) -> None:
    store(services, 0, (57.0, 57.5, 58.0))
    tick(services, 0.1)  # the monitor starts watching
    assert tick(services, 4) == []  # within the 5-minute interval
    assert ("raised", "facility_silent", "K1") in tick(services, 5.5)  # the timer, no data
    store(services, 6, (57.0, 57.5, 58.0))
    assert ("cleared", "facility_silent", "K1") in tick(services, 6.1)


def test_a_hold_drifting_toward_the_threshold_is_one_warning_until_back_out(
    services: Services, run: int
) -> None:
    seen: list[tuple[str, str, str]] = []
    for minute, c1 in enumerate((60.0, 59.4, 58.8, 58.2, 57.6, 57.0, 56.4, 56.9, 56.5)):
        store(services, minute, (c1, c1 + 1.5, c1 + 2.0))
        seen += [c for c in tick(services, minute + 0.1) if c[1] == "approaching_limit"]
    assert seen == [("raised", "approaching_limit", f"run {run}")]
    store(services, 9, (58.5, 59.0, 59.5))  # back out by 2 °C
    assert ("cleared", "approaching_limit", f"run {run}") in tick(services, 9.1)


def test_a_kiln_crossing_56_on_its_way_up_is_no_warning(services: Services, run: int) -> None:
    for minute in range(12):
        c1 = 54.0 + 0.5 * minute
        store(services, minute, (c1, c1 + 0.5, c1 + 1.0))
        assert "approaching_limit" not in {kind for _, kind, _ in tick(services, minute + 0.1)}


def test_a_conflicting_rewrite_is_a_critical_tamper_alarm(services: Services, run: int) -> None:
    tick(services, 0)  # the service starts from the conflicts that exist
    store(services, 0, (57.0, 57.5, 58.0))
    store(services, 0, (57.0, 59.0, 58.0))  # C2 at the same instant, another value: refused
    assert ("raised", "tamper", "readings") in tick(services, 0.1)
    [alarm] = [a for a in services.alarm_store.open_alarms() if a.kind is AlarmKind.TAMPER]
    assert alarm.severity is Severity.CRITICAL
    assert alarm.message.code is Code.ALARM_CONFLICT and alarm.message.params["probe"] == "C2"


def test_calibrations_due_within_a_week_or_expired_raise_alarms(
    services: Services, run: int
) -> None:
    add_calibration(
        services.registry,
        "K1",
        "C1",
        "0.1",
        calibrated_at=T0 - 300 * US_PER_D,
        due_at=T0 + 3 * US_PER_D,
        certificate="a",
        ctx=ctx_at(T0),
    )
    add_calibration(
        services.registry,
        "K1",
        "C2",
        "0.1",
        calibrated_at=T0 - 400 * US_PER_D,
        due_at=T0 - US_PER_D,
        certificate="b",
        ctx=ctx_at(T0),
    )
    changes = tick(services, 0)
    assert ("raised", "calibration_due", "C1") in changes
    assert ("raised", "calibration_expired", "C2") in changes


def test_an_old_certificate_entered_after_the_current_one_raises_no_calibration_alarm(
    services: Services, run: int
) -> None:
    # the alarms took the calibration entered last, the run and the pages the latest by date:
    # the probe was "expired" on the alarm inbox and valid everywhere else
    current = (T0 - 10 * US_PER_D, T0 + 355 * US_PER_D)
    old = (T0 - 400 * US_PER_D, T0 - 35 * US_PER_D)  # expired, and entered after the current one
    for calibrated_at, due_at in (current, old):
        add_calibration(
            services.registry,
            "K1",
            "C1",
            "0.1",
            calibrated_at=calibrated_at,
            due_at=due_at,
            certificate="JJF",
            ctx=ctx_at(T0),
        )
    kinds = {kind for _, kind, subject in tick(services, 0) if subject == "C1"}
    assert kinds.isdisjoint({"calibration_expired", "calibration_due"})


def test_an_alarm_is_acknowledged_then_cleared_by_a_person(services: Services, run: int) -> None:
    store(services, 0, (57.0, 57.0, 57.0))
    store(services, 1, (50.0, 57.0, 57.0))
    tick(services, 1.1)
    [alarm] = [a for a in services.alarm_store.open_alarms() if a.kind is AlarmKind.HOLD_BROKEN]
    assert alarm.id is not None
    acked = services.alarms.acknowledge(
        alarm.id, by="inspector Li", comment="door opened by the loader", ctx=ctx_at(T0)
    )
    assert acked.state is AlarmState.ACKNOWLEDGED
    services.alarms.clear(
        alarm.id, by="inspector Li", comment="hold restarted and completed", ctx=ctx_at(T0 + 1)
    )
    assert "hold_broken" not in open_kinds(services)
    stored = services.alarm_store.alarm(alarm.id)
    assert stored is not None and stored.cleared_by == "inspector Li"
    assert stored.clear_comment == "hold restarted and completed"


def test_alarms_over_http_listed_acknowledged_and_cleared(
    settings: Settings, services: Services, run: int
) -> None:
    store(services, 0, (57.0, 57.0, 57.0))
    store(services, 1, (50.0, 57.0, 57.0))
    tick(services, 1.1)
    services.settings = settings.model_copy(update={"admin_token": SecretStr("t0ken-for-tests")})
    admin = {"Authorization": "Bearer t0ken-for-tests"}
    with TestClient(create_app(services.settings, services)) as client:
        assert client.get("/api/v1/alarms").status_code == 401
        listed = client.get("/api/v1/alarms", headers=admin).json()["alarms"]
        [broken] = [a for a in listed if a["kind"] == "hold_broken"]
        path = f"/api/v1/alarms/{broken['id']}"
        assert client.post(f"{path}/clear", headers=admin, json={"by": "Li"}).status_code == 409
        acked = client.post(
            f"{path}/acknowledge", headers=admin, json={"by": "Li", "comment": "door shut again"}
        )
        assert acked.status_code == 200 and acked.json()["state"] == "acknowledged"
        # a client of before sends no comment: a coded 422, and nothing is cleared
        old_client = client.post(f"{path}/clear", headers=admin, json={"by": "Li"})
        assert old_client.status_code == 422
        assert old_client.json()["code"] == "alarm.clear_needs_comment"
        assert old_client.json()["params"] == {"min": 10}
        cleared = client.post(
            f"{path}/clear", headers=admin, json={"by": "Li", "comment": "load re-treated in full"}
        ).json()
        assert (cleared["state"], cleared["clear_comment"]) == (
            "cleared",
            "load re-treated in full",
        )
        remaining = client.get("/api/v1/alarms", headers=admin).json()["alarms"]
        assert broken["id"] not in [a["id"] for a in remaining]
        everything = client.get("/api/v1/alarms?all=true", headers=admin).json()["alarms"]
        assert broken["id"] in [a["id"] for a in everything]
        assert (
            client.post(
                "/api/v1/alarms/9999/acknowledge", headers=admin, json={"by": "Li"}
            ).status_code
            == 404
        )


def test_a_monitor_that_just_started_does_not_call_a_run_silent_for_before_it_watched(
    services: Services, run: int
) -> None:
    # the run started long ago (a restart of the service, or the demo's backdated runs)
    assert "facility_silent" not in {kind for _, kind, _ in tick(services, 600)}
    assert ("raised", "facility_silent", "K1") in tick(services, 606)


def test_the_web_says_now_by_the_applications_one_clock(
    services: Services, settings: Settings, run: int
) -> None:
    store(services, 0, (57.0, 57.0, 57.0))
    store(services, 1, (50.0, 57.0, 57.0))
    tick(services, 1.1)
    fixed = FixedClock(1_800_000_000_000_000)  # 2027-01-15T08:00:00Z
    services.clock = fixed
    services.settings = settings.model_copy(update={"admin_token": SecretStr("t0ken-for-tests")})
    admin = {"Authorization": "Bearer t0ken-for-tests"}
    with TestClient(create_app(services.settings, services)) as client:
        [broken] = [
            a
            for a in client.get("/api/v1/alarms", headers=admin).json()["alarms"]
            if a["kind"] == "hold_broken"
        ]
        acked = client.post(
            f"/api/v1/alarms/{broken['id']}/acknowledge",
            headers=admin,
            json={"by": "Li", "comment": "door shut again"},
        ).json()
    assert acked["acknowledged_at"] == "2027-01-15T08:00:00Z"
    [entry] = services.audit.latest(limit=1, object_type="alarm")
    assert entry.at == fixed.now()


CLEARED_BY_REFUSED = ["Li\x00", "Li\x1b[2J", "Li\x07", "Li\u202eiL", "\u200b" * 30, "Li\nWang"]


def test_a_clearing_over_http_refuses_who_as_an_acknowledgement_does_and_stores_nothing(
    settings: Settings, services: Services, run: int
) -> None:
    store(services, 0, (57.0, 57.0, 57.0))
    store(services, 1, (50.0, 57.0, 57.0))
    tick(services, 1.1)
    services.settings = settings.model_copy(update={"admin_token": SecretStr("t0ken-for-tests")})
    admin = {"Authorization": "Bearer t0ken-for-tests"}
    [alarm] = [a for a in services.alarm_store.open_alarms() if a.kind is AlarmKind.HOLD_BROKEN]
    assert alarm.id is not None
    path = f"/api/v1/alarms/{alarm.id}"
    with TestClient(create_app(services.settings, services)) as client:
        for by in CLEARED_BY_REFUSED:
            answer = client.post(f"{path}/acknowledge", headers=admin, json={"by": by})
            assert answer.status_code == 422 and answer.json()["code"] == "alarm.who", answer.text
        acked = client.post(f"{path}/acknowledge", headers=admin, json={"by": "Li", "comment": WHY})
        assert acked.status_code == 200, acked.text
        before = services.alarm_store.alarm(alarm.id)
        for by in CLEARED_BY_REFUSED:
            answer = client.post(f"{path}/clear", headers=admin, json={"by": by, "comment": WHY})
            assert answer.status_code == 422, answer.text
            assert answer.json()["code"] == "alarm.who_clears", answer.text
            assert services.alarm_store.alarm(alarm.id) == before
        cleared = client.post(f"{path}/clear", headers=admin, json={"by": " 李工 ", "comment": WHY})
    assert cleared.status_code == 200 and cleared.json()["state"] == "cleared", cleared.text
    stored = services.alarm_store.alarm(alarm.id)
    assert stored is not None and stored.cleared_by == "李工"
