"""Alarms over HTTP: the open ones, acknowledge (who, comment), clear (who, why).

Each route declares its rule (``web.auth``); the list holds only alarms of facilities the caller
may see. A signed-in person acknowledges and clears as themselves (``by`` is their login); the
break-glass admin token names its holder in ``by`` (``AlarmService.acknowledge`` decides).

Who may answer which alarm is the service's rule (domain/alarms.py): an enterprise's person is
refused an accusing alarm (403, ``alarm.bureau_only``) and records the enterprise's own
acknowledgement of the others; clearing needs ``comment`` (a client of before, which sent only
``by``, gets a 422 with the code ``alarm.clear_needs_comment``, never a clearing without a word).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Refused
from phytowatch.web.auth import allow, visible_facilities
from phytowatch.web.body import StrictJsonRoute
from phytowatch.web.deps import RowId, StrictBody, context_of, names_nothing
from phytowatch.web.errors import CALLER, UNSAFE, ApiError, answers
from phytowatch.web.presenters import alarm_json

router = APIRouter(prefix="/api/v1/alarms", route_class=StrictJsonRoute)


class AckIn(StrictBody):
    by: str | None = Field(None, min_length=1, max_length=100)
    comment: str = Field("", max_length=2000)


class ClearIn(StrictBody):
    by: str | None = Field(None, min_length=1, max_length=100)
    comment: str = Field("", max_length=2000)  # required in substance: the service says so


@router.get("", dependencies=[allow(Action.ALARMS_READ)], responses=answers(422, *CALLER))
async def list_alarms(
    request: Request,
    facility: str | None = None,
    include_cleared: bool = Query(False, alias="all"),
) -> JSONResponse:
    """Open alarms, newest first (``all=true``: cleared ones too)."""
    services = request.app.state.services
    visible = await visible_facilities(request)
    if names_nothing(facility) or (
        visible is not None and facility is not None and facility not in visible
    ):
        return JSONResponse({"alarms": []})
    found = await run_in_threadpool(
        lambda: services.alarm_store.list_alarms(
            open_only=not include_cleared,
            facility=facility,
            limit=200 if visible is None else 5000,
        )
    )
    if visible is not None:
        found = [a for a in found if a.facility in visible][:200]
    return JSONResponse({"alarms": [alarm_json(a) for a in found]})


async def _act(request: Request, action: Any) -> JSONResponse:
    try:
        alarm = await run_in_threadpool(action)
    except Refused as error:
        raise ApiError.of(error) from None
    del request
    return JSONResponse(alarm_json(alarm))


@router.post(
    "/{alarm_id}/acknowledge",
    dependencies=[allow(Action.ALARMS_ACK, tenant="alarm")],
    responses=answers(404, 409, *UNSAFE),
)
async def acknowledge(request: Request, alarm_id: RowId, body: AckIn) -> JSONResponse:
    services = request.app.state.services
    ctx = context_of(request)
    return await _act(
        request,
        lambda: services.alarms.acknowledge(alarm_id, ctx=ctx, comment=body.comment, by=body.by),
    )


@router.post(
    "/{alarm_id}/clear",
    dependencies=[allow(Action.ALARMS_CLEAR, tenant="alarm")],
    responses=answers(404, 409, *UNSAFE),
)
async def clear(request: Request, alarm_id: RowId, body: ClearIn) -> JSONResponse:
    services = request.app.state.services
    ctx = context_of(request)
    return await _act(
        request,
        lambda: services.alarms.clear(alarm_id, ctx=ctx, comment=body.comment, by=body.by),
    )
