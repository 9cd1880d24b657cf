"""A consignment ready for a certificate, made through the use cases as people would: the
inspector signs off a closed PASS run, the enterprise's declarant declares a consignment it backs
and submits it, the router routes it and, if sent to inspection, the inspector finds it
conforming; an administrator gives the office a signing key. What the certificates' page and
browser tests start from (the logins are the world's: ``declarant``, ``inspector``, ``admin``)."""

from __future__ import annotations

from decimal import Decimal

from acting import ctx_of
from phytowatch.demo.chain import principal
from phytowatch.domain.supervision.consignment import Consignment, Declaration, Line, Party
from phytowatch.domain.supervision.policy import RouteOutcome
from phytowatch.services.app import App
from phytowatch.services.signoff import sign_off
from phytowatch.services.supervision.assessment import InspectionForm, record_inspection
from phytowatch.services.supervision.declare import DeclarationService


def wood_packaging(run_id: int) -> Declaration:
    return Declaration(
        exporter=Party("", ""),
        consignee=Party("Pacific Fruit Co.", "12 Harbour Rd, Long Beach"),
        lines=(Line("wood-packaging", "", Decimal(120), "pieces", 120, "pallets"),),
        destination="US",
        port_of_exit="CNSHA",
        conveyance="vessel COSCO Aries",
        marks="PF-1",
        containers=("CSQU3054383",),
        bases=(),
        runs=(run_id,),
        place_of_origin="Jiangxi, China",
        point_of_entry="Long Beach",
    )


def signed_off(app: App, run_id: int, *, now: int, inspector: str = "inspector") -> None:
    if app.accounts.signoff_of(run_id) is None:
        sign_off(
            app.runs, app.accounts, app.audit, run_id,
            ctx=ctx_of(principal(app, inspector), now), decision="signed_off",
            comment="Load and probe records checked; calibration notes read.",
        )  # fmt: skip


def conforming(
    app: App,
    run_id: int,
    *,
    now: int,
    declarant: str = "declarant",
    inspector: str = "inspector",
) -> Consignment:
    """A consignment backed by the (signed-off) run, submitted, routed and, when inspected,
    found conforming."""
    signed_off(app, run_id, now=now, inspector=inspector)
    service = DeclarationService.of(app)
    ctx = ctx_of(principal(app, declarant), now)
    draft = service.create(wood_packaging(run_id), ctx=ctx)
    submitted = service.submit(draft.id, ctx=ctx)
    if submitted.route is not None and submitted.route.outcome is not RouteOutcome.DOCUMENTS:
        form = InspectionForm(
            inspected="12 of 120 pallets checked; marks and seals checked", samples=(),
            lab_results="", findings="no pest found", interceptions=(),
            conformity="conforming", disposal="", comment="",
        )  # fmt: skip
        record_inspection(
            app.consignments, app.assessments, app.audit, draft.id, form,
            ctx=ctx_of(principal(app, inspector), now + 1),
        )  # fmt: skip
    found = app.consignments.consignment(draft.id)
    assert found is not None
    return found


def office_key(app: App, office: str, *, now: int, admin: str = "admin") -> None:
    if not app.certificates.keys(office):
        app.certificates.create_key(office, ctx=ctx_of(principal(app, admin), now))
