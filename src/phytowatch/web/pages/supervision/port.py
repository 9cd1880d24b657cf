"""The port officer's pages: the queue (``/port``: transfers taken by my office awaiting check
or release, the drawn ones and the held ones flagged), a transfer at the port (its draw with the
ratio's confidence, the check form, hold and release with any refusal beside its button), and
the clearance record (``/clearances/{number}``, printable HTML: the browser prints it).

A refused act shows the transfer again with the message beside the act and what was typed kept;
a done act redirects (303), so a reload never acts twice.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, Kind, Message, Refused, say
from phytowatch.domain.schedule import Confidence
from phytowatch.services.port.ports import CheckForm, PortView
from phytowatch.services.port.release import draw_message
from phytowatch.web.auth import principal_of
from phytowatch.web.deps import context_of
from phytowatch.web.errors import STATUS
from phytowatch.web.templating import PageError, page, page_form, render, services_of

router = APIRouter()
Number = Path(min_length=1, max_length=64)
CHECK_FIELDS = ("seals_intact", "containers_match", "goods_match", "findings")
ACTS = ("check", "hold", "release")


def _draw_words(view: PortView) -> dict[str, Any]:
    draw = view.draw
    if draw is None:
        return {"says": None, "confidence": None}
    return {"says": draw_message(draw), "confidence": Confidence(draw.confidence)}


@router.get("/port", dependencies=[page(Action.PORT_RELEASE)], include_in_schema=False)
async def port_queue_page(request: Request) -> HTMLResponse:
    """The port office's queue."""
    services, ctx = services_of(request), context_of(request)
    error: Message | None = None
    found: list[PortView] = []
    try:
        found = await run_in_threadpool(lambda: services.port.queue(ctx=ctx))
    except Refused as refused:
        error = refused.message
    return await render(
        request,
        "supervision/port.html",
        active="port",
        views=[(v, _draw_words(v)) for v in found],
        error=error,
        office=principal_of(request).office or "",
    )


async def _transfer_page(
    request: Request,
    number: str,
    status: int = 200,
    *,
    failed: str = "",
    error: Message | None = None,
    wrong: dict[str, Message] | None = None,
    typed: dict[str, str] | None = None,
    notice: str = "",
) -> HTMLResponse:
    services, ctx = services_of(request), context_of(request)
    try:
        view = await run_in_threadpool(lambda: services.port.view(number, ctx=ctx))
    except Refused as refused:
        raise PageError(STATUS[refused.kind], refused.message) from None
    return await render(
        request,
        "supervision/port_transfer.html",
        status,
        active="port",
        v=view,
        drawn=_draw_words(view),
        failed=failed,
        error=error,
        wrong=wrong or {},
        typed=typed or dict.fromkeys(CHECK_FIELDS, ""),
        notice=notice,
    )


@router.get(
    "/port/transfers/{number}", dependencies=[page(Action.PORT_RELEASE)], include_in_schema=False
)
async def port_transfer_page(request: Request, number: str = Number, done: str = "") -> Response:
    """A transfer as the port sees it; ``done=<act>`` says what was just done."""
    return await _transfer_page(request, number, notice=done if done in ACTS else "")


async def _acted(request: Request, number: str, act: str) -> Response:
    services, ctx = services_of(request), context_of(request)
    fields = await page_form(request)
    typed = {name: fields.get(name, "").strip() for name in (*CHECK_FIELDS, "reason")}
    try:
        if act == "check":
            form = CheckForm(
                typed["seals_intact"], typed["containers_match"], typed["goods_match"],
                typed["findings"],
            )  # fmt: skip
            await run_in_threadpool(lambda: services.port.check(number, form, ctx=ctx))
        elif act == "hold":
            await run_in_threadpool(lambda: services.port.hold(number, typed["reason"], ctx=ctx))
        else:
            made = await run_in_threadpool(lambda: services.port.release(number, ctx=ctx))
            return RedirectResponse(f"/clearances/{made.number}?released=1", status_code=303)
    except Refused as refused:
        if refused.kind is Kind.NOT_FOUND:
            raise PageError(404, refused.message) from None
        wrong = getattr(refused, "wrong", None)
        return await _transfer_page(
            request, number, STATUS[refused.kind], failed=act, error=refused.message,
            wrong={str(n): m for n, m in wrong} if isinstance(wrong, list) else {}, typed=typed,
        )  # fmt: skip
    return RedirectResponse(f"/port/transfers/{number}?done={act}", status_code=303)


def _act_route(act: str) -> None:
    async def posted(request: Request, number: str = Number) -> Response:
        return await _acted(request, number, act)

    posted.__name__ = f"port_{act}"
    posted.__doc__ = f"The port's act {act!r} (a form's post)."
    router.post(
        f"/port/transfers/{{number}}/{act}",
        dependencies=[page(Action.PORT_RELEASE)],
        include_in_schema=False,
    )(posted)


for _act in ACTS:
    _act_route(_act)


@router.get(
    "/clearances/{number}", dependencies=[page(Action.TRANSFERS_READ)], include_in_schema=False
)
async def clearance_page(request: Request, number: str = Number, released: int = 0) -> Response:
    """The clearance record (通关单), printable."""
    services = services_of(request)
    found = await run_in_threadpool(services.port.clearance, number)
    if found is None or not services.port.sees_clearance(principal_of(request), found):
        raise PageError(404, say(Code.PORT_UNKNOWN_CLEARANCE, number=number))
    return await render(
        request, "supervision/clearance.html", active="port", c=found, released=bool(released)
    )
