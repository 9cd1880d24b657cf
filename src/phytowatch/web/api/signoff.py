"""``/api/v1/runs/{id}/signoff``: an inspector signs off (or rejects) a finished PASS run.

Rules (``web.auth``): ``signoff:write`` (inspectors only) with the tenant check (the run's
facility within the inspector's office); ``signoff:read`` to see the decision and whether the
run can back a certificate or an IPPC mark.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, Refused, message_json, say
from phytowatch.services import signoff
from phytowatch.services.app import App
from phytowatch.services.runs import run_review
from phytowatch.web.auth import allow
from phytowatch.web.body import StrictJsonRoute
from phytowatch.web.deps import RowId, StrictBody, context_of, documented
from phytowatch.web.errors import CALLER, UNSAFE, ApiError, answers
from phytowatch.web.presenters import review_json, signoff_json

router = APIRouter(prefix="/api/v1/runs", route_class=StrictJsonRoute)


class SignOffIn(StrictBody):
    decision: str = Field(
        "signed_off",
        description="signed_off or rejected",
        json_schema_extra=documented(enum=["signed_off", "rejected"]),
    )
    comment: str = Field("", max_length=10_000)


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


def _review(services: App, run_id: int) -> dict[str, object] | None:
    record = services.runs.run(run_id)
    return None if record is None else review_json(run_review(record, services.accounts))


@router.post(
    "/{run_id}/signoff",
    status_code=201,
    dependencies=[allow(Action.SIGNOFF_WRITE, tenant="run")],
    responses=answers(404, 409, *UNSAFE),
)
async def post_signoff(request: Request, run_id: RowId, body: SignOffIn) -> JSONResponse:
    """Record the decision, once: 409 when the run is open, not PASS, or decided already;
    422 when a needed comment is missing."""
    services = _services(request)
    try:
        done = await run_in_threadpool(
            lambda: signoff.sign_off(
                services.runs,
                services.accounts,
                services.audit,
                run_id,
                ctx=context_of(request),
                decision=body.decision,
                comment=body.comment,
            )
        )
    except Refused as error:
        raise ApiError.of(error) from None
    backing = await run_in_threadpool(
        signoff.run_backs_certificate, services.runs, services.accounts, run_id
    )
    return JSONResponse(
        {
            "run": run_id,
            "signoff": signoff_json(done),
            "backs_certificate": backing.ok,
            "reason": backing.reason.english(),
            "reason_code": message_json(backing.reason),
            "review": await run_in_threadpool(_review, services, run_id),
        },
        status_code=201,
    )


@router.get(
    "/{run_id}/signoff",
    dependencies=[allow(Action.SIGNOFF_READ, tenant="run")],
    responses=answers(404, 422, *CALLER),
)
async def get_signoff(request: Request, run_id: RowId) -> JSONResponse:
    """The decision (or null), whether the run can back a certificate or an IPPC mark, and the
    run's review state (``review``, as in the run's JSON)."""
    services = _services(request)
    if await run_in_threadpool(services.runs.run, run_id) is None:
        raise ApiError(404, say(Code.NO_RUN, run=run_id))
    found = await run_in_threadpool(services.accounts.signoff_of, run_id)
    backing = await run_in_threadpool(
        signoff.run_backs_certificate, services.runs, services.accounts, run_id
    )
    return JSONResponse(
        {
            "run": run_id,
            "signoff": signoff_json(found),
            "backs_certificate": backing.ok,
            "reason": backing.reason.english(),
            "reason_code": message_json(backing.reason),
            "review": await run_in_threadpool(_review, services, run_id),
        }
    )
