"""The bureau's view: ``/kpi``, the headline figures, three charts (uPlot, served from
web/static/vendor) and the tables, each with its CSV (``/kpi/{table}.csv``), per office and
period. Definitions: docs/kpi.md."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, Kind, Refused, refused
from phytowatch.services.kpi import Answer
from phytowatch.web.auth import principal_of
from phytowatch.web.errors import STATUS
from phytowatch.web.kpi_json import TABLES, figures_json
from phytowatch.web.listing import csv_response
from phytowatch.web.templating import PageError, page, render, services_of

router = APIRouter()


async def _answer(request: Request, office: str, first: str, last: str) -> Answer:
    services = services_of(request)
    principal = principal_of(request)
    now = services.clock.now()
    try:
        return await run_in_threadpool(
            lambda: services.kpi.answer(
                principal, office=office[:32], first=first[:40], last=last[:40], now=now
            )
        )
    except Refused as error:
        raise PageError(STATUS[error.kind], error.message) from None


@router.get("/kpi", dependencies=[page(Action.KPI_READ)], include_in_schema=False)
async def kpi_page(request: Request, office: str = "", first: str = "", last: str = "") -> Response:
    """The figures of an office (or the province) over a period, this year so far by default."""
    found = await _answer(request, office, first, last)
    services = services_of(request)
    policy = services.policy.policy()
    ports = policy.ports
    # a product by its name in each language, as the catalogue of the policy in force says it
    products = {code: (p.name_zh, p.name_en) for code, p in policy.products.items()}
    query = {"office": found.scope.office, "first": found.period.first, "last": found.period.last}
    return await render(
        request, "kpi/kpi.html", active="kpi", found=found, f=found.figures,
        data=figures_json(found), query=query, ports_confidence=ports.confidence.value,
        wide=services.kpi.province_wide(principal_of(request)), products=products,
    )  # fmt: skip


@router.get("/kpi/{table}.csv", dependencies=[page(Action.KPI_READ)], include_in_schema=False)
async def kpi_csv(
    request: Request, table: str, office: str = "", first: str = "", last: str = ""
) -> Response:
    """One table of the page as CSV, for the same office and period."""
    if table not in TABLES:
        error = refused(Kind.NOT_FOUND, Code.KPI_NO_TABLE, table=table[:40])
        raise PageError(STATUS[error.kind], error.message)
    found = await _answer(request, office, first, last)
    header, rows = TABLES[table]
    scope = found.scope.office or "province"
    name = f"kpi-{table}-{scope}-{found.period.first}-{found.period.last}.csv"
    return csv_response(name, header, rows(found.figures))
