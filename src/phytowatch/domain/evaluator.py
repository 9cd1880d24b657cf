"""The judgement of one run, sample time by sample time (treatments.md §3).

The evaluator sees sample groups in time order: at instant ``t``, the readings of every probe that
reported at ``t``. It keeps each probe's latest reading, judges every criterion of the schedule at
each sample time, and stops at the first sample time that decides the run. It never reads a clock
and never looks back: the :class:`~phytowatch.domain.judge.Judge` feeds it in order.

Probe slots are ordered by role, so the probes of one criterion are a contiguous slice; values are
floats with NaN for a fault and None for "no reading at this instant".
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from operator import eq, sub
from types import MappingProxyType
from typing import Self

from phytowatch.domain.findings import (
    COLD_RATE_LIMIT,
    FLATLINE_READINGS,
    HEAT_RATE_LIMIT,
    TRACKS_AIR_WITHIN,
    FindingLog,
    rate_exceeds,
)
from phytowatch.domain.schedule import (
    HoldCriterion,
    HoldStart,
    OnInterruption,
    RampCriterion,
    Regime,
    Role,
    Schedule,
    ThroughoutCriterion,
)
from phytowatch.domain.verdict import (
    CriterionOutcome,
    Finding,
    FindingKind,
    HoldProgress,
    IndeterminateCause,
    Interruption,
    Judgement,
    Reason,
    StepRef,
    Verdict,
)

Group = Sequence[float | None]
_FINDING_SLACK = 1e-9  # float representation slack for finding tolerances (not for compliance)


@dataclass(frozen=True)
class Layout:
    """Which slot is which probe, and the slice of slots of each role."""

    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        return self  # an immutable value

    names: tuple[str, ...]
    roles: tuple[Role, ...]
    role_slice: MappingProxyType[str, tuple[int, int]]
    sample_slots: tuple[int, ...]

    @classmethod
    def build(cls, probes: Sequence[tuple[str, Role]], sample_roles: Sequence[Role]) -> Layout:
        order = {"product": 0, "air": 1, "water": 2, "rh": 3}
        ranked = sorted(probes, key=lambda item: order[item[1]])  # stable within a role
        names = tuple(name for name, _ in ranked)
        roles = tuple(role for _, role in ranked)
        slices: dict[str, tuple[int, int]] = {}
        for index, role in enumerate(roles):
            start, _ = slices.get(role, (index, index))
            slices[role] = (start, index + 1)
        sample = tuple(i for i, role in enumerate(roles) if role in sample_roles)
        return cls(names, roles, MappingProxyType(slices), sample)

    def slots(self, role: str) -> tuple[int, int]:
        return self.role_slice.get(role, (0, 0))


@dataclass
class _HoldTrack:
    """The state of one hold criterion: one hold per step (§3.2 multi-step tables)."""

    crit: HoldCriterion
    lo: int
    hi: int
    cold: bool
    holds: list[int | None]
    longest: int = 0
    first_hold_start: int | None = None
    satisfied_now: tuple[int, int, int] | None = None  # (step, hold_start, t)
    governing: float | None = None
    band_used: int = 0
    # per step, pairs of slots still candidates for duplicate_series / tracks_air
    dup_pairs: list[set[tuple[int, int]] | None] = field(default_factory=list)
    air_pairs: list[set[tuple[int, int]] | None] = field(default_factory=list)
    # the steady state: which steps comply (a suffix of the table), when the next is due
    keys: list[float] = field(default_factory=list)  # thresholds, negated for heat: ascending
    steady: bool = False
    first_ok: int = 0
    oldest_start: int | None = None
    next_due: int | None = None
    # implausible rate while the probes report together: one window of rows for all of them
    aligned: bool = True
    win_t: deque[int] = field(default_factory=deque)
    win_v: deque[list[float]] = field(default_factory=deque)
    # flatline: per probe of the criterion, the current run of identical values
    streaking: bool = False
    s_cnt: list[int] = field(default_factory=list)
    s_start: list[int] = field(default_factory=list)
    s_val: list[float | None] = field(default_factory=list)
    s_last: list[int] = field(default_factory=list)

    def holding(self) -> bool:
        return self.holds.count(None) != len(self.holds)


class Evaluator:
    """Judges sample groups fed in time order. See the module docstring."""

    def __init__(self, schedule: Schedule, layout: Layout) -> None:
        self.schedule = schedule
        self.layout = layout
        self.interval = schedule.max_sample_interval
        self.fail_mode = schedule.on_interruption is OnInterruption.FAIL
        n = len(layout.names)
        self.latest_t: list[int | None] = [None] * n
        self.latest_v: list[float | None] = [None] * n
        self._latest_shared = False  # latest_v aliases a fed group: copy before writing
        self.tracks = [self._track(c) for c in schedule.hold_criteria]
        self.by_key = {t.crit.key: t for t in self.tracks}
        self.throughout = [c for c in schedule.extra if isinstance(c, ThroughoutCriterion)]
        self.throughout_broken: dict[str, int] = {}
        self.ramps = [c for c in schedule.extra if isinstance(c, RampCriterion)]
        self.ramp_first: dict[str, int] = {}
        self.ramp_reached: dict[str, int] = {}
        self.first_sample: int | None = None
        self.prev_sample: int | None = None
        self.last_judged: int | None = None
        self.sample_count = 0
        self.readings_seen = 0
        self.interruptions: list[Interruption] = []
        self.findings = FindingLog()
        self.verdict: Verdict | None = None
        self.fail_reason: Reason | None = None
        self.fail_at: int | None = None
        self.indeterminate: IndeterminateCause | None = self._installed_check()
        if self.indeterminate is not None:
            self.verdict = Verdict.INDETERMINATE
        self.passed: tuple[int, int, int] | None = None  # primary (step, start, end)
        # per-slot probe watchers (flatline, implausible rate)
        # per slot, the numeric readings of the last rate unit plus one older anchor
        self.rate_window: list[deque[tuple[int, float]]] = [deque() for _ in range(n)]

    # -- setup ------------------------------------------------------------------------------

    def _track(self, crit: HoldCriterion) -> _HoldTrack:
        lo, hi = self.layout.slots(crit.role)
        steps = len(crit.steps)
        width = hi - lo
        return _HoldTrack(
            crit=crit,
            lo=lo,
            hi=hi,
            cold=crit.regime is Regime.COLD,
            holds=[None] * steps,
            dup_pairs=[None] * steps,
            air_pairs=[None] * steps,
            keys=[s.threshold if crit.regime is Regime.COLD else -s.threshold for s in crit.steps],
            s_cnt=[0] * width,
            s_start=[0] * width,
            s_val=[None] * width,
            s_last=[0] * width,
        )

    def _installed_check(self) -> IndeterminateCause | None:
        for crit in self.schedule.criteria:
            lo, hi = self.layout.slots(crit.role)
            if hi - lo < crit.min_probes:
                return IndeterminateCause.TOO_FEW_PROBES_INSTALLED
        return None

    # -- one sample group ------------------------------------------------------------------

    def step(self, t: int, group: Group) -> None:
        """Take the readings at instant ``t`` (aligned with the layout's slots)."""
        if self.verdict is not None:
            return
        if None not in group:
            self.latest_v = group  # type: ignore[assignment]  # read-only alias, copied on write
            self._latest_shared = True
            self.latest_t = [t] * len(group)
            is_sample = bool(self.layout.sample_slots)
            self.readings_seen += len(group)
        else:
            if self._latest_shared:
                self.latest_v = list(self.latest_v)
                self._latest_shared = False
            latest_t, latest_v = self.latest_t, self.latest_v
            is_sample = False
            sample_slots = self.layout.sample_slots
            for i, value in enumerate(group):
                if value is not None:
                    latest_t[i] = t
                    latest_v[i] = value
                    self.readings_seen += 1
                    if not is_sample and i in sample_slots:
                        is_sample = True
        for ramp in self.ramps:
            if ramp.key not in self.ramp_first:
                lo, hi = self.layout.slots(ramp.role)
                if any(v is not None and v == v for v in group[lo:hi]):
                    self.ramp_first[ramp.key] = t
        if not is_sample:
            return
        self.sample_count += 1
        self.last_judged = t
        first = self.first_sample is None
        if first:
            self.first_sample = t
            self._check_preconditions(t)
            if self.verdict is not None:
                return
        prev = self.prev_sample
        gap = prev is not None and t - prev > self.interval
        for track in self.tracks:
            self._judge_hold(track, t, prev, gap, first, group)
            if self.verdict is not None:
                return
        for crit in self.throughout:
            self._judge_throughout(crit, t, group)
            if self.verdict is not None:
                return
        for ramp in self.ramps:
            self._judge_ramp(ramp, t, group)
            if self.verdict is not None:
                return
        for track in self.tracks:
            self._watch_probes(track, t, group)
        self.prev_sample = t
        for track in self.tracks:
            if track.satisfied_now is None:
                return
        self._pass(t)

    # -- criteria ------------------------------------------------------------------------------

    def _governing(
        self, lo: int, hi: int, cold: bool, min_probes: int, t: int, group: Group
    ) -> tuple[float | None, list[tuple[int, str]]]:
        """The governing value at ``t`` (§3.1) and the judged probes that were not valid."""
        if hi - lo >= min_probes and len(group) >= hi:
            fresh = group[lo:hi]
            if None not in fresh:
                total = sum(fresh)  # type: ignore[arg-type]
                if total == total:  # no fault: every probe read at t, so every probe is valid
                    return (max(fresh) if cold else min(fresh)), []  # type: ignore[type-var]
        valid: list[float] = []
        invalid: list[tuple[int, str]] = []
        latest_t, latest_v, interval = self.latest_t, self.latest_v, self.interval
        for i in range(lo, hi):
            at = latest_t[i]
            value = latest_v[i]
            if at is None or value is None or t - at > interval:
                invalid.append((i, "gap"))
            elif value != value:
                invalid.append((i, "fault"))
            else:
                valid.append(value)
        if len(valid) < min_probes:
            return None, invalid
        return (max(valid) if cold else min(valid)), invalid

    def _judge_hold(
        self, track: _HoldTrack, t: int, prev: int | None, gap: bool, first: bool, group: Group
    ) -> None:
        if track.steady and not gap and self._judge_steady(track, t, group):
            return
        crit = track.crit
        governing, invalid = self._governing(
            track.lo, track.hi, track.cold, crit.min_probes, t, group
        )
        if gap:
            for index, start in enumerate(track.holds):
                if start is not None:
                    self._break(track, index, t, Reason.GAP, ())
            if self.verdict is not None:
                return
        tolerance = crit.tolerance
        if crit.starts is HoldStart.AT_FIRST_SAMPLE and first:
            track.holds = [t] * len(crit.steps)
            track.first_hold_start = t
            self._reset_pairs(track, range(len(crit.steps)))
        if tolerance is not None and track.holds[0] is not None and prev is not None:
            self._account_band(track, t, prev)
            if self.verdict is not None:
                return
        track.satisfied_now = None
        complied_any = False
        for index, step in enumerate(crit.steps):
            if governing is None:
                complies = False
            elif tolerance is not None:
                complies = governing >= tolerance.lower
            elif track.cold:
                complies = governing <= step.threshold
            else:
                complies = governing >= step.threshold
            start = track.holds[index]
            if complies:
                complied_any = True
                if start is None:
                    if crit.starts is not HoldStart.ON_COMPLIANCE:
                        continue
                    start = track.holds[index] = t
                    if track.first_hold_start is None:
                        track.first_hold_start = t
                    self._reset_pairs(track, (index,))
                length = t - start
                track.longest = max(track.longest, length)
                if length >= step.duration and track.satisfied_now is None:
                    track.satisfied_now = (index, start, t)
            elif start is not None:
                reason, probes, causes = self._why_not(track, index, governing, invalid)
                self._break(track, index, t, reason, probes, causes)
                if self.verdict is not None:
                    return
        track.governing = governing
        if invalid and governing is not None and complied_any:
            prev_sample = self.prev_sample
            for slot, cause in invalid:
                self.findings.extend_or_open(
                    FindingKind.PROBE_EXCLUDED,
                    self.layout.names[slot],
                    t,
                    t,
                    continues_from=prev_sample,
                    key=(cause,),
                    detail={"cause": cause},
                )
        self._settle(track, governing)
        self._watch_pairs(track, t)

    def _settle(self, track: _HoldTrack, governing: float | None) -> None:
        """Note which steps comply and hold now, for :meth:`_judge_steady` at the next sample."""
        track.steady = False
        if track.crit.tolerance is not None or self.verdict is not None:
            return
        count = len(track.holds)
        if governing is None:
            first_ok = count
        else:
            first_ok = bisect_left(track.keys, governing if track.cold else -governing)
        running = [i for i, start in enumerate(track.holds) if start is not None]
        if running != list(range(first_ok, count)):
            return
        track.first_ok = first_ok
        starts = [s for s in track.holds[first_ok:] if s is not None]
        steps = track.crit.steps[first_ok:]
        track.oldest_start = min(starts) if starts else None
        track.next_due = min(
            (s + step.duration for s, step in zip(starts, steps, strict=True)), default=None
        )
        track.steady = True

    def _judge_steady(self, track: _HoldTrack, t: int, group: Group) -> bool:
        """The common sample: every probe read at ``t``, the same steps comply as before and
        none is due. Then only time moves on; anything else goes the full way (False)."""
        lo, hi = track.lo, track.hi
        fresh = group[lo:hi]
        if len(fresh) != hi - lo or None in fresh:
            return False
        total = sum(fresh)  # type: ignore[arg-type]
        if total != total:  # a fault
            return False
        governing: float = max(fresh) if track.cold else min(fresh)  # type: ignore[type-var, assignment]
        if bisect_left(track.keys, governing if track.cold else -governing) != track.first_ok:
            return False
        due = track.next_due
        if due is not None and t >= due:
            return False
        oldest = track.oldest_start
        if oldest is not None and t - oldest > track.longest:
            track.longest = t - oldest
        track.satisfied_now = None
        track.governing = governing
        self._watch_pairs(track, t)
        return True

    def _why_not(
        self, track: _HoldTrack, index: int, governing: float | None, invalid: list[tuple[int, str]]
    ) -> tuple[Reason, tuple[str, ...], dict[str, str]]:
        names = self.layout.names
        if governing is None:
            causes = {names[slot]: cause for slot, cause in invalid}
            return Reason.TOO_FEW_PROBES, tuple(causes), causes
        crit = track.crit
        tolerance = crit.tolerance
        threshold = tolerance.lower if tolerance is not None else crit.steps[index].threshold
        bad_slots = {slot for slot, _ in invalid}
        offenders = []
        for slot in range(track.lo, track.hi):
            value = self.latest_v[slot]
            if slot in bad_slots or value is None:
                continue
            if (value > threshold) if track.cold else (value < threshold):
                offenders.append(names[slot])
        reason = Reason.ABOVE_THRESHOLD if track.cold else Reason.BELOW_THRESHOLD
        return reason, tuple(offenders), {}

    def _break(
        self,
        track: _HoldTrack,
        index: int,
        t: int,
        reason: Reason,
        probes: tuple[str, ...],
        causes: dict[str, str] | None = None,
        criterion: str | None = None,
    ) -> None:
        self.interruptions.append(
            Interruption(
                at=t,
                step=index,
                reason=reason,
                probes=probes,
                criterion=criterion or track.crit.key,
                causes=MappingProxyType(dict(causes or {})),
            )
        )
        track.holds[index] = None
        track.steady = False
        track.dup_pairs[index] = None
        track.air_pairs[index] = None
        if self.fail_mode:
            self._fail(reason, t)

    def _account_band(self, track: _HoldTrack, t: int, prev: int) -> None:
        """§3.4: after the grace period, time with the governing value in [lower, threshold)."""
        tolerance = track.crit.tolerance
        start = track.holds[0]
        assert tolerance is not None and start is not None
        previous = track.governing
        threshold = track.crit.steps[0].threshold
        if previous is None or not tolerance.lower <= previous < threshold:
            return
        counted_from = max(prev, start + tolerance.grace)
        if t > counted_from:
            track.band_used += t - counted_from
        if tolerance.budget is not None and track.band_used > tolerance.budget:
            self.interruptions.append(
                Interruption(t, 0, Reason.TOLERANCE_EXCEEDED, (), track.crit.key)
            )
            track.holds[0] = None
            self._fail(Reason.TOLERANCE_EXCEEDED, t)

    def _judge_throughout(self, crit: ThroughoutCriterion, t: int, group: Group) -> None:
        during = self.by_key[crit.during]
        if not during.holding():
            return
        lo, hi = self.layout.slots(crit.role)
        governing, invalid = self._governing(
            lo, hi, crit.regime is Regime.COLD, crit.min_probes, t, group
        )
        names = self.layout.names
        if governing is None:
            causes = {names[slot]: cause for slot, cause in invalid}
            reason, probes = Reason.TOO_FEW_PROBES, tuple(causes)
        elif (
            (governing <= crit.threshold)
            if crit.regime is Regime.COLD
            else (governing >= crit.threshold)
        ):
            return
        else:
            causes = {}
            reason = (
                Reason.ABOVE_THRESHOLD if crit.regime is Regime.COLD else Reason.BELOW_THRESHOLD
            )
            probes = tuple(
                names[i]
                for i in range(lo, hi)
                if (v := self.latest_v[i]) is not None
                and v == v
                and (v > crit.threshold if crit.regime is Regime.COLD else v < crit.threshold)
            )
        self.throughout_broken.setdefault(crit.key, t)
        for index, start in enumerate(during.holds):
            if start is not None:
                self._break(during, index, t, reason, probes, causes, criterion=crit.key)
                if self.verdict is not None:
                    return

    def _judge_ramp(self, ramp: RampCriterion, t: int, group: Group) -> None:
        if ramp.key in self.ramp_reached or ramp.key not in self.ramp_first:
            return
        lo, hi = self.layout.slots(ramp.role)
        cold = ramp.regime is Regime.COLD
        governing, _ = self._governing(lo, hi, cold, ramp.min_probes, t, group)
        if governing is None:
            return
        if (governing <= ramp.target) if cold else (governing >= ramp.target):
            self.ramp_reached[ramp.key] = t
            if t - self.ramp_first[ramp.key] < ramp.min_duration:
                self.interruptions.append(Interruption(t, 0, Reason.RAMP_TOO_FAST, (), ramp.key))
                self._fail(Reason.RAMP_TOO_FAST, t)

    def _check_preconditions(self, t: int) -> None:
        names = self.layout.names
        for pre in self.schedule.preconditions:
            lo, hi = self.layout.slots(pre.role)
            if hi == lo:
                self.findings.add(
                    Finding(
                        FindingKind.PRECONDITION_UNVERIFIED,
                        None,
                        t,
                        t,
                        MappingProxyType({"precondition": pre.key, "role": pre.role}),
                    )
                )
                continue
            failing = []
            for i in range(lo, hi):
                at, value = self.latest_t[i], self.latest_v[i]
                ok = (
                    at is not None
                    and value is not None
                    and value == value
                    and t - at <= self.interval
                    and (
                        value <= pre.threshold
                        if pre.regime is Regime.COLD
                        else value >= pre.threshold
                    )
                )
                if not ok:
                    failing.append(names[i])
            if failing:
                self.interruptions.append(
                    Interruption(t, 0, Reason.PRECONDITION, tuple(failing), pre.key)
                )
                self._fail(Reason.PRECONDITION, t)
                return

    # -- findings watchers ------------------------------------------------------------------------

    def _reset_pairs(self, track: _HoldTrack, indices: range | tuple[int, ...]) -> None:
        slots = range(track.lo, track.hi)
        air_lo, air_hi = self.layout.slots("air")
        for index in indices:
            track.dup_pairs[index] = set(combinations(slots, 2))
            if track.crit.role == "product" and air_hi > air_lo:
                track.air_pairs[index] = {(p, a) for p in slots for a in range(air_lo, air_hi)}

    def _valid_value(self, slot: int, t: int) -> float | None:
        at, value = self.latest_t[slot], self.latest_v[slot]
        if at is None or value is None or value != value or t - at > self.interval:
            return None
        return value

    def _watch_pairs(self, track: _HoldTrack, t: int) -> None:
        if not any(track.dup_pairs) and not any(track.air_pairs):
            return
        for index, start in enumerate(track.holds):
            if start is None:
                continue
            dup = track.dup_pairs[index]
            if dup:
                for pair in list(dup):
                    a, b = self._valid_value(pair[0], t), self._valid_value(pair[1], t)
                    if a is None or a != b:
                        dup.discard(pair)
            air = track.air_pairs[index]
            if air:
                for pair in list(air):
                    p, a = self._valid_value(pair[0], t), self._valid_value(pair[1], t)
                    if p is None or a is None or abs(p - a) > TRACKS_AIR_WITHIN + _FINDING_SLACK:
                        air.discard(pair)

    def _watch_probes(self, track: _HoldTrack, t: int, group: Group) -> None:
        """Flatline and implausible-rate findings for the judged probes read at ``t``.

        While every probe of the criterion reports at the same instants (the usual case), the
        probes share one rate window and both checks run on the whole row at once; the exact
        per-probe arithmetic runs only for a probe that may be past a limit.
        """
        lo, hi = track.lo, track.hi
        fresh = group[lo:hi]
        clean = None not in fresh and (total := sum(fresh)) == total  # type: ignore[arg-type]
        if track.aligned and not clean:
            self._unalign(track)
        rates = track.crit.role != "rh" and (not track.cold or track.first_hold_start is not None)
        if rates:
            if track.aligned:
                self._rate_row(track, t, fresh)  # type: ignore[arg-type]
            else:
                self._rate_probes(track, t, fresh)
        if not track.holding():
            if track.streaking:
                track.s_cnt = [0] * (hi - lo)
                track.streaking = False
            return
        track.streaking = True
        if clean and not any(map(eq, fresh, track.s_val)):
            # no probe repeats its last value: every streak starts again here
            width = hi - lo
            track.s_cnt = [1] * width
            track.s_start = [t] * width
            track.s_last = [t] * width
            track.s_val = fresh  # type: ignore[assignment]
            return
        self._flatline_probes(track, t, fresh)

    def _rate_row(self, track: _HoldTrack, t: int, fresh: list[float]) -> None:
        limit = COLD_RATE_LIMIT if track.cold else HEAT_RATE_LIMIT
        unit = limit[1]
        cutoff = t - unit
        times, rows = track.win_t, track.win_v
        while len(times) > 1 and times[1] <= cutoff:
            times.popleft()
            rows.popleft()
        since = track.first_hold_start if track.cold else None
        if times and times[0] <= cutoff and (since is None or times[0] >= since):
            anchor_t, anchor = times[0], rows[0]
            span = t - anchor_t
            worst = max(map(abs, map(sub, fresh, anchor)))
            if worst * unit >= float(limit[0]) * span * (1 - 1e-9):
                names = self.layout.names
                for k, value in enumerate(fresh):
                    if rate_exceeds(value, anchor[k], span, limit):
                        self.findings.extend_or_open(
                            FindingKind.IMPLAUSIBLE_RATE,
                            names[track.lo + k],
                            anchor_t,
                            t,
                            continues_from=times[-1],
                            detail={"from_value": anchor[k], "to_value": value},
                        )
        times.append(t)
        rows.append(fresh)

    def _unalign(self, track: _HoldTrack) -> None:
        """Probes stopped reporting together: give each its own rate window from now on."""
        track.aligned = False
        for k in range(track.hi - track.lo):
            self.rate_window[track.lo + k] = deque(
                zip(track.win_t, (row[k] for row in track.win_v), strict=True)
            )
        track.win_t.clear()
        track.win_v.clear()

    def _rate_probes(self, track: _HoldTrack, t: int, fresh: Sequence[float | None]) -> None:
        limit = COLD_RATE_LIMIT if track.cold else HEAT_RATE_LIMIT
        unit = limit[1]
        since = track.first_hold_start if track.cold else None
        names = self.layout.names
        for k, value in enumerate(fresh):
            if value is None or value != value:
                continue
            window = self.rate_window[track.lo + k]
            # the anchor is the latest reading at least one unit (1 min heat, 1 h cold) back
            while len(window) > 1 and window[1][0] <= t - unit:
                window.popleft()
            if window and window[0][0] <= t - unit:
                anchor_t, anchor_v = window[0]
                if (since is None or anchor_t >= since) and rate_exceeds(
                    value, anchor_v, t - anchor_t, limit
                ):
                    self.findings.extend_or_open(
                        FindingKind.IMPLAUSIBLE_RATE,
                        names[track.lo + k],
                        anchor_t,
                        t,
                        continues_from=window[-1][0],
                        detail={"from_value": anchor_v, "to_value": value},
                    )
            window.append((t, value))

    def _flatline_probes(self, track: _HoldTrack, t: int, fresh: Sequence[float | None]) -> None:
        names = self.layout.names
        counts, starts, lasts = track.s_cnt, track.s_start, track.s_last
        # a private copy: the fast path may have left a row here that the rate window shares
        values = track.s_val = list(track.s_val)
        for k, value in enumerate(fresh):
            if value is None:
                continue
            if value != value:
                counts[k] = 0
                continue
            if counts[k] and values[k] == value:
                counts[k] += 1
                if counts[k] >= FLATLINE_READINGS:
                    self.findings.extend_or_open(
                        FindingKind.FLATLINE,
                        names[track.lo + k],
                        starts[k],
                        t,
                        continues_from=lasts[k],
                        key=(starts[k],),
                        detail={"value": value},
                    )
            else:
                counts[k] = 1
                starts[k] = t
                values[k] = value
            lasts[k] = t

    # -- decisions ------------------------------------------------------------------------------

    def _fail(self, reason: Reason, t: int) -> None:
        if self.verdict is None:
            self.verdict = Verdict.FAIL
            self.fail_reason = reason
            self.fail_at = t

    def _pass(self, t: int) -> None:
        names = self.layout.names
        for track in self.tracks:
            assert track.satisfied_now is not None
            index = track.satisfied_now[0]
            for a, b in sorted(track.dup_pairs[index] or ()):
                self.findings.add(
                    Finding(
                        FindingKind.DUPLICATE_SERIES,
                        names[a],
                        track.satisfied_now[1],
                        t,
                        MappingProxyType({"other": names[b]}),
                    )
                )
            for p, a in sorted(track.air_pairs[index] or ()):
                self.findings.add(
                    Finding(
                        FindingKind.TRACKS_AIR,
                        names[p],
                        track.satisfied_now[1],
                        t,
                        MappingProxyType({"air": names[a]}),
                    )
                )
        self.passed = self.tracks[0].satisfied_now
        self.verdict = Verdict.PASS

    # -- reporting -------------------------------------------------------------------------------

    def progress(self) -> list[HoldProgress]:
        last = self.prev_sample
        out: list[HoldProgress] = []
        if last is None or self.verdict is not None:
            return out
        for track in self.tracks:
            for index, start in enumerate(track.holds):
                if start is not None:
                    step = track.crit.steps[index]
                    out.append(
                        HoldProgress(
                            track.crit.key,
                            index,
                            step.threshold,
                            start,
                            last - start,
                            step.duration,
                        )
                    )
        return out

    def earliest_end(self) -> int | None:
        """The earliest instant every hold criterion can be satisfied, if all are holding."""
        ends = []
        for track in self.tracks:
            running = [
                start + track.crit.steps[i].duration
                for i, start in enumerate(track.holds)
                if start is not None
            ]
            if not running:
                return None
            ends.append(min(running))
        return max(ends) if ends else None

    def judgement(self, *, complete: bool, extra_findings: Sequence[Finding] = ()) -> Judgement:
        """The judgement so far; with ``complete`` the log has ended (§3.3)."""
        verdict = self.verdict
        cause = self.indeterminate
        fail_reason = self.fail_reason
        if verdict is None and complete:
            if self.readings_seen == 0:
                verdict, cause = Verdict.INDETERMINATE, IndeterminateCause.NO_READINGS
            elif self.sample_count == 0:
                verdict, cause = Verdict.INDETERMINATE, IndeterminateCause.ROLE_NOT_COVERED
            else:
                verdict = Verdict.FAIL
        primary = self.tracks[0]
        step = hold_start = hold_end = None
        if verdict is Verdict.PASS and self.passed is not None:
            index, hold_start, hold_end = self.passed
            s = primary.crit.steps[index]
            step = StepRef(index, s.threshold, s.duration)
        findings = (*self.findings.items, *extra_findings)
        return Judgement(
            verdict=verdict,
            schedule_id=self.schedule.id,
            schedule_version=self.schedule.version,
            params=self.schedule.resolved_params,
            step=step,
            hold_start=hold_start,
            hold_end=hold_end,
            longest_hold=primary.longest,
            interruptions=tuple(self.interruptions),
            findings=tuple(sorted(findings, key=lambda f: (f.start, f.kind, f.probe or ""))),
            fail_reason=fail_reason,
            fail_at=self.fail_at,
            indeterminate_cause=cause,
            criteria=self._outcomes(verdict) if self.schedule.extra else (),
            first_sample=self.first_sample,
            last_sample=self.last_judged,
            sample_count=self.sample_count,
        )

    def _outcomes(self, verdict: Verdict | None) -> tuple[CriterionOutcome, ...]:
        out: list[CriterionOutcome] = []
        for track in self.tracks:
            sat = track.satisfied_now if verdict is Verdict.PASS else None
            out.append(
                CriterionOutcome(
                    key=track.crit.key,
                    kind="hold",
                    role=track.crit.role,
                    satisfied=sat is not None,
                    hold_start=sat[1] if sat else None,
                    hold_end=sat[2] if sat else None,
                    longest_hold=track.longest,
                )
            )
        for crit in self.throughout:
            broken = self.throughout_broken.get(crit.key)
            out.append(
                CriterionOutcome(
                    key=crit.key,
                    kind="throughout",
                    role=crit.role,
                    satisfied=broken is None and verdict is Verdict.PASS,
                    detail=MappingProxyType({"broken_at": broken} if broken else {}),
                )
            )
        for ramp in self.ramps:
            reached = self.ramp_reached.get(ramp.key)
            first = self.ramp_first.get(ramp.key)
            detail: dict[str, int] = {}
            if first is not None:
                detail["first_reading"] = first
            if reached is not None:
                detail["reached"] = reached
            too_fast = (
                reached is not None and first is not None and reached - first < ramp.min_duration
            )
            out.append(
                CriterionOutcome(
                    key=ramp.key,
                    kind="ramp",
                    role=ramp.role,
                    satisfied=not too_fast and verdict is Verdict.PASS,
                    detail=MappingProxyType(detail),
                )
            )
        return tuple(out)
