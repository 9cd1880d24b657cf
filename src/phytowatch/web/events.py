"""The live event hub: what the serve tick publishes, fanned out to every open event stream.

In-process only: one hub per serving process, created by ``create_app``. Each subscriber gets a
bounded queue; a subscriber too slow to keep up is dropped with a final ``overflow`` notice, so
one stalled browser never blocks the others nor grows the server's memory (its page reconnects
and starts again from the next ``runs`` summary). Everything here runs on the event loop's
thread: the tick loop publishes there, the streams read there.

:class:`TickPublisher` turns one tick of the monitor and the alarm service into events:
``run`` (a phase changed, a run closed), ``runs`` (every open run, each tick) and ``alarm``.
Acknowledging or clearing an alarm happens over HTTP or the CLI, not in the tick; the publisher
sees it by comparing the open alarms with those of the previous tick, so it reaches the stream
within a tick, from whichever process did it.

:class:`StreamListener` is how the live-judging thread (runtime/live.py) reaches the hub: it
observes on that thread and publishes on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool

from phytowatch.domain.alarms import AlarmState, Change
from phytowatch.domain.instants import format_instant, seconds
from phytowatch.domain.judgement.progress import RunProgress
from phytowatch.services.app import App
from phytowatch.services.runs import RunEvent, RunMonitor
from phytowatch.web.presenters import alarm_json, hold_json, run_event_json, when

QUEUE_SIZE = 4096  # events a subscriber may lag behind: a tick of a province can bring one per run


@dataclass(frozen=True)
class Event:
    id: int
    name: str  # "run" | "runs" | "alarm" | "overflow"
    data: dict[str, Any]
    facility: str | None = None  # None: for every subscriber


@dataclass(eq=False)
class Subscription:
    facility: str | None
    queue: asyncio.Queue[Event]
    dropped: bool = False


@dataclass
class EventHub:
    """Fan-out to bounded queues. ``queue_size`` events per subscriber, plus one slot kept for
    the ``overflow`` notice, so the notice always fits."""

    queue_size: int = QUEUE_SIZE
    _subscribers: set[Subscription] = field(default_factory=set)
    _last_id: int = 0

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def subscribe(self, facility: str | None = None) -> Subscription:
        subscription = Subscription(facility, asyncio.Queue(maxsize=self.queue_size + 1))
        self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscribers.discard(subscription)

    def publish(self, name: str, data: dict[str, Any], facility: str | None = None) -> Event:
        """Queue the event for every subscriber it concerns; never waits."""
        self._last_id += 1
        event = Event(self._last_id, name, data, facility)
        for subscription in list(self._subscribers):
            if facility is not None and subscription.facility not in (None, facility):
                continue
            if subscription.queue.qsize() < self.queue_size:
                subscription.queue.put_nowait(event)
                continue
            # too slow: its last slot carries the notice, and it gets nothing more
            self._subscribers.discard(subscription)
            subscription.dropped = True
            notice = {
                "reason": f"more than {self.queue_size} events behind; reconnect",
                "last_id": event.id - 1,
            }
            subscription.queue.put_nowait(Event(event.id, "overflow", notice))
        return event


def progress_json(progress: RunProgress | None) -> dict[str, Any] | None:
    """An open run's progress as the pages show it (``domain.judgement.progress``)."""
    if progress is None:
        return None
    return {
        "criterion": progress.criterion,
        "role": progress.role,
        "elapsed_s": seconds(progress.elapsed),
        "duration_s": seconds(progress.duration),
        "holding": progress.holding,
        "criteria": progress.criteria,
    }


def run_summaries(monitor: RunMonitor, now: int) -> list[dict[str, Any]]:
    """Every open run as the monitor judged it: phase, governing values, holds, freshness, and
    its progress and ETA as :meth:`RunMonitor.progress` says them (the wall and a run's page
    show these, never a hold of their own choosing)."""
    out = []
    for record, schedule, state, _ in monitor.live_runs(now):
        progress = monitor.progress(record.id, now)
        out.append(
            {
                "id": record.id,
                "facility": record.facility_code,
                "schedule": {"id": schedule.id, "version": schedule.version},
                "phase": state.phase.value,
                "governing": dict(state.governing),
                "holds": [hold_json(h) for h in state.holds],
                "earliest_end": when(state.earliest_end),
                "last_sample": when(state.last_sample),
                "stale": state.stale,
                "progress": progress_json(progress),
                "eta": when(progress.end if progress is not None else None),
            }
        )
    return sorted(out, key=lambda run: run["id"])


def publish_tick(
    hub: EventHub,
    run_events: Sequence[RunEvent],
    alarm_changes: Sequence[Change],
    summaries: list[dict[str, Any]] | None,
    *,
    now: int,
) -> None:
    """Publish one tick: its run events, its alarm changes, then the summary of the open runs
    (``None``: not computed, as when nobody listens). Call it on the event loop's thread."""
    for event in run_events:
        hub.publish("run", run_event_json(event), event.facility)
    for change in alarm_changes:
        alarm = change.alarm
        hub.publish("alarm", {"change": change.what, "alarm": alarm_json(alarm)}, alarm.facility)
    if summaries is not None:
        hub.publish("runs", {"at": format_instant(now), "runs": summaries})


@dataclass
class TickPublisher:
    """Publishes each tick, and the alarm actions people took since the last one."""

    hub: EventHub
    services: App
    _open: dict[int, AlarmState] | None = None  # the open alarms after the last tick

    def observe(
        self, now: int, changes: Sequence[Change]
    ) -> tuple[list[Change], list[dict[str, Any]] | None]:
        """The alarm actions people took since the last call, and the ``runs`` summary (both
        only while somebody listens: else no queries, and a fresh start when one does)."""
        if not self.hub.subscribers:
            self._open = None
            return [], None
        store = self.services.alarm_store
        current = {a.id: a for a in store.open_alarms() if a.id is not None}
        actions: list[Change] = []
        if self._open is not None:
            told = {c.alarm.id for c in changes}
            for alarm_id, alarm in current.items():
                before = self._open.get(alarm_id)
                if before is AlarmState.ACTIVE and alarm.state is AlarmState.ACKNOWLEDGED:
                    actions.append(Change("acknowledged", alarm))
            for alarm_id in self._open.keys() - current.keys() - told:
                gone = store.alarm(alarm_id)
                if gone is not None and gone.state is AlarmState.CLEARED:
                    actions.append(Change("cleared", gone))
        self._open = {alarm_id: alarm.state for alarm_id, alarm in current.items()}
        return actions, run_summaries(self.services.monitor, now)

    async def publish(
        self, now: int, run_events: Sequence[RunEvent], alarm_changes: Sequence[Change]
    ) -> None:
        actions, summaries = await run_in_threadpool(self.observe, now, alarm_changes)
        publish_tick(self.hub, run_events, [*alarm_changes, *actions], summaries, now=now)


@dataclass
class StreamListener:
    """The live-judging thread's listener in ``serve``: what it judged goes to the event stream,
    published on the event loop's thread (the thread never waits for it)."""

    publisher: TickPublisher
    loop: asyncio.AbstractEventLoop

    def observe(
        self, now: int, changes: Sequence[Change]
    ) -> tuple[list[Change], list[dict[str, Any]] | None]:
        return self.publisher.observe(now, changes)

    def publish(
        self,
        now: int,
        events: Sequence[RunEvent],
        changes: Sequence[Change],
        summaries: list[dict[str, Any]] | None,
    ) -> None:
        hub = self.publisher.hub
        with contextlib.suppress(RuntimeError):  # the loop has closed: the server is stopping
            self.loop.call_soon_threadsafe(
                lambda: publish_tick(hub, events, changes, summaries, now=now)
            )
