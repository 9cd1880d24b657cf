"""Administration pages: what the CLI provisions (enterprises, facilities and their device
tokens, users), as forms. Every route is the administrator's (``registry:write``), like the
provisioning API. A refused form says why on the page; a new device token is shown once.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import ROLE_TITLES, Action
from phytowatch.services import accounts, provisioning
from phytowatch.services.accounts import AccountError
from phytowatch.services.provisioning import ENTERPRISE_GRADES, FACILITY_KINDS, ProvisioningError
from phytowatch.web.auth import principal_of
from phytowatch.web.errors import now_us
from phytowatch.web.templating import page, page_form, render, services_of

router = APIRouter()
ADMIN = [page(Action.REGISTRY_WRITE)]


async def _admin_page(
    request: Request, status: int = 200, *, error: str | None = None, **notice: Any
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
        request, "admin.html", status=status, active="admin", error=error,
        kinds=FACILITY_KINDS, grades=ENTERPRISE_GRADES, roles=ROLE_TITLES, notice=notice,
        **context,
    )  # fmt: skip


@router.get("/admin", dependencies=ADMIN, include_in_schema=False)
async def admin(request: Request) -> HTMLResponse:
    return await _admin_page(request)


async def _attempt(request: Request, action: Any, **notice: Any) -> HTMLResponse:
    try:
        result = await run_in_threadpool(action)
    except (ProvisioningError, AccountError, ValueError) as refused:
        status = getattr(refused, "status", 409 if "already" in str(refused) else 422)
        return await _admin_page(request, status, error=str(refused))
    return await _admin_page(request, 200, **notice, result=result)


@router.post("/admin/enterprises", dependencies=ADMIN, include_in_schema=False)
async def add_enterprise(request: Request) -> HTMLResponse:
    services = services_of(request)
    f = await page_form(request)
    actor = principal_of(request).actor
    return await _attempt(
        request,
        lambda: provisioning.add_enterprise(
            services.registry, f.get("code", "").strip(), f.get("name_zh", "").strip(),
            f.get("name_en", "").strip(), f.get("city", "").strip(), f.get("grade", "").strip(),
            now=now_us(), audit=services.audit, actor=actor,
        ),
        added="enterprise",
    )  # fmt: skip


@router.post("/admin/facilities", dependencies=ADMIN, include_in_schema=False)
async def add_facility(request: Request) -> HTMLResponse:
    services = services_of(request)
    f = await page_form(request)
    actor = principal_of(request).actor
    specs = [p.strip() for p in f.get("probes", "").replace("\n", ",").split(",") if p.strip()]

    def add() -> str:
        if not specs:
            raise ProvisioningError("probes: at least one, e.g. C1:product, C2:product, A1:air")
        issued = provisioning.add_facility(
            services.registry, f.get("code", "").strip(), f.get("enterprise", "").strip(),
            f.get("kind", "").strip(), specs, name=f.get("name", "").strip(),
            treater_number=f.get("treater_number", "").strip() or None,
            now=now_us(), audit=services.audit, actor=actor,
        )  # fmt: skip
        return f"{issued.facility.code}\t{issued.token}"

    return await _attempt(request, add, added="facility")


@router.post("/admin/facilities/{code}/token", dependencies=ADMIN, include_in_schema=False)
async def rotate_token(request: Request, code: str) -> HTMLResponse:
    services = services_of(request)
    actor = principal_of(request).actor

    def rotate() -> str:
        issued = provisioning.rotate_token(
            services.registry, code, now=now_us(), audit=services.audit, actor=actor
        )
        return f"{code}\t{issued.token}"

    return await _attempt(request, rotate, added="token")


@router.post("/admin/users", dependencies=ADMIN, include_in_schema=False)
async def add_user(request: Request) -> HTMLResponse:
    services = services_of(request)
    f = await page_form(request)
    actor = principal_of(request).actor
    return await _attempt(
        request,
        lambda: accounts.add_user(
            services.accounts, services.audit, actor=actor, login=f.get("login", ""),
            name=f.get("name", "").strip(), role=f.get("role", ""),
            password=f.get("password", ""), enterprise=f.get("enterprise", "").strip() or None,
            office=f.get("office", "").strip() or None,
            cost=services.settings.password_hash_cost, now=now_us(),
        ).login,
        added="user",
    )  # fmt: skip
