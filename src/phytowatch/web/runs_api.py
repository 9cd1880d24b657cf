"""Runs over HTTP: start, follow, close, and the readings (for charts, and as the CSV of §4).

Behind the admin token for now, like provisioning (accounts and roles come later).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.instants import format_instant, seconds
from phytowatch.domain.verdict import HoldProgress
from phytowatch.ingest.csvlog import write_log
from phytowatch.services.runs import (
    RunError,
    RunRecord,
    downsample,
    evaluate_command,
    run_log_rows,
    start_run,
)
from phytowatch.web.admin_api import StrictBody, admin_only, require_admin
from phytowatch.web.ingest_api import ApiError, now_us

router = APIRouter(prefix="/api/v1/runs", dependencies=[Depends(admin_only)])
MAX_POINTS = 2000


class RunIn(StrictBody):
    facility: str
    schedule: str
    params: dict[str, str] = Field(default_factory=dict)
    load: str = Field(description="commodity, lot, quantity, e.g. '1,200 pallets, pine'")
    note: str = ""


def _when(instant: int | None) -> str | None:
    return None if instant is None else format_instant(instant)


def hold_json(hold: HoldProgress) -> dict[str, Any]:
    """A running hold: its step, progress and earliest end."""
    return {
        "criterion": hold.criterion,
        "step": hold.step,
        "threshold": hold.threshold,
        "hold_start": _when(hold.hold_start),
        "elapsed_s": seconds(hold.elapsed),
        "duration_s": seconds(hold.duration),
        "earliest_end": _when(hold.earliest_end),
    }


def _run_json(record: RunRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "facility": record.facility_code,
        "schedule": {"id": record.schedule_id, "version": record.schedule_version},
        "params": record.params,
        "offsets": record.offsets,
        "calibration_notes": record.calibration_notes,
        "load": record.load,
        "note": record.note,
        "started_at": _when(record.started_at),
        "closed_at": _when(record.closed_at),
        "close_reason": record.close_reason,
        "verdict": record.verdict,
        "judgement": record.judgement,
        "evaluate": evaluate_command(record),
    }


async def _record(request: Request, run_id: int) -> RunRecord:
    services = require_admin(request)
    record = await run_in_threadpool(services.runs.run, run_id)
    if record is None:
        raise ApiError(404, f"no run {run_id}")
    return record


@router.post("", status_code=201)
async def post_run(request: Request, body: RunIn) -> JSONResponse:
    """Start a run on a facility now."""
    services = require_admin(request)
    try:
        record = await run_in_threadpool(
            lambda: start_run(
                services.runs,
                body.facility,
                body.schedule,
                params=body.params,
                load=body.load,
                note=body.note,
                now=now_us(),
            )
        )
    except RunError as error:
        message = str(error)
        status = 404 if message.startswith("no facility") else 409 if "open run" in message else 422
        raise ApiError(status, message) from None
    return JSONResponse(_run_json(record), status_code=201)


@router.get("")
async def list_runs(request: Request, facility: str | None = None) -> JSONResponse:
    """The latest runs, newest first; an open run carries its live phase."""
    services = require_admin(request)
    records = await run_in_threadpool(services.runs.runs_of, facility, 200)
    now = now_us()
    out = []
    for record in records:
        state = services.monitor.state(record.id, now) if record.closed_at is None else None
        out.append(
            {
                "id": record.id,
                "facility": record.facility_code,
                "schedule": record.schedule_id,
                "started_at": _when(record.started_at),
                "closed_at": _when(record.closed_at),
                "verdict": record.verdict,
                "phase": state.phase.value if state is not None else record.verdict,
            }
        )
    return JSONResponse({"runs": out})


@router.get("/{run_id}")
async def get_run(request: Request, run_id: int) -> JSONResponse:
    """The run, and while it is open its live state (phase, holds with progress and ETA)."""
    record = await _record(request, run_id)
    body = _run_json(record)
    monitor = request.app.state.services.monitor
    state = monitor.state(run_id, now_us())
    if state is not None:
        predicted_start, predicted_end = monitor.eta(run_id, now_us())
        body["live"] = {
            "predicted_hold_start": _when(predicted_start),
            "eta": _when(predicted_end),
            "phase": state.phase.value,
            "last_sample": _when(state.last_sample),
            "stale": state.stale,
            "earliest_end": _when(state.earliest_end),
            "governing": dict(state.governing),
            "holds": [hold_json(h) for h in state.holds],
        }
    return JSONResponse(body)


@router.post("/{run_id}/close")
async def close_run(request: Request, run_id: int) -> JSONResponse:
    """Close the run by hand: what it has is judged as the complete log, and frozen."""
    services = require_admin(request)
    try:
        await run_in_threadpool(services.monitor.close, run_id, now_us())
    except RunError as error:
        raise ApiError(404 if "no run" in str(error) else 409, str(error)) from None
    record = await run_in_threadpool(services.runs.run, run_id)
    assert record is not None
    return JSONResponse(_run_json(record))


@router.get("/{run_id}/readings.csv")
async def readings_csv(request: Request, run_id: int) -> Response:
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


@router.get("/{run_id}/readings")
async def readings_json(
    request: Request, run_id: int, points: int = 500, raw: bool = False
) -> JSONResponse:
    """Readings for a chart: min/max per time bucket (``points`` buckets), or ``raw=true``."""
    if not 1 <= points <= MAX_POINTS:
        raise ApiError(422, f"points: 1 to {MAX_POINTS}")
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
