"""The pages' shell: static files, log in and out, language and zone, the home redirect, the
wall and the alarms inbox. Each route declares its rule (``page(...)``, or ``public()``), like
the APIs; the lists (runs, the inspector's queue, facilities, enterprises) are in
``pages.lists``, a run, its replay, a facility and an enterprise in ``pages.runs``,
administration in ``pages.admin*``, their JSON in ``pages.data``.
"""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.alarms import Alarm
from phytowatch.domain.messages import Code, Message, Refused, say
from phytowatch.services import accounts
from phytowatch.web import i18n
from phytowatch.web.auth import SESSION_COOKIE, principal_of, visible_facilities
from phytowatch.web.body import shown
from phytowatch.web.deps import RowId, context_of
from phytowatch.web.templating import (
    LoginRequiredError,
    PageError,
    PasswordChangeRequiredError,
    alarm_view,
    login_redirect,
    page,
    page_form,
    password_change_redirect,
    public,
    render,
    services_of,
    static_file,
)

router = APIRouter()
SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2, "warning": 3}


def safe_next(after: str | None, default: str = "/") -> str:
    """Only a path on this site: never an open redirect."""
    if after and after.startswith("/") and not after.startswith(("//", "/\\")):
        return after
    return default


@router.get("/static/{path:path}", dependencies=[public()], include_in_schema=False)
def static(request: Request, path: str) -> Response:
    return static_file(request, path)


@router.get("/", dependencies=[page()], include_in_schema=False)
def home(request: Request) -> RedirectResponse:
    """Watchers to the wall, everyone else to the runs."""
    principal = principal_of(request)
    return RedirectResponse("/wall" if principal.may(Action.EVENTS_READ) else "/runs", 303)


@router.get("/login", dependencies=[public()], include_in_schema=False)
async def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return await render(request, "login.html", next=safe_next(next), error=None)


@router.post("/logout", dependencies=[page(before_password_change=True)], include_in_schema=False)
async def logout(request: Request) -> RedirectResponse:
    services = services_of(request)
    with contextlib.suppress(Refused):  # already ended: the cookie goes all the same
        await run_in_threadpool(
            accounts.logout,
            services.accounts,
            services.audit,
            ctx=context_of(request),
        )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=services.settings.cookie_secure, httponly=True,
        samesite="lax",
    )  # fmt: skip
    return response


@router.get("/prefs", dependencies=[public()], include_in_schema=False)
def prefs(
    request: Request,
    lang: str | None = None,
    tz: str | None = None,
    next: str | None = None,
) -> RedirectResponse:
    """Switch the language or the time zone; remembered for a year (a cookie)."""
    response = RedirectResponse(safe_next(next), status_code=303)
    year = 365 * 86400
    if lang in i18n.LANGUAGES:
        response.set_cookie(i18n.LANG_COOKIE, lang, max_age=year, path="/", samesite="lax")
    if tz in i18n.ZONES:
        response.set_cookie(i18n.TZ_COOKIE, tz, max_age=year, path="/", samesite="lax")
    del request
    return response


@router.get("/wall", dependencies=[page(Action.EVENTS_READ)], include_in_schema=False)
async def wall(request: Request) -> HTMLResponse:
    return await render(request, "wall.html", active="wall")


# -- alarms ------------------------------------------------------------------------------------


async def _alarms(request: Request, include_cleared: bool) -> list[Alarm]:
    services = services_of(request)
    visible = await visible_facilities(request)
    found = await run_in_threadpool(
        lambda: services.alarm_store.list_alarms(
            open_only=not include_cleared, facility=None, limit=5000
        )
    )
    if visible is not None:
        found = [a for a in found if a.facility in visible]
    found.sort(key=lambda a: (SEVERITY_ORDER.get(a.severity.value, 9), -a.last_seen_at))
    return found[:500]


def _alarm_views(found: list[Alarm]) -> list[dict[str, Any]]:
    return [alarm_view(a) for a in found]


@router.get("/alarms", dependencies=[page(Action.ALARMS_READ)], include_in_schema=False)
async def alarms(request: Request, all: bool = False) -> HTMLResponse:
    found = await _alarms(request, all)
    return await render(
        request, "alarms.html", active="alarms", alarms=_alarm_views(found), show_all=all
    )


@router.get("/alarms/table", dependencies=[page(Action.ALARMS_READ)], include_in_schema=False)
async def alarms_table(request: Request, all: bool = False) -> HTMLResponse:
    """The inbox's table alone (htmx refreshes it when the stream says an alarm changed)."""
    found = await _alarms(request, all)
    return await render(request, "_alarm_table.html", alarms=_alarm_views(found), show_all=all)


async def _alarm_action(request: Request, alarm_id: int, what: str) -> HTMLResponse:
    services = services_of(request)
    ctx = context_of(request)
    fields = await page_form(request)
    comment = fields.get("comment", "").strip()
    error: Message | None = None
    if len(comment) > 2000:
        error = say(Code.ALARM_COMMENT_TOO_LONG, max=2000)
    else:
        try:
            if what == "acknowledge":
                await run_in_threadpool(
                    lambda: services.alarms.acknowledge(alarm_id, ctx=ctx, comment=comment)
                )
            else:
                await run_in_threadpool(lambda: services.alarms.clear(alarm_id, ctx=ctx))
        except Refused as refused:
            error = refused.message
    alarm = await run_in_threadpool(services.alarm_store.alarm, alarm_id)
    if alarm is None:
        raise PageError(404, say(Code.NO_ALARM, alarm=alarm_id))
    return await render(request, "_alarm_row.html", a=alarm_view(alarm), error=error)


@router.post(
    "/alarms/{alarm_id}/acknowledge",
    dependencies=[page(Action.ALARMS_ACK, tenant="alarm")],
    include_in_schema=False,
)
async def acknowledge(request: Request, alarm_id: RowId) -> HTMLResponse:
    """Acknowledge with a comment; answers the alarm's row (htmx swaps it in place)."""
    return await _alarm_action(request, alarm_id, "acknowledge")


@router.post(
    "/alarms/{alarm_id}/clear",
    dependencies=[page(Action.ALARMS_CLEAR, tenant="alarm")],
    include_in_schema=False,
)
async def clear(request: Request, alarm_id: RowId) -> HTMLResponse:
    return await _alarm_action(request, alarm_id, "clear")


# -- wiring ----------------------------------------------------------------------------------------


def install_pages(app: FastAPI) -> None:
    """The pages' routers and the two answers a page gives instead of JSON."""
    from phytowatch.web.pages.account import router as account_pages
    from phytowatch.web.pages.admin import router as admin_pages
    from phytowatch.web.pages.admin_audit import router as audit_pages
    from phytowatch.web.pages.admin_facility import router as facility_admin_pages
    from phytowatch.web.pages.admin_users import router as user_admin_pages
    from phytowatch.web.pages.data import router as pages_api
    from phytowatch.web.pages.lists import router as list_pages
    from phytowatch.web.pages.runs import router as run_pages

    app.include_router(pages_api)
    app.include_router(router)
    app.include_router(list_pages)
    app.include_router(run_pages)
    app.include_router(admin_pages)
    app.include_router(facility_admin_pages)
    app.include_router(user_admin_pages)
    app.include_router(account_pages)
    app.include_router(audit_pages)

    @app.exception_handler(LoginRequiredError)
    async def login_required(_: Request, error: LoginRequiredError) -> Response:
        return login_redirect(error.after)

    @app.exception_handler(PasswordChangeRequiredError)
    async def change_first(_: Request, error: PasswordChangeRequiredError) -> Response:
        return password_change_redirect(error.after)

    @app.exception_handler(PageError)
    async def page_error(request: Request, error: PageError) -> Response:
        return await error_page(request, error)


async def error_page(request: Request, error: PageError) -> Response:
    """A refusal as a page in the reader's language (a fragment for htmx)."""
    if request.headers.get("hx-request"):
        return HTMLResponse(f'<p class="error" role="alert">{error.status}</p>', error.status)
    return await render(request, "error.html", status=error.status, error=error)


async def no_page(request: Request) -> Response:
    """The page for a path no route has (the API's paths answer JSON: web/app.py)."""
    return await error_page(
        request, PageError(404, say(Code.PAGE_NO_PATH, path=shown(request.url.path)))
    )
