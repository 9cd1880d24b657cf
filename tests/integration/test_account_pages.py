"""My account without a browser: changing my password (a wrong current one, a weak new one, two
that differ, each said by its code; the change audited), my personal tokens (issued with the
secret shown once, working, revoked), and the change an administrator's reset forces: every page
sends the person to the form, the API answers 403 with its code, and both open again once it is
changed. The reset from the page and from ``phytowatch users passwd`` both force it."""

from __future__ import annotations

import re

import pytest
from accountsworld import PASSWORD, World, login
from fastapi.testclient import TestClient
from httpx2 import Response
from typer.testing import CliRunner

from phytowatch.cli.app import app as cli_app

pytestmark = pytest.mark.integration
NEW = "a much longer pass phrase"


def _actions(world: World, login_name: str) -> list[str]:
    found = world.services.audit.latest(limit=5, object_type="user", object_id=login_name)
    return [entry.action for entry in found]


def _change(client: TestClient, headers: dict[str, str], **fields: str) -> Response:
    form = {"csrf_token": headers["X-CSRF-Token"], **fields}
    return client.post("/account/password", data=form, headers=headers, follow_redirects=False)


def _error(html: str) -> str:
    start = html.index('id="form-error">')
    return re.sub(r"<[^>]+>", "", html[start : html.index("</p>", start)])


def test_my_password_is_changed_with_the_current_one_and_each_refusal_is_said(
    client: TestClient, world: World
) -> None:
    me = {**login(client, "operator"), "Accept-Language": "en"}
    page = client.get("/account", headers=me)
    assert page.status_code == 200 and 'id="me-login">operator<' in page.text
    assert 'href="/account"' in page.text  # the header links here
    wrong = _change(client, me, current="not my password", new=NEW, repeat=NEW)
    assert wrong.status_code == 422 and "the current password is wrong" in _error(wrong.text)
    assert _actions(world, "operator")[0] == "user.password_change_refused"
    weak = _change(client, me, current=PASSWORD, new="short", repeat="short")
    assert weak.status_code == 422 and "at least 10 characters" in _error(weak.text)
    differ = _change(client, me, current=PASSWORD, new=NEW, repeat=NEW + "!")
    assert differ.status_code == 422
    assert "the new password and its repetition differ" in _error(differ.text)
    zh = _change(client, {**me, "Accept-Language": "zh-CN"}, current=PASSWORD, new=NEW, repeat="x")
    assert "两次输入的新密码不一致" in _error(zh.text)  # in the reader's language
    assert "a much longer" not in differ.text  # a password is never kept in the form
    done = _change(client, me, current=PASSWORD, new=NEW, repeat=NEW)
    assert done.status_code == 303 and done.headers["location"] == "/account?changed=1"
    assert "Password changed" in client.get("/account?changed=1", headers=me).text
    assert _actions(world, "operator")[0] == "user.password_change"
    login(client, "operator", NEW)  # the new one works


def test_a_reset_forces_a_change_before_any_other_page_or_api_call(
    client: TestClient, world: World
) -> None:
    admin = login(client, "admin")
    reset = client.post("/admin/users/inspector/password",
                        data={"csrf_token": admin["X-CSRF-Token"]}, headers=admin)  # fmt: skip
    temporary = re.search(r'id="new-password">([^<]+)<', reset.text)
    assert temporary is not None
    them = {**login(client, "inspector", temporary.group(1)), "Accept-Language": "en"}
    page = client.get("/runs?facility=K1", headers=them, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/account/password?next=/runs%3Ffacility%3DK1"
    assert client.get("/", headers=them, follow_redirects=False).status_code == 303
    api = client.get("/api/v1/runs", headers=them)
    assert api.status_code == 403 and api.json()["code"] == "auth.change_password_first"
    me = client.get("/api/v1/auth/me", headers=them)
    assert me.status_code == 200 and me.json()["must_change_password"] is True
    form = client.get("/account/password?next=/runs%3Ffacility%3DK1", headers=them)
    assert form.status_code == 200 and 'id="forced-change"' in form.text
    assert 'id="issue-token"' not in form.text  # nothing but the change
    assert 'name="next" value="/runs?facility=K1"' in form.text
    same = _change(client, them, current=temporary.group(1), new=temporary.group(1),
                   repeat=temporary.group(1), next="/runs?facility=K1")  # fmt: skip
    assert same.status_code == 422 and "the new password is the current one" in _error(same.text)
    done = _change(client, them, current=temporary.group(1), new=NEW, repeat=NEW,
                   next="/runs?facility=K1")  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/runs?facility=K1"
    assert client.get("/runs?facility=K1", headers=them).status_code == 200
    assert client.get("/api/v1/runs", headers=them).status_code == 200
    assert client.get("/api/v1/auth/me", headers=them).json()["must_change_password"] is False
    off = _change(client, them, current=NEW, new=NEW + "2", repeat=NEW + "2", next="//evil.example")
    assert off.headers["location"] == "/account?changed=1"  # never to another site


def test_the_command_lines_reset_forces_the_change_too(
    client: TestClient, world: World, db_url: str
) -> None:
    result = CliRunner().invoke(
        cli_app, ["users", "passwd", "port", "--password-stdin", "--database-url", db_url],
        input="temporary pass phrase\n", env={"LANG": "en_US.UTF-8"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "must change it at their next login" in result.output
    them = login(client, "port", "temporary pass phrase")
    answer = client.get("/runs", headers=them, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/account/password")
    user = world.services.accounts.user_by_login("port")
    assert user is not None and user.must_change_password


def test_a_personal_token_is_issued_shown_once_used_and_revoked_from_the_page(
    client: TestClient, world: World
) -> None:
    me = {**login(client, "certifier"), "Accept-Language": "en"}
    csrf = me["X-CSRF-Token"]
    bad = client.post("/account/tokens", data={"csrf_token": csrf, "name": "wall",
                                               "expires_days": "0"}, headers=me)  # fmt: skip
    assert bad.status_code == 422 and "a whole number from 1 to 3650" in bad.text
    assert 'value="wall"' in bad.text  # what was typed is kept
    issued = client.post("/account/tokens", data={"csrf_token": csrf, "name": "wall script",
                                                  "expires_days": "30"}, headers=me)  # fmt: skip
    assert issued.status_code == 200
    token = re.search(r'id="new-token">(pwu_[^<]+)<', issued.text)
    assert token is not None
    bearer = {"Authorization": f"Bearer {token.group(1)}"}
    assert client.get("/api/v1/runs", headers=bearer).status_code == 200
    listed = client.get("/account", headers=me).text
    assert token.group(1) not in listed and f"{token.group(1)[:8]}…" in listed  # its hint only
    row_id = re.search(r'<tr id="token-(\d+)"><td class="wrap">wall script<', listed)
    assert row_id is not None and "✓ active" in listed
    # a token is no session: it issues no token, not even on the page
    assert client.post("/account/tokens", data={"name": "x"}, headers=bearer).status_code == 403
    revoked = client.post(f"/account/tokens/{row_id.group(1)}/revoke",
                          data={"csrf_token": csrf}, headers=me)  # fmt: skip
    assert revoked.status_code == 200 and "Token revoked:" in revoked.text
    assert "⊘ revoked" in revoked.text
    assert client.get("/api/v1/runs", headers=bearer).status_code == 401
    again = client.post(f"/account/tokens/{row_id.group(1)}/revoke",
                        data={"csrf_token": csrf}, headers=me)  # fmt: skip
    assert again.status_code == 409 and "is revoked already" in again.text
    other = login(client, "inspector")  # another person's token is no token of theirs
    theirs = client.post(f"/account/tokens/{row_id.group(1)}/revoke",
                         data={"csrf_token": other["X-CSRF-Token"]}, headers=other)  # fmt: skip
    assert theirs.status_code == 404
    actions = [
        e.action for e in world.services.audit.latest(limit=10, object_type="personal_token")
    ]
    assert actions[:2] == ["token.revoke", "token.issue"]
