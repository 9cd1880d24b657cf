"""Facilities as the caller may see them: the list, and a facility's camera stills.

Rules (``web.auth``): ``facilities:read`` for the list (only the facilities within the caller's
enterprise or jurisdiction), ``snapshots:read`` with the tenant check for the stills.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.instants import format_instant
from phytowatch.domain.messages import Code, say
from phytowatch.services.app import App
from phytowatch.web.auth import allow, visible_facilities
from phytowatch.web.body import StrictJsonRoute
from phytowatch.web.deps import RowId
from phytowatch.web.errors import CALLER, ApiError, answers

router = APIRouter(prefix="/api/v1/facilities", route_class=StrictJsonRoute)


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


@router.get("", dependencies=[allow(Action.FACILITIES_READ)], responses=answers(*CALLER))
async def list_facilities(request: Request) -> JSONResponse:
    """Code, kind, enterprise and probe count of every facility the caller may see."""
    services = _services(request)
    visible = await visible_facilities(request)
    rows = await run_in_threadpool(services.registry.list_facilities)
    if visible is not None:
        rows = [row for row in rows if row["code"] in visible]
    return JSONResponse({"facilities": rows})


async def _facility_id(request: Request, code: str) -> int:
    facility = await run_in_threadpool(_services(request).registry.facility_by_code, code)
    if facility is None:
        raise ApiError(404, say(Code.NO_FACILITY, facility=code))
    return facility.id


@router.get(
    "/{code}/snapshots",
    dependencies=[allow(Action.SNAPSHOTS_READ, tenant="facility")],
    responses=answers(404, 422, *CALLER),
)
async def list_snapshots(request: Request, code: str) -> JSONResponse:
    """The facility's latest stills (time, camera, SHA-256), newest first."""
    facility_id = await _facility_id(request, code)
    rows = await run_in_threadpool(_services(request).registry.snapshots_of, facility_id)
    for row in rows:
        row["received_at"] = format_instant(row["received_at"])
        if row["taken_at"] is not None:
            row["taken_at"] = format_instant(row["taken_at"])
    return JSONResponse({"facility": code, "snapshots": rows})


@router.get(
    "/{code}/snapshots/{snapshot_id}",
    dependencies=[allow(Action.SNAPSHOTS_READ, tenant="facility")],
    response_class=Response,
    responses={
        200: {
            "description": "the still as it was received",
            "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
        },
        **answers(404, 422, *CALLER),
    },
)
async def get_snapshot(request: Request, code: str, snapshot_id: RowId) -> Response:
    """One still, as it was received."""
    facility_id = await _facility_id(request, code)
    found = await run_in_threadpool(_services(request).registry.snapshot, facility_id, snapshot_id)
    if found is None:
        raise ApiError(404, say(Code.NO_SNAPSHOT, snapshot=snapshot_id, facility=code))
    data, content_type = found
    return Response(data, media_type=content_type, headers={"X-Content-Type-Options": "nosniff"})
