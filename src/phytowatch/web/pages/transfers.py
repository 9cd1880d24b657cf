"""The e-transfer's pages (step 5): the transfers within reach, the port officer's retrieval
form (number + password), one transfer, and its section on the consignment page with the
declarant's password and amendment form (each refused field said beside it, naming its rule).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action, Principal, Role
from phytowatch.domain.messages import Message, Refused
from phytowatch.domain.supervision.consignment import ConsignmentState
from phytowatch.domain.transfers.amend import AMENDABLE
from phytowatch.domain.transfers.model import Transfer
from phytowatch.services.app import App
from phytowatch.services.transfers.service import AmendmentRefused, query_for, sees
from phytowatch.web.auth import principal_of
from phytowatch.web.deps import context_of
from phytowatch.web.errors import STATUS
from phytowatch.web.templating import PageError, page, page_form, render, services_of

router = APIRouter()
PAGE_SIZE = 50


def _typed_values(values: dict[str, Any]) -> dict[str, str]:
    """The values in force as the form shows them."""
    return {
        "declared_value": values.get("declared_value") or "",
        "conveyance": values.get("conveyance") or "",
        "departure_date": values.get("departure_date") or "",
        "containers": "\n".join(values.get("containers") or []),
        "quantity": " ".join(values.get("quantity") or []),
    }


def section(
    services: App,
    principal: Principal,
    transfer: Transfer,
    *,
    typed: dict[str, str] | None = None,
    problems: dict[str, Message] | None = None,
    error: Message | None = None,
) -> dict[str, Any]:
    """What the transfer section shows (``transfers/_section.html``)."""
    values = services.transfers.values(transfer)
    policy = services.policy.policy().ports
    port = policy.ports.get(transfer.port)
    consignment = services.consignments.consignment(transfer.consignment_id)
    released = consignment is not None and consignment.state is ConsignmentState.RELEASED
    may_amend = (
        principal.role is Role.ENTERPRISE_DECLARANT
        and principal.enterprise == transfer.enterprise
        and principal.may(Action.TRANSFERS_AMEND)
        and not released
    )
    return {
        "t": transfer,
        "password": services.transfers.password(transfer, principal),
        "in_force": values,
        "amendments": services.transfers.amendments(transfer.id),
        "retrievals": services.transfers.retrievals(transfer.id),
        "port": port,
        "rules": policy,
        "may_amend": may_amend,
        "typed": typed or _typed_values(values),
        "problems": problems or {},
        "error": error,
    }


def consignment_section(services: App, principal: Principal, consignment_id: int) -> Any:
    """The consignment page's transfer section, or None (none made, or not the caller's)."""
    found = services.transfers.of_consignment(consignment_id)
    if found is None or not sees(principal, found):
        return None
    return section(services, principal, found)


@router.get("/transfers", dependencies=[page(Action.TRANSFERS_READ)], include_in_schema=False)
async def transfers_page(request: Request, number: str = "", offset: int = 0) -> HTMLResponse:
    """The transfers within reach, newest first: a port officer's those to his office, an
    enterprise its own, bureau staff those they cover."""
    services = services_of(request)
    offset = max(0, min(offset, 10_000_000))
    query = query_for(principal_of(request), number=number[:40], offset=offset, limit=PAGE_SIZE)
    found = await run_in_threadpool(services.transfers.find, query)
    return await render(
        request,
        "transfers/list.html",
        active="transfers",
        found=found,
        number=number[:40],
        ports=services.policy.policy().ports.ports,
        page_size=PAGE_SIZE,
    )


async def _retrieve_page(
    request: Request, status: int = 200, *, error: Message | None = None, number: str = ""
) -> HTMLResponse:
    return await render(
        request, "transfers/retrieve.html", status, active="transfers", error=error,
        number=number,
    )  # fmt: skip


@router.get(
    "/transfers/retrieve",
    dependencies=[page(Action.TRANSFERS_RETRIEVE)],
    include_in_schema=False,
)
async def retrieve_page(request: Request) -> HTMLResponse:
    return await _retrieve_page(request)


@router.post(
    "/transfers/retrieve",
    dependencies=[page(Action.TRANSFERS_RETRIEVE)],
    include_in_schema=False,
)
async def retrieve_form(request: Request) -> Response:
    """Take a transfer: to its page (303); a wrong number or password, or a lock, said on the
    form, the number kept (never the password)."""
    services = services_of(request)
    fields = await page_form(request)
    number = fields.get("number", "")[:40]
    address = request.client.host if request.client else ""
    ctx = context_of(request)
    try:
        taken = await run_in_threadpool(
            lambda: services.transfers.retrieve(
                number, fields.get("password", "")[:64], address=address, ctx=ctx
            )
        )
    except Refused as refused:
        return await _retrieve_page(
            request, STATUS[refused.kind], error=refused.message, number=number
        )
    return RedirectResponse(f"/transfers/{taken.number}?taken=1", status_code=303)


async def _transfer_page(
    request: Request,
    number: str,
    status: int = 200,
    *,
    typed: dict[str, str] | None = None,
    problems: dict[str, Message] | None = None,
    error: Message | None = None,
    notice: str = "",
) -> HTMLResponse:
    services = services_of(request)
    principal = principal_of(request)
    try:
        found = await run_in_threadpool(services.transfers.visible, number[:40], principal)
    except Refused as refused:
        raise PageError(STATUS[refused.kind], refused.message) from None
    view = await run_in_threadpool(
        lambda: section(services, principal, found, typed=typed, problems=problems, error=error)
    )
    return await render(
        request, "transfers/transfer.html", status, active="transfers", tv=view, notice=notice,
    )  # fmt: skip


@router.get(
    "/transfers/{number}", dependencies=[page(Action.TRANSFERS_READ)], include_in_schema=False
)
async def transfer_page(
    request: Request, number: str, taken: int = 0, amended: int = 0
) -> HTMLResponse:
    notice = "taken" if taken else ("amended" if amended else "")
    return await _transfer_page(request, number, notice=notice)


@router.post(
    "/transfers/{number}/amend",
    dependencies=[page(Action.TRANSFERS_AMEND)],
    include_in_schema=False,
)
async def amend_form(request: Request, number: str) -> Response:
    """The declarant's amendment form: the fields changed from the values in force are asked
    for; all allowed, or each refusal said beside its field, the form keeping what was typed."""
    services = services_of(request)
    fields = await page_form(request)
    principal = principal_of(request)
    try:
        found = await run_in_threadpool(services.transfers.visible, number[:40], principal)
    except Refused as refused:
        raise PageError(STATUS[refused.kind], refused.message) from None
    shown = _typed_values(await run_in_threadpool(services.transfers.values, found))
    typed = {name: fields.get(name, shown[name])[:4000] for name in AMENDABLE}
    changes = {
        name: typed[name]
        for name in AMENDABLE
        if " ".join(typed[name].split()) != " ".join(shown[name].split())
    }
    ctx = context_of(request)
    try:
        await run_in_threadpool(lambda: services.transfers.amend(found.number, changes, ctx=ctx))
    except AmendmentRefused as refused:
        problems = {p.field: p.message for p in refused.problems}
        return await _transfer_page(
            request, found.number, 422, typed=typed, problems=problems, error=refused.message
        )
    except Refused as refused:
        if refused.kind.value == "not_found":
            raise PageError(404, refused.message) from None
        return await _transfer_page(
            request, found.number, STATUS[refused.kind], typed=typed, error=refused.message
        )
    return RedirectResponse(f"/transfers/{found.number}?amended=1#transfer", status_code=303)
