"""What every page shares: the Jinja2 environments (one per language, autoescaped), the page
rule, the static files with their cache headers, and the errors a page answers with.

A page declares its rule like an API route (``dependencies=[page(Action.RUNS_READ)]``): the
same rule object, so the authorization matrix sees it, but a caller who is not signed in is
sent to the login page, and a refusal is an HTML page in the reader's language, not JSON.
"""

from __future__ import annotations

import hashlib
import mimetypes
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import ROLE_TITLES, Action, Principal
from phytowatch.domain.alarms import ACCUSING, ENTERPRISE_MAY_ACKNOWLEDGE, Alarm
from phytowatch.domain.messages import Code, Message, say
from phytowatch.domain.review import AWAITING
from phytowatch.services.accounts import sha256_hex
from phytowatch.services.app import App
from phytowatch.services.certificates.views import queue_of
from phytowatch.services.lists import RunQuery, reach_of
from phytowatch.services.notify import alarm_payload
from phytowatch.services.supervision.assessment import waiting_count
from phytowatch.web import i18n
from phytowatch.web.auth import (
    SESSION_COOKIE,
    PasswordChangeDueError,
    allow,
    form_fields,
    public,
    signed_in,
)
from phytowatch.web.errors import ApiError

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
LONG_CACHE = "public, max-age=31536000, immutable"  # a versioned URL never changes
# Our own scripts only, never inline ones: hostile text that slipped through escaping could not
# run. Inline styles are allowed (uPlot and htmx set them); everything else from this site only.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class LoginRequiredError(Exception):
    def __init__(self, after: str) -> None:
        super().__init__(after)
        self.after = after


class PasswordChangeRequiredError(Exception):
    """A session whose password must be changed first, on any other page: sent to the form."""

    def __init__(self, after: str) -> None:
        super().__init__(after)
        self.after = after


class PageError(Exception):
    """A refusal or a missing object, answered as a page."""

    def __init__(self, status: int, message: Message | str) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message


def alarm_view(alarm: Alarm) -> dict[str, Any]:
    """An alarm as the pages show it: its JSON, its message to say in the reader's language, and
    who may answer it (``accuses``: the bureau only; ``enterprise_may_ack``: the enterprise may
    record its own acknowledgement)."""
    return {
        **alarm_payload(alarm),
        "text": alarm.message,
        "accuses": alarm.kind in ACCUSING,
        "enterprise_may_ack": alarm.kind in ENTERPRISE_MAY_ACKNOWLEDGE,
    }


def services_of(request: Request) -> App:
    services: App = request.app.state.services
    return services


def page(
    action: Action | None = None,
    *,
    tenant: str | None = None,
    session_only: bool = False,
    before_password_change: bool = False,
) -> Any:
    """The rule of a page: ``allow(action, tenant=…)`` (or ``signed_in(…)`` without an action),
    with a login redirect for nobody, the password form for a person who must change theirs
    first, and an HTML refusal for the others."""
    inner = (
        allow(action, tenant=tenant)
        if action is not None
        else signed_in(session_only=session_only, before_password_change=before_password_change)
    ).dependency

    async def check(request: Request) -> None:
        try:
            await inner(request)
        except ApiError as error:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            if error.status == 401:
                raise LoginRequiredError(target) from None
            if isinstance(error, PasswordChangeDueError):
                raise PasswordChangeRequiredError(target) from None
            raise PageError(error.status, error.message) from None

    check.__phytowatch_rule__ = inner.__phytowatch_rule__  # type: ignore[attr-defined]
    return Depends(check)


async def page_form(request: Request) -> dict[str, str]:
    """A posted form's fields; a form too large or not UTF-8 is said as a page."""
    try:
        return await form_fields(request)
    except ApiError as error:
        raise PageError(error.status, error.message) from None


# -- environments --------------------------------------------------------------------------------


@cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # user text is shown verbatim; nothing of a user is ever marked safe
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["static"] = static_url
    return env


def gettext_for(language: str) -> Any:
    return i18n.translations(language).gettext


@lru_cache(maxsize=256)
def _version(path: str) -> str:
    try:
        return hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:12]
    except OSError:
        return "missing"


def static_url(path: str) -> str:
    """The URL of a static file, versioned by its content (so it may be cached for a year)."""
    return f"/static/{path}?v={_version(path)}"


def language_of(request: Request) -> str:
    return i18n.pick_language(
        request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language")
    )


def zone_of(request: Request) -> str:
    return i18n.pick_zone(request.cookies.get(i18n.TZ_COOKIE))


async def csrf_of(request: Request) -> str:
    """The session's CSRF token, for the page's forms and scripts ("" without a session)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return ""
    found = await run_in_threadpool(
        services_of(request).accounts.session_by_hash, sha256_hex(cookie)
    )
    return "" if found is None else found.csrf_token


def _principal(request: Request) -> Principal | None:
    return getattr(request.state, "principal", None)


def nav_of(principal: Principal | None) -> list[tuple[str, str, str]]:
    """(key, path, label msgid) of the pages this caller may open."""
    if principal is None or principal.must_change_password:  # only the change opens
        return []
    bureau = principal.role is None or not principal.role.is_enterprise
    items = [
        ("wall", "/wall", "Wall", Action.EVENTS_READ, True),
        ("queue", "/queue", "To sign off", Action.SIGNOFF_WRITE, True),
        ("inspections", "/inspections", "To inspect", Action.CONSIGNMENTS_ASSESS, True),
        ("runs", "/runs", "Runs", Action.RUNS_READ, True),
        ("consignments", "/consignments", "Consignments", Action.CONSIGNMENTS_READ, True),
        ("certificates", "/certificates", "Certificates", Action.CERTIFICATES_READ, True),
        ("transfers", "/transfers", "Transfers", Action.TRANSFERS_READ, True),
        ("alarms", "/alarms", "Alarms", Action.ALARMS_READ, True),
        ("interceptions", "/interceptions", "Interceptions", Action.CONSIGNMENTS_READ, bureau),
        ("facilities", "/facilities", "Facilities", Action.FACILITIES_READ, bureau),
        ("enterprises", "/enterprises", "Enterprises", Action.FACILITIES_READ, bureau),
        ("bases", "/bases", "Bases", Action.CONSIGNMENTS_READ, True),
        ("rules", "/rules", "Policy", Action.POLICY_READ, True),
        ("port", "/port", "At the port", Action.PORT_RELEASE, True),
        ("kpi", "/kpi", "Figures", Action.KPI_READ, True),
        ("admin", "/admin", "Administration", Action.REGISTRY_WRITE, True),
    ]
    return [
        (key, path, label)
        for key, path, label, action, shown in items
        if shown and principal.may(action)
    ]


async def queue_count(request: Request, principal: Principal | None) -> int | None:
    """How many runs await the caller's sign-off (the nav's count), for those who sign off."""
    if principal is None or not principal.may(Action.SIGNOFF_WRITE):
        return None
    if request.headers.get("hx-request"):  # a fragment has no nav
        return None
    query = RunQuery(reach=reach_of(principal), review=AWAITING, limit=1)
    total, _ = await run_in_threadpool(services_of(request).runs.list_runs, query)
    return total


async def inspection_count(request: Request, principal: Principal | None) -> int | None:
    """How many consignments await the caller's inspection (the nav's count), for inspectors."""
    if principal is None or not principal.may(Action.CONSIGNMENTS_ASSESS):
        return None
    if request.headers.get("hx-request"):  # a fragment has no nav
        return None
    counted: int = await run_in_threadpool(
        waiting_count, services_of(request).assessments, principal
    )
    return counted


async def certificate_count(request: Request, principal: Principal | None) -> int | None:
    """How many certificates await the certifying officer (the nav's count), for them only."""
    if principal is None or not principal.may(Action.CERTIFICATES_CERTIFY):
        return None
    if request.headers.get("hx-request"):  # a fragment has no nav
        return None
    found = await run_in_threadpool(queue_of, services_of(request).certificates, principal, limit=1)
    return found.total


async def render(
    request: Request, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    language = language_of(request)
    zone_name = zone_of(request)
    principal = _principal(request)
    _ = gettext_for(language)
    role = principal.role if principal is not None else None
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")

    def when(instant: Any, seconds: bool = False) -> Any:
        return i18n.local_time(instant, zone_name, seconds=seconds)

    base = {
        "request": request,
        "lang": language,
        "html_lang": i18n.html_lang(language),
        "languages": i18n.LANGUAGES,
        "zones": i18n.ZONES,
        "zone": zone_name,
        "here": here,
        "here_q": quote(here, safe=""),
        "principal": principal,
        "may": (lambda action: principal is not None and principal.may(Action(action))),
        "role_title": (ROLE_TITLES[role][1 if language == "zh_CN" else 0] if role else ""),
        "csrf": await csrf_of(request) if principal is not None else "",
        "nav": nav_of(principal),
        "queue_count": await queue_count(request, principal),
        "inspection_count": await inspection_count(request, principal),
        "certificate_count": await certificate_count(request, principal),
        "when": when,
        "span": lambda s: i18n.duration(s, language),
        "say": lambda text: i18n.say_any(text, language, zone_name),
        "_": _,
    }
    body = environment(language).get_template(template).render({**base, **context})
    return HTMLResponse(
        body,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            "Content-Language": i18n.html_lang(language),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Content-Security-Policy": CSP,
        },
    )


# -- static files ----------------------------------------------------------------------------------


def static_file(request: Request, path: str) -> Response:
    """A file under static/ (ours, and vendor/ copied by ``make assets``)."""
    try:
        target = (STATIC / path).resolve()
        found = target.is_relative_to(STATIC.resolve()) and target.is_file()
    except (OSError, ValueError):  # a NUL in the name, a name too long for the filesystem
        found = False
    if not found:
        raise ApiError(404, say(Code.NO_STATIC, path=path.replace("\x00", "")[:200]))
    media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if target.suffix == ".js":
        media_type = "text/javascript"
    versioned = "v" in request.query_params
    return FileResponse(
        target,
        media_type=media_type,
        headers={
            "Cache-Control": LONG_CACHE if versioned else "no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )


def login_redirect(after: str) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(after, safe='/')}", status_code=303)


def password_change_redirect(after: str) -> RedirectResponse:
    """To the change form, and back to where the person was going once it is changed."""
    return RedirectResponse(f"/account/password?next={quote(after, safe='/')}", status_code=303)


__all__ = [
    "LoginRequiredError",
    "PageError",
    "PasswordChangeRequiredError",
    "alarm_view",
    "environment",
    "login_redirect",
    "page",
    "page_form",
    "password_change_redirect",
    "public",
    "render",
    "services_of",
    "static_file",
]
