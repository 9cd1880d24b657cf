"""Alarms over HTTP: the open ones, acknowledge (who, comment), clear. Behind the admin token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.alarms import Alarm
from phytowatch.services.alarms import AlarmError
from phytowatch.services.notify import alarm_payload
from phytowatch.web.admin_api import StrictBody, admin_only, require_admin
from phytowatch.web.ingest_api import ApiError, now_us

router = APIRouter(prefix="/api/v1/alarms", dependencies=[Depends(admin_only)])


class AckIn(StrictBody):
    by: str = Field(min_length=1, max_length=100)
    comment: str = Field("", max_length=2000)


class ClearIn(StrictBody):
    by: str = Field(min_length=1, max_length=100)


def alarm_json(alarm: Alarm) -> dict[str, Any]:
    """The same JSON as the notifications' payload."""
    return alarm_payload(alarm)


@router.get("")
async def list_alarms(
    request: Request,
    facility: str | None = None,
    include_cleared: bool = Query(False, alias="all"),
) -> JSONResponse:
    """Open alarms, newest first (``all=true``: cleared ones too)."""
    services = require_admin(request)
    found = await run_in_threadpool(
        lambda: services.alarm_store.list_alarms(open_only=not include_cleared, facility=facility)
    )
    return JSONResponse({"alarms": [alarm_json(a) for a in found]})


async def _act(request: Request, action: Any) -> JSONResponse:
    try:
        alarm = await run_in_threadpool(action)
    except AlarmError as error:
        raise ApiError(404 if str(error).startswith("no alarm") else 409, str(error)) from None
    del request
    return JSONResponse(alarm_json(alarm))


@router.post("/{alarm_id}/acknowledge")
async def acknowledge(request: Request, alarm_id: int, body: AckIn) -> JSONResponse:
    services = require_admin(request)
    return await _act(
        request,
        lambda: services.alarms.acknowledge(
            alarm_id, by=body.by, comment=body.comment, now=now_us()
        ),
    )


@router.post("/{alarm_id}/clear")
async def clear(request: Request, alarm_id: int, body: ClearIn) -> JSONResponse:
    services = require_admin(request)
    return await _act(request, lambda: services.alarms.clear(alarm_id, by=body.by, now=now_us()))
