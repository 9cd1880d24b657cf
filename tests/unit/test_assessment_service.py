"""Recording an inspection, returning and rejecting (services/supervision/assessment.py) on
the in-memory stores: who may, which consignments, what a record must say, the queue and the
interception records."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from acting import ctx_of
from fakes import InMemoryAssessmentStore, InMemoryAuditRecorder, InMemoryConsignmentLookup
from phytowatch.domain.accounts import Action, Jurisdiction, Principal, Role
from phytowatch.domain.messages import Code, Kind
from phytowatch.domain.supervision.assessment import (
    Conformity,
    Disposal,
    Interception,
    LifeStage,
    Sample,
)
from phytowatch.domain.supervision.consignment import (
    Consignment,
    ConsignmentState,
    Declaration,
    Line,
    Party,
    Step,
)
from phytowatch.domain.supervision.policy import RouteOutcome, SupervisionMode
from phytowatch.domain.supervision.routing import Route
from phytowatch.services.supervision import assessment as uc
from phytowatch.services.supervision.assessment import FieldsRefused, InspectionForm
from refusals import refused

INSPECTOR = Principal(
    "user",
    "user:li",
    frozenset({Action.CONSIGNMENTS_ASSESS, Action.CONSIGNMENTS_READ}),
    role=Role.INSPECTOR,
    user_id=1,
    login="li",
    office="NC",
    jurisdiction=Jurisdiction(cities=frozenset({"南昌"})),
)
ELSEWHERE = replace(INSPECTOR, actor="user:wu", office="GZ",
                    jurisdiction=Jurisdiction(cities=frozenset({"赣州"})))  # fmt: skip
DECLARANT = Principal(
    "user",
    "user:op",
    frozenset({Action.CONSIGNMENTS_READ, Action.CONSIGNMENTS_DECLARE}),
    role=Role.ENTERPRISE_DECLARANT,
    user_id=2,
    login="op",
    enterprise="E1",
)
PEST = Interception("Bactrocera dorsalis", LifeStage.LARVA, 3, "lot 2, container MSCU1234565")


class World:
    def __init__(self) -> None:
        self.lookup = InMemoryConsignmentLookup()
        self.store = InMemoryAssessmentStore(self.lookup)
        self.audit = InMemoryAuditRecorder()

    def routed(
        self, cid: int, outcome: RouteOutcome = RouteOutcome.INSPECT, *, at: int = 5
    ) -> Consignment:
        consignment = Consignment(
            cid, f"C-{cid}", "E1", "南昌", ConsignmentState.ROUTED, 1, 0, "user:op"
        )
        declaration = Declaration(
            Party("E", "a"), Party("C", "b"),
            (Line("mango", "", Decimal(1), "t", 1, "cartons"),),
            "SG", "CNNCH", "truck", "", (), (), (),
        )  # fmt: skip
        self.lookup.add(consignment, declaration)
        inputs = {"destination": "SG", "products": {"mango": "high"}, "owed": []}
        self.store.add_route(
            Route(
                cid,
                1,
                outcome,
                SupervisionMode.GENERAL,
                Decimal("0.2"),
                Decimal("0.1"),
                "2026.1",
                (),
                inputs,
                at,
            )
        )
        return consignment


def _form(**changes: Any) -> InspectionForm:
    form = InspectionForm(
        inspected="3 of 40 pallets opened, 60 fruit cut",
        samples=(Sample("S-1", "fruit", "Nanchang lab", "negative"),),
        lab_results="",
        findings="",
        interceptions=(),
        conformity="conforming",
        disposal="",
        comment="",
    )
    return replace(form, **changes)


def test_an_inspector_records_a_conforming_inspection() -> None:
    world = World()
    world.routed(1)
    done = uc.record_inspection(
        world.lookup, world.store, world.audit, 1, _form(), ctx=ctx_of(INSPECTOR, 100)
    )
    assert done.conformity is Conformity.CONFORMING and done.office == "NC"
    assert world.lookup.consignments[1].state is ConsignmentState.ASSESSED
    assert world.lookup.timeline[-1].step is Step.ASSESSED
    assert world.store.assessment_of(1) == done
    [entry] = world.audit.entries
    assert entry["action"] == "consignment.assessed" and entry["in_unit"]


def test_a_not_conforming_decision_with_an_interception_is_kept_in_the_records() -> None:
    world = World()
    world.routed(1)
    form = _form(conformity="not_conforming", disposal="re_treatment", interceptions=(PEST,))
    done = uc.record_inspection(
        world.lookup, world.store, world.audit, 1, form, ctx=ctx_of(INSPECTOR, 100)
    )
    assert done.disposal is Disposal.RE_TREATMENT
    found = uc.find_interceptions(
        world.store, INSPECTOR, uc.InterceptionFilter(pest="dorsalis"), offset=0, limit=10
    )
    assert [(r.pest, r.count, r.products, r.destination) for r in found.items] == [
        ("Bactrocera dorsalis", 3, ("mango",), "SG")
    ]
    assert world.store.count("interceptions", "E1", 0, 200) == 1
    nothing = uc.find_interceptions(
        world.store, ELSEWHERE, uc.InterceptionFilter(), offset=0, limit=10
    )
    assert nothing.total == 0


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"conformity": "not_conforming"}, ["disposal"]),
        ({"disposal": "return"}, ["disposal"]),
        ({"interceptions": (PEST,)}, ["comment"]),
        ({"conformity": "maybe"}, ["conformity"]),
        ({"disposal": "burn"}, ["disposal"]),
        ({"inspected": " "}, ["inspected"]),
        ({"interceptions": (replace(PEST, pest="", count=0),)},
         ["interceptions[0].pest", "interceptions[0].count"]),
        ({"samples": (Sample("", "fruit", "", ""),)}, ["samples[0].sample_id"]),
    ],
)  # fmt: skip
def test_a_record_that_lacks_something_is_refused_field_by_field(
    changes: dict[str, Any], fields: list[str]
) -> None:
    world = World()
    world.routed(1)
    with pytest.raises(FieldsRefused) as caught:
        uc.record_inspection(
            world.lookup, world.store, world.audit, 1, _form(**changes), ctx=ctx_of(INSPECTOR, 9)
        )
    assert [field for field, _ in caught.value.wrong] == fields
    assert all(m.params["field"] == f for f, m in caught.value.wrong)
    assert world.lookup.consignments[1].state is ConsignmentState.ROUTED
    assert world.audit.entries == []


def test_a_pest_found_on_a_conforming_consignment_needs_the_reason_why() -> None:
    world = World()
    world.routed(1)
    form = _form(interceptions=(PEST,), comment="dead larvae: not a live pest")
    done = uc.record_inspection(
        world.lookup, world.store, world.audit, 1, form, ctx=ctx_of(INSPECTOR, 9)
    )
    assert done.interceptions == (PEST,)


def test_only_an_inspector_covering_the_enterprise_may_assess() -> None:
    world = World()
    world.routed(1)
    with refused(Code.ASSESS_INSPECTOR_ONLY, Kind.FORBIDDEN):
        uc.record_inspection(
            world.lookup, world.store, world.audit, 1, _form(), ctx=ctx_of(DECLARANT, 9)
        )
    with refused(Code.NO_CONSIGNMENT, Kind.NOT_FOUND):
        uc.record_inspection(
            world.lookup, world.store, world.audit, 1, _form(), ctx=ctx_of(ELSEWHERE, 9)
        )
    with refused(Code.NO_CONSIGNMENT, Kind.NOT_FOUND):
        uc.record_inspection(
            world.lookup, world.store, world.audit, 2, _form(), ctx=ctx_of(INSPECTOR, 9)
        )


def test_a_consignment_released_on_documents_or_assessed_already_is_not_inspected() -> None:
    world = World()
    world.routed(1, RouteOutcome.DOCUMENTS)
    with refused(Code.ASSESS_NOT_INSPECT, Kind.CONFLICT):
        uc.record_inspection(
            world.lookup, world.store, world.audit, 1, _form(), ctx=ctx_of(INSPECTOR, 9)
        )
    world.routed(2)
    uc.record_inspection(world.lookup, world.store, world.audit, 2, _form(),
                         ctx=ctx_of(INSPECTOR, 9))  # fmt: skip
    with refused(Code.ASSESS_STATE, Kind.CONFLICT):
        uc.record_inspection(
            world.lookup, world.store, world.audit, 2, _form(), ctx=ctx_of(INSPECTOR, 10)
        )


def test_returning_and_rejecting_say_why_and_move_the_consignment() -> None:
    world = World()
    world.routed(1)
    world.routed(2)
    uc.return_for_correction(
        world.lookup, world.audit, 1, ctx=ctx_of(INSPECTOR, 9), reason="container number wrong"
    )
    uc.reject(world.lookup, world.audit, 2, ctx=ctx_of(INSPECTOR, 9), reason="forged marks")
    assert world.lookup.consignments[1].state is ConsignmentState.RETURNED
    assert world.lookup.consignments[2].state is ConsignmentState.REJECTED
    assert world.lookup.timeline[0].detail["params"] == {"text": "container number wrong"}
    assert world.audit.actions() == ["consignment.returned", "consignment.rejected"]
    with refused(Code.FIELD_TEXT, Kind.INVALID):
        uc.reject(world.lookup, world.audit, 1, ctx=ctx_of(INSPECTOR, 9), reason="  ")
    with refused(Code.ASSESS_STATE, Kind.CONFLICT):
        uc.return_for_correction(world.lookup, world.audit, 2, ctx=ctx_of(INSPECTOR, 9),
                                 reason="again")  # fmt: skip


def test_the_queue_holds_what_the_office_covers_oldest_first() -> None:
    world = World()
    world.routed(1, at=50)
    world.routed(2, at=20)
    world.routed(3, RouteOutcome.DOCUMENTS, at=10)
    assert [w.consignment_id for w in uc.queue(world.store, INSPECTOR)] == [2, 1]
    assert uc.queue(world.store, ELSEWHERE) == []
