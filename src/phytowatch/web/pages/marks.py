"""The IPPC mark's pages: the authorisation form's answer (on the run page), the list of
authorisations within reach (paged, CSV), one authorisation, and the public verification page.

The verification page needs no login: the number and the check code printed with the mark, or
the token of its address, show the mark, the facility, the treatment and whether it stands; a
failed look-up is counted per address like a failed login, and a wrong number and a wrong code
get the same answer.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.certificates.mark import Authorisation, mark_lines
from phytowatch.domain.messages import Refused
from phytowatch.web.auth import principal_of, public
from phytowatch.web.deps import RowId, context_of
from phytowatch.web.errors import STATUS
from phytowatch.web.listing import csv_response, iso
from phytowatch.web.pages.runs import _run_page
from phytowatch.web.templating import PageError, page, page_form, render, services_of

router = APIRouter()
PAGE_SIZE = 50
CSV_HEADER = (
    "number", "mark", "method", "run", "facility", "enterprise", "treater_number",
    "bureau_code", "schedule", "load", "quantity", "unit", "office", "authorised_by",
    "authorised_at",
)  # fmt: skip


@router.post(
    "/runs/{run_id}/marks",
    dependencies=[page(Action.MARKS_AUTHORISE, tenant="run")],
    include_in_schema=False,
)
async def authorise_form(request: Request, run_id: RowId) -> Response:
    """The inspector's form on the run page: recorded, then back to the run (303); a refusal
    is said in the section, the form keeping what was typed."""
    services = services_of(request)
    fields = await page_form(request)
    typed = {k: fields.get(k, "") for k in ("load", "quantity", "unit")}
    try:
        done = await run_in_threadpool(
            lambda: services.marks.authorise(
                run_id,
                load=typed["load"],
                quantity=typed["quantity"],
                unit=typed["unit"],
                ctx=context_of(request),
            )
        )
    except Refused as error:
        return await _run_page(
            request, run_id, STATUS[error.kind], signed=False, signoff_error=None,
            mark_error=error.message, mark_typed=typed,
        )  # fmt: skip
    return RedirectResponse(f"/runs/{run_id}?marked={done.number}#marks", status_code=303)


@router.get("/marks/verify", dependencies=[public()], include_in_schema=False)
async def verify_page(
    request: Request, number: str = "", check: str = "", t: str = ""
) -> HTMLResponse:
    """The public verification: the form, and the answer when something was asked."""
    services = services_of(request)
    asked = bool(t or number or check)
    found = None
    error = None
    status = 200
    retry_after: int | None = None
    if asked:
        address = request.client.host if request.client else ""
        now = services.clock.now()
        try:
            found = await run_in_threadpool(
                lambda: (
                    services.marks.verify_token(t[:128], address=address, now=now)
                    if t
                    else services.marks.verify(number[:32], check[:32], address=address, now=now)
                )
            )
        except Refused as refusal:
            error = refusal.message
            status = STATUS[refusal.kind]
            retry_after = refusal.retry_after
    response = await render(
        request, "marks/verify.html", status=status, found=found, error=error,
        typed={"number": number[:32], "check": check[:32]}, lines=mark_lines,
    )  # fmt: skip
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _csv_rows(items: list[Authorisation]) -> Iterator[list[str]]:
    for m in items:
        yield [
            m.number, m.mark, m.method.value, str(m.run_id), m.facility, m.enterprise,
            m.treater_number, m.bureau_code, m.schedule_id, m.load.description,
            str(m.load.quantity), m.load.unit.value, m.office, m.by, iso(m.at),
        ]  # fmt: skip


@router.get("/marks", dependencies=[page(Action.CERTIFICATES_READ)], include_in_schema=False)
async def marks_page(request: Request, page_no: int = 1, format: str = "") -> Response:
    """The authorisations within reach, newest first; ``format=csv`` exports them all."""
    services = services_of(request)
    principal = principal_of(request)
    if format == "csv":
        every = await run_in_threadpool(
            lambda: services.marks.find(principal=principal, offset=0, limit=None)
        )
        return csv_response("ippc-marks.csv", CSV_HEADER, _csv_rows(every.items))
    number = max(1, min(page_no, 1_000_000))
    found = await run_in_threadpool(
        lambda: services.marks.find(
            principal=principal, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
    )
    last = max(1, -(-found.total // PAGE_SIZE))
    return await render(
        request, "marks/list.html", active="marks", found=found, page_no=number, last=last
    )


async def _mark_page(
    request: Request, number: str, status: int = 200, **extra: object
) -> HTMLResponse:
    services = services_of(request)
    try:
        found = await run_in_threadpool(
            lambda: services.marks.by_number(number, principal=principal_of(request))
        )
    except Refused as error:
        raise PageError(STATUS[error.kind], error.message) from None
    revoked = await run_in_threadpool(services.marks.revocation_of, found.number)
    extra.setdefault("revoke_error", None)
    extra.setdefault("typed_reason", "")
    return await render(
        request, "marks/mark.html", status=status, active="marks", m=found,
        lines=mark_lines(found.mark), revocation=revoked, **extra,
    )  # fmt: skip


@router.get(
    "/marks/{number}", dependencies=[page(Action.CERTIFICATES_READ)], include_in_schema=False
)
async def mark_page(request: Request, number: str) -> HTMLResponse:
    return await _mark_page(request, number)


@router.post(
    "/marks/{number}/revoke", dependencies=[page(Action.MARKS_AUTHORISE)], include_in_schema=False
)
async def revoke_form(request: Request, number: str) -> Response:
    """The inspector's revocation form on the authorisation's page: recorded, then back to the
    page (303); a refusal is said next to the form, keeping the reason typed."""
    services = services_of(request)
    fields = await page_form(request)
    reason = fields.get("reason", "")
    try:
        await run_in_threadpool(
            lambda: services.marks.revoke(number, reason=reason, ctx=context_of(request))
        )
    except Refused as error:
        return await _mark_page(
            request, number, STATUS[error.kind], revoke_error=error.message, typed_reason=reason
        )
    return RedirectResponse(f"/marks/{number}", status_code=303)
