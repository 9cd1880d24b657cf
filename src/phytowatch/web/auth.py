"""Who is asking, and the one rule each route declares.

Every route carries exactly one rule, as a dependency made by :func:`public`, :func:`signed_in`
or :func:`allow` (``dependencies=[allow(Action.RUNS_READ, tenant="run")]``). ``create_app``
refuses to start with a route that has none, and the authorization-matrix test walks
``app.routes`` with :func:`rule_of`. The rule:

1. finds the caller: the break-glass admin token, a personal API token (``pwu_…``), a device
   token (``pwd_…``; only for the ingest and still routes, everything else refuses it with 403),
   or a session cookie; none: 401;
2. refuses a cookie-authenticated unsafe request without the session's CSRF token (header
   ``X-CSRF-Token`` or form field ``csrf_token``): 403. Bearer requests carry no ambient
   credential, so they are exempt;
3. a session whose password an administrator set opens only the routes marked
   ``before_password_change`` (the change, log out, who am I): any other answers 403
   ``auth.change_password_first`` (a page sends the person to the change form);
4. checks the action against the caller's role (and token scope): 403;
5. checks the tenant: the facility, run or alarm named in the path must be one the caller may
   see (its own enterprise, or its office's jurisdiction); otherwise 404, the same answer as for
   an object that does not exist, so nobody learns what others have.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute

from phytowatch.domain.accounts import DEVICE_ACTIONS, ROLE_ACTIONS, Action, Principal, Role
from phytowatch.domain.messages import Code, Word, say
from phytowatch.services.accounts import (
    SESSION_PREFIX,
    USER_TOKEN_PREFIX,
    session_principal,
    sha256_hex,
    token_principal,
)
from phytowatch.services.app import App
from phytowatch.web.clock import now_of
from phytowatch.web.errors import ApiError

SESSION_COOKIE = "phytowatch_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TENANTS = ("facility", "run", "alarm", "consignment", "certificate")
_BEARER = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Rule:
    """What a route needs. ``kind``: ``public``, ``signed_in`` (any person or the admin token)
    or ``action`` (the named action, and the tenant check when ``tenant`` is set)."""

    kind: str
    action: Action | None = None
    tenant: str | None = None  # "facility" ({code}), "run" ({run_id}), "alarm" ({alarm_id})
    session_only: bool = False  # a personal token is not enough (password, issuing tokens)
    query_token: bool = False  # ?token= accepted (EventSource cannot send headers)
    # open to a session whose password must be changed first (the change itself, log out, me)
    before_password_change: bool = False


class PasswordChangeDueError(ApiError):
    """A session whose password an administrator set, on a route other than the change: 403
    with its code for the API; the pages send the person to the change form instead."""

    def __init__(self) -> None:
        super().__init__(403, say(Code.AUTH_CHANGE_PASSWORD_FIRST))


def _password_first(principal: Principal, rule: Rule) -> None:
    if principal.must_change_password and not rule.before_password_change:
        raise PasswordChangeDueError


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


def _admin_token(services: App) -> bytes | None:
    expected = services.settings.admin_token
    if expected is None or not expected.get_secret_value().strip():
        return None
    return expected.get_secret_value().encode()


ADMIN_TOKEN_PRINCIPAL = Principal(
    kind="admin_token",
    actor="admin-token",
    actions=ROLE_ACTIONS[Role.ADMINISTRATOR],
    role=Role.ADMINISTRATOR,
)


def _bearer(request: Request, query_token: bool) -> str | None:
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, say(Code.AUTH_SEND_BEARER), _BEARER)
        return token.strip()
    if query_token and "token" in request.query_params:
        return request.query_params["token"].strip()
    return None


async def _from_bearer(services: App, token: str) -> Principal:
    expected = _admin_token(services)
    if expected is not None and hmac.compare_digest(token.encode(), expected):
        return ADMIN_TOKEN_PRINCIPAL
    if token.startswith(USER_TOKEN_PREFIX):
        found = await run_in_threadpool(
            token_principal, services.accounts, token, now=services.clock.now()
        )
        if found is None:
            raise ApiError(401, say(Code.AUTH_BAD_TOKEN), _BEARER)
        return found
    device = await run_in_threadpool(services.registry.facility_by_token_hash, sha256_hex(token))
    if device is not None:
        return Principal(
            kind="device",
            actor=f"device:{device.code}",
            actions=DEVICE_ACTIONS,
            facility=device.code,
        )
    raise ApiError(401, say(Code.AUTH_BAD_TOKEN), _BEARER)


async def _from_cookie(request: Request, services: App, cookie: str) -> Principal:
    found = await run_in_threadpool(
        lambda: session_principal(
            services.accounts,
            cookie,
            now=now_of(request),
            idle_us=services.settings.session_idle_s * 1_000_000,
        )
    )
    if found is None:
        raise ApiError(401, say(Code.AUTH_SESSION_ENDED))
    principal, session = found
    if request.method not in SAFE_METHODS:
        given = request.headers.get(CSRF_HEADER)
        if given is None and is_form(request):
            given = (await form_fields(request)).get(CSRF_FIELD)
        if given is None or not hmac.compare_digest(given.encode(), session.csrf_token.encode()):
            raise ApiError(403, say(Code.AUTH_CSRF))
    return principal


MAX_FORM_BYTES = 65536


def is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")


async def form_fields(request: Request) -> dict[str, str]:
    """An HTML form's fields (``application/x-www-form-urlencoded``, what a form posts)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise ApiError(413, say(Code.FORM_TOO_LARGE, max=MAX_FORM_BYTES))
    raw = await request.body()
    if len(raw) > MAX_FORM_BYTES:
        raise ApiError(413, say(Code.FORM_TOO_LARGE, max=MAX_FORM_BYTES))
    try:
        # strict: a percent-encoded byte sequence that is not UTF-8 (%ED%A0%80) is refused as raw
        # non-UTF-8 bytes are, never kept as U+FFFD
        pairs = parse_qsl(
            raw.decode("utf-8"), keep_blank_values=True, max_num_fields=100, errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        raise ApiError(422, say(Code.FORM_NOT_UTF8)) from None
    return dict(pairs)


async def authenticate(request: Request, *, query_token: bool = False) -> Principal:
    """The caller, or 401. Stored on ``request.state.principal``."""
    services = _services(request)
    token = _bearer(request, query_token)
    if token is not None:
        principal = await _from_bearer(services, token)
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise ApiError(401, say(Code.AUTH_LOG_IN), _BEARER)
        principal = await _from_cookie(request, services, cookie)
    request.state.principal = principal
    return principal


def principal_of(request: Request) -> Principal:
    """The caller a route's rule found (every rule but ``public`` finds one)."""
    principal: Principal = request.state.principal
    return principal


# -- the tenant check ---------------------------------------------------------------------------


MAX_ID = 2**31 - 1  # the ids are INTEGER columns: past this, no row, and no query either


def _number(text: str) -> int | None:
    """A run's or alarm's number from the path, or None when no row can have it."""
    try:
        number = int(text)
    except ValueError:
        return None
    return number if 1 <= number <= MAX_ID else None


async def _owner(services: App, tenant: str, request: Request) -> tuple[str, str] | None:
    params = request.path_params
    code: str | None = None
    if tenant == "facility":
        code = params["code"]
    elif tenant == "run":
        run_id = _number(params["run_id"])
        record = None if run_id is None else await run_in_threadpool(services.runs.run, run_id)
        code = None if record is None else record.facility_code
    elif tenant == "alarm":
        alarm_id = _number(params["alarm_id"])
        alarm = (
            None
            if alarm_id is None
            else await run_in_threadpool(services.alarm_store.alarm, alarm_id)
        )
        code = None if alarm is None else alarm.facility
    elif tenant == "consignment":  # its enterprise's code and city
        consignment_id = _number(params["consignment_id"])
        found = (
            None
            if consignment_id is None
            else await run_in_threadpool(services.consignments.consignment, consignment_id)
        )
        return None if found is None else (found.enterprise, found.city)
    elif tenant == "certificate":  # its enterprise's code and city
        certificate_id = _number(params["certificate_id"])
        held = (
            None
            if certificate_id is None
            else await run_in_threadpool(services.certificates.certificate, certificate_id)
        )
        return None if held is None else (held.enterprise, held.city)
    if code is None:
        return None
    return await run_in_threadpool(services.accounts.facility_owner, code)


async def check_tenant(request: Request, principal: Principal, tenant: str) -> None:
    """404 unless the caller may see the facility, run or alarm named in the path."""
    named = {
        "run": "run_id",
        "alarm": "alarm_id",
        "consignment": "consignment_id",
        "certificate": "certificate_id",
    }.get(tenant)
    if principal.sees_everything and (named is None or _number(request.path_params[named])):
        return  # the route's own lookup answers 404 for what does not exist
    owner = await _owner(_services(request), tenant, request)
    if owner is not None and tenant == "consignment" and not principal.covers(*owner):
        # a port officer also sees the consignments whose transfer their office took
        consignment_id = _number(request.path_params["consignment_id"])
        port = _services(request).port
        if consignment_id is not None and await run_in_threadpool(
            port.reaches, principal, consignment_id
        ):
            return
    if owner is None or not principal.covers(*owner):
        what = {
            "facility": "code",
            "run": "run_id",
            "alarm": "alarm_id",
            "consignment": "consignment_id",
            "certificate": "certificate_id",
        }[tenant]
        shown = request.path_params.get(what)
        code, name = {
            "facility": (Code.NO_FACILITY, "facility"),
            "run": (Code.NO_RUN, "run"),
            "alarm": (Code.NO_ALARM, "alarm"),
            "consignment": (Code.NO_CONSIGNMENT, "consignment"),
            "certificate": (Code.CERT_NOT_FOUND, "certificate"),
        }[tenant]
        raise ApiError(404, say(code, **{name: str(shown)}))


async def ensure_facility_visible(request: Request, code: str) -> None:
    """For a facility named in a body: 404 unless the caller may see it."""
    principal = principal_of(request)
    if principal.sees_everything:
        return
    owner = await run_in_threadpool(_services(request).accounts.facility_owner, code)
    if owner is None or not principal.covers(*owner):
        raise ApiError(404, say(Code.NO_FACILITY, facility=code))


async def visible_facilities(request: Request) -> set[str] | None:
    """The facility codes the caller may see; None: every one."""
    principal = principal_of(request)
    if principal.sees_everything:
        return None
    owners = await run_in_threadpool(_services(request).accounts.facility_owners)
    return {code for code, owner in owners.items() if principal.covers(*owner)}


# -- rules --------------------------------------------------------------------------------------


def _declare(rule: Rule, check: Callable[[Request], Awaitable[None]]) -> Any:
    check.__phytowatch_rule__ = rule  # type: ignore[attr-defined]
    return Depends(check)


def public() -> Any:
    """Anyone, signed in or not (health, login)."""

    async def check(request: Request) -> None:
        del request

    return _declare(Rule("public"), check)


def signed_in(*, session_only: bool = False, before_password_change: bool = False) -> Any:
    """Any person (session or personal token) or the admin token; never a device token.
    ``before_password_change``: open to a session whose password must be changed first."""
    rule = Rule(
        "signed_in", session_only=session_only, before_password_change=before_password_change
    )

    async def check(request: Request) -> None:
        principal = await authenticate(request)
        _not_a_device(principal)
        if session_only and principal.session_id is None:
            raise ApiError(403, say(Code.AUTH_NEEDS_SESSION))
        _password_first(principal, rule)

    return _declare(rule, check)


def _not_a_device(principal: Principal) -> None:
    if principal.kind == "device":
        raise ApiError(403, say(Code.AUTH_DEVICE_ONLY))


def allow(action: Action, *, tenant: str | None = None, query_token: bool = False) -> Any:
    """Callers whose role (and token scope) allows ``action``; with ``tenant``, only on what
    they may see."""
    if tenant is not None and tenant not in TENANTS:
        raise ValueError(f"tenant {tenant!r}: one of {TENANTS}")
    rule = Rule("action", action=action, tenant=tenant, query_token=query_token)

    if action in DEVICE_ACTIONS:

        async def device_check(request: Request) -> None:
            # the route authenticates the device itself (and again once the body is in); here
            # only the credentials that are certainly not a device's are turned away
            header = request.headers.get("authorization", "")
            scheme, _, token = header.partition(" ")
            token = token.strip()
            services = _services(request)
            expected = _admin_token(services)
            if scheme.lower() == "bearer" and token:
                is_admin = expected is not None and hmac.compare_digest(token.encode(), expected)
                if is_admin or token.startswith(USER_TOKEN_PREFIX):
                    raise ApiError(403, say(Code.AUTH_DEVICE_NEEDED))
            elif not header and request.cookies.get(SESSION_COOKIE, "").startswith(SESSION_PREFIX):
                raise ApiError(403, say(Code.AUTH_DEVICE_NEEDED))

        return _declare(rule, device_check)

    async def check(request: Request) -> None:
        principal = await authenticate(request, query_token=query_token)
        _not_a_device(principal)
        _password_first(principal, rule)
        if not principal.may(action):
            who = Word(principal.role.value if principal.role else principal.kind)
            code = Code.AUTH_ROLE_TOKEN if principal.via_token else Code.AUTH_ROLE
            raise ApiError(403, say(code, role=who, action=Word(action.value)))
        if tenant is not None:
            await check_tenant(request, principal, tenant)

    return _declare(rule, check)


def rules_of(route: BaseRoute) -> list[Rule]:
    """The rules a route declares (a well-formed route has exactly one)."""
    if not isinstance(route, APIRoute):
        return []
    found = []
    for dependency in route.dependant.dependencies:
        rule = getattr(dependency.call, "__phytowatch_rule__", None)
        if isinstance(rule, Rule):
            found.append(rule)
    return found


def rule_of(route: BaseRoute) -> Rule | None:
    found = rules_of(route)
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class RouteEntry:
    methods: frozenset[str]
    path: str  # as served, prefixes included: /api/v1/runs/{run_id}
    route: BaseRoute
    rule: Rule | None


def app_routes(app: FastAPI) -> list[RouteEntry]:
    """Every route the application serves, routers' included (FastAPI nests them)."""
    out = []
    for context in iter_route_contexts(app.routes):
        original = context.original_route
        out.append(
            RouteEntry(
                frozenset(context.methods or ()),
                str(context.path),
                original,
                rule_of(original),
            )
        )
    return out


def undeclared_routes(app: FastAPI) -> list[str]:
    """Routes without exactly one rule (``create_app`` refuses to start with any)."""
    return [
        f"{','.join(sorted(entry.methods))} {entry.path}"
        for entry in app_routes(app)
        if entry.rule is None
    ]
