"""The wall without a browser: each tile's state from its run's verdict and review state (only a
signed-off pass is a clean pass), the counts per state, the filters of ``GET /api/v1/wall``,
city names in both languages, the progress of an open run, and one query set for any number of
facilities. (In Chromium: tests/e2e/test_wall_browser.py.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from accountsworld import ADMIN, T0, World, login
from fastapi.testclient import TestClient
from sqlalchemy import event

from acting import ctx_at
from phytowatch.domain.alarms import Alarm, AlarmKind, AlarmState, Change, Severity
from phytowatch.domain.instants import format_instant
from phytowatch.domain.messages import Code, Instant, Word, say
from phytowatch.services.clock import FixedClock
from phytowatch.services.provisioning import add_facility
from phytowatch.services.runs import start_run
from phytowatch.web.pages.runs import progress_text
from phytowatch.web.wall import WallFilter, state_counts, states_of, tile_state, wall_rows

pytestmark = pytest.mark.integration
TAMPER = {
    "verdict": "PASS",
    "findings": [{"kind": "tracks_air", "probe": "C3", "start": T0 - 60}],
    "review_required": True,
}
CLEAN = {"verdict": "PASS", "findings": [], "review_required": False}
KILN = ["C1", "C2", "C3"]
MIN = 60_000_000


def _closed(world: World, facility: str, verdict: str, judgement: dict[str, Any]) -> int:
    services = world.services
    add_facility(services.registry, facility, "E1", "kiln", KILN, ctx=ctx_at(T0))
    run = start_run(services.runs, facility, "ispm15-ht", load="x", ctx=ctx_at(T0 - 100)).id
    services.runs.close_run(run, T0 - 50, verdict.lower(), verdict, json.dumps(judgement))
    return run


@pytest.fixture
def province(world: World, client: TestClient) -> dict[str, int]:
    """Beside K1 and K2 (each with a major alarm): a failed run, a pass with tamper findings, a
    rejected pass, a signed-off pass, an open run and an idle kiln, all of E1 (赣州)."""
    runs = {
        "F1": _closed(world, "F1", "FAIL", {"verdict": "FAIL", "findings": []}),
        "T1": _closed(world, "T1", "PASS", TAMPER),
        "R1": _closed(world, "R1", "PASS", CLEAN),
        "S1": _closed(world, "S1", "PASS", CLEAN),
    }
    services = world.services
    add_facility(services.registry, "W1", "E1", "hot_water_tank", KILN, ctx=ctx_at(T0))
    runs["W1"] = start_run(services.runs, "W1", "ispm15-ht", load="x", ctx=ctx_at(T0)).id
    add_facility(services.registry, "I1", "E1", "cold_room", KILN, ctx=ctx_at(T0))
    inspector = login(client, "inspector")
    rejected = client.post(
        f"/api/v1/runs/{runs['R1']}/signoff",
        headers=inspector,
        json={"decision": "rejected", "comment": "a probe was pulled out of the wood"},
    )
    assert rejected.status_code == 201, rejected.text
    signed = client.post(
        f"/api/v1/runs/{runs['S1']}/signoff",
        headers=inspector,
        json={"decision": "signed_off", "comment": "probes uncalibrated, readings plausible"},
    )
    assert signed.status_code == 201, signed.text
    services.monitor.tick(T0 + 1)  # the monitor takes up the open runs
    return runs


def _raise_tamper(world: World, facility: str) -> None:
    message = say(Code.ALARM_HOLD_BROKEN, at=Instant(T0), reason=Word("gap"))
    alarm = Alarm(
        AlarmKind.TAMPER, facility, "run", Severity.CRITICAL, AlarmState.ACTIVE, T0, T0, 1, "1",
        message,
    )  # fmt: skip
    world.services.alarm_store.apply([Change("raised", alarm)])


def _wall(client: TestClient, query: str = "", headers: dict[str, str] = ADMIN) -> Any:
    answer = client.get(f"/api/v1/wall{query}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_tiles_state_says_the_verdict_and_the_review_and_only_a_signed_off_pass_is_clean(
    client: TestClient, province: dict[str, int]
) -> None:
    rows = {r["code"]: r for r in _wall(client)["facilities"]}
    states = {code: row["state"] for code, row in rows.items()}
    assert states == {
        "K1": "alarm", "K2": "alarm", "F1": "failed", "T1": "review", "R1": "rejected",
        "S1": "passed", "W1": "waiting", "I1": "idle",
    }  # fmt: skip
    reviews = {code: (r["last"]["review"], r["last"]["clean"]) for code, r in rows.items()
               if r["last"] and code != "W1"}  # fmt: skip
    assert reviews == {
        "K1": ("awaiting_signoff", False), "K2": ("awaiting_signoff", False),
        "F1": ("not_signable", False), "T1": ("findings_to_review", False),
        "R1": ("rejected", False), "S1": ("signed_off", True),
    }  # fmt: skip
    assert rows["R1"]["last"]["verdict"] == "PASS" and rows["R1"]["last"]["by"] == "inspector"
    assert rows["S1"]["last"]["id"] == province["S1"]
    assert states_of(rows["K1"]) == {"alarm", "waiting"} and states_of(rows["F1"]) == {"failed"}
    # the city as registered (the filters' key), and in each language
    assert (rows["K1"]["city"], rows["K1"]["city_en"]) == ("赣州", "Ganzhou")
    assert rows["K2"]["city_en"] == "Nanchang"


def test_the_counts_say_how_many_are_in_each_state_within_the_other_filters_and_reach(
    client: TestClient, world: World, province: dict[str, int]
) -> None:
    counts = _wall(client)["counts"]
    # K1 and K2 are in alarm and have an open run: counted under both
    assert counts == {
        "all": 8, "alarm": 2, "offline": 0, "running": 3, "failed": 1, "rejected": 1,
        "review": 1, "passed": 1, "idle": 1,
    }  # fmt: skip
    # a state chosen narrows the tiles, not the counts; a city narrows both
    failed = _wall(client, "?state=failed")
    assert [r["code"] for r in failed["facilities"]] == ["F1"] and failed["counts"] == counts
    nanchang = _wall(client, "?city=南昌")["counts"]
    assert (nanchang["all"], nanchang["alarm"], nanchang["running"], nanchang["failed"]) == (
        1, 1, 1, 0,
    )  # fmt: skip
    # a failed run under an alarm: its tile shows the alarm, "failed" still finds it
    _raise_tamper(world, "F1")
    failed = _wall(client, "?state=failed")
    assert [(r["code"], r["state"]) for r in failed["facilities"]] == [("F1", "alarm")]
    assert (failed["counts"]["alarm"], failed["counts"]["failed"]) == (3, 1)
    # an office counts only what it may see
    body = _wall(client, headers=login(client, "insp_nc"))
    assert [r["code"] for r in body["facilities"]] == ["K2"]
    assert body["counts"]["all"] == 1 and body["counts"]["alarm"] == 1


FILTERED = {
    "?state=failed": ["F1"],
    "?state=running": ["K1", "K2", "W1"],
    "?state=waiting": ["K1", "K2", "W1"],
    "?state=rejected": ["R1"],
    "?state=review": ["T1"],
    "?state=passed": ["S1"],
    "?state=idle": ["I1"],
    "?idle=hide": ["F1", "K1", "K2", "R1", "S1", "T1", "W1"],
    "?kind=hot_water_tank": ["W1"],
    "?enterprise=E2": ["K2"],
    "?q=k": ["K1", "K2"],
    "?q=GANZHOU&kind=cold_room": ["I1"],  # the city's English name, in any case
    "?q=南昌": ["K2"],
    "?city=赣州&state=alarm": ["K1"],
}


def test_the_filters_narrow_the_wall_and_one_it_does_not_have_is_refused_with_a_code(
    client: TestClient, province: dict[str, int]
) -> None:
    shown = {q: sorted(r["code"] for r in _wall(client, q)["facilities"]) for q in FILTERED}
    assert shown == FILTERED
    for query, field in (("?state=green", "state"), ("?idle=maybe", "idle")):
        answer = client.get(f"/api/v1/wall{query}", headers=ADMIN)
        assert answer.status_code == 422
        body = answer.json()
        assert body["code"] == "field.choice" and body["params"]["field"] == field


def test_an_open_runs_tile_has_the_progress_and_eta_the_monitor_gives(
    client: TestClient, world: World
) -> None:
    services = world.services
    run = world.objects["K1"].open_run
    token = world.device_token("K1")
    readings = [
        {"probe": p, "t": format_instant(T0 + m * MIN), "v": 57.0 + m / 10}
        for m in range(13)
        for p in KILN
    ]
    answer = client.post(
        "/api/v1/ingest",
        json={"facility": "K1", "readings": readings},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    now = T0 + 13 * MIN
    services.monitor.tick(now)
    row = next(r for r in wall_rows(services, None, now) if r["code"] == "K1")
    progress = services.monitor.progress(run, now)
    assert progress is not None and progress.holding == 1
    assert row["run"]["progress"] == {
        "criterion": "product", "role": "product", "elapsed_s": 720, "duration_s": 1800,
        "holding": 1, "criteria": 1,
    }  # fmt: skip
    assert row["run"]["eta"] == row["eta"] == format_instant(T0 + 30 * MIN)
    assert services.monitor.eta(run, now) == (progress.start, progress.end)


def test_the_state_rule_and_the_counts_agree_on_rows_built_by_hand() -> None:
    def row(**kw: Any) -> dict[str, Any]:
        base: dict[str, Any] = {"alarms": [], "run": None, "last": None}
        return {**base, **kw}

    silent = {"kind": "facility_silent", "severity": "major", "state": "active"}
    minor = {"kind": "sensor_fault", "severity": "minor", "state": "active"}
    acked = {"kind": "tamper", "severity": "critical", "state": "acknowledged"}
    tamper = {"kind": "tamper", "severity": "critical", "state": "active"}
    running = {"phase": "HOLDING"}
    failed = {"review": "not_signable", "clean": False}
    assert tile_state(row(alarms=[silent], run=running)) == "offline"
    assert tile_state(row(alarms=[silent])) == "idle"  # silence without a run: nothing to miss
    assert tile_state(row(alarms=[minor], run=running)) == "holding"  # the badge only
    assert tile_state(row(alarms=[acked], run={"phase": "WAITING"})) == "waiting"
    assert tile_state(row(alarms=[tamper], last=failed)) == "alarm"
    assert states_of(row(alarms=[tamper], last=failed)) == {"alarm", "failed"}
    rows = [
        {**r, "state": tile_state(r), "city": "", "kind": "kiln",
         "enterprise": "E"}
        for r in (row(), row(run=running), row(alarms=[silent], run=running),
                  row(alarms=[tamper], last=failed))
    ]  # fmt: skip
    counts = state_counts(rows, WallFilter(state="idle", hide_idle=True))
    assert (counts["all"], counts["idle"], counts["running"], counts["offline"]) == (4, 1, 1, 1)
    assert (counts["alarm"], counts["failed"]) == (1, 1)
    chosen = WallFilter(state="failed", hide_idle=True)
    assert [r["state"] for r in rows if chosen.admits(r)] == ["alarm"]


@contextmanager
def _statements(world: World) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = world.services.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_wall_reads_the_same_few_queries_for_any_number_of_facilities(
    world: World, province: dict[str, int]
) -> None:
    services = world.services
    with _statements(world) as few:
        wall_rows(services, None, T0 + 2)
    for n in range(12):  # as many again with closed, signed-off runs
        _closed(world, f"X{n:02d}", "PASS", CLEAN)
    with _statements(world) as many:
        rows = wall_rows(services, None, T0 + 2)
    assert len(rows) == 8 + 12
    assert len(many) == len(few) <= 6


def test_a_vapour_heat_runs_page_says_the_progress_and_eta_of_its_wall_tile(
    client: TestClient, world: World
) -> None:
    # the air holds from 210 min (3.5 h needed), the cores from 300 min (20 min): at 310 min the
    # cores' hold is half done, but the run ends with the air's, at 420 min; both the tile and
    # the page say the air's hold, "1.7 / 3.5 h", and that end
    services = world.services
    probes = ["C1:product", "C2:product", "C3:product", "A1:air", "H1:rh"]
    add_facility(services.registry, "V1", "E1", "vapour_heat_chamber", probes, ctx=ctx_at(T0))
    run = start_run(services.runs, "V1", "vht-papaya-pt21", load="papaya", ctx=ctx_at(T0)).id
    now = T0 + 310 * MIN
    services.clock = FixedClock(now)
    token = world.device_token("V1")
    for hour in range(0, 311, 60):
        readings: list[dict[str, object]] = []
        for m in range(hour, min(hour + 60, 311)):
            t = format_instant(T0 + m * MIN)
            value = 30.0 + 18.0 * m / 210 if m <= 210 else 48.2
            readings.append({"probe": "A1", "t": t, "v": round(value, 2)})
            readings.append({"probe": "H1", "t": t, "v": 90.0})
            for p in ("C1", "C2", "C3"):
                readings.append({"probe": p, "t": t, "v": 47.7 if m >= 300 else 40.0})
        answer = client.post(
            "/api/v1/ingest",
            json={"facility": "V1", "readings": readings},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200, answer.text
    services.monitor.tick(now)
    tile = next(r for r in _wall(client, "?q=V1")["facilities"] if r["code"] == "V1")["run"]
    assert tile["progress"] == {
        "criterion": "air", "role": "air", "elapsed_s": 6000, "duration_s": 12600,
        "holding": 2, "criteria": 2,
    }  # fmt: skip
    assert tile["eta"] == format_instant(T0 + 420 * MIN)
    assert [h["criterion"] for h in tile["holds"]] == ["core", "air"]  # the first is not the end
    for language, hold, air, eta in (
        ("en", "hold", "air", "ETA"),
        ("zh-CN", "保持", "空气", "预计完成"),
    ):
        page = client.get(f"/runs/{run}", headers={**ADMIN, "Accept-Language": language}).text
        line = page.split('id="live-text">')[1].split("</span>")[0]
        unit = "h" if language == "en" else "小时"
        assert f"{hold} {air} 1.7 / 3.5 {unit} · {eta} <time" in line, line
        assert f'datetime="{format_instant(T0 + 420 * MIN)[:19]}Z"' in line, line
        assert "°C" in line and "offline" not in line and "离线" not in line


@pytest.mark.parametrize(
    ("elapsed", "whole", "shown"),
    [
        (720, 1800, ("12", "30", "min")),
        (900, 10800, ("0.3", "3.0", "h")),  # a tie rounds up, as toFixed(1) does
        (6000, 12600, ("1.7", "3.5", "h")),
        (5 * 86400 + 3000, 14 * 86400, ("5.0", "14", "d")),
        (12 * 86400, 14 * 86400, ("12", "14", "d")),
    ],
)
def test_the_run_pages_progress_is_written_as_the_tiles(
    elapsed: int, whole: int, shown: tuple[str, str, str]
) -> None:
    done, of, unit = shown
    one = {"role": "product", "elapsed_s": elapsed, "duration_s": whole, "holding": 1}
    assert progress_text({**one, "criteria": 1}) == {
        "role": None, "done": done, "of": of, "unit": unit,
    }  # fmt: skip
    assert progress_text({**one, "criteria": 2}) == {
        "role": "product", "done": done, "of": of, "unit": unit,
    }  # fmt: skip
    assert progress_text({**one, "criteria": 1, "holding": 0}) is None
