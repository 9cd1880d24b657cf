"""``GET /api/v1/events``: the live event stream (server-sent events) for live pages.

Behind the admin token like the other APIs. A browser's ``EventSource`` cannot set headers, so
the token is also accepted as ``?token=`` (compared in constant time); the header wins when both
are sent. ``?facility=K1`` keeps only that facility's events. See docs/events.md.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from phytowatch.web.admin_api import require_admin
from phytowatch.web.events import Event, EventHub, Subscription
from phytowatch.web.ingest_api import ApiError

HEARTBEAT_S = 15.0  # a comment line this often: proxies keep the connection, clients see it live
RETRY_MS = 3000  # the reconnection delay a client is asked to use


def events_reader(request: Request) -> None:
    """The admin token, from the ``Authorization`` header or else from ``?token=``."""
    try:
        require_admin(request)
    except ApiError as refused:
        given = request.query_params.get("token")
        if refused.status != 401 or given is None or "authorization" in request.headers:
            raise
        expected = request.app.state.services.settings.admin_token  # set: else it was a 404
        if not hmac.compare_digest(given.strip().encode(), expected.get_secret_value().encode()):
            raise


router = APIRouter(prefix="/api/v1", dependencies=[Depends(events_reader)])


def _frame(event: Event, facility: str | None) -> str:
    data = event.data
    if event.name == "runs" and facility is not None:
        data = {**data, "runs": [run for run in data["runs"] if run["facility"] == facility]}
    # ASCII escapes keep the frame one line of plain text whatever a message holds
    body = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return f"id: {event.id}\nevent: {event.name}\ndata: {body}\n\n"


async def frames(subscription: Subscription, facility: str | None) -> AsyncIterator[str]:
    """The stream's text: the retry hint, then each event, a heartbeat comment when idle."""
    yield f"retry: {RETRY_MS}\n: phytowatch events\n\n"
    while True:
        try:
            event = await asyncio.wait_for(subscription.queue.get(), HEARTBEAT_S)
        except TimeoutError:
            yield ": heartbeat\n\n"
            continue
        yield _frame(event, facility)
        if event.name == "overflow":
            return


class EventStream(StreamingResponse):
    """Subscribed for exactly as long as the response is being sent.

    Not in the generator's ``finally``: a client that goes away leaves the generator suspended
    at a ``yield`` (``async for`` does not close it), so only the response knows it has ended.
    """

    def __init__(self, hub: EventHub, facility: str | None) -> None:
        super().__init__(
            (),  # the body is made per call, with its subscription
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        self.hub = hub
        self.facility = facility

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        subscription = self.hub.subscribe(self.facility)
        self.body_iterator = frames(subscription, self.facility)
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.hub.unsubscribe(subscription)


@router.get("/events")
async def events(request: Request, facility: str | None = None) -> EventStream:
    """Server-sent events: ``run``, ``runs`` (each second), ``alarm``; ``overflow`` ends it."""
    if facility is not None:
        registry = request.app.state.services.registry
        if await run_in_threadpool(registry.facility_by_code, facility) is None:
            raise ApiError(404, f"no facility {facility!r}")
    return EventStream(request.app.state.events, facility)
