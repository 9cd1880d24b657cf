"""The judgement engine: one implementation for offline logs and live runs.

Feed it readings, in time order per probe, one at a time or in batches; ask for the live state at
any moment (:meth:`Judge.state`), or for the verdict of the log as complete (:meth:`Judge.result`).
Fed a whole log it gives the offline result, whichever way the log was cut into batches.

Readings of different probes may arrive in any interleaving. A sample time is judged once every
probe that is keeping up has reported at or past it (a probe more than the schedule's
``max_sample_interval`` behind the newest reading is not waited for: it is silent or faulty, and the
rules of §3.1 judge it as such). A reading that arrives for an instant already judged (a probe that
catches up late, or a device clock that went backwards) is kept, and the run is re-judged from its
readings (``replays`` counts how often) so that the verdict never depends on arrival order.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from phytowatch.domain.instants import US_PER_MIN
from phytowatch.domain.judgement.evaluator import Evaluator
from phytowatch.domain.judgement.layout import Layout
from phytowatch.domain.judgement.verdict import Finding, FindingKind, Judgement, LiveState
from phytowatch.domain.messages import Code, Invalid, invalid, say
from phytowatch.domain.readings import Reading, apply_offset, classify
from phytowatch.domain.schedule import PHYSICAL_RANGE, ParamError, Role, Schedule

_NAN = float("nan")
MAX_OFFSET = Decimal(20)  # °C or %RH: a sensor further off than this is replaced, not corrected
CLOCK_SKEW_LIMIT = 2 * US_PER_MIN  # §3.5 clock: a device clock more than 2 min from the server's


class LateReadingError(Invalid):
    """A reading for an instant already judged, on a judge built with ``replayable=False``."""


class Judge:
    """Judges one run of ``schedule`` (already resolved for its params) on ``probes``."""

    def __init__(
        self,
        schedule: Schedule,
        probes: Mapping[str, Role] | Sequence[tuple[str, Role]],
        *,
        offsets: Mapping[str, Decimal | str | int | float] | None = None,
        replayable: bool = True,
    ) -> None:
        missing = [p.name for p in schedule.params if p.name not in schedule.resolved_params]
        if missing:
            raise ParamError(say(Code.PARAM_UNRESOLVED, schedule=schedule.id, missing=str(missing)))
        items = list(probes.items()) if isinstance(probes, Mapping) else list(probes)
        names = [name for name, _ in items]
        if len(set(names)) != len(names):
            twice = next(name for name in names if names.count(name) > 1)
            raise invalid(Code.JUDGE_PROBE_TWICE, probe=twice)
        self.schedule = schedule
        self.layout = Layout.build(items, schedule.roles())
        self._slot = {name: i for i, name in enumerate(self.layout.names)}
        self._offset: list[Decimal | None] = [None] * len(self._slot)
        for name, delta in (offsets or {}).items():
            if name not in self._slot:
                raise invalid(Code.JUDGE_OFFSET_PROBE, probe=name)
            try:
                offset = Decimal(str(delta))
            except InvalidOperation:
                raise invalid(Code.JUDGE_OFFSET_NAN, probe=name, offset=str(delta)) from None
            if not offset.is_finite() or offset.copy_abs() > MAX_OFFSET:  # abs() can overflow
                raise invalid(
                    Code.JUDGE_OFFSET_LARGE, probe=name, offset=str(delta), max=int(MAX_OFFSET)
                )
            self._offset[self._slot[name]] = offset
        self._range = [PHYSICAL_RANGE[role] for role in self.layout.roles]
        self._replayable = replayable
        self._history: list[dict[int, float]] = [{} for _ in self._slot]
        self._faults: dict[tuple[int, int], str] = {}
        self._pending: dict[int, list[float | None]] = {}
        self._latest_rx: list[int | None] = [None] * len(self._slot)
        self._newest: int | None = None
        self._origin: int | None = None  # the earliest instant fed
        self._judged_to: int | None = None  # every sample time <= this has been judged
        self._dirty = False  # a reading arrived for an instant already judged
        self._external: list[Finding] = []
        self._eval = Evaluator(schedule, self.layout)
        self.replays = 0
        self._eager = False  # rows were judged as they came, see _accept_row

    # -- feeding ----------------------------------------------------------------------------------

    @property
    def probe_names(self) -> tuple[str, ...]:
        """Probe ids in slot order: the order :meth:`feed_rows` expects values in."""
        return self.layout.names

    def feed(self, readings: Iterable[Reading]) -> None:
        slot_of = self._slot
        for reading in readings:
            slot = slot_of.get(reading.probe)
            if slot is None:
                raise invalid(Code.JUDGE_UNKNOWN_PROBE, probe=reading.probe)
            value, fault = classify(reading.value, reading.fault, self.layout.roles[slot])
            self._accept(slot, reading.t, value, fault)
        self._advance()

    def feed_rows(self, rows: Iterable[tuple[int, list[float | None]]]) -> None:
        """Wide rows: ``(t, values)`` with one value per probe in :attr:`probe_names` order.

        ``None`` is no reading; NaN is a fault (its code, when known, via :meth:`note_fault`).
        Values are raw: ranges and offsets are applied here. The fast path of offline judgement.
        """
        offsets = [(i, d) for i, d in enumerate(self._offset) if d is not None]
        ranges = self._range
        single_range = len(set(ranges)) == 1
        low, high = ranges[0] if ranges else (0.0, 0.0)
        run = self._eval.run
        for t, raw in rows:
            if run.verdict is not None and not self._replayable:
                break  # §3.2: judgement stops at the deciding sample; later rows change nothing
            values = raw
            clean = None not in raw and (total := sum(raw)) == total  # type: ignore[arg-type]
            in_range = clean and single_range and low <= min(raw) and max(raw) <= high  # type: ignore[type-var, operator]
            if not in_range:
                values = list(raw)
                for i, v in enumerate(values):
                    if v is not None and v == v and not ranges[i][0] <= v <= ranges[i][1]:
                        values[i] = _NAN
                        self._faults[(i, t)] = "out_of_range"
            if offsets:
                values = list(values)
                for i, delta in offsets:
                    v = values[i]
                    if v is not None and v == v:
                        values[i] = apply_offset(v, delta)
            self._accept_row(t, values)
        if self._eager:  # the evaluator knows each probe's latest instant
            self._eager = False
            self._latest_rx = [
                max(a, b) if a is not None and b is not None else a if b is None else b
                for a, b in zip(self._latest_rx, self._eval.run.latest.t, strict=True)
            ]
        self._advance()

    def note_fault(self, probe: str, t: int, code: str) -> None:
        """The fault code of a NaN fed through :meth:`feed_rows` (for messages only)."""
        self._faults[(self._slot[probe], t)] = code

    def note_clock_skew(self, probe: str | None, t: int, skew: int) -> None:
        """A device clock was ``skew`` µs off the server's at ``t`` (the live service measures)."""
        if abs(skew) > CLOCK_SKEW_LIMIT:
            self._external.append(
                Finding(FindingKind.CLOCK, probe, t, t, MappingProxyType({"skew_us": skew}))
            )

    def note_backwards(self, probe: str, earlier: int, later: int, where: str = "") -> None:
        """A device's timestamps went backwards for ``probe`` (seen by an adapter: file order)."""
        detail: dict[str, int | str] = {"went_back_from": later}
        if where:
            detail["where"] = where
        self._external.append(
            Finding(FindingKind.CLOCK, probe, earlier, later, MappingProxyType(detail))
        )

    def _accept(
        self, slot: int, t: int, value: float | None, fault: str | None, *, adjusted: bool = False
    ) -> None:
        """One reading; ``adjusted``: the calibration offset is applied already (feed_rows)."""
        if value is None:
            value = _NAN
            self._faults.setdefault((slot, t), fault or "fault")
        elif not adjusted:
            delta = self._offset[slot]
            if delta is not None:
                value = apply_offset(value, delta)
        history = self._history[slot]
        if self._replayable:
            if t in history:
                return  # first reading at an instant wins; storage raises the tamper alarm
            history[t] = value
        latest = self._latest_rx[slot]
        if latest is not None and t < latest:
            self.note_backwards(self.layout.names[slot], t, latest)
        elif latest is not None and t == latest and not self._replayable:
            return
        else:
            self._latest_rx[slot] = t
        if self._newest is None or t > self._newest:
            self._newest = t
        if self._origin is None or t < self._origin:
            self._origin = t
        if self._judged_to is not None and t <= self._judged_to:
            if not self._replayable:
                raise LateReadingError(say(Code.JUDGE_LATE, probe=self.layout.names[slot]))
            self._dirty = True
            return
        group = self._pending.get(t)
        if group is None:
            group = self._pending[t] = [None] * len(self._latest_rx)
        if group[slot] is None:
            group[slot] = value

    def _accept_row(self, t: int, values: list[float | None]) -> None:
        if (
            not self._replayable
            and not self._pending
            and (self._judged_to is None or t > self._judged_to)
        ):
            # offline, rows in time order: judge at once (nothing can arrive for an earlier t)
            self._eval.step(t, values)
            self._judged_to = self._newest = t
            if self._origin is None:
                self._origin = t
            self._eager = True
            return
        if self._replayable or (self._judged_to is not None and t <= self._judged_to):
            for slot, value in enumerate(values):
                if value is not None:
                    self._accept(slot, t, value if value == value else None, None, adjusted=True)
            return
        latest_rx = self._latest_rx
        for slot, value in enumerate(values):
            if value is not None:
                latest = latest_rx[slot]
                if latest is None or t > latest:
                    latest_rx[slot] = t
        if self._newest is None or t > self._newest:
            self._newest = t
        if self._origin is None or t < self._origin:
            self._origin = t
        group = self._pending.get(t)
        if group is None:
            self._pending[t] = values
        else:
            for slot, value in enumerate(values):
                if value is not None and group[slot] is None:
                    group[slot] = value

    # -- judging ----------------------------------------------------------------------------------

    def _frontier(self) -> int | None:
        """The latest instant every probe that keeps up has reported at or past.

        A probe that has not reported yet counts as having reported just before the first
        reading of the run: it is waited for during the first interval, like a late one.
        """
        newest, origin = self._newest, self._origin
        if newest is None or origin is None:
            return None
        floor = newest - self.schedule.max_sample_interval
        never = origin - 1
        return min(
            at for at in (never if at is None else at for at in self._latest_rx) if at >= floor
        )

    def _advance(self, until: int | None = None, evaluator: Evaluator | None = None) -> None:
        if self._dirty:
            self._replay()
        frontier = self._frontier() if until is None else until
        if frontier is None:
            return
        target = evaluator or self._eval
        pending = self._pending
        due = sorted(t for t in pending if t <= frontier)
        if evaluator is None:
            for t in due:
                target.step(t, pending.pop(t))
            if self._judged_to is None or frontier > self._judged_to:
                self._judged_to = frontier
        else:
            for t in due:
                target.step(t, pending[t])

    def _replay(self) -> None:
        """Re-judge from the kept readings: a late reading landed before the judged frontier."""
        self.replays += 1
        self._dirty = False
        self._eval = Evaluator(self.schedule, self.layout)
        self._judged_to = None
        width = len(self._latest_rx)
        pending: dict[int, list[float | None]] = {}
        for slot, history in enumerate(self._history):
            for t, value in history.items():
                group = pending.get(t)
                if group is None:
                    group = pending[t] = [None] * width
                group[slot] = value
        self._pending = pending

    def _complete(self) -> Evaluator:
        """An evaluator that has judged everything received (the live one is left untouched)."""
        if self._dirty:
            self._advance()
        if not self._pending:
            return self._eval
        shadow = copy.deepcopy(self._eval)
        self._advance(until=max(self._pending), evaluator=shadow)
        return shadow

    def result(self) -> Judgement:
        """The verdict with the log taken as complete (the run ended or was closed)."""
        return self._complete().judgement(complete=True, extra_findings=self._external)

    def state(self, *, now: int | None = None) -> LiveState:
        """The live state with what has arrived so far; ``now`` is the server's clock."""
        return self._complete().state(now=now, extra_findings=self._external)

    def has_reading(self, probe: str, t: int) -> bool:
        """Whether a reading of ``probe`` at ``t`` was fed already (a replayable judge)."""
        slot = self._slot.get(probe)
        return slot is not None and t in self._history[slot]

    def fault_code(self, probe: str, t: int) -> str | None:
        return self._faults.get((self._slot[probe], t))


def judge_log(
    schedule: Schedule,
    probes: Mapping[str, Role] | Sequence[tuple[str, Role]],
    readings: Iterable[Reading],
    *,
    offsets: Mapping[str, Decimal | str | int | float] | None = None,
) -> Judgement:
    """Judge a complete log of readings in one call."""
    judge = Judge(schedule, probes, offsets=offsets)
    judge.feed(sorted(readings, key=lambda r: r.t))
    return judge.result()
