"""Setting an enterprise's standing, and proposing, confirming and dismissing class changes,
with in-memory stores: who may, what is refused (naming the field), and the audit entry written
in the same unit as the change."""

from __future__ import annotations

import pytest

from acting import ctx_of
from fakes.audit import InMemoryAuditRecorder
from fakes.record_counter import TableCounter
from fakes.standing import InMemoryStanding
from phytowatch.domain.accounts import ROLE_ACTIONS, Jurisdiction, Principal, Role
from phytowatch.domain.instants import US_PER_D
from phytowatch.domain.messages import Code, Kind, Word
from phytowatch.domain.supervision.classification import ProposalState
from phytowatch.domain.supervision.registry import EnterpriseStanding
from phytowatch.rules import load_shipped
from phytowatch.services.supervision.policy import StaticPolicy
from phytowatch.services.supervision.standing import (
    compute_proposals,
    confirm,
    dismiss,
    set_standing,
    standing_history,
)
from refusals import refused

T = 1_772_446_620_000_000  # 2026-03-02T10:17:00Z
POLICY = StaticPolicy(load_shipped())
ADMIN = Principal("user", "user:admin", ROLE_ACTIONS[Role.ADMINISTRATOR], Role.ADMINISTRATOR)
INSPECTOR = Principal(
    "user", "user:insp", ROLE_ACTIONS[Role.INSPECTOR], Role.INSPECTOR,
    office="GZ", jurisdiction=Jurisdiction(cities=frozenset({"赣州"})),
)  # fmt: skip
OPERATOR = Principal(
    "user", "user:op", ROLE_ACTIONS[Role.ENTERPRISE_OPERATOR], Role.ENTERPRISE_OPERATOR,
    enterprise="E1",
)  # fmt: skip


@pytest.fixture
def store() -> InMemoryStanding:
    store = InMemoryStanding({"E1": "赣州", "E2": "南昌", "E3": "南昌"})
    for code, klass in (("E1", "II"), ("E2", "I"), ("E3", "IV")):
        store.add_standing(
            EnterpriseStanding(code, "cn-class", klass, False, False, 0, "migration")
        )
    return store


def test_an_administrator_sets_the_class_and_flags_with_a_reason(store: InMemoryStanding) -> None:
    audit = InMemoryAuditRecorder()
    done = set_standing(
        store, POLICY, audit, "E1", ctx=ctx_of(ADMIN, T), klass="III", e_supervised=True,
        key_list=True, reason="inspection findings 2026",
    )  # fmt: skip
    assert store.standing("E1") == done
    assert (done.klass, done.e_supervised, done.key_list, done.by) == (
        "III",
        True,
        True,
        "user:admin",
    )
    assert [s.klass for s in store.history("E1")] == ["III", "II"]
    [entry] = audit.entries
    assert entry["action"] == "enterprise.standing_set" and entry["in_unit"]
    assert entry["before"]["class"] == "II" and entry["after"]["class"] == "III"


def test_what_is_not_given_stays_as_it_is(store: InMemoryStanding) -> None:
    set_standing(
        store,
        POLICY,
        InMemoryAuditRecorder(),
        "E1",
        ctx=ctx_of(ADMIN, T),
        key_list=True,
        reason="r",
    )
    done = set_standing(
        store, POLICY, InMemoryAuditRecorder(), "E1", ctx=ctx_of(ADMIN, T + 1),
        e_supervised=True, reason="r",
    )  # fmt: skip
    assert (done.klass, done.e_supervised, done.key_list) == ("II", True, True)


def test_a_class_not_of_the_scheme_in_force_is_refused_naming_the_field(
    store: InMemoryStanding,
) -> None:
    with refused(Code.CLASSIFICATION_CLASS, Kind.INVALID) as caught:
        set_standing(
            store,
            POLICY,
            InMemoryAuditRecorder(),
            "E1",
            ctx=ctx_of(ADMIN, T),
            klass="AA",
            reason="r",
        )
    assert caught.value.message.params["field"] == Word("class")
    assert len(store.history("E1")) == 1


def test_a_reason_is_required(store: InMemoryStanding) -> None:
    with refused(Code.FIELD_REQUIRED, Kind.INVALID) as caught:
        set_standing(
            store,
            POLICY,
            InMemoryAuditRecorder(),
            "E1",
            ctx=ctx_of(ADMIN, T),
            klass="I",
            reason=" ",
        )
    assert caught.value.message.params["field"] == Word("reason")


def test_only_an_administrator_sets_a_class(store: InMemoryStanding) -> None:
    for who in (INSPECTOR, OPERATOR):
        with refused(Code.CLASSIFICATION_ADMIN_ONLY, Kind.FORBIDDEN):
            set_standing(
                store,
                POLICY,
                InMemoryAuditRecorder(),
                "E1",
                ctx=ctx_of(who, T),
                klass="I",
                reason="r",
            )


def test_an_unknown_enterprise_is_not_found(store: InMemoryStanding) -> None:
    with refused(Code.NO_ENTERPRISE, Kind.NOT_FOUND):
        set_standing(
            store,
            POLICY,
            InMemoryAuditRecorder(),
            "E9",
            ctx=ctx_of(ADMIN, T),
            klass="I",
            reason="r",
        )


def test_an_enterprise_reads_its_own_history_and_not_another_s(store: InMemoryStanding) -> None:
    now, history = standing_history(store, "E1", ctx=ctx_of(OPERATOR, T))
    assert now is not None and now.klass == "II" and len(history) == 1
    with refused(Code.NO_ENTERPRISE, Kind.NOT_FOUND):
        standing_history(store, "E2", ctx=ctx_of(OPERATOR, T))


def test_proposals_follow_the_counted_record_and_report_the_unknown_measures(
    store: InMemoryStanding,
) -> None:
    counter = TableCounter({"failed_runs": {"E1": 3, "E2": 0, "E3": 0}})
    audit = InMemoryAuditRecorder()
    found = compute_proposals(store, POLICY, [counter], audit, ctx=ctx_of(ADMIN, T))
    moves = sorted(
        (r.proposal.enterprise, r.proposal.rule, r.proposal.to_class) for r in found.added
    )
    # E1 failed 3 runs: down; E2 is class I already: no upgrade; E3 had a clean year: up
    assert moves == [("E1", "down-failed-runs", "III"), ("E3", "up-clean-year", "III")]
    assert found.unknown_measures == ["interceptions", "returned_declarations"]
    assert audit.actions() == ["classification.proposed"] * 2
    assert all(entry["in_unit"] for entry in audit.entries)
    # each rule's period ends at the start of the day, and is as long as the rule says
    assert {(end - start) for _, _, start, end in counter.asked} == {365 * US_PER_D}
    assert {end for *_, end in counter.asked} == {T - T % US_PER_D}


def test_proposing_again_for_the_same_period_adds_nothing(store: InMemoryStanding) -> None:
    counter = TableCounter({"failed_runs": {"E1": 3}})
    compute_proposals(store, POLICY, [counter], InMemoryAuditRecorder(), ctx=ctx_of(ADMIN, T))
    again = compute_proposals(
        store, POLICY, [counter], InMemoryAuditRecorder(), ctx=ctx_of(ADMIN, T + 60_000_000)
    )
    assert again.added == []
    later = compute_proposals(
        store, POLICY, [counter], InMemoryAuditRecorder(), ctx=ctx_of(ADMIN, T + US_PER_D)
    )
    assert len(later.added) == 2  # a new day, a new period


def test_the_first_counter_that_counts_a_measure_answers(store: InMemoryStanding) -> None:
    interceptions = TableCounter({"interceptions": {"E2": 2}})
    runs = TableCounter({"failed_runs": {"E2": 1}})
    found = compute_proposals(
        store, POLICY, [interceptions, runs], InMemoryAuditRecorder(), ctx=ctx_of(ADMIN, T)
    )
    # E2 (class I, 2 interceptions, 1 failed run): down; E1 and E3 (no failed run): up
    assert sorted((r.proposal.enterprise, r.proposal.rule) for r in found.added) == [
        ("E1", "up-clean-year"),
        ("E2", "down-interceptions"),
        ("E3", "up-clean-year"),
    ]
    assert found.unknown_measures == ["returned_declarations"]


def test_confirming_applies_the_class_with_a_reason_naming_the_rule(
    store: InMemoryStanding,
) -> None:
    counter = TableCounter({"failed_runs": {"E1": 4}})
    [record] = [
        r
        for r in compute_proposals(
            store, POLICY, [counter], InMemoryAuditRecorder(), ctx=ctx_of(ADMIN, T)
        ).added
        if r.proposal.enterprise == "E1"
    ]
    audit = InMemoryAuditRecorder()
    done = confirm(store, audit, record.id, ctx=ctx_of(ADMIN, T + 1), comment="agreed")
    assert (done.klass, done.by) == ("III", "user:admin")
    assert "down-failed-runs" in done.reason
    assert store.proposal(record.id).state is ProposalState.CONFIRMED  # type: ignore[union-attr]
    assert audit.actions() == ["classification.confirmed"] and audit.entries[0]["in_unit"]
    with refused(Code.PROPOSAL_DECIDED, Kind.CONFLICT):
        dismiss(store, InMemoryAuditRecorder(), record.id, ctx=ctx_of(ADMIN, T + 2), comment="no")


def test_a_proposal_made_stale_by_a_class_change_is_not_confirmed(store: InMemoryStanding) -> None:
    counter = TableCounter({"failed_runs": {"E1": 4}})
    found = compute_proposals(
        store, POLICY, [counter], InMemoryAuditRecorder(), ctx=ctx_of(ADMIN, T)
    )
    [record] = [r for r in found.added if r.proposal.enterprise == "E1"]
    set_standing(
        store,
        POLICY,
        InMemoryAuditRecorder(),
        "E1",
        ctx=ctx_of(ADMIN, T + 1),
        klass="I",
        reason="r",
    )
    with refused(Code.PROPOSAL_STALE, Kind.CONFLICT):
        confirm(store, InMemoryAuditRecorder(), record.id, ctx=ctx_of(ADMIN, T + 2))
    assert store.standing("E1").klass == "I"  # type: ignore[union-attr]


def test_dismissing_needs_a_comment_and_keeps_the_class(store: InMemoryStanding) -> None:
    counter = TableCounter({"failed_runs": {"E1": 4}})
    found = compute_proposals(
        store, POLICY, [counter], InMemoryAuditRecorder(), ctx=ctx_of(ADMIN, T)
    )
    [record] = [r for r in found.added if r.proposal.enterprise == "E1"]
    with refused(Code.FIELD_REQUIRED, Kind.INVALID):
        dismiss(store, InMemoryAuditRecorder(), record.id, ctx=ctx_of(ADMIN, T + 1), comment="")
    audit = InMemoryAuditRecorder()
    done = dismiss(
        store, audit, record.id, ctx=ctx_of(ADMIN, T + 1), comment="runs failed on a sensor fault"
    )
    assert done.state is ProposalState.DISMISSED and store.standing("E1").klass == "II"  # type: ignore[union-attr]
    assert audit.actions() == ["classification.dismissed"]


def test_only_an_administrator_proposes_confirms_or_dismisses(store: InMemoryStanding) -> None:
    with refused(Code.CLASSIFICATION_ADMIN_ONLY, Kind.FORBIDDEN):
        compute_proposals(store, POLICY, [], InMemoryAuditRecorder(), ctx=ctx_of(INSPECTOR, T))
    with refused(Code.CLASSIFICATION_ADMIN_ONLY, Kind.FORBIDDEN):
        confirm(store, InMemoryAuditRecorder(), 1, ctx=ctx_of(OPERATOR, T))
    with refused(Code.NO_PROPOSAL, Kind.NOT_FOUND):
        confirm(store, InMemoryAuditRecorder(), 99, ctx=ctx_of(ADMIN, T))
