"""Secrets never reach a log or an error message: passwords, session ids, API, device, admin tokens.

Everything the service logs (caplog at DEBUG, every logger) and every answer it gives is
captured across logins that fail and succeed, bad and revoked tokens, refused requests and an
internal error, then searched for each secret. The same is done on a real ``phytowatch serve``
subprocess's output, and on the CLI's (run in-process: its output and everything it logs).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from accountsworld import ADMIN_TOKEN, PASSWORD, World, build, client_for, login
from procs import Phytowatch

from acting import ctx_at
from clirunner import Ran, phytowatch
from phytowatch.bootstrap import Services
from phytowatch.services.accounts import issue_token, revoke_token

pytestmark = pytest.mark.integration
WRONG_PASSWORD = "Wr0ng-but-secret-passphrase"


def _secrets_absent(text: str, secrets: list[str]) -> list[str]:
    return [s[:6] + "…" for s in secrets if s and s in text]


def test_no_secret_in_logs_or_answers_across_failures_and_errors(
    services: Services, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    world: World = build(services)
    caplog.set_level(logging.DEBUG)
    accounts, audit = services.accounts, services.audit
    user = accounts.user_by_login("operator")
    assert user is not None
    personal = issue_token(accounts, audit, user=user, name="script", ctx=ctx_at(1, "t"))
    revoked = issue_token(accounts, audit, user=user, name="old", ctx=ctx_at(1, "t"))
    revoke_token(accounts, audit, user=user, token_id=revoked.record.id, ctx=ctx_at(2, "t"))
    device = world.device_token("K1")
    answers: list[str] = []
    with client_for(world, raise_server_exceptions=False) as client:
        # logins: wrong password, unknown user, locked, right
        for _ in range(7):
            answer = client.post(
                "/api/v1/auth/login", json={"login": "certifier", "password": WRONG_PASSWORD}
            )
            answers.append(answer.text + str(answer.headers))
        answer = client.post(
            "/api/v1/auth/login", json={"login": "ghost", "password": WRONG_PASSWORD}
        )
        answers.append(answer.text)
        headers = login(client, "inspector")
        session = headers["Cookie"].split("=", 1)[1]
        # bad, revoked, foreign and forged credentials
        for token in (revoked.token, personal.token + "x", device, ADMIN_TOKEN + "x"):
            for url in ("/api/v1/runs", "/api/v1/alarms/1/clear"):
                answer = client.post(url, headers={"Authorization": f"Bearer {token}"}, json={})
                answers.append(answer.text)
        answer = client.get(f"/api/v1/events?token={revoked.token}")
        answers.append(answer.text)
        answer = client.post(
            "/api/v1/ingest",
            headers={"Authorization": f"Bearer {personal.token}"},
            content=b"{}",
        )
        answers.append(answer.text)
        answer = client.post(
            "/api/v1/auth/logout", headers={"Cookie": headers["Cookie"], "X-CSRF-Token": "forged"}
        )
        answers.append(answer.text)
        bad_change = client.post(
            "/api/v1/auth/password",
            headers=headers,
            json={"current": WRONG_PASSWORD, "new": PASSWORD + "!"},
        )
        answers.append(bad_change.text)
        # an internal error while a personal token is in use
        monkeypatch.setattr(
            services.accounts,
            "facility_owners",
            lambda: (_ for _ in ()).throw(RuntimeError("the database went away")),
        )
        answer = client.get("/api/v1/runs", headers={"Authorization": f"Bearer {personal.token}"})
        assert answer.status_code == 500
        answers.append(answer.text)
    # the test client's own request log (httpx) is the caller's, not the service's: left out
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} "
        + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "")
        for r in caplog.records
        if not r.name.startswith("httpx")
    )
    assert "the database went away" in logged  # the error was logged (so the search is real)
    secrets = [
        PASSWORD,
        WRONG_PASSWORD,
        session,
        personal.token,
        revoked.token,
        device,
        ADMIN_TOKEN,
    ]
    assert _secrets_absent(logged, secrets) == []
    assert _secrets_absent("\n".join(answers), secrets) == []
    # nor in the audit trail, which records every one of these logins
    trail = json.dumps([(e.actor, e.action, e.before, e.after) for e in audit.latest(limit=1000)])
    assert "login.failed" in trail and "token.issue" in trail
    assert _secrets_absent(trail, secrets) == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(port: int, path: str, body: dict[str, object], headers: dict[str, str]) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return str(answer.read().decode())
    except urllib.error.HTTPError as error:
        return str(error.read().decode())


def test_a_served_process_logs_no_secret(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    settings = {"PHYTOWATCH_DATABASE_URL": url, "PHYTOWATCH_ADMIN_TOKEN": ADMIN_TOKEN}
    env = {**os.environ, **settings}
    caplog.set_level(logging.DEBUG)  # what a CLI process would log, at every level

    def cli(*args: str, stdin: str = "") -> Ran:
        return phytowatch(*args, stdin=stdin, env=settings)

    assert cli("db", "upgrade").returncode == 0  # the one command that creates the database
    outputs = [
        cli(
            "enterprises",
            "add",
            "E1",
            "--name-zh",
            "企",
            "--name-en",
            "E",
            "--city",
            "赣州",
            "--grade",
            "II",
        ),
        cli(
            "users",
            "add",
            "li",
            "--name",
            "Li",
            "--role",
            "administrator",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        ),
        cli(
            "users",
            "add",
            "wu",
            "--name",
            "Wu",
            "--role",
            "administrator",
            "--password-stdin",
            stdin="short\n",
        ),
        cli("users", "passwd", "li", "--password-stdin", stdin=PASSWORD + "2\n"),
    ]
    issued = cli("tokens", "issue", "li", "--name", "script")
    token = issued.stdout.strip()
    assert token.startswith("pwu_"), issued.stderr
    cli_text = "\n".join(o.stdout + o.stderr for o in outputs) + issued.stderr + caplog.text
    assert "a password needs at least 10 characters" in cli_text  # "short" was refused, and said
    assert _secrets_absent(cli_text, [PASSWORD, PASSWORD + "2", "short"]) == []

    port = _free_port()
    server = Phytowatch.serve(url, port, tmp_path / "serve.log")
    server.env = env
    server.start()
    try:
        server.wait_healthy()
        _post(port, "/api/v1/auth/login", {"login": "li", "password": WRONG_PASSWORD}, {})
        answer = _post(port, "/api/v1/auth/login", {"login": "li", "password": PASSWORD + "2"}, {})
        csrf = json.loads(answer)["csrf_token"]
        _post(port, "/api/v1/runs", {}, {"Authorization": f"Bearer {token}x"})
        _post(port, "/api/v1/runs", {}, {"Authorization": f"Bearer {ADMIN_TOKEN}"})
        _post(port, "/api/v1/ingest", {}, {"Authorization": f"Bearer {token}"})
    finally:
        server.stop()
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert "Uvicorn running" in log or "phytowatch serving" in log
    secrets = [PASSWORD, PASSWORD + "2", WRONG_PASSWORD, token, ADMIN_TOKEN, csrf]
    assert _secrets_absent(log, secrets) == []
