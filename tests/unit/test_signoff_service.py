"""Signing off a run (services.signoff): who may, which runs, once; and what a certificate may
rest on. On the in-memory stores; the rules themselves are domain.signoff's (test_accounts.py)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from acting import ctx_at, ctx_of
from fakes import (
    InMemoryAccountStore,
    InMemoryAuditRecorder,
    InMemoryRunLookup,
    InMemorySignOffStore,
)
from phytowatch.domain.accounts import Action, Principal, Role
from phytowatch.domain.messages import Code, Kind, say
from phytowatch.domain.signoff import Decision, SignOff
from phytowatch.services import accounts, signoff
from phytowatch.services.runs import RunRecord
from refusals import refused

PASS_JUDGEMENT = {"findings": [], "review_required": False}
COMMENT = "checked the probes on site"


def _run(run_id: int, facility: str, verdict: str | None, **changes: Any) -> RunRecord:
    return RunRecord(
        run_id,
        1,
        facility,
        "ispm15-ht",
        "1",
        {},
        {},
        changes.get("calibration_notes", []),
        "load",
        "",
        0,
        closed_at=None if verdict is None else 10,
        verdict=verdict,
        judgement=None if verdict is None else changes.get("judgement", PASS_JUDGEMENT),
    )


def _people() -> dict[str, Principal]:
    """Inspector li of office GZ (赣州), operator op of E1, administrator root."""
    store = InMemoryAccountStore({"E1": "赣州", "E2": "南昌"})
    audit = InMemoryAuditRecorder()
    accounts.add_office(store, audit, code="GZ", name="赣州", cities=["赣州"], ctx=ctx_at(0, "t"))
    seeded: list[tuple[str, str, dict[str, Any]]] = [
        ("li", "inspector", {"office": "GZ"}),
        ("op", "enterprise_operator", {"enterprise": "E1"}),
        ("root", "administrator", {}),
    ]
    for login, role, placement in seeded:
        accounts.add_user(
            store,
            audit,
            login=login,
            name=login,
            role=role,
            password="correct horse battery",
            cost=10,
            ctx=ctx_at(0, "t"),
            **placement,
        )
    people = {}
    for login in ("li", "op", "root"):
        user = store.user_by_login(login)
        assert user is not None
        people[login] = accounts.principal_of(store, user)
    return people


def _owners() -> InMemorySignOffStore:
    return InMemorySignOffStore({"K1": ("E1", "赣州"), "K2": ("E2", "南昌")})


@dataclass
class Desk:
    """An inspector's desk: the runs, the decisions and the trail."""

    runs: InMemoryRunLookup
    signoffs: InMemorySignOffStore = field(default_factory=_owners)
    audit: InMemoryAuditRecorder = field(default_factory=InMemoryAuditRecorder)

    def decide(
        self, who: Principal, run_id: int, decision: str = "signed_off", comment: str = ""
    ) -> SignOff:
        return signoff.sign_off(
            self.runs, self.signoffs, self.audit, run_id,
            decision=decision, comment=comment, ctx=ctx_of(who, 7),
        )  # fmt: skip


def test_sign_off_by_an_inspector_within_jurisdiction_only() -> None:
    people = _people()
    inspector, operator = people["li"], people["op"]
    audit = InMemoryAuditRecorder()
    runs = InMemoryRunLookup(_run(1, "K1", "PASS"), _run(2, "K2", "PASS"), _run(3, "K1", None))
    signoffs = _owners()
    with refused(Code.SIGNOFF_INSPECTOR_ONLY, Kind.FORBIDDEN):
        signoff.sign_off(
            runs, signoffs, audit, 1, decision="signed_off", comment="", ctx=ctx_of(operator, 1)
        )
    with refused(Code.NO_RUN, Kind.NOT_FOUND):
        signoff.sign_off(
            runs, signoffs, audit, 2, decision="signed_off", comment="", ctx=ctx_of(inspector, 1)
        )
    with refused(Code.SIGNOFF_RUN_OPEN, Kind.CONFLICT):
        signoff.sign_off(
            runs, signoffs, audit, 3, decision="signed_off", comment="", ctx=ctx_of(inspector, 1)
        )
    assert not signoff.run_backs_certificate(runs, signoffs, 1).ok
    signoff.sign_off(
        runs, signoffs, audit, 1, decision="signed_off", comment="", ctx=ctx_of(inspector, 1)
    )
    assert signoff.run_backs_certificate(runs, signoffs, 1).ok
    assert not signoff.run_backs_certificate(runs, signoffs, 99).ok
    assert audit.entries[-1]["action"] == "run.signed_off"


def test_a_sign_off_is_stored_once_with_the_inspectors_office_and_recorded_in_its_unit() -> None:
    inspector = _people()["li"]
    desk = Desk(InMemoryRunLookup(_run(1, "K1", "PASS")))
    done = desk.decide(inspector, 1, comment=" fine \n")
    assert done == SignOff(1, Decision.SIGNED_OFF, "fine", "li", "GZ", 7)
    assert desk.signoffs.signoffs[1] == (done, inspector.user_id)
    [entry] = desk.audit.entries
    assert (entry["actor"], entry["action"], entry["object"], entry["in_unit"]) == (
        "user:li",
        "run.signed_off",
        "run:1",
        True,
    )
    assert entry["before"] == {"verdict": "PASS", "signoff": None}
    assert entry["after"] == {
        "decision": "signed_off",
        "comment": "fine",
        "office": "GZ",
        "facility": "K1",
    }


def test_an_administrator_sees_every_run_but_signs_none_off() -> None:
    root = _people()["root"]
    desk = Desk(InMemoryRunLookup(_run(1, "K2", "PASS")))
    assert signoff.visible_run(desk.runs, desk.signoffs, root, 1).id == 1
    with refused(Code.SIGNOFF_INSPECTOR_ONLY, Kind.FORBIDDEN):
        desk.decide(root, 1)


def test_the_sign_off_action_alone_does_not_make_an_inspector() -> None:
    certifier = replace(
        _people()["li"], role=Role.CERTIFYING_OFFICER, actions=frozenset({Action.SIGNOFF_WRITE})
    )
    desk = Desk(InMemoryRunLookup(_run(1, "K1", "PASS")))
    with refused(Code.SIGNOFF_INSPECTOR_ONLY, Kind.FORBIDDEN):
        desk.decide(certifier, 1)


def test_a_run_of_a_facility_no_enterprise_owns_is_not_found() -> None:
    desk = Desk(InMemoryRunLookup(_run(1, "K9", "PASS")))
    with refused(Code.NO_RUN, Kind.NOT_FOUND):
        desk.decide(_people()["li"], 1)


def test_a_decision_is_signed_off_or_rejected() -> None:
    desk = Desk(InMemoryRunLookup(_run(1, "K1", "PASS")))
    with refused(Code.SIGNOFF_DECISION, Kind.INVALID):
        desk.decide(_people()["li"], 1, "approved", COMMENT)


def test_only_a_pass_run_is_signed_off_or_rejected() -> None:
    desk = Desk(InMemoryRunLookup(_run(1, "K1", "FAIL")))
    for decision in ("signed_off", "rejected"):
        with refused(Code.SIGNOFF_NOT_PASS, Kind.CONFLICT):
            desk.decide(_people()["li"], 1, decision, COMMENT)


def test_a_decision_is_final_whichever_it_was() -> None:
    inspector = _people()["li"]
    desk = Desk(InMemoryRunLookup(_run(1, "K1", "PASS"), _run(2, "K1", "PASS")))
    desk.decide(inspector, 1)
    desk.decide(inspector, 2, "rejected", COMMENT)
    for run_id, code in ((1, Code.SIGNOFF_FINAL_SIGNED), (2, Code.SIGNOFF_FINAL_REJECTED)):
        for decision in ("signed_off", "rejected"):
            with refused(code, Kind.CONFLICT):
                desk.decide(inspector, run_id, decision, COMMENT)
    assert len(desk.audit.entries) == 2


def test_a_rejection_needs_a_written_comment() -> None:
    inspector = _people()["li"]
    desk = Desk(InMemoryRunLookup(_run(1, "K1", "PASS")))
    with refused(Code.SIGNOFF_REJECTION_NEEDS_COMMENT, Kind.INVALID):
        desk.decide(inspector, 1, "rejected", "bad probe")
    assert desk.signoffs.signoff_of(1) is None and desk.audit.entries == []
    assert desk.decide(inspector, 1, "rejected", COMMENT).decision is Decision.REJECTED


@pytest.mark.parametrize(
    "changes",
    [
        {"calibration_notes": [say(Code.NOTE_NO_CALIBRATION, probe="C1")]},
        {"judgement": {"findings": [{"kind": "flatline"}], "review_required": False}},
        {"judgement": {"findings": [], "review_required": True}},
    ],
)
def test_a_run_an_inspector_must_look_at_is_signed_off_with_a_written_comment(
    changes: dict[str, Any],
) -> None:
    inspector = _people()["li"]
    desk = Desk(InMemoryRunLookup(_run(1, "K1", "PASS", **changes)))
    with refused(Code.SIGNOFF_NEEDS_COMMENT, Kind.INVALID):
        desk.decide(inspector, 1, comment="looks ok")
    assert desk.decide(inspector, 1, comment=COMMENT).comment == COMMENT


class _Racing(InMemorySignOffStore):
    """Another inspector's decision lands between the check and the write."""

    def signoff_of(self, run_id: int) -> SignOff | None:
        return None


def test_of_two_inspectors_deciding_at_once_one_wins_and_the_other_is_told() -> None:
    inspector = _people()["li"]
    desk = Desk(InMemoryRunLookup(_run(1, "K1", "PASS")), _Racing({"K1": ("E1", "赣州")}))
    desk.decide(inspector, 1)
    with refused(Code.SIGNOFF_RACE, Kind.CONFLICT):
        desk.decide(inspector, 1, "rejected", COMMENT)
    assert desk.signoffs.signoffs[1][0].decision is Decision.SIGNED_OFF
    assert desk.audit.actions() == ["run.signed_off"]


def test_only_a_signed_off_pass_run_backs_a_certificate_and_the_reason_says_why() -> None:
    inspector = _people()["li"]
    runs = InMemoryRunLookup(_run(1, "K1", "PASS"), _run(2, "K1", "PASS"), _run(3, "K1", None))
    desk = Desk(runs)
    desk.decide(inspector, 1)
    desk.decide(inspector, 2, "rejected", COMMENT)
    backing = {n: signoff.run_backs_certificate(runs, desk.signoffs, n) for n in (1, 2, 3, 4)}
    assert [(n, b.run_id, b.ok) for n, b in backing.items()] == [
        (1, 1, True),
        (2, 2, False),
        (3, 3, False),
        (4, 4, False),
    ]
    assert backing[1].reason == say(Code.BACKING_OK, by="li", office="GZ")
    assert backing[2].reason == say(Code.BACKING_REJECTED, by="li")
    assert backing[3].reason == say(Code.BACKING_OPEN)
    assert backing[4].reason == say(Code.NO_RUN, run=4)
