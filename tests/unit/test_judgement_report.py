"""The report alone: the judgement and the live state built from a run's state, set by hand
(treatments.md §3.3, §4). Nothing is judged here."""

from __future__ import annotations

from types import MappingProxyType

from runlogs import at, schedule

from phytowatch.domain.instants import US_PER_MIN
from phytowatch.domain.judgement.hold import HoldTrack
from phytowatch.domain.judgement.latest import LatestReadings
from phytowatch.domain.judgement.layout import Layout
from phytowatch.domain.judgement.report import RunState, judgement_of, live_state_of
from phytowatch.domain.judgement.verdict import (
    CriterionOutcome,
    Finding,
    FindingKind,
    IndeterminateCause,
    Phase,
    Reason,
    StepRef,
    Verdict,
)
from phytowatch.domain.schedule import Schedule

HT = schedule("ispm15-ht")
COLD = schedule("au-cold-citrus-medfly")
VHT = schedule("vht-papaya-pt21")
LAYOUT = Layout.build([("C1", "product"), ("C2", "product"), ("C3", "product")], ["product"])


def run_of(sched: Schedule, *, taken: int = 0, samples: int = 0) -> RunState:
    latest = LatestReadings(3, sched.max_sample_interval, LAYOUT.sample_slots)
    latest.taken = taken
    run = RunState(sched, latest, sample_count=samples)
    if samples:
        run.first_sample, run.prev_sample, run.last_judged = at(0), at(samples - 1), at(samples - 1)
    return run


def track_of(sched: Schedule) -> HoldTrack:
    return HoldTrack.of(sched.primary, LAYOUT)


class Said:
    """A criterion's part that notes when it was told the run passed, and says it was met then."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.asked: list[int | None] = []

    def outcome(self, passed_at: int | None) -> CriterionOutcome:
        self.asked.append(passed_at)
        return CriterionOutcome(self.key, "ramp", "air", passed_at is not None, met_at=passed_at)


def test_a_complete_log_without_a_single_reading_is_indeterminate_no_readings() -> None:
    judgement = judgement_of(run_of(HT), [track_of(HT)], [], complete=True)
    assert judgement.verdict is Verdict.INDETERMINATE
    assert judgement.indeterminate_cause is IndeterminateCause.NO_READINGS


def test_a_complete_log_whose_readings_make_no_sample_time_does_not_cover_the_role() -> None:
    judgement = judgement_of(run_of(HT, taken=12), [track_of(HT)], [], complete=True)
    assert judgement.verdict is Verdict.INDETERMINATE
    assert judgement.indeterminate_cause is IndeterminateCause.ROLE_NOT_COVERED


def test_a_complete_log_with_no_step_satisfied_fails_and_says_how_close_it_came() -> None:
    track = track_of(HT)
    track.longest = 29 * US_PER_MIN
    judgement = judgement_of(run_of(HT, taken=90, samples=30), [track], [], complete=True)
    assert judgement.verdict is Verdict.FAIL
    assert judgement.fail_reason is None
    assert judgement.longest_hold == 29 * US_PER_MIN
    assert (judgement.step, judgement.hold_start, judgement.hold_end) == (None, None, None)


def test_an_undecided_run_that_goes_on_has_no_verdict_yet() -> None:
    judgement = judgement_of(run_of(HT, taken=90, samples=30), [track_of(HT)], [], complete=False)
    assert judgement.verdict is None
    assert (judgement.first_sample, judgement.last_sample) == (at(0), at(29))
    assert judgement.sample_count == 30


def test_a_pass_names_the_step_and_the_hold_that_satisfied_the_primary_criterion() -> None:
    run = run_of(COLD, taken=900, samples=300)
    run.verdict, run.passed = Verdict.PASS, (1, at(10), at(10 + 16 * 24 * 60))
    judgement = judgement_of(run, [track_of(COLD)], [], complete=True)
    step = COLD.primary.steps[1]
    assert judgement.step == StepRef(1, step.threshold, step.duration)
    assert (judgement.hold_start, judgement.hold_end) == (at(10), at(10 + 16 * 24 * 60))


def test_findings_are_listed_by_start_then_kind_then_probe_and_the_adapters_ones_join() -> None:
    run = run_of(HT, taken=90, samples=30)
    run.findings.add(Finding(FindingKind.FLATLINE, "C2", at(5), at(9)))
    run.findings.add(Finding(FindingKind.FLATLINE, "C1", at(5), at(9)))
    clock = Finding(FindingKind.CLOCK, "C3", at(1), at(2))
    judgement = judgement_of(run, [track_of(HT)], [], complete=True, extra_findings=[clock])
    assert [(f.kind, f.probe) for f in judgement.findings] == [
        (FindingKind.CLOCK, "C3"),
        (FindingKind.FLATLINE, "C1"),
        (FindingKind.FLATLINE, "C2"),
    ]
    assert judgement.review_required


def test_each_criterion_says_its_own_outcome_only_for_a_schedule_of_several() -> None:
    said = Said("air_ramp")
    run = run_of(VHT, taken=90, samples=30)
    run.verdict = Verdict.FAIL
    judgement = judgement_of(run, [track_of(VHT)], [said], complete=True)
    assert [c.key for c in judgement.criteria] == ["air_ramp"]
    assert said.asked == [None]
    run.verdict, run.passed = Verdict.PASS, (0, at(5), at(25))
    judgement_of(run, [track_of(VHT)], [said], complete=True)
    assert said.asked == [None, at(25)]  # a PASS tells each criterion when the run passed
    single = judgement_of(run_of(HT), [track_of(HT)], [Said("product")], complete=False)
    assert single.criteria == ()


def test_a_live_run_with_every_hold_criterion_holding_shows_progress_and_earliest_end() -> None:
    run = run_of(COLD, taken=30, samples=10)
    track = track_of(COLD)
    track.holds = [None, at(2), at(0), None]
    track.governing = 1.5
    state = live_state_of(run, [track], [], now=at(10))
    assert state.phase is Phase.HOLDING
    assert [(h.step, h.hold_start, h.elapsed) for h in state.holds] == [
        (1, at(2), at(9) - at(2)),
        (2, at(0), at(9) - at(0)),
    ]
    steps = COLD.primary.steps
    assert state.earliest_end == min(at(2) + steps[1].duration, at(0) + steps[2].duration)
    assert state.governing == MappingProxyType({COLD.primary.key: 1.5})
    assert (state.last_sample, state.stale) == (at(9), False)


def test_the_earliest_end_waits_for_every_hold_criterion_to_hold() -> None:
    run = run_of(VHT, taken=30, samples=10)
    core, air = track_of(VHT), HoldTrack.of(VHT.hold_criteria[1], LAYOUT)
    core.holds = [at(3)]
    state = live_state_of(run, [core, air], [], now=at(9))
    assert state.phase is Phase.HOLDING
    assert state.earliest_end is None


def test_a_live_run_with_no_hold_running_is_waiting() -> None:
    state = live_state_of(run_of(HT, taken=30, samples=10), [track_of(HT)], [], now=at(9))
    assert (state.phase, state.holds, state.earliest_end) == (Phase.WAITING, (), None)


def test_a_live_run_is_stale_once_now_is_more_than_the_interval_past_its_last_sample() -> None:
    run = run_of(HT, taken=30, samples=10)  # last sample at 9 min; the interval is 5 min
    assert not live_state_of(run, [track_of(HT)], [], now=at(14)).stale
    assert live_state_of(run, [track_of(HT)], [], now=at(14) + 1).stale


def test_a_decided_run_shows_its_verdict_as_its_phase_and_no_running_hold() -> None:
    run = run_of(HT, taken=30, samples=10)
    run.fail(Reason.BELOW_THRESHOLD, at(9))
    run.fail(Reason.GAP, at(10))  # the first decision stands
    track = track_of(HT)
    track.holds = [at(8)]  # as left when the run failed
    state = live_state_of(run, [track], [], now=at(9))
    assert (state.phase, state.holds, state.earliest_end) == (Phase.FAIL, (), None)
    assert (state.judgement.fail_reason, state.judgement.fail_at) == (Reason.BELOW_THRESHOLD, at(9))
