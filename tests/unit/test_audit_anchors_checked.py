"""The anchored head and ``audit verify``'s check, on the in-memory store: a passing check
anchors the head it verified; the periodic anchoring anchors only a head that extends the latest
anchor; a trail cut below an anchored head, or rewritten up to it, fails with no head given by
hand; a broken guard fails the check; and every finding is a code said in Chinese and English."""

from __future__ import annotations

from dataclasses import replace

from fakes import InMemoryAuditStore
from phytowatch.cli.audit_cmds import check_json, verdict_lines
from phytowatch.domain.audit import (
    Anchor,
    AnchorSource,
    AuditEntry,
    AuditRecord,
    GuardProblem,
    GuardState,
    Tampering,
    anchor_payload,
    chain,
    verify,
)
from phytowatch.domain.messages import Code, say
from phytowatch.services.audit import AnchorOutcome, AuditLog

T0 = 1_780_000_000_000_000  # 2026-05-28T20:26:40Z
NOW = T0 + 3_600_000_000


def log(n: int) -> tuple[AuditLog, InMemoryAuditStore]:
    store = InMemoryAuditStore()
    audit = AuditLog(store)
    for i in range(n):
        audit.record(
            actor="system",
            action="run.started",
            object_type="run",
            object_id=str(i),
            now=T0 + i * 1_000_000,
        )
    return audit, store


def test_a_passing_check_anchors_the_head_it_verified() -> None:
    audit, store = log(4)
    check = audit.check(now=NOW)
    assert check.passed
    head = store.rows[-1]
    assert check.anchored == Anchor(head.seq, head.hash, at=NOW, source=AnchorSource.VERIFY)
    assert store.anchors() == [check.anchored]
    assert check.anchored.signature is None  # until the office keys exist


def test_an_empty_trail_passes_and_anchors_nothing() -> None:
    audit, store = log(0)
    check = audit.check(now=NOW)
    assert check.passed and check.anchored is None
    assert store.anchor_rows == []
    assert audit.anchor_head(now=NOW) is AnchorOutcome.EMPTY


def test_a_trail_cut_below_its_anchor_fails_with_no_head_given() -> None:
    audit, store = log(6)
    assert audit.check(now=NOW).passed
    del store.rows[4:]  # seq 5 and 6, cut from the end
    check = audit.check(now=NOW + 1)
    assert not check.passed
    problem = check.report.problem
    assert problem is not None
    assert (problem.seq, problem.kind) == (5, Tampering.REMOVED)
    assert problem.message == say(Code.AUDIT_CUT_MANY, end=4, head=6, first=5)
    assert check.anchored is None
    assert len(store.anchor_rows) == 1  # a failing check anchors nothing


def test_a_trail_rewritten_up_to_its_anchor_fails() -> None:
    audit, store = log(4)
    audit.check(now=NOW)
    anchored = store.rows[2].hash
    forged: list[AuditEntry] = []
    for entry in store.rows:  # the whole trail rewritten, every hash recomputed
        record = AuditRecord(
            entry.at, "user:mallory", entry.action, "run", entry.object_id, None, None
        )
        forged.append(chain(record, forged[-1] if forged else None))
    store.rows[:] = forged
    check = audit.check(now=NOW + 1)
    problem = check.report.problem
    assert problem is not None
    assert problem.message == say(
        Code.AUDIT_ANCHOR_MISMATCH, seq=4, anchored=store.anchor_rows[0].hash, found=forged[3].hash
    )
    assert anchored != forged[2].hash


def test_a_broken_guard_fails_the_check_and_anchors_nothing() -> None:
    audit, store = log(3)
    store.guards = [GuardProblem("audit_log", "audit_log_no_delete", GuardState.MISSING)]
    check = audit.check(now=NOW)
    assert check.report.intact and not check.passed
    assert check.anchored is None and store.anchor_rows == []
    assert check.guards[0].message == say(
        Code.AUDIT_GUARD_MISSING, trigger="audit_log_no_delete", table="audit_log"
    )


def test_the_periodic_anchoring_anchors_a_new_head_once() -> None:
    audit, store = log(3)
    assert audit.anchor_head(now=NOW) is AnchorOutcome.ANCHORED
    assert audit.anchor_head(now=NOW + 1) is AnchorOutcome.UNCHANGED
    audit.record(actor="system", action="run.closed", object_type="run", object_id="1", now=NOW)
    assert audit.anchor_head(now=NOW + 2) is AnchorOutcome.ANCHORED
    assert [(a.seq, a.at, a.source) for a in store.anchor_rows] == [
        (3, NOW, AnchorSource.SERVE),
        (4, NOW + 2, AnchorSource.SERVE),
    ]


def test_the_periodic_anchoring_never_anchors_over_a_cut_or_a_rewrite() -> None:
    audit, store = log(5)
    audit.anchor_head(now=NOW)
    del store.rows[3:]  # cut below the anchored seq 5
    assert audit.anchor_head(now=NOW + 1) is AnchorOutcome.REFUSED
    audit, store = log(5)
    audit.anchor_head(now=NOW)
    store.rows[4] = replace(store.rows[4], hash="0" * 64)  # the anchored entry, rewritten
    audit.record(actor="system", action="run.closed", object_type="run", object_id="1", now=NOW)
    assert audit.anchor_head(now=NOW + 1) is AnchorOutcome.REFUSED
    assert len(store.anchor_rows) == 1
    assert not audit.check(now=NOW + 2).passed


def test_every_recorded_anchor_is_checked_and_the_highest_reported() -> None:
    _, store = log(5)
    entries = store.rows
    low = Anchor(2, entries[1].hash, at=NOW, source=AnchorSource.SERVE)
    high = Anchor(4, entries[3].hash, at=NOW + 1, source=AnchorSource.VERIFY)
    report = verify(entries, anchors=[high, low])
    assert report.intact and report.anchor == high
    wrong = Anchor(2, "a" * 64, at=NOW + 2, source=AnchorSource.SERVE)
    problem = verify(entries, anchors=[low, high, wrong]).problem
    assert problem is not None
    assert problem.message == say(
        Code.AUDIT_ANCHOR_MISMATCH, seq=2, anchored="a" * 64, found=entries[1].hash
    )


def test_the_payload_to_sign_is_the_anchor_without_its_signature() -> None:
    anchor = Anchor(7, "b" * 64, at=NOW, source=AnchorSource.SERVE)
    payload = anchor_payload(anchor)
    assert payload == anchor_payload(replace(anchor, signature="whatever"))
    assert payload != anchor_payload(replace(anchor, seq=8))
    assert b'"hash":"' + b"b" * 64 + b'"' in payload


def test_the_verdict_is_said_in_english_and_in_chinese() -> None:
    audit, store = log(3)
    check = audit.check(now=NOW)
    [english] = verdict_lines(check, head=None, lang="en")
    assert english == (
        "audit trail intact: 3 entries, last at 2026-05-28T20:26:42Z (seq 3); head anchored (seq 3)"
    )
    [chinese] = verdict_lines(check, head=None, lang="zh")
    assert chinese.startswith("审计日志完好：共 3 条") and "已锚定链头（序号 3）" in chinese

    store.rows[1] = replace(store.rows[1], actor="user:mallory")
    store.guards = [GuardProblem("audit_anchor", "audit_anchor_no_change", GuardState.ALTERED)]
    check = audit.check(now=NOW + 1)
    tampered, unguarded = verdict_lines(check, head=None, lang="en")
    assert tampered.startswith(
        "audit trail TAMPERED: first bad row seq 2, edited (row of 2026-05-28T20:26:41Z): "
        "seq 2 (run.started run 1) was changed after it was recorded: its content hashes to "
    )
    assert unguarded == (
        "audit trail UNGUARDED: the append-only trigger audit_anchor_no_change of audit_anchor "
        "is not the one the migrations made: someone with the database owner's rights altered it"
    )
    tampered, unguarded = verdict_lines(check, head=None, lang="zh")
    assert tampered.startswith("审计日志遭篡改：第一处问题在序号 2，被修改（记录时间 ")
    assert "审计日志失去保护：" in unguarded and "被修改" not in unguarded


def test_the_json_gives_each_finding_as_its_code_and_params() -> None:
    audit, store = log(3)
    store.rows[1] = replace(store.rows[1], actor="user:mallory")
    store.guards = [GuardProblem("audit_log", "audit_log_no_update", GuardState.DISABLED)]
    body = check_json(audit.check(now=NOW), head=None)
    assert body["passed"] is False and body["entries"] == 3 and body["anchored"] is None
    problem = body["problem"]
    assert (problem["seq"], problem["kind"], problem["code"]) == (2, "edited", "audit.changed")
    assert problem["params"]["found"] == store.rows[1].hash
    assert body["guards"] == [
        {
            "table": "audit_log",
            "trigger": "audit_log_no_update",
            "state": "disabled",
            "code": "audit.guard_disabled",
            "params": {"trigger": "audit_log_no_update", "table": "audit_log"},
            "message": say(
                Code.AUDIT_GUARD_DISABLED, trigger="audit_log_no_update", table="audit_log"
            ).english(),
        }
    ]


def test_what_was_done_to_the_trail_is_a_word_of_the_catalogue() -> None:
    from phytowatch.i18n import catalogue, words

    assert {t.value for t in Tampering} <= set(words.TAMPERING)
    assert [catalogue.word(t.value, "zh_CN") for t in Tampering] == [
        "被修改",
        "被删除",
        "被调换顺序",
    ]
