"""``/api/v1/consignments``: e-declaration over HTTP.

A declarant of an enterprise drafts (``POST``, ``?submit=true`` to submit at once), edits the
draft (``PUT .../draft``, or its lines from a CSV: ``POST .../lines``), submits, withdraws and
copies; anyone who may read consignments lists them and reads one, within reach (an enterprise
its own, an office its cities'): one outside reach is answered as one that does not exist.

A declaration refused is a 422 whose ``fields`` holds every field's message, each naming its
field (``lines[2].quantity``, ``runs[0]``).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, Refused, say
from phytowatch.domain.supervision.consignment import ConsignmentState
from phytowatch.domain.supervision.validation import FieldsRefused
from phytowatch.formats import declaration_csv, declaration_json
from phytowatch.services.app import App
from phytowatch.services.lists import reach_of
from phytowatch.services.supervision.consignments import (
    CONSIGNMENT_SORTS,
    ConsignmentQuery,
    version_of,
    visible,
)
from phytowatch.services.supervision.declare import DeclarationService, Submitted
from phytowatch.web.auth import allow, principal_of
from phytowatch.web.body import (
    StrictJsonRoute,
    json_body_limit,
    read_bounded,
    read_json,
    refuse_encoded,
)
from phytowatch.web.consignment_json import (
    consignment_json,
    problem_json,
    refusal_response,
    row_json,
)
from phytowatch.web.deps import RowId, StrictBody, context_of, documented
from phytowatch.web.errors import CALLER, UNSAFE, ApiError, answers

router = APIRouter(prefix="/api/v1/consignments", route_class=StrictJsonRoute)
MAX_CSV_BYTES = 1_000_000

_DECLARATION_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "a declaration (docs/declarations.md): every key optional "
                    "in a draft, checked in full at submission",
                }
            }
        },
    }
}
_CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "the lines as CSV with a header (``phytowatch consignments "
        "lines-template``), UTF-8 with or without a byte order mark",
    }
}


class WithdrawIn(StrictBody):
    reason: str = Field(json_schema_extra=documented(minLength=1, maxLength=2000))


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


def _declarations(request: Request) -> DeclarationService:
    return DeclarationService.of(_services(request))


async def _declaration_of(request: Request) -> Any:
    value = await read_json(
        request, json_body_limit(request), say(Code.BODY_TOO_LARGE, max=json_body_limit(request))
    )
    return declaration_json.decode(value if value is not None else {})


def _submitted_json(services: App, done: Submitted) -> dict[str, Any]:
    return {
        **consignment_json(services.consignments, done.consignment, transfers=services.transfers),
        "warnings": [problem_json(w) for w in done.warnings],
    }


async def _answer(request: Request, work: Any, status: int = 200) -> Response:
    """Run a use case; a refused declaration is a 422 with every field, other refusals by kind."""
    try:
        result = await run_in_threadpool(work)
    except FieldsRefused as error:
        return refusal_response(error)
    except Refused as error:
        raise ApiError.of(error) from None
    services = _services(request)
    if isinstance(result, Submitted):
        body = await run_in_threadpool(_submitted_json, services, result)
    else:
        body = await run_in_threadpool(consignment_json, services.consignments, result)
    return JSONResponse(body, status_code=status)


@router.post(
    "",
    status_code=201,
    dependencies=[allow(Action.CONSIGNMENTS_DECLARE)],
    responses=answers(403, 413, 415, 422, *UNSAFE),
    openapi_extra=_DECLARATION_BODY,
)
async def post_consignment(request: Request, submit: bool = False) -> Response:
    """A new draft of the caller's enterprise from a JSON declaration; with ``submit=true``,
    submitted at once (a 422 then leaves the draft stored, its id in ``draft``)."""
    try:
        declaration = await _declaration_of(request)
    except FieldsRefused as error:
        return refusal_response(error)
    ctx = context_of(request)
    declarations = _declarations(request)
    try:
        made = await run_in_threadpool(lambda: declarations.create(declaration, ctx=ctx))
    except Refused as error:
        raise ApiError.of(error) from None
    if not submit:
        return await _answer(request, lambda: made, 201)
    try:
        done = await run_in_threadpool(lambda: declarations.submit(made.id, ctx=ctx))
    except FieldsRefused as error:
        answer = refusal_response(error)
        body = {**_json(answer), "draft": made.id, "href": f"{router.prefix}/{made.id}"}
        return JSONResponse(body, status_code=422)
    except Refused as error:
        raise ApiError.of(error) from None
    body = await run_in_threadpool(_submitted_json, _services(request), done)
    return JSONResponse(body, status_code=201)


def _json(response: JSONResponse) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(bytes(response.body))
    return value


def _day(name: str, text: str | None, *, after: bool = False) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ApiError(422, say(Code.FIELD_DATE, field=name))
    if after:
        day += timedelta(days=1)
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1_000_000


@router.get("", dependencies=[allow(Action.CONSIGNMENTS_READ)], responses=answers(422, *CALLER))
async def list_consignments(
    request: Request,
    enterprise: str | None = Query(None, max_length=32),
    state: ConsignmentState | None = None,
    destination: str | None = Query(None, max_length=2),
    product: str | None = Query(None, max_length=64),
    created_from: str | None = Query(None, alias="from", description="a UTC day, YYYY-MM-DD"),
    created_to: str | None = Query(None, alias="to", description="a UTC day, included"),
    q: str = Query("", max_length=100, description="in the number or the consignee's name"),
    sort: str = Query("created", json_schema_extra=documented(enum=list(CONSIGNMENT_SORTS))),
    order: str = Query("desc", json_schema_extra=documented(enum=["asc", "desc"])),
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(50, ge=1, le=500),
) -> JSONResponse:
    """The consignments within the caller's reach, filtered, sorted and a page at a time."""
    if sort not in CONSIGNMENT_SORTS:
        raise ApiError(
            422, say(Code.FIELD_CHOICE, field="sort", choices=", ".join(CONSIGNMENT_SORTS))
        )
    if order not in ("asc", "desc"):
        raise ApiError(422, say(Code.FIELD_CHOICE, field="order", choices="asc, desc"))
    texts = (enterprise, destination, product, q)
    query = ConsignmentQuery(
        reach=reach_of(principal_of(request)),
        enterprise=enterprise or None,
        state=state,
        destination=(destination or "").upper() or None,
        product=product or None,
        created_from=_day("from", created_from),
        created_before=_day("to", created_to, after=True),
        search=q.strip(),
        sort=sort,
        descending=order == "desc",
        nothing=any("\x00" in (t or "") for t in texts),
        offset=offset,
        limit=limit,
    )
    found = await run_in_threadpool(_services(request).consignments.find, query)
    return JSONResponse(
        {
            "total": found.total,
            "offset": found.offset,
            "limit": found.limit,
            "consignments": [row_json(row) for row in found.items],
        }
    )


@router.get(
    "/{consignment_id}",
    dependencies=[allow(Action.CONSIGNMENTS_READ, tenant="consignment")],
    responses=answers(404, 422, *CALLER),
)
async def get_consignment(request: Request, consignment_id: RowId) -> JSONResponse:
    """State, the newest version's content (or the draft), versions, timeline, links."""
    services = _services(request)
    principal = principal_of(request)

    def read() -> dict[str, Any]:
        found = visible(
            services.consignments, principal, consignment_id, also=services.port.reaches
        )
        return consignment_json(services.consignments, found, transfers=services.transfers)

    try:
        return JSONResponse(await run_in_threadpool(read))
    except Refused as error:
        raise ApiError.of(error) from None


@router.get(
    "/{consignment_id}/versions/{version}",
    dependencies=[allow(Action.CONSIGNMENTS_READ, tenant="consignment")],
    responses=answers(404, 422, *CALLER),
)
async def get_version(request: Request, consignment_id: RowId, version: RowId) -> JSONResponse:
    """One submitted version, as it was submitted (never edited)."""
    services = _services(request)
    principal = principal_of(request)

    def read() -> dict[str, Any]:
        found = visible(
            services.consignments, principal, consignment_id, also=services.port.reaches
        )
        declaration = version_of(services.consignments, found, version)
        infos = {v.version: v for v in services.consignments.versions(found.id)}
        info = infos[version]
        return {
            "consignment": found.id,
            "number": found.number,
            "version": version,
            "submitted_by": info.submitted_by,
            "sha256": info.content_hash,
            "declaration": declaration_json.encode(declaration),
        }

    try:
        return JSONResponse(await run_in_threadpool(read))
    except Refused as error:
        raise ApiError.of(error) from None


@router.put(
    "/{consignment_id}/draft",
    dependencies=[allow(Action.CONSIGNMENTS_DECLARE, tenant="consignment")],
    responses=answers(403, 404, 409, 413, 415, 422, *UNSAFE),
    openapi_extra=_DECLARATION_BODY,
)
async def put_draft(request: Request, consignment_id: RowId) -> Response:
    """Replace the draft (or the correction of a returned consignment) with this declaration."""
    try:
        declaration = await _declaration_of(request)
    except FieldsRefused as error:
        return refusal_response(error)
    ctx, declarations = context_of(request), _declarations(request)
    return await _answer(request, lambda: declarations.edit(consignment_id, declaration, ctx=ctx))


@router.post(
    "/{consignment_id}/lines",
    dependencies=[allow(Action.CONSIGNMENTS_DECLARE, tenant="consignment")],
    responses=answers(403, 404, 409, 413, 415, 422, *UNSAFE),
    openapi_extra=_CSV_BODY,
)
async def post_lines(request: Request, consignment_id: RowId) -> Response:
    """Replace the draft's lines with those of a CSV (``text/csv``)."""
    refuse_encoded(request)
    raw = await read_bounded(request, MAX_CSV_BYTES, say(Code.BODY_TOO_LARGE, max=MAX_CSV_BYTES))
    try:
        lines = declaration_csv.decode(raw)
    except FieldsRefused as error:
        return refusal_response(error)
    ctx, declarations = context_of(request), _declarations(request)
    return await _answer(
        request, lambda: declarations.replace_lines(consignment_id, lines, ctx=ctx)
    )


@router.post(
    "/{consignment_id}/submit",
    dependencies=[allow(Action.CONSIGNMENTS_DECLARE, tenant="consignment")],
    responses=answers(403, 404, 409, 422, *UNSAFE),
)
async def post_submit(request: Request, consignment_id: RowId) -> Response:
    """Submit the draft (or the correction of a returned one): checked in full; ``warnings``
    says what routing will inspect."""
    ctx, declarations = context_of(request), _declarations(request)
    return await _answer(request, lambda: declarations.submit(consignment_id, ctx=ctx))


@router.post(
    "/{consignment_id}/withdraw",
    dependencies=[allow(Action.CONSIGNMENTS_DECLARE, tenant="consignment")],
    responses=answers(403, 404, 409, *UNSAFE),
)
async def post_withdraw(request: Request, consignment_id: RowId, body: WithdrawIn) -> Response:
    """Withdraw it, with a reason (a draft, or one submitted, routed or returned)."""
    ctx, declarations = context_of(request), _declarations(request)
    return await _answer(
        request, lambda: declarations.withdraw(consignment_id, body.reason, ctx=ctx)
    )


@router.post(
    "/{consignment_id}/copy",
    status_code=201,
    dependencies=[allow(Action.CONSIGNMENTS_DECLARE, tenant="consignment")],
    responses=answers(403, 404, *UNSAFE),
)
async def post_copy(request: Request, consignment_id: RowId) -> Response:
    """A new draft with this consignment's content (its runs not copied)."""
    ctx, declarations = context_of(request), _declarations(request)
    return await _answer(request, lambda: declarations.copy(consignment_id, ctx=ctx), 201)
