"""Live judging: every committed batch judged at once, the clock's work every second.

One thread, :class:`LiveJudging`, does all of it, so the monitor and the alarms never race:

- **On commit.** The writer hands each batch it has committed (:meth:`LiveJudging.committed`,
  called on the writer's thread, only queues). The thread takes every batch waiting, feeds each
  facility's open run, computes its live state once, looks at those runs' alarms, and hands the
  run events and alarm changes to its :class:`RoundListener`. In ``serve`` that is the event
  stream (web/events.py), where a hold-breaking reading's alarm is a few milliseconds after the
  device's ``200``.
- **On the clock** (every ``TICK_S``): the monitor's tick (runs started or closed elsewhere,
  readings stored by other processes such as MQTT workers), the alarms that need no data (a silent
  facility, calibrations, tamper), and the ``runs`` summary for whoever listens.
- **Every** ``ANCHOR_S`` (and at the first tick): the audit trail's head is anchored
  (``AuditLog.anchor_head``: its seq and hash in the table of anchors, when it extends the latest
  anchor), so that ``audit verify`` catches a cut or a rewrite without a head given by hand.

Nothing here blocks the event loop or waits for the web server's thread pool, and nothing here
knows of the web: the listener is given.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from phytowatch.domain.alarms import Change
from phytowatch.services.app import App
from phytowatch.services.audit import AnchorOutcome
from phytowatch.services.ports import ReadingBatch, StoreOutcome
from phytowatch.services.runs import LiveRun, RunEvent

log = logging.getLogger(__name__)

TICK_S = 1.0  # how often the clock's work is done
ANCHOR_S = 3600.0  # how often the audit trail's head is anchored (docs/audit.md)
_STOP = object()


class RoundListener(Protocol):
    """Who hears each round of judging. Both are called on the judging thread; neither waits."""

    def observe(
        self, now: int, changes: Sequence[Change]
    ) -> tuple[list[Change], list[dict[str, Any]] | None]:
        """At a tick: the alarm actions people took since the last one, and the open runs'
        summary (``None``: not computed, as when nobody listens)."""
        ...

    def publish(
        self,
        now: int,
        events: Sequence[RunEvent],
        changes: Sequence[Change],
        summaries: list[dict[str, Any]] | None,
    ) -> None:
        """A round's run events, alarm changes and summary (if any): hand them on."""
        ...


class LiveJudging:
    """A process's judging thread. ``start()`` it; ``stop()`` it before closing."""

    def __init__(self, services: App, listener: RoundListener) -> None:
        self.services = services
        self.listener = listener
        self._queue: queue.SimpleQueue[tuple[ReadingBatch, StoreOutcome] | object] = (
            queue.SimpleQueue()
        )
        self._thread = threading.Thread(target=self._run, name="live-judging", daemon=True)
        self.rounds = 0  # rounds of committed batches judged (for tests and the health view)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(_STOP)
        self._thread.join(timeout=30)

    def committed(self, batch: ReadingBatch, outcome: StoreOutcome) -> None:
        """Called by the writer after a commit: queue it, never wait."""
        if outcome.inserted:
            self._queue.put((batch, outcome))

    # -- the thread ------------------------------------------------------------------------------

    def _run(self) -> None:
        next_tick = next_anchor = time.monotonic()
        while True:
            timeout = max(0.0, next_tick - time.monotonic())
            try:
                first = self._queue.get(timeout=timeout)
            except queue.Empty:
                first = None
            if first is _STOP:
                return
            batches: list[tuple[ReadingBatch, StoreOutcome]] = []
            if first is not None:
                batches.append(first)  # type: ignore[arg-type]
            stopping = False
            while True:  # everything waiting: one round, one alarm query
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stopping = True
                    break
                batches.append(more)  # type: ignore[arg-type]
            if batches:
                self._guarded(self._judge_committed, batches)
            if stopping:
                return
            if time.monotonic() >= next_tick:
                self._guarded(self._tick)
                next_tick = time.monotonic() + TICK_S
            if time.monotonic() >= next_anchor:
                self._guarded(self._anchor)
                next_anchor = time.monotonic() + ANCHOR_S

    def _guarded(self, work: Callable[..., None], *args: object) -> None:
        try:
            work(*args)
        except Exception:  # keep judging: one bad round must not stop every run
            log.exception("live judging failed")

    def _judge_committed(self, batches: list[tuple[ReadingBatch, StoreOutcome]]) -> None:
        now = self.services.clock.now()
        monitor = self.services.monitor
        events: list[RunEvent] = []
        touched: dict[int, LiveRun] = {}
        for batch, outcome in batches:
            skip = set(outcome.duplicates) | set(outcome.conflicts)
            items = (
                (item.probe_id, item.t, item.value, item.fault)
                for item in batch.items
                if item.position not in skip
            )
            try:
                run_events, live = monitor.committed(
                    batch.facility_id, batch.received_at, items, now
                )
            except Exception:  # this batch's run only (a tick picks up what it missed)
                log.exception("judging a committed batch failed")
                continue
            events.extend(run_events)
            if live is not None:
                touched[live.record.id] = live
        changes = self.services.alarms.observe(list(touched.values()), now)
        self.rounds += 1
        self._notify(changes)
        self._publish(now, events, changes, None)

    def _tick(self) -> None:
        now = self.services.clock.now()
        events, _ = self.services.monitor.tick_runs(now)
        changes = self.services.alarms.tick(now)
        self._notify(changes)
        # what people did (acknowledged, cleared) since the last tick: the stream, not the mail
        actions, summaries = self.listener.observe(now, changes)
        self._publish(now, events, [*changes, *actions], summaries)

    def _anchor(self) -> None:
        outcome = self.services.audit.anchor_head(now=self.services.clock.now())
        if outcome is AnchorOutcome.REFUSED:
            log.error(
                "the audit trail's head does not extend its latest anchor (cut or rewritten): "
                "not anchored; `phytowatch audit verify` names what changed"
            )

    def _notify(self, changes: Sequence[Change]) -> None:
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
            self.services.notifier.notify(change)  # queued; sent by a background thread

    def _publish(
        self,
        now: int,
        events: Sequence[RunEvent],
        changes: Sequence[Change],
        summaries: list[dict[str, Any]] | None,
    ) -> None:
        for event in events:
            log.info("run %s (%s): %s %s", event.run_id, event.facility, event.kind, event.phase)
        if not events and not changes and summaries is None:
            return
        self.listener.publish(now, events, changes, summaries)
