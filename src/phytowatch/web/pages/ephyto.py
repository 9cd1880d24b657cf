"""The received ePhytos' pages: the list with the import form (``/ephyto``), one certificate
with every field in both languages (``/ephyto/{received_id}``) and its XML as received.

The import form uploads the file (``multipart/form-data``, read with the standard library's
MIME parser: the file and nothing else is taken from it). It is sent by htmx, which adds the
session's CSRF header; a refusal is shown above the form, each problem with its line and element.
"""

from __future__ import annotations

from email.message import Message as MimeMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, Message, Refused, say
from phytowatch.services.certificates.ephyto import MAX_BYTES, ProblemsRefused, problem_message
from phytowatch.web.deps import RowId, context_of
from phytowatch.web.ephyto_json import xml_download
from phytowatch.web.errors import STATUS
from phytowatch.web.listing import PAGE_SIZES, Filters, pager
from phytowatch.web.templating import PageError, page, render, services_of

router = APIRouter()
UPLOAD_SLACK = 64 * 1024  # the form's other parts and the MIME headers around the file


async def _list(
    request: Request,
    status: int = 200,
    *,
    error: Message | None = None,
    problems: list[Message] | None = None,
    imported: Message | None = None,
) -> HTMLResponse:
    services = services_of(request)
    filters = Filters(request)
    size, number = filters.size(), filters.page()

    def load() -> Any:
        found = services.ephyto.find(offset=(number - 1) * size, limit=size)
        at = pager(found.total, number, size, "/ephyto", filters.link_params())
        if at.page != number:
            found = services.ephyto.find(offset=at.offset, limit=size)
        return at, found.items

    at, rows = await run_in_threadpool(load)
    return await render(
        request,
        "ephyto/list.html",
        status,
        active="ephyto",
        rows=rows,
        pager=at,
        sizes=PAGE_SIZES,
        given=filters.given,
        error=error,
        problems=problems or [],
        imported=imported,
    )


@router.get("/ephyto", dependencies=[page(Action.EPHYTO_READ)], include_in_schema=False)
async def ephyto_list(request: Request) -> HTMLResponse:
    """Received ePhytos, the newest import first; the import form for those who import."""
    return await _list(request)


def _uploaded(content_type: str, body: bytes) -> bytes | None:
    """The file part of a ``multipart/form-data`` body (None when there is none)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    parsed = BytesParser(policy=HTTP).parsebytes(head + body)
    if not parsed.is_multipart():
        return None
    for part in parsed.iter_parts():
        assert isinstance(part, MimeMessage)
        if part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) and payload.strip() else None
    return None


async def _body(request: Request) -> bytes | Message:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES + UPLOAD_SLACK:
        return say(Code.EPHYTO_TOO_LARGE, size=int(declared), max=MAX_BYTES)
    body = await request.body()
    if len(body) > MAX_BYTES + UPLOAD_SLACK:
        return say(Code.EPHYTO_TOO_LARGE, size=len(body), max=MAX_BYTES)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        try:
            found = _uploaded(content_type, body)
        except (ValueError, UnicodeError, LookupError):
            return say(Code.EPHYTO_NOT_UPLOAD)
        return found if found is not None else say(Code.EPHYTO_NO_FILE)
    if content_type.split(";")[0].strip() in {"application/xml", "text/xml"}:
        return body if body.strip() else say(Code.EPHYTO_NO_FILE)
    return say(Code.EPHYTO_NOT_UPLOAD)


@router.post("/ephyto", dependencies=[page(Action.EPHYTO_IMPORT)], include_in_schema=False)
async def ephyto_import(request: Request) -> Response:
    """Import the uploaded file: to its page when stored (or when imported before); the list
    with the refusal otherwise (htmx swaps a 200; without htmx the status says it)."""
    swapped = bool(request.headers.get("hx-request"))
    data = await _body(request)
    if isinstance(data, Message):
        return await _list(request, 200 if swapped else 422, error=data)
    services = services_of(request)
    ctx = context_of(request)
    try:
        done = await run_in_threadpool(services.ephyto.import_xml, data, ctx=ctx)
    except ProblemsRefused as refusal:
        said = [problem_message(p) for p in refusal.problems]
        return await _list(request, 200 if swapped else 422, error=refusal.message, problems=said)
    except Refused as refusal:
        status = 200 if swapped else STATUS[refusal.kind]
        return await _list(request, status, error=refusal.message)
    target = f"/ephyto/{done.stored.id}?{'imported' if done.created else 'known'}=1"
    if swapped:
        return Response(status_code=200, headers={"HX-Redirect": target})
    return Response(status_code=303, headers={"Location": target})


@router.get(
    "/ephyto/{received_id}", dependencies=[page(Action.EPHYTO_READ)], include_in_schema=False
)
async def ephyto_page(request: Request, received_id: RowId) -> HTMLResponse:
    """One received ePhyto, every field with its label in the reader's language."""
    services = services_of(request)
    try:
        stored = await run_in_threadpool(services.ephyto.received, received_id)
    except Refused as refusal:
        raise PageError(STATUS[refusal.kind], refusal.message) from None
    notice = None
    if "imported" in request.query_params:
        notice = say(
            Code.EPHYTO_IMPORTED,
            received=stored.id,
            number=stored.received.number,
            country=stored.received.export_country,
        )
    elif "known" in request.query_params:
        notice = say(Code.EPHYTO_KNOWN, received=stored.id)
    return await render(
        request, "ephyto/detail.html", active="ephyto", stored=stored, e=stored.received,
        notice=notice,
    )  # fmt: skip


@router.get(
    "/ephyto/{received_id}/received.xml",
    dependencies=[page(Action.EPHYTO_READ)],
    include_in_schema=False,
)
async def ephyto_raw(request: Request, received_id: RowId) -> Response:
    """The document exactly as received, to download."""
    services = services_of(request)
    try:
        data = await run_in_threadpool(services.ephyto.raw, received_id)
    except Refused as refusal:
        raise PageError(STATUS[refusal.kind], refusal.message) from None
    return xml_download(data, f"received-ephyto-{received_id}.xml")
