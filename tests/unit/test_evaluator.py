"""The rules of treatments.md §3.1-§3.3, one test per rule (expectations derived by hand)."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from runlogs import (
    PRODUCT3,
    T0,
    at,
    judge,
    minutes,
    rows,
    schedule,
    steady,
    varied,
)

from phytowatch.domain.instants import US_PER_D, US_PER_H, US_PER_MIN, US_PER_S
from phytowatch.domain.judgement.judge import Judge
from phytowatch.domain.judgement.verdict import (
    FindingKind,
    IndeterminateCause,
    Reason,
    Verdict,
)
from phytowatch.domain.readings import Reading
from phytowatch.domain.schedule import Role, Schedule
from phytowatch.schedules import parse_schedule

HT = schedule("ispm15-ht")  # heat, 56.0 °C for 30 min, 3 probes, 5 min, restart
COLD = schedule("au-cold-citrus-medfly")  # 1.11/14 d, 1.67/16 d, 2.22/18 d, 3.00/20 d, 1 h
C123 = ["C1", "C2", "C3"]
HOT = [60.0, 60.3, 60.6]  # well above 56.0, never identical
CHILLED = [0.3, 0.5, 0.7]  # at or below every cold step


def hours(start: float, stop: float, step: float = 1) -> list[int]:
    return [t for t in minutes(start * 60, stop * 60, step * 60)]


# -- §3.1 compliance at one sample time -------------------------------------------------------


def test_equality_with_the_threshold_complies() -> None:
    result = judge(HT, steady(C123, T0, at(30), US_PER_MIN, [56.0, 56.0, 56.0]))
    assert result.verdict is Verdict.PASS
    assert result.hold_start == T0
    assert result.hold_end == at(30)
    assert result.step is not None
    assert (result.step.index, result.step.threshold, result.step.duration) == (
        0,
        56.0,
        30 * US_PER_MIN,
    )


def test_equality_with_a_cold_threshold_complies() -> None:
    readings = steady(C123, T0, T0 + 14 * US_PER_D, US_PER_H, [1.11, 1.11, 1.11])
    result = judge(COLD, readings)
    assert result.verdict is Verdict.PASS
    assert result.step is not None and result.step.index == 0
    assert result.hold_end == T0 + 14 * US_PER_D


def test_a_value_a_millionth_below_the_threshold_does_not_comply() -> None:
    readings = varied(C123, minutes(0, 40), [60.0, 60.3, 60.6])
    readings = [Reading(r.probe, r.t, 55.999999) if r.probe == "C1" else r for r in readings]
    result = judge(HT, readings)
    assert result.verdict is Verdict.FAIL
    assert result.longest_hold == 0
    assert result.interruptions == ()


def test_a_hold_a_microsecond_short_of_the_duration_is_not_satisfied() -> None:
    times = [*minutes(0, 29), at(30) - 1]
    short = judge(HT, varied(C123, times, HOT))
    assert short.verdict is Verdict.FAIL
    assert short.longest_hold == 30 * US_PER_MIN - 1
    complete = judge(HT, varied(C123, [*times, at(30)], HOT))
    assert complete.verdict is Verdict.PASS
    assert complete.hold_end == at(30)


def test_the_governing_value_is_the_minimum_for_heat() -> None:
    # the average (65.3) would comply; the minimum (55.9) does not
    readings = varied(C123, minutes(0, 40), [55.9, 70.0, 70.0], amp=0.0)
    result = judge(HT, readings)
    assert result.verdict is Verdict.FAIL
    assert result.longest_hold == 0
    # and a hold running on all three breaks when only the coldest probe drops
    readings = varied(C123, minutes(0, 41), HOT)
    readings = [
        Reading("C2", r.t, 55.9) if (r.probe, r.t) == ("C2", at(10)) else r for r in readings
    ]
    result = judge(HT, readings)
    assert [(i.at, i.step, i.reason, i.probes) for i in result.interruptions] == [
        (at(10), 0, Reason.BELOW_THRESHOLD, ("C2",))
    ]
    assert result.hold_start == at(11)


def test_the_governing_value_is_the_maximum_for_cold() -> None:
    # the average of 0.5, 0.5, 2.0 is 1.0 (step 0 would be met); the maximum 2.0 meets step 2 only
    readings = steady(C123, T0, T0 + 18 * US_PER_D, US_PER_H, [0.5, 0.5, 2.0])
    result = judge(COLD, readings)
    assert result.verdict is Verdict.PASS
    assert result.step is not None
    assert (result.step.index, result.step.threshold) == (2, 2.22)
    assert result.hold_start == T0
    assert result.hold_end == T0 + 18 * US_PER_D


def test_every_valid_probe_counts_beyond_min_probes() -> None:
    probes = {**PRODUCT3, "C4": "product"}
    readings = varied(["C1", "C2", "C3", "C4"], minutes(0, 40), [60.0, 60.3, 60.6, 55.5])
    result = judge(HT, readings, probes)
    assert result.verdict is Verdict.FAIL
    assert result.longest_hold == 0


def test_a_probe_older_than_the_interval_is_not_valid() -> None:
    # C4 reads 50.0 once at T0 and then falls silent: it governs (and blocks compliance) while
    # its reading is at most 5 min old, i.e. up to and including 5 min, not after.
    probes = {**PRODUCT3, "C4": "product"}
    readings = [*varied(C123, minutes(0, 40), HOT), Reading("C4", T0, 50.0)]
    result = judge(HT, readings, probes)
    assert result.verdict is Verdict.PASS
    assert result.hold_start == at(6)
    assert result.hold_end == at(36)
    excluded = [f for f in result.findings if f.kind is FindingKind.PROBE_EXCLUDED]
    assert [(f.probe, f.start, dict(f.detail)) for f in excluded] == [
        ("C4", at(6), {"cause": "gap"})
    ]


def test_a_reading_exactly_the_interval_old_is_still_valid() -> None:
    # C3 reads every 5 min only; C1 and C2 every minute. C3 is exactly 5 min old at 5, 10, ...
    # minus one minute: never older than the interval, so the hold never breaks.
    readings = [
        *varied(["C1", "C2"], minutes(0, 30), [60.0, 60.3]),
        *varied(["C3"], minutes(0, 30, 5), [60.6]),
    ]
    result = judge(HT, readings)
    assert result.verdict is Verdict.PASS
    assert (result.hold_start, result.hold_end) == (T0, at(30))
    assert result.interruptions == ()
    assert result.findings == ()


@pytest.mark.parametrize(
    ("c3_readings", "cause"),
    [
        ([Reading("C3", at(10), None, "ERR")], "fault"),
        ([Reading("C3", at(10), float("nan"))], "fault"),
        ([], "gap"),  # C3 silent from 10 min: at 15 min its 9 min reading is 6 min old
    ],
)
def test_too_few_valid_probes_breaks_the_hold_with_too_few_probes(
    c3_readings: list[Reading], cause: str
) -> None:
    times = minutes(0, 50)
    readings = varied(C123, times, HOT)
    if cause == "fault":
        readings = [r for r in readings if (r.probe, r.t) != ("C3", at(10))] + c3_readings
        broken_at, restart = at(10), at(11)
    else:
        readings = [r for r in readings if not (r.probe == "C3" and at(10) <= r.t < at(20))]
        broken_at, restart = at(15), at(20)
    result = judge(HT, readings)
    assert [(i.at, i.step, i.reason, dict(i.causes)) for i in result.interruptions] == [
        (broken_at, 0, Reason.TOO_FEW_PROBES, {"C3": cause})
    ]
    assert result.interruptions[0].probes == ("C3",)
    assert result.verdict is Verdict.PASS
    assert result.hold_start == restart
    assert result.hold_end == restart + 30 * US_PER_MIN


def test_an_invalid_probe_beside_enough_valid_ones_is_a_probe_excluded_finding() -> None:
    probes = {**PRODUCT3, "C4": "product"}
    readings = varied(["C1", "C2", "C3", "C4"], minutes(0, 30), [*HOT, 60.9])
    readings = [r for r in readings if (r.probe, r.t) != ("C4", at(10))]
    readings.append(Reading("C4", at(10), None, "open"))
    result = judge(HT, readings, probes)
    assert result.verdict is Verdict.PASS
    assert (result.hold_start, result.hold_end) == (T0, at(30))
    assert result.interruptions == ()
    assert [(f.kind, f.probe, f.start, f.end, dict(f.detail)) for f in result.findings] == [
        (FindingKind.PROBE_EXCLUDED, "C4", at(10), at(10), {"cause": "fault"})
    ]
    assert result.review_required is True


# -- §3.2 continuity and the hold --------------------------------------------------------------


def test_a_gap_longer_than_the_interval_breaks_the_hold() -> None:
    later = at(15) + 1  # 5 min + 1 µs after the sample at 10 min
    times = [*minutes(0, 10), later, *(later + k * US_PER_MIN for k in range(1, 31))]
    result = judge(HT, varied(C123, times, HOT))
    assert [(i.at, i.step, i.reason) for i in result.interruptions] == [(later, 0, Reason.GAP)]
    # the later sample of the gap complies, so it starts the new hold
    assert result.verdict is Verdict.PASS
    assert result.hold_start == later
    assert result.hold_end == later + 30 * US_PER_MIN
    assert result.longest_hold == 30 * US_PER_MIN


def test_a_gap_of_exactly_the_interval_does_not_break_the_hold() -> None:
    times = [*minutes(0, 10), *minutes(15, 30)]
    result = judge(HT, varied(C123, times, HOT))
    assert result.interruptions == ()
    assert (result.verdict, result.hold_start, result.hold_end) == (Verdict.PASS, T0, at(30))


def test_restart_starts_a_new_hold_after_a_break() -> None:
    readings = varied(C123, minutes(0, 45), HOT)
    readings = [
        Reading("C2", r.t, 50.0) if (r.probe, r.t) == ("C2", at(11)) else r for r in readings
    ]
    result = judge(HT, readings)
    assert [(i.at, i.reason, i.probes) for i in result.interruptions] == [
        (at(11), Reason.BELOW_THRESHOLD, ("C2",))
    ]
    assert result.verdict is Verdict.PASS
    assert (result.hold_start, result.hold_end) == (at(12), at(42))
    assert result.longest_hold == 30 * US_PER_MIN


def _fail_mode_ht() -> Schedule:
    """ispm15-ht as a site's own copy with ``on_interruption: fail``."""
    raw = (resources.files("phytowatch.schedules") / "data" / "ispm15-ht.json").read_text()
    data = json.loads(raw)
    data["id"] = "ispm15-ht-strict"
    data["on_interruption"] = "fail"
    return parse_schedule(data, "ispm15-ht-strict.json")


def test_on_interruption_fail_ends_the_run() -> None:
    strict = _fail_mode_ht()
    readings = varied(C123, minutes(0, 60), HOT)
    readings = [
        Reading("C1", r.t, 50.0) if (r.probe, r.t) == ("C1", at(10)) else r for r in readings
    ]
    result = judge(strict, readings)
    assert result.verdict is Verdict.FAIL
    assert result.fail_reason is Reason.BELOW_THRESHOLD
    assert result.fail_at == at(10)
    assert result.hold_start is None and result.step is None
    # the same log under restart passes on the hold from 11 min
    assert judge(HT, readings).hold_start == at(11)


def test_on_interruption_fail_does_not_fail_before_the_hold_began() -> None:
    strict = _fail_mode_ht()
    readings = varied(C123, minutes(0, 50), HOT)
    readings = [
        Reading("C1", r.t, 50.0) if r.probe == "C1" and r.t <= at(10) else r for r in readings
    ]
    result = judge(strict, readings)
    assert result.verdict is Verdict.PASS
    assert (result.hold_start, result.hold_end) == (at(11), at(41))


def test_a_value_above_step_one_keeps_the_hold_of_a_higher_step() -> None:
    # 1.5 °C once every 5 days: above step 0 (1.11), within step 1 (1.67)
    times = hours(0, 16 * 24)
    readings = varied(C123, times, CHILLED)
    spikes = {T0 + d * US_PER_D for d in (5, 10, 15)}
    readings = [
        Reading(r.probe, r.t, 1.5) if r.probe == "C3" and r.t in spikes else r for r in readings
    ]
    result = judge(COLD, readings)
    assert [(i.at, i.step, i.reason, i.probes) for i in result.interruptions] == [
        (t, 0, Reason.ABOVE_THRESHOLD, ("C3",)) for t in sorted(spikes)
    ]
    assert result.verdict is Verdict.PASS
    assert result.step is not None and result.step.index == 1
    assert (result.hold_start, result.hold_end) == (T0, T0 + 16 * US_PER_D)
    assert result.longest_hold == 16 * US_PER_D


def test_a_value_above_the_top_step_breaks_every_hold() -> None:
    spike = T0 + 5 * US_PER_D
    readings = varied(C123, hours(0, 20 * 24), CHILLED)
    readings = [Reading("C1", r.t, 3.5) if (r.probe, r.t) == ("C1", spike) else r for r in readings]
    result = judge(COLD, readings)
    assert [(i.at, i.step, i.reason) for i in result.interruptions] == [
        (spike, step, Reason.ABOVE_THRESHOLD) for step in range(4)
    ]
    assert result.verdict is Verdict.PASS
    assert result.step is not None and result.step.index == 0
    assert result.hold_start == spike + US_PER_H
    assert result.hold_end == spike + US_PER_H + 14 * US_PER_D


@pytest.mark.parametrize(
    ("warm_days", "step", "start", "end_days"),
    [
        (1, 0, T0 + 1 * US_PER_D, 15),  # step 0 from day 1 ends at day 15, before step 1 (day 16)
        (3, 1, T0, 16),  # step 0 from day 3 would end at day 17; step 1 from day 0 ends at 16
    ],
)
def test_the_run_passes_on_the_first_step_satisfied(
    warm_days: int, step: int, start: int, end_days: int
) -> None:
    readings = varied(C123, hours(0, 20 * 24), CHILLED)
    warm_until = T0 + warm_days * US_PER_D
    readings = [
        Reading("C2", r.t, 1.5) if r.probe == "C2" and r.t < warm_until else r for r in readings
    ]
    result = judge(COLD, readings)
    assert result.verdict is Verdict.PASS
    assert result.step is not None and result.step.index == step
    assert (result.hold_start, result.hold_end) == (start, T0 + end_days * US_PER_D)


def test_the_treatment_start_is_when_all_pulp_probes_have_reached_the_temperature() -> None:
    # C3 cools down last: timing starts when it reaches 1.11 °C (at 10 h), not before
    readings = varied(C123, hours(0, 15 * 24), CHILLED)
    readings = [
        Reading("C3", r.t, 1.12 + (10 * US_PER_H - (r.t - T0)) / US_PER_H)
        if r.probe == "C3" and r.t < T0 + 10 * US_PER_H
        else r
        for r in readings
    ]
    result = judge(COLD, readings)
    assert result.verdict is Verdict.PASS
    assert result.hold_start == T0 + 10 * US_PER_H
    assert result.step is not None and result.step.index == 0


def test_judgement_stops_at_the_first_satisfied_sample() -> None:
    readings = varied(C123, minutes(0, 30), HOT)
    later = [
        *varied(C123, minutes(31, 60), [40.0, 40.3, 40.6]),
        Reading("C1", at(61), None, "ERR"),
    ]
    result = judge(HT, readings + later)
    assert result.verdict is Verdict.PASS
    assert (result.hold_start, result.hold_end) == (T0, at(30))
    assert result.interruptions == ()
    assert result.longest_hold == 30 * US_PER_MIN
    assert result.last_sample == at(30)


def test_longest_hold_is_the_longest_hold_reached_by_any_step() -> None:
    readings = varied(C123, minutes(0, 60), HOT)
    low = {at(12), at(30)}  # holds: 0-11 (11 min), 13-29 (16 min), 31-60 (29 min)
    readings = [Reading("C1", r.t, 50.0) if r.probe == "C1" and r.t in low else r for r in readings]
    result = judge(HT, readings)
    assert result.verdict is Verdict.FAIL
    assert result.longest_hold == 29 * US_PER_MIN
    assert [i.at for i in result.interruptions] == [at(12), at(30)]


# -- §3.3 verdicts -----------------------------------------------------------------------------


def test_a_complete_log_without_a_satisfied_step_fails() -> None:
    result = judge(HT, varied(C123, minutes(0, 20), HOT))
    assert result.verdict is Verdict.FAIL
    assert result.step is None and result.hold_start is None and result.hold_end is None
    assert result.longest_hold == 20 * US_PER_MIN
    assert result.indeterminate_cause is None


def test_fewer_judged_probes_installed_than_min_probes_is_indeterminate() -> None:
    probes: dict[str, Role] = {"C1": "product", "C2": "product", "A1": "air", "A2": "air"}
    readings = varied(["C1", "C2", "A1", "A2"], minutes(0, 40), [60.0, 60.3, 60.6, 60.9])
    result = judge(HT, readings, probes)
    assert result.verdict is Verdict.INDETERMINATE
    assert result.indeterminate_cause is IndeterminateCause.TOO_FEW_PROBES_INSTALLED


def test_a_run_without_readings_is_indeterminate() -> None:
    result = judge(HT, [])
    assert result.verdict is Verdict.INDETERMINATE
    assert result.indeterminate_cause is IndeterminateCause.NO_READINGS


def test_readings_that_do_not_cover_the_judged_role_are_indeterminate() -> None:
    probes = {**PRODUCT3, "A1": "air"}
    result = judge(HT, varied(["A1"], minutes(0, 40), [60.0]), probes)
    assert result.verdict is Verdict.INDETERMINATE
    assert result.indeterminate_cause is IndeterminateCause.ROLE_NOT_COVERED


def test_a_pass_without_findings_needs_no_review() -> None:
    result = judge(HT, varied(C123, minutes(0, 30), HOT))
    assert result.verdict is Verdict.PASS
    assert result.findings == ()
    assert result.review_required is False


def test_interruption_probes_name_the_offending_probes_only() -> None:
    readings = varied(["C1", "C2", "C3"], minutes(0, 45), HOT)
    readings = [
        Reading(r.probe, r.t, 50.0) if r.t == at(5) and r.probe in {"C1", "C3"} else r
        for r in readings
    ]
    result = judge(HT, readings)
    assert [(i.at, i.probes) for i in result.interruptions] == [(at(5), ("C1", "C3"))]


def test_sample_times_are_every_distinct_timestamp_of_a_judged_probe() -> None:
    # each probe at its own second; air readings are not sample times for a product schedule
    probes = {**PRODUCT3, "A1": "air"}
    readings = [
        *rows(["C1"], ((t, [60.0 + (t - T0) / US_PER_H]) for t in minutes(0, 30))),
        *rows(["C2"], ((t + US_PER_S, [60.3 + (t - T0) / US_PER_H]) for t in minutes(0, 30))),
        *rows(["C3"], ((t + 2 * US_PER_S, [60.6 + (t - T0) / US_PER_H]) for t in minutes(0, 30))),
        *rows(["A1"], ((t + 3 * US_PER_S, [70.0 + (t - T0) / US_PER_H]) for t in minutes(0, 30))),
    ]
    j = Judge(HT, probes)
    j.feed(sorted(readings, key=lambda r: r.t))
    result = j.result()
    assert result.sample_count == 31 * 3
    # the first instant at which all three are valid is T0 + 2 s
    assert result.hold_start == T0 + 2 * US_PER_S
    assert result.hold_end == at(30) + 2 * US_PER_S
