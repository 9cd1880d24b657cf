"""Routing and assessment on real SQLite and PostgreSQL (storage/supervision/assessment_store.py,
consignments_repo.py): the route and its moves in one unit, the documents assessment, the
inspector's record, the queue, the interception records, the inspection owed after a
withdrawal, the redraw; and every legal record refusing UPDATE and DELETE."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import DBAPIError

from acting import ctx_at, ctx_of
from phytowatch.bootstrap import Services
from phytowatch.domain.accounts import Action, Jurisdiction, Principal, Role
from phytowatch.domain.supervision.assessment import Interception, LifeStage, Sample
from phytowatch.domain.supervision.consignment import (
    Consignment,
    ConsignmentState,
)
from phytowatch.domain.supervision.policy import RouteOutcome
from phytowatch.domain.supervision.registry import EnterpriseStanding
from phytowatch.domain.supervision.routing import INSPECTION_OWED, NOT_E_SUPERVISED
from phytowatch.services.provisioning import add_enterprise
from phytowatch.services.supervision import assessment as uc
from phytowatch.services.supervision.routing import Routing, redraw
from phytowatch.storage.supervision.consignment_tables import (
    consignment_events,
    consignments,
)
from phytowatch.storage.tables import enterprises
from routingworld import declaration, submitted

T0 = 1_772_361_600_000_000
INSPECTOR = Principal(
    "user",
    "user:li",
    frozenset({Action.CONSIGNMENTS_ASSESS}),
    role=Role.INSPECTOR,
    user_id=1,
    login="li",
    office="NC",
    jurisdiction=Jurisdiction(cities=frozenset({"南昌"})),
)


def _submitted(services: Services, number: str, *products: str, at: int = T0) -> Consignment:
    return submitted(services, "E1", number, *products, at=at)


@pytest.fixture
def nanchang(services: Services) -> Services:
    add_enterprise(services.registry, "E1", "企业", "Enterprise", "南昌", "II", ctx=ctx_at(T0))
    return services


def _classified(services: Services, klass: str) -> None:
    standing = EnterpriseStanding("E1", "cn-class", klass, True, False, 0, "user:root")

    class Standing:
        def standing(self, enterprise: str) -> EnterpriseStanding | None:
            return standing

        def base(self, number: str) -> None:
            return None

    router = services.router
    assert isinstance(router, Routing)
    router.standing = Standing()


def test_an_enterprise_not_under_e_supervision_is_routed_to_inspect_and_queued(
    nanchang: Services,
) -> None:
    services = nanchang
    routed = _submitted(services, "C-1", "mango")
    assert routed.state is ConsignmentState.ROUTED
    [route] = services.assessments.routes(routed.id)
    assert route.outcome is RouteOutcome.INSPECT and route.fired == (NOT_E_SUPERVISED,)
    assert route.reasons[0].params["klass"] == "II"  # its registered grade: never classified
    [waiting] = uc.queue(services.assessments, INSPECTOR)
    assert (waiting.number, waiting.city, waiting.fired) == ("C-1", "南昌", (NOT_E_SUPERVISED,))
    with services.engine.connect() as conn:
        steps = conn.execute(
            select(consignment_events.c.step).where(
                consignment_events.c.consignment_id == routed.id
            )
        ).scalars()
        assert list(steps) == ["routed"]
    [checked] = redraw(services.assessments, "C-1", now=T0)
    assert checked.matches


def test_a_released_consignment_is_assessed_on_documents(nanchang: Services) -> None:
    services = nanchang
    _classified(services, "I")
    key = services.assessments.sampling_key(now=T0)
    from phytowatch.domain.supervision.routing import sampling_draw

    number = next(
        f"D-{i}" for i in range(1000) if sampling_draw(key, f"D-{i}", "2026.1") >= Decimal("0.02")
    )
    routed = _submitted(services, number, "tea-green")
    assert routed.state is ConsignmentState.ASSESSED
    assessment = services.assessments.assessment_of(routed.id)
    assert assessment is not None and assessment.kind.value == "documents"
    assert uc.queue(services.assessments, INSPECTOR) == []


def test_an_inspection_is_recorded_with_its_samples_and_interceptions(nanchang: Services) -> None:
    services = nanchang
    routed = _submitted(services, "C-1", "mango")
    pest = Interception("Bactrocera dorsalis", LifeStage.LARVA, 3, "lot 2")
    form = uc.InspectionForm(
        "3 pallets", (Sample("S-1", "fruit", "lab", "positive"),), "positive", "larvae",
        (pest,), "not_conforming", "destruction", "",
    )  # fmt: skip
    uc.record_inspection(
        services.consignments,
        services.assessments,
        services.audit,
        routed.id,
        form,
        ctx=ctx_of(INSPECTOR, T0 + 10),
    )
    stored = services.assessments.assessment_of(routed.id)
    assert stored is not None
    assert stored.samples == form.samples and stored.interceptions == (pest,)
    found = uc.find_interceptions(
        services.assessments, INSPECTOR, uc.InterceptionFilter(text="DORSALIS"), offset=0, limit=5
    )
    assert [(r.number, r.products, r.city) for r in found.items] == [("C-1", ("mango",), "南昌")]
    assert services.assessments.count("interceptions", "E1", T0, T0 + 11) == 1
    assert services.assessments.count("failed_runs", "E1", T0, T0 + 11) is None
    assert services.assessments.owner_of(routed.id) == ("E1", "南昌")
    assert services.audit.verify().intact


def test_a_withdrawal_after_a_route_to_inspect_leaves_an_inspection_owed(
    nanchang: Services,
) -> None:
    services = nanchang
    first = _submitted(services, "C-1", "mango")
    with services.engine.begin() as conn:  # the declarant withdraws it (another use case)
        conn.execute(
            update(consignments).where(consignments.c.id == first.id).values(state="withdrawn")
        )
    _classified(services, "I")
    again = _submitted(services, "C-2", "mango", at=T0 + 5)
    [route] = services.assessments.routes(again.id)
    assert INSPECTION_OWED in route.fired
    assert services.assessments.owed("E1", "SG", ["mango"]) == []


@pytest.mark.parametrize(
    "table",
    ["sampling_keys", "consignment_routes", "assessments", "assessment_samples", "interceptions"],
)
def test_the_legal_records_refuse_update_and_delete(nanchang: Services, table: str) -> None:
    services = nanchang
    routed = _submitted(services, "C-1", "mango")
    form = uc.InspectionForm(
        "3 pallets", (Sample("S-1", "fruit", "lab", ""),), "", "",
        (Interception("Ceratitis capitata", LifeStage.ADULT, 1, "lot 1"),),
        "conforming", "", "dead adult, not viable",
    )  # fmt: skip
    uc.record_inspection(
        services.consignments, services.assessments, services.audit, routed.id, form,
        ctx=ctx_of(INSPECTOR, T0 + 10),
    )  # fmt: skip
    column = {"assessment_samples": "lab", "sampling_keys": "created_at"}.get(table, "at")
    value = "'x'" if column == "lab" else "0"
    for statement in (f"UPDATE {table} SET {column} = {value}", f"DELETE FROM {table}"):
        with pytest.raises(DBAPIError, match="append-only"), services.engine.begin() as conn:
            conn.execute(text(statement))


def test_the_route_is_taken_back_with_the_submission_that_fails(nanchang: Services) -> None:
    """The router works in the submission's unit: a submission that fails after routing leaves
    no route, no move, no entry."""
    services = nanchang
    with services.engine.begin() as conn:
        owner = conn.execute(
            select(enterprises.c.id).where(enterprises.c.code == "E1")
        ).scalar_one()
        cid = conn.execute(
            insert(consignments)
            .values(number="C-9", enterprise_id=owner, state="submitted", version=1,
                    destination="SG", created_at=T0, created_by="user:op", updated_at=T0)
            .returning(consignments.c.id)
        ).scalar_one()  # fmt: skip
    found = services.consignments.consignment(cid)
    assert found is not None
    entries = services.audit.verify().count
    with pytest.raises(RuntimeError), services.audit.atomic():
        services.router.on_submitted(found, declaration("mango"), ctx=ctx_at(T0, "user:op"))
        assert services.assessments.routes(cid) != []  # seen inside the unit
        raise RuntimeError("the submission fails after routing")
    assert services.assessments.routes(cid) == []
    after = services.consignments.consignment(cid)
    assert after is not None and after.state is ConsignmentState.SUBMITTED
    assert services.audit.verify().count == entries
