"""Provisioning from the command line: ``phytowatch enterprises …`` and ``facilities …``.

Two real ``phytowatch`` processes (a second or more each): the token alone on stdout, and a refusal
on the real stderr. Everything else runs the same entry point (``phytowatch.cli.main``) in-process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from acting import ctx_at
from phytowatch.bootstrap import bootstrap
from phytowatch.cli import main
from phytowatch.config import load_settings
from phytowatch.services.provisioning import add_enterprise, add_facility, hash_token

pytestmark = pytest.mark.integration

TOKEN = re.compile(r"^pwd_[A-Za-z0-9_-]{40,}$")
ENTERPRISE = [
    "--name-zh",
    "赣州木业",
    "--name-en",
    "Ganzhou Wood",
    "--city",
    "赣州",
    "--grade",
    "II",
]


def _command() -> list[str]:
    script = Path(sys.executable).with_name("phytowatch")
    return [str(script)] if script.exists() else [sys.executable, "-m", "phytowatch"]


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHYTOWATCH_")}
    env["PHYTOWATCH_DATABASE_URL"] = url
    return subprocess.run(
        [*_command(), *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def _facility_of(url: str, token: str) -> str | None:
    services = bootstrap(load_settings(database_url=url))
    try:
        facility = services.registry.facility_by_token_hash(hash_token(token))
        return None if facility is None else facility.code
    finally:
        services.close()


def _created(url: str) -> None:
    """The database, as ``db upgrade`` creates it: the other commands never create one."""
    bootstrap(load_settings(database_url=url)).close()


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The ``phytowatch`` entry point in-process: exit code, stdout, stderr."""
    code: int | str | None = 0
    try:
        main(argv)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return (0 if code is None else int(code)), out, err


def test_provisioning_prints_each_token_alone_on_stdout_and_rotate_and_revoke_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    _created(url)

    code, out, err = _cli(
        ["enterprises", "add", "0031", *ENTERPRISE, "--database-url", url], capsys
    )
    assert code == 0, err
    assert "0031" in out and "Ganzhou Wood" in out

    # a real process, as in TOKEN=$(phytowatch facilities add …)
    facility = _run(
        url,
        "facilities",
        "add",
        "JX-0031-K2",
        "--enterprise",
        "0031",
        "--kind",
        "kiln",
        "--probe",
        "C1:product",
        "--probe",
        "A1:air:near the fan",
    )
    assert facility.returncode == 0, facility.stderr
    first = facility.stdout.removesuffix("\n")
    assert TOKEN.match(first), repr(facility.stdout)
    assert facility.stdout == first + "\n"
    assert "JX-0031-K2" in facility.stderr and "C1[product]" in facility.stderr
    assert first not in facility.stderr and "Traceback" not in facility.stderr
    assert _facility_of(url, first) == "JX-0031-K2"

    code, out, err = _cli(
        ["facilities", "token", "JX-0031-K2", "--rotate", "--database-url", url], capsys
    )
    assert code == 0, err
    second = out.removesuffix("\n")
    assert TOKEN.match(second) and out == second + "\n" and second != first
    assert "revoked" in err and second not in err
    assert _facility_of(url, first) is None
    assert _facility_of(url, second) == "JX-0031-K2"

    code, out, err = _cli(
        ["facilities", "token", "JX-0031-K2", "--revoke", "--database-url", url], capsys
    )
    assert code == 0, err
    assert "1 token(s) revoked" in out and second not in out + err
    assert _facility_of(url, second) is None


def test_a_refused_request_exits_2_with_one_line_on_stderr_and_no_traceback(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    _created(url)
    answer = _run(
        url, "facilities", "add", "K1", "--enterprise", "0099", "--kind", "kiln", "--probe", "C1"
    )
    assert answer.returncode == 2
    assert answer.stderr.splitlines() == ["phytowatch: no enterprise '0099'"]
    assert answer.stdout == ""


REFUSALS = [
    (["enterprises", "add", "0031", *ENTERPRISE], "enterprise 0031 exists already"),
    (["enterprises", "add", "0032", *ENTERPRISE[:-1], "Z"], "grade 'Z'"),
    (
        ["facilities", "add", "K9", "--enterprise", "0099", "--kind", "kiln", "--probe", "C1"],
        "0099",
    ),
    (
        ["facilities", "add", "K9", "--enterprise", "0031", "--kind", "oven", "--probe", "C1"],
        "oven",
    ),
    (
        ["facilities", "add", "K9", "--enterprise", "0031", "--kind", "kiln", "--probe", "C1:soil"],
        "role must be one of",
    ),
    (
        [
            *["facilities", "add", "K9", "--enterprise", "0031", "--kind", "kiln"],
            *["--probe", "C1", "--probe", "C1:air"],
        ],
        "probe C1 is given twice",
    ),
    (
        [
            "facilities",
            "add",
            "JX-0031-K2",
            "--enterprise",
            "0031",
            "--kind",
            "kiln",
            "--probe",
            "C1",
        ],
        "facility JX-0031-K2 exists already",
    ),
    (["facilities", "token", "JX-0031-K9", "--rotate"], "no facility 'JX-0031-K9'"),
    (["facilities", "token", "JX-0031-K2", "--revoke", "--rotate"], "--rotate or --revoke"),
    (["facilities", "token", "JX-0031-K2"], "--rotate or --revoke"),
]


def test_bad_provisioning_input_exits_2_with_one_line_on_stderr_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    _created(url)
    services = bootstrap(load_settings(database_url=url))
    try:
        add_enterprise(
            services.registry, "0031", "赣州木业", "Ganzhou Wood", "赣州", "II", ctx=ctx_at(1)
        )
        token = add_facility(
            services.registry, "JX-0031-K2", "0031", "kiln", ["C1"], ctx=ctx_at(1)
        ).token
    finally:
        services.close()
    capsys.readouterr()

    for argv, expected in REFUSALS:
        with pytest.raises(SystemExit) as stop:
            main([*argv, "--database-url", url])
        out, err = capsys.readouterr()
        assert stop.value.code == 2, (argv, out, err)
        assert len(err.splitlines()) == 1, (argv, err)
        assert err.startswith("phytowatch: ") and expected in err, (argv, err)
        assert out == "" and "Traceback" not in err

    assert _facility_of(url, token) == "JX-0031-K2"  # the refused rotation revoked nothing
    services = bootstrap(load_settings(database_url=url))
    try:
        assert [e.code for e in services.registry.list_enterprises()] == ["0031"]
        assert services.registry.list_facilities() == [
            {"code": "JX-0031-K2", "kind": "kiln", "enterprise": "0031", "probes": 1}
        ]
    finally:
        services.close()


def test_an_unusable_database_url_exits_2_with_one_line_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    answers = []
    for url in ("mysql://x@localhost/db", "nonsense", "postgresql+psycopg://pw@127.0.0.1:1/x"):
        try:
            answers.append(_cli(["enterprises", "list", "--database-url", url], capsys))
        except Exception as error:  # the bug: the error escapes
            answers.append((1, "", type(error).__name__))
    assert [(code, out, len(err.splitlines())) for code, out, err in answers] == [(2, "", 1)] * 3
