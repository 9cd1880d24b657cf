"""Classification and raw-material bases over HTTP.

- ``GET /api/v1/enterprises/{code}/standing``: the standing in force and its history (whoever
  reads consignments, for an enterprise within reach; 404 otherwise); ``POST`` sets it (an
  administrator: ``classification:write``).
- ``GET /api/v1/bases`` (within reach), ``POST /api/v1/bases`` (``bases:write``: an inspector
  of the office or an administrator), ``GET /api/v1/bases/{number}`` with its history,
  ``POST /api/v1/bases/{number}/suspend`` and ``/reinstate``.
- ``GET /api/v1/classification/proposals``, ``POST .../propose``, ``POST .../{id}/confirm`` and
  ``/dismiss`` (an administrator).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.instants import US_PER_D, format_instant, parse_instant
from phytowatch.domain.messages import Code, Refused, say
from phytowatch.domain.supervision.classification import ProposalRecord, ProposalState
from phytowatch.domain.supervision.registry import (
    BaseEvent,
    BaseStatus,
    EnterpriseStanding,
    RawMaterialBase,
)
from phytowatch.services.app import App
from phytowatch.services.lists import reach_of
from phytowatch.services.supervision import bases, standing
from phytowatch.web.auth import allow
from phytowatch.web.body import StrictJsonRoute
from phytowatch.web.deps import RowId, StrictBody, context_of, documented
from phytowatch.web.errors import CALLER, UNSAFE, ApiError, answers

router = APIRouter(prefix="/api/v1", route_class=StrictJsonRoute)

NUMBER = r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,31}$"
MAX_PAGE = 500


class StandingIn(StrictBody):
    klass: str | None = Field(None, alias="class", description="a class of the scheme in force")
    e_supervised: bool | None = None
    key_list: bool | None = None
    reason: str = Field(json_schema_extra=documented(minLength=1, maxLength=2000))


class BaseIn(StrictBody):
    number: str = Field(json_schema_extra=documented(pattern=NUMBER))
    enterprise: str = Field(json_schema_extra=documented(maxLength=32))
    name: str = Field(json_schema_extra=documented(minLength=1, maxLength=200))
    products: list[str] = Field(description="product codes of the catalogue")
    location: str = Field(json_schema_extra=documented(minLength=1, maxLength=200))


class ReasonIn(StrictBody):
    reason: str = Field("", json_schema_extra=documented(maxLength=2000))


class ProposeIn(StrictBody):
    end: str | None = Field(
        None, description="the day the periods end (excluded), YYYY-MM-DD; today by default"
    )


class CommentIn(StrictBody):
    comment: str = Field("", json_schema_extra=documented(maxLength=2000))


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


async def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return await run_in_threadpool(function, *args, **kwargs)
    except Refused as error:
        raise ApiError.of(error) from None


def standing_json(s: EnterpriseStanding) -> dict[str, Any]:
    return {
        "enterprise": s.enterprise,
        "scheme": s.scheme,
        "class": s.klass,
        "e_supervised": s.e_supervised,
        "key_list": s.key_list,
        "since": format_instant(s.since),
        "by": s.by,
        "reason": s.reason,
    }


def base_json(b: RawMaterialBase) -> dict[str, Any]:
    return {
        "number": b.number,
        "enterprise": b.enterprise,
        "name": b.name,
        "products": list(b.products),
        "location": b.location,
        "status": b.status.value,
        "updated_at": format_instant(b.updated_at),
    }


def event_json(e: BaseEvent) -> dict[str, Any]:
    return {"event": e.kind.value, "at": format_instant(e.at), "by": e.by, "reason": e.reason}


def proposal_json(r: ProposalRecord) -> dict[str, Any]:
    p = r.proposal
    return {
        "id": r.id,
        "enterprise": p.enterprise,
        "rule": p.rule,
        "measure": p.measure,
        "count": p.count,
        "from": p.from_class,
        "to": p.to_class,
        "period_start": format_instant(p.period.start),
        "period_end": format_instant(p.period.end),
        "state": r.state.value,
        "proposed_at": format_instant(r.proposed_at),
        "decided_by": r.decided_by,
        "decided_at": None if r.decided_at is None else format_instant(r.decided_at),
        "comment": r.comment,
    }


def _end(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        day = parse_instant(text.strip(), naive_is_utc=True)
    except (ValueError, ArithmeticError):
        raise ApiError(422, say(Code.FIELD_DATE, field="end")) from None
    return day - day % US_PER_D + US_PER_D


# -- an enterprise's standing ---------------------------------------------------------------


@router.get(
    "/enterprises/{code}/standing",
    dependencies=[allow(Action.CONSIGNMENTS_READ)],
    responses=answers(404, 422, *CALLER),
)
async def get_standing(request: Request, code: str) -> JSONResponse:
    """The standing in force and the history, newest first."""
    services = _services(request)
    now, history = await _call(
        standing.standing_history, services.classification, code, ctx=context_of(request)
    )
    return JSONResponse(
        {
            "standing": None if now is None else standing_json(now),
            "history": [standing_json(s) for s in history],
        }
    )


@router.post(
    "/enterprises/{code}/standing",
    status_code=201,
    dependencies=[allow(Action.CLASSIFICATION_WRITE)],
    responses=answers(404, *UNSAFE),
)
async def post_standing(request: Request, code: str, body: StandingIn) -> JSONResponse:
    """A new standing: what is left out stays as it is; a reason is required."""
    services = _services(request)
    done = await _call(
        standing.set_standing,
        services.classification,
        services.policy,
        services.audit,
        code,
        ctx=context_of(request),
        klass=body.klass,
        e_supervised=body.e_supervised,
        key_list=body.key_list,
        reason=body.reason,
    )
    return JSONResponse(standing_json(done), status_code=201)


# -- raw-material bases ---------------------------------------------------------------------


@router.get(
    "/bases", dependencies=[allow(Action.CONSIGNMENTS_READ)], responses=answers(422, *CALLER)
)
async def get_bases(
    request: Request,
    q: str = Query("", max_length=200),
    enterprise: str = Query("", max_length=32),
    status: BaseStatus | None = None,
    product: str = Query("", max_length=64),
    offset: int = Query(0, ge=0, le=1_000_000),
    limit: int = Query(100, ge=1, le=MAX_PAGE),
) -> JSONResponse:
    """The bases within reach (an enterprise: its own; bureau staff: the office's)."""
    services = _services(request)
    query = bases.BaseQuery(
        reach_of(context_of(request).principal),
        text=q,
        enterprise=enterprise,
        status=status,
        product=product,
    )
    found = await _call(services.bases.find_bases, query, offset=offset, limit=limit)
    return JSONResponse(
        {"total": found.total, "offset": offset, "bases": [base_json(b) for b in found.items]}
    )


@router.post(
    "/bases",
    status_code=201,
    dependencies=[allow(Action.BASES_WRITE)],
    responses=answers(404, 409, *UNSAFE),
)
async def post_base(request: Request, body: BaseIn) -> JSONResponse:
    services = _services(request)
    done = await _call(
        bases.register_base,
        services.bases,
        services.policy,
        services.audit,
        ctx=context_of(request),
        number=body.number,
        enterprise=body.enterprise,
        name=body.name,
        products=body.products,
        location=body.location,
    )
    return JSONResponse(base_json(done), status_code=201)


@router.get(
    "/bases/{number}",
    dependencies=[allow(Action.CONSIGNMENTS_READ)],
    responses=answers(404, 422, *CALLER),
)
async def get_base(request: Request, number: str) -> JSONResponse:
    """A base and its history, newest first."""
    services = _services(request)
    base, history = await _call(bases.base_history, services.bases, number, ctx=context_of(request))
    return JSONResponse({**base_json(base), "history": [event_json(e) for e in history]})


@router.post(
    "/bases/{number}/suspend",
    dependencies=[allow(Action.BASES_WRITE)],
    responses=answers(404, 409, *UNSAFE),
)
async def post_suspend(request: Request, number: str, body: ReasonIn) -> JSONResponse:
    """Suspend a valid base; the reason is required."""
    services = _services(request)
    done = await _call(
        bases.suspend_base,
        services.bases,
        services.audit,
        number,
        ctx=context_of(request),
        reason=body.reason,
    )
    return JSONResponse(base_json(done))


@router.post(
    "/bases/{number}/reinstate",
    dependencies=[allow(Action.BASES_WRITE)],
    responses=answers(404, 409, *UNSAFE),
)
async def post_reinstate(request: Request, number: str, body: ReasonIn) -> JSONResponse:
    services = _services(request)
    done = await _call(
        bases.reinstate_base,
        services.bases,
        services.audit,
        number,
        ctx=context_of(request),
        reason=body.reason,
    )
    return JSONResponse(base_json(done))


# -- classification proposals ---------------------------------------------------------------


@router.get(
    "/classification/proposals",
    dependencies=[allow(Action.CLASSIFICATION_WRITE)],
    responses=answers(422, *CALLER),
)
async def get_proposals(
    request: Request,
    state: ProposalState | None = None,
    offset: int = Query(0, ge=0, le=1_000_000),
    limit: int = Query(100, ge=1, le=MAX_PAGE),
) -> JSONResponse:
    services = _services(request)
    found = await _call(services.classification.find_proposals, state, offset=offset, limit=limit)
    return JSONResponse(
        {
            "total": found.total,
            "offset": offset,
            "proposals": [proposal_json(r) for r in found.items],
        }
    )


@router.post(
    "/classification/proposals/propose",
    dependencies=[allow(Action.CLASSIFICATION_WRITE)],
    responses=answers(*UNSAFE),
)
async def post_propose(request: Request, body: ProposeIn) -> JSONResponse:
    """Apply the rules to every enterprise's record over the periods ending at ``end``."""
    services = _services(request)
    done = await _call(
        standing.compute_proposals,
        services.classification,
        services.policy,
        services.record_counters,
        services.audit,
        ctx=context_of(request),
        end=_end(body.end),
    )
    return JSONResponse(
        {
            "added": [proposal_json(r) for r in done.added],
            "unknown_measures": done.unknown_measures,
        }
    )


@router.post(
    "/classification/proposals/{proposal_id}/confirm",
    dependencies=[allow(Action.CLASSIFICATION_WRITE)],
    responses=answers(404, 409, *UNSAFE),
)
async def post_confirm(request: Request, proposal_id: RowId, body: CommentIn) -> JSONResponse:
    services = _services(request)
    done = await _call(
        standing.confirm,
        services.classification,
        services.audit,
        proposal_id,
        ctx=context_of(request),
        comment=body.comment,
    )
    return JSONResponse(standing_json(done))


@router.post(
    "/classification/proposals/{proposal_id}/dismiss",
    dependencies=[allow(Action.CLASSIFICATION_WRITE)],
    responses=answers(404, 409, *UNSAFE),
)
async def post_dismiss(request: Request, proposal_id: RowId, body: CommentIn) -> JSONResponse:
    services = _services(request)
    done = await _call(
        standing.dismiss,
        services.classification,
        services.audit,
        proposal_id,
        ctx=context_of(request),
        comment=body.comment,
    )
    return JSONResponse(proposal_json(done))
