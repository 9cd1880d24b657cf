"""Treatment runs: started by an operator, judged live, closed by their verdict or by hand.

A run binds, when it starts, one schedule id and version (with its params) and the offsets of
the probes' latest calibrations. An expired or missing calibration does not stop the run: it is
noted on the run (``calibration_notes``) for the inspector, and the probe is judged raw.

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
from typing import Any, Protocol

from phytowatch.domain.instants import format_instant
from phytowatch.domain.judgement.eta import predict_crossing
from phytowatch.domain.judgement.judge import Judge
from phytowatch.domain.judgement.verdict import Judgement, LiveState, Phase, Verdict
from phytowatch.domain.readings import Reading
from phytowatch.domain.schedule import ParamError, Role, Schedule
from phytowatch.schedules.loader import ScheduleFileError, load_catalog, load_one
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.ports import FacilityRef
from phytowatch.services.reporting import judgement_dict

# A batch received earlier may be committed after one received later (several writers): each
# tick re-reads this far back; the engine ignores a reading it already has.
RECEIVED_LAG_US = 5_000_000
TREND_POINTS = 20  # governing values kept per run for the ETA


_CLOSING = (Verdict.PASS, Verdict.FAIL)  # a run with this verdict closes by itself


class RunError(ValueError):
    """A run request that cannot be done; the message says why, for a person."""


@dataclass(frozen=True)
class RunRecord:
    id: int
    facility_id: int
    facility_code: str
    schedule_id: str
    schedule_version: str
    params: dict[str, str]
    offsets: dict[str, str]
    calibration_notes: list[str]
    load: str
    note: str
    started_at: int
    closed_at: int | None = None
    close_reason: str | None = None
    verdict: str | None = None
    judgement: dict[str, Any] | None = None


StoredReading = tuple[str, int, float | None, str | None, int]  # probe, t, value, fault, received


class RunStore(Protocol):
    def facility_by_code(self, code: str) -> FacilityRef | None: ...

    def latest_calibrations(self, facility_id: int) -> dict[str, tuple[str, int]]: ...

    def create_run(
        self,
        facility_id: int,
        schedule_id: str,
        schedule_version: str,
        params: str,
        offsets: str,
        calibration_notes: str,
        load: str,
        note: str,
        started_at: int,
    ) -> int: ...

    def run(self, run_id: int) -> RunRecord | None: ...

    def open_runs(self) -> list[RunRecord]: ...

    def open_run_ids(self) -> set[int]: ...

    def close_run(
        self, run_id: int, closed_at: int, reason: str, verdict: str, judgement: str
    ) -> bool: ...

    def run_readings(
        self, facility_id: int, t_from: int, t_to: int | None, received_after: int | None
    ) -> list[StoredReading]: ...

    def batches_received(
        self, facility_ids: list[int], received_after: int
    ) -> list[tuple[int, int, int]]: ...

    def batch_readings(
        self, batches: list[tuple[int, int]]
    ) -> list[tuple[int, str, int, float | None, str | None, int]]: ...


def _schedule(schedule_id: str, params: dict[str, str], version: str | None = None) -> Schedule:
    try:
        if version is None:
            return load_one(schedule_id).resolve(params)
        return load_catalog().get(schedule_id, version).resolve(params)
    except KeyError:
        raise RunError(f"unknown schedule {schedule_id!r}") from None
    except (ParamError, ScheduleFileError) as error:
        raise RunError(str(error)) from None


def start_run(
    store: RunStore,
    facility_code: str,
    schedule_id: str,
    *,
    params: dict[str, str] | None = None,
    load: str,
    note: str = "",
    now: int,
    audit: AuditRecorder | None = None,
    actor: str = "system",
) -> RunRecord:
    """Start a run now: bind the schedule version, its params and the calibration offsets."""
    facility = store.facility_by_code(facility_code)
    if facility is None:
        raise RunError(f"no facility {facility_code!r}")
    if not load.strip() or len(load) > 500:
        raise RunError("load: describe it in 1 to 500 characters (commodity, lot, quantity)")
    if len(note) > 2000:
        raise RunError("note: at most 2000 characters")
    # no control characters, no lone surrogates (a terminal's undecodable bytes): a database
    # cannot hold them as they are; line breaks and tabs are fine in a note
    if not load.isprintable():
        raise RunError("load: printable text only (no control characters or undecodable bytes)")
    if not note.replace("\n", " ").replace("\t", " ").replace("\r", " ").isprintable():
        raise RunError("note: printable text only (no control characters or undecodable bytes)")
    if any(run.facility_id == facility.id for run in store.open_runs()):
        raise RunError(f"facility {facility_code} has an open run: close it first")
    schedule = _schedule(schedule_id, dict(params or {}))
    offsets: dict[str, str] = {}
    notes: list[str] = []
    calibrations = store.latest_calibrations(facility.id)
    for code in facility.probes:
        found = calibrations.get(code)
        if found is None:
            notes.append(f"{code}: no calibration recorded; judged raw")
            continue
        offset, due_at = found
        if due_at < now:
            notes.append(f"{code}: calibration expired {format_instant(due_at)}; judged raw")
            continue
        if Decimal(offset) != 0:
            offsets[code] = offset
    run_id = store.create_run(
        facility.id,
        schedule.id,
        schedule.version,
        json.dumps(dict(schedule.resolved_params)),
        json.dumps(offsets),
        json.dumps(notes, ensure_ascii=False),
        load.strip(),
        note.strip(),
        now,
    )
    record = store.run(run_id)
    assert record is not None
    if audit is not None:
        audit.record(
            actor=actor,
            action="run.started",
            object_type="run",
            object_id=str(record.id),
            after={
                "facility": record.facility_code,
                "schedule": f"{record.schedule_id} v{record.schedule_version}",
                "params": record.params,
                "offsets": record.offsets,
                "calibration_notes": record.calibration_notes,
                "load": record.load,
                "note": record.note,
            },
            now=now,
        )
    return record


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
    schedule_of: Callable[[str, dict[str, str], str | None], Schedule] = _schedule
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
        closed = self.store.close_run(record.id, now, reason, verdict, body)
        self._forget(record.id)
        if not closed:
            return []
        if self.audit is not None:
            self.audit.record(
                actor=actor,
                action="run.closed",
                object_type="run",
                object_id=str(record.id),
                before={"state": "open"},
                after={
                    "state": "closed",
                    "reason": reason,
                    "verdict": verdict,
                    "review_required": judgement.review_required,
                },
                now=now,
            )
        return [
            RunEvent(
                "closed", record.id, record.facility_code, now, verdict, None, {"reason": reason}
            )
        ]

    def close(self, run_id: int, now: int, *, actor: str = "system") -> list[RunEvent]:
        """An operator closes a run: what it has is judged as the complete log."""
        with self._lock:
            return self._close_by_operator(run_id, now, actor)

    def _close_by_operator(self, run_id: int, now: int, actor: str) -> list[RunEvent]:
        record = self.store.run(run_id)
        if record is None:
            raise RunError(f"no run {run_id}")
        if record.closed_at is not None:
            raise RunError(f"run {run_id} is closed already ({record.close_reason})")
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
        """(predicted hold start, predicted earliest end) of an open run, or Nones.

        Holding: the hold is running, its earliest end is known. Waiting: the primary criterion's
        governing value is extrapolated from its trend to each step's threshold, and the end is
        the soonest crossing plus that step's duration.
        """
        with self._lock:
            live = self._live.get(run_id)
            if live is None:
                return None, None
            state = live.fresh(now)
            if state.phase is Phase.HOLDING and state.holds:
                return min(h.hold_start for h in state.holds), state.earliest_end
            if state.phase is not Phase.WAITING:
                return None, None
            best: tuple[int, int] | None = None
            primary = live.schedule.primary
            for step in primary.steps:
                start = predict_crossing(list(live.trend), step.threshold, primary.regime, now=now)
                if start is not None and (best is None or start + step.duration < best[1]):
                    best = (start, start + step.duration)
            return best if best is not None else (None, None)

    def state(self, run_id: int, now: int) -> LiveState | None:
        """The live state of an open run (None when it is not open in this monitor)."""
        with self._lock:
            live = self._live.get(run_id)
            return None if live is None else live.fresh(now)


def evaluate_command(record: RunRecord, log_name: str = "run.csv") -> str:
    """The ``phytowatch evaluate`` line that judges the run's exported readings as the run did."""
    parts = ["phytowatch", "evaluate", log_name, "--schedule", record.schedule_id]
    for name, value in sorted(record.params.items()):
        parts += ["--param", f"{name}={value}"]
    for probe, offset in sorted(record.offsets.items()):
        parts += ["--offset", f"{probe}={offset}"]
    return " ".join(parts)


def downsample(
    rows: list[StoredReading], t_from: int, t_to: int, buckets: int
) -> dict[str, list[tuple[int, float, float]]]:
    """Per probe, ``(bucket start, min, max)`` of its valid values in each of ``buckets`` equal
    time buckets: a chart of a 22-day run stays small, and no excursion disappears from it (a
    dip shows as its bucket's minimum). Faults are left out; empty buckets give no point."""
    if buckets < 1 or t_to <= t_from:
        raise ValueError("need at least one bucket and a time span")
    width = -(-(t_to - t_from + 1) // buckets)  # ceiling: every instant falls in a bucket
    out: dict[str, dict[int, list[float]]] = {}
    for probe, t, value, fault, _ in rows:
        if fault is not None or value is None or not t_from <= t <= t_to:
            continue
        start = t_from + (t - t_from) // width * width
        bucket = out.setdefault(probe, {}).get(start)
        if bucket is None:
            out[probe][start] = [value, value]
        elif value < bucket[0]:
            bucket[0] = value
        elif value > bucket[1]:
            bucket[1] = value
    return {
        probe: [(start, low, high) for start, (low, high) in sorted(points.items())]
        for probe, points in out.items()
    }


def run_log_rows(
    facility: FacilityRef, rows: list[StoredReading]
) -> tuple[list[tuple[str, str]], list[tuple[int, list[float | None]]]]:
    """A run's stored readings as the wide log of treatments.md §4: (probes, rows by time).

    Raw values as stored; a fault is NaN (written ``ERR``); the probes in registry order.
    """
    names = list(facility.probes)
    position = {name: k for k, name in enumerate(names)}
    by_t: dict[int, list[float | None]] = {}
    for probe, t, value, fault, _ in sorted(rows, key=lambda r: r[1]):
        if probe in position:
            row = by_t.setdefault(t, [None] * len(names))
            row[position[probe]] = float("nan") if fault is not None else value
    return [(name, facility.probes[name].role) for name in names], sorted(by_t.items())
