"""Pages of classification management and raw-material bases.

- ``/admin/classification``: every enterprise's standing (class with its name in the scheme,
  e-supervised, key list, since), filtered, searched, paged, exported as CSV; one enterprise's
  form and history at ``/admin/classification/{code}``; the proposals at
  ``/admin/classification/proposals`` with confirm and dismiss. An administrator's
  (``classification:write``).
- ``/bases``: the bases within the reader's reach (an enterprise its own, read-only; bureau
  staff their office's), filtered, searched, exported; registering, suspending and reinstating
  for whoever holds ``bases:write`` (an inspector of the office, an administrator).

Forms post, then redirect (303) to the page that shows the result; a refusal is said on the
page with what was typed kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.instants import US_PER_D, format_instant
from phytowatch.domain.messages import Code, Message, Refused, say
from phytowatch.domain.supervision.classification import ProposalState
from phytowatch.domain.supervision.registry import BaseStatus
from phytowatch.services.app import App
from phytowatch.services.lists import reach_of
from phytowatch.services.paging import Found
from phytowatch.services.supervision import bases, standing
from phytowatch.web.auth import principal_of
from phytowatch.web.deps import RowId, context_of
from phytowatch.web.errors import STATUS
from phytowatch.web.listing import (
    CSV_CHUNK,
    PAGE_SIZES,
    Filters,
    Pager,
    csv_response,
    iso,
    pager,
)
from phytowatch.web.pages.forms import FormInputError, calendar_day, named_in_path
from phytowatch.web.templating import PageError, page, page_form, render, services_of

router = APIRouter()
ADMIN = [page(Action.CLASSIFICATION_WRITE)]
READ = [page(Action.CONSIGNMENTS_READ)]
WRITE_BASES = [page(Action.BASES_WRITE)]
YES_NO = ("yes", "no")
_SEPARATORS = ("\n", "，", "；", ";", "、")
STATES = tuple(s.value for s in ProposalState)
BASE_STATUSES = tuple(s.value for s in BaseStatus)


def _items(text: str) -> list[str]:
    """Product codes typed comma-, semicolon- or line-separated (Chinese commas too)."""
    for sep in _SEPARATORS:
        text = text.replace(sep, ",")
    return [item.strip() for item in text.split(",") if item.strip()]


def _first_day(start: int) -> str:
    """A period's first day (periods are whole UTC days)."""
    return format_instant(start)[:10]


def _last_day(end: int) -> str:
    """A period's last day: the one before its (excluded) end."""
    return format_instant(end - US_PER_D)[:10]


def _flag(value: str | None) -> bool | None:
    return None if value is None else value == "yes"


def _found_page(
    fetch: Callable[[int, int], Found[Any]], number: int, size: int, request: Request,
    filters: Filters,
) -> tuple[Pager, list[Any]]:  # fmt: skip
    """The page asked for; past the last one (the list shrank), the last one."""
    found = fetch((number - 1) * size, size)
    at = pager(found.total, number, size, request.url.path, filters.link_params())
    if at.page != number:
        found = fetch(at.offset, size)
    return at, found.items


def _all(fetch: Callable[[int, int], Found[Any]]) -> Iterator[Any]:
    offset = 0
    while True:
        chunk = fetch(offset, CSV_CHUNK).items
        yield from chunk
        if len(chunk) < CSV_CHUNK:
            return
        offset += CSV_CHUNK


def _class_names(services: App) -> dict[str, tuple[str, str]]:
    return dict(services.policy.policy().classification.scheme.names)


async def _call(action: Callable[[], Any]) -> tuple[Any, Message | None, int]:
    try:
        return await run_in_threadpool(action), None, 200
    except Refused as error:
        return None, error.message, STATUS[error.kind]


# -- the classification list ----------------------------------------------------------------


def _standing_query(request: Request, filters: Filters, services: App) -> standing.StandingQuery:
    classes = services.policy.policy().classification.scheme.classes
    return standing.StandingQuery(
        reach_of(principal_of(request)),
        text=filters.text("q") or "",
        klass=filters.choice("class", classes) or "",
        e_supervised=_flag(filters.choice("e_supervised", YES_NO)),
        key_list=_flag(filters.choice("key_list", YES_NO)),
    )


@router.get("/admin/classification", dependencies=ADMIN, include_in_schema=False)
async def classification(request: Request) -> HTMLResponse:
    """Every enterprise's standing in force, a page at a time."""
    services = services_of(request)
    filters = Filters(request)
    query = _standing_query(request, filters, services)
    size, number = filters.size(), filters.page()

    def fetch(offset: int, limit: int) -> Found[standing.StandingRow]:
        if filters.impossible:
            return Found([], 0, offset, limit)
        return services.classification.find_standings(query, offset=offset, limit=limit)

    at, rows = await run_in_threadpool(_found_page, fetch, number, size, request, filters)
    scheme = services.policy.policy().classification.scheme
    return await render(
        request, "supervision/classification.html", active="admin", section="classification",
        rows=rows, pager=at, given=filters.given, classes=scheme.classes,
        names=_class_names(services), scheme=scheme.code, sizes=PAGE_SIZES,
    )  # fmt: skip


STANDING_COLUMNS = (
    "enterprise", "name_zh", "name_en", "city", "scheme", "class", "e_supervised", "key_list",
    "since", "by", "reason",
)  # fmt: skip


@router.get("/admin/classification.csv", dependencies=ADMIN, include_in_schema=False)
async def classification_csv(request: Request) -> StreamingResponse:
    services = services_of(request)
    filters = Filters(request)
    query = _standing_query(request, filters, services)
    filters.size(), filters.page()  # checked as on the page, though the file holds every page

    def fetch(offset: int, limit: int) -> Found[standing.StandingRow]:
        return services.classification.find_standings(query, offset=offset, limit=limit)

    rows = (
        [r.enterprise, r.name_zh, r.name_en, r.city, r.standing.scheme, r.standing.klass,
         int(r.standing.e_supervised), int(r.standing.key_list), iso(r.standing.since),
         r.standing.by, r.standing.reason]
        for r in _all(fetch)
    )  # fmt: skip
    return csv_response("classification.csv", STANDING_COLUMNS, rows)


# -- the proposals ----------------------------------------------------------------------------


async def _proposals_page(
    request: Request, status: int = 200, *, error: Message | None = None,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    services = services_of(request)
    filters = Filters(request)
    state = filters.choice("state", STATES)
    size, number = filters.size(), filters.page()
    wanted = ProposalState(state) if state else None

    def fetch(offset: int, limit: int) -> Found[Any]:
        return services.classification.find_proposals(wanted, offset=offset, limit=limit)

    def load() -> tuple[Pager, list[Any], list[str]]:
        at, rows = _found_page(fetch, number, size, request, filters)
        return at, rows, standing.unknown_measures(services.policy, services.record_counters)

    at, rows, unknown = await run_in_threadpool(load)
    added = request.query_params.get("added", "")
    return await render(
        request, "supervision/classification_proposals.html", status=status, active="admin",
        section="classification", rows=rows, pager=at, given=filters.given, states=STATES,
        sizes=PAGE_SIZES, unknown=unknown, error=error, typed=typed or {},
        added=int(added) if added.isdigit() else None, names=_class_names(services),
        first_day=_first_day, last_day=_last_day,
    )  # fmt: skip


@router.get("/admin/classification/proposals", dependencies=ADMIN, include_in_schema=False)
async def proposals(request: Request) -> HTMLResponse:
    """The proposed up- and downgrades (open first by default: newest first)."""
    return await _proposals_page(request)


@router.post("/admin/classification/proposals/propose", dependencies=ADMIN, include_in_schema=False)
async def propose(request: Request) -> Response:
    services = services_of(request)
    fields = await page_form(request)
    end_text = fields.get("end", "").strip()
    end = None
    if end_text:  # the day given is counted: the periods end at the start of the next one
        try:
            day = calendar_day(end_text, say(Code.FIELD_DATE, field="end"))
        except FormInputError as problem:
            return await _proposals_page(request, 422, error=problem.message, typed=fields)
        end = day - day % US_PER_D + US_PER_D
    done, error, status = await _call(
        lambda: standing.compute_proposals(
            services.classification,
            services.policy,
            services.record_counters,
            services.audit,
            ctx=context_of(request),
            end=end,
        )
    )
    if error is not None:
        return await _proposals_page(request, status, error=error, typed=fields)
    return RedirectResponse(
        f"/admin/classification/proposals?state=proposed&added={len(done.added)}", 303
    )


async def _decide(request: Request, proposal_id: int, confirm: bool) -> Response:
    services = services_of(request)
    fields = await page_form(request)
    comment = fields.get("comment", "")
    ctx = context_of(request)

    def act() -> Any:
        if confirm:
            return standing.confirm(
                services.classification, services.audit, proposal_id, ctx=ctx, comment=comment
            )
        return standing.dismiss(
            services.classification, services.audit, proposal_id, ctx=ctx, comment=comment
        )

    _, error, status = await _call(act)
    if error is not None:
        typed = {**fields, "proposal": str(proposal_id)}
        return await _proposals_page(request, status, error=error, typed=typed)
    return RedirectResponse(f"/admin/classification/proposals#p{proposal_id}", 303)


@router.post(
    "/admin/classification/proposals/{proposal_id}/confirm",
    dependencies=ADMIN,
    include_in_schema=False,
)
async def confirm(request: Request, proposal_id: RowId) -> Response:
    return await _decide(request, proposal_id, True)


@router.post(
    "/admin/classification/proposals/{proposal_id}/dismiss",
    dependencies=ADMIN,
    include_in_schema=False,
)
async def dismiss(request: Request, proposal_id: RowId) -> Response:
    return await _decide(request, proposal_id, False)


# -- one enterprise -------------------------------------------------------------------------


async def _enterprise_page(
    request: Request, code: str, status: int = 200, *, error: Message | None = None,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    named_in_path(code)
    services = services_of(request)
    try:
        now, history = await run_in_threadpool(
            lambda: standing.standing_history(
                services.classification, code, ctx=context_of(request)
            )
        )
    except Refused as refused:
        raise PageError(STATUS[refused.kind], refused.message) from None
    scheme = services.policy.policy().classification.scheme
    return await render(
        request, "supervision/classification_enterprise.html", status=status, active="admin",
        section="classification", code=code, now=now, history=history, classes=scheme.classes,
        names=_class_names(services), error=error, typed=typed or {},
        saved=request.query_params.get("saved") == "1",
    )  # fmt: skip


@router.get("/admin/classification/{code}", dependencies=ADMIN, include_in_schema=False)
async def enterprise_standing(request: Request, code: str) -> HTMLResponse:
    """One enterprise: its standing, the form to change it, its history."""
    return await _enterprise_page(request, code)


@router.post("/admin/classification/{code}", dependencies=ADMIN, include_in_schema=False)
async def set_standing(request: Request, code: str) -> Response:
    named_in_path(code)
    services = services_of(request)
    fields = await page_form(request)
    _, error, status = await _call(
        lambda: standing.set_standing(
            services.classification,
            services.policy,
            services.audit,
            code,
            ctx=context_of(request),
            klass=fields.get("class", ""),
            e_supervised=fields.get("e_supervised") == "yes",
            key_list=fields.get("key_list") == "yes",
            reason=fields.get("reason", ""),
        )
    )
    if error is not None:
        return await _enterprise_page(request, code, status, error=error, typed=fields)
    return RedirectResponse(f"/admin/classification/{code}?saved=1", 303)


# -- raw-material bases ---------------------------------------------------------------------


def _base_query(request: Request, filters: Filters) -> bases.BaseQuery:
    status = filters.choice("status", BASE_STATUSES)
    return bases.BaseQuery(
        reach_of(principal_of(request)),
        text=filters.text("q") or "",
        enterprise=filters.text("enterprise", 32) or "",
        status=BaseStatus(status) if status else None,
        product=filters.text("product", 64) or "",
    )


async def _bases_page(
    request: Request, status: int = 200, *, error: Message | None = None,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    services = services_of(request)
    filters = Filters(request)
    query = _base_query(request, filters)
    size, number = filters.size(), filters.page()

    def fetch(offset: int, limit: int) -> Found[Any]:
        if filters.impossible:
            return Found([], 0, offset, limit)
        return services.bases.find_bases(query, offset=offset, limit=limit)

    at, rows = await run_in_threadpool(_found_page, fetch, number, size, request, filters)
    products = services.policy.policy().products
    return await render(
        request, "supervision/bases.html", status=status, active="bases", rows=rows, pager=at,
        given=filters.given, statuses=BASE_STATUSES, products=products, sizes=PAGE_SIZES,
        error=error, typed=typed or {},
    )  # fmt: skip


@router.get("/bases", dependencies=READ, include_in_schema=False)
async def bases_list(request: Request) -> HTMLResponse:
    """The raw-material bases within reach, and the form to register one."""
    return await _bases_page(request)


BASE_COLUMNS = ("number", "enterprise", "name", "products", "location", "status", "updated_at")


@router.get("/bases.csv", dependencies=READ, include_in_schema=False)
async def bases_csv(request: Request) -> StreamingResponse:
    services = services_of(request)
    filters = Filters(request)
    query = _base_query(request, filters)
    filters.size(), filters.page()

    def fetch(offset: int, limit: int) -> Found[Any]:
        return services.bases.find_bases(query, offset=offset, limit=limit)

    rows = (
        [b.number, b.enterprise, b.name, " ".join(b.products), b.location, b.status.value,
         iso(b.updated_at)]
        for b in _all(fetch)
    )  # fmt: skip
    return csv_response("bases.csv", BASE_COLUMNS, rows)


@router.post("/bases", dependencies=WRITE_BASES, include_in_schema=False)
async def register(request: Request) -> Response:
    services = services_of(request)
    fields = await page_form(request)
    done, error, status = await _call(
        lambda: bases.register_base(
            services.bases,
            services.policy,
            services.audit,
            ctx=context_of(request),
            number=fields.get("number", ""),
            enterprise=fields.get("enterprise", ""),
            name=fields.get("name", ""),
            products=_items(fields.get("products", "")),
            location=fields.get("location", ""),
        )
    )
    if error is not None:
        return await _bases_page(request, status, error=error, typed=fields)
    return RedirectResponse(f"/bases/{done.number}", 303)


async def _base_page(
    request: Request, number: str, status: int = 200, *, error: Message | None = None,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    named_in_path(number)
    services = services_of(request)
    try:
        base, history = await run_in_threadpool(
            lambda: bases.base_history(services.bases, number, ctx=context_of(request))
        )
    except Refused as refused:
        raise PageError(STATUS[refused.kind], refused.message) from None
    return await render(
        request, "supervision/bases_base.html", status=status, active="bases", base=base,
        history=history, products=services.policy.policy().products, error=error,
        typed=typed or {},
    )  # fmt: skip


@router.get("/bases/{number}", dependencies=READ, include_in_schema=False)
async def base_page(request: Request, number: str) -> HTMLResponse:
    """One base and its history; suspend or reinstate it (``bases:write``)."""
    return await _base_page(request, number)


async def _change(request: Request, number: str, suspend: bool) -> Response:
    named_in_path(number)
    services = services_of(request)
    fields = await page_form(request)
    change = bases.suspend_base if suspend else bases.reinstate_base
    _, error, status = await _call(
        lambda: change(
            services.bases,
            services.audit,
            number,
            ctx=context_of(request),
            reason=fields.get("reason", ""),
        )
    )
    if error is not None:
        return await _base_page(request, number, status, error=error, typed=fields)
    return RedirectResponse(f"/bases/{number}", 303)


@router.post("/bases/{number}/suspend", dependencies=WRITE_BASES, include_in_schema=False)
async def suspend(request: Request, number: str) -> Response:
    return await _change(request, number, True)


@router.post("/bases/{number}/reinstate", dependencies=WRITE_BASES, include_in_schema=False)
async def reinstate(request: Request, number: str) -> Response:
    return await _change(request, number, False)
