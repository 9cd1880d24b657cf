"""Administration of one facility: each probe's calibrations (the history, newest first, and the
probe's status: valid, due within 7 days, expired, none recorded), its cameras, its device token
(rotate on the overview, revoke here). The administrator's (``registry:write``); the same service
calls as ``phytowatch probes calibrate``, ``cameras add`` and ``facilities token --revoke``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.instants import format_instant
from phytowatch.domain.messages import Code, Word, say
from phytowatch.services import provisioning
from phytowatch.services.alarms import CALIBRATION_DUE_WITHIN
from phytowatch.web.clock import now_of
from phytowatch.web.deps import context_of
from phytowatch.web.pages.forms import FormInputError, attempt, calendar_day, named_in_path
from phytowatch.web.templating import PageError, page, page_form, render, services_of

router = APIRouter()
ADMIN = [page(Action.REGISTRY_WRITE)]


def calibration_status(due_at: int | None, now: int) -> str:
    """As the calibration alarms judge it (services/alarms.py): expired once due, due within
    7 days, else valid; ``none`` without a calibration."""
    if due_at is None:
        return "none"
    if due_at < now:
        return "expired"
    return "due_soon" if due_at - now <= CALIBRATION_DUE_WITHIN else "valid"


def _day(instant: int) -> str:
    return format_instant(instant)[:10]  # a calendar day, as entered (00:00 UTC)


def probe_histories(
    probes: list[dict[str, Any]], calibrations: list[dict[str, Any]], now: int
) -> list[dict[str, Any]]:
    """Each probe with its calibrations newest first and its status by the newest one."""
    rows = []
    for probe in probes:
        history = [
            {**c, "calibrated_day": _day(c["calibrated_at"]), "due_day": _day(c["due_at"])}
            for c in calibrations
            if c["probe"] == probe["code"]
        ][::-1]
        latest = history[0]["due_at"] if history else None
        rows.append({**probe, "history": history, "status": calibration_status(latest, now)})
    return rows


async def _facility_page(
    request: Request,
    code: str,
    status: int = 200,
    *,
    error: str | None = None,
    kept: dict[str, str] | None = None,
    **notice: Any,
) -> HTMLResponse:
    named_in_path(code)
    services = services_of(request)
    now = now_of(request)

    def load() -> dict[str, Any] | None:
        facility = services.registry.facility_by_code(code)
        if facility is None:
            return None
        return {
            "facility": facility,
            "probes": probe_histories(
                services.registry.probes_of(facility.id),
                services.registry.calibrations_of(facility.id),
                now,
            ),
            "cameras": services.registry.cameras_of(facility.id),
        }

    context = await run_in_threadpool(load)
    if context is None:
        raise PageError(404, say(Code.NO_FACILITY, facility=code))
    return await render(
        request, "admin_facility.html", status=status, active="admin", error=error,
        kept=kept or {}, notice=notice, **context,
    )  # fmt: skip


def _show(request: Request, code: str) -> Any:
    async def show(status: int, **context: Any) -> HTMLResponse:
        return await _facility_page(request, code, status, **context)

    return show


@router.get("/admin/facilities/{code}", dependencies=ADMIN, include_in_schema=False)
async def facility(request: Request, code: str) -> HTMLResponse:
    return await _facility_page(request, code)


@router.post("/admin/facilities/{code}/calibrations", dependencies=ADMIN, include_in_schema=False)
async def add_calibration(request: Request, code: str) -> HTMLResponse:
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)

    def add() -> str:
        calibrated_at = calendar_day(
            f.get("calibrated_at", ""),
            say(Code.FORM_DATE, field=Word("Calibrated on"), example="2026-03-01"),
        )
        due_at = calendar_day(
            f.get("due_at", ""), say(Code.FORM_DATE, field=Word("Due on"), example="2027-03-01")
        )
        record = provisioning.add_calibration(
            services.registry, code, f.get("probe", "").strip(), f.get("offset", ""),
            calibrated_at=calibrated_at, due_at=due_at, certificate=f.get("certificate", ""),
            ctx=ctx, audit=services.audit,
        )  # fmt: skip
        return record.probe

    return await attempt(
        _show(request, code), add, "calibration", f, path=(code,), added="calibration"
    )


@router.post("/admin/facilities/{code}/cameras", dependencies=ADMIN, include_in_schema=False)
async def add_camera(request: Request, code: str) -> HTMLResponse:
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)

    def add() -> str:
        camera = f.get("camera", "").strip()
        provisioning.add_camera(
            services.registry, code, camera, f.get("description", ""),
            ctx=ctx, audit=services.audit,
        )  # fmt: skip
        return camera

    return await attempt(_show(request, code), add, "camera", f, path=(code,), added="camera")


@router.post("/admin/facilities/{code}/token/revoke", dependencies=ADMIN, include_in_schema=False)
async def revoke_token(request: Request, code: str) -> HTMLResponse:
    """Every device token of the facility stops working (the device can send nothing until a
    new token is issued by a rotation); the box must be ticked."""
    services = services_of(request)
    f = await page_form(request)
    ctx = context_of(request)

    def revoke() -> str:
        if f.get("confirm") != "on":
            raise FormInputError(say(Code.FORM_CONFIRM_REVOKE))
        count = provisioning.revoke_tokens(services.registry, code, ctx=ctx, audit=services.audit)
        return str(count)

    return await attempt(_show(request, code), revoke, "revoke", f, path=(code,), added="revoked")
