"""The Judge: live state, calibration offsets, faults, late readings (treatments.md §1, §3, §4)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from runlogs import PRODUCT3, T0, at, judge, minutes, schedule, varied

from phytowatch.domain.instants import US_PER_D, US_PER_H, US_PER_MIN
from phytowatch.domain.judgement.judge import Judge, judge_log
from phytowatch.domain.judgement.verdict import Judgement, Phase, Reason, Verdict
from phytowatch.domain.readings import Reading, apply_offset, classify
from phytowatch.domain.schedule import ParamError, Role
from phytowatch.formats.csvlog import parse_log
from phytowatch.services.evaluation import judge_rows

HT = schedule("ispm15-ht")
COLD = schedule("au-cold-citrus-medfly")
C123 = ["C1", "C2", "C3"]
HOT = [60.0, 60.3, 60.6]


def essentials(result: Judgement) -> tuple[object, ...]:
    return (
        result.verdict,
        result.step,
        result.hold_start,
        result.hold_end,
        result.longest_hold,
        result.interruptions,
        result.findings,
        result.fail_reason,
    )


# -- live state ------------------------------------------------------------------------------


def test_a_live_run_goes_from_waiting_to_holding_to_pass() -> None:
    j = Judge(HT, PRODUCT3)
    j.feed(varied(C123, minutes(0, 2), [50.0, 50.3, 50.6]))
    state = j.state(now=at(2))
    assert state.phase is Phase.WAITING
    assert state.holds == () and state.earliest_end is None
    assert state.judgement.verdict is None

    j.feed(varied(C123, minutes(3, 10), HOT))
    state = j.state(now=at(10))
    assert state.phase is Phase.HOLDING
    assert [(h.step, h.hold_start, h.elapsed, h.earliest_end) for h in state.holds] == [
        (0, at(3), 7 * US_PER_MIN, at(33))
    ]
    assert state.earliest_end == at(33)
    assert state.last_sample == at(10)
    assert state.judgement.verdict is None

    j.feed(varied(C123, minutes(11, 33), HOT))
    state = j.state(now=at(33))
    assert state.phase is Phase.PASS
    assert state.judgement.verdict is Verdict.PASS
    assert state.judgement.hold_end == at(33)


def test_a_live_hold_that_breaks_goes_back_to_waiting() -> None:
    j = Judge(HT, PRODUCT3)
    j.feed(varied(C123, minutes(0, 5), HOT))
    assert j.state(now=at(5)).phase is Phase.HOLDING
    j.feed(varied(C123, minutes(6, 6), [50.0, 50.3, 50.6]))
    state = j.state(now=at(6))
    assert state.phase is Phase.WAITING
    assert [i.reason for i in state.judgement.interruptions] == [Reason.BELOW_THRESHOLD]


def test_a_live_run_is_stale_when_now_is_more_than_the_interval_after_the_last_sample() -> None:
    j = Judge(HT, PRODUCT3)
    j.feed(varied(C123, minutes(0, 10), HOT))
    assert j.state(now=at(15)).stale is False
    assert j.state(now=at(15) + 1).stale is True
    assert j.state(now=at(15) + 1).phase is Phase.HOLDING  # staleness is not a verdict


def test_the_live_earliest_end_of_a_cold_table_is_the_soonest_step() -> None:
    j = Judge(COLD, PRODUCT3)
    # 1.5 °C: steps 1 (16 d), 2 (18 d) and 3 (20 d) hold from T0; step 0 does not
    j.feed(varied(C123, [T0 + h * US_PER_H for h in range(25)], [1.3, 1.4, 1.5], amp=0.0))
    state = j.state(now=T0 + 24 * US_PER_H)
    assert state.phase is Phase.HOLDING
    assert sorted(h.step for h in state.holds) == [1, 2, 3]
    assert state.earliest_end == T0 + 16 * US_PER_D


def test_the_live_state_with_probes_reporting_at_different_instants() -> None:
    # C3 reports a few seconds after C1 and C2: the state must still be available at any moment
    j = Judge(HT, PRODUCT3)
    for t in minutes(0, 10):
        j.feed([Reading("C1", t, 60.0 + (t - T0) / US_PER_H), Reading("C2", t, 60.5)])
        state = j.state(now=t)
        assert state.phase in {Phase.WAITING, Phase.HOLDING}
        j.feed([Reading("C3", t + 5_000_000, 61.0 + (t - T0) / US_PER_H)])
    state = j.state(now=at(10) + 5_000_000)
    assert state.phase is Phase.HOLDING
    assert state.holds[0].hold_start == T0 + 5_000_000


def test_the_result_equals_the_offline_result_however_the_log_is_batched() -> None:
    readings = varied(C123, minutes(0, 45), HOT)
    readings = [
        Reading("C2", r.t, 50.0) if (r.probe, r.t) == ("C2", at(8)) else r for r in readings
    ]
    whole = judge_log(HT, PRODUCT3, readings)
    for size in (1, 2, 7, 50):
        j = Judge(HT, PRODUCT3)
        for k in range(0, len(readings), size):
            j.feed(readings[k : k + size])
        assert essentials(j.result()) == essentials(whole)
    assert whole.verdict is Verdict.PASS and whole.hold_start == at(9)


def test_a_late_reading_for_an_instant_already_judged_replays_the_run() -> None:
    # C3 lags more than the interval behind (so it is not waited for); its readings arrive at
    # the end, and one of them breaks the hold at 10 min.
    times = minutes(0, 45)
    c12 = [r for r in varied(C123, times, HOT) if r.probe != "C3"]
    c3 = [Reading("C3", t, 50.0 if t == at(10) else 60.6) for t in times]
    j = Judge(HT, PRODUCT3)
    j.feed(c12)
    before = j.state().judgement
    assert before.interruptions == ()
    j.feed(c3)
    assert j.replays >= 1
    in_order = judge_log(HT, PRODUCT3, c12 + c3)
    assert essentials(j.result()) == essentials(in_order)
    assert j.result().hold_start == at(11)
    assert [(i.at, i.probes) for i in j.result().interruptions] == [(at(10), ("C3",))]


def test_a_probe_that_has_not_reported_yet_is_waited_for_during_the_first_interval() -> None:
    # the first readings of a run arrive one probe at a time, each probe's a little later:
    # no instant is judged before every probe has reported, so nothing needs re-judging
    j = Judge(HT, PRODUCT3)
    for t in minutes(0, 40):
        for probe in C123:
            j.feed([Reading(probe, t, 60.0)])
    assert j.replays == 0
    assert j.result().verdict is Verdict.PASS


def test_a_probe_that_never_reports_stops_being_waited_for_after_the_interval() -> None:
    # C3 is installed but silent: after one interval the others are judged without it
    j = Judge(HT, {**PRODUCT3, "C4": "product"})
    for t in minutes(0, 40):
        j.feed([Reading(probe, t, 60.0) for probe in C123])
    state = j.state(now=at(40))
    assert state.judgement.last_sample is not None
    assert state.phase is Phase.PASS
    assert j.replays == 0


def test_an_unresolved_schedule_is_refused_by_the_judge() -> None:
    from phytowatch.schedules import load_one

    with pytest.raises(ParamError, match="fruit_class"):
        Judge(load_one("hwt-mango"), {"W1": "water", "W2": "water"})


# -- calibration offsets -----------------------------------------------------------------------


def test_calibration_offsets_are_added_in_decimal() -> None:
    assert apply_offset(55.7, Decimal("0.3")) == 56.0
    readings = varied(C123, minutes(0, 30), [55.7, 60.3, 60.6], amp=0.0)
    assert judge(HT, readings).verdict is Verdict.FAIL
    result = judge(HT, readings, offsets={"C1": "0.3"})
    assert result.verdict is Verdict.PASS
    assert (result.hold_start, result.hold_end) == (T0, at(30))


def test_an_offset_whose_binary_float_sum_overshoots_still_complies_exactly() -> None:
    assert 1.62 + 0.05 > 1.67  # binary floating point overshoots the 1.67 °C step
    readings = varied(C123, [T0 + h * US_PER_H for h in range(16 * 24 + 1)], [1.62, 0.3, 0.5], 0)
    result = judge(COLD, readings, offsets={"C1": "0.05"})
    assert result.verdict is Verdict.PASS
    assert result.step is not None and result.step.index == 1
    assert result.hold_end == T0 + 16 * US_PER_D


def test_calibration_offsets_apply_to_wide_rows_too() -> None:
    rows: list[tuple[int, list[float | None]]] = [(t, [55.7, 60.3, 60.6]) for t in minutes(0, 30)]
    probes: list[tuple[str, Role]] = [("C1", "product"), ("C2", "product"), ("C3", "product")]
    result = judge_rows(HT, probes, rows, offsets={"C1": Decimal("0.3")})
    assert result.verdict is Verdict.PASS


def test_a_negative_offset_can_make_a_probe_fail() -> None:
    readings = varied(C123, minutes(0, 30), [56.2, 60.3, 60.6], amp=0.0)
    assert judge(HT, readings, offsets={"C1": "-0.2"}).verdict is Verdict.PASS
    assert judge(HT, readings, offsets={"C1": "-0.21"}).verdict is Verdict.FAIL


def test_an_offset_for_an_unknown_probe_is_refused() -> None:
    with pytest.raises(ValueError, match="C9"):
        Judge(HT, PRODUCT3, offsets={"C9": "0.1"})


def test_feed_rows_on_a_replayable_judge_adds_an_offset_once() -> None:
    rows: list[tuple[int, list[float | None]]] = [(at(m), [55.2, 57.0, 57.0]) for m in range(31)]
    live = Judge(HT, PRODUCT3, offsets={"C1": "0.5"})
    live.feed_rows(rows)
    readings = [
        Reading(p, t, v) for t, vs in rows for p, v in zip(("C1", "C2", "C3"), vs, strict=True)
    ]
    fed = Judge(HT, PRODUCT3, offsets={"C1": "0.5"})
    fed.feed(readings)
    assert live.result().verdict == fed.result().verdict
    assert live.result().longest_hold == fed.result().longest_hold == 0  # 55.7 < 56


def test_an_implausible_calibration_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="plausible calibration offset"):
        Judge(HT, PRODUCT3, offsets={"C1": "1e400"})


# -- faults ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fault", "role", "code"),
    [
        (float("nan"), None, "product", "nan"),
        (150.01, None, "product", "out_of_range"),
        (-60.01, None, "air", "out_of_range"),
        (math.inf, None, "water", "out_of_range"),
        (100.01, None, "rh", "out_of_range"),
        (-0.01, None, "rh", "out_of_range"),
        (None, "ERR", "product", "ERR"),
        (55.0, "open", "product", "open"),
    ],
)
def test_nan_out_of_range_values_and_fault_codes_are_faults(
    value: float | None, fault: str | None, role: Role, code: str
) -> None:
    assert classify(value, fault, role) == (None, code)


@pytest.mark.parametrize(
    ("value", "role"),
    [(150.0, "product"), (-60.0, "air"), (100.0, "rh"), (0.0, "rh"), (-12.5, "water")],
)
def test_values_at_the_edges_of_the_physical_range_are_readings(value: float, role: Role) -> None:
    assert classify(value, None, role) == (value, None)


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (Reading("C3", at(10), float("nan")), "nan"),
        (Reading("C3", at(10), 150.5), "out_of_range"),
        (Reading("C3", at(10), None, "E07"), "E07"),
    ],
)
def test_a_fault_makes_the_probe_invalid_at_that_instant(bad: Reading, code: str) -> None:
    readings = [r for r in varied(C123, minutes(0, 45), HOT) if (r.probe, r.t) != ("C3", at(10))]
    j = Judge(HT, PRODUCT3)
    j.feed(sorted([*readings, bad], key=lambda r: r.t))
    result = j.result()
    assert [(i.at, i.reason, dict(i.causes)) for i in result.interruptions] == [
        (at(10), Reason.TOO_FEW_PROBES, {"C3": "fault"})
    ]
    assert j.fault_code("C3", at(10)) == code
    assert result.hold_start == at(11)


def test_a_reading_of_150_degrees_is_valid() -> None:
    readings = varied(C123, minutes(0, 30), HOT)
    readings = [
        Reading("C3", r.t, 150.0) if (r.probe, r.t) == ("C3", at(10)) else r for r in readings
    ]
    result = judge(HT, readings)
    assert result.interruptions == ()
    assert result.verdict is Verdict.PASS


def test_the_same_log_through_judge_rows_and_feed_gives_the_same_fault_codes() -> None:
    log = parse_log("timestamp,C1,C2,C3\n2026-03-01T00:00:00Z,200,57,ERR\n", "x.csv")
    result = judge_rows(HT, log.probes, log.rows, faults=log.faults)
    assert result.verdict is not None
