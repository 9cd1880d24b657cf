"""The e-transfers over JSON: list, read (with the declarant's password and the document),
retrieve at the port (number + password), amend within the rules.

Rules (``web.auth``): ``transfers:read`` to read (the enterprise its own, a port officer those
to its office, bureau staff within their reach: ``services.transfers.service.sees``; any other
transfer is 404, like one that does not exist); ``transfers:retrieve`` (the port officer) to
take one; ``transfers:amend`` (the enterprise's declarant) to amend. Refusals are message codes:
404 for a transfer the caller may not see or a wrong number/password (the same answer), 429
locked out after wrong passwords (``Retry-After``), 409 after the release, 422 naming each
refused field and its rule.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Refused
from phytowatch.domain.transfers.model import Transfer
from phytowatch.services.app import App
from phytowatch.services.transfers.service import AmendmentRefused, query_for
from phytowatch.web.auth import allow, principal_of
from phytowatch.web.body import StrictJsonRoute
from phytowatch.web.deps import StrictBody, context_of, documented
from phytowatch.web.errors import CALLER, UNSAFE, ApiError, answers
from phytowatch.web.transfer_json import (
    amendment_json,
    refused_fields,
    retrieval_json,
    transfer_json,
)

router = APIRouter(prefix="/api/v1", route_class=StrictJsonRoute)
MAX_LIMIT = 500
TOTAL = "X-Total-Count"
NUMBER = Field(json_schema_extra=documented(maxLength=40))


class RetrieveIn(StrictBody):
    number: str = Field(json_schema_extra=documented(maxLength=40))
    password: str = Field(json_schema_extra=documented(maxLength=64))


class AmendIn(StrictBody):
    """The changes asked for; what is not sent is kept. Any field may be sent: one no rule of
    ports.json names is refused saying so."""

    changes: dict[str, Any] = Field(
        description="field -> new value: declared_value (decimal text), conveyance (text), "
        "departure_date (YYYY-MM-DD), containers (list of 'number size'), quantity (list of "
        "decimal texts, one per line)",
        json_schema_extra=documented(maxProperties=20),
    )


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


def _detail(services: App, transfer: Transfer, request: Request) -> dict[str, Any]:
    principal = principal_of(request)
    out = transfer_json(transfer)
    out["password"] = services.transfers.password(transfer, principal)
    out["values"] = services.transfers.values(transfer)
    out["amendments"] = [amendment_json(a) for a in services.transfers.amendments(transfer.id)]
    out["retrievals"] = [retrieval_json(r) for r in services.transfers.retrievals(transfer.id)]
    out["document"] = services.transfers.document(transfer)
    return out


@router.get(
    "/transfers",
    dependencies=[allow(Action.TRANSFERS_READ)],
    responses=answers(422, *CALLER),
)
async def list_transfers(
    request: Request,
    number: str = Query("", max_length=40, description="part of the transfer number"),
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> JSONResponse:
    """Transfers within the caller's reach, newest first; ``X-Total-Count`` says how many."""
    services = _services(request)
    query = query_for(principal_of(request), number=number, offset=offset, limit=limit)
    found = await run_in_threadpool(services.transfers.find, query)
    return JSONResponse(
        {
            "total": found.total,
            "offset": offset,
            "limit": limit,
            "items": [transfer_json(t) for t in found.items],
        },
        headers={TOTAL: str(found.total)},
    )


@router.get(
    "/transfers/{number}",
    dependencies=[allow(Action.TRANSFERS_READ)],
    responses=answers(404, 422, *CALLER),
)
async def get_transfer(request: Request, number: str) -> JSONResponse:
    """The transfer: where it goes, its certificates, the values in force, its amendments and
    retrievals, its document; the password for its own enterprise only."""
    services = _services(request)
    principal = principal_of(request)

    def work() -> dict[str, Any]:
        found = services.transfers.visible(number[:40], principal)
        return _detail(services, found, request)

    try:
        return JSONResponse(await run_in_threadpool(work))
    except Refused as error:
        raise ApiError.of(error) from None


@router.post(
    "/transfers/retrieve",
    dependencies=[allow(Action.TRANSFERS_RETRIEVE)],
    responses=answers(404, 429, *UNSAFE),
)
async def retrieve_transfer(request: Request, body: RetrieveIn) -> Response:
    """Take a transfer at the port with its number and password (the port officer of its port
    office). A wrong one, or one of another office, is 404 and counted; too many: 429."""
    services = _services(request)
    ctx = context_of(request)
    address = request.client.host if request.client else ""

    def work() -> dict[str, Any]:
        taken = services.transfers.retrieve(body.number, body.password, address=address, ctx=ctx)
        return _detail(services, taken, request)

    try:
        return JSONResponse(await run_in_threadpool(work))
    except Refused as error:
        raise ApiError.of(error) from None


@router.post(
    "/transfers/{number}/amendments",
    status_code=201,
    dependencies=[allow(Action.TRANSFERS_AMEND)],
    responses=answers(404, 409, *UNSAFE),
)
async def amend_transfer(request: Request, number: str, body: AmendIn) -> Response:
    """Ask for changes: all allowed by ports.json, or none (422 naming each refused field and
    the rule); each allowed change is an amendment record."""
    services = _services(request)
    ctx = context_of(request)

    def work() -> dict[str, Any]:
        done = services.transfers.amend(number[:40], body.changes, ctx=ctx)
        return _detail(services, done, request)

    try:
        return JSONResponse(await run_in_threadpool(work), status_code=201)
    except AmendmentRefused as error:
        return refused_fields(error)
    except Refused as error:
        raise ApiError.of(error) from None
