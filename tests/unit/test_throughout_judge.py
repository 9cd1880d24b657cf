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
