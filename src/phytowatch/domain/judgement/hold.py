"""One hold criterion, judged sample time by sample time (treatments.md §3.2; §3.4's band).

A :class:`HoldJudge` owns the :class:`HoldTrack` of its criterion: one hold per step of the table,
how long the longest lasted, which step is satisfied now. It writes each break into the run's list
of interruptions and says when the run fails; it never decides a PASS (every hold criterion must
be satisfied at the same sample time: the evaluator's decision).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from types import MappingProxyType

from phytowatch.domain.judgement.findings import FindingLog
from phytowatch.domain.judgement.latest import LatestReadings
from phytowatch.domain.judgement.layout import Group, Layout
from phytowatch.domain.judgement.verdict import (
    CriterionOutcome,
    FindingKind,
    Interruption,
    Reason,
)
from phytowatch.domain.schedule import HoldCriterion, HoldStart, Regime


@dataclass(slots=True)
class HoldTrack:
    """The state of one hold criterion: one hold per step (§3.2 multi-step tables)."""

    crit: HoldCriterion
    lo: int  # the criterion's probes are slots lo:hi
    hi: int
    cold: bool
    holds: list[int | None]  # per step, the start of its running hold
    longest: int = 0
    first_hold_start: int | None = None  # when the criterion's first hold began
    satisfied_now: tuple[int, int, int] | None = None  # (step, hold_start, t)
    # the latest hold that met the criterion: (step, hold_start, the first t it was satisfied),
    # and the last sample time it was still running (it may have broken since)
    met: tuple[int, int, int] | None = None
    met_until: int | None = None
    governing: float | None = None  # at the last sample time
    band_used: int = 0  # §3.4: time in the tolerance band after the grace period
    # the steady state: which steps comply (a suffix of the table), when the next is due
    keys: list[float] = field(default_factory=list)  # thresholds, negated for heat: ascending
    steady: bool = False
    first_ok: int = 0
    oldest_start: int | None = None
    next_due: int | None = None

    @classmethod
    def of(cls, crit: HoldCriterion, layout: Layout) -> HoldTrack:
        lo, hi = layout.slots(crit.role)
        cold = crit.regime is Regime.COLD
        keys = [s.threshold if cold else -s.threshold for s in crit.steps]
        return cls(crit, lo, hi, cold, [None] * len(crit.steps), keys=keys)

    def holding(self) -> bool:
        return self.holds.count(None) != len(self.holds)


class HoldJudge:
    """Judges one hold criterion at each sample time; see the module docstring."""

    def __init__(
        self,
        crit: HoldCriterion,
        layout: Layout,
        latest: LatestReadings,
        interruptions: list[Interruption],
        findings: FindingLog,
        *,
        fail_mode: bool,
    ) -> None:
        self.track = HoldTrack.of(crit, layout)
        self.names = layout.names
        self.latest = latest
        self.interruptions = interruptions
        self.findings = findings
        self.fail_mode = fail_mode  # on_interruption: fail: a break after the hold began fails

    def judge(
        self, t: int, prev: int | None, gap: bool, first: bool, group: Group
    ) -> Reason | None:
        """Judge the sample time ``t`` (``prev``: the previous one; ``gap``: more than the
        interval after it). Returns the reason the run fails at ``t``, if it does."""
        track = self.track
        if track.steady and not gap and self._judge_steady(track, t, group):
            return None
        crit = track.crit
        governing, invalid = self.latest.governing(
            track.lo, track.hi, track.cold, crit.min_probes, t, group
        )
        if gap:
            broke = False
            for index, start in enumerate(track.holds):
                if start is not None:
                    self.break_hold(index, t, Reason.GAP, ())
                    broke = True
            if broke and self.fail_mode:
                return Reason.GAP
        tolerance = crit.tolerance
        if crit.starts is HoldStart.AT_FIRST_SAMPLE and first:
            track.holds = [t] * len(crit.steps)
            track.first_hold_start = t
        if (
            tolerance is not None
            and track.holds[0] is not None
            and prev is not None
            and self._account_band(t, prev)
        ):
            return Reason.TOLERANCE_EXCEEDED
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
                length = t - start
                track.longest = max(track.longest, length)
                if length >= step.duration and track.satisfied_now is None:
                    track.satisfied_now = (index, start, t)
            elif start is not None:
                reason, probes, causes = self._why_not(index, governing, invalid)
                if self.break_hold(index, t, reason, probes, causes):
                    return reason
        satisfied = track.satisfied_now
        if satisfied is not None:
            met = track.met
            if met is None or met[0] != satisfied[0] or met[1] != satisfied[1]:
                track.met = satisfied  # §3.2: satisfied at the first t with t - start >= duration
            track.met_until = t
        track.governing = governing
        if invalid and governing is not None and complied_any:
            for slot, cause in invalid:
                self.findings.extend_or_open(
                    FindingKind.PROBE_EXCLUDED,
                    self.names[slot],
                    t,
                    t,
                    continues_from=prev,
                    key=(cause,),
                    detail={"cause": cause},
                )
        self._settle(governing)
        return None

    def break_hold(
        self,
        index: int,
        t: int,
        reason: Reason,
        probes: tuple[str, ...],
        causes: dict[str, str] | None = None,
        criterion: str | None = None,
    ) -> bool:
        """End the running hold of step ``index`` at ``t`` (``criterion``: the criterion that
        broke it, when not this one). Whether the break fails the run."""
        track = self.track
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
        return self.fail_mode

    def outcome(self, passed_at: int | None) -> CriterionOutcome:
        """Met once a hold lasted its step's duration (§3.2), whatever the run's verdict: the
        window of that hold, to the last sample time it ran (a PASS: ``passed_at``)."""
        track = self.track
        met = track.met
        return CriterionOutcome(
            key=track.crit.key,
            kind="hold",
            role=track.crit.role,
            satisfied=met is not None,
            hold_start=met[1] if met else None,
            hold_end=track.met_until if met else None,
            longest_hold=track.longest,
            met_at=met[2] if met else None,
        )

    # -- the steady state ---------------------------------------------------------------------

    def _settle(self, governing: float | None) -> None:
        """Note which steps comply and hold now, for :meth:`_judge_steady` at the next sample."""
        track = self.track
        track.steady = False
        if track.crit.tolerance is not None:
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
        return True

    # -- breaks ---------------------------------------------------------------------------------

    def _why_not(
        self, index: int, governing: float | None, invalid: list[tuple[int, str]]
    ) -> tuple[Reason, tuple[str, ...], dict[str, str]]:
        names = self.names
        if governing is None:
            causes = {names[slot]: cause for slot, cause in invalid}
            return Reason.TOO_FEW_PROBES, tuple(causes), causes
        track = self.track
        tolerance = track.crit.tolerance
        threshold = tolerance.lower if tolerance is not None else track.crit.steps[index].threshold
        bad_slots = {slot for slot, _ in invalid}
        latest_v = self.latest.v
        offenders = []
        for slot in range(track.lo, track.hi):
            value = latest_v[slot]
            if slot in bad_slots or value is None:
                continue
            if (value > threshold) if track.cold else (value < threshold):
                offenders.append(names[slot])
        reason = Reason.ABOVE_THRESHOLD if track.cold else Reason.BELOW_THRESHOLD
        return reason, tuple(offenders), {}

    def _account_band(self, t: int, prev: int) -> bool:
        """§3.4: after the grace period, time with the governing value in [lower, threshold).
        Whether the budget is exceeded (the hold then ends and the run fails)."""
        track = self.track
        tolerance = track.crit.tolerance
        start = track.holds[0]
        assert tolerance is not None and start is not None
        previous = track.governing
        threshold = track.crit.steps[0].threshold
        if previous is None or not tolerance.lower <= previous < threshold:
            return False
        counted_from = max(prev, start + tolerance.grace)
        if t > counted_from:
            track.band_used += t - counted_from
        if tolerance.budget is not None and track.band_used > tolerance.budget:
            self.interruptions.append(
                Interruption(t, 0, Reason.TOLERANCE_EXCEEDED, (), track.crit.key)
            )
            track.holds[0] = None
            return True
        return False
