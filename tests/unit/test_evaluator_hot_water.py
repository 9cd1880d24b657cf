"""Hot-water immersion of mango, treatments.md §3.4 (hwt-mango), one test per rule."""

from __future__ import annotations

import pytest
from runlogs import T0, at, judge, minutes, schedule

from phytowatch.domain.instants import US_PER_MIN, US_PER_S
from phytowatch.domain.judgement.verdict import FindingKind, IndeterminateCause, Reason, Verdict
from phytowatch.domain.readings import Reading
from phytowatch.domain.schedule import ParamError, Role

PROBES: dict[str, Role] = {"W1": "water", "W2": "water", "P1": "product"}
HALF_MIN = 30 * US_PER_S


def bath(
    stop_min: float,
    low: dict[int, float] | None = None,
    pulp: dict[str, float] | None = None,
) -> list[Reading]:
    """W1 and W2 every 30 s from T0 to ``stop_min``; W1 reads ``low[t]`` where given; the pulp
    probes read once, at T0 (the first sample time)."""
    low = low or {}
    out: list[Reading] = []
    for k, t in enumerate(minutes(0, stop_min, 0.5)):
        out.append(Reading("W1", t, low.get(t, 46.6 + 0.01 * (k % 3))))
        out.append(Reading("W2", t, 46.8 + 0.01 * (k % 4)))
    for probe, value in (pulp if pulp is not None else {"P1": 25.0}).items():
        out.append(Reading(probe, T0, value))
    return out


def band(start_min: float, stop_min: float, value: float = 45.5) -> dict[int, float]:
    """W1 in the band at every 30 s sample of ``[start_min, stop_min)``."""
    return {t: value for t in minutes(start_min, stop_min - 0.5, 0.5)}


HWT500 = schedule("hwt-mango", fruit_class="500g")


def test_hot_water_passes_at_the_first_sample_after_the_duration_from_immersion() -> None:
    result = judge(HWT500, bath(80), PROBES)
    assert result.verdict is Verdict.PASS
    assert (result.hold_start, result.hold_end) == (T0, at(75))
    assert result.step is not None
    assert (result.step.threshold, result.step.duration) == (46.1, 75 * US_PER_MIN)
    assert result.review_required is False


@pytest.mark.parametrize(
    ("fruit_class", "duration_min"), [("500g", 75), ("700g", 90), ("900g", 110)]
)
def test_the_hot_water_duration_follows_the_fruit_class(
    fruit_class: str, duration_min: int
) -> None:
    result = judge(schedule("hwt-mango", fruit_class=fruit_class), bath(120), PROBES)
    assert result.verdict is Verdict.PASS
    assert result.hold_end == at(duration_min)
    assert result.params == {"fruit_class": fruit_class}


def test_hot_water_needs_the_fruit_class() -> None:
    with pytest.raises(ParamError, match="fruit_class"):
        schedule("hwt-mango")


def test_the_first_five_minutes_may_be_in_the_band_for_free() -> None:
    # 5 min in the band during the grace period plus exactly the 10 min budget after it
    low = {**band(0, 5), **band(10, 20)}
    result = judge(HWT500, bath(80, low), PROBES)
    assert result.verdict is Verdict.PASS
    assert result.hold_end == at(75)


def test_equality_with_the_lower_band_limit_is_in_the_band() -> None:
    result = judge(HWT500, bath(80, band(10, 20, 45.4)), PROBES)
    assert result.verdict is Verdict.PASS


@pytest.mark.parametrize(("fruit_class", "budget_min"), [("500g", 10), ("700g", 15), ("900g", 20)])
def test_time_in_the_band_beyond_the_budget_fails_with_tolerance_exceeded(
    fruit_class: str, budget_min: int
) -> None:
    sched = schedule("hwt-mango", fruit_class=fruit_class)
    exactly = judge(sched, bath(120, band(10, 10 + budget_min)), PROBES)
    assert exactly.verdict is Verdict.PASS
    # one more in-band sample: the interval [t_k, t_k+1) after it counts, 30 s too many
    over = judge(sched, bath(120, band(10, 10 + budget_min + 0.5)), PROBES)
    assert over.verdict is Verdict.FAIL
    assert over.fail_reason is Reason.TOLERANCE_EXCEEDED
    assert over.fail_at == at(10 + budget_min + 0.5)
    assert over.hold_end is None and over.step is None


def test_band_time_is_summed_over_separate_episodes() -> None:
    low = {**band(10, 15), **band(30, 35), **band(50, 50.5)}  # 5 + 5 + 0.5 min
    result = judge(HWT500, bath(80, low), PROBES)
    assert result.verdict is Verdict.FAIL
    assert result.fail_reason is Reason.TOLERANCE_EXCEEDED
    assert result.fail_at == at(50.5)


def test_band_time_is_measured_from_sample_to_sample() -> None:
    # irregular samples: W1 in the band at 10 min only; the next sample is 60 s later, then every
    # 30 s again. [10, 11) counts 1 min; nothing else is in the band.
    readings = [r for r in bath(80) if not (at(10) < r.t < at(11))]
    readings = [
        Reading("W1", r.t, 45.5) if (r.probe, r.t) == ("W1", at(10)) else r for r in readings
    ]
    assert judge(HWT500, readings, PROBES).verdict is Verdict.PASS
    # 9 more minutes in the band exactly fill the budget; 30 s more exceed it
    fill = band(20, 29)
    readings_full = [
        Reading("W1", r.t, fill[r.t]) if r.probe == "W1" and r.t in fill else r for r in readings
    ]
    assert judge(HWT500, readings_full, PROBES).verdict is Verdict.PASS
    fill = band(20, 29.5)
    readings_over = [
        Reading("W1", r.t, fill[r.t]) if r.probe == "W1" and r.t in fill else r for r in readings
    ]
    result = judge(HWT500, readings_over, PROBES)
    assert (result.verdict, result.fail_reason) == (Verdict.FAIL, Reason.TOLERANCE_EXCEEDED)


@pytest.mark.parametrize("when_min", [2, 40])  # within the grace period and after it
def test_a_governing_value_below_the_band_fails_with_below_threshold(when_min: float) -> None:
    result = judge(HWT500, bath(80, {at(when_min): 45.39}), PROBES)
    assert result.verdict is Verdict.FAIL
    assert result.fail_reason is Reason.BELOW_THRESHOLD
    assert result.fail_at == at(when_min)
    assert [(i.at, i.reason, i.probes) for i in result.interruptions] == [
        (at(when_min), Reason.BELOW_THRESHOLD, ("W1",))
    ]


def test_a_gap_in_hot_water_ends_the_run() -> None:
    readings = [r for r in bath(80) if not (at(20) < r.t < at(21))]  # 20 -> 21 min: 60 s, ok
    assert judge(HWT500, readings, PROBES).verdict is Verdict.PASS
    readings = [r for r in bath(80) if not (at(20) < r.t < at(21.5))]  # 90 s > 1 min
    result = judge(HWT500, readings, PROBES)
    assert result.verdict is Verdict.FAIL
    assert result.fail_reason is Reason.GAP
    assert result.fail_at == at(21.5)


@pytest.mark.parametrize(
    ("pulp", "verdict"),
    [
        ({"P1": 21.1}, Verdict.PASS),
        ({"P1": 21.0}, Verdict.FAIL),
        ({"P1": 25.0, "P2": 21.09}, Verdict.FAIL),
    ],
)
def test_every_pulp_probe_must_read_at_least_21_1_at_the_first_sample(
    pulp: dict[str, float], verdict: Verdict
) -> None:
    probes: dict[str, Role] = {"W1": "water", "W2": "water", **dict.fromkeys(pulp, "product")}
    result = judge(HWT500, bath(80, pulp=pulp), probes)
    assert result.verdict is verdict
    if verdict is Verdict.FAIL:
        assert result.fail_reason is Reason.PRECONDITION
        assert result.fail_at == T0
        cold = tuple(p for p, v in pulp.items() if v < 21.1)
        assert [(i.reason, i.probes) for i in result.interruptions] == [(Reason.PRECONDITION, cold)]


def test_hot_water_without_pulp_probes_requires_review() -> None:
    result = judge(HWT500, bath(80, pulp={}), {"W1": "water", "W2": "water"})
    assert result.verdict is Verdict.PASS
    assert result.review_required is True
    assert [f.kind for f in result.findings] == [FindingKind.PRECONDITION_UNVERIFIED]


def test_hot_water_with_one_water_probe_is_indeterminate() -> None:
    readings = [r for r in bath(80) if r.probe != "W2"]
    result = judge(HWT500, readings, {"W1": "water", "P1": "product"})
    assert result.verdict is Verdict.INDETERMINATE
    assert result.indeterminate_cause is IndeterminateCause.TOO_FEW_PROBES_INSTALLED


def test_hot_water_starts_at_the_first_sample_even_in_the_band() -> None:
    # the run starts at immersion (the first sample), not when the water reaches 46.1 °C
    low = {t: 45.6 for t in minutes(0, 4.5, 0.5)}
    readings = [
        Reading(r.probe, r.t, 45.7) if r.probe == "W2" and r.t < at(5) else r for r in bath(80, low)
    ]
    result = judge(HWT500, readings, PROBES)
    assert result.verdict is Verdict.PASS
    assert (result.hold_start, result.hold_end) == (T0, at(75))
