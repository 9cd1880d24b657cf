"""What is said about a run: the judgement (treatments.md §3.3, §4) and live progress, built from
the state the evaluator and its parts leave after each sample time. Nothing here judges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from phytowatch.domain.judgement.findings import FindingLog
from phytowatch.domain.judgement.hold import HoldTrack
from phytowatch.domain.judgement.latest import LatestReadings
from phytowatch.domain.judgement.verdict import (
    CriterionOutcome,
    Finding,
    HoldProgress,
    IndeterminateCause,
    Interruption,
    Judgement,
    LiveState,
    Phase,
    Reason,
    StepRef,
    Verdict,
)
from phytowatch.domain.schedule import Schedule


@dataclass(slots=True)
class RunState:
    """The run as a whole: its readings so far, its logs, and the verdict once decided."""

    schedule: Schedule
    latest: LatestReadings
    interruptions: list[Interruption] = field(default_factory=list)
    findings: FindingLog = field(default_factory=FindingLog)
    verdict: Verdict | None = None
    fail_reason: Reason | None = None
    fail_at: int | None = None
    indeterminate: IndeterminateCause | None = None
    passed: tuple[int, int, int] | None = None  # the primary criterion's (step, start, end)
    first_sample: int | None = None
    prev_sample: int | None = None  # the last sample time judged to the end
    last_judged: int | None = None  # the last sample time judged, also one that decided
    sample_count: int = 0

    def fail(self, reason: Reason, t: int) -> None:
        if self.verdict is None:
            self.verdict = Verdict.FAIL
            self.fail_reason = reason
            self.fail_at = t


class Outcome(Protocol):
    """A part of the judgement that says how its criterion fared; ``passed_at``: the instant the
    run passed, if it did."""

    def outcome(self, passed_at: int | None) -> CriterionOutcome: ...


def judgement_of(
    run: RunState,
    holds: Sequence[HoldTrack],
    criteria: Sequence[Outcome],
    *,
    complete: bool,
    extra_findings: Sequence[Finding] = (),
) -> Judgement:
    """The judgement so far; with ``complete`` the log has ended (§3.3). ``holds``: the tracks of
    the hold criteria, the primary first; ``criteria``: every criterion's part, in the order the
    report lists them (only a schedule of several criteria lists them)."""
    schedule = run.schedule
    verdict = run.verdict
    cause = run.indeterminate
    if verdict is None and complete:
        if run.latest.taken == 0:
            verdict, cause = Verdict.INDETERMINATE, IndeterminateCause.NO_READINGS
        elif run.sample_count == 0:
            verdict, cause = Verdict.INDETERMINATE, IndeterminateCause.ROLE_NOT_COVERED
        else:
            verdict = Verdict.FAIL
    primary = holds[0]
    step = hold_start = hold_end = None
    if verdict is Verdict.PASS and run.passed is not None:
        index, hold_start, hold_end = run.passed
        s = primary.crit.steps[index]
        step = StepRef(index, s.threshold, s.duration)
    findings = (*run.findings.items, *extra_findings)
    passed_at = hold_end if verdict is Verdict.PASS else None
    return Judgement(
        verdict=verdict,
        schedule_id=schedule.id,
        schedule_version=schedule.version,
        params=schedule.resolved_params,
        step=step,
        hold_start=hold_start,
        hold_end=hold_end,
        longest_hold=primary.longest,
        interruptions=tuple(run.interruptions),
        findings=tuple(sorted(findings, key=lambda f: (f.start, f.kind, f.probe or ""))),
        fail_reason=run.fail_reason,
        fail_at=run.fail_at,
        indeterminate_cause=cause,
        criteria=tuple(c.outcome(passed_at) for c in criteria) if schedule.extra else (),
        first_sample=run.first_sample,
        last_sample=run.last_judged,
        sample_count=run.sample_count,
    )


def live_state_of(
    run: RunState,
    holds: Sequence[HoldTrack],
    criteria: Sequence[Outcome],
    *,
    now: int | None,
    extra_findings: Sequence[Finding] = (),
) -> LiveState:
    """The live state (§3.3): the judgement so far, each running hold's progress and the
    earliest instant every hold criterion can be satisfied; ``now`` is the server's clock."""
    judgement = judgement_of(run, holds, criteria, complete=False, extra_findings=extra_findings)
    last = run.prev_sample
    progress: list[HoldProgress] = []
    ends: list[int] = []  # per hold criterion holding now, the earliest end of its running holds
    if judgement.verdict is not None:
        phase = Phase(judgement.verdict.value)
    else:
        for track in holds:
            steps = track.crit.steps
            end: int | None = None
            for index, start in enumerate(track.holds):
                if start is None:
                    continue
                step = steps[index]
                due = start + step.duration
                if end is None or due < end:
                    end = due
                if last is not None:
                    progress.append(
                        HoldProgress(
                            track.crit.key,
                            index,
                            step.threshold,
                            start,
                            last - start,
                            step.duration,
                        )
                    )
            if end is not None:
                ends.append(end)
        phase = Phase.HOLDING if ends else Phase.WAITING
    # the schedule can be satisfied once every hold criterion's first running hold is due
    earliest_end = max(ends) if phase is Phase.HOLDING and len(ends) == len(holds) else None
    judged = run.last_judged
    interval = run.schedule.max_sample_interval
    return LiveState(
        phase=phase,
        judgement=judgement,
        holds=tuple(progress),
        governing=MappingProxyType({track.crit.key: track.governing for track in holds}),
        last_sample=judged,
        stale=now is not None and judged is not None and now - judged > interval,
        earliest_end=earliest_end,
    )
