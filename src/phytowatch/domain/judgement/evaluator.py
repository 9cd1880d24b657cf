"""The judgement of one run, sample time by sample time (treatments.md §3).

The evaluator sees sample groups in time order: at instant ``t``, the readings of every probe that
reported at ``t``. It keeps each probe's latest reading, judges every criterion of the schedule at
each sample time, and stops at the first sample time that decides the run. It never reads a clock
and never looks back: the :class:`~phytowatch.domain.judgement.judge.Judge` feeds it in order.

Probe slots are ordered by role, so the probes of one criterion are a contiguous slice; values are
floats with NaN for a fault and None for "no reading at this instant".
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from types import MappingProxyType

from phytowatch.domain.judgement.findings import FindingLog
from phytowatch.domain.judgement.probe_watch import ProbeWatch
from phytowatch.domain.judgement.report import JudgementReport
from phytowatch.domain.judgement.tracks import Group, HoldTrack, Layout
from phytowatch.domain.judgement.verdict import (
    Finding,
    FindingKind,
    IndeterminateCause,
    Interruption,
    Reason,
    Verdict,
)
from phytowatch.domain.schedule import (
    HoldCriterion,
    HoldStart,
    OnInterruption,
    RampCriterion,
    Regime,
    Schedule,
    ThroughoutCriterion,
)


class Evaluator(ProbeWatch, JudgementReport):
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

    def _track(self, crit: HoldCriterion) -> HoldTrack:
        lo, hi = self.layout.slots(crit.role)
        steps = len(crit.steps)
        width = hi - lo
        return HoldTrack(
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
        self, track: HoldTrack, t: int, prev: int | None, gap: bool, first: bool, group: Group
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

    def _settle(self, track: HoldTrack, governing: float | None) -> None:
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

    def _judge_steady(self, track: HoldTrack, t: int, group: Group) -> bool:
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
        self, track: HoldTrack, index: int, governing: float | None, invalid: list[tuple[int, str]]
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
        track: HoldTrack,
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

    def _account_band(self, track: HoldTrack, t: int, prev: int) -> None:
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
