"""Routing and conformity assessment over JSON: the inspector's queue, a consignment's route,
the inspection's record, return for correction, reject; the interception records.

Rules (``web.auth``): ``consignments:read`` to read (an enterprise its own consignments, an
inspector its office's: the tenant check on ``{consignment_id}``, the reach of the lists);
``consignments:assess`` (inspectors) to decide.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, Refused, message_json, say
from phytowatch.domain.supervision.assessment import (
    Assessment,
    Conformity,
    Disposal,
    Interception,
    LifeStage,
    Sample,
)
from phytowatch.domain.supervision.policy import SupervisionMode
from phytowatch.domain.supervision.routing import HARD_RULES, Route
from phytowatch.services.app import App
from phytowatch.services.supervision import assessment as uc
from phytowatch.web.auth import allow, principal_of
from phytowatch.web.body import StrictJsonRoute
from phytowatch.web.deps import RowId, StrictBody, context_of, documented, names_nothing
from phytowatch.web.errors import CALLER, UNSAFE, ApiError, answers

router = APIRouter(prefix="/api/v1", route_class=StrictJsonRoute)

MAX_LIMIT = 500
MODES = tuple(m.value for m in SupervisionMode)
RULES = tuple(sorted(HARD_RULES))
TOTAL = "X-Total-Count"  # how many of the queue match, whatever the page


class SampleIn(StrictBody):
    sample_id: str = Field(max_length=200)
    kind: str = Field(max_length=200)
    lab: str = Field("", max_length=200)
    result: str = Field("", max_length=2000)


class InterceptionIn(StrictBody):
    pest: str = Field(max_length=200, description="scientific name")
    life_stage: str = Field(json_schema_extra=documented(enum=[s.value for s in LifeStage]))
    count: int = Field(ge=1, le=1_000_000_000)
    batches: str = Field("", max_length=2000, description="batches, lots or containers affected")


class AssessmentIn(StrictBody):
    inspected: str = Field(max_length=2000, description="what was inspected, and how")
    samples: list[SampleIn] = Field(default_factory=list, max_length=200)
    lab_results: str = Field("", max_length=2000)
    findings: str = Field("", max_length=2000)
    interceptions: list[InterceptionIn] = Field(default_factory=list, max_length=200)
    conformity: str = Field(json_schema_extra=documented(enum=[c.value for c in Conformity]))
    disposal: str = Field("", json_schema_extra=documented(enum=["", *(d.value for d in Disposal)]))
    comment: str = Field("", max_length=2000)


class ReasonIn(StrictBody):
    reason: str = Field(max_length=2000)


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


def route_json(route: Route) -> dict[str, Any]:
    return {
        "version": route.version,
        "outcome": route.outcome.value,
        "mode": route.mode.value,
        "ratio": str(route.ratio),
        "draw": str(route.draw),
        "rules_version": route.rules_version,
        "hard_rules": list(route.fired),
        "reasons": [message_json(m) for m in route.reasons],
        "inputs": dict(route.inputs),
        "at": route.at,
    }


def assessment_json(assessment: Assessment | None) -> dict[str, Any] | None:
    if assessment is None:
        return None
    return {
        "version": assessment.version,
        "kind": assessment.kind.value,
        "conformity": assessment.conformity.value,
        "disposal": None if assessment.disposal is None else assessment.disposal.value,
        "inspected": assessment.inspected,
        "samples": [vars(s) for s in assessment.samples],
        "lab_results": assessment.lab_results,
        "findings": assessment.findings,
        "interceptions": [
            {**vars(i), "life_stage": i.life_stage.value} for i in assessment.interceptions
        ],
        "comment": assessment.comment,
        "evidence": assessment.evidence,
        "by": assessment.by,
        "office": assessment.office,
        "at": assessment.at,
    }


def _stage(value: str, index: int) -> LifeStage:
    try:
        return LifeStage(value)
    except ValueError:
        field = f"interceptions[{index}].life_stage"
        choices = ", ".join(s.value for s in LifeStage)
        raise ApiError(422, say(Code.FIELD_CHOICE, field=field, choices=choices)) from None


def form_of(body: AssessmentIn) -> uc.InspectionForm:
    return uc.InspectionForm(
        inspected=body.inspected,
        samples=tuple(Sample(s.sample_id, s.kind, s.lab, s.result) for s in body.samples),
        lab_results=body.lab_results,
        findings=body.findings,
        interceptions=tuple(
            Interception(i.pest, _stage(i.life_stage, n), i.count, i.batches)
            for n, i in enumerate(body.interceptions)
        ),
        conformity=body.conformity,
        disposal=body.disposal,
        comment=body.comment,
    )


@router.get(
    "/inspections",
    dependencies=[allow(Action.CONSIGNMENTS_READ)],
    responses=answers(422, *CALLER),
)
async def list_inspections(
    request: Request,
    enterprise: str = Query("", max_length=32, description="the enterprise's code"),
    city: str = Query("", max_length=64),
    destination: str = Query("", max_length=2, description="country code"),
    mode: str = Query(
        "", description="supervision mode", json_schema_extra=documented(enum=list(MODES))
    ),
    rule: str = Query(
        "", description="a hard rule that fired", json_schema_extra=documented(enum=list(RULES))
    ),
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int | None = Query(
        None, ge=1, le=MAX_LIMIT, description="at most this many (none: the whole queue)"
    ),
) -> JSONResponse:
    """The inspector's queue: consignments routed to inspect and not yet assessed, within the
    caller's reach, oldest first, with the mode and why; narrowed by the filters, ``limit`` of
    them from ``offset``. The header ``X-Total-Count`` says how many match."""
    services = _services(request)
    for name, value, choices in (("mode", mode, MODES), ("rule", rule, RULES)):
        if value and value not in choices:
            raise ApiError(422, say(Code.FIELD_CHOICE, field=name, choices=", ".join(choices)))
    if any(names_nothing(text) for text in (enterprise, city, destination)):
        return JSONResponse([], headers={TOTAL: "0"})
    wanted = uc.QueueFilter(
        enterprise=enterprise, city=city, destination=destination, mode=mode, rule=rule
    )
    found = await run_in_threadpool(
        lambda: uc.find_waiting(
            services.assessments, principal_of(request), wanted, offset=offset, limit=limit
        )
    )
    now = services.clock.now()
    rows = [
        {
            "consignment": w.consignment_id,
            "number": w.number,
            "enterprise": w.enterprise,
            "city": w.city,
            "destination": w.destination,
            "version": w.version,
            "routed_at": w.routed_at,
            "waiting_s": max(0, (now - w.routed_at) // 1_000_000),
            "mode": w.mode,
            "hard_rules": list(w.fired),
            "reasons": [message_json(m) for m in w.reasons],
        }
        for w in found.items
    ]
    return JSONResponse(rows, headers={TOTAL: str(found.total)})


@router.get(
    "/consignments/{consignment_id}/route",
    dependencies=[allow(Action.CONSIGNMENTS_READ, tenant="consignment")],
    responses=answers(404, 422, *CALLER),
)
async def get_route(request: Request, consignment_id: RowId) -> JSONResponse:
    """The consignment's routes (one per submitted version, oldest first) and its assessment."""
    services = _services(request)
    try:
        routes = await run_in_threadpool(
            uc.route_of,
            services.consignments,
            services.assessments,
            principal_of(request),
            consignment_id,
        )
    except Refused as error:
        raise ApiError.of(error) from None
    assessment = await run_in_threadpool(services.assessments.assessment_of, consignment_id)
    return JSONResponse(
        {
            "consignment": consignment_id,
            "routes": [route_json(r) for r in routes],
            "assessment": assessment_json(assessment),
        }
    )


@router.post(
    "/consignments/{consignment_id}/assessment",
    status_code=201,
    dependencies=[allow(Action.CONSIGNMENTS_ASSESS, tenant="consignment")],
    responses=answers(404, 409, *UNSAFE),
)
async def post_assessment(
    request: Request, consignment_id: RowId, body: AssessmentIn
) -> JSONResponse:
    """Record the inspection and its decision (ROUTED -> ASSESSED): 409 when the consignment
    is not waiting for an inspection; 422 naming the field that is wrong or missing (a
    disposal for a not-conforming decision; a comment for a pest found on a conforming one)."""
    services = _services(request)
    form = form_of(body)
    try:
        done = await run_in_threadpool(
            lambda: uc.record_inspection(
                services.consignments,
                services.assessments,
                services.audit,
                consignment_id,
                form,
                ctx=context_of(request),
            )
        )
    except Refused as error:
        raise ApiError.of(error) from None
    return JSONResponse(
        {"consignment": consignment_id, "assessment": assessment_json(done)}, status_code=201
    )


async def _stop(request: Request, consignment_id: int, body: ReasonIn, how: Any) -> JSONResponse:
    services = _services(request)
    try:
        done = await run_in_threadpool(
            lambda: how(
                services.consignments,
                services.audit,
                consignment_id,
                ctx=context_of(request),
                reason=body.reason,
            )
        )
    except Refused as error:
        raise ApiError.of(error) from None
    moved = await run_in_threadpool(services.consignments.consignment, done.id)
    state = None if moved is None else moved.state.value
    return JSONResponse({"consignment": consignment_id, "state": state})


@router.post(
    "/consignments/{consignment_id}/return",
    dependencies=[allow(Action.CONSIGNMENTS_ASSESS, tenant="consignment")],
    responses=answers(404, 409, *UNSAFE),
)
async def post_return(request: Request, consignment_id: RowId, body: ReasonIn) -> JSONResponse:
    """Return the declaration for correction (SUBMITTED or ROUTED -> RETURNED), saying why."""
    return await _stop(request, consignment_id, body, uc.return_for_correction)


@router.post(
    "/consignments/{consignment_id}/reject",
    dependencies=[allow(Action.CONSIGNMENTS_ASSESS, tenant="consignment")],
    responses=answers(404, 409, *UNSAFE),
)
async def post_reject(request: Request, consignment_id: RowId, body: ReasonIn) -> JSONResponse:
    """Reject the declaration (SUBMITTED, ROUTED or RETURNED -> REJECTED), saying why."""
    return await _stop(request, consignment_id, body, uc.reject)


def _day(value: str | None, name: str) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise ApiError(422, say(Code.FIELD_DATE, field=name)) from None
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 10**6


@router.get(
    "/interceptions",
    dependencies=[allow(Action.CONSIGNMENTS_READ)],
    responses=answers(422, *CALLER),
)
async def list_interceptions(
    request: Request,
    pest: str = Query("", max_length=200),
    enterprise: str = Query("", max_length=32),
    product: str = Query("", max_length=64),
    q: str = Query("", max_length=100, description="anywhere: pest, enterprise, product, number"),
    start: str | None = Query(None, alias="from", description="first day (UTC), YYYY-MM-DD"),
    end: str | None = Query(None, alias="to", description="last day (UTC), YYYY-MM-DD"),
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
) -> JSONResponse:
    """Interception records within the caller's reach, newest first."""
    services = _services(request)
    if any(names_nothing(text) for text in (pest, enterprise, product, q)):
        return JSONResponse({"total": 0, "offset": offset, "limit": limit, "items": []})
    last = _day(end, "to")
    wanted = uc.InterceptionFilter(
        pest=pest,
        enterprise=enterprise,
        product=product,
        start=_day(start, "from"),
        end=None if last is None else last + int(timedelta(days=1).total_seconds()) * 10**6,
        text=q,
    )
    found = await run_in_threadpool(
        lambda: uc.find_interceptions(
            services.assessments, principal_of(request), wanted, offset=offset, limit=limit
        )
    )
    return JSONResponse(
        {
            "total": found.total,
            "offset": found.offset,
            "limit": found.limit,
            "items": [{**vars(r), "products": list(r.products)} for r in found.items],
        }
    )
