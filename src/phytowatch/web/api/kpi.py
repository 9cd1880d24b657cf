"""The bureau's figures over JSON: ``GET /api/v1/kpi`` (``kpi:read``), per office and period.

Bureau staff see their own office's figures; an administrator, or staff of an office that covers
the whole province, any office's and the province's (no ``office``). Another office is the same
404 as none. Definitions: docs/kpi.md.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Refused
from phytowatch.services.app import App
from phytowatch.web.auth import allow, principal_of
from phytowatch.web.body import StrictJsonRoute
from phytowatch.web.errors import CALLER, ApiError, answers
from phytowatch.web.kpi_json import figures_json

router = APIRouter(prefix="/api/v1", route_class=StrictJsonRoute)


@router.get("/kpi", dependencies=[allow(Action.KPI_READ)], responses=answers(404, 422, *CALLER))
async def kpi(
    request: Request,
    office: str = Query("", max_length=32, description="an office's code; empty: the province"),
    first: str = Query(
        "", alias="from", max_length=40, description="first day (YYYY-MM-DD, UTC+8)"
    ),
    last: str = Query("", alias="to", max_length=40, description="last day, included"),
) -> JSONResponse:
    """Every figure of the office and period (default: this year so far): facilities monitored
    and online, enterprises under e-supervision, the e-declaration, e-certificate and e-transfer
    rates, declaration to release by mode, runs by schedule, alarms, interceptions, exports."""
    services: App = request.app.state.services
    principal = principal_of(request)
    now = services.clock.now()
    try:
        found = await run_in_threadpool(
            lambda: services.kpi.answer(principal, office=office, first=first, last=last, now=now)
        )
    except Refused as error:
        raise ApiError.of(error) from None
    return JSONResponse(figures_json(found), headers={"Cache-Control": "no-store"})
