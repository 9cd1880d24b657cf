"""``/api/v1/policy``: official policy as data (docs/supervision-rules.md).

Rules (``web.auth``): ``policy:read`` (everyone signed in) to read the documents in force and
their versions; ``policy:write`` (administrators) to put a new document in force: it is
validated as the shipped files are, and a refusal (422) names the file and the field.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, Refused, say
from phytowatch.domain.supervision.policy import PolicyKind
from phytowatch.services.app import App
from phytowatch.services.supervision.policy import PolicyService, PolicyVersion
from phytowatch.web.auth import allow
from phytowatch.web.body import StrictJsonRoute
from phytowatch.web.deps import StrictBody, context_of
from phytowatch.web.errors import CALLER, UNSAFE, ApiError, answers

router = APIRouter(prefix="/api/v1/policy", route_class=StrictJsonRoute)


class PolicyIn(StrictBody):
    document: dict[str, Any] = Field(description="the whole new document, as its file writes it")
    note: str = Field("", description="why it changes (required)", max_length=2000)


def _policy(request: Request) -> PolicyService:
    services: App = request.app.state.services
    return services.policy


def _kind(kind: str) -> PolicyKind:
    try:
        return PolicyKind(kind)
    except ValueError:
        raise ApiError(404, say(Code.POLICY_NO_KIND, kind=kind)) from None


def version_json(row: PolicyVersion) -> dict[str, Any]:
    return {
        "version": row.version,
        "sha256": row.sha256,
        "created_at": row.created_at,
        "actor": row.actor,
        "note": row.note,
    }


@router.get("", dependencies=[allow(Action.POLICY_READ)], responses=answers(*CALLER))
async def get_policy(request: Request) -> JSONResponse:
    """The version of each document in force, where it comes from and its confidence."""
    policy = await run_in_threadpool(_policy(request).policy)
    return JSONResponse(
        {
            kind.value: {
                "version": info.version,
                "origin": info.origin,
                "source": info.source,
                "confidence": info.confidence.value,
                "sha256": info.sha256,
            }
            for kind, info in policy.documents.items()
        }
    )


@router.get(
    "/{kind}",
    dependencies=[allow(Action.POLICY_READ)],
    responses=answers(404, 422, *CALLER),
)
async def get_document(request: Request, kind: str) -> JSONResponse:
    """The document of ``kind`` in force (products, destinations, routing, classification)."""
    chosen = _kind(kind)
    document = await run_in_threadpool(_policy(request).document, chosen)
    return JSONResponse(
        {
            "kind": chosen.value,
            "version": document.version,
            "origin": document.origin,
            "document": document.body,
        }
    )


@router.get(
    "/{kind}/versions",
    dependencies=[allow(Action.POLICY_READ)],
    responses=answers(404, 422, *CALLER),
)
async def get_versions(request: Request, kind: str) -> JSONResponse:
    """The stored versions of ``kind``, newest first, and the shipped file's version."""
    chosen = _kind(kind)
    service = _policy(request)
    rows = await run_in_threadpool(service.history, chosen)
    shipped = await run_in_threadpool(service.shipped)
    return JSONResponse(
        {
            "kind": chosen.value,
            "shipped": str(shipped[chosen].get("version", "")),
            "versions": [version_json(row) for row in rows],
        }
    )


@router.post(
    "/{kind}",
    status_code=201,
    dependencies=[allow(Action.POLICY_WRITE)],
    responses=answers(404, 409, *UNSAFE),
)
async def post_document(request: Request, kind: str, body: PolicyIn) -> JSONResponse:
    """Put a new document of ``kind`` in force (a new version, audited). 422 naming the file
    and field when it is refused, 409 when it is the one in force already."""
    chosen = _kind(kind)
    service = _policy(request)
    ctx = context_of(request)
    try:
        row = await run_in_threadpool(
            lambda: service.edit(chosen, body.document, note=body.note, ctx=ctx)
        )
    except Refused as error:
        raise ApiError.of(error) from None
    return JSONResponse({"kind": chosen.value, **version_json(row)}, status_code=201)
