"""Alarms (domain.alarms): one open alarm per cause, repeats, lifecycle, automatic clearing."""

from __future__ import annotations

import pytest

from phytowatch.domain.alarms import (
    AlarmKind,
    AlarmState,
    Condition,
    Severity,
    acknowledge,
    clear,
    reconcile,
)
from phytowatch.domain.messages import Code, Kind, Refused, say


def fault(probe: str = "C2", at: int = 10, occurrence: str = "") -> Condition:
    message = say(Code.TEXT, text=f"{probe} reports ERR")
    return Condition(AlarmKind.SENSOR_FAULT, "K2", probe, at, occurrence, message)


def broke(at: int) -> Condition:
    message = say(Code.TEXT, text="hold broken")
    return Condition(AlarmKind.HOLD_BROKEN, "K2", "run 1", at, f"{at}:0", message)


def test_a_new_cause_raises_an_active_alarm_with_its_severity() -> None:
    [change] = reconcile([], [fault()], now=10)
    assert change.what == "raised"
    assert (change.alarm.state, change.alarm.severity, change.alarm.count) == (
        AlarmState.ACTIVE,
        Severity.MINOR,
        1,
    )


def test_the_same_cause_seen_again_opens_no_second_alarm() -> None:
    [raised] = reconcile([], [fault()], now=10)
    assert reconcile([raised.alarm], [fault(at=20)], now=20) == []


def test_a_new_occurrence_of_an_open_cause_counts_a_repeat() -> None:
    [raised] = reconcile([], [broke(10)], now=10)
    [repeat] = reconcile([raised.alarm], [broke(30)], now=30)
    assert (repeat.what, repeat.alarm.count, repeat.alarm.raised_at) == ("repeated", 2, 10)


def test_a_continuing_alarm_clears_itself_when_its_cause_ends() -> None:
    [raised] = reconcile([], [fault()], now=10)
    [cleared] = reconcile([raised.alarm], [], now=40, observed={("sensor_fault", "K2")})
    assert (cleared.what, cleared.alarm.state, cleared.alarm.cleared_at) == (
        "cleared",
        AlarmState.CLEARED,
        40,
    )


def test_a_continuing_alarm_of_a_facility_not_looked_at_stays_open() -> None:
    [raised] = reconcile([], [fault()], now=10)
    assert reconcile([raised.alarm], [], now=40, observed={("sensor_fault", "K9")}) == []


def test_an_event_alarm_stays_until_a_person_clears_it() -> None:
    [raised] = reconcile([], [broke(10)], now=10)
    assert reconcile([raised.alarm], [], now=50, observed={("hold_broken", "K2")}) == []
    with pytest.raises(Refused) as refused:
        clear(raised.alarm, by="inspector", now=60)
    assert (refused.value.kind, refused.value.message.code) == (Kind.CONFLICT, Code.ALARM_ACK_FIRST)
    acked = acknowledge(raised.alarm, by="inspector Li", comment="door closed again", now=60)
    assert (acked.state, acked.acknowledged_by, acked.comment) == (
        AlarmState.ACKNOWLEDGED,
        "inspector Li",
        "door closed again",
    )
    done = clear(acked, by="inspector Li", now=70)
    assert (done.state, done.cleared_by) == (AlarmState.CLEARED, "inspector Li")


def test_an_alarm_is_acknowledged_once() -> None:
    [raised] = reconcile([], [fault()], now=10)
    acked = acknowledge(raised.alarm, by="a", comment="", now=11)
    with pytest.raises(Refused) as refused:
        acknowledge(acked, by="b", comment="", now=12)
    assert refused.value.message == say(Code.ALARM_ACKED_ALREADY, by="a")


def test_an_acknowledged_alarm_still_clears_when_its_cause_ends() -> None:
    [raised] = reconcile([], [fault()], now=10)
    acked = acknowledge(raised.alarm, by="a", comment="", now=11)
    [cleared] = reconcile([acked], [], now=20, observed={("sensor_fault", "K2")})
    assert cleared.alarm.state is AlarmState.CLEARED and cleared.alarm.acknowledged_by == "a"
