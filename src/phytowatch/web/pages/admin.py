"""Administration pages: what the CLI provisions (enterprises, facilities and their device
tokens, offices, users), as forms. Every route is the administrator's (``registry:write``), like
the provisioning API, and calls the same service functions (same checks, same audit entries). A
refused form says why on the page and keeps what was typed; a new secret is shown once.

One facility's probes, calibrations and cameras: ``pages_admin_facility``; one user's role,
state and password: ``pages_admin_users``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import ROLE_TITLES, Action
from phytowatch.services import accounts, provisioning
from phytowatch.services.provisioning import ENTERPRISE_GRADES, FACILITY_KINDS
from phytowatch.web.deps import context_of
from phytowatch.web.pages.forms import attempt, temporary_password
from phytowatch.web.templating import page, page_form, render, services_of

router = APIRouter()
ADMIN = [page(Action.REGISTRY_WRITE)]
# people and the offices that bound what they see: from a signed-in session only (no personal
# token carries USERS_WRITE, so a stolen one cannot make itself a permanent account)
PEOPLE = [page(Action.USERS_WRITE)]


def split_list(text: str) -> list[str]:
    """Items typed comma-, semicolon- or line-separated (Chinese commas too)."""
    for sep in ("\n", "，", "；", ";", "、"):
        text = text.replace(sep, ",")
    return [item.strip() for item in text.split(",") if item.strip()]


async def _admin_page(
    request: Request,
    status: int = 200,
    *,
    error: str | None = None,
    kept: dict[str, str] | None = None,
    **notice: Any,
) -> HTMLResponse:
    services = services_of(request)

    def load() -> dict[str, Any]:
        return {
            "enterprises": services.registry.list_enterprises(),
            "facilities": services.registry.list_facilities(),
            "users": services.accounts.list_users(),
            "offices": services.accounts.list_offices(),
        }

    context = await run_in_threadpool(load)
    return await render(
        request, "admin.html", status=status, active="admin", error=error, kept=kept or {},
        kinds=FACILITY_KINDS, grades=ENTERPRISE_GRADES, roles=ROLE_TITLES, notice=notice,
        **context,
    )  # fmt: skip


def _show(request: Request) -> Any:
    async def show(status: int, **context: Any) -> HTMLResponse:
        return await _admin_page(request, status, **context)

    return show


@router.get("/admin", dependencies=ADMIN, include_in_schema=False)
async def admin(request: Request) -> HTMLResponse:
    return await _admin_page(request)


@router.post("/admin/enterprises", dependencies=ADMIN, include_in_schema=False)
async def add_enterprise(request: Request) -> HTMLResponse:
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)
    return await attempt(
        _show(request),
        lambda: provisioning.add_enterprise(
            services.registry, f.get("code", "").strip(), f.get("name_zh", "").strip(),
            f.get("name_en", "").strip(), f.get("city", "").strip(), f.get("grade", "").strip(),
            ctx=ctx, audit=services.audit,
        ),
        "enterprise", f, added="enterprise",
    )  # fmt: skip


@router.post("/admin/facilities", dependencies=ADMIN, include_in_schema=False)
async def add_facility(request: Request) -> HTMLResponse:
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)
    specs = [p.strip() for p in f.get("probes", "").replace("\n", ",").split(",") if p.strip()]

    def add() -> str:
        issued = provisioning.add_facility(
            services.registry, f.get("code", "").strip(), f.get("enterprise", "").strip(),
            f.get("kind", "").strip(), specs, name=f.get("name", "").strip(),
            treater_number=f.get("treater_number", "").strip() or None,
            ctx=ctx, audit=services.audit,
        )  # fmt: skip
        return f"{issued.facility.code}\t{issued.token}"

    return await attempt(_show(request), add, "facility", f, added="facility")


@router.post("/admin/facilities/{code}/token", dependencies=ADMIN, include_in_schema=False)
async def rotate_token(request: Request, code: str) -> HTMLResponse:
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)

    def rotate() -> str:
        issued = provisioning.rotate_token(services.registry, code, ctx=ctx, audit=services.audit)
        return f"{code}\t{issued.token}"

    return await attempt(_show(request), rotate, "", f, path=(code,), added="token")


@router.post("/admin/offices", dependencies=PEOPLE, include_in_schema=False)
async def add_office(request: Request) -> HTMLResponse:
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)
    return await attempt(
        _show(request),
        lambda: accounts.add_office(
            services.accounts, services.audit, ctx=ctx, code=f.get("code", ""),
            name=f.get("name", "").strip(), cities=split_list(f.get("cities", "")),
            enterprises=split_list(f.get("enterprises", "")),
            everywhere=f.get("everywhere", "") == "on",
        ).code,
        "office", f, added="office",
    )  # fmt: skip


@router.post("/admin/users", dependencies=PEOPLE, include_in_schema=False)
async def add_user(request: Request) -> HTMLResponse:
    """A user; with the password left empty, a temporary one is made and shown once."""
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)
    login = f.get("login", "").strip().lower()
    typed = f.get("password", "")

    def add() -> str:
        password = typed or temporary_password(login)
        user = accounts.add_user(
            services.accounts, services.audit, ctx=ctx, login=f.get("login", ""),
            name=f.get("name", "").strip(), role=f.get("role", ""), password=password,
            enterprise=f.get("enterprise", "").strip() or None,
            office=f.get("office", "").strip() or None,
            cost=services.settings.password_hash_cost,
        )  # fmt: skip
        return f"{user.login}\t{'' if typed else password}"

    return await attempt(_show(request), add, "user", f, added="user")
