"""A minimum time to reach a target, alone (RampJudge, treatments.md §3.6): the air takes at
least 3.5 h from its first reading to 48.5 °C."""

from __future__ import annotations

from runlogs import at, schedule

from phytowatch.domain.instants import US_PER_MIN
from phytowatch.domain.judgement.latest import LatestReadings
from phytowatch.domain.judgement.layout import Layout
from phytowatch.domain.judgement.ramp import RampJudge
from phytowatch.domain.judgement.verdict import Interruption, Reason
from phytowatch.domain.schedule import RampCriterion

RAMP = next(c for c in schedule("vht-papaya-pt21").extra if isinstance(c, RampCriterion))
LAYOUT = Layout.build([("C1", "product"), ("A1", "air"), ("A2", "air")], ["product", "air"])
NAN = float("nan")


def ramp_of() -> tuple[LatestReadings, list[Interruption], RampJudge]:
    latest = LatestReadings(3, US_PER_MIN, LAYOUT.sample_slots)
    interruptions: list[Interruption] = []
    return latest, interruptions, RampJudge(RAMP, LAYOUT, latest, interruptions)


def feed(
    latest: LatestReadings, ramp: RampJudge, minute: int, row: list[float | None]
) -> Reason | None:
    t = at(minute)
    latest.take(t, row)
    ramp.note(t, row)
    return ramp.judge(t, row)


def test_the_ramp_starts_at_the_first_numeric_reading_of_an_air_probe() -> None:
    latest, _, ramp = ramp_of()
    feed(latest, ramp, 0, [30.0, None, None])
    feed(latest, ramp, 1, [30.0, NAN, None])
    assert ramp.first is None
    feed(latest, ramp, 2, [30.0, None, 31.0])
    assert ramp.first == at(2)


def test_reaching_the_target_sooner_than_the_minimum_fails_with_ramp_too_fast() -> None:
    latest, interruptions, ramp = ramp_of()
    feed(latest, ramp, 0, [30.0, 30.0, 30.0])
    assert feed(latest, ramp, 209, [47.0, 48.5, 48.6]) is Reason.RAMP_TOO_FAST
    assert interruptions == [Interruption(at(209), 0, Reason.RAMP_TOO_FAST, (), RAMP.key)]
    assert ramp.too_fast() and ramp.reached == at(209)


def test_the_governing_air_value_is_the_coldest_air_probe() -> None:
    latest, _, ramp = ramp_of()
    feed(latest, ramp, 0, [30.0, 30.0, 30.0])
    assert feed(latest, ramp, 100, [47.0, 48.4, 49.0]) is None
    assert ramp.reached is None


def test_reaching_the_target_after_exactly_the_minimum_is_not_too_fast() -> None:
    latest, interruptions, ramp = ramp_of()
    feed(latest, ramp, 0, [30.0, 30.0, 30.0])
    assert feed(latest, ramp, 210, [47.0, 48.5, 48.6]) is None
    assert (ramp.reached, ramp.too_fast(), interruptions) == (at(210), False, [])


def test_a_ramp_is_met_once_the_minimum_time_passed_without_reaching_the_target_sooner() -> None:
    latest, _, ramp = ramp_of()
    feed(latest, ramp, 0, [30.0, 30.0, 30.0])
    feed(latest, ramp, 209, [47.0, 47.0, 47.0])
    assert ramp.outcome(None).satisfied is False
    feed(latest, ramp, 211, [47.0, 47.5, 47.5])
    outcome = ramp.outcome(None)
    assert (outcome.satisfied, outcome.met_at) == (True, at(211))
    feed(latest, ramp, 240, [47.0, 48.5, 48.5])
    outcome = ramp.outcome(None)
    assert (outcome.met_at, dict(outcome.detail)) == (
        at(211),
        {"first_reading": at(0), "reached": at(240)},
    )


def test_a_ramp_too_fast_is_not_met() -> None:
    latest, _, ramp = ramp_of()
    feed(latest, ramp, 0, [30.0, 30.0, 30.0])
    feed(latest, ramp, 100, [47.0, 48.5, 48.5])
    assert ramp.outcome(None).satisfied is False


def test_a_run_that_passed_before_the_ramp_was_decided_keeps_the_ramp_met_at_the_pass() -> None:
    latest, _, ramp = ramp_of()
    feed(latest, ramp, 0, [30.0, 30.0, 30.0])
    feed(latest, ramp, 100, [47.0, 40.0, 40.0])
    outcome = ramp.outcome(at(100))
    assert (outcome.satisfied, outcome.met_at) == (True, at(100))
