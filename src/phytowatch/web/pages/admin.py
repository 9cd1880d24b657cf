"""Administration pages: what the CLI provisions (enterprises, facilities and their device
tokens, offices, users), as lists searched and paged in SQL (``listing``, 50 rows a page), each
with its form, and an overview of how many there are. Every route is the administrator's
(``registry:write``; people and offices ``users:write``), like the provisioning API, and calls
the same service functions (same checks, same audit entries). A refused form says why on the
page and keeps what was typed; a new secret is shown once.

One facility's probes, calibrations and cameras: ``pages_admin_facility``; one user's role,
state and password: ``pages_admin_users``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import ROLE_TITLES, Action, Role
from phytowatch.services import accounts, provisioning
from phytowatch.services.accounts import Found, UserQuery
from phytowatch.services.provisioning import ENTERPRISE_GRADES, FACILITY_KINDS
from phytowatch.web.deps import context_of
from phytowatch.web.pages.forms import attempt, temporary_password
from phytowatch.web.pages.listing import PAGE_SIZE, Pager, offset_of, page_number, search_text
from phytowatch.web.templating import page, page_form, render, services_of

router = APIRouter()
ADMIN = [page(Action.REGISTRY_WRITE)]
# people and the offices that bound what they see: from a signed-in session only (no personal
# token carries USERS_WRITE, so a stolen one cannot make itself a permanent account)
PEOPLE = [page(Action.USERS_WRITE)]
USER_STATES = ("enabled", "disabled")


def split_list(text: str) -> list[str]:
    """Items typed comma-, semicolon- or line-separated (Chinese commas too)."""
    for sep in ("\n", "，", "；", ";", "、"):
        text = text.replace(sep, ",")
    return [item.strip() for item in text.split(",") if item.strip()]


def _listed(request: Request, path: str, found: Found[Any], **params: str) -> Pager:
    return Pager(path, params, page_number(request.query_params.get("page")), PAGE_SIZE,
                 found.total)  # fmt: skip


async def _list_page(
    request: Request,
    which: str,
    status: int = 200,
    *,
    error: str | None = None,
    kept: dict[str, str] | None = None,
    **notice: Any,
) -> HTMLResponse:
    """One list of the administration (``which``: enterprises, facilities, offices, users): a
    page of its rows, searched and counted in SQL, with the form that adds one."""
    services = services_of(request)
    query = request.query_params
    q = search_text(query.get("q"))
    offset = offset_of(page_number(query.get("page")))
    kind = query.get("kind", "") if query.get("kind", "") in FACILITY_KINDS else ""
    role = query.get("role", "") if query.get("role", "") in {r.value for r in Role} else ""
    state = query.get("state", "") if query.get("state", "") in USER_STATES else ""

    def load() -> dict[str, Any]:
        accounts_store = services.accounts
        if which == "enterprises":
            found = accounts_store.find_enterprises(q, offset=offset, limit=PAGE_SIZE)
            return {"rows": found.items, "pager": _listed(request, "/admin/enterprises", found,
                                                         q=q)}  # fmt: skip
        if which == "facilities":
            found = accounts_store.find_facilities(q, kind or None, offset=offset, limit=PAGE_SIZE)
            return {
                "rows": found.items,
                "pager": _listed(request, "/admin/facilities", found, q=q, kind=kind),
                "enterprises": services.registry.list_enterprises(),
            }
        if which == "offices":
            found_offices = accounts_store.find_offices(q, offset=offset, limit=PAGE_SIZE)
            return {"rows": found_offices.items,
                    "pager": _listed(request, "/admin/offices", found_offices, q=q)}  # fmt: skip
        wanted = UserQuery(
            q, Role(role) if role else None, None if not state else state == "disabled"
        )
        found_users = accounts_store.find_users(wanted, offset=offset, limit=PAGE_SIZE)
        return {
            "rows": found_users.items,
            "pager": _listed(request, "/admin/users", found_users, q=q, role=role, state=state),
            "enterprises": services.registry.list_enterprises(),
            "offices": accounts_store.list_offices(),
        }

    context = await run_in_threadpool(load)
    return await render(
        request, f"admin_{which}.html", status=status, active="admin", section=which,
        error=error, kept=kept or {}, kinds=FACILITY_KINDS, grades=ENTERPRISE_GRADES,
        roles=ROLE_TITLES, notice=notice, q=q, kind=kind, role=role, state=state, **context,
    )  # fmt: skip


def _show(request: Request, which: str) -> Any:
    async def show(status: int, **context: Any) -> HTMLResponse:
        return await _list_page(request, which, status, **context)

    return show


@router.get("/admin", dependencies=ADMIN, include_in_schema=False)
async def admin(request: Request) -> HTMLResponse:
    """The overview: how many of each, a search for each list, the audit trail."""
    services = services_of(request)

    def load() -> dict[str, Any]:
        users, disabled = services.accounts.count_users()
        return {**services.accounts.registry_counts(), "users": users, "disabled": disabled}

    counts = await run_in_threadpool(load)
    return await render(request, "admin.html", active="admin", section="overview", counts=counts)


@router.get("/admin/enterprises", dependencies=ADMIN, include_in_schema=False)
async def enterprises(request: Request) -> HTMLResponse:
    return await _list_page(request, "enterprises")


@router.get("/admin/facilities", dependencies=ADMIN, include_in_schema=False)
async def facilities(request: Request) -> HTMLResponse:
    return await _list_page(request, "facilities")


@router.get("/admin/offices", dependencies=PEOPLE, include_in_schema=False)
async def offices(request: Request) -> HTMLResponse:
    return await _list_page(request, "offices")


@router.get("/admin/users", dependencies=PEOPLE, include_in_schema=False)
async def users(request: Request) -> HTMLResponse:
    """Every user, a page at a time: login, name, role, enterprise or office, enabled or
    disabled (and a password change due), last login, added."""
    return await _list_page(request, "users")


@router.post("/admin/enterprises", dependencies=ADMIN, include_in_schema=False)
async def add_enterprise(request: Request) -> HTMLResponse:
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)
    return await attempt(
        _show(request, "enterprises"),
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

    return await attempt(_show(request, "facilities"), add, "facility", f, added="facility")


@router.post("/admin/facilities/{code}/token", dependencies=ADMIN, include_in_schema=False)
async def rotate_token(request: Request, code: str) -> HTMLResponse:
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)

    def rotate() -> str:
        issued = provisioning.rotate_token(services.registry, code, ctx=ctx, audit=services.audit)
        return f"{code}\t{issued.token}"

    return await attempt(_show(request, "facilities"), rotate, "", f, path=(code,), added="token")


@router.post("/admin/offices", dependencies=PEOPLE, include_in_schema=False)
async def add_office(request: Request) -> HTMLResponse:
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)
    return await attempt(
        _show(request, "offices"),
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
    """A user; with the password left empty, a temporary one is made and shown once, and the
    user must change it at the first login."""
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
            cost=services.settings.password_hash_cost, must_change=not typed,
        )  # fmt: skip
        return f"{user.login}\t{'' if typed else password}"

    return await attempt(_show(request, "users"), add, "user", f, added="user")
