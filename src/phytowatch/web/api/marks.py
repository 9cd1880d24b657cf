"""The IPPC mark over JSON: authorise the mark for a load of a run, list and read the
authorisations within reach, and the public verification.

Rules (``web.auth``): ``marks:authorise`` (an inspector, on a run within reach) to authorise;
``certificates:read`` to read (within the caller's reach: another office's is the same 404 as
none); the verification is public and rate limited per address like a login.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.certificates.mark import Authorisation, Method, Revocation, Unit
from phytowatch.domain.messages import Refused
from phytowatch.services.app import App
from phytowatch.services.certificates.marks import Verified
from phytowatch.web.auth import allow, principal_of, public
from phytowatch.web.body import StrictJsonRoute
from phytowatch.web.deps import RowId, StrictBody, context_of, documented
from phytowatch.web.errors import CALLER, UNSAFE, ApiError, answers

router = APIRouter(prefix="/api/v1", route_class=StrictJsonRoute)
MAX_LIMIT = 500
TOTAL = "X-Total-Count"


class MarkIn(StrictBody):
    load: str = Field(max_length=500, description="the wood packaging, as the load is known")
    quantity: str = Field(max_length=32, description="how many (a decimal, up to 3 places)")
    unit: str = Field(json_schema_extra=documented(enum=[u.value for u in Unit]))
    method: str = Field(
        "",
        json_schema_extra=documented(enum=["", *(m.value for m in Method)]),
        description="the treatment the mark says; empty: the run's schedule's",
    )


class RevokeIn(StrictBody):
    reason: str = Field(max_length=2000, description="why the authorisation is withdrawn")


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


def mark_json(found: Authorisation, *, secret: bool = True) -> dict[str, Any]:
    """An authorisation; ``secret``: with its token and check code (its holders', not the
    public verification's)."""
    out: dict[str, Any] = {
        "number": found.number,
        "run": found.run_id,
        "facility": found.facility,
        "enterprise": found.enterprise,
        "treater_number": found.treater_number,
        "bureau_code": found.bureau_code,
        "mark": found.mark,
        "method": found.method.value,
        "schedule": found.schedule_id,
        "load": {
            "description": found.load.description,
            "quantity": str(found.load.quantity),
            "unit": found.load.unit.value,
        },
        "office": found.office,
        "authorised_by": found.by,
        "authorised_at": found.at,
    }
    if secret:
        out["token"] = found.token
        out["check_code"] = found.check_code
        out["verify"] = f"/marks/verify?t={found.token}"
    return out


def revocation_json(found: Revocation | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {"reason": found.reason, "office": found.office, "by": found.by, "at": found.at}


def verified_json(found: Verified) -> dict[str, Any]:
    status = "revoked" if found.revocation else "valid" if found.stands else "not_valid"
    return {
        "stands": found.stands,
        "status": status,
        "revoked": found.revocation is not None,
        "revoked_at": None if found.revocation is None else found.revocation.at,
        "mark": mark_json(found.authorisation, secret=False),
    }


@router.get(
    "/marks/verify",
    dependencies=[public()],
    responses=answers(404, 422, 429, 503),
)
async def verify_mark(
    request: Request,
    number: str = Query("", max_length=32),
    check: str = Query("", max_length=32, description="the check code printed with the number"),
    t: str = Query("", max_length=128, description="the token (the verification address)"),
) -> JSONResponse:
    """Verify a mark authorisation, by its number and check code, or by its token: the mark,
    the facility, the treatment and whether it stands. No login; failures are counted per
    address (429 with ``Retry-After`` past the limit); a wrong number and a wrong check code
    get the same 404."""
    services = _services(request)
    address = request.client.host if request.client else ""
    now = services.clock.now()
    try:
        if t:
            found = await run_in_threadpool(
                lambda: services.marks.verify_token(t, address=address, now=now)
            )
        else:
            found = await run_in_threadpool(
                lambda: services.marks.verify(number, check, address=address, now=now)
            )
    except Refused as error:
        raise ApiError.of(error) from None
    return JSONResponse(verified_json(found), headers={"Cache-Control": "no-store"})


@router.post(
    "/runs/{run_id}/marks",
    status_code=201,
    dependencies=[allow(Action.MARKS_AUTHORISE, tenant="run")],
    responses=answers(404, 409, *UNSAFE),
)
async def post_mark(request: Request, run_id: RowId, body: MarkIn) -> JSONResponse:
    """Authorise the IPPC mark for a load treated in this run: 409 (with the reason) unless the
    run is closed, PASS and signed off under an ISPM 15 schedule, at a facility with a treater
    number; 422 naming the field for a load that is not right."""
    services = _services(request)
    try:
        done = await run_in_threadpool(
            lambda: services.marks.authorise(
                run_id,
                load=body.load,
                quantity=body.quantity,
                unit=body.unit,
                method=body.method,
                ctx=context_of(request),
            )
        )
    except Refused as error:
        raise ApiError.of(error) from None
    return JSONResponse(mark_json(done), status_code=201)


@router.get(
    "/marks",
    dependencies=[allow(Action.CERTIFICATES_READ)],
    responses=answers(422, *CALLER),
)
async def list_marks(
    request: Request,
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
) -> JSONResponse:
    """The mark authorisations within the caller's reach, newest first."""
    services = _services(request)
    found = await run_in_threadpool(
        lambda: services.marks.find(principal=principal_of(request), offset=offset, limit=limit)
    )
    return JSONResponse(
        {
            "total": found.total,
            "offset": found.offset,
            "limit": found.limit,
            "items": [mark_json(m) for m in found.items],
        },
        headers={TOTAL: str(found.total)},
    )


@router.get(
    "/marks/{number}",
    dependencies=[allow(Action.CERTIFICATES_READ)],
    responses=answers(404, 422, *CALLER),
)
async def get_mark(request: Request, number: str) -> JSONResponse:
    """One mark authorisation by its number (``MK2026-000001``), if within reach."""
    services = _services(request)
    try:
        found = await run_in_threadpool(
            lambda: services.marks.by_number(number, principal=principal_of(request))
        )
    except Refused as error:
        raise ApiError.of(error) from None
    revoked = await run_in_threadpool(services.marks.revocation_of, found.number)
    return JSONResponse({**mark_json(found), "revocation": revocation_json(revoked)})


@router.post(
    "/marks/{number}/revoke",
    status_code=201,
    dependencies=[allow(Action.MARKS_AUTHORISE)],
    responses=answers(404, 409, *UNSAFE),
)
async def revoke_mark(request: Request, number: str, body: RevokeIn) -> JSONResponse:
    """Withdraw a mark authorisation (an inspector of an office covering it), saying why: a
    record of its own; the verification then says the mark does not stand. 409 when revoked
    already."""
    services = _services(request)
    try:
        done = await run_in_threadpool(
            lambda: services.marks.revoke(number, reason=body.reason, ctx=context_of(request))
        )
    except Refused as error:
        raise ApiError.of(error) from None
    return JSONResponse(
        {"number": done.number, "revocation": revocation_json(done)}, status_code=201
    )
