"""A command that uses a database that does not exist says so, in the reader's language, and
exits 2; it never creates one. ``db upgrade`` creates a SQLite file (``serve`` and ``demo`` build
their own); a PostgreSQL database is created by its server, never by phytowatch."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from phytowatch.cli import main

pytestmark = pytest.mark.integration


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code: int | str | None = 0
    try:
        main(argv)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return (0 if code is None else int(code)), out, err


READING = [
    ["runs", "list"],
    ["alarms", "list"],
    ["audit", "verify"],
    ["enterprises", "list"],
    ["users", "list"],
]


@pytest.mark.parametrize("argv", READING, ids=" ".join)
def test_a_command_on_a_sqlite_file_that_is_not_there_says_so_and_creates_nothing(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "typo" / "phytowatch.db"
    code, out, err = _cli([*argv, "--database-url", f"sqlite:///{db}"], capsys)
    assert code == 2
    assert out == ""
    assert err == (
        f"phytowatch: the database 'sqlite:///{db}' does not exist; "
        "`phytowatch db upgrade` creates it\n"
    )
    assert not db.exists() and not db.parent.exists()


def test_a_write_command_creates_no_database_either(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "phytowatch.db"
    argv = ["offices", "add", "GZ", "--name", "赣州", "--city", "赣州"]
    code, _, err = _cli([*argv, "--database-url", f"sqlite:///{db}"], capsys)
    assert code == 2 and "does not exist" in err
    assert not db.exists()


def test_it_is_said_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "phytowatch.db"
    code, _, err = _cli(["runs", "list", "--database-url", f"sqlite:///{db}"], capsys)
    assert code == 2
    assert err == f"phytowatch: 数据库 'sqlite:///{db}' 不存在；`phytowatch db upgrade` 可创建它\n"
    assert not db.exists()


def test_db_upgrade_creates_the_file_and_then_commands_use_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'phytowatch.db'}"
    code, out, _ = _cli(["db", "upgrade", "--database-url", url], capsys)
    assert code == 0 and out.startswith("database at revision ")
    code, _, err = _cli(["runs", "list", "--database-url", url], capsys)
    assert code == 0, err


def test_a_postgresql_database_that_does_not_exist_is_said_so(
    postgres_admin_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = make_url(postgres_admin_url).set(database="pw_no_such_database_7f3a")
    shown = url.render_as_string(hide_password=True)
    argv = ["runs", "list", "--database-url", url.render_as_string(hide_password=False)]
    code, out, err = _cli(argv, capsys)
    assert code == 2 and out == ""
    assert err == (f"phytowatch: the database {shown!r} does not exist; `createdb` creates it\n")
    # nor does the command that migrates create it: the server does
    code, _, err = _cli(["db", "upgrade", *argv[2:]], capsys)
    assert code == 2 and "pw_no_such_database_7f3a" in err
