"""AuditLog.record and verify, on the in-memory store."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from fakes import InMemoryAuditStore
from phytowatch.domain.audit import Tampering
from phytowatch.domain.messages import Code, Kind
from phytowatch.services.audit import REDACTED, AuditLog, is_secret_key
from refusals import refused


def log() -> tuple[AuditLog, InMemoryAuditStore]:
    store = InMemoryAuditStore()
    return AuditLog(store), store


def test_a_recorded_change_keeps_who_when_what_before_and_after() -> None:
    audit, store = log()
    audit.record(
        actor="user:alice",
        action="alarm.acknowledged",
        object_type="alarm",
        object_id="17",
        before={"state": "active"},
        after={"state": "acknowledged", "comment": "door closed"},
        now=1_000,
    )
    [entry] = store.rows
    assert (entry.seq, entry.at, entry.actor, entry.action) == (
        1,
        1_000,
        "user:alice",
        "alarm.acknowledged",
    )
    assert (entry.object_type, entry.object_id) == ("alarm", "17")
    assert entry.before_data() == {"state": "active"}
    assert entry.after_data() == {"state": "acknowledged", "comment": "door closed"}
    assert audit.verify().intact
    assert audit.head() == entry


@pytest.mark.parametrize(
    "key",
    ["password", "new_password", "Password", "token", "device-token", "token_hash", "secret",
     "password_hash", "api_key", "session_id", "csrf_token", "cookie"],
)  # fmt: skip
def test_a_secret_named_key_is_redacted_at_any_depth(key: str) -> None:
    audit, store = log()
    audit.record(
        actor="admin-token",
        action="user.changed",
        object_type="user",
        object_id="alice",
        before={key: "s3cret-before"},
        after={"profile": {key: "s3cret-after"}, "list": [{key: "s3cret-list"}], "name": "A"},
        now=1,
    )
    [entry] = store.rows
    text = f"{entry.before}{entry.after}"
    assert "s3cret" not in text
    assert entry.before_data() == {key: REDACTED}
    assert entry.after_data()["profile"] == {key: REDACTED}
    assert entry.after_data()["name"] == "A"


def test_ordinary_keys_are_not_secrets() -> None:
    for key in ("hint", "state", "offset", "certificate", "kind", "revoked", "name"):
        assert not is_secret_key(key), key


def test_an_action_must_be_a_dotted_verb() -> None:
    audit, _ = log()
    for bad in ("Run.Started", "run.", ".run", "run started", "run..started", ""):
        with refused(Code.AUDIT_ACTION_FORM, Kind.INVALID) as caught:
            audit.record(actor="system", action=bad, object_type="run", object_id="1", now=1)
        assert caught.value.message.params == {"action": bad}
    audit.record(actor="user:alice", action="login", object_type="user", object_id="a", now=1)


def test_an_actor_is_required() -> None:
    audit, _ = log()
    with refused(Code.AUDIT_NO_ACTOR, Kind.INVALID):
        audit.record(actor=" ", action="run.started", object_type="run", object_id="1", now=1)


def test_an_object_type_is_required() -> None:
    audit, store = log()
    with refused(Code.AUDIT_NO_OBJECT_TYPE, Kind.INVALID):
        audit.record(actor="system", action="run.started", object_type=" ", object_id="1", now=1)
    assert store.rows == []


def test_state_that_is_not_json_is_refused_with_a_message() -> None:
    audit, store = log()
    with refused(Code.AUDIT_STATE_NOT_JSON, Kind.INVALID) as caught:
        audit.record(
            actor="system",
            action="run.started",
            object_type="run",
            object_id="1",
            after={"when": object()},
            now=1,
        )
    assert caught.value.message.params["name"] == "after"
    assert store.rows == []


def test_overlong_names_are_cut_not_refused() -> None:
    audit, store = log()
    audit.record(
        actor="user:" + "x" * 500,
        action="login.failed",
        object_type="user",
        object_id="y" * 5000,
        now=1,
    )
    [entry] = store.rows
    assert len(entry.actor) == 200
    assert len(entry.object_id) == 200
    assert entry.object_id.endswith("…")


def test_verify_finds_a_tampered_row_in_the_store() -> None:
    audit, store = log()
    for i in range(5):
        audit.record(
            actor="system", action="run.started", object_type="run", object_id=str(i), now=i
        )
    store.rows[1] = replace(store.rows[1], object_id="99")
    report = audit.verify()
    assert report.problem is not None
    assert (report.problem.seq, report.problem.kind) == (2, Tampering.EDITED)


def test_latest_is_newest_first_and_filters_by_object() -> None:
    audit, _ = log()
    for i in range(6):
        audit.record(
            actor="system",
            action="run.started",
            object_type="run" if i % 2 else "alarm",
            object_id=str(i % 3),
            now=i,
        )
    assert [e.seq for e in audit.latest(limit=3)] == [6, 5, 4]
    assert [e.seq for e in audit.latest(object_type="run")] == [6, 4, 2]
    assert [e.seq for e in audit.latest(object_type="run", object_id="1")] == [2]


def test_appends_from_many_threads_keep_one_chain() -> None:
    audit, store = log()

    def work(n: int) -> None:
        for i in range(50):
            audit.record(
                actor=f"t{n}", action="run.started", object_type="run", object_id=str(i), now=i
            )

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [e.seq for e in store.rows] == list(range(1, 201))
    assert audit.verify().intact
