"""Provisioning over HTTP: ``/api/v1/admin/…`` (the same use cases as the CLI).

Each route declares its rule (``web.auth``): registering enterprises, facilities and device
tokens is the administrator's; calibrations and cameras also the facility's own operator's;
reading a facility, anyone who may see it. ``PHYTOWATCH_ADMIN_TOKEN`` is an administrator's
bearer credential (bootstrap, break-glass).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.instants import format_instant, parse_instant
from phytowatch.domain.messages import Code, Refused, say
from phytowatch.services import provisioning
from phytowatch.services.app import App
from phytowatch.web.auth import allow
from phytowatch.web.body import StrictJsonRoute
from phytowatch.web.deps import StrictBody, context_of, documented
from phytowatch.web.errors import CALLER, UNSAFE, ApiError, answers

router = APIRouter(prefix="/api/v1/admin", route_class=StrictJsonRoute)


# the limits the use cases check (services/provisioning.py), stated for the document: the use
# case's refusal (a message code) stays the answer
CODE_64 = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
CODE_32 = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"


class EnterpriseIn(StrictBody):
    code: str = Field(max_length=32, json_schema_extra=documented(pattern=CODE_32))
    name_zh: str = Field(json_schema_extra=documented(minLength=1, maxLength=200))
    name_en: str = Field(json_schema_extra=documented(minLength=1, maxLength=200))
    city: str = Field(json_schema_extra=documented(minLength=1, maxLength=100))
    grade: str = Field(json_schema_extra=documented(enum=list(provisioning.ENTERPRISE_GRADES)))


class ProbeIn(StrictBody):
    id: str = Field(max_length=32, json_schema_extra=documented(pattern=CODE_32))
    role: Literal["product", "air", "water", "rh"] = "product"
    placement: str = Field("", max_length=200)


class FacilityIn(StrictBody):
    code: str = Field(max_length=64, json_schema_extra=documented(pattern=CODE_64))
    enterprise: str = Field(json_schema_extra=documented(maxLength=32))
    kind: str = Field(json_schema_extra=documented(enum=list(provisioning.FACILITY_KINDS)))
    probes: list[ProbeIn] = Field(min_length=1)
    name: str = Field("", json_schema_extra=documented(maxLength=200))
    treater_number: str | None = Field(
        None, json_schema_extra=documented(minLength=1, maxLength=32)
    )


class CalibrationIn(StrictBody):
    offset: str | float = Field(description="added to raw values, e.g. '-0.30'")
    calibrated_at: str = Field(description="ISO 8601 date or time, e.g. 2026-03-01")
    due_at: str = Field(description="ISO 8601 date or time, after calibrated_at")
    certificate: str = Field("", json_schema_extra=documented(maxLength=200))


class CameraIn(StrictBody):
    code: str = Field(max_length=32, json_schema_extra=documented(pattern=CODE_32))
    description: str = Field("", json_schema_extra=documented(maxLength=200))


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


def _instant(text: str, field: str) -> int:
    try:
        return parse_instant(text, naive_is_utc=True)
    except (ValueError, ArithmeticError):
        raise ApiError(422, say(Code.FIELD_INSTANT, field=field, text=text)) from None


async def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return await run_in_threadpool(function, *args, **kwargs)
    except Refused as error:
        raise ApiError.of(error) from None


@router.post(
    "/enterprises",
    status_code=201,
    dependencies=[allow(Action.REGISTRY_WRITE)],
    responses=answers(409, *UNSAFE),
)
async def post_enterprise(request: Request, body: EnterpriseIn) -> JSONResponse:
    services = _services(request)
    record = await _call(
        provisioning.add_enterprise,
        services.registry,
        body.code,
        body.name_zh,
        body.name_en,
        body.city,
        body.grade,
        ctx=context_of(request),
        audit=services.audit,
    )
    return JSONResponse({"code": record.code, "id": record.id}, status_code=201)


@router.post(
    "/facilities",
    status_code=201,
    dependencies=[allow(Action.REGISTRY_WRITE)],
    responses=answers(404, 409, *UNSAFE),
)
async def post_facility(request: Request, body: FacilityIn) -> JSONResponse:
    """Register a facility; the answer carries its device token, shown this once."""
    services = _services(request)
    specs = [f"{p.id}:{p.role}:{p.placement}" for p in body.probes]
    issued = await _call(
        provisioning.add_facility,
        services.registry,
        body.code,
        body.enterprise,
        body.kind,
        specs,
        name=body.name,
        treater_number=body.treater_number,
        ctx=context_of(request),
        audit=services.audit,
    )
    return JSONResponse(
        {
            "code": issued.facility.code,
            "probes": {p.code: p.role for p in issued.facility.probes.values()},
            "token": issued.token,
        },
        status_code=201,
    )


@router.get(
    "/facilities/{code}",
    dependencies=[allow(Action.FACILITIES_READ, tenant="facility")],
    responses=answers(404, 422, *CALLER),
)
async def get_facility(request: Request, code: str) -> JSONResponse:
    """A facility with its probes, their calibrations and its cameras (never its tokens)."""
    services = _services(request)
    registry = services.registry
    facility = await run_in_threadpool(registry.facility_by_code, code)
    if facility is None:
        raise ApiError(404, say(Code.NO_FACILITY, facility=code))
    probes = await run_in_threadpool(registry.probes_of, facility.id)
    calibrations = await run_in_threadpool(registry.calibrations_of, facility.id)
    cameras = await run_in_threadpool(registry.cameras_of, facility.id)
    return JSONResponse(
        {
            "code": facility.code,
            "kind": facility.kind,
            "probes": probes,
            "calibrations": [
                {
                    **row,
                    "calibrated_at": format_instant(row["calibrated_at"]),
                    "due_at": format_instant(row["due_at"]),
                }
                for row in calibrations
            ],
            "cameras": cameras,
        }
    )


@router.post(
    "/facilities/{code}/token",
    status_code=201,
    dependencies=[allow(Action.REGISTRY_WRITE, tenant="facility")],
    responses=answers(404, *UNSAFE),
)
async def rotate_token(request: Request, code: str) -> JSONResponse:
    """Revoke the facility's tokens and issue a new one (shown this once)."""
    services = _services(request)
    issued = await _call(
        provisioning.rotate_token,
        services.registry,
        code,
        ctx=context_of(request),
        audit=services.audit,
    )
    return JSONResponse({"code": code, "token": issued.token}, status_code=201)


@router.delete(
    "/facilities/{code}/token",
    dependencies=[allow(Action.REGISTRY_WRITE, tenant="facility")],
    responses=answers(404, *UNSAFE),
)
async def revoke_tokens(request: Request, code: str) -> JSONResponse:
    services = _services(request)
    count = await _call(
        provisioning.revoke_tokens,
        services.registry,
        code,
        ctx=context_of(request),
        audit=services.audit,
    )
    return JSONResponse({"code": code, "revoked": count})


@router.post(
    "/facilities/{code}/probes/{probe}/calibrations",
    status_code=201,
    dependencies=[allow(Action.CALIBRATIONS_WRITE, tenant="facility")],
    responses=answers(404, *UNSAFE),
)
async def post_calibration(
    request: Request, code: str, probe: str, body: CalibrationIn
) -> JSONResponse:
    services = _services(request)
    record = await _call(
        provisioning.add_calibration,
        services.registry,
        code,
        probe,
        str(body.offset),
        calibrated_at=_instant(body.calibrated_at, "calibrated_at"),
        due_at=_instant(body.due_at, "due_at"),
        certificate=body.certificate,
        ctx=context_of(request),
        audit=services.audit,
    )
    return JSONResponse(
        {
            "probe": record.probe,
            "offset": record.offset,
            "calibrated_at": format_instant(record.calibrated_at),
            "due_at": format_instant(record.due_at),
            "certificate": record.certificate,
        },
        status_code=201,
    )


@router.post(
    "/facilities/{code}/cameras",
    status_code=201,
    dependencies=[allow(Action.CALIBRATIONS_WRITE, tenant="facility")],
    responses=answers(404, 409, *UNSAFE),
)
async def post_camera(request: Request, code: str, body: CameraIn) -> JSONResponse:
    services = _services(request)
    await _call(
        provisioning.add_camera,
        services.registry,
        code,
        body.code,
        body.description,
        ctx=context_of(request),
        audit=services.audit,
    )
    return JSONResponse({"facility": code, "camera": body.code}, status_code=201)
