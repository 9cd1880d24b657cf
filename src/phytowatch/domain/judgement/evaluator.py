"""The judgement of one run, sample time by sample time (treatments.md §3).

The evaluator sees sample groups in time order: at instant ``t``, the readings of every probe that
reported at ``t``. It keeps each probe's latest reading, has every criterion of the schedule judged
at each sample time by its part, and stops at the first sample time that decides the run. It never
reads a clock and never looks back: the :class:`~phytowatch.domain.judgement.judge.Judge` feeds it
in order.

The parts, each with its own state: a :class:`HoldJudge` per hold criterion and a
:class:`ProbeWatch` over its probes, a :class:`ThroughoutJudge` per condition on another hold, a
:class:`RampJudge` per ramp, and the preconditions of the first sample time. They share the latest
readings and write into the run's interruptions and findings; what fails the run they return, and
the evaluator decides. Probe slots are ordered by role, so the probes of one criterion are a
contiguous slice; values are floats with NaN for a fault and None for "no reading at this instant".
"""

from __future__ import annotations

from collections.abc import Sequence

from phytowatch.domain.judgement.hold import HoldJudge
from phytowatch.domain.judgement.latest import LatestReadings
from phytowatch.domain.judgement.layout import Group, Layout
from phytowatch.domain.judgement.preconditions import check_preconditions
from phytowatch.domain.judgement.probe_watch import ProbeWatch
from phytowatch.domain.judgement.ramp import RampJudge
from phytowatch.domain.judgement.report import Outcome, RunState, judgement_of, live_state_of
from phytowatch.domain.judgement.throughout import ThroughoutJudge
from phytowatch.domain.judgement.verdict import (
    Finding,
    IndeterminateCause,
    Judgement,
    LiveState,
    Verdict,
)
from phytowatch.domain.schedule import (
    OnInterruption,
    RampCriterion,
    Schedule,
    ThroughoutCriterion,
)


class Evaluator:
    """Judges sample groups fed in time order. See the module docstring."""

    def __init__(self, schedule: Schedule, layout: Layout) -> None:
        self.schedule = schedule
        self.layout = layout
        self.interval = interval = schedule.max_sample_interval
        latest = LatestReadings(len(layout.names), interval, layout.sample_slots)
        self.run = run = RunState(schedule, latest)
        fail_mode = schedule.on_interruption is OnInterruption.FAIL
        self.holds = [
            HoldJudge(c, layout, latest, run.interruptions, run.findings, fail_mode=fail_mode)
            for c in schedule.hold_criteria
        ]
        self.watches = [
            ProbeWatch(c, layout, interval, run.findings) for c in schedule.hold_criteria
        ]
        by_key = {h.track.crit.key: h for h in self.holds}
        self.throughout = [
            ThroughoutJudge(c, layout, latest, by_key[c.during])
            for c in schedule.extra
            if isinstance(c, ThroughoutCriterion)
        ]
        self.ramps = [
            RampJudge(c, layout, latest, run.interruptions)
            for c in schedule.extra
            if isinstance(c, RampCriterion)
        ]
        # the hot path's lists: the tracks (never replaced), each with the watch over its probes
        self._tracks = [h.track for h in self.holds]
        self._watched = list(zip(self._tracks, self.watches, strict=True))
        self._parts: list[Outcome] = [*self.holds, *self.throughout, *self.ramps]
        run.indeterminate = self._installed_check()
        if run.indeterminate is not None:
            run.verdict = Verdict.INDETERMINATE

    def _installed_check(self) -> IndeterminateCause | None:
        for crit in self.schedule.criteria:
            lo, hi = self.layout.slots(crit.role)
            if hi - lo < crit.min_probes:
                return IndeterminateCause.TOO_FEW_PROBES_INSTALLED
        return None

    # -- one sample group ------------------------------------------------------------------

    def step(self, t: int, group: Group) -> None:
        """Take the readings at instant ``t`` (aligned with the layout's slots)."""
        run = self.run
        if run.verdict is not None:
            return
        latest = run.latest
        is_sample = latest.take(t, group)
        for ramp in self.ramps:
            ramp.note(t, group)
        if not is_sample:
            return
        run.sample_count += 1
        run.last_judged = t
        first = run.first_sample is None
        if first:
            run.first_sample = t
            failed = check_preconditions(
                self.schedule.preconditions,
                self.layout,
                latest,
                t,
                run.interruptions,
                run.findings,
            )
            if failed is not None:
                run.fail(failed, t)
                return
        prev = run.prev_sample
        gap = prev is not None and t - prev > self.interval
        for hold in self.holds:
            failed = hold.judge(t, prev, gap, first, group)
            if failed is not None:
                run.fail(failed, t)
                return
        for condition in self.throughout:
            failed = condition.judge(t, group)
            if failed is not None:
                run.fail(failed, t)
                return
        for ramp in self.ramps:
            failed = ramp.judge(t, group)
            if failed is not None:
                run.fail(failed, t)
                return
        latest_t, latest_v = latest.t, latest.v
        for track, watch in self._watched:
            watch.watch(t, group, track.holds, track.first_hold_start, latest_t, latest_v)
        run.prev_sample = t
        for track in self._tracks:
            if track.satisfied_now is None:
                return
        self._pass(t)

    def _pass(self, t: int) -> None:
        """Every hold criterion is satisfied at ``t`` (§3.2, §3.6)."""
        for hold, watch in zip(self.holds, self.watches, strict=True):
            satisfied = hold.track.satisfied_now
            assert satisfied is not None
            watch.hold_findings(satisfied[0], satisfied[1], t)
        self.run.passed = self.holds[0].track.satisfied_now
        self.run.verdict = Verdict.PASS

    # -- what it says ------------------------------------------------------------------------

    def judgement(self, *, complete: bool, extra_findings: Sequence[Finding] = ()) -> Judgement:
        """The judgement so far; with ``complete`` the log has ended (§3.3)."""
        return judgement_of(
            self.run,
            self._tracks,
            self._parts,
            complete=complete,
            extra_findings=extra_findings,
        )

    def state(self, *, now: int | None, extra_findings: Sequence[Finding] = ()) -> LiveState:
        """The live state so far (§3.3); ``now`` is the server's clock."""
        return live_state_of(
            self.run, self._tracks, self._parts, now=now, extra_findings=extra_findings
        )
