"""The consignments' pages: the list (filters, pager, CSV), the declarant's form (parties,
lines as a table with a row added on demand, a CSV of lines pasted or read from a file, the
enterprise's signed-off PASS runs to tick, bases, containers; save the draft or submit), and the
consignment page (state, content, older versions, backing runs, the timeline with elapsed
times; copy and withdraw where allowed).

The form posts ``application/x-www-form-urlencoded`` (the site's one form encoding): a CSV file
chosen is read into the text box by ``static/js/consignment.js``; without a script, the CSV is
pasted. A refused form is shown again with every field's message beside the field and what was
typed kept (422); a saved one redirects (303).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action, Role
from phytowatch.domain.messages import Code, Refused, Word, say
from phytowatch.domain.supervision.codes import UNITS
from phytowatch.domain.supervision.consignment import Consignment, ConsignmentState, Declaration
from phytowatch.domain.supervision.validation import FieldProblem, FieldsRefused
from phytowatch.formats import declaration_csv, declaration_json
from phytowatch.i18n.places import city_name
from phytowatch.services.app import App
from phytowatch.services.lists import reach_of
from phytowatch.services.supervision.assessment import route_view
from phytowatch.services.supervision.consignments import (
    CONSIGNMENT_SORTS,
    ConsignmentQuery,
    content,
    version_of,
    visible,
)
from phytowatch.services.supervision.declare import (
    EDITABLE,
    EMPTY,
    WITHDRAWABLE,
    DeclarationService,
)
from phytowatch.web.auth import principal_of
from phytowatch.web.consignment_json import elapsed
from phytowatch.web.deps import RowId, context_of
from phytowatch.web.errors import STATUS
from phytowatch.web.listing import CSV_CHUNK, PAGE_SIZES, Filters, csv_response, iso, pager
from phytowatch.web.pages.supervision import certificate_words
from phytowatch.web.pages.supervision.certificates import consignment_certificates, may_apply
from phytowatch.web.pages.transfers import consignment_section
from phytowatch.web.templating import PageError, language_of, page, page_form, render, services_of

router = APIRouter()
STATES = tuple(state.value for state in ConsignmentState)
DIRECTIONS = ("desc", "asc")
SPARE_ROWS = 2  # empty line rows the form offers after the typed ones
MAX_FORM_LINES = 200

# -- the list --------------------------------------------------------------------------------------


def _query(request: Request, filters: Filters) -> ConsignmentQuery:
    created_from, created_before = filters.days("from", "to")
    state = filters.choice("state", STATES)
    destination = filters.text("destination", 2)
    return ConsignmentQuery(
        reach=reach_of(principal_of(request)),
        enterprise=filters.text("enterprise", 32),
        state=None if state is None else ConsignmentState(state),
        destination=None if destination is None else destination.upper(),
        product=filters.text("product", 64),
        created_from=created_from,
        created_before=created_before,
        search=filters.text("q") or "",
        sort=filters.choice("sort", CONSIGNMENT_SORTS) or "created",
        descending=(filters.choice("dir", DIRECTIONS) or "desc") == "desc",
        nothing=filters.impossible,
    )


@router.get("/consignments", dependencies=[page(Action.CONSIGNMENTS_READ)], include_in_schema=False)
async def consignments_page(request: Request) -> HTMLResponse:
    services = services_of(request)
    filters = Filters(request)
    query = _query(request, filters)
    size, number = filters.size(), filters.page()
    language = language_of(request)

    def load() -> tuple[Any, list[dict[str, Any]]]:
        found = services.consignments.find(replace(query, offset=(number - 1) * size, limit=size))
        at = pager(found.total, number, size, request.url.path, filters.link_params())
        if at.page != number:
            found = services.consignments.find(replace(query, offset=at.offset, limit=size))
        rows = [
            {
                "row": row,
                "enterprise_name": row.enterprise_zh if language == "zh_CN" else row.enterprise_en,
                "city": city_name(row.city, language),
            }
            for row in found.items
        ]
        return at, rows

    at, rows = await run_in_threadpool(load)
    return await render(
        request,
        "supervision/consignments.html",
        active="consignments",
        rows=rows,
        pager=at,
        given=filters.given,
        states=STATES,
        sorts=CONSIGNMENT_SORTS,
        sizes=PAGE_SIZES,
        products=sorted(services.policy.policy().products),
    )


@router.get(
    "/consignments.csv", dependencies=[page(Action.CONSIGNMENTS_READ)], include_in_schema=False
)
async def consignments_csv(request: Request) -> Response:
    services = services_of(request)
    query = _query(request, Filters(request))

    def rows() -> Any:
        offset = 0
        while True:
            found = services.consignments.find(replace(query, offset=offset, limit=CSV_CHUNK))
            for row in found.items:
                yield (
                    row.number, row.enterprise, row.city, row.state.value, row.version,
                    row.destination, row.consignee, iso(row.created_at), iso(row.submitted_at),
                    iso(row.updated_at),
                )  # fmt: skip
            if len(found.items) < CSV_CHUNK:
                return
            offset += CSV_CHUNK

    header = (
        "number", "enterprise", "city", "state", "version", "destination", "consignee",
        "created_at", "submitted_at", "updated_at",
    )  # fmt: skip
    return csv_response("consignments.csv", header, rows())


# -- the form --------------------------------------------------------------------------------------


def _declarant_of(request: Request) -> str:
    principal = principal_of(request)
    if principal.role is not Role.ENTERPRISE_DECLARANT or not principal.enterprise:
        raise PageError(403, say(Code.DECL_DECLARANT_ONLY))
    return principal.enterprise


def _typed_of(declaration: Declaration) -> dict[str, Any]:
    """A declaration as the form's fields hold it."""
    value = declaration_json.encode(declaration)
    return {
        **{
            key: value[key]
            for key in ("destination", "port_of_exit", "conveyance", "marks", "place_of_origin")
        },
        "exporter": value["exporter"],
        "consignee": value["consignee"],
        "lines": [{k: str(v) for k, v in line.items()} for line in value["lines"]],
        "containers": "\n".join(value["containers"]),
        "bases": "\n".join(value["bases"]),
        "runs": [str(run) for run in value["runs"]],
        "lines_csv": "",
    }


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]


_LINE_KEYS = ("product", "botanical_name", "quantity", "unit", "packages", "package_type")


def _typed_from(fields: dict[str, str]) -> dict[str, Any]:
    """What was typed, as the form shows it again: the lines' non-empty rows in order."""
    rows = []
    for i in range(MAX_FORM_LINES):
        row = {key: fields.get(f"lines[{i}].{key}", "") for key in _LINE_KEYS}
        if any(v.strip() for v in row.values()):
            rows.append(row)
    return {
        "exporter": {
            "name": fields.get("exporter.name", ""),
            "address": fields.get("exporter.address", ""),
        },
        "consignee": {
            "name": fields.get("consignee.name", ""),
            "address": fields.get("consignee.address", ""),
        },
        **{
            key: fields.get(key, "")
            for key in ("destination", "port_of_exit", "conveyance", "marks", "place_of_origin")
        },
        "lines": rows,
        "containers": fields.get("containers", ""),
        "bases": fields.get("bases", ""),
        "runs": [k.removeprefix("run.") for k, v in fields.items() if k.startswith("run.")],
        "lines_csv": fields.get("lines_csv", ""),
    }


def _declaration_from(typed: dict[str, Any]) -> Declaration:
    """The declaration the typed form says (the CSV's lines, when one was given, replace the
    table's); :class:`FieldsRefused` naming the fields."""
    value: dict[str, Any] = {
        "exporter": typed["exporter"],
        "consignee": typed["consignee"],
        "lines": typed["lines"],
        **{
            k: typed[k]
            for k in ("destination", "port_of_exit", "conveyance", "marks", "place_of_origin")
        },
        "containers": _split(typed["containers"]),
        "bases": _split(typed["bases"]),
        "runs": [int(r) if r.isdigit() and len(r) < 10 else r for r in typed["runs"]],
    }
    declaration = declaration_json.decode(value)
    if typed["lines_csv"].strip():
        lines = declaration_csv.decode(typed["lines_csv"].encode("utf-8"))
        declaration = replace(declaration, lines=lines)
    return declaration


async def _form(
    request: Request,
    enterprise: str,
    typed: dict[str, Any],
    *,
    consignment: Consignment | None,
    status: int = 200,
    problems: tuple[FieldProblem, ...] = (),
    error: Any = None,
    extra_rows: int = 0,
) -> HTMLResponse:
    services = services_of(request)
    offered = await run_in_threadpool(services.consignments.offered_runs, enterprise)
    policy = services.policy.policy()
    language = language_of(request)
    products = [
        (code, p.name_zh if language == "zh_CN" else p.name_en, p.botanical_name)
        for code, p in sorted(policy.products.items())
    ]
    rows = list(typed["lines"]) + [dict.fromkeys(_LINE_KEYS, "")] * (SPARE_ROWS + extra_rows)
    return await render(
        request,
        "supervision/consignment_form.html",
        status,
        active="consignments",
        consignment=consignment,
        typed=typed,
        rows=rows,
        problems={p.field: p.message for p in problems},
        csv_problems=[p for p in problems if p.field.startswith("csv")],
        other_problems=[p for p in problems if p.field.startswith(("lines", "(body)"))],
        error=error,
        offered=offered,
        products=products,
        units=UNITS,
        csv_template=declaration_csv.template(),
    )


@router.get(
    "/consignments/new",
    dependencies=[page(Action.CONSIGNMENTS_DECLARE)],
    include_in_schema=False,
)
async def new_page(request: Request) -> HTMLResponse:
    enterprise = _declarant_of(request)
    return await _form(request, enterprise, _typed_of(EMPTY), consignment=None)


async def _posted(request: Request, enterprise: str, consignment: Consignment | None) -> Response:
    """The form posted: add a row, save the draft, or submit."""
    fields = await page_form(request)
    typed = _typed_from(fields)
    action = fields.get("do", "save")
    if action == "add_row":
        return await _form(request, enterprise, typed, consignment=consignment, extra_rows=1)
    try:
        declaration = _declaration_from(typed)
    except FieldsRefused as refused:
        return await _form(
            request, enterprise, typed, consignment=consignment, status=422,
            problems=refused.problems, error=refused.message,
        )  # fmt: skip
    ctx = context_of(request)
    declarations = DeclarationService.of(services_of(request))
    try:
        if consignment is None:
            consignment = await run_in_threadpool(
                lambda: declarations.create(declaration, ctx=ctx, enterprise=enterprise)
            )
        else:
            target = consignment
            await run_in_threadpool(lambda: declarations.edit(target.id, declaration, ctx=ctx))
        if action == "submit":
            target = consignment
            await run_in_threadpool(lambda: declarations.submit(target.id, ctx=ctx))
            return RedirectResponse(f"/consignments/{consignment.id}?submitted=1", status_code=303)
    except FieldsRefused as refused:
        typed["lines_csv"] = ""  # the CSV's lines are in the draft now: shown in the table
        if consignment is not None:
            saved = await run_in_threadpool(content, services_of(request).consignments, consignment)
            typed = {**_typed_of(saved or declaration), "lines_csv": ""} if saved else typed
        return await _form(
            request, enterprise, typed, consignment=consignment, status=422,
            problems=refused.problems, error=refused.message,
        )  # fmt: skip
    except Refused as refused:
        return await _form(
            request, enterprise, typed, consignment=consignment,
            status=STATUS[refused.kind], error=refused.message,
        )  # fmt: skip
    return RedirectResponse(f"/consignments/{consignment.id}/edit?saved=1", status_code=303)


@router.post(
    "/consignments/new",
    dependencies=[page(Action.CONSIGNMENTS_DECLARE)],
    include_in_schema=False,
)
async def new_form(request: Request) -> Response:
    enterprise = _declarant_of(request)
    return await _posted(request, enterprise, None)


async def _own(request: Request, consignment_id: int) -> Consignment:
    services = services_of(request)
    principal = principal_of(request)
    try:
        return await run_in_threadpool(
            lambda: visible(
                services.consignments, principal, consignment_id, also=services.port.reaches
            )
        )
    except Refused as error:
        raise PageError(STATUS[error.kind], error.message) from None


async def _editable(request: Request, consignment_id: int) -> tuple[str, Consignment]:
    enterprise = _declarant_of(request)
    found = await _own(request, consignment_id)
    if found.enterprise != enterprise:
        raise PageError(403, say(Code.DECL_DECLARANT_ONLY))
    if found.state not in EDITABLE:
        raise PageError(
            409, say(Code.DECL_NOT_DRAFT, number=found.number, state=Word(found.state.value))
        )
    return enterprise, found


@router.get(
    "/consignments/{consignment_id}/edit",
    dependencies=[page(Action.CONSIGNMENTS_DECLARE, tenant="consignment")],
    include_in_schema=False,
)
async def edit_page(request: Request, consignment_id: RowId, saved: int = 0) -> HTMLResponse:
    enterprise, found = await _editable(request, consignment_id)
    draft = await run_in_threadpool(content, services_of(request).consignments, found)
    return await _form(request, enterprise, _typed_of(draft or EMPTY), consignment=found)


@router.post(
    "/consignments/{consignment_id}/edit",
    dependencies=[page(Action.CONSIGNMENTS_DECLARE, tenant="consignment")],
    include_in_schema=False,
)
async def edit_form(request: Request, consignment_id: RowId) -> Response:
    enterprise, found = await _editable(request, consignment_id)
    return await _posted(request, enterprise, found)


# -- the consignment -------------------------------------------------------------------------------


def _view(services: App, found: Consignment, version: int | None) -> dict[str, Any]:
    store = services.consignments
    shown = version_of(store, found, version) if version else content(store, found)
    runs = store.backing_runs(shown.runs) if shown is not None else {}
    versions = store.versions(found.id)
    copied = store.consignment(found.copied_from) if found.copied_from else None
    return {
        "declaration": shown,
        "runs": [runs.get(r) for r in (shown.runs if shown else ())],
        "run_ids": list(shown.runs) if shown else [],
        "versions": versions,
        "timeline": elapsed(store.timeline(found.id)),
        "copied": copied,
    }


async def _consignment_page(
    request: Request,
    consignment_id: int,
    *,
    version: int | None = None,
    status: int = 200,
    error: Any = None,
    typed_reason: str = "",
    notice: str = "",
) -> HTMLResponse:
    services = services_of(request)
    found = await _own(request, consignment_id)
    try:
        view = await run_in_threadpool(_view, services, found, version)
    except Refused as refused:
        raise PageError(STATUS[refused.kind], refused.message) from None
    principal = principal_of(request)
    declares = (
        principal.role is Role.ENTERPRISE_DECLARANT
        and principal.enterprise == found.enterprise
        and principal.may(Action.CONSIGNMENTS_DECLARE)
    )
    products = services.policy.policy().products
    language = language_of(request)
    steps = await run_in_threadpool(
        lambda: route_view(
            services.consignments, services.assessments, principal, consignment_id,
            also=services.port.reaches,
        )
    )  # fmt: skip
    certificates = (
        await run_in_threadpool(consignment_certificates, services, request, consignment_id)
        if principal.may(Action.CERTIFICATES_READ)
        else []
    )
    return await render(
        request,
        "supervision/consignment.html",
        status,
        active="consignments",
        consignment=found,
        version=version,
        products={
            code: (p.name_zh if language == "zh_CN" else p.name_en) for code, p in products.items()
        },
        may_edit=declares and found.state in EDITABLE,
        may_withdraw=declares and found.state in WITHDRAWABLE,
        may_copy=declares,
        error=error,
        typed_reason=typed_reason,
        notice=notice,
        # the routing decision and the assessment (steps 2 and 3)
        **steps,
        # the certificates (step 4)
        certificates=certificates,
        may_apply=may_apply(principal, found, steps["assessment"]),
        state_words=certificate_words.STATES,
        kind_words=certificate_words.KINDS,
        # the e-transfer (step 5)
        transfer=await run_in_threadpool(consignment_section, services, principal, consignment_id),
        **view,
    )


@router.get(
    "/consignments/{consignment_id}",
    dependencies=[page(Action.CONSIGNMENTS_READ, tenant="consignment")],
    include_in_schema=False,
)
async def consignment_page(
    request: Request, consignment_id: RowId, version: int = 0, submitted: int = 0
) -> HTMLResponse:
    """The consignment; ``version=N`` shows an older submitted version."""
    return await _consignment_page(
        request,
        consignment_id,
        version=version or None,
        notice="submitted" if submitted else "",
    )


@router.post(
    "/consignments/{consignment_id}/withdraw",
    dependencies=[page(Action.CONSIGNMENTS_DECLARE, tenant="consignment")],
    include_in_schema=False,
)
async def withdraw_form(request: Request, consignment_id: RowId) -> Response:
    fields = await page_form(request)
    reason = fields.get("reason", "")
    declarations = DeclarationService.of(services_of(request))
    ctx = context_of(request)
    try:
        await run_in_threadpool(lambda: declarations.withdraw(consignment_id, reason, ctx=ctx))
    except FieldsRefused as refused:
        return await _consignment_page(
            request, consignment_id, status=422, error=refused.problems[0].message,
            typed_reason=reason,
        )  # fmt: skip
    except Refused as refused:
        if refused.kind.value == "not_found":
            raise PageError(404, refused.message) from None
        return await _consignment_page(
            request, consignment_id, status=STATUS[refused.kind], error=refused.message,
            typed_reason=reason,
        )  # fmt: skip
    return RedirectResponse(f"/consignments/{consignment_id}", status_code=303)


@router.post(
    "/consignments/{consignment_id}/copy",
    dependencies=[page(Action.CONSIGNMENTS_DECLARE, tenant="consignment")],
    include_in_schema=False,
)
async def copy_form(request: Request, consignment_id: RowId) -> Response:
    await page_form(request)
    declarations = DeclarationService.of(services_of(request))
    ctx = context_of(request)
    try:
        made = await run_in_threadpool(lambda: declarations.copy(consignment_id, ctx=ctx))
    except Refused as refused:
        raise PageError(STATUS[refused.kind], refused.message) from None
    return RedirectResponse(f"/consignments/{made.id}/edit", status_code=303)
