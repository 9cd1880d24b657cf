"""The inspector's pages: the queue of consignments to inspect (filtered, paged, exported), the
assessment form, the interception records (filtered, searched, paged, exported). The
consignment's page shows its route (``_route.html``) and its assessment (``_assessment.html``) from
``services.supervision.assessment.route_view``, as the form does.

The form keeps what was typed when a field is refused and names the field next to it; a
recorded assessment answers 303 to the queue (a reload does not post again).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, Message, Refused, say
from phytowatch.domain.supervision.assessment import (
    Conformity,
    Disposal,
    Interception,
    LifeStage,
    Sample,
)
from phytowatch.domain.supervision.consignment import ConsignmentState
from phytowatch.domain.supervision.policy import SupervisionMode
from phytowatch.domain.supervision.routing import HARD_RULES
from phytowatch.i18n.places import city_name
from phytowatch.services.lists import reach_of
from phytowatch.services.supervision import assessment as uc
from phytowatch.web.auth import principal_of
from phytowatch.web.clock import now_of
from phytowatch.web.deps import RowId, context_of
from phytowatch.web.errors import STATUS
from phytowatch.web.listing import CSV_CHUNK, PAGE_SIZES, Filters, csv_response, iso, pager
from phytowatch.web.templating import (
    PageError,
    language_of,
    page,
    page_form,
    render,
    services_of,
)

router = APIRouter()
MIN_ROWS = 3  # blank rows the form offers for samples and for interceptions
MAX_ROWS = 50
SAMPLE_FIELDS = ("sample_id", "kind", "lab", "result")
INTERCEPTION_FIELDS = ("pest", "life_stage", "count", "batches")


# -- the queue ------------------------------------------------------------------------------------


def _queue_filter(filters: Filters) -> uc.QueueFilter:
    return uc.QueueFilter(
        enterprise=filters.text("enterprise", 32) or "",
        city=filters.text("city", 64) or "",
        destination=filters.text("destination", 2) or "",
        mode=filters.choice("mode", MODES) or "",
        rule=filters.choice("rule", RULES) or "",
    )


MODES = tuple(m.value for m in SupervisionMode)
RULES = tuple(sorted(HARD_RULES))


@router.get("/inspections", dependencies=[page(Action.CONSIGNMENTS_READ)], include_in_schema=False)
async def inspections(request: Request) -> HTMLResponse:
    """Consignments routed to inspect and not yet assessed, within the caller's reach, the
    longest waiting first: filters and pages from the URL, paged and counted by the database."""
    services = services_of(request)
    filters = Filters(request)
    wanted = _queue_filter(filters)
    size, number = filters.size(), filters.page()
    principal = principal_of(request)

    def load() -> Any:
        cities = services.registry.cities(reach_of(principal))
        if filters.impossible:  # a NUL no row can hold: nothing matches, on either database
            return pager(0, 1, size, request.url.path, filters.link_params()), [], cities
        found = uc.find_waiting(
            services.assessments, principal, wanted, offset=(number - 1) * size, limit=size
        )
        at = pager(found.total, number, size, request.url.path, filters.link_params())
        if at.page != number:
            found = uc.find_waiting(
                services.assessments, principal, wanted, offset=at.offset, limit=size
            )
        return at, found.items, cities

    at, waiting, cities = await run_in_threadpool(load)
    language = language_of(request)
    now = now_of(request)
    rows = [{"w": w, "waiting_s": max(0, (now - w.routed_at) // 1_000_000)} for w in waiting]
    return await render(
        request,
        "supervision/inspections.html",
        active="inspections",
        rows=rows,
        pager=at,
        given=filters.given,
        sizes=PAGE_SIZES,
        cities=[(c, city_name(c, language)) for c in cities],
        modes=MODES,
        rules=RULES,
    )


QUEUE_COLUMNS = (
    "consignment", "number", "version", "enterprise", "city", "destination", "routed_at",
    "waiting_s", "mode", "hard_rules",
)  # fmt: skip


@router.get(
    "/inspections.csv", dependencies=[page(Action.CONSIGNMENTS_READ)], include_in_schema=False
)
async def inspections_csv(request: Request) -> StreamingResponse:
    """The filtered queue, every page, the longest waiting first, as CSV (UTF-8 with a BOM;
    English column names)."""
    services = services_of(request)
    filters = Filters(request)
    wanted = _queue_filter(filters)
    filters.size(), filters.page()
    principal = principal_of(request)
    now = now_of(request)

    def rows() -> Iterator[list[Any]]:
        if filters.impossible:
            return
        offset = 0
        while True:
            found = uc.find_waiting(
                services.assessments, principal, wanted, offset=offset, limit=CSV_CHUNK
            )
            for w in found.items:
                yield [
                    w.consignment_id, w.number, w.version, w.enterprise, w.city, w.destination,
                    iso(w.routed_at), max(0, (now - w.routed_at) // 1_000_000), w.mode,
                    " ".join(w.fired),
                ]  # fmt: skip
            if len(found.items) < CSV_CHUNK:
                return
            offset += CSV_CHUNK

    return csv_response("inspections.csv", QUEUE_COLUMNS, rows())


# -- the form -------------------------------------------------------------------------------------


def _rows(fields: dict[str, str], prefix: str, names: tuple[str, ...]) -> list[dict[str, str]]:
    """The repeatable rows as typed (``samples-0-kind``…), blank ones dropped."""
    out = []
    for index in range(MAX_ROWS):
        row = {name: fields.get(f"{prefix}-{index}-{name}", "").strip() for name in names}
        if any(row.values()):
            out.append(row)
    return out


def _form_of(
    fields: dict[str, str],
) -> tuple[uc.InspectionForm | None, list[tuple[str, Message]], dict[str, Any]]:
    samples = _rows(fields, "samples", SAMPLE_FIELDS)
    found = _rows(fields, "interceptions", INTERCEPTION_FIELDS)
    typed: dict[str, Any] = {
        name: fields.get(name, "")
        for name in ("inspected", "lab_results", "findings", "conformity", "disposal", "comment")
    }
    typed["samples"], typed["interceptions"] = samples, found
    wrong: list[tuple[str, Message]] = []
    pests = []
    for index, row in enumerate(found):
        try:
            stage = LifeStage(row["life_stage"])
        except ValueError:
            field = f"interceptions[{index}].life_stage"
            choices = ", ".join(s.value for s in LifeStage)
            wrong.append((field, say(Code.FIELD_CHOICE, field=field, choices=choices)))
            stage = LifeStage.OTHER
        count = int(row["count"]) if row["count"].isdigit() else 0
        pests.append(Interception(row["pest"], stage, count, row["batches"]))
    if wrong:
        return None, wrong, typed
    form = uc.InspectionForm(
        inspected=typed["inspected"],
        samples=tuple(Sample(r["sample_id"], r["kind"], r["lab"], r["result"]) for r in samples),
        lab_results=typed["lab_results"],
        findings=typed["findings"],
        interceptions=tuple(pests),
        conformity=typed["conformity"],
        disposal=typed["disposal"],
        comment=typed["comment"],
    )
    return form, [], typed


async def _form_page(
    request: Request,
    consignment_id: int,
    status: int = 200,
    *,
    typed: dict[str, Any] | None = None,
    wrong: list[tuple[str, Message]] | None = None,
    error: Message | None = None,
) -> HTMLResponse:
    services = services_of(request)
    principal = principal_of(request)

    def load() -> dict[str, Any]:
        consignment = uc.visible(services.consignments, principal, consignment_id)
        return {
            "consignment": consignment,
            **uc.route_view(services.consignments, services.assessments, principal, consignment_id),
        }

    try:
        context = await run_in_threadpool(load)
    except Refused as refusal:
        raise PageError(STATUS[refusal.kind], refusal.message) from None
    typed = typed or {"samples": [], "interceptions": []}
    blank = {name: "" for name in SAMPLE_FIELDS}
    samples = typed["samples"] + [blank] * max(1, MIN_ROWS - len(typed["samples"]))
    blank = {name: "" for name in INTERCEPTION_FIELDS}
    found = typed["interceptions"] + [blank] * max(1, MIN_ROWS - len(typed["interceptions"]))
    return await render(
        request,
        "supervision/inspect.html",
        status,
        active="inspections",
        typed=typed,
        sample_rows=samples,
        interception_rows=found,
        wrong=dict(wrong or []),
        error=error,
        waiting=context["consignment"].state is ConsignmentState.ROUTED,
        conformities=[c.value for c in Conformity],
        disposals=[d.value for d in Disposal],
        life_stages=[s.value for s in LifeStage],
        **context,
    )


@router.get(
    "/consignments/{consignment_id}/assess",
    dependencies=[page(Action.CONSIGNMENTS_ASSESS, tenant="consignment")],
    include_in_schema=False,
)
async def assess_form(request: Request, consignment_id: RowId) -> HTMLResponse:
    """The assessment form, with the route that sent the consignment to inspection."""
    return await _form_page(request, consignment_id)


@router.post(
    "/consignments/{consignment_id}/assess",
    dependencies=[page(Action.CONSIGNMENTS_ASSESS, tenant="consignment")],
    include_in_schema=False,
)
async def assess_post(request: Request, consignment_id: RowId) -> Response:
    """Record the inspection: 303 to the queue; a refusal said next to its field, the form
    keeping what was typed."""
    services = services_of(request)
    form, wrong, typed = _form_of(await page_form(request))
    if form is None:
        return await _form_page(request, consignment_id, 422, typed=typed, wrong=wrong)
    try:
        await run_in_threadpool(
            lambda: uc.record_inspection(
                services.consignments, services.assessments, services.audit,
                consignment_id, form, ctx=context_of(request),
            )
        )  # fmt: skip
    except uc.FieldsRefused as refusal:
        return await _form_page(request, consignment_id, 422, typed=typed, wrong=refusal.wrong)
    except Refused as refusal:
        return await _form_page(
            request, consignment_id, STATUS[refusal.kind], typed=typed, error=refusal.message
        )
    return RedirectResponse("/inspections?assessed=1", status_code=303)


# -- the interception records ---------------------------------------------------------------------


def _filter(filters: Filters) -> uc.InterceptionFilter:
    start, end = filters.days("from", "to")
    return uc.InterceptionFilter(
        pest=filters.text("pest", 200) or "",
        enterprise=filters.text("enterprise", 32) or "",
        product=filters.text("product", 64) or "",
        start=start,
        end=end,
        text=filters.text("q") or "",
    )


@router.get(
    "/interceptions", dependencies=[page(Action.CONSIGNMENTS_READ)], include_in_schema=False
)
async def interceptions(request: Request) -> HTMLResponse:
    """Pests intercepted, newest first: filters, search and pages from the URL."""
    services = services_of(request)
    filters = Filters(request)
    wanted = _filter(filters)
    size, number = filters.size(), filters.page()
    principal = principal_of(request)

    def load() -> Any:
        if filters.impossible:  # a NUL no row can hold: nothing matches, on either database
            return pager(0, 1, size, request.url.path, filters.link_params()), []
        found = uc.find_interceptions(
            services.assessments, principal, wanted, offset=(number - 1) * size, limit=size
        )
        at = pager(found.total, number, size, request.url.path, filters.link_params())
        if at.page != number:
            found = uc.find_interceptions(
                services.assessments, principal, wanted, offset=at.offset, limit=size
            )
        return at, found.items

    at, rows = await run_in_threadpool(load)
    return await render(
        request,
        "supervision/interceptions.html",
        active="interceptions",
        rows=rows,
        pager=at,
        given=filters.given,
        sizes=PAGE_SIZES,
    )


INTERCEPTION_COLUMNS = (
    "consignment", "number", "enterprise", "city", "destination", "products", "pest",
    "life_stage", "count", "batches", "at", "by",
)  # fmt: skip


@router.get(
    "/interceptions.csv", dependencies=[page(Action.CONSIGNMENTS_READ)], include_in_schema=False
)
async def interceptions_csv(request: Request) -> StreamingResponse:
    """The filtered records, every page, as CSV (UTF-8 with a BOM; English column names)."""
    services = services_of(request)
    filters = Filters(request)
    wanted = _filter(filters)
    filters.size(), filters.page()
    principal = principal_of(request)

    def rows() -> Iterator[list[Any]]:
        if filters.impossible:
            return
        offset = 0
        while True:
            found = uc.find_interceptions(
                services.assessments, principal, wanted, offset=offset, limit=CSV_CHUNK
            )
            for r in found.items:
                yield [
                    r.consignment_id, r.number, r.enterprise, r.city, r.destination,
                    " ".join(r.products), r.pest, r.life_stage, r.count, r.batches, iso(r.at),
                    r.by,
                ]  # fmt: skip
            if len(found.items) < CSV_CHUNK:
                return
            offset += CSV_CHUNK

    return csv_response("interceptions.csv", INTERCEPTION_COLUMNS, rows())
