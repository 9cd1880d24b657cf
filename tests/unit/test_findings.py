"""Findings of treatments.md §3.5: each rule and its boundary; findings never change a verdict."""

from __future__ import annotations

import pytest
from runlogs import PRODUCT3, T0, at, judge, minutes, schedule, varied

from phytowatch.domain.instants import US_PER_H, US_PER_MIN
from phytowatch.domain.judgement.judge import Judge
from phytowatch.domain.judgement.verdict import Finding, FindingKind, Verdict
from phytowatch.domain.readings import Reading

HT = schedule("ispm15-ht")
COLD = schedule("au-cold-citrus-medfly")
C123 = ["C1", "C2", "C3"]
HOT = [60.0, 60.3, 60.6]


def kinds(findings: tuple[Finding, ...], kind: FindingKind) -> list[Finding]:
    return [f for f in findings if f.kind is kind]


def with_values(readings: list[Reading], probe: str, values: dict[int, float]) -> list[Reading]:
    return [
        Reading(r.probe, r.t, values[r.t]) if r.probe == probe and r.t in values else r
        for r in readings
    ]


@pytest.mark.parametrize(("count", "flagged"), [(29, False), (30, True)])
def test_thirty_identical_consecutive_readings_during_a_hold_are_a_flatline(
    count: int, flagged: bool
) -> None:
    readings = varied(C123, minutes(0, 30), HOT)
    flat = minutes(1, count)  # readings 1..count of the hold, all inside it
    readings = with_values(readings, "C1", dict.fromkeys(flat, 61.0))
    result = judge(HT, readings)
    assert result.verdict is Verdict.PASS
    found = kinds(result.findings, FindingKind.FLATLINE)
    if flagged:
        assert [(f.probe, f.start, f.end) for f in found] == [("C1", flat[0], flat[-1])]
        assert result.review_required is True
    else:
        assert found == []
        assert result.findings == ()


def test_identical_readings_before_the_hold_do_not_count_towards_a_flatline() -> None:
    # C1 reads 61.0 for 45 readings, but only 25 of them are inside the hold (C2 is low before)
    readings = varied(C123, minutes(0, 50), HOT)
    readings = with_values(readings, "C1", dict.fromkeys(minutes(0, 44), 61.0))
    readings = with_values(readings, "C2", dict.fromkeys(minutes(0, 19), 50.0))
    result = judge(HT, readings)
    assert result.verdict is Verdict.PASS
    assert result.hold_start == at(20)
    assert kinds(result.findings, FindingKind.FLATLINE) == []


@pytest.mark.parametrize(("rise", "flagged"), [(5.0, False), (5.1, True)])
def test_a_heat_probe_changing_faster_than_5_degrees_per_minute_is_implausible(
    rise: float, flagged: bool
) -> None:
    readings = varied(C123, minutes(0, 30), HOT, amp=0.0)
    readings = with_values(readings, "C1", {t: 60.0 + rise for t in minutes(10, 30)})
    result = judge(HT, readings)
    assert result.verdict is Verdict.PASS  # a finding never changes the verdict
    found = kinds(result.findings, FindingKind.IMPLAUSIBLE_RATE)
    if flagged:
        assert [(f.probe, f.start, f.end) for f in found] == [("C1", at(9), at(10))]
    else:
        assert found == []


def test_a_fast_heat_change_before_the_hold_is_implausible_too() -> None:
    # C1 warms 6 °C in the first minute, then 4 °C per minute: only the first minute is too fast
    readings = varied(C123, minutes(0, 40), HOT)
    warm_up = {at(k): 30.0 + 6 * min(k, 1) + 4 * max(k - 1, 0) for k in range(8)}
    readings = with_values(readings, "C1", warm_up)
    result = judge(HT, readings)
    assert (result.verdict, result.hold_start) == (Verdict.PASS, at(6))  # C1 reads 56.0 at 6 min
    found = kinds(result.findings, FindingKind.IMPLAUSIBLE_RATE)
    assert [(f.probe, f.start, f.end) for f in found] == [("C1", at(0), at(1))]


def _cold_hours(stop_h: int) -> list[int]:
    return [T0 + h * US_PER_H for h in range(stop_h + 1)]


@pytest.mark.parametrize(("to_value", "flagged"), [(1.0, False), (1.01, True)])
def test_a_cold_probe_changing_faster_than_2_degrees_per_hour_after_the_hold_began_is_implausible(
    to_value: float, flagged: bool
) -> None:
    readings = varied(C123, _cold_hours(14 * 24), [0.3, 0.5, 0.7], amp=0.0)
    t_from, t_to = T0 + 48 * US_PER_H, T0 + 49 * US_PER_H
    readings = with_values(readings, "C1", {t_from: -1.0})
    readings = with_values(readings, "C1", {t: to_value for t in _cold_hours(14 * 24) if t >= t_to})
    result = judge(COLD, readings)
    assert result.verdict is Verdict.PASS
    found = kinds(result.findings, FindingKind.IMPLAUSIBLE_RATE)
    if flagged:
        assert [(f.probe, f.start, f.end) for f in found] == [("C1", t_from, t_to)]
    else:
        assert found == []


def test_a_fast_cold_change_before_the_hold_began_is_not_implausible() -> None:
    # pull-down: 10 °C to 0.3 °C in one hour, before any hold
    readings = varied(C123, _cold_hours(15 * 24), [0.3, 0.5, 0.7])
    readings = with_values(readings, "C1", {T0: 10.0})
    result = judge(COLD, readings)
    assert result.verdict is Verdict.PASS
    assert result.hold_start == T0 + US_PER_H
    assert kinds(result.findings, FindingKind.IMPLAUSIBLE_RATE) == []


@pytest.mark.parametrize(("c3_over_air", "flagged"), [(0.2, True), (0.25, False)])
def test_a_product_probe_within_0_2_of_an_air_probe_throughout_the_hold_tracks_air(
    c3_over_air: float, flagged: bool
) -> None:
    probes = {**PRODUCT3, "A1": "air"}
    times = minutes(0, 30)
    readings = varied(["C1", "C2", "A1"], times, [60.0, 60.3, 62.0])
    air = {r.t: r.value for r in readings if r.probe == "A1" and r.value is not None}
    readings += [Reading("C3", t, air[t] + c3_over_air) for t in times]
    result = judge(HT, readings, probes)
    assert result.verdict is Verdict.PASS
    found = kinds(result.findings, FindingKind.TRACKS_AIR)
    if flagged:
        assert [(f.probe, f.start, f.end, f.detail["air"]) for f in found] == [
            ("C3", T0, at(30), "A1")
        ]
    else:
        assert found == []


def test_a_single_sample_further_than_0_2_from_the_air_clears_tracks_air() -> None:
    probes = {**PRODUCT3, "A1": "air"}
    times = minutes(0, 30)
    readings = varied(["C1", "C2", "A1"], times, [60.0, 60.3, 62.0])
    air = {r.t: r.value for r in readings if r.probe == "A1" and r.value is not None}
    readings += [Reading("C3", t, air[t] + (0.5 if t == at(17) else 0.1)) for t in times]
    result = judge(HT, readings, probes)
    assert kinds(result.findings, FindingKind.TRACKS_AIR) == []


@pytest.mark.parametrize("differ_at", [None, 12])
def test_two_probes_identical_at_every_sample_of_the_hold_are_a_duplicate_series(
    differ_at: int | None,
) -> None:
    times = minutes(0, 30)
    readings = varied(["C1", "C3"], times, [60.0, 60.6])
    c1 = {r.t: r.value for r in readings if r.probe == "C1"}
    readings += [
        Reading(
            "C2", t, (c1[t] or 0) + (0.05 if differ_at is not None and t == at(differ_at) else 0)
        )
        for t in times
    ]
    result = judge(HT, readings)
    assert result.verdict is Verdict.PASS
    found = kinds(result.findings, FindingKind.DUPLICATE_SERIES)
    if differ_at is None:
        assert [(f.probe, f.detail["other"], f.start, f.end) for f in found] == [
            ("C1", "C2", T0, at(30))
        ]
    else:
        assert found == []


def test_timestamps_going_backwards_for_a_probe_are_a_clock_finding() -> None:
    j = Judge(HT, PRODUCT3)
    readings = varied(C123, minutes(0, 30), HOT)
    late = next(r for r in readings if (r.probe, r.t) == ("C2", at(7)))
    readings.remove(late)
    j.feed(readings[: 3 * 9])  # up to and including 8 min
    j.feed([late])  # C2 at 7 min after C2 at 8 min
    j.feed(readings[3 * 9 :])
    result = j.result()
    assert result.verdict is Verdict.PASS
    clock = kinds(result.findings, FindingKind.CLOCK)
    assert [(f.probe, f.start, f.end) for f in clock] == [("C2", at(7), at(8))]


@pytest.mark.parametrize(("skew", "flagged"), [(2 * US_PER_MIN, False), (2 * US_PER_MIN + 1, True)])
def test_a_device_clock_more_than_2_min_from_the_server_is_a_clock_finding(
    skew: int, flagged: bool
) -> None:
    j = Judge(HT, PRODUCT3)
    j.feed(varied(C123, minutes(0, 30), HOT))
    j.note_clock_skew("C1", at(5), -skew)
    result = j.result()
    assert result.verdict is Verdict.PASS
    assert len(kinds(result.findings, FindingKind.CLOCK)) == (1 if flagged else 0)
    assert result.review_required is flagged


def test_probe_excluded_is_not_a_finding_when_the_instant_does_not_comply() -> None:
    # C4 faults while the others are below the threshold: no hold, nothing excluded from one
    probes = {**PRODUCT3, "C4": "product"}
    readings = varied(["C1", "C2", "C3", "C4"], minutes(0, 10), [50.0, 50.3, 50.6, 50.9])
    readings = [r for r in readings if (r.probe, r.t) != ("C4", at(5))]
    readings.append(Reading("C4", at(5), None, "ERR"))
    result = judge(HT, readings, probes)
    assert result.verdict is Verdict.FAIL
    assert kinds(result.findings, FindingKind.PROBE_EXCLUDED) == []


def test_a_probe_excluded_over_consecutive_samples_is_one_finding() -> None:
    probes = {**PRODUCT3, "C4": "product"}
    readings = varied(["C1", "C2", "C3", "C4"], minutes(0, 30), [*HOT, 60.9])
    readings = [r for r in readings if not (r.probe == "C4" and at(10) <= r.t <= at(14))]
    readings += [Reading("C4", t, None, "ERR") for t in minutes(10, 14)]
    result = judge(HT, readings, probes)
    assert [(f.probe, f.start, f.end) for f in result.findings] == [("C4", at(10), at(14))]
    assert result.verdict is Verdict.PASS
