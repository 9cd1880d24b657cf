"""The public verification of a certificate: no login, in Chinese and English.

``GET /verify`` (the form: number and check code, and its answer), ``GET /verify/{token}``
(what the QR code opens), the same as JSON under ``/api/v1/verify``, and the offices' published
public keys (``/verify/keys``, PEM; ``/api/v1/verify/keys``, JSON) for the offline check. A
certificate not found, and a number with the wrong check code, get the same answer. Every
look-up is rate limited per client address (``ratelimit.py``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.messages import Code, Message, say
from phytowatch.i18n.catalogue import render as render_message
from phytowatch.services.app import App
from phytowatch.services.certificates import public as lookups
from phytowatch.services.certificates.public import MAX_CHECK_CODE, MAX_NUMBER, PublicView
from phytowatch.web.auth import public
from phytowatch.web.errors import ApiError, answers
from phytowatch.web.printed.ratelimit import RateLimiter
from phytowatch.web.templating import render

router = APIRouter()

Number = Annotated[str, Query(max_length=200, description="the certificate's number")]
CheckCode = Annotated[str, Query(max_length=200, description="the check code printed beside it")]
PUBLIC_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


def _limiter(request: Request) -> RateLimiter:
    """The application's limiter, made on first use (nothing at import), at the setting
    ``verify_rate_per_minute``."""
    state = request.app.state
    limiter: RateLimiter | None = getattr(state, "verify_limiter", None)
    if limiter is None:
        per_minute = _services(request).settings.verify_rate_per_minute
        limiter = state.verify_limiter = RateLimiter(limit=max(1, per_minute))
    return limiter


def _throttled(request: Request) -> int | None:
    address = request.client.host if request.client is not None else "unknown"
    return _limiter(request).check(address, now=_services(request).clock.now())


def _both(message: Message) -> str:
    """A message in Chinese and English, for who cannot be asked their language first."""
    return f"{render_message(message, 'zh_CN')} / {message.english()}"


def _too_many_json(seconds: int) -> JSONResponse:
    said = say(Code.VERIFY_TOO_MANY, seconds=seconds)
    # the API's error body, with the Chinese beside it for a reader not asked their language
    body = {**ApiError(429, said).body(), "error_zh": render_message(said, "zh_CN")}
    return JSONResponse(body, 429, {"Retry-After": str(seconds), **PUBLIC_HEADERS})


async def _too_many_page(request: Request, seconds: int) -> HTMLResponse:
    said = say(Code.VERIFY_TOO_MANY, seconds=seconds)
    response = await render(
        request,
        "verify/verify.html",
        status=429,
        view=None,
        asked=False,
        number="",
        code="",
        notice=_both(said),
    )
    response.headers["Retry-After"] = str(seconds)
    return response


def _not_found_json() -> JSONResponse:
    said = say(Code.VERIFY_NOT_FOUND)
    return JSONResponse(ApiError(404, said).body(), 404, PUBLIC_HEADERS)


async def _view_by_code(request: Request, number: str, code: str) -> PublicView | None:
    certs = _services(request).certificates
    found = await run_in_threadpool(lookups.by_number_and_code, certs, number, code)
    return None if found is None else await run_in_threadpool(lookups.public_view, certs, found)


async def _view_by_token(request: Request, token: str) -> PublicView | None:
    certs = _services(request).certificates
    found = await run_in_threadpool(lookups.by_token, certs, token)
    return None if found is None else await run_in_threadpool(lookups.public_view, certs, found)


async def _page(
    request: Request, view: PublicView | None, *, asked: bool, number: str = "", code: str = ""
) -> HTMLResponse:
    status = 404 if asked and view is None else 200
    response = await render(
        request,
        "verify/verify.html",
        status=status,
        view=view,
        asked=asked,
        number=number[:MAX_NUMBER],
        code=code[:MAX_CHECK_CODE],
        notice=None,
        max_number=MAX_NUMBER,
        max_code=MAX_CHECK_CODE,
    )
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# -- the pages ------------------------------------------------------------------------------------


@router.get("/verify", dependencies=[public()], include_in_schema=False)
async def verify_form(request: Request, number: Number = "", code: CheckCode = "") -> Response:
    """The form; with a number and a check code, its answer below it."""
    if not number and not code:
        return await _page(request, None, asked=False)
    wait = _throttled(request)
    if wait is not None:
        return await _too_many_page(request, wait)
    view = await _view_by_code(request, number, code)
    return await _page(request, view, asked=True, number=number, code=code)


@router.get("/verify/keys", dependencies=[public()], include_in_schema=False)
async def verify_keys_pem(request: Request) -> PlainTextResponse:
    """Every office's public keys, as X.509 certificates (PEM), the older ones included."""
    keys = await run_in_threadpool(_services(request).certificates.keys)
    text = "".join(
        f"# office {k.office} key {k.key_id} ({k.algorithm}){' active' if k.active else ''}\n"
        f"{k.certificate_pem.strip()}\n"
        for k in keys
    )
    return PlainTextResponse(
        text, headers={"Cache-Control": "public, max-age=300"}, media_type="application/x-pem-file"
    )


@router.get("/verify/{token}", dependencies=[public()], include_in_schema=False)
async def verify_token_page(request: Request, token: str) -> Response:
    wait = _throttled(request)
    if wait is not None:
        return await _too_many_page(request, wait)
    view = await _view_by_token(request, token)
    return await _page(request, view, asked=True)


# -- the API --------------------------------------------------------------------------------------


@router.get(
    "/api/v1/verify",
    dependencies=[public()],
    tags=["verification"],
    responses=answers(404, 422, 429, 503),
)
async def verify_api(request: Request, number: Number, code: CheckCode) -> Response:
    """A certificate by its number and check code: its standing, key fields and signature."""
    wait = _throttled(request)
    if wait is not None:
        return _too_many_json(wait)
    view = await _view_by_code(request, number, code)
    if view is None:
        return _not_found_json()
    return JSONResponse(view.to_json(), headers=PUBLIC_HEADERS)


@router.get(
    "/api/v1/verify/keys",
    dependencies=[public()],
    tags=["verification"],
    responses=answers(503),
)
async def verify_keys_api(request: Request) -> list[dict[str, Any]]:
    """The offices' published keys (the older ones verify what they signed)."""
    keys = await run_in_threadpool(_services(request).certificates.keys)
    return [
        {
            "key_id": k.key_id,
            "office": k.office,
            "algorithm": k.algorithm,
            "public_key_pem": k.public_key_pem,
            "certificate_pem": k.certificate_pem,
            "active": k.active,
        }
        for k in keys
    ]


@router.get(
    "/api/v1/verify/{token}",
    dependencies=[public()],
    tags=["verification"],
    responses=answers(404, 422, 429, 503),
)
async def verify_token_api(request: Request, token: str) -> Response:
    """A certificate by its QR token."""
    wait = _throttled(request)
    if wait is not None:
        return _too_many_json(wait)
    view = await _view_by_token(request, token)
    if view is None:
        return _not_found_json()
    return JSONResponse(view.to_json(), headers=PUBLIC_HEADERS)
