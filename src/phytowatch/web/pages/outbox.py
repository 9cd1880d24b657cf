"""The administrator's view of the outbox (``outbox:read``): per destination, what waits, what
was delivered, what a receiver refused, what has been failing for long, the oldest wait and the
last error, flagged where a person should look. Retrying refused messages is the CLI's
(``phytowatch outbox retry``, audited)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.web.templating import page, render, services_of

router = APIRouter()


@router.get("/admin/outbox", dependencies=[page(Action.OUTBOX_READ)], include_in_schema=False)
async def outbox_page(request: Request) -> HTMLResponse:
    deliveries = services_of(request).deliveries
    found = await run_in_threadpool(deliveries.status)
    return await render(
        request,
        "outbox.html",
        section="outbox",
        found=found,
        cap_s=deliveries.cap // 1_000_000,
        flag_after_min=deliveries.flag_after // 60_000_000,
    )
