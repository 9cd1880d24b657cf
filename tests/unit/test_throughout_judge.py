"""A condition throughout another criterion's hold, alone (ThroughoutJudge, treatments.md §3.6):
humidity at least 60 % at every sample time of the air hold."""

from __future__ import annotations

from runlogs import at, schedule

from phytowatch.domain.instants import US_PER_MIN
from phytowatch.domain.judgement.findings import FindingLog
from phytowatch.domain.judgement.hold import HoldJudge
from phytowatch.domain.judgement.latest import LatestReadings
from phytowatch.domain.judgement.layout import Layout
from phytowatch.domain.judgement.throughout import ThroughoutJudge
from phytowatch.domain.judgement.verdict import Interruption, Reason
from phytowatch.domain.schedule import HoldCriterion, ThroughoutCriterion

VHT = schedule("vht-papaya-pt21")
AIR = next(c for c in VHT.extra if isinstance(c, HoldCriterion))
HUMIDITY = next(c for c in VHT.extra if isinstance(c, ThroughoutCriterion))
LAYOUT = Layout.build([("A1", "air"), ("H1", "rh"), ("H2", "rh")], ["air", "rh"])


def parts(
    *, fail_mode: bool
) -> tuple[LatestReadings, list[Interruption], HoldJudge, ThroughoutJudge]:
    latest = LatestReadings(3, US_PER_MIN, LAYOUT.sample_slots)
    interruptions: list[Interruption] = []
    air = HoldJudge(AIR, LAYOUT, latest, interruptions, FindingLog(), fail_mode=fail_mode)
    return latest, interruptions, air, ThroughoutJudge(HUMIDITY, LAYOUT, latest, air)


def feed(
    latest: LatestReadings, air: HoldJudge, humidity: ThroughoutJudge, minute: int, row: list[float]
) -> Reason | None:
    t = at(minute)
    latest.take(t, row)
    prev = at(minute - 1) if minute else None
    assert air.judge(t, prev, False, minute == 0, row) is None
    return humidity.judge(t, row)


def test_humidity_below_60_while_the_air_holds_breaks_the_air_hold_and_fails_the_run() -> None:
    latest, interruptions, air, humidity = parts(fail_mode=True)
    assert feed(latest, air, humidity, 0, [48.2, 90.0, 80.0]) is None
    assert feed(latest, air, humidity, 1, [48.2, 59.9, 80.0]) is Reason.BELOW_THRESHOLD
    assert interruptions == [Interruption(at(1), 0, Reason.BELOW_THRESHOLD, ("H1",), HUMIDITY.key)]
    assert air.track.holds == [None]
    assert humidity.broken_at == at(1)


def test_humidity_below_60_while_the_air_does_not_hold_does_not_matter() -> None:
    latest, interruptions, air, humidity = parts(fail_mode=True)
    assert feed(latest, air, humidity, 0, [47.0, 40.0, 40.0]) is None
    assert (interruptions, humidity.broken_at) == ([], None)


def test_under_restart_the_break_restarts_the_air_hold_and_the_first_break_is_kept() -> None:
    latest, interruptions, air, humidity = parts(fail_mode=False)
    feed(latest, air, humidity, 0, [48.2, 90.0, 90.0])
    assert feed(latest, air, humidity, 1, [48.2, 50.0, 90.0]) is None
    feed(latest, air, humidity, 2, [48.2, 90.0, 90.0])
    assert air.track.holds == [at(2)]
    feed(latest, air, humidity, 3, [48.2, 90.0, 55.0])
    assert humidity.broken_at == at(1)
    assert [i.at for i in interruptions] == [at(1), at(3)]


def test_humidity_is_met_with_the_air_hold_it_accompanied_and_not_after_breaking_it() -> None:
    latest, _, air, humidity = parts(fail_mode=True)
    for minute in range(0, 211):  # the air holds 48.0 °C for 3.5 h: met at 210 min
        feed(latest, air, humidity, minute, [48.2, 90.0, 90.0])
    outcome = humidity.outcome(None)
    assert (outcome.satisfied, outcome.met_at) == (True, at(210))
    feed(latest, air, humidity, 211, [48.2, 55.0, 90.0])  # then a dip during the same hold
    outcome = humidity.outcome(None)
    assert (outcome.satisfied, outcome.met_at) == (False, None)
    assert dict(outcome.detail) == {"broken_at": at(211)}
    assert air.outcome(None).satisfied  # the air itself held its 3.5 h


def test_humidity_is_not_met_while_the_air_hold_has_not_lasted_its_duration() -> None:
    latest, _, air, humidity = parts(fail_mode=True)
    for minute in range(0, 100):
        feed(latest, air, humidity, minute, [48.2, 90.0, 90.0])
    assert not humidity.outcome(None).satisfied


def test_under_restart_a_break_before_the_air_hold_that_met_does_not_count() -> None:
    latest, _, air, humidity = parts(fail_mode=False)
    feed(latest, air, humidity, 0, [48.2, 90.0, 90.0])
    feed(latest, air, humidity, 1, [48.2, 50.0, 90.0])  # breaks the first air hold
    for minute in range(2, 213):
        feed(latest, air, humidity, minute, [48.2, 90.0, 90.0])
    outcome = humidity.outcome(None)
    assert (outcome.satisfied, outcome.met_at) == (True, at(212))
