"""``audit verify`` as a scheduled check can trust it, on real SQLite and PostgreSQL: a missing,
disabled or altered append-only trigger fails it; a trail cut from the end fails it with no head
given by hand, against the head anchored earlier; an intact trail passes and is anchored; the
table of anchors is append-only too; ``serve``'s periodic anchoring records the head; and
migration 0008 goes up and down."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from phytowatch.bootstrap import Services, bootstrap
from phytowatch.cli import main
from phytowatch.config import load_settings
from phytowatch.domain.alarms import Change
from phytowatch.domain.audit import AnchorSource, GuardProblem, GuardState
from phytowatch.runtime import live
from phytowatch.services.audit import AnchorOutcome
from phytowatch.services.runs import RunEvent
from phytowatch.storage import audit_repo
from phytowatch.storage.migrate import alembic_config

pytestmark = pytest.mark.integration

T0 = 1_780_000_000_000_000  # 2026-05-28T20:26:40Z


def _record(services: Services, n: int, *, start: int = 0) -> None:
    for i in range(start, start + n):
        services.audit.record(
            actor="cli:tester",
            action="facility.added",
            object_type="facility",
            object_id=f"K{i + 1}",
            after={"kind": "kiln"},
            now=T0 + i * 1_000_000,
        )


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code: int | str | None = 0
    try:
        main(argv)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return (0 if code is None else int(code)), out, err


def _verify(db_url: str, capsys: pytest.CaptureFixture[str], *more: str) -> tuple[int, str, str]:
    return _cli(["audit", "verify", *more, "--database-url", db_url], capsys)


def _sql(engine: Engine, *statements: str) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _postgres(services: Services) -> bool:
    return services.engine.dialect.name == "postgresql"


def test_an_intact_trail_passes_and_is_anchored(
    services: Services, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _record(services, 3)
    code, out, err = _verify(db_url, capsys)
    assert (code, err) == (0, "")
    assert out == (
        "audit trail intact: 3 entries, last at 2026-05-28T20:26:42Z (seq 3); "
        "head anchored (seq 3)\n"
    )
    head = services.audit.head()
    assert head is not None
    [anchor] = services.audit.anchors()
    assert (anchor.seq, anchor.hash, anchor.source) == (3, head.hash, AnchorSource.VERIFY)
    assert anchor.at is not None and anchor.signature is None
    _record(services, 1, start=3)
    code, out, _ = _verify(db_url, capsys)
    assert code == 0
    assert "; holds the head anchored at " in out and "(seq 3); head anchored (seq 4)" in out


@pytest.mark.parametrize("how", ["dropped", "altered", "anchor table"])
def test_a_missing_or_altered_trigger_fails_verify(
    services: Services, db_url: str, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    _record(services, 2)
    postgres = _postgres(services)
    if how == "dropped":
        table, trigger, state = "audit_log", "audit_log_no_delete", GuardState.MISSING
        if postgres:
            trigger = "audit_log_no_change"
        _sql(services.engine, f"DROP TRIGGER {trigger}" + (" ON audit_log" if postgres else ""))
    elif how == "altered":
        table, trigger, state = "audit_log", "audit_log_no_delete", GuardState.ALTERED
        if postgres:  # the function now lets every change through: both triggers are altered
            trigger = "audit_log_no_change"
            _sql(
                services.engine,
                "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
                "BEGIN RETURN OLD; END; $$ LANGUAGE plpgsql",
            )
        else:  # same name, a condition that never holds
            _sql(
                services.engine,
                "DROP TRIGGER audit_log_no_delete",
                "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log WHEN 0 "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
            )
    else:
        table, trigger, state = "audit_anchor", "audit_anchor_no_update", GuardState.MISSING
        if postgres:
            trigger = "audit_anchor_no_change"
        _sql(services.engine, f"DROP TRIGGER {trigger}" + (" ON audit_anchor" if postgres else ""))
    assert GuardProblem(table, trigger, state) in services.audit.broken_guards()
    code, out, err = _verify(db_url, capsys)
    assert code == 1, err
    assert f"audit trail UNGUARDED: the append-only trigger {trigger} of {table} is " in out
    assert "TAMPERED" not in out  # the chain itself is intact
    assert services.audit.anchors() == []  # a failing check anchors nothing
    code, out, _ = _verify(db_url, capsys, "--json")
    body = json.loads(out)
    assert code == 1 and body["passed"] is False and body["problem"] is None
    assert {
        "table": table,
        "trigger": trigger,
        "state": state.value,
        "code": f"audit.guard_{state.value}",
        "params": {"trigger": trigger, "table": table},
    }.items() <= next(g for g in body["guards"] if g["trigger"] == trigger).items()


def test_a_disabled_trigger_fails_verify_on_postgresql(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # SQLite cannot disable a trigger, only drop it (above)
    services = bootstrap(load_settings(database_url=postgres_url))
    try:
        _record(services, 2)
        _sql(services.engine, "ALTER TABLE audit_log DISABLE TRIGGER USER")
        assert services.audit.broken_guards() == [
            GuardProblem("audit_log", "audit_log_no_change", GuardState.DISABLED),
            GuardProblem("audit_log", "audit_log_no_truncate", GuardState.DISABLED),
        ]
    finally:
        services.close()
    code, out, _ = _verify(postgres_url, capsys)
    assert code == 1
    assert out.count("audit trail UNGUARDED: ") == 2 and "is disabled" in out


def _restore_guards(engine: Engine) -> None:
    """What a careful forger does after the cut: put the triggers back as they were."""
    if engine.dialect.name == "postgresql":
        _sql(engine, "ALTER TABLE audit_log ENABLE TRIGGER USER")
    else:
        _sql(engine, *audit_repo.GUARDS["sqlite"]["audit_log"].values())


def _cut(engine: Engine, below: int) -> None:
    if engine.dialect.name == "postgresql":
        _sql(engine, "ALTER TABLE audit_log DISABLE TRIGGER USER")
    else:
        _sql(engine, *(f"DROP TRIGGER {name}" for name in audit_repo.GUARDS["sqlite"]["audit_log"]))
    _sql(engine, f"DELETE FROM audit_log WHERE seq >= {below}")
    _restore_guards(engine)


def test_a_tail_cut_fails_verify_with_no_head_given_by_hand(
    services: Services, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _record(services, 5)
    assert _verify(db_url, capsys)[0] == 0  # anchors seq 5
    _cut(services.engine, 4)
    assert services.audit.broken_guards() == []  # the triggers are back: only the anchor tells
    code, out, err = _verify(db_url, capsys)
    assert code == 1, err
    assert out == (
        "audit trail TAMPERED: first bad row seq 4, removed (row of 2026-05-28T20:26:42Z): "
        "the trail ends at seq 3, but seq 5 was anchored as its head: seq 4…5 were removed "
        "from the end\n"
    )
    code, out, _ = _verify(db_url, capsys, "--json")
    problem = json.loads(out)["problem"]
    assert code == 1
    assert (problem["code"], problem["params"]) == (
        "audit.cut_many",
        {"end": 3, "head": 5, "first": 4},
    )
    assert len(services.audit.anchors()) == 1


def test_the_periodic_anchoring_records_the_head_and_never_over_a_cut(services: Services) -> None:
    assert services.audit.anchor_head(now=T0) is AnchorOutcome.EMPTY
    _record(services, 4)
    assert services.audit.anchor_head(now=T0 + 1) is AnchorOutcome.ANCHORED
    assert services.audit.anchor_head(now=T0 + 2) is AnchorOutcome.UNCHANGED
    _cut(services.engine, 3)
    assert services.audit.anchor_head(now=T0 + 3) is AnchorOutcome.REFUSED
    _record(services, 3, start=10)  # seq 3, 4, 5 anew: seq 4 is not the entry anchored
    assert services.audit.anchor_head(now=T0 + 4) is AnchorOutcome.REFUSED
    assert [(a.seq, a.at, a.source) for a in services.audit.anchors()] == [
        (4, T0 + 1, AnchorSource.SERVE)
    ]
    report = services.audit.verify()
    assert report.problem is not None and report.problem.seq == 4


class _Quiet:
    def observe(
        self, now: int, changes: Sequence[Change]
    ) -> tuple[list[Change], list[dict[str, Any]] | None]:
        return [], None

    def publish(
        self,
        now: int,
        events: Sequence[RunEvent],
        changes: Sequence[Change],
        summaries: list[dict[str, Any]] | None,
    ) -> None:
        pass


def test_the_serving_process_anchors_the_head_at_its_first_tick(services: Services) -> None:
    _record(services, 2)
    judging = live.LiveJudging(services, _Quiet())
    judging.start()
    try:
        deadline = time.monotonic() + 20
        while not services.audit.anchors() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        judging.stop()
    [anchor] = services.audit.anchors()
    assert (anchor.seq, anchor.source) == (2, AnchorSource.SERVE)


def test_the_table_of_anchors_refuses_update_and_delete(services: Services) -> None:
    _record(services, 1)
    services.audit.anchor_head(now=T0)
    statements = [
        "UPDATE audit_anchor SET seq = 9",
        "DELETE FROM audit_anchor",
        "TRUNCATE audit_anchor"
        if _postgres(services)
        else "INSERT OR REPLACE INTO audit_anchor (id, at, seq, hash, source) "
        "SELECT id, at, 9, hash, source FROM audit_anchor",
    ]
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), services.engine.begin() as conn:
            conn.execute(text(statement))
    assert [a.seq for a in services.audit.anchors()] == [1]


def test_0008_makes_the_table_of_anchors_and_its_triggers_and_takes_them_back(
    db_url: str,
) -> None:
    config = alembic_config(db_url)
    command.upgrade(config, "0007")
    engine = create_engine(db_url)
    try:
        assert "audit_anchor" not in inspect(engine).get_table_names()
        command.upgrade(config, "0008")
        assert "audit_anchor" in inspect(engine).get_table_names()
        store = audit_repo.SqlAuditStore(engine)
        assert store.broken_guards() == []
        command.downgrade(config, "0007")
        assert "audit_anchor" not in inspect(engine).get_table_names()
        assert {p.table for p in store.broken_guards()} == {"audit_anchor"}  # the log's stay
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                functions = "SELECT count(*) FROM pg_proc WHERE proname = :name"
                found = conn.execute(text(functions), {"name": "audit_anchor_append_only"})
                assert found.scalar_one() == 0
        command.upgrade(config, "0008")
        assert store.broken_guards() == []
    finally:
        engine.dispose()
