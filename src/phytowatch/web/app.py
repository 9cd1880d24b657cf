"""``create_app(settings)``: the FastAPI application. Nothing is built at import."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from phytowatch import __version__
from phytowatch.bootstrap import Services, bootstrap
from phytowatch.config import Settings
from phytowatch.web.admin_api import router as admin_router
from phytowatch.web.alarms_api import router as alarms_router
from phytowatch.web.events import EventHub, TickPublisher
from phytowatch.web.events_api import router as events_router
from phytowatch.web.ingest_api import ApiError
from phytowatch.web.ingest_api import router as ingest_router
from phytowatch.web.runs_api import router as runs_router

log = logging.getLogger(__name__)


TICK_S = 1.0  # how often open runs are fed what was stored


async def _tick_runs(services: Services, hub: EventHub) -> None:
    """Judge the open runs live: feed them what was stored, every second."""
    publisher = TickPublisher(hub, services)
    while True:
        try:
            now = time.time_ns() // 1000
            events = await run_in_threadpool(services.monitor.tick, now)
            changes = await run_in_threadpool(services.alarms.tick, now)
            for change in changes:
                alarm = change.alarm
                log.warning(
                    "alarm %s %s: %s %s %s",
                    alarm.id,
                    change.what,
                    alarm.severity,
                    alarm.facility,
                    alarm.message,
                )
                services.notifier.notify(change)  # queued; sent by a background thread
            for event in events:
                log.info(
                    "run %s (%s): %s %s", event.run_id, event.facility, event.kind, event.phase
                )
            await publisher.publish(now, events, changes)
        except Exception:  # keep judging: one bad tick must not stop every run
            log.exception("judging the open runs failed")
        await asyncio.sleep(TICK_S)


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    """The API. With ``services`` given (tests), the caller owns and closes them."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = services is None
        app.state.services = services or bootstrap(settings)
        hub: EventHub = app.state.events
        ticking = asyncio.create_task(_tick_runs(app.state.services, hub)) if own else None
        try:
            yield
        finally:
            if ticking is not None:
                ticking.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticking
            if own:
                app.state.services.close()

    app = FastAPI(
        title="phytowatch",
        version=__version__,
        summary="Remote monitoring of phytosanitary treatments: device protocol v1.",
        lifespan=lifespan,
    )
    app.include_router(ingest_router)
    app.include_router(admin_router)
    app.include_router(runs_router)
    app.include_router(alarms_router)
    app.include_router(events_router)
    app.state.events = EventHub()

    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> Response:
        # ASCII escapes: an error may quote odd text a client sent (a lone surrogate, say)
        body = json.dumps(error.body(), ensure_ascii=True, separators=(",", ":"))
        return Response(
            body, status_code=error.status, headers=error.headers, media_type="application/json"
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(error.detail)}, status_code=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return JSONResponse(
            {"error": f"{where}: {first.get('msg', 'invalid request')}"}, status_code=422
        )

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error")  # the traceback goes to the log, never to a client
        return JSONResponse({"error": "internal error; it has been logged"}, status_code=500)

    @app.get("/api/v1/health")
    def health() -> dict[str, object]:
        svc: Services = app.state.services
        return {"status": "ok", "version": __version__, "write_backlog": svc.writer.backlog}

    return app
