"""``GET /api/v1/events``: the live event stream (server-sent events) for live pages.

Its rule (``web.auth``): ``events:read``. A browser's ``EventSource`` sends the session cookie;
a script sends a bearer token, which is also accepted as ``?token=`` (EventSource cannot set
headers); the header wins when both are sent. Each subscriber gets only the events of the
facilities it may see, filtered here at frame time (the set is taken when the stream opens).
``?facility=K1`` keeps only that facility's events. See docs/events.md.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, say
from phytowatch.web.auth import allow, authenticate, principal_of, visible_facilities
from phytowatch.web.body import StrictJsonRoute
from phytowatch.web.deps import names_nothing
from phytowatch.web.errors import CALLER, ApiError, answers
from phytowatch.web.events import Event, EventHub, Subscription

HEARTBEAT_S = 15.0  # a comment line this often: proxies keep the connection, clients see it live
RETRY_MS = 3000  # the reconnection delay a client is asked to use
RECHECK_S = 15.0  # this often the caller's credential is checked again: logout ends a stream


router = APIRouter(prefix="/api/v1", route_class=StrictJsonRoute)


def _frame(event: Event, facility: str | None, visible: frozenset[str] | None = None) -> str | None:
    """The event as one SSE frame; None when it concerns no facility this subscriber may see."""
    data = event.data
    if visible is not None and event.facility is not None and event.facility not in visible:
        return None
    if event.name == "runs" and facility is not None:
        data = {**data, "runs": [run for run in data["runs"] if run["facility"] == facility]}
    if event.name == "runs" and visible is not None:
        data = {**data, "runs": [run for run in data["runs"] if run["facility"] in visible]}
    # ASCII escapes keep the frame one line of plain text whatever a message holds
    body = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return f"id: {event.id}\nevent: {event.name}\ndata: {body}\n\n"


async def frames(
    subscription: Subscription,
    facility: str | None,
    visible: frozenset[str] | None = None,
    still_allowed: Callable[[], Awaitable[bool]] | None = None,
) -> AsyncIterator[str]:
    """The stream's text: the retry hint, then each event, a heartbeat comment when idle.
    It ends when ``still_allowed`` (asked every ``RECHECK_S``) says the caller no longer may."""
    yield f"retry: {RETRY_MS}\n: phytowatch events\n\n"
    checked = time.monotonic()
    while True:
        try:
            event: Event | None = await asyncio.wait_for(subscription.queue.get(), HEARTBEAT_S)
        except TimeoutError:
            event = None
        if still_allowed is not None and time.monotonic() - checked >= RECHECK_S:
            if not await still_allowed():
                return
            checked = time.monotonic()
        if event is None:
            yield ": heartbeat\n\n"
            continue
        frame = _frame(event, facility, visible)
        if frame is not None:
            yield frame
        if event.name == "overflow":
            return


class EventStream(StreamingResponse):
    """Subscribed for exactly as long as the response is being sent.

    Not in the generator's ``finally``: a client that goes away leaves the generator suspended
    at a ``yield`` (``async for`` does not close it), so only the response knows it has ended.
    """

    def __init__(
        self,
        hub: EventHub,
        facility: str | None,
        visible: frozenset[str] | None = None,
        still_allowed: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        super().__init__(
            (),  # the body is made per call, with its subscription
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        self.hub = hub
        self.facility = facility
        self.visible = visible
        self.still_allowed = still_allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        subscription = self.hub.subscribe(self.facility)
        self.body_iterator = frames(subscription, self.facility, self.visible, self.still_allowed)
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.hub.unsubscribe(subscription)


@router.get(
    "/events",
    dependencies=[allow(Action.EVENTS_READ, query_token=True)],
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "the stream: never ends while the caller may read it",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **answers(404, 422, *CALLER),
    },
)
async def events(request: Request, facility: str | None = None) -> EventStream:
    """Server-sent events: ``run``, ``runs`` (each second), ``alarm``; ``overflow`` ends it."""
    seen = await visible_facilities(request)
    visible = None if seen is None else frozenset(seen)
    if facility is not None and (
        names_nothing(facility) or (visible is not None and facility not in visible)
    ):
        raise ApiError(404, say(Code.NO_FACILITY, facility=facility))
    if facility is not None:
        registry = request.app.state.services.registry
        if await run_in_threadpool(registry.facility_by_code, facility) is None:
            raise ApiError(404, say(Code.NO_FACILITY, facility=facility))
    principal = principal_of(request)

    async def still_allowed() -> bool:
        """The same credential still works, for the same caller (not logged out, disabled,
        revoked, expired, nor given another role)."""
        try:
            return await authenticate(request, query_token=True) == principal
        except ApiError:
            return False

    return EventStream(request.app.state.events, facility, visible, still_allowed)
