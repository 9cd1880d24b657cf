"""IPPC ePhyto over HTTP: import a received certificate (its XML as the body), list and read what
was received (``ephyto:read``: the port officer, the inspector, the certifying officer), and our
issued certificates as ePhyto XML (``certificates:read``, within reach).

A document that does not validate is a 422 naming each problem's line and element; the same
document twice is recognised (200, the first import's record), never stored again.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, Refused, message_json, say
from phytowatch.services.app import App
from phytowatch.services.certificates.ephyto import MAX_BYTES, ProblemsRefused
from phytowatch.web.auth import allow, principal_of
from phytowatch.web.body import StrictJsonRoute, read_bounded, refuse_encoded
from phytowatch.web.deps import RowId, context_of
from phytowatch.web.ephyto_json import problems_json, stored_json, xml_download
from phytowatch.web.errors import CALLER, ApiError, answers

router = APIRouter(prefix="/api/v1", route_class=StrictJsonRoute)
MAX_LIMIT = 500


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


def refused_json(error: Refused) -> JSONResponse:
    body: dict[str, Any] = {**message_json(error.message)}
    body["error"] = body.pop("message")
    if isinstance(error, ProblemsRefused):
        body["problems"] = problems_json(error.problems)
    return JSONResponse(body, status_code=ApiError.of(error).status)


@router.post(
    "/ephyto",
    dependencies=[allow(Action.EPHYTO_IMPORT)],
    status_code=201,
    responses={**answers(*CALLER, 413, 415, 422), 200: {"description": "imported before"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/xml": {"schema": {"type": "string"}}},
            "description": "an SPSCertificate, an ePhytoEnvelope or a SOAP DeliverPhytoEnvelope",
        }
    },
)
async def import_ephyto(request: Request) -> JSONResponse:
    """Import a received ePhyto: validated, kept with its hash; 201 the new record, 200 the
    record of the same document imported before; 422 with every problem's line and element."""
    refuse_encoded(request)
    data = await read_bounded(
        request, MAX_BYTES, say(Code.EPHYTO_TOO_LARGE, size=MAX_BYTES + 1, max=MAX_BYTES)
    )
    services = _services(request)
    ctx = context_of(request)
    try:
        done = await run_in_threadpool(services.ephyto.import_xml, data, ctx=ctx)
    except Refused as error:
        return refused_json(error)
    body = {**stored_json(done.stored), "created": done.created, **message_json(done.message)}
    return JSONResponse(body, status_code=201 if done.created else 200)


@router.get("/ephyto", dependencies=[allow(Action.EPHYTO_READ)], responses=answers(*CALLER, 422))
async def list_ephyto(
    request: Request,
    offset: int = Query(0, ge=0, le=10**9),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> JSONResponse:
    """Received ePhytos, the newest import first (``X-Total-Count``: how many in all)."""
    services = _services(request)
    found = await run_in_threadpool(lambda: services.ephyto.find(offset=offset, limit=limit))
    return JSONResponse(
        [stored_json(s, full=False) for s in found.items],
        headers={"X-Total-Count": str(found.total)},
    )


@router.get(
    "/ephyto/{received_id}",
    dependencies=[allow(Action.EPHYTO_READ)],
    responses=answers(*CALLER, 404, 422),
)
async def get_ephyto(request: Request, received_id: RowId) -> JSONResponse:
    """One received ePhyto: every field read from it, and its record (hash, who, when)."""
    services = _services(request)
    stored = await run_in_threadpool(services.ephyto.received, received_id)
    return JSONResponse(stored_json(stored))


@router.get(
    "/ephyto/{received_id}/xml",
    dependencies=[allow(Action.EPHYTO_READ)],
    responses=answers(*CALLER, 404, 422),
)
async def get_ephyto_xml(request: Request, received_id: RowId) -> Response:
    """The document exactly as it was received."""
    services = _services(request)
    data = await run_in_threadpool(services.ephyto.raw, received_id)
    return xml_download(data, f"received-ephyto-{received_id}.xml")


@router.get(
    "/certificates/{certificate_id}/ephyto.xml",
    dependencies=[allow(Action.CERTIFICATES_READ, tenant="certificate")],
    responses=answers(*CALLER, 404, 409, 422),
)
async def certificate_ephyto(
    request: Request, certificate_id: RowId, envelope: bool = Query(True)
) -> Response:
    """An issued (70) or cancelled (40) certificate as IPPC ePhyto XML, validated against the
    schema; in the hub's envelope unless ``envelope=false``. 409 for a certificate that is not
    exchanged (a treatment certificate, one never issued)."""
    services = _services(request)
    principal = principal_of(request)

    def made() -> tuple[str, bytes]:
        found = services.certificates.certificate(certificate_id)
        if found is not None and not principal.covers(found.enterprise, found.city):
            found = None
        data = services.ephyto.export(found, shown=str(certificate_id), envelope=envelope)
        assert found is not None and found.issue is not None
        return f"{found.issue.number}.ephyto.xml", data

    filename, data = await run_in_threadpool(made)
    return xml_download(data, filename)
