"""What an evaluator says about its run: live progress, and the judgement (treatments.md §3.3).

A mixin of :class:`~phytowatch.domain.judgement.evaluator.Evaluator`, which holds the state read
here.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

from phytowatch.domain.judgement.findings import FindingLog
from phytowatch.domain.judgement.tracks import HoldTrack
from phytowatch.domain.judgement.verdict import (
    CriterionOutcome,
    Finding,
    HoldProgress,
    IndeterminateCause,
    Interruption,
    Judgement,
    Reason,
    StepRef,
    Verdict,
)
from phytowatch.domain.schedule import RampCriterion, Schedule, ThroughoutCriterion


class JudgementReport:
    """Progress and judgement, read off the evaluator's state."""

    schedule: Schedule
    tracks: list[HoldTrack]
    throughout: list[ThroughoutCriterion]
    throughout_broken: dict[str, int]
    ramps: list[RampCriterion]
    ramp_first: dict[str, int]
    ramp_reached: dict[str, int]
    findings: FindingLog
    interruptions: list[Interruption]
    verdict: Verdict | None
    fail_reason: Reason | None
    fail_at: int | None
    indeterminate: IndeterminateCause | None
    passed: tuple[int, int, int] | None
    prev_sample: int | None
    first_sample: int | None
    last_judged: int | None
    sample_count: int
    readings_seen: int

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
