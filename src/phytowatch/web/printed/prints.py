"""Printing a certificate: ``GET /certificates/{certificate_id}/pdf`` records the print
(audited: the first is the original, every later one a COPY) and answers the PDF so marked;
``GET /certificates/{certificate_id}/preview.pdf`` shows what is not issued yet as a DRAFT (not
a print: nothing is recorded)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, Invalid, Kind, Refused, say
from phytowatch.services.app import App
from phytowatch.services.certificates.printing import (
    PrintMark,
    printable_of,
    replaced_number,
)
from phytowatch.web.deps import RowId, context_of
from phytowatch.web.errors import STATUS
from phytowatch.web.templating import PageError, page

router = APIRouter()


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


def _pdf(body: bytes, name: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:80] or "certificate"
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{safe}.pdf"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(
    "/certificates/{certificate_id}/pdf",
    dependencies=[page(Action.CERTIFICATES_PRINT, tenant="certificate")],
    include_in_schema=False,
)
async def print_pdf(request: Request, certificate_id: RowId) -> Response:
    """Print: recorded, then rendered (ORIGINAL the first time, COPY after)."""
    services = _services(request)
    try:
        await run_in_threadpool(services.printer.ready)
        done = await run_in_threadpool(
            services.certificates.record_print, certificate_id, ctx=context_of(request)
        )
        certificate = await run_in_threadpool(services.certificates.certificate, certificate_id)
        if certificate is None or certificate.issue is None:
            raise PageError(404, say(Code.NOT_FOUND))
        mark = PrintMark.COPY if done.copy else PrintMark.ORIGINAL
        replaces = await run_in_threadpool(replaced_number, services.certificates, certificate)
        printable = printable_of(
            certificate, mark=mark, public_url=services.public_url, replaces=replaces
        )
        body = await run_in_threadpool(services.printer.render, printable)
    except Invalid as error:
        raise PageError(503, error.message) from None
    except Refused as error:
        raise PageError(STATUS[error.kind], error.message) from None
    suffix = f"-copy-{done.sequence - 1}" if done.copy else ""
    return _pdf(body, f"{certificate.issue.number}{suffix}")


@router.get(
    "/certificates/{certificate_id}/preview.pdf",
    dependencies=[page(Action.CERTIFICATES_READ, tenant="certificate")],
    include_in_schema=False,
)
async def preview_pdf(request: Request, certificate_id: RowId) -> Response:
    """A draft's preview, marked DRAFT, with no number and no QR code: not a print."""
    services = _services(request)
    certificate = await run_in_threadpool(services.certificates.certificate, certificate_id)
    if certificate is None:
        raise PageError(404, say(Code.NOT_FOUND))
    if certificate.issue is not None:
        refusal = say(Code.PRINT_NO_PREVIEW, certificate=certificate.issue.number)
        raise PageError(STATUS[Kind.CONFLICT], refusal)
    replaces = await run_in_threadpool(replaced_number, services.certificates, certificate)
    printable = printable_of(
        certificate, mark=PrintMark.DRAFT, public_url=services.public_url, replaces=replaces
    )
    try:
        body = await run_in_threadpool(services.printer.render, printable)
    except Invalid as error:
        raise PageError(503, error.message) from None
    return _pdf(body, f"draft-{certificate.content.consignment}")
