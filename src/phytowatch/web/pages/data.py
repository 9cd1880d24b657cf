"""JSON the pages need that the other APIs do not give in one call.

``GET /api/v1/wall``: every facility the caller may see with its enterprise, city and kind, its
open run as the live stream summarises it (with its progress and ETA), its last run (verdict and
review state), its open alarms and its tile's state, and the counts per state; narrowed by the
wall's filters (``web/wall.py``): the wall's first picture, kept live afterwards by the event
stream. Rule: ``events:read``, the same as the stream that keeps it live.

``GET /api/v1/runs/{id}/chart``: a run's readings for a chart, per probe the minimum and maximum
valid value in each of ``points`` time buckets on one shared time axis (epoch seconds, as charts
want), over the whole run or the ``t_from``/``t_to`` window a zoom asks for; bucketed by the
database (``storage.pages_repo``), so a 22-day run never crosses into Python reading by reading.
Rule: ``readings:read`` on the run.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from phytowatch.domain.accounts import Action
from phytowatch.domain.instants import format_instant
from phytowatch.domain.messages import Code, say
from phytowatch.services.app import App
from phytowatch.web.auth import allow, visible_facilities
from phytowatch.web.clock import now_of
from phytowatch.web.deps import EpochSeconds, RowId
from phytowatch.web.errors import CALLER, ApiError, answers
from phytowatch.web.wall import FILTERS, WallFilter, state_counts, wall_rows

router = APIRouter(prefix="/api/v1")
MAX_POINTS = 2000


def _services(request: Request) -> App:
    services: App = request.app.state.services
    return services


@router.get("/wall", dependencies=[allow(Action.EVENTS_READ)], responses=answers(422, *CALLER))
async def wall(
    request: Request,
    state: str = "",
    city: str = "",
    kind: str = "",
    enterprise: str = "",
    q: str = "",
    idle: str = "",
) -> JSONResponse:
    """Every facility the caller may see, as the wall shows it, narrowed by the wall's filters
    (``state``: a count's key or a state; ``idle=hide``), with the counts per state within the
    other filters."""
    if state and state not in FILTERS:
        raise ApiError(422, say(Code.FIELD_CHOICE, field="state", choices=", ".join(FILTERS)))
    if idle not in ("", "show", "hide"):
        raise ApiError(422, say(Code.FIELD_CHOICE, field="idle", choices="show, hide"))
    chosen = WallFilter(state, city, kind, enterprise, q, hide_idle=idle == "hide")
    services = _services(request)
    visible = await visible_facilities(request)
    now = now_of(request)
    rows = await run_in_threadpool(wall_rows, services, visible, now)
    return JSONResponse(
        {
            "at": format_instant(now),
            "counts": state_counts(rows, chosen),
            "facilities": [row for row in rows if chosen.admits(row)],
        }
    )


def chart_data(
    services: App, run_id: int, points: int, t_from: float | None, t_to: float | None
) -> dict[str, Any]:
    record = services.runs.run(run_id)
    if record is None:
        raise ApiError(404, say(Code.NO_RUN, run=run_id))
    facility = services.registry.facility_by_code(record.facility_code)
    roles = {code: probe.role for code, probe in facility.probes.items()} if facility else {}
    end = record.closed_at or services.clock.now()
    lo = record.started_at if t_from is None else max(record.started_at, int(t_from * 1e6))
    hi = end if t_to is None else min(end, int(t_to * 1e6))
    if hi <= lo:
        hi = lo + 1
    width = -(-(hi - lo + 1) // points)  # ceiling: every instant falls in a bucket
    found = services.pages.buckets(record.facility_id, lo, hi, width)  # GROUP BY in the database
    times = sorted({start for _, start, _, _, _ in found})
    index = {t: k for k, t in enumerate(times)}
    out: dict[str, Any] = {}
    for probe in [*roles, *sorted({code for code, *_ in found} - set(roles))]:
        out[probe] = {
            "role": roles.get(probe, "product"),
            "lo": [None] * len(times),
            "hi": [None] * len(times),
        }
    for probe, start, low, high, _ in found:
        out[probe]["lo"][index[start]] = low
        out[probe]["hi"][index[start]] = high
    count = sum(n for *_, n in found)
    return {
        "run": run_id,
        "from": lo / 1e6,
        "to": hi / 1e6,
        "readings": count,
        "t": [t / 1e6 for t in times],
        "probes": out,
    }


@router.get(
    "/runs/{run_id}/chart",
    dependencies=[allow(Action.READINGS_READ, tenant="run")],
    responses=answers(404, 422, *CALLER),
)
async def chart(
    request: Request,
    run_id: RowId,
    points: int = 600,
    t_from: EpochSeconds = None,
    t_to: EpochSeconds = None,
) -> JSONResponse:
    """Min and max per probe in ``points`` buckets over the run, or over [t_from, t_to]
    (epoch seconds) when zoomed."""
    if not 1 <= points <= MAX_POINTS:
        raise ApiError(422, say(Code.CHART_POINTS, max=MAX_POINTS))
    if t_from is not None and t_to is not None and t_to <= t_from:
        raise ApiError(422, say(Code.CHART_SPAN))
    body = await run_in_threadpool(chart_data, _services(request), run_id, points, t_from, t_to)
    return JSONResponse(body)
