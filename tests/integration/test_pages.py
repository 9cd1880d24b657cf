"""The pages and their JSON without a browser: who sees which facilities on the wall, a run's
chart downsampled and windowed, languages and zones, static files and their cache headers, bad
form input said on the page, hostile text escaped. (The real browser: tests/e2e.)"""

from __future__ import annotations

import re
import time

import pytest
from accountsworld import ADMIN, World, login
from fastapi.testclient import TestClient

from acting import ctx_at
from phytowatch.bootstrap import Services
from phytowatch.services.provisioning import rotate_token

pytestmark = pytest.mark.integration


def _codes(client: TestClient, headers: dict[str, str]) -> list[str]:
    answer = client.get("/api/v1/wall", headers=headers)
    assert answer.status_code == 200, answer.text
    return [row["code"] for row in answer.json()["facilities"]]


def test_the_wall_holds_only_the_facilities_the_caller_may_see(client: TestClient) -> None:
    assert _codes(client, ADMIN) == ["K1", "K2"]
    assert _codes(client, login(client, "operator")) == ["K1"]
    assert _codes(client, login(client, "op_b")) == ["K2"]
    assert _codes(client, login(client, "inspector")) == ["K1"]
    assert client.get("/api/v1/wall", headers=login(client, "port")).status_code == 403


def test_a_wall_row_has_registry_last_verdict_and_open_alarms(client: TestClient) -> None:
    rows = client.get("/api/v1/wall", headers=ADMIN).json()["facilities"]
    k1 = rows[0]
    assert (k1["enterprise"], k1["city"], k1["kind"]) == ("E1", "赣州", "kiln")
    assert k1["last"]["verdict"] == "PASS"
    assert [a["kind"] for a in k1["alarms"]] == ["hold_broken"]
    assert k1["alarms"][0]["severity"] == "major" and k1["alarms"][0]["state"] == "active"


def _post_readings(client: TestClient, world: World, minutes: int) -> None:
    token = rotate_token(world.services.registry, "K1", ctx=ctx_at(1)).token
    now = time.time()
    readings = []
    for k in range(minutes, 0, -1):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 60 * k))
        readings += [{"probe": p, "t": stamp, "v": 40.0 + k % 7} for p in ("C1", "C2", "C3")]
    answer = client.post(
        "/api/v1/ingest",
        json={"facility": "K1", "readings": readings},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text


def test_a_run_chart_is_min_and_max_per_bucket_and_a_window_gives_its_detail(
    client: TestClient, world: World
) -> None:
    _post_readings(client, world, 120)
    run = world.objects["K1"].open_run
    whole = client.get(f"/api/v1/runs/{run}/chart?points=10", headers=ADMIN).json()
    assert set(whole["probes"]) == {"C1", "C2", "C3"}
    assert 1 <= len(whole["t"]) <= 10 and whole["readings"] == 360
    c1 = whole["probes"]["C1"]
    assert c1["role"] == "product"
    assert len(c1["lo"]) == len(c1["hi"]) == len(whole["t"])
    assert min(v for v in c1["lo"] if v is not None) == 40.0
    assert max(v for v in c1["hi"] if v is not None) == 46.0
    t_to = time.time()
    t_from = t_to - 1800
    window = client.get(
        f"/api/v1/runs/{run}/chart?points=500&t_from={t_from}&t_to={t_to}", headers=ADMIN
    ).json()
    assert window["from"] >= t_from - 1e-3 and window["to"] <= t_to + 1
    assert 25 <= window["readings"] / 3 <= 31  # one reading a minute in half an hour
    bad = client.get(f"/api/v1/runs/{run}/chart?t_from=10&t_to=5", headers=ADMIN)
    assert bad.status_code == 422
    assert client.get(f"/api/v1/runs/{run}/chart?points=0", headers=ADMIN).status_code == 422
    assert client.get("/api/v1/runs/99999/chart", headers=ADMIN).status_code == 404


def test_the_run_chart_is_not_the_port_officers_nor_another_enterprises(
    client: TestClient, world: World
) -> None:
    run = world.objects["K1"].open_run
    assert client.get(f"/api/v1/runs/{run}/chart", headers=login(client, "port")).status_code == 403
    assert client.get(f"/api/v1/runs/{run}/chart", headers=login(client, "op_b")).status_code == 404


def test_a_page_sends_nobody_to_the_login_page_with_the_way_back(client: TestClient) -> None:
    answer = client.get("/alarms?all=true", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/alarms%3Fall%3Dtrue"


def test_pages_speak_the_language_asked_and_the_cookie_wins(client: TestClient) -> None:
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text and "Log in" in english.text
    chinese = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert '<html lang="zh-CN">' in chinese.text and "登录" in chinese.text
    assert "登录" in client.get("/login").text  # nothing asked: Chinese
    switched = client.get("/prefs?lang=en&next=/login", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    assert "phytowatch_lang=en" in switched.headers["set-cookie"]
    client.cookies.set("phytowatch_lang", "en")
    again = client.get("/login", headers={"Accept-Language": "zh-CN"})
    assert "Log in" in again.text


def test_prefs_never_redirect_off_the_site_and_ignore_unknown_values(client: TestClient) -> None:
    answer = client.get("/prefs?lang=xx&tz=Mars/Base&next=//evil.example", follow_redirects=False)
    assert answer.headers["location"] == "/"
    assert "set-cookie" not in answer.headers


def test_static_files_are_served_with_cache_headers_and_nothing_outside(
    client: TestClient,
) -> None:
    versioned = client.get("/static/app.css?v=abc")
    assert versioned.status_code == 200
    assert "immutable" in versioned.headers["cache-control"]
    assert client.get("/static/app.css").headers["cache-control"] == "no-cache"
    script = client.get("/static/js/wall.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/../pages.py").status_code == 404
    assert client.get("/static/%2e%2e/pages.py").status_code == 404
    assert client.get("/static/nothing.js").status_code == 404


def test_the_wall_page_pins_its_scripts_to_our_own_static_files(client: TestClient) -> None:
    page = client.get("/wall", headers=login(client, "inspector"))
    assert page.status_code == 200
    assert "http://" not in page.text.replace("http://www.w3.org", "")
    assert "https://" not in page.text
    assert '<script type="module" src="/static/js/wall.js?v=' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self';" in page.headers["content-security-policy"]
    assert " on" + "click=" not in page.text and " on" + "change=" not in page.text


def test_a_refused_page_is_a_page_in_the_readers_language(client: TestClient) -> None:
    headers = {**login(client, "port"), "Accept-Language": "en"}
    answer = client.get("/alarms", headers=headers)
    assert answer.status_code == 403
    assert "Not allowed" in answer.text and "text/html" in answer.headers["content-type"]
    missing = client.get("/runs/999999", headers=login(client, "admin"))
    assert missing.status_code == 404 and "未找到" in missing.text


def test_bad_form_input_is_said_on_the_page_never_a_traceback(client: TestClient) -> None:
    admin = login(client, "admin")
    form = {"code": "K9", "enterprise": "E1", "kind": "kiln", "probes": ""}
    answer = client.post("/admin/facilities", data=form, headers=admin)
    assert answer.status_code == 422
    assert 'class="error" role="alert"' in answer.text and "probes" in answer.text
    form = {"code": "bad code!", "name_zh": "x", "name_en": "x", "city": "x", "grade": "II"}
    answer = client.post("/admin/enterprises", data=form, headers=admin)
    assert answer.status_code == 422 and "Traceback" not in answer.text
    big = client.post("/admin/users", data={"login": "x" * 70_000}, headers=admin)
    assert big.status_code == 413


def test_a_form_without_its_csrf_token_is_refused(client: TestClient) -> None:
    headers = login(client, "admin")
    del headers["X-CSRF-Token"]
    form = {"code": "E9", "name_zh": "x", "name_en": "x", "city": "x", "grade": "II"}
    answer = client.post("/admin/enterprises", data=form, headers=headers)
    assert answer.status_code == 403


def test_hostile_text_is_escaped_on_every_page(client: TestClient, world: World) -> None:
    hostile = '<script>alert(1)</script> مرحبا "quoted" ' + "长" * 10_000
    admin = login(client, "admin")
    alarm = world.objects["K1"].alarm
    answer = client.post(
        f"/alarms/{alarm}/acknowledge", data={"comment": hostile[:1999]}, headers=admin
    )
    assert answer.status_code == 200
    assert "<script>alert(1)</script>" not in answer.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text
    inbox = client.get("/alarms", headers=admin).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in inbox and "<script>alert(1)" not in inbox
    too_long = client.post(f"/alarms/{alarm}/clear", data={"comment": "x" * 2500}, headers=admin)
    assert too_long.status_code == 200 and "2000" in too_long.text  # said, nothing done
    huge = client.post(f"/alarms/{alarm}/clear", data={"comment": hostile}, headers=admin)
    assert huge.status_code == 413 and "text/html" in huge.headers["content-type"]


def test_the_database_buckets_a_chart_as_downsample_does(client: TestClient, world: World) -> None:
    from phytowatch.domain.series import downsample

    _post_readings(client, world, 90)
    services = world.services
    record = services.runs.run(world.objects["K1"].open_run)
    assert record is not None
    rows = services.runs.run_readings(record.facility_id, record.started_at, None, None)
    lo, hi = min(r[1] for r in rows) - 7_000_000, max(r[1] for r in rows) + 3
    for points in (1, 7, 50, 500):
        width = -(-(hi - lo + 1) // points)
        expected = {
            (probe, start, low, high)
            for probe, values in downsample(rows, lo, hi, points).items()
            for start, low, high in values
        }
        found = services.pages.buckets(record.facility_id, lo, hi, width)
        assert {(p, s, a, b) for p, s, a, b, _ in found} == expected
        assert sum(n for *_, n in found) == len(rows)


def test_an_enterprise_page_is_within_reach_or_not_found(client: TestClient) -> None:
    for who, e1, e2 in (("operator", 200, 404), ("inspector", 200, 404), ("insp_nc", 404, 200),
                        ("admin", 200, 200), ("port", 200, 404)):  # fmt: skip
        headers = login(client, who)
        assert client.get("/enterprises/E1", headers=headers).status_code == e1, who
        assert client.get("/enterprises/E2", headers=headers).status_code == e2, who
    page = client.get("/enterprises/E1", headers=login(client, "operator")).text
    # the session's random CSRF token is on the page too, and may hold "K2" by chance
    for token in set(re.findall(r'(?:value|content)="([A-Za-z0-9_-]{40,})"', page)):
        page = page.replace(token, "")
    assert 'href="/facilities/K1"' in page and "K2" not in page
    assert client.get("/enterprises/nope", headers=ADMIN).status_code == 404


def test_the_wall_takes_each_facilitys_latest_closed_run(client: TestClient, world: World) -> None:
    import json as json_module

    services = world.services
    k1 = world.objects["K1"]
    services.runs.close_run(
        k1.open_run, 2_000_000_000_000_000, "fail", "FAIL", json_module.dumps({})
    )
    last = services.pages.last_closed_runs()
    assert (last["K1"].id, last["K1"].verdict) == (k1.open_run, "FAIL")  # the newer of two
    assert (last["K2"].id, last["K2"].verdict) == (world.objects["K2"].pass_run, "PASS")
    rows = {r["code"]: r for r in client.get("/api/v1/wall", headers=ADMIN).json()["facilities"]}
    assert rows["K1"]["last"]["verdict"] == "FAIL" and rows["K1"]["last"]["id"] == k1.open_run


def test_the_services_messages_are_said_in_the_readers_language_the_api_keeps_english(
    client: TestClient, world: World, services: Services
) -> None:
    from accountsworld import T0

    from phytowatch.domain.alarms import Alarm, AlarmKind, AlarmState, Change, Severity
    from phytowatch.domain.instants import format_instant
    from phytowatch.domain.messages import Code, Instant, Word, say

    message = say(
        Code.ALARM_HOLD_BROKEN_PROBES, at=Instant(T0), reason=Word("below_threshold"), probes="C2"
    )
    english = f"hold broken at {format_instant(T0)}: below_threshold (C2)"
    services.alarm_store.apply(
        [
            Change(
                "raised",
                Alarm(
                    AlarmKind.HOLD_BROKEN, "K1", "run 1", Severity.MAJOR, AlarmState.ACTIVE,
                    T0, T0, 1, "2", message,
                ),
            )
        ]
    )  # fmt: skip
    admin = login(client, "admin")
    zh = client.get("/alarms", headers={**admin, "Accept-Language": "zh-CN"}).text
    assert "中断：低于指标（C2）" in zh and "hold broken" not in zh
    en = client.get("/alarms", headers={**admin, "Accept-Language": "en"}).text
    assert "hold broken at <time" in en and "below the threshold (C2)" in en
    api = client.get("/api/v1/alarms", headers=admin).json()["alarms"]
    [said] = [a for a in api if a["message"] == english]  # the JSON keeps the English
    assert said["code"] == "alarm.hold_broken_probes" and said["params"]["probes"] == "C2"
    run = world.objects["K1"].pass_run
    page = client.get(f"/runs/{run}", headers={**admin, "Accept-Language": "zh-CN"}).text
    assert "该处理尚未经检验员审核通过" in page and "not signed off" not in page
    page = client.get(f"/runs/{run}", headers={**admin, "Accept-Language": "en"}).text
    assert "the run is not signed off by an inspector yet" in page
