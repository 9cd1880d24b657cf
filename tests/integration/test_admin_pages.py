"""The administration pages without a browser: probe calibrations with their status, cameras,
offices, users (add, role, disable and enable, password reset), a facility's token revoked.
Each form: it works and leaves its audit entry, a refusal is said on the page with what was typed
kept, and nobody but the administrator gets through (the matrix: test_authorization_matrix.py).
"""

from __future__ import annotations

import time

import pytest
from accountsworld import PASSWORD, World, login
from fastapi.testclient import TestClient

from phytowatch.domain.instants import format_instant
from phytowatch.services.provisioning import hash_token
from phytowatch.web.pages.admin_facility import calibration_status

pytestmark = pytest.mark.integration
DAY_US = 86_400_000_000
HOSTILE = '<script>alert(1)</script>"'


def _day(offset_days: int) -> str:
    return format_instant(int(time.time() * 1e6) + offset_days * DAY_US)[:10]


def _actions(world: World, object_type: str, object_id: str) -> list[tuple[str, str]]:
    found = world.services.audit.latest(limit=20, object_type=object_type, object_id=object_id)
    return [(entry.actor, entry.action) for entry in found]


def _error(html: str) -> str:
    start = html.index('id="form-error">')
    return html[start : html.index("</p>", start)]


def test_a_calibration_is_recorded_and_each_probe_shows_its_history_and_status(
    client: TestClient, world: World
) -> None:
    admin = {**login(client, "admin"), "Accept-Language": "en"}
    page = client.get("/admin/facilities/K1", headers=admin)
    assert page.status_code == 200 and 'id="probe-C1"' in page.text
    form = {"probe": "C2", "offset": "-0.30", "calibrated_at": _day(-10),
            "due_at": _day(3), "certificate": "JJF-2026-0042"}  # fmt: skip
    answer = client.post("/admin/facilities/K1/calibrations", data=form, headers=admin)
    assert answer.status_code == 200, answer.text
    c2 = answer.text[answer.text.index('id="probe-C2"') : answer.text.index('id="probe-C3"')]
    assert "◔ due within 7 days" in c2[: c2.index("</h3>")]  # the probe's status, by its newest
    assert "JJF-2026-0042" in c2 and "-0.30" in c2 and _day(3) in c2
    assert c2.index("JJF-2026-0042") < c2.index("current") < c2.index("superseded")
    assert _actions(world, "probe", "K1/C2")[0] == ("user:admin", "probe.calibrated")
    expired = {**form, "calibrated_at": _day(-5), "due_at": _day(-1), "probe": "C3"}
    answer = client.post("/admin/facilities/K1/calibrations", data=expired, headers=admin)
    c3 = answer.text[answer.text.index('id="probe-C3"') :]
    assert "✕ expired" in c3[: c3.index("</h3>")]
    c1 = answer.text[answer.text.index('id="probe-C1"') : answer.text.index('id="probe-C2"')]
    assert "✓ valid" in c1[: c1.index("</h3>")] or "✕ expired" in c1[: c1.index("</h3>")]


def test_calibration_status_is_valid_due_within_7_days_or_expired() -> None:
    now = 1_000 * DAY_US
    assert calibration_status(None, now) == "none"
    assert calibration_status(now - 1, now) == "expired"
    assert calibration_status(now + 7 * DAY_US, now) == "due_soon"
    assert calibration_status(now + 7 * DAY_US + 1, now) == "valid"


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"offset": "banana"}, "not a number"),
        ({"offset": "99"}, "at most"),
        ({"calibrated_at": ""}, "Calibrated on"),
        ({"due_at": "2026-02-30"}, "Due on"),
        ({"due_at": "2020-01-01"}, "fall due after"),
        ({"probe": "ZZ"}, "no probe"),
        ({"certificate": "a\x07b"}, "printable"),
        ({"certificate": "a\x00b"}, "NUL"),
    ],
)
def test_a_refused_calibration_is_said_and_what_was_typed_is_kept(
    client: TestClient, world: World, change: dict[str, str], said: str
) -> None:
    admin = {**login(client, "admin"), "Accept-Language": "en"}
    form = {"probe": "C1", "offset": "0.2", "calibrated_at": "2026-01-05",
            "due_at": "2027-01-05", "certificate": "cert-77", **change}  # fmt: skip
    k1 = world.services.registry.facility_by_code("K1")
    assert k1 is not None
    before = len(world.services.registry.calibrations_of(k1.id))
    answer = client.post("/admin/facilities/K1/calibrations", data=form, headers=admin)
    assert answer.status_code == 422, answer.text
    assert said in _error(answer.text) and "Not saved:" in answer.text
    assert 'href="#calibration-form"' in answer.text and 'id="calibration-form"' in answer.text
    assert "Traceback" not in answer.text
    if "certificate" not in change:
        assert 'value="cert-77"' in answer.text  # kept for retyping
    facility = world.services.registry.facility_by_code("K1")
    assert facility is not None
    assert len(world.services.registry.calibrations_of(facility.id)) == before


def test_a_camera_is_added_and_listed_and_a_duplicate_is_refused(
    client: TestClient, world: World
) -> None:
    admin = login(client, "admin")
    form = {"camera": "door", "description": HOSTILE}
    answer = client.post("/admin/facilities/K1/cameras", data=form, headers=admin)
    assert answer.status_code == 200
    cameras = answer.text[answer.text.index('id="cameras"') :]
    assert "door" in cameras and "&lt;script&gt;alert(1)&lt;/script&gt;&#34;" in cameras
    assert "<script>alert(1)" not in answer.text
    again = client.post("/admin/facilities/K1/cameras", data=form, headers=admin)
    # a Chinese page (the default) says the service's refusal in Chinese, the API keeps English
    assert again.status_code == 409
    assert "未保存： 处理设施 K1 已有摄像头 door" in _error(again.text)
    bad = client.post("/admin/facilities/K1/cameras", data={"camera": "a b"}, headers=admin)
    assert bad.status_code == 422
    assert _actions(world, "camera", "K1/door")[0] == ("user:admin", "camera.added")


def test_a_facilitys_token_is_revoked_only_with_the_box_ticked(
    client: TestClient, world: World
) -> None:
    admin = login(client, "admin")
    token = world.device_token("K1")
    registry = world.services.registry
    assert registry.facility_by_token_hash(hash_token(token)) is not None
    unticked = client.post("/admin/facilities/K1/token/revoke", data={}, headers=admin)
    assert unticked.status_code == 422 and "勾选" in _error(unticked.text)  # Chinese by default
    assert registry.facility_by_token_hash(hash_token(token)) is not None
    answer = client.post("/admin/facilities/K1/token/revoke", data={"confirm": "on"}, headers=admin)
    assert answer.status_code == 200 and 'role="status"' in answer.text
    assert _actions(world, "facility", "K1")[0] == ("user:admin", "token.revoked")
    assert registry.facility_by_token_hash(hash_token(token)) is None
    missing = client.get("/admin/facilities/NOPE", headers=admin)
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]


def test_an_office_is_added_with_its_jurisdiction_and_listed(
    client: TestClient, world: World
) -> None:
    admin = {**login(client, "admin"), "Accept-Language": "en"}
    form = {
        "code": "JA",
        "name": "吉安办事处 " + HOSTILE,
        "cities": "吉安，抚州",
        "enterprises": "E2",
    }
    answer = client.post("/admin/offices", data=form, headers=admin)
    assert answer.status_code == 200, answer.text
    offices = answer.text[
        answer.text.index('id="offices"') : answer.text.index(
            "</table>", answer.text.index('id="offices"')
        )
    ]
    assert "JA" in offices and "吉安、抚州" in offices and "E2" in offices
    assert "&lt;script&gt;" in offices and "<script>" not in offices
    assert _actions(world, "office", "JA")[0] == ("user:admin", "office.add")
    none = client.post("/admin/offices", data={"code": "XX", "name": "x"}, headers=admin)
    assert none.status_code == 422 and "covers" in _error(none.text)
    assert 'value="XX"' in none.text
    unknown = client.post(
        "/admin/offices", data={**form, "code": "JB", "enterprises": "E9"}, headers=admin
    )
    assert unknown.status_code == 404 and "E9" in _error(unknown.text)
    again = client.post("/admin/offices", data=form, headers=admin)
    assert again.status_code == 409
    everywhere = {"code": "JX", "name": "江西", "everywhere": "on"}
    assert client.post("/admin/offices", data=everywhere, headers=admin).status_code == 200


def test_a_user_added_without_a_password_gets_a_temporary_one_shown_once(
    client: TestClient, world: World
) -> None:
    admin = login(client, "admin")
    form = {"login": "Zhao", "name": "赵 " + HOSTILE, "role": "inspector", "office": "GZ",
            "enterprise": ""}  # fmt: skip
    answer = client.post("/admin/users", data=form, headers=admin)
    assert answer.status_code == 200, answer.text
    start = answer.text.index('id="new-password">') + len('id="new-password">')
    password = answer.text[start : answer.text.index("</code>", start)]
    assert len(password) == 19
    assert (
        client.post("/api/v1/auth/login", json={"login": "zhao", "password": password}).status_code
        == 200
    )
    assert password not in client.get("/admin", headers=admin).text  # once
    shown = client.get("/admin/users/zhao", headers=admin).text
    assert "赵 &lt;script&gt;alert(1)&lt;/script&gt;&#34;" in shown and "<script>alert" not in shown
    typed = {**form, "login": "qian", "password": PASSWORD}
    answer = client.post("/admin/users", data=typed, headers=admin)
    assert answer.status_code == 200 and 'id="new-password"' not in answer.text
    misplaced = {**form, "login": "sun", "office": "", "password": PASSWORD}
    refused = client.post("/admin/users", data=misplaced, headers=admin)
    # the role and what it needs, in the page's language; never a CLI option
    assert refused.status_code == 422 and "检验检疫官 属于检验检疫机构" in _error(refused.text)
    assert "--office" not in refused.text
    assert 'value="sun"' in refused.text and PASSWORD not in refused.text


def test_a_role_is_changed_and_the_users_sessions_end(client: TestClient, world: World) -> None:
    admin = login(client, "admin")
    inspector = login(client, "inspector")
    assert client.get("/api/v1/auth/me", headers=inspector).status_code == 200
    page = client.get("/admin/users/inspector", headers=admin)
    assert page.status_code == 200 and 'id="set-role"' in page.text
    form = {"role": "port_officer", "office": "GZ", "enterprise": ""}
    answer = client.post("/admin/users/inspector/role", data=form, headers=admin)
    assert answer.status_code == 200, answer.text
    user = world.services.accounts.user_by_login("inspector")
    assert user is not None and user.role.value == "port_officer"
    assert client.get("/api/v1/auth/me", headers=inspector).status_code == 401
    assert _actions(world, "user", "inspector")[0] == ("user:admin", "user.set_role")
    wrong = {"role": "enterprise_operator", "office": "GZ", "enterprise": ""}
    refused = client.post("/admin/users/inspector/role", data=wrong, headers=admin)
    assert refused.status_code == 422 and "处理操作员 属于企业" in _error(refused.text)
    assert "--enterprise" not in refused.text
    ghost = client.post("/admin/users/ghost/role", data=form, headers=admin)
    assert ghost.status_code == 404


def test_a_user_is_disabled_and_enabled_and_the_last_administrator_is_kept(
    client: TestClient, world: World
) -> None:
    admin = {**login(client, "admin"), "Accept-Language": "en"}
    operator = login(client, "operator")
    off = client.post("/admin/users/operator/disabled", data={"disabled": "true"}, headers=admin)
    assert off.status_code == 200 and "Disabled" in off.text
    assert client.get("/api/v1/auth/me", headers=operator).status_code == 401
    on = client.post("/admin/users/operator/disabled", data={"disabled": "false"}, headers=admin)
    assert on.status_code == 200
    user = world.services.accounts.user_by_login("operator")
    assert user is not None and not user.disabled
    assert [a for _, a in _actions(world, "user", "operator")][:2] == [
        "user.enable",
        "user.disable",
    ]
    vague = client.post("/admin/users/operator/disabled", data={"disabled": "maybe"}, headers=admin)
    assert vague.status_code == 422
    self_off = client.post("/admin/users/admin/disabled", data={"disabled": "true"}, headers=admin)
    assert self_off.status_code == 409 and "last enabled administrator" in _error(self_off.text)
    demote = {"role": "inspector", "office": "GZ"}
    self_demote = client.post("/admin/users/admin/role", data=demote, headers=admin)
    assert self_demote.status_code == 409
    me = world.services.accounts.user_by_login("admin")
    assert me is not None and not me.disabled and me.role.value == "administrator"
    assert client.get("/admin", headers=admin).status_code == 200  # still signed in


def test_a_password_reset_shows_a_temporary_password_once_and_ends_sessions(
    client: TestClient, world: World
) -> None:
    admin = login(client, "admin")
    certifier = login(client, "certifier")
    answer = client.post("/admin/users/certifier/password", data={}, headers=admin)
    assert answer.status_code == 200
    start = answer.text.index('id="new-password">') + len('id="new-password">')
    password = answer.text[start : answer.text.index("</code>", start)]
    assert client.get("/api/v1/auth/me", headers=certifier).status_code == 401
    good = {"login": "certifier", "password": password}
    assert client.post("/api/v1/auth/login", json=good).status_code == 200
    old = {"login": "certifier", "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=old).status_code == 401
    entries = world.services.audit.latest(limit=9, object_type="user", object_id="certifier")
    reset = [e for e in entries if e.action == "user.password_reset"]
    assert [e.actor for e in reset] == ["user:admin"]
    assert all(password not in str(e) for e in entries)
    assert "no-store" in answer.headers["cache-control"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/admin/facilities/K1"),
        ("POST", "/admin/facilities/K1/calibrations"),
        ("POST", "/admin/facilities/K1/cameras"),
        ("POST", "/admin/facilities/K1/token/revoke"),
        ("POST", "/admin/offices"),
        ("GET", "/admin/users/operator"),
        ("POST", "/admin/users/operator/role"),
        ("POST", "/admin/users/operator/disabled"),
        ("POST", "/admin/users/operator/password"),
    ],
)
def test_only_the_administrator_reaches_the_admin_forms_and_each_needs_its_csrf_token(
    client: TestClient, world: World, method: str, path: str
) -> None:
    form = {"disabled": "true", "confirm": "on", "role": "inspector", "office": "GZ",
            "camera": "x1", "code": "Q1", "name": "q", "cities": "q", "probe": "C1",
            "offset": "0", "calibrated_at": "2026-01-01", "due_at": "2027-01-01"}  # fmt: skip
    for who in ("operator", "inspector", "port"):
        answer = client.request(method, path, data=form, headers=login(client, who))
        assert answer.status_code == 403 and "text/html" in answer.headers["content-type"]
    nobody = client.request(method, path, data=form, follow_redirects=False)
    assert nobody.status_code in {303, 401, 403}
    if method == "POST":
        admin = login(client, "admin")
        del admin["X-CSRF-Token"]
        assert client.post(path, data=form, headers=admin).status_code == 403
    user = world.services.accounts.user_by_login("operator")
    assert user is not None and not user.disabled and user.role.value == "enterprise_operator"


@pytest.mark.parametrize(
    ("method", "path", "form"),
    [
        ("POST", "/admin/offices", {"code": "Q1", "name": "q", "enterprises": "E\x001"}),
        ("POST", "/admin/users", {"login": "a\x00b", "name": "x", "role": "administrator"}),
        ("POST", "/admin/facilities/K1/cameras", {"camera": "door", "description": "a\x00"}),
        ("GET", "/admin/users/ad%00min", None),
        ("POST", "/admin/users/ad%00min/role", {"role": "inspector"}),
        ("GET", "/admin/facilities/K%001", None),
        ("POST", "/admin/facilities/K%001/token/revoke", {"confirm": "on"}),
        ("POST", "/admin/facilities/K%001/token", {}),
    ],
)
def test_a_nul_anywhere_is_said_on_the_page_on_every_database(
    client: TestClient, method: str, path: str, form: dict[str, str] | None
) -> None:
    admin = {**login(client, "admin"), "Accept-Language": "en"}
    answer = client.request(method, path, data=form, headers=admin)
    assert answer.status_code in {404, 422} and "text/html" in answer.headers["content-type"]
    if answer.status_code == 422:
        assert "NUL" in _error(answer.text) and "\x00" not in answer.text


def test_rotating_the_token_of_no_facility_is_said_on_the_page(client: TestClient) -> None:
    admin = login(client, "admin")
    answer = client.post("/admin/facilities/NOPE/token", data={}, headers=admin)
    assert answer.status_code == 404 and "NOPE" in _error(answer.text)
    assert 'href="#' not in _error(answer.text)  # no form of its own to point to


@pytest.mark.parametrize("scopes", [[], ["registry:write"]])
def test_no_personal_token_manages_people_not_even_an_administrators(
    client: TestClient, world: World, scopes: list[str]
) -> None:
    admin = login(client, "admin")
    issued = client.post("/api/v1/auth/tokens", json={"name": "script", "scopes": scopes},
                         headers=admin)  # fmt: skip
    assert issued.status_code == 201, issued.text
    bearer = {"Authorization": f"Bearer {issued.json()['token']}"}
    form = {"login": "mallory", "name": "M", "role": "administrator", "password": PASSWORD * 2}
    for path, data in [
        ("/admin/users", form),
        ("/admin/users/operator/role", {"role": "administrator"}),
        ("/admin/users/operator/password", {}),
        ("/admin/offices", {"code": "Q1", "name": "q", "everywhere": "on"}),
    ]:
        answer = client.post(path, data=data, headers=bearer)
        assert answer.status_code == 403, (path, answer.status_code)
    assert world.services.accounts.user_by_login("mallory") is None
    operator = world.services.accounts.user_by_login("operator")
    assert operator is not None and operator.role.value == "enterprise_operator"
    refused = client.post("/api/v1/auth/tokens", json={"name": "x", "scopes": ["users:write"]},
                          headers=admin)  # fmt: skip
    assert refused.status_code == 422 and "signed-in session" in refused.text
    made = client.post("/admin/users", data=form, headers=admin)  # a session may
    assert made.status_code == 200 and world.services.accounts.user_by_login("mallory")


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/admin/enterprises", "code=0099&name_zh={}&name_en=E&city=C&grade=II"),
        ("/admin/enterprises", "code=0099&name_zh=Z&name_en=E&city={}&grade=II"),
        ("/admin/offices", "code=Q1&name={}&cities=Q"),
        ("/admin/users", "login=newbie&name={}&role=administrator"),
        ("/admin/facilities/K1/cameras", "camera=door&description={}"),
        (
            "/admin/facilities/K1/calibrations",
            "probe=C1&offset=0.1&calibrated_at=2026-01-01&due_at=2027-01-01&certificate={}",
        ),
    ],
)
@pytest.mark.parametrize("not_utf8", ["%ED%A0%80", "%FF", "ok%C3", "%C0%AF"])
def test_percent_encoded_bytes_that_are_not_utf8_are_refused_as_raw_ones_and_nothing_stored(
    client: TestClient, world: World, path: str, form: str, not_utf8: str
) -> None:
    admin = {
        **login(client, "admin"),
        "Accept-Language": "en",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    before = world.services.audit.latest(limit=1)
    for body in (form.format(not_utf8).encode(), form.format("").encode() + b"\xff\xfe"):
        answer = client.post(path, content=body, headers=admin)
        assert answer.status_code == 422, answer.text
        assert "form.not_utf8" in answer.text or "a form in UTF-8 is expected" in answer.text
        assert "\ufffd" not in answer.text
    assert world.services.audit.latest(limit=1) == before  # nothing changed, nothing recorded
