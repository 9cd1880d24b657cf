"""One hold criterion judged alone (HoldJudge): holds, breaks, steps, the band (treatments.md
§3.2, §3.4). The evaluator's other parts are not built: each test feeds the judge as the evaluator
does."""

from __future__ import annotations

from collections.abc import Sequence

from runlogs import at, schedule

from phytowatch.domain.instants import US_PER_MIN
from phytowatch.domain.judgement.findings import FindingLog
from phytowatch.domain.judgement.hold import HoldJudge
from phytowatch.domain.judgement.latest import LatestReadings
from phytowatch.domain.judgement.layout import Layout
from phytowatch.domain.judgement.verdict import FindingKind, Interruption, Reason
from phytowatch.domain.schedule import HoldCriterion

HT = schedule("ispm15-ht").primary  # >= 56.0 °C for 30 min, 3 probes, 5 min interval
COLD = schedule("au-cold-citrus-medfly").primary  # <= 1.11 14 d; 1.67 16 d; 2.22 18 d; 3.00 20 d
HWT = schedule("hwt-mango", fruit_class="500g").primary  # 46.1 °C 75 min, band [45.4, 46.1)
NAN = float("nan")


class Fed:
    """A HoldJudge over probes C1..Cn fed sample times as the evaluator feeds it."""

    def __init__(
        self,
        crit: HoldCriterion,
        probes: int = 3,
        *,
        interval: int = 5 * US_PER_MIN,
        fail_mode: bool = False,
    ) -> None:
        layout = Layout.build([(f"C{i}", crit.role) for i in range(1, probes + 1)], [crit.role])
        self.latest = LatestReadings(probes, interval, layout.sample_slots)
        self.interval = interval
        self.interruptions: list[Interruption] = []
        self.findings = FindingLog()
        self.judge = HoldJudge(
            crit, layout, self.latest, self.interruptions, self.findings, fail_mode=fail_mode
        )
        self.prev: int | None = None

    def sample(self, minute: float, values: Sequence[float | None]) -> Reason | None:
        t = at(minute)
        self.latest.take(t, list(values))
        prev = self.prev
        gap = prev is not None and t - prev > self.interval
        failed = self.judge.judge(t, prev, gap, prev is None, list(values))
        self.prev = t
        return failed

    def minutes(self, first: int, last: int, values: Sequence[float | None]) -> None:
        for minute in range(first, last + 1):
            assert self.sample(minute, values) is None


def test_a_hold_starts_at_the_first_complying_sample_and_is_satisfied_after_its_duration() -> None:
    fed = Fed(HT)
    fed.minutes(0, 4, [55.0, 57.0, 57.0])
    fed.minutes(5, 34, [56.2, 57.0, 57.1])
    track = fed.judge.track
    assert track.holds == [at(5)]
    assert track.satisfied_now is None
    assert track.longest == 29 * US_PER_MIN
    fed.sample(35, [56.2, 57.0, 57.1])
    assert track.satisfied_now == (0, at(5), at(35))
    assert track.first_hold_start == at(5)


def test_a_value_equal_to_the_threshold_complies() -> None:
    fed = Fed(HT)
    fed.minutes(0, 30, [56.0, 56.0, 56.0])
    assert fed.judge.track.satisfied_now == (0, at(0), at(30))


def test_a_dip_below_the_threshold_breaks_the_hold_and_names_the_probes_below() -> None:
    fed = Fed(HT)
    fed.minutes(0, 10, [57.0, 57.0, 57.0])
    fed.sample(11, [55.9, 57.0, 55.5])
    assert fed.judge.track.holds == [None]
    assert fed.interruptions == [
        Interruption(at(11), 0, Reason.BELOW_THRESHOLD, ("C1", "C3"), HT.key)
    ]
    fed.sample(12, [57.0, 57.0, 57.0])
    assert fed.judge.track.holds == [at(12)]
    assert fed.judge.track.longest == 10 * US_PER_MIN


def test_under_on_interruption_fail_a_break_fails_the_run_with_its_reason() -> None:
    fed = Fed(HT, fail_mode=True)
    fed.minutes(0, 3, [57.0, 57.0, 57.0])
    assert fed.sample(4, [57.0, 50.0, 57.0]) is Reason.BELOW_THRESHOLD
    assert [i.reason for i in fed.interruptions] == [Reason.BELOW_THRESHOLD]


def test_a_sample_more_than_the_interval_after_the_last_breaks_the_hold_and_may_start_one() -> None:
    fed = Fed(HT)
    fed.minutes(0, 10, [57.0, 57.0, 57.0])
    fed.sample(15, [57.0, 57.0, 57.0])  # exactly 5 min later: no gap
    assert fed.judge.track.holds == [at(0)]
    fed.sample(20 + 1 / 60_000_000, [57.0, 57.0, 57.0])  # 1 µs more than 5 min
    gap = fed.interruptions[0]
    assert (gap.reason, gap.probes) == (Reason.GAP, ())
    assert fed.judge.track.holds == [gap.at]  # the later sample complies: a new hold


def test_too_few_valid_probes_break_the_hold_and_say_why_each_probe_was_not_valid() -> None:
    fed = Fed(HT)
    fed.minutes(0, 4, [57.0, 57.0, 57.0])
    fed.sample(5, [57.0, NAN, None])  # C3 still has its reading of minute 4: valid
    assert fed.judge.track.holds == [None]
    (broken,) = fed.interruptions
    assert broken.reason is Reason.TOO_FEW_PROBES
    assert dict(broken.causes) == {"C2": "fault"}


def test_a_probe_invalid_while_the_others_comply_is_one_probe_excluded_finding() -> None:
    fed = Fed(HT, probes=4)
    fed.minutes(0, 2, [57.0, 57.0, 57.0, 57.0])
    fed.minutes(3, 6, [57.0, 57.0, 57.0, NAN])
    fed.minutes(7, 8, [57.0, 57.0, 57.0, 57.0])
    assert fed.judge.track.holds == [at(0)]
    (excluded,) = fed.findings.items
    assert excluded.kind is FindingKind.PROBE_EXCLUDED
    assert (excluded.probe, excluded.start, excluded.end) == ("C4", at(3), at(6))
    assert dict(excluded.detail) == {"cause": "fault"}


def test_a_cold_value_above_step_one_breaks_only_the_holds_of_the_steps_it_exceeds() -> None:
    fed = Fed(COLD, interval=60 * US_PER_MIN)
    fed.sample(0, [1.0, 1.05, 1.1])
    assert fed.judge.track.holds == [at(0)] * 4
    fed.sample(60, [1.5, 1.05, 1.1])  # above 1.11, within 1.67: step 1 breaks, not the others
    assert fed.judge.track.holds == [None, at(0), at(0), at(0)]
    assert [(i.step, i.reason, i.probes) for i in fed.interruptions] == [
        (0, Reason.ABOVE_THRESHOLD, ("C1",))
    ]
    fed.sample(120, [3.5, 1.05, 1.1])  # above the top step: every hold breaks
    assert fed.judge.track.holds == [None] * 4
    assert [i.step for i in fed.interruptions] == [0, 1, 2, 3]


def test_samples_judged_on_the_steady_path_give_the_same_hold_as_the_full_path() -> None:
    # the same values, once read by every probe at every sample (the steady path) and once with
    # C3 reading every other minute only (the full path at the others): the same hold and end
    steady, full = Fed(HT), Fed(HT)
    for minute in range(0, 31):
        steady.sample(minute, [56.5, 57.0, 57.5])
        full.sample(minute, [56.5, 57.0, 57.5 if minute % 2 == 0 else None])
    for fed in (steady, full):
        assert fed.judge.track.satisfied_now == (0, at(0), at(30))
        assert fed.judge.track.longest == 30 * US_PER_MIN


def test_a_break_caused_by_another_criterion_names_that_criterion() -> None:
    fed = Fed(HT)
    fed.minutes(0, 3, [57.0, 57.0, 57.0])
    fails = fed.judge.break_hold(0, at(3), Reason.BELOW_THRESHOLD, ("H1",), criterion="humidity")
    assert fails is False
    assert fed.interruptions[-1].criterion == "humidity"
    assert fed.judge.track.holds == [None]


def test_hot_water_holds_from_the_first_sample_and_sums_band_time_after_the_grace() -> None:
    fed = Fed(HWT, probes=2, interval=US_PER_MIN, fail_mode=True)
    fed.sample(0, [45.5, 45.6])  # in the band from the start: free during the first 5 min
    assert fed.judge.track.holds == [at(0)]
    for minute in range(1, 16):
        assert fed.sample(minute, [45.5, 45.6]) is None
    assert fed.judge.track.band_used == 10 * US_PER_MIN  # [5, 15): exactly the budget
    assert fed.sample(16, [46.2, 46.3]) is Reason.TOLERANCE_EXCEEDED  # [15, 16) is one too many
    assert fed.interruptions[-1].reason is Reason.TOLERANCE_EXCEEDED


def test_hot_water_below_the_band_breaks_the_run_at_once() -> None:
    fed = Fed(HWT, probes=2, interval=US_PER_MIN, fail_mode=True)
    fed.sample(0, [46.2, 46.3])
    assert fed.sample(1, [45.3, 46.3]) is Reason.BELOW_THRESHOLD
    assert fed.interruptions[-1].probes == ("C1",)


def test_a_criterion_met_by_a_hold_stays_met_after_that_hold_breaks() -> None:
    fed = Fed(HT)
    fed.minutes(0, 40, [57.0, 57.0, 57.0])  # satisfied at 30 min, runs on to 40
    fed.sample(41, [50.0, 57.0, 57.0])
    outcome = fed.judge.outcome(None)
    assert outcome.satisfied
    assert (outcome.hold_start, outcome.met_at, outcome.hold_end) == (at(0), at(30), at(40))
    assert outcome.longest_hold == 40 * US_PER_MIN


def test_a_criterion_whose_holds_never_lasted_their_duration_is_not_met() -> None:
    fed = Fed(HT)
    fed.minutes(0, 29, [57.0, 57.0, 57.0])
    fed.sample(30, [50.0, 57.0, 57.0])
    outcome = fed.judge.outcome(None)
    assert not outcome.satisfied
    assert (outcome.hold_start, outcome.met_at, outcome.hold_end) == (None, None, None)
    assert outcome.longest_hold == 29 * US_PER_MIN


def test_a_later_hold_that_meets_the_criterion_again_is_the_one_reported() -> None:
    fed = Fed(HT)
    fed.minutes(0, 30, [57.0, 57.0, 57.0])
    fed.sample(31, [50.0, 57.0, 57.0])
    fed.minutes(32, 62, [57.0, 57.0, 57.0])
    outcome = fed.judge.outcome(None)
    assert (outcome.hold_start, outcome.met_at, outcome.hold_end) == (at(32), at(62), at(62))
