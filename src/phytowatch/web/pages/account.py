"""My account: every signed-in person's own page (linked from the header). Change my password
(the current one, the new one twice; the rules of ``domain.accounts.password_problem``), and my
personal API tokens (list, issue with a name and an expiry, the secret shown once; revoke). The
same use cases as ``/api/v1/auth/password`` and ``/api/v1/auth/tokens``, so the same checks and
audit entries.

A person whose password an administrator set (a reset, or a temporary one made when the account
was added) is sent here from every other page until it is changed (``web/auth.py``); afterwards
on to where they were going.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import ROLE_TITLES
from phytowatch.domain.instants import US_PER_D
from phytowatch.domain.messages import Code, Kind, Message, Refused, Word, say
from phytowatch.services import accounts
from phytowatch.services.accounts import UserRecord
from phytowatch.web.auth import principal_of
from phytowatch.web.deps import RowId, context_of
from phytowatch.web.errors import STATUS
from phytowatch.web.pages.forms import FormInputError, attempt, unstorable
from phytowatch.web.templating import PageError, page, page_form, render, services_of

router = APIRouter()
# the page and its password form open before a change an administrator asked for; the rest not
ACCOUNT = [page(before_password_change=True)]
CHANGE = [page(session_only=True, before_password_change=True)]
MAX_TOKEN_DAYS = 3650


def safe_next(after: str | None) -> str | None:
    """Only a path on this site (never an open redirect), and never back to this form."""
    if after and after.startswith("/") and not after.startswith(("//", "/\\")):
        return None if after.startswith("/account/password") else after
    return None


def token_state(expires_at: int | None, revoked_at: int | None, now: int) -> str:
    if revoked_at is not None:
        return "revoked"
    if expires_at is not None and expires_at <= now:
        return "expired"
    return "active"


async def _account_page(
    request: Request,
    status: int = 200,
    *,
    error: Message | None = None,
    kept: dict[str, str] | None = None,
    **notice: Any,
) -> HTMLResponse:
    services = services_of(request)
    principal = principal_of(request)
    if principal.user_id is None:  # the admin token: no person, no account
        raise PageError(400, say(Code.TOKENS_ADMIN))
    user_id = principal.user_id

    def load() -> tuple[UserRecord | None, list[Any]]:
        return services.accounts.user(user_id), services.accounts.tokens_of(user_id)

    user, tokens = await run_in_threadpool(load)
    if user is None:
        raise PageError(401, say(Code.ACCOUNT_GONE))
    now = services.clock.now()
    rows = [
        {"record": t, "state": token_state(t.expires_at, t.revoked_at, now)}
        for t in reversed(tokens)
    ]
    return await render(
        request, "account.html", status=status, active="account", user=user, tokens=rows,
        roles=ROLE_TITLES, error=error, kept=kept or {}, notice=notice,
        forced=principal.must_change_password, via_token=principal.via_token,
        next=safe_next(request.query_params.get("next")) or "",
        max_days=MAX_TOKEN_DAYS,
    )  # fmt: skip


@router.get("/account", dependencies=ACCOUNT, include_in_schema=False)
async def account(request: Request) -> HTMLResponse:
    return await _account_page(request, changed=request.query_params.get("changed") == "1")


@router.get("/account/password", dependencies=ACCOUNT, include_in_schema=False)
async def password_form(request: Request) -> HTMLResponse:
    """The same page; where every other page sends a person who must change their password."""
    return await _account_page(request)


@router.post("/account/password", dependencies=CHANGE, include_in_schema=False)
async def change_password(request: Request) -> Response:
    """Current, new and new again. Changed: on to ``next`` (after a forced change) or back to
    the account page, by a redirect (a reload does not post again)."""
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)
    current, new, repeat = f.get("current", ""), f.get("new", ""), f.get("repeat", "")
    after = safe_next(f.get("next"))
    problem: Message | None = None
    status = 422
    if any(unstorable(v) for v in (current, new, repeat)):
        problem = say(Code.FORM_NUL, field=Word("Password"))
    elif new != repeat:
        problem = say(Code.PASSWORD_MISMATCH)
    else:
        try:
            await run_in_threadpool(
                lambda: accounts.change_password(
                    services.accounts,
                    services.audit,
                    ctx=ctx,
                    current=current,
                    new=new,
                    cost=services.settings.password_hash_cost,
                )
            )
        except Refused as refused:
            # a wrong current password is the API's 403; here it is what was typed in the form
            # (422), and only a refusal of the rule itself is a 403 (web/auth.py)
            problem = refused.message
            status = 422 if refused.kind is Kind.FORBIDDEN else STATUS[refused.kind]
    if problem is not None:
        return await _account_page(
            request, status, error=problem, kept={"form": "password", "next": after or ""}
        )
    return RedirectResponse(after or "/account?changed=1", status_code=303)


@router.post("/account/tokens", dependencies=[page(session_only=True)], include_in_schema=False)
async def issue_token(request: Request) -> HTMLResponse:
    """A personal token with a name and an expiry in days (none: it does not expire); its
    secret is shown once, on this answer only."""
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)
    principal = principal_of(request)

    def issue() -> str:
        days_text = f.get("expires_days", "").strip()
        expires_at = None
        if days_text:
            wrong = say(Code.FORM_WHOLE_NUMBER, field=Word("Expires in (days)"), min=1,
                        max=MAX_TOKEN_DAYS)  # fmt: skip
            if not days_text.isdigit() or not 1 <= int(days_text) <= MAX_TOKEN_DAYS:
                raise FormInputError(wrong)
            expires_at = ctx.now + int(days_text) * US_PER_D
        user = services.accounts.user(principal.user_id) if principal.user_id else None
        if user is None:
            raise FormInputError(say(Code.ACCOUNT_GONE))
        issued = accounts.issue_token(
            services.accounts, services.audit, ctx=ctx, user=user, name=f.get("name", ""),
            expires_at=expires_at,
        )  # fmt: skip
        return issued.token

    async def show(status: int, **context: Any) -> HTMLResponse:
        return await _account_page(request, status, **context)

    return await attempt(show, issue, "token", f, added="token")


@router.post("/account/tokens/{token_id}/revoke", dependencies=[page()], include_in_schema=False)
async def revoke_token(request: Request, token_id: RowId) -> HTMLResponse:
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)
    principal = principal_of(request)

    def revoke() -> str:
        user = services.accounts.user(principal.user_id) if principal.user_id else None
        if user is None:
            raise FormInputError(say(Code.ACCOUNT_GONE))
        found = accounts.revoke_token(
            services.accounts, services.audit, ctx=ctx, user=user, token_id=token_id
        )
        return found.name

    async def show(status: int, **context: Any) -> HTMLResponse:
        return await _account_page(request, status, **context)

    return await attempt(show, revoke, "revoke", f, added="revoked")
