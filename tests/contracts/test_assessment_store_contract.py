"""The routes-and-assessments store's contract (``services.supervision.assessment.Assessments``),
held alike by the in-memory fake and the SQL store on each database: the sampling key, routes,
the inspection owed, assessments with their samples and interceptions, the queue, the records,
the count and the owner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pytest
from stores import T0

from acting import ctx_at
from fakes import InMemoryAssessmentStore, InMemoryConsignmentLookup
from phytowatch.domain.messages import Code, Word, say
from phytowatch.domain.supervision.assessment import (
    Assessment,
    AssessmentKind,
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
)
from phytowatch.domain.supervision.policy import RouteOutcome, SupervisionMode
from phytowatch.domain.supervision.routing import Route
from phytowatch.services.supervision.assessment import (
    Assessments,
    InterceptionFilter,
    QueueFilter,
)
from phytowatch.services.supervision.ports import ConsignmentLookup

CITIES = {"E1": "南昌", "E2": "赣州"}


@dataclass
class Desk:
    lookup: ConsignmentLookup
    store: Assessments
    add: Callable[[str, str, ConsignmentState], Consignment]  # enterprise, number, state
    set_state: Callable[[int, ConsignmentState], None]


def _memory() -> Desk:
    lookup = InMemoryConsignmentLookup()
    store = InMemoryAssessmentStore(lookup)

    def add(enterprise: str, number: str, state: ConsignmentState) -> Consignment:
        cid = len(lookup.consignments) + 1
        found = Consignment(cid, number, enterprise, CITIES[enterprise], state, 1, T0, "user:op")
        declaration = Declaration(
            Party("E", "a"), Party("C", "b"), (Line("mango", "", Decimal(1), "t", 1, "c"),),
            "SG", "CNNCH", "truck", "", (), (), (),
        )  # fmt: skip
        return lookup.add(found, declaration)

    def set_state(cid: int, state: ConsignmentState) -> None:
        lookup.consignments[cid] = replace(lookup.consignments[cid], state=state)

    return Desk(lookup, store, add, set_state)


def _sql(request: pytest.FixtureRequest) -> Desk:
    from sqlalchemy import insert, select, update

    from phytowatch.bootstrap import Services
    from phytowatch.services.provisioning import add_enterprise
    from phytowatch.storage.supervision.consignment_tables import consignments
    from phytowatch.storage.tables import enterprises

    services: Services = request.getfixturevalue("services")
    for code, city in CITIES.items():
        add_enterprise(services.registry, code, "企业", "Enterprise", city, "II", ctx=ctx_at(T0))

    def add(enterprise: str, number: str, state: ConsignmentState) -> Consignment:
        with services.engine.begin() as conn:
            owner = conn.execute(
                select(enterprises.c.id).where(enterprises.c.code == enterprise)
            ).scalar_one()
            cid = conn.execute(
                insert(consignments)
                .values(number=number, enterprise_id=owner, state=state.value, version=1,
                        destination="SG", created_at=T0, created_by="user:op", updated_at=T0)
                .returning(consignments.c.id)
            ).scalar_one()  # fmt: skip
        found = services.consignments.consignment(cid)
        assert found is not None
        return found

    def set_state(cid: int, state: ConsignmentState) -> None:
        with services.engine.begin() as conn:
            conn.execute(
                update(consignments).where(consignments.c.id == cid).values(state=state.value)
            )

    return Desk(services.consignments, services.assessments, add, set_state)


@pytest.fixture
def desk(store_kind: str, request: pytest.FixtureRequest) -> Desk:
    return _memory() if store_kind == "memory" else _sql(request)


def _route(consignment: Consignment, outcome: RouteOutcome, at: int, **inputs: Any) -> Route:
    recorded = {"destination": "SG", "products": {"mango": "high"}, "owed": [], **inputs}
    reasons = (
        say(Code.ROUTE_CELL, klass="II", risk=Word("high"), mode=Word("general"), percent="20"),
        say(Code.ROUTE_DRAW_INSPECT, draw="0.100000", ratio="0.20"),
    )
    return Route(consignment.id, consignment.version, outcome, SupervisionMode.GENERAL,
                 Decimal("0.20"), Decimal("0.100000"), "2026.1", reasons, recorded, at,
                 ("key_list",) if outcome is RouteOutcome.INSPECT else ())  # fmt: skip


def _assessment(consignment: Consignment, *found: Interception) -> Assessment:
    return Assessment(
        consignment.id, consignment.version, AssessmentKind.INSPECTION,
        Conformity.NOT_CONFORMING if found else Conformity.CONFORMING,
        Disposal.RE_TREATMENT if found else None, "3 cartons",
        (Sample("S-1", "fruit", "lab", "positive"),), "positive", "larvae", found, "",
        {}, "user:li", "NC", T0 + 100,
    )  # fmt: skip


def test_the_sampling_key_is_made_once_and_kept(desk: Desk) -> None:
    key = desk.store.sampling_key(now=T0)
    assert len(key) == 32
    assert desk.store.sampling_key(now=T0 + 1) == key


def test_a_route_is_read_back_as_it_was_written(desk: Desk) -> None:
    c = desk.add("E1", "C-1", ConsignmentState.ROUTED)
    written = _route(c, RouteOutcome.INSPECT, T0)
    desk.store.add_route(written)
    assert desk.store.routes(c.id) == [written]
    assert desk.store.consignment_id("C-1") == c.id
    assert desk.store.consignment_id("C-404") is None
    assert desk.store.owner_of(c.id) == ("E1", "南昌")
    assert desk.store.owner_of(9999) is None


def test_the_queue_holds_routed_consignments_to_inspect_in_reach_oldest_first(desk: Desk) -> None:
    late = desk.add("E1", "C-1", ConsignmentState.ROUTED)
    early = desk.add("E2", "C-2", ConsignmentState.ROUTED)
    released = desk.add("E1", "C-3", ConsignmentState.ASSESSED)
    desk.store.add_route(_route(late, RouteOutcome.INSPECT, T0 + 50))
    desk.store.add_route(_route(early, RouteOutcome.INSPECT, T0 + 10))
    desk.store.add_route(_route(released, RouteOutcome.DOCUMENTS, T0))
    assert [w.number for w in desk.store.queue(None, None)] == ["C-2", "C-1"]
    assert desk.store.waiting(None, None) == 2
    assert desk.store.waiting(["南昌"], []) == 1
    assert desk.store.waiting([], []) == 0
    assert [w.number for w in desk.store.queue(["南昌"], [])] == ["C-1"]
    assert [w.number for w in desk.store.queue([], ["E2"])] == ["C-2"]
    [first, _] = desk.store.queue(None, None)
    assert (first.enterprise, first.city, first.fired) == ("E2", "赣州", ("key_list",))
    assert first.reasons[0].code is Code.ROUTE_CELL


def test_the_queue_is_filtered_paged_and_counted(desk: Desk) -> None:
    made = [desk.add("E1" if n % 3 else "E2", f"C-{n}", ConsignmentState.ROUTED) for n in range(7)]
    for n, c in enumerate(made):  # C-0, C-3, C-6 are E2's (赣州); C-2 and C-5 strict
        route = _route(c, RouteOutcome.INSPECT, T0 + 10 * (7 - n))  # C-6 waits the longest
        if n % 3 == 2:
            route = replace(route, mode=SupervisionMode.STRICT, fired=("base_suspended",))
        desk.store.add_route(route)
    everyone = [w.number for w in desk.store.queue(None, None)]
    assert everyone == ["C-6", "C-5", "C-4", "C-3", "C-2", "C-1", "C-0"]
    assert [w.number for w in desk.store.queue(None, None, offset=2, limit=3)] == [
        "C-4", "C-3", "C-2",
    ]  # fmt: skip
    assert [w.number for w in desk.store.queue(None, None, offset=6, limit=3)] == ["C-0"]
    strict = QueueFilter(mode="strict")
    assert [w.number for w in desk.store.queue(None, None, strict)] == ["C-5", "C-2"]
    assert desk.store.waiting(None, None, strict) == 2
    suspended = QueueFilter(rule="base_suspended")
    assert [w.number for w in desk.store.queue(None, None, suspended)] == ["C-5", "C-2"]
    assert desk.store.waiting(None, None, QueueFilter(rule="key_list")) == 5
    assert desk.store.waiting(None, None, QueueFilter(rule="key")) == 0  # a whole name only
    e2 = QueueFilter(enterprise="E2")
    assert [w.number for w in desk.store.queue(None, None, e2)] == ["C-6", "C-3", "C-0"]
    assert desk.store.waiting(None, None, QueueFilter(city="南昌")) == 4
    assert desk.store.waiting(None, None, QueueFilter(destination="sg")) == 7
    assert desk.store.waiting(None, None, QueueFilter(destination="JP")) == 0
    # within reach only: the filters narrow it, never widen it
    assert desk.store.waiting(["南昌"], [], e2) == 0
    assert [w.number for w in desk.store.queue(["南昌"], [], strict, limit=1)] == ["C-5"]
    assert desk.store.waiting([], ["E2"], QueueFilter(city="赣州", mode="general")) == 3


def test_an_inspection_is_owed_after_a_withdrawal_until_taken_over(desk: Desk) -> None:
    withdrawn = desk.add("E1", "C-1", ConsignmentState.ROUTED)
    desk.store.add_route(_route(withdrawn, RouteOutcome.INSPECT, T0))
    assert desk.store.owed("E1", "SG", ["mango"]) == []
    desk.set_state(withdrawn.id, ConsignmentState.WITHDRAWN)
    assert desk.store.owed("E1", "SG", ["mango", "tea-green"]) == ["C-1"]
    assert desk.store.owed("E1", "US", ["mango"]) == []
    assert desk.store.owed("E1", "SG", ["tea-green"]) == []
    assert desk.store.owed("E2", "SG", ["mango"]) == []
    taker = desk.add("E1", "C-2", ConsignmentState.ROUTED)
    desk.store.add_route(_route(taker, RouteOutcome.INSPECT, T0 + 1, owed=["C-1"]))
    assert desk.store.owed("E1", "SG", ["mango"]) == []


def test_an_assessment_and_its_interceptions_are_read_back(desk: Desk) -> None:
    c = desk.add("E1", "C-1", ConsignmentState.ROUTED)
    desk.store.add_route(_route(c, RouteOutcome.INSPECT, T0))
    pest = Interception("Bactrocera dorsalis", LifeStage.LARVA, 4, "lot 2")
    written = _assessment(c, pest)
    desk.store.add_assessment(written, consignment=c)
    assert desk.store.assessment_of(c.id) == written
    found = desk.store.interceptions(InterceptionFilter(pest="DORSALIS"), None, offset=0, limit=5)
    assert found.total == 1
    [record] = found.items
    assert (record.number, record.products, record.destination, record.city) == (
        "C-1", ("mango",), "SG", "南昌",
    )  # fmt: skip
    cases: list[tuple[InterceptionFilter, tuple[list[str], list[str]] | None, int]] = [
        (InterceptionFilter(product="mango"), None, 1),
        (InterceptionFilter(product="man"), None, 0),
        (InterceptionFilter(enterprise="E2"), None, 0),
        (InterceptionFilter(start=T0 + 101), None, 0),
        (InterceptionFilter(end=T0 + 101), None, 1),
        (InterceptionFilter(), ([], ["E1"]), 1),
        (InterceptionFilter(), (["赣州"], []), 0),
    ]
    for wanted, reach, total in cases:
        assert desk.store.interceptions(wanted, reach, offset=0, limit=5).total == total, wanted
    assert desk.store.count("interceptions", "E1", T0, T0 + 101) == 1
    assert desk.store.count("interceptions", "E1", T0 + 101, T0 + 200) == 0
    assert desk.store.count("declarations", "E1", T0, T0 + 101) is None
