"""Cross-tenant reads and writes, for every object type: each is answered as if it did not exist.

Enterprise E1's people on E2's facility, run, alarm, snapshot and export; office GZ's people on
南昌's; and the lists (runs, alarms, facilities, the live stream) hold only what is within reach.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from accountsworld import ADMIN, JPEG, World, client_for, login
from fastapi.testclient import TestClient
from pwsupport import app_of, portal

from acting import ctx_at

pytestmark = pytest.mark.integration


def _foreign_requests(world: World) -> list[tuple[str, str, dict[str, object] | None]]:
    """Every route on an object of K2 (E2, 南昌)."""
    k2 = world.objects["K2"]
    return [
        ("GET", "/api/v1/admin/facilities/K2", None),
        ("GET", "/api/v1/facilities/K2/snapshots", None),
        ("GET", f"/api/v1/facilities/K2/snapshots/{k2.snapshot}", None),
        ("POST", "/api/v1/admin/facilities/K2/cameras", {"code": "door"}),
        (
            "POST",
            "/api/v1/admin/facilities/K2/probes/C1/calibrations",
            {"offset": "0.1", "calibrated_at": "2026-01-01", "due_at": "2027-01-01"},
        ),
        ("GET", f"/api/v1/runs/{k2.open_run}", None),
        ("GET", f"/api/v1/runs/{k2.open_run}/readings.csv", None),
        ("GET", f"/api/v1/runs/{k2.open_run}/readings", None),
        ("POST", f"/api/v1/runs/{k2.open_run}/close", None),
        ("GET", f"/api/v1/runs/{k2.pass_run}/signoff", None),
        ("POST", f"/api/v1/runs/{k2.pass_run}/signoff", {"decision": "signed_off"}),
        ("POST", f"/api/v1/alarms/{k2.alarm}/acknowledge", {"comment": "not mine"}),
        ("POST", f"/api/v1/alarms/{k2.alarm}/clear", {}),
        ("POST", "/api/v1/runs", {"facility": "K2", "schedule": "ispm15-ht", "load": "x"}),
        ("GET", "/api/v1/events?facility=K2", None),
    ]


@pytest.mark.parametrize("who", ["operator", "declarant", "inspector", "certifier", "port"])
def test_nothing_of_another_enterprise_or_outside_the_office_is_reachable(
    world: World, client: TestClient, who: str
) -> None:
    headers = login(client, who)
    for method, url, body in _foreign_requests(world):
        answer = client.request(method, url, headers=headers, json=body)
        # 404 as for what does not exist; 403 where the role may not do it at all
        assert answer.status_code in {403, 404}, (who, method, url, answer.status_code)
        if answer.status_code == 404:
            assert "K2" not in answer.text or "no facility 'K2'" in answer.text
    # nothing changed on K2
    k2 = world.objects["K2"]
    run = world.services.runs.run(k2.open_run)
    assert run is not None and run.closed_at is None
    alarm = world.services.alarm_store.alarm(k2.alarm)
    assert alarm is not None and alarm.state.value == "active"
    assert world.services.accounts.signoff_of(k2.pass_run) is None
    k2_facility = world.services.registry.facility_by_code("K2")
    assert k2_facility is not None
    assert world.services.registry.cameras_of(k2_facility.id) == {}


def test_the_same_requests_reach_the_other_tenants_own_objects(
    world: World, client: TestClient
) -> None:
    """The control: E2's operator and NC's inspector do reach K2 (so 404 above is tenancy)."""
    k2 = world.objects["K2"]
    operator = login(client, "op_b")
    assert client.get(f"/api/v1/runs/{k2.open_run}", headers=operator).status_code == 200
    assert (
        client.get(f"/api/v1/runs/{k2.open_run}/readings.csv", headers=operator).status_code == 200
    )
    got = client.get(f"/api/v1/facilities/K2/snapshots/{k2.snapshot}", headers=operator)
    assert (got.status_code, got.content) == (200, JPEG)
    inspector = login(client, "insp_nc")
    answer = client.post(
        f"/api/v1/alarms/{k2.alarm}/acknowledge",
        headers=inspector,
        json={"comment": "seen, the door was checked"},
    )
    assert answer.status_code == 200
    assert (
        client.get(f"/api/v1/runs/{world.objects['K1'].open_run}", headers=inspector).status_code
        == 404
    )


def test_lists_hold_only_what_is_within_reach(world: World, client: TestClient) -> None:
    for who, facilities in (
        ("operator", {"K1"}),
        ("inspector", {"K1"}),
        ("op_b", {"K2"}),
        ("insp_nc", {"K2"}),
        ("admin", {"K1", "K2"}),
    ):
        headers = login(client, who)
        listed = client.get("/api/v1/facilities", headers=headers).json()["facilities"]
        assert {f["code"] for f in listed} == facilities, who
        runs = client.get("/api/v1/runs", headers=headers).json()["runs"]
        assert {r["facility"] for r in runs} == facilities, who
        assert len(runs) == 2 * len(facilities)
        alarms = client.get("/api/v1/alarms?all=true", headers=headers).json()["alarms"]
        assert {a["facility"] for a in alarms} == facilities, who
        # asking for another's facility by name gives an empty list, not its data
        other = ({"K1", "K2"} - facilities) or set()
        for code in other:
            assert client.get(f"/api/v1/runs?facility={code}", headers=headers).json() == {
                "runs": []
            }
            assert client.get(f"/api/v1/alarms?facility={code}", headers=headers).json() == {
                "alarms": []
            }
    # the admin token sees both as well
    assert len(client.get("/api/v1/runs", headers=ADMIN).json()["runs"]) == 4


def test_a_device_token_cannot_read_anything_nor_write_another_facility(
    world: World, client: TestClient
) -> None:
    token = world.device_token("K1")
    bearer = {"Authorization": f"Bearer {token}"}
    for url in ("/api/v1/runs", "/api/v1/alarms", "/api/v1/facilities", "/api/v1/auth/me"):
        answer = client.get(url, headers=bearer)
        assert answer.status_code == 403
        assert token not in answer.text
    foreign = client.post("/api/v1/facilities/K2/snapshots", headers=bearer, content=JPEG)
    assert foreign.status_code == 403


def test_the_live_stream_carries_only_visible_facilities() -> None:
    from phytowatch.web.api.events import _frame
    from phytowatch.web.events import Event

    runs = Event(1, "runs", {"runs": [{"facility": "K1"}, {"facility": "K2"}]})
    alarm_k2 = Event(2, "alarm", {"alarm": {"facility": "K2"}}, "K2")
    alarm_k1 = Event(3, "alarm", {"alarm": {"facility": "K1"}}, "K1")
    visible = frozenset({"K1"})
    frame = _frame(runs, None, visible)
    assert frame is not None
    data = json.loads(frame.split("data: ", 1)[1])
    assert data["runs"] == [{"facility": "K1"}]
    assert _frame(alarm_k2, None, visible) is None
    assert _frame(alarm_k1, None, visible) is not None
    assert _frame(alarm_k2, None, None) is not None  # an administrator sees all


def test_an_enterprise_users_stream_gets_its_own_facilitys_events_only(
    world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from phytowatch.services.runs import RunEvent
    from phytowatch.web.api import events as events_api
    from phytowatch.web.events import EventHub, publish_tick

    monkeypatch.setattr(events_api, "HEARTBEAT_S", 0.05)
    hub: EventHub = app_of(client).state.events
    k1, k2 = world.objects["K1"].open_run, world.objects["K2"].open_run
    events = [
        RunEvent("phase", k2, "K2", 1, "HOLDING", "WAITING"),
        RunEvent("phase", k1, "K1", 1, "HOLDING", "WAITING"),
    ]
    summaries = [{"id": k1, "facility": "K1"}, {"id": k2, "facility": "K2"}]

    def publish() -> None:
        publish_tick(hub, events, [], summaries, now=1)

    headers = login(client, "operator")
    with client.stream("GET", "/api/v1/events", headers=headers) as response:
        assert response.status_code == 200
        lines = response.iter_lines()
        assert next(lines) == "retry: 3000"
        portal(client).call(publish)
        data = [json.loads(line[6:]) for line in _take(lines, 2) if line.startswith("data: ")]
    assert data[0]["facility"] == "K1"  # K2's event, published first, never came
    assert data[1]["runs"] == [{"id": k1, "facility": "K1"}]


def _take(lines: Iterator[str], count: int) -> list[str]:
    """Lines up to the ``count``-th data line (heartbeats keep them coming)."""
    out: list[str] = []
    for line in lines:
        out.append(line)
        if sum(1 for x in out if x.startswith("data: ")) == count:
            return out
    return out


@pytest.mark.parametrize("end", ["logout", "disable"])
def test_an_open_stream_ends_when_its_session_does(
    world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch, end: str
) -> None:
    from phytowatch.services.accounts import set_disabled
    from phytowatch.services.runs import RunEvent
    from phytowatch.web.api import events as events_api
    from phytowatch.web.events import EventHub, publish_tick

    monkeypatch.setattr(events_api, "HEARTBEAT_S", 0.05)
    monkeypatch.setattr(events_api, "RECHECK_S", 0.0, raising=False)
    hub: EventHub = app_of(client).state.events
    k1 = world.objects["K1"].open_run
    headers = login(client, "operator")
    with client.stream("GET", "/api/v1/events", headers=headers) as response:
        lines = response.iter_lines()
        assert next(lines) == "retry: 3000"
        if end == "logout":
            assert client.post("/api/v1/auth/logout", headers=headers).status_code == 200
        else:
            set_disabled(
                world.services.accounts,
                world.services.audit,
                login="operator",
                disabled=True,
                ctx=ctx_at(1, "t"),
            )
        portal(client).call(
            lambda: publish_tick(
                hub, [RunEvent("phase", k1, "K1", 1, "HOLDING", "WAITING")], [], None, now=1
            )
        )
        after = [line for _, line in zip(range(100), lines, strict=False)]
    assert not [line for line in after if line.startswith("data: ")]
    assert len(after) < 100  # the stream ended


@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999"])
def test_a_run_or_alarm_number_beyond_any_stored_one_is_not_found(
    world: World, number: str
) -> None:
    # PostgreSQL refused the lookup of an integer past 2^31, SQLite of one past 2^63: a 500
    paths = [
        ("GET", f"/api/v1/runs/{number}"),
        ("GET", f"/api/v1/runs/{number}/readings"),
        ("GET", f"/api/v1/runs/{number}/readings.csv"),
        ("GET", f"/api/v1/runs/{number}/signoff"),
        ("POST", f"/api/v1/runs/{number}/close"),
        ("POST", f"/api/v1/alarms/{number}/acknowledge"),
    ]
    with client_for(world, raise_server_exceptions=False) as client:
        for who in (login(client, "operator"), ADMIN):
            for method, path in paths:
                answer = client.request(method, path, headers=who, json={})
                assert answer.status_code == 404, (method, path, answer.text)


def test_a_nul_in_a_name_a_filter_or_a_body_is_refused_not_a_server_error(world: World) -> None:
    # PostgreSQL cannot hold NUL in text: each lookup with one failed with a 500
    requests = [
        ("GET", "/api/v1/facilities/K%00/snapshots", None),
        ("GET", "/api/v1/admin/facilities/K%00", None),
        ("GET", "/api/v1/runs?facility=K%00", None),
        ("GET", "/api/v1/alarms?facility=K%00", None),
        ("GET", "/api/v1/events?facility=K%00", None),
        ("POST", "/api/v1/runs", {"facility": "K\x00", "schedule": "ispm15-ht", "load": "x"}),
    ]
    with client_for(world, raise_server_exceptions=False) as client:
        for who in (login(client, "operator"), ADMIN):
            for method, path, body in requests:
                answer = client.request(method, path, headers=who, json=body)
                assert answer.status_code in (200, 404, 422), (method, path, answer.text)
