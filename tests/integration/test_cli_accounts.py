"""``phytowatch users / offices / tokens`` on a real database: the commands run in-process
(clirunner.py), and one mistake in a real process (a stdin that is a pipe, not a terminal).

Every mistake a person can make is one line on stderr and exit code 2, never a traceback; a
password never appears in any output; a token is printed once, alone on stdout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from clirunner import Ran, phytowatch
from phytowatch.bootstrap import bootstrap
from phytowatch.config import load_settings
from phytowatch.services.accounts import token_principal

pytestmark = pytest.mark.integration
SCRIPT = str(Path(sys.executable).parent / "phytowatch")
PASSWORD = "correct horse battery staple"


def _cli(url: str, *args: str, stdin: str = "") -> Ran:
    return phytowatch(*args, stdin=stdin, env={"PHYTOWATCH_DATABASE_URL": url})


def _process(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The command as a real process, from its installed entry point."""
    env = {**os.environ, "PHYTOWATCH_DATABASE_URL": url, "NO_COLOR": "1"}
    return subprocess.run(
        [SCRIPT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )


def _created(url: str) -> str:
    """The database, as ``db upgrade`` creates it: the other commands never create one."""
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings

    bootstrap(load_settings(database_url=url)).close()
    return url


def test_users_offices_and_tokens_from_the_command_line(tmp_path: Path) -> None:
    # the service layer runs on both databases elsewhere
    db_url = _created(f"sqlite:///{tmp_path / 'p.db'}")
    ok = [
        _cli(
            db_url,
            "enterprises",
            "add",
            "0031",
            "--name-zh",
            "赣州木业",
            "--name-en",
            "Ganzhou",
            "--city",
            "赣州",
            "--grade",
            "II",
        ),
        _cli(db_url, "offices", "add", "GZ", "--name", "赣州办事处", "--city", "赣州"),
        _cli(db_url, "offices", "add", "JX", "--name", "江西局", "--everywhere"),
        _cli(
            db_url,
            "users",
            "add",
            "li.wei",
            "--name",
            "李伟",
            "--role",
            "inspector",
            "--office",
            "GZ",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        ),
        _cli(
            db_url,
            "users",
            "add",
            "wang",
            "--name",
            "王",
            "--role",
            "enterprise_operator",
            "--enterprise",
            "0031",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        ),
    ]
    for result in ok:
        assert result.returncode == 0, result.stderr
    listed = _cli(db_url, "users", "list")
    assert listed.stdout.splitlines() == [
        "li.wei\tinspector\tGZ\tactive\t李伟",
        "wang\tenterprise_operator\t0031\tactive\t王",
    ]
    offices = _cli(db_url, "offices", "list").stdout.splitlines()
    assert offices == ["GZ\t赣州办事处\t赣州", "JX\t江西局\teverywhere"]

    issued = _cli(db_url, "tokens", "issue", "wang", "--name", "script", "--scope", "runs:read")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert issued.stdout == token + "\n" and token.startswith("pwu_")
    assert "shown once" in issued.stderr and token not in issued.stderr
    tokens = _cli(db_url, "tokens", "list", "wang").stdout
    assert tokens.startswith(f"1\t{token[:8]}…\tscript\truns:read\tactive") and token not in tokens
    services = bootstrap(load_settings(database_url=db_url))
    try:
        principal = token_principal(services.accounts, token, now=1)
        assert principal is not None and principal.login == "wang"
        assert _cli(db_url, "tokens", "revoke", "wang", "1").returncode == 0
        assert token_principal(services.accounts, token, now=2) is None
    finally:
        services.close()

    changed = _cli(
        db_url, "users", "set-role", "wang", "enterprise_declarant", "--enterprise", "0031"
    )
    assert changed.stdout == "user changed: wang\tenterprise_declarant\t0031\tactive\t王\n"
    assert _cli(db_url, "users", "disable", "wang").stdout.endswith("disabled\t王\n")
    assert _cli(db_url, "users", "disable", "wang", "--enable").stdout.endswith("active\t王\n")
    reset = _cli(db_url, "users", "passwd", "wang", "--password-stdin", stdin="a whole new one\n")
    assert reset.returncode == 0 and "sessions have ended" in reset.stdout
    everything = "".join(r.stdout + r.stderr for r in [*ok, listed, reset])
    assert PASSWORD not in everything and "a whole new one" not in everything


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["users", "add", "x1", "--name", "X", "--role", "pilot", "--password-stdin"],
            PASSWORD,
            "unknown role 'pilot': one of enterprise_operator",
        ),
        (
            ["users", "add", "x1", "--name", "X", "--role", "inspector", "--password-stdin"],
            PASSWORD,
            "the role bureau inspector belongs to an office: say which (--office CODE)",
        ),
        (
            [
                "users",
                "add",
                "x1",
                "--name",
                "X",
                "--role",
                "inspector",
                "--office",
                "NOPE",
                "--password-stdin",
            ],
            PASSWORD,
            "no office 'NOPE'",
        ),
        (
            ["users", "add", "X 1", "--name", "X", "--role", "administrator", "--password-stdin"],
            PASSWORD,
            "login 'x 1': 2 to 64 lower-case letters",
        ),
        (
            ["users", "add", "x1", "--name", "X", "--role", "administrator", "--password-stdin"],
            "short",
            "a password needs at least 10 characters",
        ),
        (
            ["users", "add", "x1", "--name", "X", "--role", "administrator"],
            "",
            "no terminal to ask the password on: use --password-stdin",
        ),
        (["users", "set-role", "ghost", "administrator"], "", "no user 'ghost'"),
        (
            ["offices", "add", "Q", "--name", "Q"],
            "",
            "an office covers cities, enterprises, or everywhere: give one",
        ),
        (
            ["offices", "add", "Q", "--name", "Q", "--enterprise", "9999"],
            "",
            "no enterprise '9999'",
        ),
        (["tokens", "issue", "ghost", "--name", "n"], "", "no user 'ghost'"),
        (
            ["runs", "signoff", "1", "--as", "ghost", "--password-stdin"],
            PASSWORD,
            "wrong login or password",
        ),
    ],
)
def test_a_mistake_is_one_clear_line_and_exit_code_2(
    tmp_path: Path, args: list[str], stdin: str, message: str
) -> None:
    url = _created(f"sqlite:///{tmp_path / 'p.db'}")
    # the one asked for on a terminal runs as a real process, its stdin a real pipe
    run = _process if message.startswith("no terminal") else _cli
    result = run(url, *args, stdin=stdin + "\n" if stdin else "")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("phytowatch: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert PASSWORD not in result.stdout + result.stderr


@pytest.mark.parametrize("days", ["99999999", "999999999999"])
def test_a_token_cannot_expire_past_what_can_be_stored_and_listed(
    tmp_path: Path, days: str
) -> None:
    # 999999999999 days could not be stored (a traceback); 99999999 was stored, and then every
    # listing of the user's tokens failed on a date past the year 9999
    db_url = _created(f"sqlite:///{tmp_path / 'p.db'}")
    added = _cli(
        db_url,
        "users",
        "add",
        "root",
        "--name",
        "Root",
        "--role",
        "administrator",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    issued = _cli(db_url, "tokens", "issue", "root", "--name", "far", "--expires-days", days)
    assert issued.returncode == 2 and issued.stdout == ""
    assert issued.stderr.count("\n") == 1 and "--expires-days" in issued.stderr
    listed = _cli(db_url, "tokens", "list", "root")
    assert listed.returncode == 0 and listed.stdout == "", listed.stderr
