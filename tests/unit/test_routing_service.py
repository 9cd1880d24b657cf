"""Routing a submitted declaration (services/supervision/routing.py) on the in-memory stores:
the route recorded, the moves and their entries in the caller's unit, the documents assessment,
a correction and a withdrawal that cannot undo an inspection, the redraw."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from acting import ctx_at
from fakes import (
    InMemoryAssessmentStore,
    InMemoryAuditRecorder,
    InMemoryConsignmentLookup,
    InMemoryStandingLookup,
)
from phytowatch.domain.messages import Code, Kind, Word, stored_message
from phytowatch.domain.supervision.assessment import AssessmentKind, Conformity
from phytowatch.domain.supervision.consignment import (
    BackingRun,
    Consignment,
    ConsignmentState,
    Declaration,
    Line,
    Party,
    Step,
)
from phytowatch.domain.supervision.policy import RouteOutcome
from phytowatch.domain.supervision.registry import EnterpriseStanding
from phytowatch.domain.supervision.routing import (
    INSPECTED_BEFORE,
    INSPECTION_OWED,
    NOT_E_SUPERVISED,
    sampling_draw,
)
from phytowatch.rules import load_shipped
from phytowatch.services.supervision.policy import StaticPolicy
from phytowatch.services.supervision.routing import Routing, redraw
from refusals import refused

KEY = b"k" * 32
RULES = load_shipped().routing


class World:
    def __init__(self) -> None:
        self.lookup = InMemoryConsignmentLookup()
        self.store = InMemoryAssessmentStore(self.lookup, KEY)
        self.standing = InMemoryStandingLookup()
        self.audit = InMemoryAuditRecorder()
        self.router = Routing(
            policy=StaticPolicy(load_shipped()),
            standing=self.standing,
            consignments=self.lookup,
            store=self.store,
            audit=self.audit,
        )
        self.lookup.runs[1] = BackingRun(1, "E1", "F1", "ispm15-ht", True, "PASS", True, False)

    def classify(self, klass: str) -> None:
        self.standing.standings["E1"] = EnterpriseStanding(
            "E1", "cn-class", klass, True, False, 0, "user:root"
        )

    def submit(self, cid: int, number: str, *products: str, version: int = 1) -> Consignment:
        declaration = Declaration(
            Party("E", "a"),
            Party("C", "b"),
            tuple(Line(p, "", Decimal(1), "t", 1, "cartons") for p in products),
            "SG",
            "CNNCH",
            "truck",
            "",
            (),
            (),
            (1,),
        )
        consignment = Consignment(
            cid, number, "E1", "南昌", ConsignmentState.SUBMITTED, version, 0, "user:op"
        )
        return self.lookup.add(consignment, declaration)

    def route(self, consignment: Consignment, now: int = 10):  # type: ignore[no-untyped-def]
        declaration = self.lookup.declarations[(consignment.id, consignment.version)]
        return self.router.on_submitted(consignment, declaration, ctx=ctx_at(now, "user:op"))


def _number(ratio: str, *, below: bool) -> str:
    """A consignment number whose draw is below (or at least) ``ratio``."""
    for i in range(10_000):
        number = f"C-{i}"
        if (sampling_draw(KEY, number, RULES.version) < Decimal(ratio)) is below:
            return number
    raise AssertionError("no such number")


def test_a_consignment_drawn_above_its_ratio_is_released_and_assessed_on_documents() -> None:
    world = World()
    world.classify("I")
    consignment = world.submit(1, _number("0.02", below=False), "tea-green")
    decided = world.route(consignment)
    assert decided is not None and decided.outcome is RouteOutcome.DOCUMENTS
    assert world.store.routes(1) == [decided]
    assert world.lookup.consignments[1].state is ConsignmentState.ASSESSED
    assert [e.step for e in world.lookup.timeline] == [Step.ROUTED, Step.ASSESSED]
    routed, assessed = (stored_message(e.detail) for e in world.lookup.timeline)
    assert routed.code is Code.ROUTE_TIMELINE
    assert routed.params == {"outcome": Word("documents"), "mode": Word("credit")}
    assert assessed.code is Code.ASSESSED_ON_DOCUMENTS
    assessment = world.store.assessment_of(1)
    assert assessment is not None
    assert assessment.kind is AssessmentKind.DOCUMENTS
    assert assessment.conformity is Conformity.CONFORMING
    assert assessment.evidence == {"runs": [1], "bases": []}
    actions = [e["action"] for e in world.audit.entries]
    assert actions == ["consignment.routed", "consignment.assessed"]
    assert all(e["in_unit"] for e in world.audit.entries)


def test_a_consignment_drawn_below_its_ratio_waits_for_an_inspector() -> None:
    world = World()
    world.classify("III")  # general risk -> general supervision, 20 %
    consignment = world.submit(1, _number("0.20", below=True), "tea-green")
    decided = world.route(consignment)
    assert decided is not None and decided.outcome is RouteOutcome.INSPECT
    assert decided.fired == ()
    assert world.lookup.consignments[1].state is ConsignmentState.ROUTED
    assert world.store.assessment_of(1) is None
    assert [w.number for w in world.store.queue(None, None)] == [consignment.number]


def test_an_enterprise_with_no_standing_is_inspected() -> None:
    world = World()
    decided = world.route(world.submit(1, "C-1", "tea-green"))
    assert decided is not None and decided.fired == (NOT_E_SUPERVISED,)


def test_a_correction_keeps_its_draw_and_stays_inspected() -> None:
    world = World()
    world.classify("III")
    number = _number("0.20", below=True)
    first = world.route(world.submit(1, number, "tea-green"))
    assert first is not None and first.outcome is RouteOutcome.INSPECT
    world.classify("I")  # even a better class since: once inspected, inspected
    second = world.route(world.submit(1, number, "tea-green", version=2), now=20)
    assert second is not None
    assert second.draw == first.draw
    assert second.outcome is RouteOutcome.INSPECT
    assert second.fired == (INSPECTED_BEFORE,)


def test_withdrawing_a_consignment_routed_to_inspect_leaves_the_inspection_owed() -> None:
    world = World()
    world.classify("III")
    number = _number("0.20", below=True)
    world.route(world.submit(1, number, "tea-green"))
    world.lookup.consignments[1] = replace(
        world.lookup.consignments[1], state=ConsignmentState.WITHDRAWN
    )
    again = world.route(world.submit(2, _number("0.20", below=False), "tea-green"), now=20)
    assert again is not None and again.fired == (INSPECTION_OWED,)
    assert again.inputs["owed"] == [number]
    # taken over once: the declaration after that is routed as any other
    world.lookup.consignments[2] = replace(
        world.lookup.consignments[2], state=ConsignmentState.WITHDRAWN
    )
    assert world.store.owed("E1", "SG", ["tea-green"]) == [world.lookup.consignments[2].number]


def test_routing_a_consignment_someone_moved_first_is_refused() -> None:
    world = World()
    consignment = world.submit(1, "C-1", "tea-green")
    world.lookup.consignments[1] = replace(consignment, state=ConsignmentState.WITHDRAWN)
    with refused(Code.ASSESS_RACE, Kind.CONFLICT):
        world.route(consignment)


def test_the_redraw_recomputes_a_recorded_route_and_says_when_it_differs() -> None:
    world = World()
    world.classify("I")
    number = _number("0.02", below=False)
    world.route(world.submit(1, number, "tea-green"))
    [checked] = redraw(world.store, number, now=50)
    assert checked.matches and checked.message.code is Code.ROUTE_REDRAW_MATCHES
    recorded = world.store.route_rows[0]
    world.store.route_rows[0] = replace(recorded, draw=Decimal("0.010000"))
    [tampered] = redraw(world.store, number, now=50)
    assert not tampered.matches and tampered.message.code is Code.ROUTE_REDRAW_DIFFERS


@pytest.mark.parametrize("number", ["C-404"])
def test_the_redraw_of_an_unknown_consignment_is_refused(number: str) -> None:
    with refused(Code.ROUTE_NO_NUMBER, Kind.NOT_FOUND):
        redraw(World().store, number, now=1)
