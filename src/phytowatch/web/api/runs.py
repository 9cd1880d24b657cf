"""Runs over HTTP: start, follow, close, and the readings (for charts, and as the CSV of §4).

Each route declares its rule (``web.auth``); lists show only the runs of facilities the caller
may see, and a run outside them is answered as if it did not exist (404).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.instants import format_instant
from phytowatch.domain.messages import Code, Refused, say
from phytowatch.domain.series import downsample
from phytowatch.formats.csvlog import write_log
from phytowatch.services.runs import (
    RunRecord,
    evaluate_command,
    run_log_rows,
    run_review,
    run_reviews,
    start_run,
)
from phytowatch.web.auth import allow, ensure_facility_visible, visible_facilities
from phytowatch.web.body import StrictJsonRoute
from phytowatch.web.clock import now_of
from phytowatch.web.deps import RowId, StrictBody, context_of, documented, names_nothing
from phytowatch.web.errors import CALLER, UNSAFE, ApiError, answers
from phytowatch.web.events import publish_tick
from phytowatch.web.presenters import hold_json, review_json, run_json, when

router = APIRouter(prefix="/api/v1/runs", route_class=StrictJsonRoute)
PER_FACILITY_LIST = 50  # up to this many visible facilities, their runs are listed one by one
MAX_POINTS = 2000


class RunIn(StrictBody):
    facility: str = Field(json_schema_extra=documented(maxLength=64))
    schedule: str
    params: dict[str, str] = Field(default_factory=dict)
    load: str = Field(
        description="commodity, lot, quantity, e.g. '1,200 pallets, pine'",
        json_schema_extra=documented(minLength=1, maxLength=500),
    )
    note: str = Field("", json_schema_extra=documented(maxLength=2000))


async def _record(request: Request, run_id: int) -> RunRecord:
    services = request.app.state.services  # the route's rule checked the caller may see it
    record = await run_in_threadpool(services.runs.run, run_id)
    if record is None:
        raise ApiError(404, say(Code.NO_RUN, run=run_id))
    return record


@router.post(
    "",
    status_code=201,
    dependencies=[allow(Action.RUNS_WRITE)],
    responses=answers(404, 409, *UNSAFE),
)
async def post_run(request: Request, body: RunIn) -> JSONResponse:
    """Start a run on a facility now."""
    services = request.app.state.services
    await ensure_facility_visible(request, body.facility)
    try:
        record = await run_in_threadpool(
            lambda: start_run(
                services.runs,
                body.facility,
                body.schedule,
                params=body.params,
                load=body.load,
                note=body.note,
                ctx=context_of(request),
                audit=services.audit,
            )
        )
    except Refused as error:
        raise ApiError.of(error) from None
    return JSONResponse(run_json(record), status_code=201)


async def _visible_runs(request: Request, facility: str | None) -> list[RunRecord]:
    """The latest 200 runs the caller may see (of ``facility`` when given), newest first."""
    services = request.app.state.services
    if names_nothing(facility):
        return []
    visible = await visible_facilities(request)
    if visible is None:
        return list(await run_in_threadpool(services.runs.runs_of, facility, 200))
    if facility is not None:
        if facility not in visible:
            return []
        return list(await run_in_threadpool(services.runs.runs_of, facility, 200))
    if len(visible) <= PER_FACILITY_LIST:
        found: list[RunRecord] = []
        for code in sorted(visible):
            found += await run_in_threadpool(services.runs.runs_of, code, 200)
    else:  # an office over many facilities: the latest runs of all, then its own among them
        every = await run_in_threadpool(services.runs.runs_of, None, 5000)
        found = [r for r in every if r.facility_code in visible]
    return sorted(found, key=lambda r: r.id, reverse=True)[:200]


@router.get("", dependencies=[allow(Action.RUNS_READ)], responses=answers(422, *CALLER))
async def list_runs(request: Request, facility: str | None = None) -> JSONResponse:
    """The latest runs, newest first; an open run carries its live phase, every run its review
    state (``review``: findings to review, awaiting sign-off, signed off by whom, rejected)."""
    services = request.app.state.services
    records = await _visible_runs(request, facility)
    now = now_of(request)
    reviews = await run_in_threadpool(run_reviews, records, services.accounts)
    out = []
    for record, review in zip(records, reviews, strict=True):
        state = services.monitor.state(record.id, now) if record.closed_at is None else None
        out.append(
            {
                "id": record.id,
                "facility": record.facility_code,
                "schedule": record.schedule_id,
                "started_at": when(record.started_at),
                "closed_at": when(record.closed_at),
                "verdict": record.verdict,
                "phase": state.phase.value if state is not None else record.verdict,
                "review": review_json(review),
            }
        )
    return JSONResponse({"runs": out})


@router.get(
    "/{run_id}",
    dependencies=[allow(Action.RUNS_READ, tenant="run")],
    responses=answers(404, 422, *CALLER),
)
async def get_run(request: Request, run_id: RowId) -> JSONResponse:
    """The run with its review state (``review``), and while it is open its live state (phase,
    holds with progress and ETA)."""
    record = await _record(request, run_id)
    body = run_json(record)
    services = request.app.state.services
    body["review"] = review_json(await run_in_threadpool(run_review, record, services.accounts))
    monitor = request.app.state.services.monitor
    state = monitor.state(run_id, now_of(request))
    if state is not None:
        predicted_start, predicted_end = monitor.eta(run_id, now_of(request))
        body["live"] = {
            "predicted_hold_start": when(predicted_start),
            "eta": when(predicted_end),
            "phase": state.phase.value,
            "last_sample": when(state.last_sample),
            "stale": state.stale,
            "earliest_end": when(state.earliest_end),
            "governing": dict(state.governing),
            "holds": [hold_json(h) for h in state.holds],
        }
    return JSONResponse(body)


@router.post(
    "/{run_id}/close",
    dependencies=[allow(Action.RUNS_WRITE, tenant="run")],
    responses=answers(404, 409, *UNSAFE),
)
async def close_run(request: Request, run_id: RowId) -> JSONResponse:
    """Close the run by hand: what it has is judged as the complete log, and frozen."""
    services = request.app.state.services
    ctx = context_of(request)
    try:
        events = await run_in_threadpool(lambda: services.monitor.close(run_id, ctx=ctx))
    except Refused as error:
        raise ApiError.of(error) from None
    publish_tick(request.app.state.events, events, [], None, now=ctx.now)  # live pages see it
    record = await run_in_threadpool(services.runs.run, run_id)
    assert record is not None
    return JSONResponse(run_json(record))


@router.get(
    "/{run_id}/readings.csv",
    dependencies=[allow(Action.READINGS_READ, tenant="run")],
    response_class=Response,
    responses={
        200: {
            "description": "the log, as the CSV of the treatment contract",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **answers(404, 422, *CALLER),
    },
)
async def readings_csv(request: Request, run_id: RowId) -> Response:
    """The run's readings as the CSV of the treatment contract (§4), raw as stored.

    ``X-Phytowatch-Evaluate`` gives the command that judges it as the run was judged.
    """
    record = await _record(request, run_id)
    services = request.app.state.services
    facility = await run_in_threadpool(services.registry.facility_by_code, record.facility_code)
    rows = await run_in_threadpool(
        services.runs.run_readings, record.facility_id, record.started_at, record.closed_at, None
    )
    probes, log_rows = run_log_rows(facility, rows)
    text = write_log(probes, log_rows)  # type: ignore[arg-type]
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "X-Phytowatch-Evaluate": evaluate_command(record, f"run-{run_id}.csv"),
            "Content-Disposition": f'attachment; filename="run-{run_id}.csv"',
        },
    )


@router.get(
    "/{run_id}/readings",
    dependencies=[allow(Action.READINGS_READ, tenant="run")],
    responses=answers(404, 422, *CALLER),
)
async def readings_json(
    request: Request,
    run_id: RowId,
    points: int = Query(500, json_schema_extra=documented(minimum=1, maximum=MAX_POINTS)),
    raw: bool = False,
) -> JSONResponse:
    """Readings for a chart: min/max per time bucket (``points`` buckets), or ``raw=true``."""
    if not 1 <= points <= MAX_POINTS:
        raise ApiError(422, say(Code.CHART_POINTS, max=MAX_POINTS))
    record = await _record(request, run_id)
    services = request.app.state.services
    rows = await run_in_threadpool(
        services.runs.run_readings, record.facility_id, record.started_at, record.closed_at, None
    )
    if raw:
        body: dict[str, Any] = {"raw": {}}
        for probe, t, value, fault, _ in sorted(rows, key=lambda r: r[1]):
            body["raw"].setdefault(probe, []).append([format_instant(t), value, fault])
        return JSONResponse(body)
    if not rows:
        return JSONResponse({"buckets": {}})
    end = record.closed_at or max(r[1] for r in rows)
    series = downsample(rows, record.started_at, max(end, record.started_at + 1), points)
    return JSONResponse(
        {
            "buckets": {
                probe: [[format_instant(s), low, high] for s, low, high in values]
                for probe, values in series.items()
            }
        }
    )
