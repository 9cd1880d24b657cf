"""Step 6 over JSON: the port office's queue, a transfer as the port sees it, the port check,
hold and release, and the clearance records (通关单).

Rules (``web.auth``): ``port:release`` (the port officer, for their own office) for the queue,
the transfer and the acts; ``transfers:read`` for a clearance record, which the port office
that released it and whoever sees its consignment may read (404 for anyone else). Refusals are
message codes: 404 for an unknown transfer or clearance, 403 for another port office's
transfer, 409 when release is impossible (the message says why), 422 for bad fields (each named
under ``fields``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, Refused, message_json, say
from phytowatch.services.app import App
from phytowatch.services.port.ports import CheckForm
from phytowatch.services.supervision.assessment import FieldsRefused
from phytowatch.web.auth import allow, principal_of
from phytowatch.web.body import StrictJsonRoute
from phytowatch.web.deps import StrictBody, context_of, documented
from phytowatch.web.errors import CALLER, UNSAFE, ApiError, answers
from phytowatch.web.port_json import check_json, clearance_json, hold_json, view_json

router = APIRouter(prefix="/api/v1", route_class=StrictJsonRoute)

Number = Path(min_length=1, max_length=64, description="the transfer's number")


class CheckIn(StrictBody):
    seals_intact: bool = Field(description="the seals are intact")
    containers_match: bool = Field(description="the container numbers are as declared")
    goods_match: bool = Field(description="the goods are as the certificate says")
    findings: str = Field("", json_schema_extra=documented(maxLength=2000))


class HoldIn(StrictBody):
    reason: str = Field(json_schema_extra=documented(maxLength=500))


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


def _fields(error: FieldsRefused) -> JSONResponse:
    return JSONResponse(
        {
            "error": error.message.english(),
            **message_json(error.message),
            "fields": [{"field": name, **message_json(m)} for name, m in error.wrong],
        },
        status_code=422,
    )


async def _answer(work: Callable[[], Any], shown: Callable[[Any], dict[str, Any]]) -> Response:
    try:
        done = await run_in_threadpool(work)
    except FieldsRefused as error:
        return _fields(error)
    except Refused as error:
        raise ApiError.of(error) from None
    return JSONResponse(shown(done))


@router.get(
    "/port/queue",
    dependencies=[allow(Action.PORT_RELEASE)],
    responses=answers(409, *CALLER),
)
async def port_queue(request: Request) -> Response:
    """The transfers the caller's port office took that await check or release, oldest first,
    each with its draw (made at this first look: checked or not, the ratio and its confidence,
    the seed and the number drawn), checks and holds."""
    services, ctx = _services(request), context_of(request)
    return await _answer(
        lambda: services.port.queue(ctx=ctx), lambda found: {"items": [view_json(v) for v in found]}
    )


@router.get(
    "/port/transfers/{number}",
    dependencies=[allow(Action.PORT_RELEASE)],
    responses=answers(404, 422, *CALLER),
)
async def port_transfer(request: Request, number: str = Number) -> Response:
    """A transfer as the port sees it: its draw, checks, holds and clearance."""
    services, ctx = _services(request), context_of(request)
    return await _answer(lambda: services.port.view(number, ctx=ctx), view_json)


@router.post(
    "/port/transfers/{number}/check",
    dependencies=[allow(Action.PORT_RELEASE)],
    responses=answers(404, 409, *UNSAFE),
)
async def port_check(request: Request, body: CheckIn, number: str = Number) -> Response:
    """Record the port check (append-only): seals, containers, goods, findings. Conforming when
    all three are true."""
    services, ctx = _services(request), context_of(request)
    form = CheckForm(
        "yes" if body.seals_intact else "no",
        "yes" if body.containers_match else "no",
        "yes" if body.goods_match else "no",
        body.findings,
    )
    return await _answer(lambda: services.port.check(number, form, ctx=ctx), check_json)


@router.post(
    "/port/transfers/{number}/hold",
    dependencies=[allow(Action.PORT_RELEASE)],
    responses=answers(404, 409, *UNSAFE),
)
async def port_hold(request: Request, body: HoldIn, number: str = Number) -> Response:
    """Hold the batch, with the reason (a record); released later only after a conforming
    check."""
    services, ctx = _services(request), context_of(request)
    return await _answer(lambda: services.port.hold(number, body.reason, ctx=ctx), hold_json)


@router.post(
    "/port/transfers/{number}/release",
    dependencies=[allow(Action.PORT_RELEASE)],
    responses=answers(404, 409, *UNSAFE),
)
async def port_release(request: Request, number: str = Number) -> Response:
    """Release the batch: the clearance record with its number; 409 saying why when it cannot
    be (no electronic transfer, another office's, a cancelled or replaced certificate, a check
    owed, held, released already)."""
    services, ctx = _services(request), context_of(request)
    return await _answer(lambda: services.port.release(number, ctx=ctx), clearance_json)


@router.get(
    "/clearances/{number}",
    dependencies=[allow(Action.TRANSFERS_READ)],
    responses=answers(404, 422, *CALLER),
)
async def get_clearance(
    request: Request,
    number: str = Path(min_length=1, max_length=64, description="the clearance's number"),
) -> JSONResponse:
    """A clearance record (通关单), for the port office that released it and whoever sees its
    consignment."""
    services = _services(request)
    found = await run_in_threadpool(services.port.clearance, number)
    if found is None or not services.port.sees_clearance(principal_of(request), found):
        raise ApiError(404, say(Code.PORT_UNKNOWN_CLEARANCE, number=number))
    return JSONResponse(clearance_json(found))
