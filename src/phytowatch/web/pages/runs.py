"""A run (its chart, probes, verdict, sign-off, export and printable record), its replay, and a
facility (registry, probes and calibrations, run history). Each route declares its rule.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.instants import format_instant
from phytowatch.domain.messages import Code, Refused, say
from phytowatch.domain.review import AWAITING
from phytowatch.domain.schedule import HoldCriterion, ThroughoutCriterion
from phytowatch.schedules import load_catalog
from phytowatch.services import signoff
from phytowatch.services.app import App
from phytowatch.services.runs import RunRecord, record_heading, run_review, run_reviews
from phytowatch.web.auth import principal_of
from phytowatch.web.clock import now_of
from phytowatch.web.deps import RowId, context_of
from phytowatch.web.errors import STATUS
from phytowatch.web.events import run_summaries
from phytowatch.web.pages.mark_section import mark_section
from phytowatch.web.presenters import signoff_json
from phytowatch.web.templating import PageError, alarm_view, page, page_form, render, services_of
from phytowatch.web.wall import wall_rows

router = APIRouter()
APPENDIX_ROWS = 2000  # sample times in a printed record's readings appendix; the CSV has all


def _when(instant: int | None) -> str | None:
    return None if instant is None else format_instant(instant)


def probe_rows(services: App, facility_id: int, now: int) -> list[dict[str, Any]]:
    """Each probe with its latest calibration and whether it is valid now."""
    latest: dict[str, dict[str, Any]] = {}
    for calibration in services.registry.calibrations_of(facility_id):
        latest[calibration["probe"]] = calibration  # oldest first: the last one wins
    rows = []
    for probe in services.registry.probes_of(facility_id):
        found = latest.get(probe["code"])
        status = "none" if found is None else "valid" if found["due_at"] > now else "expired"
        rows.append({**probe, "calibration": found, "status": status})
    return rows


def _schedule_view(record: RunRecord) -> dict[str, Any]:
    try:
        schedule = load_catalog().get(record.schedule_id, record.schedule_version)
        schedule = schedule.resolve(record.params)
    except (KeyError, ValueError):
        return {"title": {"en": record.schedule_id, "zh": record.schedule_id}, "regime": "heat",
                "thresholds": [], "lower": None, "interval_s": None, "others": []}  # fmt: skip
    primary = schedule.primary
    return {
        "title": dict(schedule.title),
        "regime": str(getattr(primary.regime, "value", primary.regime)),
        "role": str(getattr(primary.role, "value", primary.role)),
        "thresholds": [
            {"value": step.threshold, "duration_s": step.duration / 1e6} for step in primary.steps
        ],
        "lower": primary.tolerance.lower if primary.tolerance is not None else None,
        "interval_s": schedule.max_sample_interval / 1e6,
        "others": _other_limits(schedule),
    }


def _other_limits(schedule: Any) -> list[dict[str, Any]]:
    """The thresholds of the criteria beside the primary one (vapour heat's air hold, its
    humidity throughout), for the chart: role and values."""
    out = []
    for criterion in schedule.extra:
        if isinstance(criterion, HoldCriterion):
            values = [step.threshold for step in criterion.steps]
        elif isinstance(criterion, ThroughoutCriterion):
            values = [criterion.threshold]
        else:
            continue
        role = str(getattr(criterion.role, "value", criterion.role))
        out.append({"role": role, "thresholds": values})
    return out


def _tenths(value: float) -> str:
    """One decimal, a tie rounded up, as JavaScript's ``toFixed(1)`` writes it."""
    return str(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def progress_text(progress: dict[str, Any] | None) -> dict[str, Any] | None:
    """An open run's progress (the ``progress`` of ``run_summaries``) as the wall's tile writes
    it (static/js/progress.js ``runProgress``, common.js ``progress``): the numbers, the unit
    of the whole (a catalogue word: min, h, d) and, for a schedule of several hold criteria, the
    deciding criterion's role; None while nothing holds."""
    if not progress or not progress["holding"] or not progress["duration_s"]:
        return None
    elapsed, whole = progress["elapsed_s"], progress["duration_s"]
    if whole >= 2 * 86400:
        days = elapsed / 86400
        shown = f"{math.floor(days * 10) / 10:.1f}" if days < 10 else str(math.floor(days))
        done, of, unit = shown, str(math.floor(whole / 86400 + 0.5)), "d"
    elif whole >= 3 * 3600:
        done, of, unit = _tenths(elapsed / 3600), _tenths(whole / 3600), "h"
    else:
        done, of, unit = str(math.floor(elapsed / 60)), str(math.floor(whole / 60 + 0.5)), "min"
    role = progress["role"] if progress["criteria"] > 1 else None
    return {"role": role, "done": done, "of": of, "unit": unit}


def readings_appendix(services: App, record: RunRecord) -> dict[str, Any]:
    """The run's readings as a table for the printed record: one row per sample time, one
    column per probe (a fault's word where a probe sent no value), the first APPENDIX_ROWS."""
    rows = services.runs.run_readings(record.facility_id, record.started_at, record.closed_at, None)
    probes = sorted({r[0] for r in rows})
    table: dict[int, dict[str, tuple[float | None, str | None]]] = {}
    for probe, t, value, fault, _ in rows:
        table.setdefault(t, {})[probe] = (value, fault)
    times = sorted(table)
    shown = times[:APPENDIX_ROWS]
    return {
        "probes": probes,
        "rows": [(t, [table[t].get(p) for p in probes]) for t in shown],
        "cut": None
        if len(shown) == len(times)
        else say(Code.RECORD_READINGS_CUT, shown=len(shown), total=len(times)),
    }


def run_context(
    services: App, run_id: int, may: Any, *, with_readings: bool = False
) -> dict[str, Any]:
    record = services.runs.run(run_id)
    if record is None:
        raise PageError(404, say(Code.NO_RUN, run=run_id))
    now = services.clock.now()
    facility = services.registry.facility_by_code(record.facility_code)
    assert facility is not None
    owner = services.accounts.facility_owner(record.facility_code)
    enterprise = services.registry.enterprise_by_code(owner[0]) if owner else None
    live = None
    if record.closed_at is None:
        # its progress and ETA as the wall has them (``progress``, ``eta``: RunMonitor.progress)
        live = next((s for s in run_summaries(services.monitor, now) if s["id"] == run_id), None)
    end = record.closed_at or now
    alarms = []
    if may(Action.ALARMS_READ):
        for alarm in services.alarm_store.list_alarms(
            open_only=False, facility=record.facility_code, limit=500
        ):
            if record.started_at <= alarm.raised_at <= end:
                alarms.append(alarm_view(alarm))
    stills = []
    if may(Action.SNAPSHOTS_READ):
        for still in services.registry.snapshots_of(facility.id):
            at = still["taken_at"] or still["received_at"]
            if record.started_at <= at <= end:
                stills.append({"id": still["id"], "camera": still["camera"], "at": _when(at)})
    backing = signoff.run_backs_certificate(services.runs, services.accounts, run_id)
    review = run_review(record, services.accounts)
    heading = record_heading(
        record,
        enterprise=owner[0] if owner else "",
        city=owner[1] if owner else "",
        offices=services.accounts.list_offices(),
        history=services.audit,
        people=services.accounts,
    )
    schedule = _schedule_view(record)
    judgement = record.judgement or {}
    chart = {
        "run": run_id,
        "facility": record.facility_code,
        "open": record.closed_at is None,
        "started_at": record.started_at / 1e6,
        "closed_at": None if record.closed_at is None else record.closed_at / 1e6,
        "schedule": schedule,
        "hold": (
            [judgement.get("hold_start"), judgement.get("hold_end")]
            if judgement.get("hold_start")
            else None
        ),
        "live_holds": live["holds"] if live else [],
        "interruptions": [i["at"] for i in judgement.get("interruptions", [])],
        "alarms": [[a["raised_at"], a["severity"], a["kind"]] for a in alarms],
        "stills": stills,
        "readings": bool(may(Action.READINGS_READ)),
    }
    return {
        "record": record,
        "facility": facility,
        "enterprise": enterprise,
        "schedule": schedule,
        "live": live,
        "progress": progress_text(live["progress"] if live else None),
        "judgement": judgement,
        "probes": probe_rows(services, facility.id, now),
        "alarms": alarms,
        "stills": stills,
        "signoff": signoff_json(review.signoff),
        "review": review,
        "heading": heading,
        # the form only where a decision can be taken: a closed PASS, undecided, by an inspector
        "can_decide": review.state in AWAITING and bool(may(Action.SIGNOFF_WRITE)),
        "backing": backing,
        "chart": chart,
        "appendix": readings_appendix(services, record)
        if with_readings and may(Action.READINGS_READ)
        else None,
    }


async def _run_page(
    request: Request, run_id: int, status: int = 200, *, readings: bool = False, **extra: Any
) -> HTMLResponse:
    principal = principal_of(request)
    context = await run_in_threadpool(
        lambda: run_context(services_of(request), run_id, principal.may, with_readings=readings)
    )
    extra.setdefault("typed", {"decision": "", "comment": ""})
    extra.setdefault("mark_typed", {"load": "", "quantity": "", "unit": ""})
    extra.setdefault("mark_error", None)
    marks = await mark_section(request, run_id)  # the IPPC mark (web/pages/mark_section.py)
    backs = []  # the consignments the run backs (of its own enterprise: within the same reach)
    if principal.may(Action.CONSIGNMENTS_READ):
        backs = await run_in_threadpool(services_of(request).consignments.backed_by, run_id)
    return await render(
        request, "run.html", status=status, active="runs", readings=readings, backs=backs,
        marks=marks, **context, **extra,
    )  # fmt: skip


@router.get(
    "/runs/{run_id}", dependencies=[page(Action.RUNS_READ, tenant="run")], include_in_schema=False
)
async def run_page(
    request: Request, run_id: RowId, signed: int = 0, readings: int = 0
) -> HTMLResponse:
    """The run; ``readings=1`` adds the readings as an appendix (for the printed record)."""
    return await _run_page(
        request, run_id, readings=bool(readings), signed=bool(signed), signoff_error=None
    )


@router.post(
    "/runs/{run_id}/signoff",
    dependencies=[page(Action.SIGNOFF_WRITE, tenant="run")],
    include_in_schema=False,
)
async def signoff_form(request: Request, run_id: RowId) -> Response:
    """The sign-off form: recorded once, then back to the run with a redirect (303: a reload
    does not post again); a refusal is said on the page, the form keeping what was typed.
    Nothing is chosen for the inspector: a form without a decision is refused."""
    services = services_of(request)
    fields = await page_form(request)
    decision = fields.get("decision", "")
    comment = fields.get("comment", "")
    typed = {"decision": decision, "comment": comment}
    if decision not in {"signed_off", "rejected"}:
        code = Code.SIGNOFF_CHOOSE if not decision else Code.SIGNOFF_DECISION
        return await _run_page(
            request, run_id, 422, signed=False, signoff_error=say(code), typed=typed
        )
    try:
        await run_in_threadpool(
            lambda: signoff.sign_off(
                services.runs, services.accounts, services.audit, run_id,
                ctx=context_of(request), decision=decision, comment=comment,
            )
        )  # fmt: skip
    except Refused as error:
        return await _run_page(
            request, run_id, STATUS[error.kind], signed=False, signoff_error=error.message,
            typed=typed,
        )  # fmt: skip
    return RedirectResponse(f"/runs/{run_id}?signed=1#signoff", status_code=303)


@router.get(
    "/runs/{run_id}/replay",
    dependencies=[page(Action.READINGS_READ, tenant="run")],
    include_in_schema=False,
)
async def replay(request: Request, run_id: RowId) -> HTMLResponse:
    principal = principal_of(request)
    context = await run_in_threadpool(run_context, services_of(request), run_id, principal.may)
    return await render(request, "replay.html", active="runs", **context)


@router.get(
    "/facilities/{code}",
    dependencies=[page(Action.FACILITIES_READ, tenant="facility")],
    include_in_schema=False,
)
async def facility_page(request: Request, code: str) -> HTMLResponse:
    services = services_of(request)
    principal = principal_of(request)

    def load() -> dict[str, Any]:
        facility = services.registry.facility_by_code(code)
        if facility is None:
            raise PageError(404, say(Code.NO_FACILITY, facility=code))
        owner = services.accounts.facility_owner(code)
        enterprise = services.registry.enterprise_by_code(owner[0]) if owner else None
        now = now_of(request)
        runs = services.runs.runs_of(code, 200) if principal.may(Action.RUNS_READ) else []
        alarms = (
            [alarm_view(a) for a in services.alarm_store.list_alarms(
                open_only=True, facility=code, limit=200)]
            if principal.may(Action.ALARMS_READ) else []
        )  # fmt: skip
        return {
            "facility": facility,
            "enterprise": enterprise,
            "probes": probe_rows(services, facility.id, now),
            "calibrations": services.registry.calibrations_of(facility.id),
            "cameras": services.registry.cameras_of(facility.id),
            "runs": runs,
            "reviews": {r.run_id: r for r in run_reviews(runs, services.accounts)},
            "alarms": alarms,
        }

    context = await run_in_threadpool(load)
    return await render(request, "facility.html", active="wall", **context)


@router.get(
    "/enterprises/{code}",
    dependencies=[page(Action.FACILITIES_READ)],
    include_in_schema=False,
)
async def enterprise_page(request: Request, code: str) -> HTMLResponse:
    """An enterprise within the caller's reach: registry data and its facilities, each with its
    open run or last verdict and open alarms (as on the wall)."""
    services = services_of(request)
    principal = principal_of(request)

    def load() -> dict[str, Any]:
        enterprise = services.registry.enterprise_by_code(code)
        if enterprise is None or not principal.covers(enterprise.code, enterprise.city):
            raise PageError(
                404, say(Code.NO_ENTERPRISE, enterprise=code)
            )  # the same for what is not ours
        rows = [r for r in wall_rows(services, None, now_of(request)) if r["enterprise"] == code]
        return {"enterprise": enterprise, "facilities": rows}

    context = await run_in_threadpool(load)
    return await render(request, "enterprise.html", active="wall", **context)
