"""The lists: runs (filtered, searched, sorted, paged, exported), the inspector's queue, the
facilities and the enterprises. Each is filtered, sorted and paged by the database within the
caller's reach (``services.lists``); its filters are the URL's query (``web/listing.py``).

A run shows its verdict and its review state (``domain.review``): only a run that
``looks_clean`` (a PASS signed off) has the green pass mark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.review import AWAITING, ReviewState, looks_clean
from phytowatch.i18n.places import city_name
from phytowatch.schedules import load_catalog
from phytowatch.services.app import App
from phytowatch.services.lists import (
    FACILITY_STATES,
    RUN_SORTS,
    VERDICTS,
    EnterpriseQuery,
    EnterpriseRow,
    FacilityQuery,
    FacilityRow,
    RunQuery,
    RunRow,
    reach_of,
)
from phytowatch.services.provisioning import ENTERPRISE_GRADES, FACILITY_KINDS
from phytowatch.web.auth import principal_of
from phytowatch.web.clock import now_of
from phytowatch.web.listing import (
    CSV_CHUNK,
    PAGE_SIZES,
    Filters,
    Pager,
    csv_response,
    iso,
    pager,
)
from phytowatch.web.templating import language_of, page, render, services_of

router = APIRouter()
REVIEW_STATES = tuple(state.value for state in ReviewState)
DIRECTIONS = ("desc", "asc")


# -- runs -----------------------------------------------------------------------------------------


def _run_query(request: Request, filters: Filters) -> RunQuery:
    started_from, started_before = filters.days("from", "to")
    return RunQuery(
        reach=reach_of(principal_of(request)),
        search=filters.text("q") or "",
        facility=filters.text("facility", 64),
        enterprise=filters.text("enterprise", 32),
        city=filters.text("city", 100),
        schedule=filters.choice("schedule", load_catalog().ids()),
        verdict=filters.choice("verdict", VERDICTS),
        review=tuple(ReviewState(s) for s in filters.choices("review", REVIEW_STATES)),
        started_from=started_from,
        started_before=started_before,
        sort=filters.choice("sort", RUN_SORTS) or "started",
        descending=(filters.choice("dir", DIRECTIONS) or "desc") == "desc",
        nothing=filters.impossible,
    )


def _run_views(services: App, rows: list[RunRow], language: str, now: int) -> list[dict[str, Any]]:
    views = []
    for row in rows:
        phase = None
        if row.closed_at is None:
            state = services.monitor.state(row.id, now)
            phase = state.phase.value if state is not None else None
        views.append(
            {
                "row": row,
                "clean": looks_clean(row.review, row.verdict),
                "phase": phase,
                "enterprise_name": row.enterprise_zh if language == "zh_CN" else row.enterprise_en,
                "city": city_name(row.city, language),
            }
        )
    return views


async def _runs_page(
    request: Request, template: str, active: str, build: Callable[[Filters], RunQuery]
) -> HTMLResponse:
    services = services_of(request)
    filters = Filters(request)
    query = build(filters)
    size, number = filters.size(), filters.page()
    language = language_of(request)

    def load() -> tuple[Pager, list[dict[str, Any]], list[str]]:
        at, rows = _page_of(services.runs.list_runs, query, number, size, request, filters)
        cities = services.registry.cities(query.reach)
        return at, _run_views(services, rows, language, now_of(request)), cities

    at, rows, cities = await run_in_threadpool(load)
    return await render(
        request,
        template,
        active=active,
        rows=rows,
        pager=at,
        given=filters.given,
        cities=[(c, city_name(c, language)) for c in cities],
        schedules=load_catalog().ids(),
        verdicts=VERDICTS,
        review_states=REVIEW_STATES,
        sorts=RUN_SORTS,
        sizes=PAGE_SIZES,
    )


def _page_of(
    fetch: Callable[[Any], tuple[int, list[Any]]],
    query: Any,
    number: int,
    size: int,
    request: Request,
    filters: Filters,
) -> tuple[Pager, list[Any]]:
    """The page asked for; past the last one (the list shrank since the link was made), the
    last one."""
    total, rows = fetch(replace(query, offset=(number - 1) * size, limit=size))
    at = pager(total, number, size, request.url.path, filters.link_params())
    if at.page != number:
        total, rows = fetch(replace(query, offset=at.offset, limit=size))
        at = pager(total, at.page, size, request.url.path, filters.link_params())
    return at, rows


@router.get("/runs", dependencies=[page(Action.RUNS_READ)], include_in_schema=False)
async def runs(request: Request) -> HTMLResponse:
    """The runs the caller may see: filters, search, sort and pages from the URL."""
    return await _runs_page(request, "runs.html", "runs", lambda f: _run_query(request, f))


RUN_COLUMNS = (
    "run", "facility", "facility_name", "kind", "enterprise", "enterprise_name_zh",
    "enterprise_name_en", "city", "schedule", "schedule_version", "load", "started_at",
    "closed_at", "verdict", "review_state", "signed_by", "signed_by_name", "signed_office",
    "signed_at",
)  # fmt: skip


def _run_cells(row: RunRow) -> list[Any]:
    return [
        row.id, row.facility, row.facility_name, row.kind, row.enterprise, row.enterprise_zh,
        row.enterprise_en, row.city, row.schedule_id, row.schedule_version, row.load,
        iso(row.started_at), iso(row.closed_at), row.verdict or "", row.review.value,
        row.signed_by, row.signed_by_name, row.signed_office, iso(row.signed_at),
    ]  # fmt: skip


def _all_rows(fetch: Callable[[int, int], list[Any]]) -> Iterator[Any]:
    """Every row of a list, read a chunk at a time while the file is written."""
    offset = 0
    while True:
        chunk = fetch(offset, CSV_CHUNK)
        yield from chunk
        if len(chunk) < CSV_CHUNK:
            return
        offset += CSV_CHUNK


@router.get("/runs.csv", dependencies=[page(Action.RUNS_READ)], include_in_schema=False)
async def runs_csv(request: Request) -> StreamingResponse:
    """The filtered list, every page, as CSV (UTF-8 with a BOM; stable English column names)."""
    services = services_of(request)
    filters = Filters(request)
    query = _run_query(request, filters)
    filters.size(), filters.page()  # checked as on the page, though the file holds every page

    def fetch(offset: int, limit: int) -> list[list[Any]]:
        return [
            _run_cells(r)
            for r in services.runs.list_runs(replace(query, offset=offset, limit=limit))[1]
        ]

    return csv_response("runs.csv", RUN_COLUMNS, _all_rows(fetch))


@router.get("/queue", dependencies=[page(Action.SIGNOFF_WRITE)], include_in_schema=False)
async def queue(request: Request) -> HTMLResponse:
    """The runs awaiting the caller's sign-off (its office's jurisdiction): findings to review
    first, then awaiting sign-off, the longest waiting first."""

    def build(filters: Filters) -> RunQuery:
        del filters
        return RunQuery(reach=reach_of(principal_of(request)), review=AWAITING, sort="queue")

    return await _runs_page(request, "queue.html", "queue", build)


# -- facilities and enterprises -------------------------------------------------------------------


def _facility_query(request: Request, filters: Filters) -> FacilityQuery:
    return FacilityQuery(
        reach=reach_of(principal_of(request)),
        search=filters.text("q") or "",
        city=filters.text("city", 100),
        kind=filters.choice("kind", FACILITY_KINDS),
        state=filters.choice("state", FACILITY_STATES),
        enterprise=filters.text("enterprise", 32),
        nothing=filters.impossible,
    )


def _facility_view(row: FacilityRow, language: str) -> dict[str, Any]:
    return {
        "row": row,
        "enterprise_name": row.enterprise_zh if language == "zh_CN" else row.enterprise_en,
        "city": city_name(row.city, language),
    }


@router.get("/facilities", dependencies=[page(Action.FACILITIES_READ)], include_in_schema=False)
async def facilities(request: Request) -> HTMLResponse:
    """The facilities the caller may see (the JSON list is ``/api/v1/facilities``)."""
    services = services_of(request)
    filters = Filters(request)
    query = _facility_query(request, filters)
    size, number = filters.size(), filters.page()
    language = language_of(request)

    def load() -> tuple[Pager, list[FacilityRow], list[str]]:
        fetch = services.registry.list_facility_rows
        at, rows = _page_of(fetch, query, number, size, request, filters)
        return at, rows, services.registry.cities(query.reach)

    at, rows, cities = await run_in_threadpool(load)
    return await render(
        request,
        "facilities.html",
        active="facilities",
        rows=[_facility_view(r, language) for r in rows],
        pager=at,
        given=filters.given,
        cities=[(c, city_name(c, language)) for c in cities],
        kinds=FACILITY_KINDS,
        states=FACILITY_STATES,
        sizes=PAGE_SIZES,
    )


FACILITY_COLUMNS = (
    "facility", "name", "kind", "treater_number", "enterprise", "enterprise_name_zh",
    "enterprise_name_en", "city", "probes", "open_run", "open_alarms", "in_alarm", "offline",
)  # fmt: skip


@router.get("/facilities.csv", dependencies=[page(Action.FACILITIES_READ)], include_in_schema=False)
async def facilities_csv(request: Request) -> StreamingResponse:
    services = services_of(request)
    filters = Filters(request)
    query = _facility_query(request, filters)
    filters.size(), filters.page()  # checked as on the page, though the file holds every page

    def fetch(offset: int, limit: int) -> list[list[Any]]:
        return [
            [r.code, r.name, r.kind, r.treater_number, r.enterprise, r.enterprise_zh,
             r.enterprise_en, r.city, r.probes, r.open_run, r.open_alarms,
             int(r.in_alarm), int(r.offline)]
            for r in services.registry.list_facility_rows(
                replace(query, offset=offset, limit=limit))[1]
        ]  # fmt: skip

    return csv_response("facilities.csv", FACILITY_COLUMNS, _all_rows(fetch))


def _enterprise_query(request: Request, filters: Filters) -> EnterpriseQuery:
    return EnterpriseQuery(
        reach=reach_of(principal_of(request)),
        search=filters.text("q") or "",
        city=filters.text("city", 100),
        grade=filters.choice("grade", ENTERPRISE_GRADES),
        nothing=filters.impossible,
    )


def _enterprise_view(row: EnterpriseRow, language: str) -> dict[str, Any]:
    return {
        "row": row,
        "name": row.name_zh if language == "zh_CN" else row.name_en,
        "other_name": row.name_en if language == "zh_CN" else row.name_zh,
        "city": city_name(row.city, language),
    }


@router.get("/enterprises", dependencies=[page(Action.FACILITIES_READ)], include_in_schema=False)
async def enterprises(request: Request) -> HTMLResponse:
    services = services_of(request)
    filters = Filters(request)
    query = _enterprise_query(request, filters)
    size, number = filters.size(), filters.page()
    language = language_of(request)

    def load() -> tuple[Pager, list[EnterpriseRow], list[str]]:
        fetch = services.registry.list_enterprise_rows
        at, rows = _page_of(fetch, query, number, size, request, filters)
        return at, rows, services.registry.cities(query.reach)

    at, rows, cities = await run_in_threadpool(load)
    return await render(
        request,
        "enterprises.html",
        active="enterprises",
        rows=[_enterprise_view(r, language) for r in rows],
        pager=at,
        given=filters.given,
        cities=[(c, city_name(c, language)) for c in cities],
        grades=ENTERPRISE_GRADES,
        sizes=PAGE_SIZES,
    )


ENTERPRISE_COLUMNS = (
    "enterprise", "name_zh", "name_en", "city", "grade", "facilities", "open_runs",
    "facilities_in_alarm",
)  # fmt: skip


@router.get(
    "/enterprises.csv", dependencies=[page(Action.FACILITIES_READ)], include_in_schema=False
)
async def enterprises_csv(request: Request) -> StreamingResponse:
    services = services_of(request)
    filters = Filters(request)
    query = _enterprise_query(request, filters)
    filters.size(), filters.page()  # checked as on the page, though the file holds every page

    def fetch(offset: int, limit: int) -> list[list[Any]]:
        return [
            [r.code, r.name_zh, r.name_en, r.city, r.grade, r.facilities, r.open_runs, r.in_alarm]
            for r in services.registry.list_enterprise_rows(
                replace(query, offset=offset, limit=limit)
            )[1]
        ]

    return csv_response("enterprises.csv", ENTERPRISE_COLUMNS, _all_rows(fetch))
