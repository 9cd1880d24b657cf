"""What the run page shows of the IPPC mark (``run.html``, "IPPC mark"): the run's
authorisations, and for an inspector who may authorise one now, the form (else why not)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.certificates.mark import Unit
from phytowatch.domain.messages import Refused
from phytowatch.web.auth import principal_of
from phytowatch.web.templating import services_of


async def mark_section(request: Request, run_id: int) -> dict[str, Any] | None:
    """``None`` for a caller who may not read marks (the section is not shown)."""
    principal = principal_of(request)
    if not principal.may(Action.CERTIFICATES_READ) and not principal.may(Action.MARKS_AUTHORISE):
        return None
    marks = services_of(request).marks

    def gather() -> dict[str, Any]:
        try:
            items = marks.of_run(run_id, principal=principal)
        except Refused:
            return {"items": [], "may": False, "why": None, "units": []}
        may = principal.may(Action.MARKS_AUTHORISE)
        why = marks.refusal(run_id, principal=principal) if may else None
        return {"items": items, "may": may, "why": why, "units": [u.value for u in Unit]}

    return await run_in_threadpool(gather)
