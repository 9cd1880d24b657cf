"""An open run's progress and ETA (domain.judgement.progress): the criterion furthest from done,
for a schedule of one criterion, of several steps, and of several criteria (vapour heat)."""

from __future__ import annotations

from runlogs import PRODUCT3, at, minutes, schedule, steady
from test_evaluator_vapour_heat import PROBES, VHT, chamber

from phytowatch.domain.instants import US_PER_H, US_PER_MIN
from phytowatch.domain.judgement.judge import Judge
from phytowatch.domain.judgement.progress import RunProgress, run_progress
from phytowatch.domain.judgement.verdict import Phase
from phytowatch.domain.readings import Reading
from phytowatch.domain.schedule import Role, Schedule

HT = schedule("ispm15-ht")
COLD = schedule("usda-t107a-medfly")


def live(sched: Schedule, readings: list[Reading], probes: dict[str, Role]) -> Judge:
    judge = Judge(sched, probes)
    judge.feed(sorted(readings, key=lambda r: r.t))
    return judge


def progress_at(
    sched: Schedule,
    readings: list[Reading],
    probes: dict[str, Role] = PRODUCT3,
    trend: list[tuple[int, float]] | None = None,
) -> RunProgress | None:
    judge = live(sched, readings, probes)
    now = max(r.t for r in readings)
    return run_progress(judge.state(now=now), sched, trend or [], now=now)


def test_a_kiln_holding_shows_its_hold_and_ends_thirty_minutes_after_it_began() -> None:
    readings = steady(["C1", "C2", "C3"], at(0), at(12), US_PER_MIN, [57.0, 57.5, 58.0])
    got = progress_at(HT, readings)
    assert got is not None
    assert (got.criterion, got.role, got.holding, got.criteria) == ("product", "product", 1, 1)
    assert (got.elapsed, got.duration) == (12 * US_PER_MIN, 30 * US_PER_MIN)
    assert got.start == at(0) and got.end == at(30)
    assert abs(got.fraction - 0.4) < 1e-9


def test_a_cold_room_shows_the_step_that_can_end_first() -> None:
    # 0.4 °C holds the steps of 0.56 (11 d), 1.11 (12 d) and 1.67 °C (14 d) at once
    readings = steady(["C1", "C2", "C3"], at(0), at(2 * 24 * 60), 60 * US_PER_MIN, [0.4] * 3)
    got = progress_at(COLD, readings)
    assert got is not None and got.duration == 11 * 24 * US_PER_H
    assert got.end == at(11 * 24 * 60)


def test_vapour_heat_shows_the_air_hold_that_ends_last_not_the_cores() -> None:
    # the air holds from 210 min (3.5 h needed), the cores from 300 min (20 min needed): at 310
    # min the core's hold is half done, but the run ends with the air's, at 420 min
    readings = [r for r in chamber(450) if r.t <= at(310)]
    judge = live(VHT, readings, PROBES)
    state = judge.state(now=at(310))
    assert state.phase is Phase.HOLDING and {h.criterion for h in state.holds} == {"core", "air"}
    got = run_progress(state, VHT, [], now=at(310))
    assert got is not None
    assert (got.criterion, got.role, got.holding, got.criteria) == ("air", "air", 2, 2)
    assert (got.elapsed, got.duration) == (100 * US_PER_MIN, 210 * US_PER_MIN)
    assert got.end == at(420) == state.earliest_end
    assert got.start == at(210)


def test_vapour_heat_with_the_air_holding_and_the_cores_not_yet_has_no_end() -> None:
    readings = [r for r in chamber(450) if r.t <= at(250)]
    got = progress_at(VHT, readings, PROBES)
    assert got is not None
    # the cores are not holding: they are the furthest from done, 0 of their 20 minutes
    assert (got.criterion, got.elapsed, got.duration) == ("core", 0, 20 * US_PER_MIN)
    assert (got.holding, got.criteria, got.end) == (1, 2, None)
    assert got.start == at(210)


def test_a_waiting_kiln_has_no_hold_and_its_end_is_predicted_from_the_trend() -> None:
    times = minutes(0, 9)
    readings = [Reading(p, t, 50.0 + 0.5 * k) for k, t in enumerate(times) for p in PRODUCT3]
    trend = [(t, 50.0 + 0.5 * k) for k, t in enumerate(times)]  # 56 °C at minute 12
    got = progress_at(HT, readings, trend=trend)
    assert got is not None and (got.holding, got.elapsed) == (0, 0)
    assert got.start == at(12) and got.end == at(42)


def test_a_run_with_a_verdict_has_no_progress() -> None:
    readings = steady(["C1", "C2", "C3"], at(0), at(31), US_PER_MIN, [57.0, 57.5, 58.0])
    judge = live(HT, readings, PRODUCT3)
    state = judge.state(now=at(31))
    assert state.phase is Phase.PASS
    assert run_progress(state, HT, [], now=at(31)) is None
