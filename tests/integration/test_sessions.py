"""Log in and out, sessions and their cookie, CSRF, lock-out, password change, token revoke."""

from __future__ import annotations

import pytest
from accountsworld import PASSWORD, World, client_for, login
from fastapi.testclient import TestClient

from acting import ctx_at
from phytowatch.bootstrap import Services
from phytowatch.domain.accounts import ACCOUNT_LOCKOUT
from phytowatch.domain.messages import Refused
from phytowatch.services.accounts import failure_key
from phytowatch.web.errors import STATUS

pytestmark = pytest.mark.integration


def _audit_actions(world: World) -> list[str]:
    return [entry.action for entry in world.services.audit.latest(limit=1000)]


def test_a_login_sets_a_secure_http_only_lax_cookie_and_gives_the_csrf_token(
    world: World, services: Services
) -> None:
    services.settings = services.settings.model_copy(update={"cookie_secure": True})
    with client_for(world) as client:
        answer = client.post(
            "/api/v1/auth/login", json={"login": "inspector", "password": PASSWORD}
        )
    assert answer.status_code == 200
    cookie = answer.headers["set-cookie"].lower()
    for attribute in ("httponly", "samesite=lax", "secure", "path=/", "max-age=43200"):
        assert attribute in cookie
    body = answer.json()
    assert body["login"] == "inspector" and body["role"] == "inspector"
    assert body["jurisdiction"] == {"cities": ["赣州"], "enterprises": [], "everywhere": False}
    assert len(body["csrf_token"]) >= 40
    stored = services.accounts.session_by_hash(
        __import__("hashlib").sha256(answer.cookies["phytowatch_session"].encode()).hexdigest()
    )
    assert stored is not None  # only the hash is stored: the cookie itself is nowhere in the db


def test_the_me_endpoint_knows_the_session_and_logout_ends_it(
    world: World, client: TestClient
) -> None:
    headers = login(client, "operator")
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    assert (me.json()["login"], me.json()["enterprise"]) == ("operator", "E1")
    assert me.json()["csrf_token"] == headers["X-CSRF-Token"]
    assert me.headers["cache-control"] == "no-store"
    out = client.post("/api/v1/auth/logout", headers=headers)
    assert out.status_code == 200
    assert 'phytowatch_session=""' in out.headers["set-cookie"] or "max-age=0" in (
        out.headers["set-cookie"].lower()
    )
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert {"login", "logout"} <= set(_audit_actions(world))


def test_a_login_by_form_post_redirects_to_a_local_page_only(client: TestClient) -> None:
    form = {"login": "declarant", "password": PASSWORD, "next": "/api/v1/runs"}
    answer = client.post("/api/v1/auth/login", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/api/v1/runs"
    assert "phytowatch_session" in answer.cookies
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        form["next"] = hostile
        answer = client.post("/api/v1/auth/login", data=form, follow_redirects=False)
        assert answer.headers["location"] == "/api/v1/auth/me"


def test_a_cookie_request_that_changes_something_needs_the_csrf_token(
    world: World, client: TestClient
) -> None:
    headers = login(client, "inspector")
    alarm = world.objects["K1"].alarm
    url = f"/api/v1/alarms/{alarm}/acknowledge"
    cookie_only = {"Cookie": headers["Cookie"]}
    wrong = {**cookie_only, "X-CSRF-Token": "forged"}
    for attempt in (cookie_only, wrong):
        answer = client.post(url, headers=attempt, json={"comment": "door shut, load checked"})
        assert answer.status_code == 403
        assert "CSRF" in answer.json()["error"]
    stored = world.services.alarm_store.alarm(alarm)
    assert stored is not None and stored.state.value == "active"
    # reading needs no CSRF token; the right token in the header or a form field works
    assert client.get("/api/v1/alarms", headers=cookie_only).status_code == 200
    answer = client.post(url, headers=headers, json={"comment": "door shut, load checked"})
    assert answer.status_code == 200
    assert answer.json()["acknowledged_by"] == "inspector"  # the person, not a typed name
    form_logout = client.post(
        "/api/v1/auth/logout",
        headers={**cookie_only, "Content-Type": "application/x-www-form-urlencoded"},
        content=f"csrf_token={headers['X-CSRF-Token']}",
    )
    assert form_logout.status_code == 200


def test_bearer_requests_need_no_csrf_token(world: World, client: TestClient) -> None:
    from accountsworld import ADMIN

    alarm = world.objects["K2"].alarm
    answer = client.post(
        f"/api/v1/alarms/{alarm}/acknowledge",
        headers=ADMIN,
        json={"by": "Li", "comment": "door shut, load checked"},
    )
    assert answer.status_code == 200
    assert answer.json()["acknowledged_by"] == "Li"


def test_repeated_failures_lock_the_account_then_it_opens_again(
    world: World, client: TestClient
) -> None:
    bad = {"login": "certifier", "password": "not the password"}
    statuses = [client.post("/api/v1/auth/login", json=bad).status_code for _ in range(6)]
    assert statuses == [401] * ACCOUNT_LOCKOUT.free + [429]
    # locked: even the right password waits, and the answer says how long
    right = client.post("/api/v1/auth/login", json={"login": "certifier", "password": PASSWORD})
    assert right.status_code == 429
    assert int(right.headers["retry-after"]) >= 1
    assert "try again in" in right.json()["error"]
    # another account from the same address is not locked by this one
    assert login(client, "port")
    # time passes (the failure is moved back past its delay): the right password works again
    accounts = world.services.accounts
    key = failure_key("certifier")
    count = accounts.failures(key)
    accounts.set_failures(
        key,
        type(count)(count.failures, count.last_failure_at - 10 * 60 * 1_000_000),
    )
    assert (
        client.post(
            "/api/v1/auth/login", json={"login": "certifier", "password": PASSWORD}
        ).status_code
        == 200
    )
    assert accounts.failures(key).failures == 0
    actions = _audit_actions(world)
    assert actions.count("login.failed") == 5 and "login.locked" in actions


def test_failures_from_one_address_across_many_logins_lock_the_address(
    client: TestClient,
) -> None:
    answers = [
        client.post("/api/v1/auth/login", json={"login": f"nobody{n}", "password": "x" * 12})
        for n in range(21)
    ]
    assert [a.status_code for a in answers[:20]] == [401] * 20
    assert answers[20].status_code == 429
    # an unknown login and a wrong password get the same answer
    assert answers[0].json() == {
        "error": "wrong login or password",
        "code": "login.wrong",
        "params": {},
    }


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(
    world: World, client: TestClient
) -> None:
    first = login(client, "operator")
    second = login(client, "operator")
    new = "a new and long passphrase"
    wrong = client.post(
        "/api/v1/auth/password", headers=second, json={"current": "nope", "new": new}
    )
    assert wrong.status_code == 403
    short = client.post(
        "/api/v1/auth/password", headers=second, json={"current": PASSWORD, "new": "short"}
    )
    assert short.status_code == 422 and "10 characters" in short.json()["error"]
    ok = client.post(
        "/api/v1/auth/password", headers=second, json={"current": PASSWORD, "new": new}
    )
    assert ok.status_code == 200
    assert client.get("/api/v1/auth/me", headers=first).status_code == 401
    assert client.get("/api/v1/auth/me", headers=second).status_code == 200
    old = client.post("/api/v1/auth/login", json={"login": "operator", "password": PASSWORD})
    assert old.status_code == 401
    assert login(client, "operator", new)
    assert "user.password_change" in _audit_actions(world)


def test_an_expired_or_idle_session_is_refused(world: World, client: TestClient) -> None:
    from sqlalchemy import update

    from phytowatch.storage.accounts_tables import sessions

    headers = login(client, "declarant")
    with world.services.engine.begin() as conn:
        conn.execute(update(sessions).values(last_seen_at=0))
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    headers = login(client, "declarant")
    with world.services.engine.begin() as conn:
        conn.execute(update(sessions).values(expires_at=1))
    answer = client.get("/api/v1/auth/me", headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {
        "error": "your session has ended: log in again",
        "code": "auth.session_ended",
        "params": {},
    }


def test_a_disabled_user_cannot_log_in_and_its_sessions_and_tokens_stop(
    world: World, client: TestClient
) -> None:
    from phytowatch.services.accounts import issue_token, set_disabled

    headers = login(client, "port")
    user = world.services.accounts.user_by_login("port")
    assert user is not None
    token = issue_token(
        world.services.accounts, world.services.audit, user=user, name="s", ctx=ctx_at(1, "t")
    ).token
    set_disabled(
        world.services.accounts,
        world.services.audit,
        login="port",
        disabled=True,
        ctx=ctx_at(2, "t"),
    )
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 401
    answer = client.post("/api/v1/auth/login", json={"login": "port", "password": PASSWORD})
    assert answer.status_code == 403 and "disabled" in answer.json()["error"]


def test_personal_tokens_are_shown_once_listed_by_hint_and_revocable(
    world: World, client: TestClient
) -> None:
    headers = login(client, "inspector")
    issued = client.post(
        "/api/v1/auth/tokens",
        headers=headers,
        json={"name": "wall script", "scopes": ["runs:read", "alarms:read"], "expires_days": 30},
    )
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]
    assert token.startswith("pwu_")
    listed = client.get("/api/v1/auth/tokens", headers=headers).json()["tokens"]
    assert [t["name"] for t in listed] == ["wall script"]
    assert token not in str(listed)
    assert listed[0]["hint"] == token[:8] + "…"
    assert listed[0]["scopes"] == ["alarms:read", "runs:read"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/runs", headers=bearer).status_code == 200
    # a scope wider than the role is refused
    wide = client.post(
        "/api/v1/auth/tokens", headers=headers, json={"name": "x", "scopes": ["registry:write"]}
    )
    assert wide.status_code == 403 and "beyond the role" in wide.json()["error"]
    # another user cannot revoke it; its owner can, and then it stops working
    other = login(client, "certifier")
    token_id = listed[0]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{token_id}", headers=other).status_code == 404
    assert client.delete(f"/api/v1/auth/tokens/{token_id}", headers=headers).status_code == 200
    assert client.get("/api/v1/runs", headers=bearer).status_code == 401
    assert client.delete(f"/api/v1/auth/tokens/{token_id}", headers=headers).status_code == 409
    actions = _audit_actions(world)
    assert {"token.issue", "token.revoke"} <= set(actions)


def test_guesses_sent_at_once_cannot_pass_the_lock_out_together(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one free failure left: of 20 guesses sent at once (each from its own address), one is
    # checked and the others wait, instead of all being checked while the count lags behind
    import importlib
    import threading
    import time

    from phytowatch.domain.accounts import FailureCount
    from phytowatch.services import accounts as use_cases

    # the module that checks a password (the package's name ``login`` is the use case)
    checking = importlib.import_module("phytowatch.services.accounts.login")

    services = world.services
    now = 1_780_000_000_000_000
    key = failure_key("operator")
    services.accounts.set_failures(key, FailureCount(ACCOUNT_LOCKOUT.free - 1, now - 3_600_000_000))
    checked: list[str] = []
    real = checking.verify_password

    def slow(password: str, stored: str) -> bool:
        checked.append(password)
        time.sleep(0.2)  # a real check at production cost takes about this long
        return real(password, stored)

    monkeypatch.setattr(checking, "verify_password", slow)
    statuses: list[int] = []

    def guess(n: int) -> None:
        try:
            use_cases.check_password(
                services.accounts,
                services.audit,
                login_name="operator",
                password=f"guess number {n}",
                address=f"10.0.0.{n}",
                now=now,
                cost=10,
            )
        except Refused as error:
            statuses.append(STATUS[error.kind])

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) == 1
    assert sorted(statuses) == [401] + [429] * 19
    assert services.accounts.failures(key).failures == ACCOUNT_LOCKOUT.free


def test_guessing_the_current_password_on_a_session_is_locked_out_like_a_login(
    world: World, client: TestClient
) -> None:
    # a session left open (or stolen) must not try passwords without limit: the right one
    # would let it change the password and keep the account
    headers = login(client, "operator")
    statuses = [
        client.post(
            "/api/v1/auth/password",
            headers=headers,
            json={"current": f"guess number {n}", "new": "a brand new passphrase"},
        ).status_code
        for n in range(ACCOUNT_LOCKOUT.free + 1)
    ]
    assert statuses == [403] * ACCOUNT_LOCKOUT.free + [429]
    right = client.post(
        "/api/v1/auth/password",
        headers=headers,
        json={"current": PASSWORD, "new": "a brand new passphrase"},
    )
    assert right.status_code == 429 and int(right.headers["retry-after"]) >= 1


@pytest.mark.parametrize("typed", ["\\ud800", "oper\\u0000ator", "\\udfff\\u0000"])
def test_a_login_no_user_can_have_is_a_wrong_login_not_a_server_error(
    world: World, typed: str
) -> None:
    # a lone surrogate cannot be encoded for the database, PostgreSQL refuses NUL in text
    with client_for(world, raise_server_exceptions=False) as client:
        answer = client.post(
            "/api/v1/auth/login",
            content=f'{{"login": "{typed}", "password": "not the password"}}'.encode(),
            headers={"Content-Type": "application/json"},
        )
    assert (answer.status_code, answer.json()) == (
        401,
        {"error": "wrong login or password", "code": "login.wrong", "params": {}},
    )
    assert "login.failed" in _audit_actions(world)
