"""Open runs judged live, and closed by their verdict or by hand.

The :class:`RunMonitor` judges every open run with the one engine, fed the facility's readings
as they are stored. Two doors lead in, and both may see the same reading (the engine keeps the
first): :meth:`RunMonitor.committed` takes a batch the moment this process has committed it (the
HTTP API's writer), so a verdict or a broken hold is known within milliseconds of the device's
``200``; :meth:`RunMonitor.tick` (every second) picks up runs started or closed elsewhere and
reads what other processes stored (MQTT workers). Each run's live state is computed once per
change and kept, so reading it (alarms, the event stream, the API) costs nothing. A run that
reaches PASS or FAIL is closed. Readings that arrive late for an instant already judged make the
engine re-judge the run; a changed phase is returned as an event, never silent. Time is a
parameter (``now``).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from phytowatch.domain.judgement.judge import Judge
from phytowatch.domain.judgement.progress import RunProgress, run_progress
from phytowatch.domain.judgement.verdict import Judgement, LiveState, Phase, Verdict
from phytowatch.domain.messages import Code, Kind, refused
from phytowatch.domain.readings import Reading
from phytowatch.domain.schedule import Role, Schedule
from phytowatch.services.audit import AuditRecorder, atomic
from phytowatch.services.context import Context
from phytowatch.services.reporting import judgement_dict
from phytowatch.services.runs.ports import RunRecord, RunStore, StoredReading
from phytowatch.services.runs.start import resolve_schedule

# A batch received earlier may be committed after one received later (several writers): each
# tick re-reads this far back; the engine ignores a reading it already has.
RECEIVED_LAG_US = 5_000_000
TREND_POINTS = 20  # governing values kept per run for the ETA


_CLOSING = (Verdict.PASS, Verdict.FAIL)  # a run with this verdict closes by itself


@dataclass
class LiveRun:
    record: RunRecord
    schedule: Schedule
    judge: Judge
    probes: dict[str, str]
    watermark: int | None = None
    phase: Phase | None = None
    # for alarms: each probe's latest reading (device time, fault code or None), and when the
    # facility was last heard from (server time) with the device time of that reading
    latest: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    heard_at: int | None = None
    heard_device_t: int | None = None
    watched_from: int = 0  # when this monitor began to watch the run (silence counts from here)
    # the primary criterion's governing value at recent sample times, for the ETA
    trend: deque[tuple[int, float]] = field(default_factory=lambda: deque(maxlen=TREND_POINTS))
    # the live state as of the last reading fed; only ``stale`` depends on the clock (see fresh)
    state: LiveState | None = None
    probe_codes: dict[int, str] = field(default_factory=dict)  # probe id -> probe code

    def fresh(self, now: int) -> LiveState:
        """The kept live state, its ``stale`` flag brought up to ``now``."""
        state = self.state
        if state is None:
            state = self.state = self.judge.state(now=now)
        last = state.last_sample
        stale = last is not None and now - last > self.schedule.max_sample_interval
        return state if stale is state.stale else replace(state, stale=stale)


@dataclass(frozen=True)
class RunEvent:
    """Something a live page or an alarm wants to know: a phase changed, a run closed."""

    kind: str  # "phase" | "closed"
    run_id: int
    facility: str
    at: int
    phase: str
    previous: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunMonitor:
    """Judges the open runs live. One per serving process.

    Feed it what this process commits (:meth:`committed`) and tick it every second or so
    (:meth:`tick`). All methods may be called from any thread: one at a time.
    """

    store: RunStore
    schedule_of: Callable[[str, dict[str, str], str | None], Schedule] = resolve_schedule
    _live: dict[int, LiveRun] = field(default_factory=dict)
    _by_facility: dict[int, int] = field(default_factory=dict)  # facility id -> open run id
    _watermark: int | None = None  # the newest received_at read by a tick
    # (facility id, received_at) -> readings stored: the batches this process committed and
    # fed, which a tick need not read back (kept for RECEIVED_LAG_US past the watermark)
    _own: dict[tuple[int, int], int] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    audit: AuditRecorder | None = None  # closing a run is recorded here

    def _start(self, record: RunRecord, now: int | None = None) -> LiveRun:
        facility = self.store.facility_by_code(record.facility_code)
        assert facility is not None
        schedule = self.schedule_of(record.schedule_id, record.params, record.schedule_version)
        probes = {code: probe.role for code, probe in facility.probes.items()}
        roles: dict[str, Role] = {code: role for code, role in probes.items()}  # type: ignore[misc]
        judge = Judge(schedule, roles, offsets={k: Decimal(v) for k, v in record.offsets.items()})
        live = LiveRun(record, schedule, judge, probes)
        live.probe_codes = {probe.id: code for code, probe in facility.probes.items()}
        live.watched_from = max(record.started_at, now if now is not None else record.started_at)
        self._live[record.id] = live
        self._by_facility[record.facility_id] = record.id
        return live

    def _forget(self, run_id: int) -> None:
        live = self._live.pop(run_id, None)
        if live is not None and self._by_facility.get(live.record.facility_id) == run_id:
            del self._by_facility[live.record.facility_id]

    def committed(
        self,
        facility_id: int,
        received_at: int,
        items: Iterable[tuple[int, int, float | None, str | None]],
        now: int,
    ) -> tuple[list[RunEvent], LiveRun | None]:
        """A batch this process has just committed for a facility: ``(probe id, t, value,
        fault)`` of each reading stored. Judges the facility's open run at once; returns its
        events and the run (None: the facility has no run this monitor watches yet; the next
        tick picks the run up with its whole history)."""
        with self._lock:
            run_id = self._by_facility.get(facility_id)
            live = None if run_id is None else self._live.get(run_id)
            if live is None:
                return [], None
            stored = list(items)
            codes = live.probe_codes
            started = live.record.started_at
            rows = [
                (codes[probe_id], t, value, fault, received_at)
                for probe_id, t, value, fault in stored
                if t >= started and probe_id in codes
            ]
            events = self._feed(live, now, rows) if rows else []
            # judged: a tick need not read it back (had this failed, the tick would)
            key = (facility_id, received_at)
            self._own[key] = self._own.get(key, 0) + len(stored)
            return events, (live if rows else None)

    def tick(self, now: int) -> list[RunEvent]:
        """Pick up runs started or closed elsewhere; feed what other processes stored."""
        with self._lock:
            return self._tick(now)[0]

    def tick_runs(self, now: int) -> tuple[list[RunEvent], list[LiveRun]]:
        """:meth:`tick`, and the runs it fed (their alarms want a look)."""
        with self._lock:
            return self._tick(now)

    def _tick(self, now: int) -> tuple[list[RunEvent], list[LiveRun]]:
        events: list[RunEvent] = []
        fed: list[LiveRun] = []
        open_ids = self.store.open_run_ids()
        for run_id in list(self._live):
            if run_id not in open_ids:
                self._forget(run_id)
        watched = list(self._live.values())
        new = [self.store.run(run_id) for run_id in sorted(open_ids - self._live.keys())]
        # what the watched runs' facilities received since the last tick, batch by batch; only
        # the batches this process did not feed on commit (another process's) are read
        fresh_rows: dict[int, list[StoredReading]] = {}
        if watched and self._watermark is not None:
            since = self._watermark - RECEIVED_LAG_US
            facility_ids = sorted({live.record.facility_id for live in watched})
            foreign: list[tuple[int, int]] = []
            for facility_id, at, count in self.store.batches_received(facility_ids, since):
                self._watermark = max(self._watermark, at)
                if self._own.get((facility_id, at)) != count:
                    foreign.append((facility_id, at))
            if foreign:
                for facility_id, probe, t, value, fault, at in self.store.batch_readings(foreign):
                    fresh_rows.setdefault(facility_id, []).append((probe, t, value, fault, at))
            floor = self._watermark - RECEIVED_LAG_US
            self._own = {key: n for key, n in self._own.items() if key[1] > floor}
        for live in watched:
            rows = fresh_rows.get(live.record.facility_id)
            if not rows:
                decided = live.state is not None and live.state.judgement.verdict in _CLOSING
                if decided and live.record.id in self._live:  # its close failed: try again
                    events.extend(self._feed(live, now, []))
                continue
            has = live.judge.has_reading
            started = live.record.started_at
            # most of these were fed on commit already: only what the engine lacks counts
            unseen = [row for row in rows if row[1] >= started and not has(row[0], row[1])]
            if unseen:
                events.extend(self._feed(live, now, unseen))
                fed.append(live)
        for record in new:  # new to this monitor: its whole history, once
            if record is None or record.closed_at is not None:
                continue
            live = self._start(record, now)
            rows = self.store.run_readings(record.facility_id, record.started_at, None, None)
            for row in rows:
                if self._watermark is None or row[4] > self._watermark:
                    self._watermark = row[4]
            events.extend(self._feed(live, now, rows))
            fed.append(live)
        if self._watermark is None:
            self._watermark = now  # nothing stored yet: read from now on
        return events, fed

    def _feed(self, live: LiveRun, now: int, rows: list[StoredReading]) -> list[RunEvent]:
        record = live.record
        if rows:
            rows.sort(key=lambda row: (row[1], row[0]))
            judge = live.judge
            live.judge.feed(
                Reading(probe, t, value, fault)
                for probe, t, value, fault, _ in rows
                if probe in live.probes and not judge.has_reading(probe, t)
            )
            newest = max(row[4] for row in rows)
            live.watermark = newest if live.watermark is None else max(live.watermark, newest)
            for probe, t, _, fault, received in rows:
                known = live.latest.get(probe)
                if known is None or t >= known[0]:
                    live.latest[probe] = (t, fault)
                if live.heard_at is None or received >= live.heard_at:
                    live.heard_at, live.heard_device_t = received, t
        state = live.state = live.judge.state(now=now)
        governing = state.governing.get(live.schedule.primary.key)
        last = state.last_sample
        if (
            governing is not None
            and last is not None
            and (not live.trend or live.trend[-1][0] < last)
        ):
            live.trend.append((last, governing))
        events: list[RunEvent] = []
        if state.phase is not live.phase:
            events.append(
                RunEvent(
                    "phase",
                    record.id,
                    record.facility_code,
                    now,
                    state.phase.value,
                    live.phase.value if live.phase else None,
                )
            )
            live.phase = state.phase
        verdict = state.judgement.verdict
        if verdict in _CLOSING:
            events.extend(self._close(live, now, verdict.value.lower(), live.judge.result()))
        return events

    def _close(
        self, live: LiveRun, now: int, reason: str, judgement: Judgement, actor: str = "system"
    ) -> list[RunEvent]:
        record = live.record
        verdict = judgement.verdict.value if judgement.verdict else Verdict.FAIL.value
        body = json.dumps(judgement_dict(judgement, live.schedule), ensure_ascii=False)
        with atomic(self.audit):  # the close and its entry: both, or neither
            closed = self.store.close_run(record.id, now, reason, verdict, body)
            if closed and self.audit is not None:
                self._audit_close(record.id, reason, verdict, judgement, actor, now)
        self._forget(record.id)
        if not closed:
            return []
        return [
            RunEvent(
                "closed", record.id, record.facility_code, now, verdict, None, {"reason": reason}
            )
        ]

    def _audit_close(
        self, run_id: int, reason: str, verdict: str, judgement: Judgement, actor: str, now: int
    ) -> None:
        if self.audit is not None:
            self.audit.record(
                actor=actor,
                action="run.closed",
                object_type="run",
                object_id=str(run_id),
                before={"state": "open"},
                after={
                    "state": "closed",
                    "reason": reason,
                    "verdict": verdict,
                    "review_required": judgement.review_required,
                },
                now=now,
            )

    def close(self, run_id: int, *, ctx: Context) -> list[RunEvent]:
        """An operator closes a run: what it has is judged as the complete log."""
        with self._lock:
            return self._close_by_operator(run_id, ctx.now, ctx.actor)

    def _close_by_operator(self, run_id: int, now: int, actor: str) -> list[RunEvent]:
        record = self.store.run(run_id)
        if record is None:
            raise refused(Kind.NOT_FOUND, Code.NO_RUN, run=run_id)
        if record.closed_at is not None:
            raise refused(
                Kind.CONFLICT, Code.RUN_CLOSED_ALREADY, run=run_id, reason=record.close_reason or ""
            )
        live = self._live.get(run_id) or self._start(record)
        self._feed_only(live)
        return self._close(live, now, "operator", live.judge.result(), actor)

    def _feed_only(self, live: LiveRun) -> None:
        record = live.record
        since = None if live.watermark is None else live.watermark - RECEIVED_LAG_US
        rows = self.store.run_readings(record.facility_id, record.started_at, None, since)
        rows.sort(key=lambda row: (row[1], row[0]))
        live.judge.feed(
            Reading(probe, t, value, fault)
            for probe, t, value, fault, _ in rows
            if probe in live.probes
        )

    def live_runs(self, now: int) -> list[tuple[RunRecord, Schedule, LiveState, LiveRun]]:
        """Every open run with its live state (as of its last reading), for alarms and pages."""
        with self._lock:
            return [
                (live.record, live.schedule, live.fresh(now), live) for live in self._live.values()
            ]

    def eta(self, run_id: int, now: int) -> tuple[int | None, int | None]:
        """(hold start or its prediction, earliest end or its prediction) of an open run, or
        Nones: as :meth:`progress` says them."""
        progress = self.progress(run_id, now)
        return (None, None) if progress is None else (progress.start, progress.end)

    def progress(self, run_id: int, now: int) -> RunProgress | None:
        """How far an open run is and when it can end (``domain.judgement.progress``): the one
        answer for the wall, a run's page and the API, whatever the number of criteria."""
        with self._lock:
            live = self._live.get(run_id)
            if live is None:
                return None
            return run_progress(live.fresh(now), live.schedule, live.trend, now=now)

    def state(self, run_id: int, now: int) -> LiveState | None:
        """The live state of an open run (None when it is not open in this monitor)."""
        with self._lock:
            live = self._live.get(run_id)
            return None if live is None else live.fresh(now)
