"""``/api/v1/auth/…``: log in and out, who am I, change my password, my personal API tokens.

Login takes JSON (``{"login", "password"}``) or a form post (``login``, ``password``, optional
``next``): JSON gets JSON back, a form gets ``303`` to ``next`` (a path on this site). The session
is a cookie (HttpOnly, SameSite=Lax, Secure unless ``PHYTOWATCH_COOKIE_SECURE=false``); the
answer carries the CSRF token that every unsafe request on the session must send back.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.instants import US_PER_D, format_instant
from phytowatch.domain.messages import Code, Refused, say
from phytowatch.services import accounts
from phytowatch.services.accounts import UserRecord
from phytowatch.services.app import App
from phytowatch.web.auth import (
    SESSION_COOKIE,
    form_fields,
    is_form,
    principal_of,
    public,
    signed_in,
)
from phytowatch.web.body import StrictJsonRoute, read_json
from phytowatch.web.clock import now_of
from phytowatch.web.deps import RowId, StrictBody, context_of
from phytowatch.web.errors import CALLER, UNSAFE, ApiError, answers
from phytowatch.web.presenters import principal_json

router = APIRouter(prefix="/api/v1/auth", route_class=StrictJsonRoute)
MAX_LOGIN_BODY = 8192


class PasswordIn(StrictBody):
    current: str = Field(max_length=1024)
    new: str = Field(max_length=1024)


class TokenIn(StrictBody):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(default_factory=list, max_length=32)
    expires_days: int | None = Field(None, ge=1, le=3650)


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


async def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return await run_in_threadpool(function, *args, **kwargs)
    except Refused as error:
        raise ApiError.of(error) from None


async def _credentials(request: Request) -> tuple[str, str, str | None, bool]:
    """(login, password, next, is_form) from a JSON body or a form post."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_LOGIN_BODY:
        raise ApiError(413, say(Code.LOGIN_BODY_TOO_LARGE))
    fields: Any
    if is_form(request):
        fields = await form_fields(request)
        posted_form = True
    else:
        # the API's strict reader: a duplicate key, a BOM, UTF-16, deep nesting each refused
        fields = await read_json(request, MAX_LOGIN_BODY, say(Code.LOGIN_BODY_TOO_LARGE))
        if fields is None:
            fields = {}
        if not isinstance(fields, dict):
            raise ApiError(422, say(Code.LOGIN_BODY))
        posted_form = False
    login, password, after = fields.get("login"), fields.get("password"), fields.get("next")
    if not isinstance(login, str) or not isinstance(password, str) or not login or not password:
        raise ApiError(422, say(Code.LOGIN_BOTH))
    return login, password, after if isinstance(after, str) else None, posted_form


def _safe_next(after: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if after and after.startswith("/") and not after.startswith(("//", "/\\")):
        return after
    return "/api/v1/auth/me"


_LOGIN_BODY = {
    "required": True,
    "content": {
        media: {
            "schema": {
                "type": "object",
                "required": ["login", "password"],
                "properties": {
                    "login": {"type": "string", "minLength": 1},
                    "password": {"type": "string", "minLength": 1},
                    "next": {"type": "string", "description": "a form's: where to go after"},
                },
            }
        }
        for media in ("application/json", "application/x-www-form-urlencoded")
    },
    "description": f"at most {MAX_LOGIN_BODY} bytes",
}


@router.post(
    "/login",
    dependencies=[public()],
    openapi_extra={"requestBody": _LOGIN_BODY},
    responses={
        303: {"description": "a form post: the session, and on to ``next``"},
        **answers(401, 413, 415, 422, 429, 503),
    },
)
async def login(request: Request) -> Response:
    """A session for the right login and password (401; 429 with Retry-After when locked)."""
    services = _services(request)
    login_name, password, after, posted_form = await _credentials(request)
    address = request.client.host if request.client else ""
    result = await _call(
        accounts.login,
        services.accounts,
        services.audit,
        login_name=login_name,
        password=password,
        address=address,
        now=now_of(request),
        session_ttl_us=services.settings.session_ttl_s * 1_000_000,
        cost=services.settings.password_hash_cost,
    )
    body = {
        **principal_json(result.principal),
        "csrf_token": result.csrf_token,
        "expires_at": format_instant(result.expires_at),
    }
    response: Response
    if posted_form:
        response = RedirectResponse(_safe_next(after), status_code=303)
    else:
        response = JSONResponse(body)
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie(
        SESSION_COOKIE,
        result.session_token,
        max_age=services.settings.session_ttl_s,
        path="/",
        secure=services.settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    return response


@router.post(
    "/logout", dependencies=[signed_in(before_password_change=True)], responses=answers(*UNSAFE)
)
async def logout(request: Request) -> JSONResponse:
    services = _services(request)
    await _call(
        accounts.logout,
        services.accounts,
        services.audit,
        ctx=context_of(request),
    )
    response = JSONResponse({"logged_out": True})
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        secure=services.settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    return response


@router.get(
    "/me", dependencies=[signed_in(before_password_change=True)], responses=answers(*CALLER)
)
async def me(request: Request) -> JSONResponse:
    """Who I am, what I may do; on a session, its CSRF token again (for a reloaded page)."""
    principal = principal_of(request)
    body = principal_json(principal)
    if principal.session_id is not None:
        cookie = request.cookies.get(SESSION_COOKIE, "")
        found = await run_in_threadpool(
            _services(request).accounts.session_by_hash, accounts.sha256_hex(cookie)
        )
        body["csrf_token"] = None if found is None else found.csrf_token
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.post(
    "/password",
    dependencies=[signed_in(session_only=True, before_password_change=True)],
    responses=answers(429, *UNSAFE),
)
async def change_password(request: Request, body: PasswordIn) -> JSONResponse:
    """Needs the current password; every other session of the user ends."""
    services = _services(request)
    await _call(
        accounts.change_password,
        services.accounts,
        services.audit,
        ctx=context_of(request),
        current=body.current,
        new=body.new,
        cost=services.settings.password_hash_cost,
    )
    return JSONResponse({"changed": True})


async def _me_user(request: Request) -> UserRecord:
    principal = principal_of(request)
    if principal.user_id is None:
        raise ApiError(400, say(Code.TOKENS_ADMIN))
    user = await run_in_threadpool(_services(request).accounts.user, principal.user_id)
    if user is None:
        raise ApiError(401, say(Code.ACCOUNT_GONE))
    return user


@router.get("/tokens", dependencies=[signed_in()], responses=answers(400, *CALLER))
async def list_tokens(request: Request) -> JSONResponse:
    """My personal tokens (a hint of each, never the token)."""
    user = await _me_user(request)
    records = await run_in_threadpool(_services(request).accounts.tokens_of, user.id)
    return JSONResponse({"tokens": [accounts.token_json(r) for r in records]})


@router.post(
    "/tokens",
    status_code=201,
    dependencies=[signed_in(session_only=True)],
    responses=answers(400, 409, *UNSAFE),
)
async def issue_token(request: Request, body: TokenIn) -> JSONResponse:
    """A personal token for scripts, shown once; ``scopes`` narrow the role's actions."""
    services = _services(request)
    user = await _me_user(request)
    ctx = context_of(request)
    issued = await _call(
        accounts.issue_token,
        services.accounts,
        services.audit,
        ctx=ctx,
        user=user,
        name=body.name,
        scopes=body.scopes,
        expires_at=None if body.expires_days is None else ctx.now + body.expires_days * US_PER_D,
    )
    return JSONResponse(
        {**accounts.token_json(issued.record), "token": issued.token}, status_code=201
    )


@router.delete(
    "/tokens/{token_id}", dependencies=[signed_in()], responses=answers(400, 404, 409, *UNSAFE)
)
async def revoke_token(request: Request, token_id: RowId) -> JSONResponse:
    services = _services(request)
    user = await _me_user(request)
    record = await _call(
        accounts.revoke_token,
        services.accounts,
        services.audit,
        ctx=context_of(request),
        user=user,
        token_id=token_id,
    )
    return JSONResponse({"id": record.id, "revoked": True})
