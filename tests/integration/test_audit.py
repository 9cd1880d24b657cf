"""The audit trail on real SQLite and PostgreSQL: tampering done in the database is caught.

Each tamper test plays someone with direct access to the database: it first switches off the
append-only triggers (as the database owner can), then edits, deletes or renumbers rows with plain
SQL, and checks that ``AuditLog.verify`` and ``phytowatch audit verify`` name the first bad row.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from acting import ctx_at
from phytowatch.bootstrap import Services
from phytowatch.cli import main
from phytowatch.config import Settings
from phytowatch.domain.audit import Tampering, verify
from phytowatch.domain.messages import Refused
from phytowatch.services.provisioning import (
    add_calibration,
    add_camera,
    add_enterprise,
    add_facility,
    hash_token,
    revoke_tokens,
    rotate_token,
)
from phytowatch.storage import audit_repo

pytestmark = pytest.mark.integration

T0 = 1_780_000_000_000_000


def _record(services: Services, n: int, *, start: int = 0) -> None:
    for i in range(start, start + n):
        services.audit.record(
            actor="cli:tester",
            action="facility.added",
            object_type="facility",
            object_id=f"K{i + 1}",
            after={"kind": "kiln", "name": f"窑 {i + 1}"},
            now=T0 + i * 1_000_000,
        )


def _unguard(engine: Engine) -> None:
    """What a database owner can do: switch the append-only triggers off."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))


def _tamper(engine: Engine, *statements: str) -> None:
    _unguard(engine)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code: int | str | None = 0
    try:
        main(argv)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return (0 if code is None else int(code)), out, err


def test_an_untouched_trail_verifies_from_the_cli(
    services: Services, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _record(services, 5)
    report = services.audit.verify()
    assert report.intact and report.count == 5
    code, out, err = _cli(["audit", "verify", "--database-url", db_url], capsys)
    assert code == 0, err
    assert out == (
        "audit trail intact: 5 entries, last at 2026-05-28T20:26:44Z (seq 5); "
        "head anchored (seq 5)\n"
    )
    assert err == ""
    assert services.audit.broken_guards() == []


def test_the_table_refuses_update_and_delete(services: Services) -> None:
    _record(services, 2)
    for statement in (
        "UPDATE audit_log SET actor = 'user:mallory' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 2",
    ):
        with pytest.raises(DBAPIError, match="append-only"), services.engine.begin() as conn:
            conn.execute(text(statement))
    assert services.audit.verify().intact
    assert services.audit.verify().count == 2


def test_an_edited_after_text_is_caught_at_its_row(
    services: Services, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _record(services, 6)
    _tamper(
        services.engine,
        "UPDATE audit_log SET after = replace(after, 'kiln', 'oven') WHERE seq = 4",
    )
    problem = services.audit.verify().problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (4, Tampering.EDITED)
    code, out, err = _cli(["audit", "verify", "--database-url", db_url], capsys)
    assert code == 1, err
    first, *unguarded = out.splitlines()
    assert first.startswith(
        "audit trail TAMPERED: first bad row seq 4, edited (row of 2026-05-28T20:26:43Z): "
        "seq 4 (facility.added facility K4) was changed after it was recorded"
    )
    assert "Traceback" not in out + err
    # the triggers switched off are findings too, one line each
    assert len(services.audit.broken_guards()) == 2
    assert len(unguarded) == 2
    assert all(
        line.startswith("audit trail UNGUARDED: the append-only trigger audit_log_no_")
        for line in unguarded
    )
    assert err == ""


def test_a_deleted_middle_row_is_caught_as_removed(
    services: Services, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _record(services, 6)
    _tamper(services.engine, "DELETE FROM audit_log WHERE seq = 3")
    problem = services.audit.verify().problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (3, Tampering.REMOVED)
    code, out, _ = _cli(["audit", "verify", "--database-url", db_url], capsys)
    assert code == 1
    assert "first bad row seq 3, removed" in out
    assert "seq 3 is missing: a row was removed between the entries of" in out


def test_two_rows_with_swapped_seqs_are_caught_as_reordered(
    services: Services, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _record(services, 6)
    _tamper(
        services.engine,
        "UPDATE audit_log SET seq = -1 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = -1",
    )
    problem = services.audit.verify().problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (2, Tampering.REORDERED)
    code, out, _ = _cli(["audit", "verify", "--database-url", db_url], capsys)
    assert code == 1
    assert "first bad row seq 2, reordered" in out
    assert "recorded as seq 3" in out


def test_a_row_rewritten_with_its_hash_recomputed_still_breaks_the_chain(
    services: Services,
) -> None:
    _record(services, 4)
    forged = services.audit.latest(limit=10)[-2]  # seq 2
    from phytowatch.domain.audit import entry_hash

    new_hash = entry_hash(
        seq=2,
        at=forged.at,
        actor="user:mallory",
        action=forged.action,
        object_type=forged.object_type,
        object_id=forged.object_id,
        before=forged.before,
        after=forged.after,
        prev_hash=forged.prev_hash,
    )
    _tamper(
        services.engine,
        f"UPDATE audit_log SET actor = 'user:mallory', hash = '{new_hash}' WHERE seq = 2",
    )
    problem = services.audit.verify().problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (2, Tampering.EDITED)


def test_rows_cut_from_the_end_are_caught_with_the_head_kept_outside(
    services: Services, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _record(services, 5)
    code, head, _ = _cli(["audit", "head", "--database-url", db_url], capsys)
    assert code == 0
    head = head.strip()
    assert head.startswith("5:") and len(head) == 2 + 64
    code, out, _ = _cli(["audit", "verify", "--head", head, "--database-url", db_url], capsys)
    assert code == 0 and "matches the head 5:" in out
    _tamper(services.engine, "DELETE FROM audit_log WHERE seq >= 4")
    # the chain alone cannot tell; the head given by hand (and the one anchored) can
    assert verify(services.audit.store.entries()).intact
    code, out, _ = _cli(["audit", "verify", "--head", head, "--database-url", db_url], capsys)
    assert code == 1
    assert "first bad row seq 4, removed" in out
    assert "seq 4…5 were removed from the end" in out


def test_a_bad_head_is_one_line_and_exit_2(
    services: Services, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    del services
    code, out, err = _cli(["audit", "verify", "--head", "7", "--database-url", db_url], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("phytowatch: --head '7': write SEQ:HASH")
    assert err.count("\n") == 1


def test_the_trail_is_read_page_by_page(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_repo, "_PAGE", 3)
    _record(services, 10)
    assert [e.seq for e in services.audit.store.entries()] == list(range(1, 11))
    report = services.audit.verify()
    assert report.intact and report.count == 10
    _tamper(services.engine, "DELETE FROM audit_log WHERE seq = 7")
    problem = services.audit.verify().problem
    assert problem is not None and problem.seq == 7


_APPENDER = textwrap.dedent(
    """
    import sys, threading
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings

    services = bootstrap(load_settings(database_url=sys.argv[1]))
    name = sys.argv[2]

    def work(thread):
        for i in range(40):
            services.audit.record(
                actor=f"cli:{name}", action="run.started", object_type="run",
                object_id=f"{thread}-{i}", now=1_780_000_000_000_000 + i,
            )

    threads = [threading.Thread(target=work, args=(t,)) for t in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    services.close()
    """
)


def test_appends_from_two_processes_at_once_keep_one_chain(
    services: Services, db_url: str, tmp_path: Path
) -> None:
    script = tmp_path / "append.py"
    script.write_text(_APPENDER, encoding="utf-8")
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), db_url, name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    _record(services, 40)  # and this process too, meanwhile
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    report = services.audit.verify()
    assert report.intact, report.problem
    assert report.count == 40 + 2 * 3 * 40
    entries = list(services.audit.store.entries())
    assert [e.seq for e in entries] == list(range(1, report.count + 1))
    assert {e.actor for e in entries} == {"cli:tester", "cli:a", "cli:b"}


def _all_audit_text(engine: Engine) -> str:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit_log ORDER BY seq")).all()
    return "\n".join(" ".join(str(v) for v in row) for row in rows)


def test_provisioning_is_recorded_and_no_token_is(services: Services) -> None:
    audit, who = services.audit, "cli:tester"
    add_enterprise(
        services.registry,
        "0031",
        "赣州木业",
        "Ganzhou",
        "赣州",
        "II",
        ctx=ctx_at(T0, who),
        audit=audit,
    )
    issued = add_facility(
        services.registry,
        "JX-0031-K2",
        "0031",
        "kiln",
        ["C1:product", "A1:air:door"],
        ctx=ctx_at(T0 + 1, who),
        audit=audit,
    )
    rotated = rotate_token(
        services.registry,
        "JX-0031-K2",
        ctx=ctx_at(T0 + 2, who),
        audit=audit,
    )
    assert (
        revoke_tokens(
            services.registry,
            "JX-0031-K2",
            ctx=ctx_at(T0 + 3, who),
            audit=audit,
        )
        == 1
    )
    assert (
        revoke_tokens(
            services.registry,
            "JX-0031-K2",
            ctx=ctx_at(T0 + 4, who),
            audit=audit,
        )
        == 0
    )
    add_calibration(
        services.registry,
        "JX-0031-K2",
        "C1",
        "-0.30",
        calibrated_at=T0,
        due_at=T0 + 10**12,
        certificate="CAL-7",
        ctx=ctx_at(T0 + 5, who),
        audit=audit,
    )
    add_camera(
        services.registry,
        "JX-0031-K2",
        "door",
        "the door",
        ctx=ctx_at(T0 + 6, who),
        audit=audit,
    )

    entries = list(reversed(audit.latest(limit=100)))
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [
        ("enterprise.added", "enterprise", "0031"),
        ("facility.added", "facility", "JX-0031-K2"),
        ("token.issued", "facility", "JX-0031-K2"),
        ("token.rotated", "facility", "JX-0031-K2"),
        ("token.revoked", "facility", "JX-0031-K2"),  # the second revoke changed nothing
        ("probe.calibrated", "probe", "JX-0031-K2/C1"),
        ("camera.added", "camera", "JX-0031-K2/door"),
    ]
    assert {e.actor for e in entries} == {who}
    assert entries[0].after_data() == {
        "name_zh": "赣州木业",
        "name_en": "Ganzhou",
        "city": "赣州",
        "grade": "II",
    }
    assert entries[1].after_data()["probes"][1] == {
        "probe": "A1",
        "role": "air",
        "placement": "door",
    }
    assert entries[2].after_data() == {"hint": issued.token[:10]}
    assert entries[3].after_data() == {"hint": rotated.token[:10]}
    assert entries[4].after_data() == {"revoked": 1}
    assert entries[5].after_data()["offset"] == "-0.30"
    assert audit.verify().intact

    stored = _all_audit_text(services.engine)
    for token in (issued.token, rotated.token):
        assert token not in stored
        assert token[10:20] not in stored  # not even a part beyond the hint
        assert hash_token(token) not in stored


def test_a_refused_change_records_nothing(services: Services) -> None:
    with pytest.raises(Refused):
        rotate_token(
            services.registry,
            "NOPE",
            ctx=ctx_at(T0, "cli:x"),
            audit=services.audit,
        )
    assert services.audit.head() is None


def test_the_cli_records_the_os_user_and_lists_the_entries(
    services: Services,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import getpass

    del services
    monkeypatch.setenv("COLUMNS", "200")  # the table on one line per entry
    base = ["--database-url", db_url]
    enterprise = [
        "--name-zh",
        "赣州木业",
        "--name-en",
        "Ganzhou",
        "--city",
        "赣州",
        "--grade",
        "II",
    ]
    assert _cli(["enterprises", "add", "0031", *enterprise, *base], capsys)[0] == 0
    facility = ["--enterprise", "0031", "--kind", "kiln", "--probe", "C1"]
    code, token, _ = _cli(["facilities", "add", "JX-0031-K2", *facility, *base], capsys)
    assert code == 0
    code, out, err = _cli(
        ["audit", "list", "--object", "facility:JX-0031-K2", "--limit", "5", *base], capsys
    )
    assert code == 0, err
    assert f"cli:{getpass.getuser()}" in out
    assert "facility.added" in out and "token.issued" in out
    assert "enterprise.added" not in out  # another object
    assert token.strip() not in out
    code, out, _ = _cli(["audit", "list", "--object", "enterprise", *base], capsys)
    assert code == 0
    assert "enterprise.added" in out and "facility.added" not in out


def test_audit_head_and_list_speak_the_locales_language(
    services: Services,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import re

    base = ["--database-url", db_url]
    monkeypatch.setenv("COLUMNS", "200")
    said: dict[str, list[str]] = {}
    for locale in ("zh_CN.UTF-8", "C"):
        monkeypatch.setenv("LC_ALL", locale)
        said[locale] = [
            _cli(["audit", "head", *base], capsys)[2],
            _cli(["audit", "list", *base], capsys)[1],
            _cli(["audit", "list", "--object", "facility", *base], capsys)[1],
            _cli(["audit", "list", "--object", "facility:", *base], capsys)[2],
        ]
    assert said["C"] == [
        "phytowatch: the audit trail is empty: no head to keep yet\n",
        "no audit entries\n",
        "no audit entries for facility\n",
        "phytowatch: --object 'facility:': write TYPE or TYPE:ID, e.g. facility:JX-0031-K2\n",
    ]
    assert said["zh_CN.UTF-8"] == [
        "phytowatch: 审计日志为空：尚无可保存的链头\n",
        "没有审计记录\n",
        "facility 没有审计记录\n",
        "phytowatch: --object 'facility:'：请写成 TYPE 或 TYPE:ID，例如 facility:JX-0031-K2\n",
    ]
    _record(services, 2)
    services.audit.record(
        actor="cli:tester",
        action="facility.removed",
        object_type="facility",
        object_id="K1",
        before={"kind": "kiln"},
        now=T0 + 5_000_000,
    )
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    code, seq_hash, head = _cli(["audit", "head", *base], capsys)
    assert code == 0 and seq_hash.startswith("3:")
    assert head.startswith("审计日志链头，记录于 2026-05-28T20:26:45Z；")
    assert "`phytowatch audit verify --head SEQ:HASH`" in head
    code, table, _ = _cli(["audit", "list", *base], capsys)
    assert code == 0
    header = table.strip().splitlines()[0].split()
    assert header == ["序号", "时间", "(UTC)", "操作者", "操作", "对象", "变更前", "→", "变更后"]
    assert "原为：kind=kiln" in table
    # left in English: what was recorded (actors, actions, objects, values), as stored
    recorded = ("cli:tester", "facility.added", "facility.removed", "facility:K", "kind=", "kiln")
    for stored in (*recorded, "name="):
        table = table.replace(stored, "")
    assert re.findall(r"[A-Za-z]{3,}", table) == ["UTC"]
    monkeypatch.setenv("LC_ALL", "C")
    code, table, _ = _cli(["audit", "list", *base], capsys)
    assert table.strip().splitlines()[0].split() == [
        "seq", "at", "(UTC)", "actor", "action", "object", "before", "→", "after"
    ]  # fmt: skip
    assert "was: kind=kiln" in table
    head = _cli(["audit", "head", *base], capsys)[2]
    assert head == (
        "head of the audit trail, recorded 2026-05-28T20:26:45Z; keep this line outside the "
        "database and check it later with `phytowatch audit verify --head SEQ:HASH`:\n"
    )


@pytest.fixture
def client(settings: Settings, services: Services) -> Iterator[TestClient]:
    from phytowatch.web.app import create_app

    services.settings = settings.model_copy(
        update={"admin_token": SecretStr("admin-secret-for-tests")}
    )
    with TestClient(create_app(services.settings, services)) as test_client:
        yield test_client


def test_provisioning_over_http_with_the_admin_token_is_recorded_as_admin_token(
    client: TestClient, services: Services
) -> None:
    admin = {"Authorization": "Bearer admin-secret-for-tests"}
    enterprise = {"code": "0031", "name_zh": "赣州", "name_en": "G", "city": "赣州", "grade": "II"}
    assert client.post("/api/v1/admin/enterprises", headers=admin, json=enterprise).is_success
    answer = client.post(
        "/api/v1/admin/facilities",
        headers=admin,
        json={"code": "K2", "enterprise": "0031", "kind": "kiln", "probes": [{"id": "C1"}]},
    )
    assert answer.status_code == 201, answer.text
    rotated = client.post("/api/v1/admin/facilities/K2/token", headers=admin)
    assert rotated.status_code == 201
    entries = list(reversed(services.audit.latest(limit=10)))
    assert [e.action for e in entries] == [
        "enterprise.added",
        "facility.added",
        "token.issued",
        "token.rotated",
    ]
    assert {e.actor for e in entries} == {"admin-token"}
    stored = _all_audit_text(services.engine)
    for token in (answer.json()["token"], rotated.json()["token"], "admin-secret-for-tests"):
        assert token not in stored


def test_an_insert_that_would_replace_a_row_is_refused(services: Services) -> None:
    # SQLite's REPLACE deletes the old row without firing the DELETE trigger; PostgreSQL's
    # ON CONFLICT DO UPDATE is an UPDATE: neither may rewrite an entry in place
    _record(services, 2)
    columns = "seq, at, actor, action, object_type, object_id, before, after, prev_hash, hash"
    forged = columns.replace("actor", "'user:mallory'")
    copy = f"({columns}) SELECT {forged} FROM audit_log WHERE seq = 1"
    statement = (
        f"INSERT OR REPLACE INTO audit_log {copy}"
        if services.engine.dialect.name == "sqlite"
        else f"INSERT INTO audit_log {copy} ON CONFLICT (seq) DO UPDATE SET actor = EXCLUDED.actor"
    )
    with pytest.raises(DBAPIError, match="append-only"), services.engine.begin() as conn:
        conn.execute(text(statement))
    assert services.audit.verify().intact
    assert services.audit.broken_guards() == []
