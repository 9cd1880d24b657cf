"""Administration of one user: their role (with its enterprise or office), disabling and
enabling, and a password reset. The administrator's (``registry:write``); the same service
calls as ``phytowatch users set-role``, ``users disable`` and ``users passwd``.

A reset makes a temporary password and shows it once, rather than have the administrator
choose one: nobody types a guessable password into a form, and every session of the user ends
(docs/pages.md). The last enabled administrator can be neither disabled nor demoted: the
service refuses it (409), and the page says so.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import ROLE_TITLES, Action
from phytowatch.domain.messages import Code, say
from phytowatch.services import accounts
from phytowatch.web.auth import principal_of
from phytowatch.web.deps import context_of
from phytowatch.web.pages.forms import FormInputError, attempt, named_in_path, temporary_password
from phytowatch.web.templating import PageError, page, page_form, render, services_of

router = APIRouter()
PEOPLE = [page(Action.USERS_WRITE)]  # a signed-in session only: see pages_admin.PEOPLE


async def _user_page(
    request: Request,
    login: str,
    status: int = 200,
    *,
    error: str | None = None,
    kept: dict[str, str] | None = None,
    **notice: Any,
) -> HTMLResponse:
    named_in_path(login)
    services = services_of(request)

    def load() -> dict[str, Any] | None:
        user = services.accounts.user_by_login(login.strip().lower())
        if user is None:
            return None
        return {
            "user": user,
            "enterprises": services.registry.list_enterprises(),
            "offices": services.accounts.list_offices(),
        }

    context = await run_in_threadpool(load)
    if context is None:
        raise PageError(404, say(Code.NO_USER, login=login))
    return await render(
        request, "admin_user.html", status=status, active="admin", error=error,
        kept=kept or {}, notice=notice, roles=ROLE_TITLES,
        is_self=principal_of(request).login == context["user"].login, **context,
    )  # fmt: skip


def _show(request: Request, login: str) -> Any:
    async def show(status: int, **context: Any) -> HTMLResponse:
        return await _user_page(request, login, status, **context)

    return show


@router.get("/admin/users/{login}", dependencies=PEOPLE, include_in_schema=False)
async def user(request: Request, login: str) -> HTMLResponse:
    return await _user_page(request, login)


@router.post("/admin/users/{login}/role", dependencies=PEOPLE, include_in_schema=False)
async def set_role(request: Request, login: str) -> HTMLResponse:
    """A new role; every session of the user ends (a new role is a new login)."""
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)
    return await attempt(
        _show(request, login),
        lambda: accounts.set_role(
            services.accounts, services.audit, ctx=ctx, login=login, role=f.get("role", ""),
            enterprise=f.get("enterprise", "").strip() or None,
            office=f.get("office", "").strip() or None,
        ).role.value,
        "role", f, path=(login,), added="role",
    )  # fmt: skip


@router.post("/admin/users/{login}/disabled", dependencies=PEOPLE, include_in_schema=False)
async def set_disabled(request: Request, login: str) -> HTMLResponse:
    """``disabled=true`` disables (sessions end, tokens stop), ``disabled=false`` enables."""
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)

    def change() -> str:
        wanted = f.get("disabled", "")
        if wanted not in {"true", "false"}:
            raise FormInputError(say(Code.FORM_DISABLE_OR_ENABLE))
        changed = accounts.set_disabled(
            services.accounts, services.audit, ctx=ctx, login=login,
            disabled=wanted == "true",
        )  # fmt: skip
        return "disabled" if changed.disabled else "enabled"

    return await attempt(_show(request, login), change, "disabled", f, path=(login,), added="state")


@router.post("/admin/users/{login}/password", dependencies=PEOPLE, include_in_schema=False)
async def reset_password(request: Request, login: str) -> HTMLResponse:
    """A temporary password, shown once; every session of the user ends."""
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)

    def reset() -> str:
        password = temporary_password(login.strip().lower())
        accounts.reset_password(
            services.accounts, services.audit, ctx=ctx, login=login, password=password,
            cost=services.settings.password_hash_cost,
        )  # fmt: skip
        return password

    return await attempt(
        _show(request, login), reset, "password", f, path=(login,), added="password"
    )
