"""The pages' shell: static files, log in and out, language and zone, the home redirect, the
wall. Each route declares its rule (``page(...)``, or ``public()``), like the APIs; the lists
(runs, the inspector's queue, facilities, enterprises) are in ``pages.lists``, the alarms inbox in
``pages.alarms``, a run, its replay, a facility and an enterprise in ``pages.runs``,
administration in ``pages.admin*``, my account in ``pages.account``, their JSON in
``pages.data``.
"""

from __future__ import annotations

import contextlib

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, Refused, say
from phytowatch.services import accounts
from phytowatch.web import i18n
from phytowatch.web.auth import SESSION_COOKIE, principal_of
from phytowatch.web.body import shown
from phytowatch.web.deps import context_of
from phytowatch.web.templating import (
    LoginRequiredError,
    PageError,
    PasswordChangeRequiredError,
    login_redirect,
    page,
    password_change_redirect,
    public,
    render,
    services_of,
    static_file,
)

router = APIRouter()


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


# -- wiring ----------------------------------------------------------------------------------------


def install_pages(app: FastAPI) -> None:
    """The pages' routers and the two answers a page gives instead of JSON."""
    from phytowatch.web.pages.account import router as account_pages
    from phytowatch.web.pages.admin import router as admin_pages
    from phytowatch.web.pages.admin_audit import router as audit_pages
    from phytowatch.web.pages.admin_facility import router as facility_admin_pages
    from phytowatch.web.pages.admin_users import router as user_admin_pages
    from phytowatch.web.pages.alarms import router as alarm_pages
    from phytowatch.web.pages.data import router as pages_api
    from phytowatch.web.pages.lists import router as list_pages
    from phytowatch.web.pages.runs import router as run_pages
    from phytowatch.web.pages.supervision.consignments import router as consignment_pages
    from phytowatch.web.pages.supervision.inspections import router as inspection_pages
    from phytowatch.web.pages.supervision.policy import router as policy_pages
    from phytowatch.web.pages.supervision.standing import router as standing_pages

    app.include_router(pages_api)
    app.include_router(router)
    app.include_router(list_pages)
    app.include_router(run_pages)
    app.include_router(alarm_pages)
    app.include_router(admin_pages)
    app.include_router(facility_admin_pages)
    app.include_router(user_admin_pages)
    app.include_router(account_pages)
    app.include_router(audit_pages)
    app.include_router(policy_pages)
    app.include_router(standing_pages)
    app.include_router(consignment_pages)
    app.include_router(inspection_pages)

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
