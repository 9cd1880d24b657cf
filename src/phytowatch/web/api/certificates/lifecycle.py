"""The certificates' lifecycle over JSON: list, read, draft from a consignment, edit, submit,
return, approve, reject, issue, cancel, replace.

Rules (``web.auth``): ``certificates:read`` to read (an enterprise its own, an office what it
covers: the tenant check on ``{certificate_id}``, the reach of the list); ``certificates:apply``
(the enterprise's declarant) to draft, edit, submit and ask for a replacement;
``certificates:certify`` (the certifying officer) to return, approve, reject, issue and cancel.
Refusals are message codes: 404 for what the caller may not see, 409 for a wrong state, 422 for
bad fields (each named under ``fields``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.certificates.model import (
    Certificate,
    CertificateKind,
    CertificateState,
    ReexportDetails,
)
from phytowatch.domain.messages import Code, Refused, say
from phytowatch.services.app import App
from phytowatch.services.certificates.rules import FieldsRefused
from phytowatch.services.supervision.assessment import reach
from phytowatch.web.auth import allow, principal_of
from phytowatch.web.body import StrictJsonRoute
from phytowatch.web.certificate_json import (
    certificate_json,
    event_json,
    fields_response,
    print_json,
    signature_json,
)
from phytowatch.web.deps import RowId, StrictBody, context_of, documented, names_nothing
from phytowatch.web.errors import CALLER, UNSAFE, ApiError, answers

router = APIRouter(prefix="/api/v1", route_class=StrictJsonRoute)

MAX_LIMIT = 500
TOTAL = "X-Total-Count"
KINDS = tuple(k.value for k in CertificateKind)
STATES = tuple(s.value for s in CertificateState)
STATE_HELP = "only these states, the parameter repeated for several: " + ", ".join(STATES)


class PartyIn(StrictBody):
    name: str = Field(json_schema_extra=documented(maxLength=500))
    address: str = Field(json_schema_extra=documented(maxLength=500))


class ReexportIn(StrictBody):
    origin_country: str = Field(description="ISO 3166-1 alpha-2 of the country of origin")
    original_certificate: str = Field(description="the origin NPPO's certificate number")
    certified_copy: bool = False
    repacked: bool = False
    new_containers: bool = False
    additional_inspection: bool = False


class DraftIn(StrictBody):
    kind: str = Field(json_schema_extra=documented(enum=list(KINDS)))
    reexport: ReexportIn | None = Field(None, description="for a re-export certificate")


class ChangesIn(StrictBody):
    """The free fields of a draft or returned certificate; what is not sent is kept."""

    consignee: PartyIn | None = None
    marks: str | None = Field(None, json_schema_extra=documented(maxLength=2000))
    point_of_entry: str | None = Field(None, json_schema_extra=documented(maxLength=2000))
    conveyance: str | None = Field(None, json_schema_extra=documented(maxLength=2000))
    additional_declaration: str | None = Field(None, json_schema_extra=documented(maxLength=2000))
    remarks: str | None = Field(None, json_schema_extra=documented(maxLength=2000))
    reexport: ReexportIn | None = None


class ReasonIn(StrictBody):
    reason: str = Field(json_schema_extra=documented(maxLength=2000))


class ReplaceIn(StrictBody):
    reason: str = Field(json_schema_extra=documented(maxLength=2000))
    changes: ChangesIn = Field(default_factory=ChangesIn)


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


def _changes(body: ChangesIn) -> dict[str, object]:
    return {
        name: value
        for name, value in body.model_dump(exclude_unset=True).items()
        if value is not None
    }


def _detail(services: App, certificate: Certificate) -> dict[str, Any]:
    certificates = services.certificates
    out = certificate_json(certificate)
    out["history"] = [event_json(e) for e in certificates.history(certificate.id)]
    out["prints"] = [print_json(p) for p in certificates.prints(certificate.id)]
    out["signature"] = (
        None
        if certificate.issue is None
        else signature_json(certificates.check_signature(certificate))
    )
    return out


async def _answer(request: Request, work: Callable[[], Certificate], status: int = 200) -> Response:
    """Run an act; a refusal by its kind, refused fields as 422 naming each."""
    services = _services(request)
    try:
        done = await run_in_threadpool(work)
    except FieldsRefused as error:
        return fields_response(error)
    except Refused as error:
        raise ApiError.of(error) from None
    body = await run_in_threadpool(_detail, services, done)
    return JSONResponse(body, status_code=status)


@router.get(
    "/certificates",
    dependencies=[allow(Action.CERTIFICATES_READ)],
    responses=answers(422, *CALLER),
)
async def list_certificates(
    request: Request,
    state: Annotated[list[str] | None, Query(description=STATE_HELP)] = None,
    office: str = Query("", max_length=32, description="the certifying office's code"),
    enterprise: str = Query("", max_length=32, description="the enterprise's code"),
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> JSONResponse:
    """Certificates within the caller's reach, newest first; the certifying officer's queue is
    ``?state=submitted&state=approved&office=<theirs>``. ``X-Total-Count`` says how many match."""
    services = _services(request)
    state = state or []
    for value in state:
        if value not in STATES:
            raise ApiError(422, say(Code.FIELD_CHOICE, field="state", choices=", ".join(STATES)))
    if names_nothing(office) or names_nothing(enterprise):
        return JSONResponse(
            {"total": 0, "offset": offset, "limit": limit, "items": []}, headers={TOTAL: "0"}
        )
    seen = reach(principal_of(request))
    found = await run_in_threadpool(
        lambda: services.certificates.find(
            states=frozenset(CertificateState(s) for s in state) if state else None,
            office=office or None,
            enterprise=enterprise or None,
            offset=offset,
            limit=limit,
            reach=seen,
        )
    )
    items = [certificate_json(c, content=False) for c in found.items]
    return JSONResponse(
        {"total": found.total, "offset": offset, "limit": limit, "items": items},
        headers={TOTAL: str(found.total)},
    )


@router.get(
    "/certificates/{certificate_id}",
    dependencies=[allow(Action.CERTIFICATES_READ, tenant="certificate")],
    responses=answers(404, 422, *CALLER),
)
async def get_certificate(request: Request, certificate_id: RowId) -> JSONResponse:
    """The certificate: its content, state, history, prints and whether its signature
    verifies (rebuilt from the stored record)."""
    services = _services(request)
    found = await run_in_threadpool(services.certificates.certificate, certificate_id)
    if found is None:
        raise ApiError(404, say(Code.CERT_NOT_FOUND, certificate=str(certificate_id)))
    return JSONResponse(await run_in_threadpool(_detail, services, found))


@router.get(
    "/consignments/{consignment_id}/certificates",
    dependencies=[allow(Action.CERTIFICATES_READ, tenant="consignment")],
    responses=answers(404, 422, *CALLER),
)
async def consignment_certificates(request: Request, consignment_id: RowId) -> JSONResponse:
    """The consignment's certificates, oldest first."""
    services = _services(request)
    found = await run_in_threadpool(services.certificates.of_consignment, consignment_id)
    return JSONResponse([certificate_json(c, content=False) for c in found])


@router.post(
    "/consignments/{consignment_id}/certificates",
    status_code=201,
    dependencies=[allow(Action.CERTIFICATES_APPLY, tenant="consignment")],
    responses=answers(404, 409, *UNSAFE),
)
async def post_draft(request: Request, consignment_id: RowId, body: DraftIn) -> Response:
    """A new draft filled from the consignment's newest declaration and its signed-off runs
    (409 unless the consignment was assessed conforming)."""
    services = _services(request)
    if body.kind not in KINDS:
        raise ApiError(422, say(Code.FIELD_CHOICE, field="kind", choices=", ".join(KINDS)))
    reexport = None if body.reexport is None else ReexportDetails(**body.reexport.model_dump())
    ctx = context_of(request)
    return await _answer(
        request,
        lambda: services.certificates.draft(
            consignment_id, CertificateKind(body.kind), ctx=ctx, reexport=reexport
        ),
        status=201,
    )


@router.patch(
    "/certificates/{certificate_id}",
    dependencies=[allow(Action.CERTIFICATES_APPLY, tenant="certificate")],
    responses=answers(404, 409, *UNSAFE),
)
async def patch_certificate(request: Request, certificate_id: RowId, body: ChangesIn) -> Response:
    """A new revision of a draft or returned certificate's free fields; the lines, exporter,
    destination and treatment come from the declaration and the runs and are never edited."""
    services = _services(request)
    ctx, changes = context_of(request), _changes(body)
    return await _answer(
        request, lambda: services.certificates.edit(certificate_id, changes, ctx=ctx)
    )


async def _simple(request: Request, certificate_id: int, name: str) -> Response:
    act = getattr(_services(request).certificates, name)
    ctx = context_of(request)
    return await _answer(request, lambda: act(certificate_id, ctx=ctx))


async def _reasoned(request: Request, certificate_id: int, name: str, reason: str) -> Response:
    act = getattr(_services(request).certificates, name)
    ctx = context_of(request)
    return await _answer(request, lambda: act(certificate_id, reason, ctx=ctx))


@router.post(
    "/certificates/{certificate_id}/submit",
    dependencies=[allow(Action.CERTIFICATES_APPLY, tenant="certificate")],
    responses=answers(404, 409, *UNSAFE),
)
async def post_submit(request: Request, certificate_id: RowId) -> Response:
    """Submit a draft or returned certificate to the certifying office."""
    return await _simple(request, certificate_id, "submit")


@router.post(
    "/certificates/{certificate_id}/return",
    dependencies=[allow(Action.CERTIFICATES_CERTIFY, tenant="certificate")],
    responses=answers(404, 409, *UNSAFE),
)
async def post_return(request: Request, certificate_id: RowId, body: ReasonIn) -> Response:
    """Return a submitted or approved certificate to the applicant, saying why."""
    return await _reasoned(request, certificate_id, "send_back", body.reason)


@router.post(
    "/certificates/{certificate_id}/approve",
    dependencies=[allow(Action.CERTIFICATES_CERTIFY, tenant="certificate")],
    responses=answers(404, 409, *UNSAFE),
)
async def post_approve(request: Request, certificate_id: RowId) -> Response:
    """Approve a submitted certificate."""
    return await _simple(request, certificate_id, "approve")


@router.post(
    "/certificates/{certificate_id}/reject",
    dependencies=[allow(Action.CERTIFICATES_CERTIFY, tenant="certificate")],
    responses=answers(404, 409, *UNSAFE),
)
async def post_reject(request: Request, certificate_id: RowId, body: ReasonIn) -> Response:
    """Reject a certificate not yet issued, saying why."""
    return await _reasoned(request, certificate_id, "reject", body.reason)


@router.post(
    "/certificates/{certificate_id}/issue",
    dependencies=[allow(Action.CERTIFICATES_CERTIFY, tenant="certificate")],
    responses=answers(404, 409, *UNSAFE),
)
async def post_issue(request: Request, certificate_id: RowId) -> Response:
    """Issue an approved certificate: number it, sign it with the office's key, move the
    consignment to certified (409 when the office has no key yet, naming the command)."""
    return await _simple(request, certificate_id, "issue")


@router.post(
    "/certificates/{certificate_id}/cancel",
    dependencies=[allow(Action.CERTIFICATES_CERTIFY, tenant="certificate")],
    responses=answers(404, 409, *UNSAFE),
)
async def post_cancel(request: Request, certificate_id: RowId, body: ReasonIn) -> Response:
    """Cancel an issued certificate, saying why (its number stays taken)."""
    return await _reasoned(request, certificate_id, "cancel", body.reason)


@router.post(
    "/certificates/{certificate_id}/replace",
    status_code=201,
    dependencies=[allow(Action.CERTIFICATES_APPLY, tenant="certificate")],
    responses=answers(404, 409, *UNSAFE),
)
async def post_replace(request: Request, certificate_id: RowId, body: ReplaceIn) -> Response:
    """A replacement draft of an issued certificate, naming it and why, with the changes; the
    old one becomes replaced when the new one is issued."""
    services = _services(request)
    ctx, changes = context_of(request), _changes(body.changes)
    return await _answer(
        request,
        lambda: services.certificates.replace(certificate_id, body.reason, changes, ctx=ctx),
        status=201,
    )
