"""``create_app(settings)``: the FastAPI application. Nothing is built at import."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from phytowatch import __version__
from phytowatch.config import Settings
from phytowatch.domain.messages import Code, Refused, say
from phytowatch.runtime.live import LiveJudging
from phytowatch.services.app import App
from phytowatch.services.ports import StorageUnavailableError
from phytowatch.web.api.accounts import router as auth_router
from phytowatch.web.api.admin import router as admin_router
from phytowatch.web.api.alarms import router as alarms_router
from phytowatch.web.api.certificates.lifecycle import router as certificates_api
from phytowatch.web.api.events import router as events_router
from phytowatch.web.api.facilities import router as facilities_router
from phytowatch.web.api.ingest import router as ingest_router
from phytowatch.web.api.runs import router as runs_router
from phytowatch.web.api.signoff import router as signoff_router
from phytowatch.web.api.supervision.consignments import router as consignments_router
from phytowatch.web.api.supervision.inspections import router as inspections_api
from phytowatch.web.api.supervision.policy import router as policy_router
from phytowatch.web.api.supervision.standing import router as standing_router
from phytowatch.web.auth import public, undeclared_routes
from phytowatch.web.body import loose_json_routes, shown
from phytowatch.web.deps import body_refusal, parameter_refusal
from phytowatch.web.errors import ApiError, answers
from phytowatch.web.events import EventHub, StreamListener, TickPublisher
from phytowatch.web.pages.site import install_pages, no_page
from phytowatch.web.printed.prints import router as print_router
from phytowatch.web.printed.verify import router as verify_router

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    services: App | None = None,
    *,
    build: Callable[[Settings], App] | None = None,
) -> FastAPI:
    """The API and the pages. ``build`` makes the application when the server starts (the
    entry points pass ``bootstrap``: the web itself never reaches the database's wiring); with
    ``services`` given instead (tests), the caller owns and closes them."""
    if services is None and build is None:
        raise TypeError("create_app needs the services or how to build them (build=bootstrap)")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = services is None
        if services is not None:
            app.state.services = services
        else:
            assert build is not None
            app.state.services = build(settings)
        hub: EventHub = app.state.events
        live: LiveJudging | None = None
        if own:  # tests that pass their services drive the monitor themselves
            listener = StreamListener(
                TickPublisher(hub, app.state.services), asyncio.get_running_loop()
            )
            live = LiveJudging(app.state.services, listener)
            app.state.services.writer.on_commit.append(live.committed)
            live.start()
        app.state.live = live
        try:
            yield
        finally:
            if live is not None:
                app.state.services.writer.on_commit.remove(live.committed)
                live.stop()
            if own:
                app.state.services.close()

    app = FastAPI(
        title="phytowatch",
        version=__version__,
        summary="Remote monitoring of phytosanitary treatments: device protocol v1.",
        lifespan=lifespan,
        # Swagger UI and ReDoc load from a CDN (bureau networks are closed): off; the schema
        # itself is served below, behind its own rule like every route
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # a trailing slash is a path the API does not have (404, said), never a redirect to a
        # URL built from the Host header
        redirect_slashes=False,
    )
    app.include_router(auth_router)
    app.include_router(facilities_router)
    app.include_router(signoff_router)
    app.include_router(ingest_router)
    app.include_router(admin_router)
    app.include_router(runs_router)
    app.include_router(alarms_router)
    app.include_router(events_router)
    app.include_router(policy_router)
    app.include_router(standing_router)
    app.include_router(consignments_router)
    app.include_router(inspections_api)
    # -- step 4, certificates: the lifecycle, numbers, keys --
    app.include_router(certificates_api)
    # -- step 4, certificates: pages and forms --
    from phytowatch.web.pages.supervision.certificates import router as certificate_pages

    app.include_router(certificate_pages)
    # -- step 4, certificates: the printed certificate, QR, public verification --
    app.include_router(verify_router)
    app.include_router(print_router)
    # -- step 4, IPPC ePhyto: export, validate, import --
    from phytowatch.web.api.ephyto import router as ephyto_api
    from phytowatch.web.pages.ephyto import router as ephyto_pages

    app.include_router(ephyto_api)
    app.include_router(ephyto_pages)
    # -- step 4, the IPPC mark for wood packaging --
    from phytowatch.web.api.marks import router as marks_api
    from phytowatch.web.pages.marks import router as mark_pages

    app.include_router(marks_api)
    app.include_router(mark_pages)
    # -- step 5, e-transfer: transfers, retrieval, amendments --
    from phytowatch.web.api.transfers.routes import router as transfers_api
    from phytowatch.web.pages.transfers import router as transfer_pages

    app.include_router(transfers_api)
    app.include_router(transfer_pages)
    # -- step 5, the outbox and the port's receiver --
    # -- step 6, port check and release --
    from phytowatch.web.api.port import router as port_api
    from phytowatch.web.pages.supervision.port import router as port_pages

    app.include_router(port_api)
    app.include_router(port_pages)
    # -- the six-step timeline --
    # -- the bureau's view (KPIs) --
    from phytowatch.web.api.kpi import router as kpi_api
    from phytowatch.web.pages.kpi import router as kpi_pages

    app.include_router(kpi_api)
    app.include_router(kpi_pages)
    # -- steps 5-6, the demo province runs the whole chain --
    install_pages(app)  # the pages, their JSON, static files (web/pages*.py)
    app.state.events = EventHub()

    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> Response:
        # ASCII escapes: an error may quote odd text a client sent (a lone surrogate, say)
        body = json.dumps(error.body(), ensure_ascii=True, separators=(",", ":"))
        return Response(
            body, status_code=error.status, headers=error.headers, media_type="application/json"
        )

    @app.exception_handler(Refused)
    async def refused(request: Request, error: Refused) -> Response:
        # a use case's refusal that its route did not answer itself: its kind says the status
        return await api_error(request, ApiError.of(error))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 400 and isinstance(error.__cause__, ValueError):
            # FastAPI could not read a JSON body (not UTF-8, say): the same as JSON that is
            # not valid, a 422, and said as a message
            return await api_error(request, ApiError(422, say(Code.BODY_NOT_JSON)))
        if error.status_code == 404 and request.scope.get("route") is None:
            # no route has this path (a trailing slash is no redirect: redirect_slashes is off);
            # a person's browser gets the not-found page, a program the API's JSON
            if not request.url.path.startswith(("/api/", "/static/")):
                return await no_page(request)
            path = shown(request.url.path)
            return await api_error(request, ApiError(404, say(Code.API_NO_PATH, path=path)))
        if error.status_code == 405:
            headers = dict(error.headers or {})
            allowed = headers.get("Allow", headers.get("allow", ""))
            said = say(Code.API_METHOD, method=shown(request.method, 20), allowed=allowed)
            return await api_error(request, ApiError(405, said, headers))
        return JSONResponse({"error": str(error.detail)}, status_code=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        said = parameter_refusal(request, error.errors())  # a path's or query's (web/deps.py)
        if said is not None:
            return await api_error(request, ApiError(*said))
        return await api_error(request, ApiError(422, body_refusal(error.errors())))

    @app.exception_handler(StorageUnavailableError)
    async def unavailable(request: Request, _: StorageUnavailableError) -> Response:
        # the database out of reach (the stores say so; a value it cannot hold is a Refused)
        return await api_error(
            request, ApiError(503, say(Code.STORAGE_UNAVAILABLE), {"Retry-After": "5"})
        )

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error")  # the traceback goes to the log, never to a client
        return JSONResponse({"error": "internal error; it has been logged"}, status_code=500)

    @app.get("/api/v1/health", dependencies=[public()], responses=answers(503))
    def health() -> dict[str, object]:
        svc: App = app.state.services
        return {"status": "ok", "version": __version__, "write_backlog": svc.writer.backlog}

    @app.head("/api/v1/health", dependencies=[public()], responses=answers(503))
    def health_head() -> Response:
        """The health check's status, without its body (a load balancer's probe)."""
        return Response(status_code=200)

    @app.get("/api/v1/openapi.json", dependencies=[public()], include_in_schema=False)
    def openapi() -> dict[str, object]:
        return app.openapi()

    loose = loose_json_routes(app)  # every JSON body is read strictly (web/body.py)
    if loose:
        raise RuntimeError(f"routes with a JSON body not read strictly: {', '.join(loose)}")
    missing = undeclared_routes(app)  # every route names who may call it (web/auth.py)
    if missing:
        raise RuntimeError(f"routes without an authorization rule: {', '.join(missing)}")
    return app
