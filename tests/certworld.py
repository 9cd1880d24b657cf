"""Certificates' starting points on the accounts world (tests/integration/accountsworld.py): the
people as principals, a signed-off PASS heat-treatment run of K1, and E1's consignment of wood
packaging declared with it, submitted, routed and assessed conforming by GZ's inspector."""

from __future__ import annotations

import json
from decimal import Decimal

from acting import ctx_at, ctx_of
from phytowatch.bootstrap import Services
from phytowatch.domain.accounts import ROLE_ACTIONS, Jurisdiction, Principal, Role
from phytowatch.domain.supervision.consignment import Consignment, Declaration, Line, Party
from phytowatch.services.runs import start_run
from phytowatch.services.signoff import sign_off
from phytowatch.services.supervision.assessment import InspectionForm, record_inspection
from phytowatch.services.supervision.declare import DeclarationService

T0 = 1_772_361_600_000_000  # 2026-03-01T00:00Z, as accountsworld
HOUR = 3_600_000_000
GZ = Jurisdiction(cities=frozenset({"赣州"}))
NC = Jurisdiction(cities=frozenset({"南昌"}))

HT_JUDGEMENT = {
    "verdict": "PASS",
    "schedule": {"id": "ispm15-ht", "version": "1"},
    "step": {"index": 0, "threshold": 56.0, "duration_s": 1800},
    "hold_start": "2026-02-28T15:00:00Z",
    "hold_end": "2026-02-28T16:40:00Z",  # 00:40 on 1 March in the bureau's zone
    "findings": [],
    "review_required": False,
}


def person(services: Services, login: str) -> Principal:
    """The world's user ``login`` as the web would find them."""
    user = services.accounts.user_by_login(login)
    assert user is not None
    role = Role(user.role)
    office = user.office
    where = {"GZ": GZ, "NC": NC}.get(office or "")
    return Principal(
        "user",
        f"user:{login}",
        ROLE_ACTIONS[role],
        role,
        user_id=user.id,
        login=login,
        enterprise=user.enterprise,
        office=office,
        jurisdiction=where,
    )


def passed_run(services: Services, facility: str = "K1", *, at: int = T0) -> int:
    """A signed-off PASS run of ``facility`` under ispm15-ht (its open run closed first)."""
    for record in services.runs.runs_of(facility, 50):
        if record.closed_at is None:
            services.runs.close_run(record.id, at - 3, "operator", "INDETERMINATE", "{}")
    run = start_run(services.runs, facility, "ispm15-ht", load="crates", ctx=ctx_at(at - 2)).id
    services.runs.close_run(run, at - 1, "pass", "PASS", json.dumps(HT_JUDGEMENT))
    inspector = "inspector" if facility == "K1" else "insp_nc"
    sign_off(
        services.runs,
        services.accounts,
        services.audit,
        run,
        ctx=ctx_of(person(services, inspector), at),
        decision="signed_off",
        comment="",
    )
    return run


def declaration(runs: tuple[int, ...], destination: str = "SG") -> Declaration:
    return Declaration(
        exporter=Party("", ""),
        consignee=Party("Lim Trading Pte Ltd", "8 Jurong Port Rd, Singapore"),
        lines=(
            Line(
                "wood-packaging",
                "Pinus massoniana",
                Decimal("1200"),
                "kg",
                40,
                "pallets",
                "wooden pallets",
            ),
        ),
        destination=destination,
        port_of_exit="CNNCH",
        conveyance="truck 赣B12345",
        marks="LIM-2026-03",
        containers=("MSCU1234566",),
        bases=(),
        runs=runs,
        place_of_origin="赣州, Jiangxi",
        point_of_entry="Singapore",
    )


def assessed(services: Services, *, at: int = T0, runs: tuple[int, ...] = ()) -> Consignment:
    """E1's consignment, declared, submitted, routed and assessed conforming by GZ."""
    declarant = ctx_of(person(services, "declarant"), at)
    declare = DeclarationService.of(services)
    made = declare.create(declaration(runs), ctx=declarant)
    submitted = declare.submit(made.id, ctx=declarant).consignment
    if submitted.state.value == "routed":
        record_inspection(
            services.consignments,
            services.assessments,
            services.audit,
            made.id,
            InspectionForm("5 of 40 pallets", (), "", "none", (), "conforming", "", ""),
            ctx=ctx_of(person(services, "inspector"), at + 1),
        )
    found = services.consignments.consignment(made.id)
    assert found is not None and found.state.value == "assessed", found
    return found
