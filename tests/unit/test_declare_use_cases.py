"""The declaration's use cases with in-memory fakes: who declares, drafts and copies, the
submission (checked in full, a version stored, the router called inside the unit with its audit
entry), the correction as a new version, and the withdrawal."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from fakes.audit import InMemoryAuditRecorder
from fakes.consignments import InMemoryConsignmentStore, RecordingRouter
from phytowatch.domain.accounts import ROLE_ACTIONS, Jurisdiction, Principal, Role
from phytowatch.domain.messages import Kind, Refused
from phytowatch.domain.supervision.consignment import (
    BackingRun,
    ConsignmentState,
    Declaration,
    Line,
    Party,
    Step,
)
from phytowatch.domain.supervision.validation import FieldsRefused
from phytowatch.rules import load_shipped
from phytowatch.services.context import Context
from phytowatch.services.supervision.consignments import EnterpriseRef
from phytowatch.services.supervision.declare import DeclarationService
from phytowatch.services.supervision.fallbacks import Unregistered
from phytowatch.services.supervision.policy import StaticPolicy

T0 = 1_772_361_600_000_000  # 2026-03-01
S = ConsignmentState
DECLARATION = Declaration(
    exporter=Party("", ""),
    consignee=Party("Pacific Fruit Co.", "Long Beach"),
    lines=(Line("citrus-navel-orange", "", Decimal("12000"), "kg", 800, "cartons"),),
    destination="US",
    port_of_exit="CNSHA",
    conveyance="vessel",
    marks="PF-1",
    containers=("CSQU3054383",),
    bases=(),
    runs=(11,),
)


def person(role: Role, *, enterprise: str | None = None, office: str | None = None) -> Principal:
    return Principal(
        kind="user",
        actor=f"user:{role.value}",
        actions=ROLE_ACTIONS[role],
        role=role,
        login=role.value,
        enterprise=enterprise,
        office=office,
        jurisdiction=Jurisdiction(cities=frozenset({"赣州"})) if office else None,
    )


DECLARANT = person(Role.ENTERPRISE_DECLARANT, enterprise="E1")
OTHER_DECLARANT = person(Role.ENTERPRISE_DECLARANT, enterprise="E2")
OPERATOR = person(Role.ENTERPRISE_OPERATOR, enterprise="E1")


def run(run_id: int, **changes: object) -> BackingRun:
    base = BackingRun(run_id, "E1", "K1", "usda-t107a-medfly", True, "PASS", True, False, T0)
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def world() -> tuple[
    DeclarationService, InMemoryConsignmentStore, RecordingRouter, InMemoryAuditRecorder
]:
    store = InMemoryConsignmentStore(
        enterprises={
            "E1": EnterpriseRef("E1", "赣州果业", "Ganzhou Fruit", "赣州"),
            "E2": EnterpriseRef("E2", "南昌果业", "Nanchang Fruit", "南昌"),
        },
        runs={11: run(11), 12: run(12, signed_off=False), 21: run(21, enterprise="E2")},
    )
    router, audit = RecordingRouter(), InMemoryAuditRecorder()
    service = DeclarationService(store, audit, StaticPolicy(load_shipped()), Unregistered(), router)
    return service, store, router, audit


World = tuple[DeclarationService, InMemoryConsignmentStore, RecordingRouter, InMemoryAuditRecorder]


def at(principal: Principal, now: int = T0) -> Context:
    return Context(principal, now)


def test_only_a_declarant_of_the_enterprise_declares(world: World) -> None:
    service, _, _, audit = world
    for who in (OPERATOR, person(Role.INSPECTOR, office="GZ"), person(Role.ADMINISTRATOR)):
        with pytest.raises(Refused) as refused:
            service.create(DECLARATION, ctx=at(who))
        assert refused.value.kind is Kind.FORBIDDEN
    made = service.create(DECLARATION, ctx=at(DECLARANT))
    with pytest.raises(Refused) as other:
        service.submit(made.id, ctx=at(OTHER_DECLARANT))
    assert other.value.kind is Kind.NOT_FOUND  # another enterprise's: as if it did not exist
    assert [e["action"] for e in audit.entries] == ["consignment.drafted"]


def test_a_draft_gets_the_enterprise_as_exporter_and_the_catalogues_botanical_name(
    world: World,
) -> None:
    service, store, _, audit = world
    made = service.create(DECLARATION, ctx=at(DECLARANT))
    draft = store.draft(made.id)
    assert draft is not None
    assert draft.exporter == Party("Ganzhou Fruit", "赣州")
    assert draft.lines[0].botanical_name == "Citrus sinensis"
    assert audit.entries[0]["in_unit"] and made.number == "CD2026-000001"


def test_a_submission_stores_version_1_and_calls_the_router_inside_its_unit(
    world: World,
) -> None:
    service, store, router, audit = world
    made = service.create(DECLARATION, ctx=at(DECLARANT))
    done = service.submit(made.id, ctx=at(DECLARANT, T0 + 60_000_000))
    assert done.version == 1 and done.consignment.state is S.SUBMITTED and done.route is None
    assert done.warnings == ()  # the run is under the cold-treatment schedule the USA asks
    [(consignment, declaration, ctx)] = router.calls
    assert consignment.state is S.SUBMITTED and consignment.version == 1
    assert declaration == store.declaration(made.id, 1) and ctx.now == T0 + 60_000_000
    assert [e.step for e in store.timeline(made.id)] == [Step.DRAFTED, Step.SUBMITTED]
    submitted = audit.entries[-1]
    assert submitted["action"] == "consignment.submitted" and submitted["in_unit"]


def test_a_failing_router_fails_the_whole_submission(world: World) -> None:
    service, _, router, _ = world
    made = service.create(DECLARATION, ctx=at(DECLARANT))
    router.fail = RuntimeError("routing broke")
    with pytest.raises(RuntimeError):
        service.submit(made.id, ctx=at(DECLARANT))
    assert router.calls  # called, inside the unit: the real store takes the unit back


def test_every_refusal_is_said_at_once_and_nothing_is_stored(world: World) -> None:
    service, store, router, _ = world
    bad = replace(
        DECLARATION,
        consignee=Party("", ""),
        runs=(12, 21, 99),
        containers=("CSQU3054384",),
        bases=("GZ-B-001",),
    )
    made = service.create(bad, ctx=at(DECLARANT))
    with pytest.raises(FieldsRefused) as refused:
        service.submit(made.id, ctx=at(DECLARANT))
    assert [p.field for p in refused.value.problems] == [
        "consignee.name",
        "consignee.address",
        "containers[0]",
        "bases[0]",
        "runs[0]",
        "runs[1]",
        "runs[2]",
    ]
    codes = [p.message.code.value for p in refused.value.problems]
    assert codes[-3:] == ["declaration.run_not_signed", "declaration.no_run", "declaration.no_run"]
    assert store.versions(made.id) == [] and router.calls == []


def test_a_requirement_no_run_meets_is_a_warning(world: World) -> None:
    service, _, _, _ = world
    made = service.create(replace(DECLARATION, runs=()), ctx=at(DECLARANT))
    done = service.submit(made.id, ctx=at(DECLARANT))
    assert [w.field for w in done.warnings] == ["lines[0].product"]
    assert done.warnings[0].message.params["schedules"]


def test_a_correction_is_version_2_and_the_first_is_kept(world: World) -> None:
    service, store, _, audit = world
    made = service.create(DECLARATION, ctx=at(DECLARANT))
    service.submit(made.id, ctx=at(DECLARANT))
    with pytest.raises(Refused) as not_draft:
        service.edit(made.id, DECLARATION, ctx=at(DECLARANT))
    assert not_draft.value.kind is Kind.CONFLICT
    store.move(made.id, S.SUBMITTED, S.RETURNED, step=Step.RETURNED, at=T0 + 1, actor="user:i")
    service.edit(made.id, replace(DECLARATION, marks="PF-2"), ctx=at(DECLARANT, T0 + 2))
    done = service.submit(made.id, ctx=at(DECLARANT, T0 + 3))
    assert done.version == 2
    first, second = store.declaration(made.id, 1), store.declaration(made.id, 2)
    assert first is not None and second is not None
    assert (first.marks, second.marks) == ("PF-1", "PF-2")
    assert store.timeline(made.id)[-1].step is Step.RESUBMITTED
    assert audit.entries[-1]["action"] == "consignment.resubmitted"


def test_a_copy_takes_the_content_without_the_runs(world: World) -> None:
    service, store, _, _ = world
    made = service.create(DECLARATION, ctx=at(DECLARANT))
    service.submit(made.id, ctx=at(DECLARANT))
    copy = service.copy(made.id, ctx=at(DECLARANT))
    draft = store.draft(copy.id)
    assert copy.copied_from == made.id and draft is not None
    assert draft.runs == () and draft.consignee == DECLARATION.consignee


def test_withdraw_needs_a_reason_and_only_from_a_state_that_allows_it(world: World) -> None:
    service, store, _, audit = world
    made = service.create(DECLARATION, ctx=at(DECLARANT))
    with pytest.raises(FieldsRefused) as empty:
        service.withdraw(made.id, "  ", ctx=at(DECLARANT))
    assert empty.value.problems[0].field == "reason"
    done = service.withdraw(made.id, "order cancelled", ctx=at(DECLARANT))
    assert done.state is S.WITHDRAWN
    assert store.timeline(made.id)[-1].detail["params"] == {"reason": "order cancelled"}
    with pytest.raises(Refused) as again:
        service.withdraw(made.id, "again", ctx=at(DECLARANT))
    assert again.value.kind is Kind.CONFLICT
    assert audit.entries[-1]["action"] == "consignment.withdrawn"
