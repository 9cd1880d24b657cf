"""Alarms (domain.alarms): one open alarm per cause, repeats, lifecycle, automatic clearing, and
who may answer which alarm (the bureau, the enterprise) with what comment."""

from __future__ import annotations

import pytest

from phytowatch.domain.accounts import Principal, Role
from phytowatch.domain.alarms import (
    ACCUSING,
    ENTERPRISE_MAY_ACKNOWLEDGE,
    Alarm,
    AlarmKind,
    AlarmState,
    Condition,
    Severity,
    Side,
    acknowledge,
    acknowledge_for_enterprise,
    clear,
    reconcile,
    side_of,
)
from phytowatch.domain.messages import Code, Kind, Refused, Word, say
from phytowatch.domain.signoff import MIN_COMMENT


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
        clear(raised.alarm, by="inspector", comment="door closed, load checked", now=60)
    assert (refused.value.kind, refused.value.message.code) == (Kind.CONFLICT, Code.ALARM_ACK_FIRST)
    acked = acknowledge(raised.alarm, by="inspector Li", comment="door closed again", now=60)
    assert (acked.state, acked.acknowledged_by, acked.comment) == (
        AlarmState.ACKNOWLEDGED,
        "inspector Li",
        "door closed again",
    )
    done = clear(acked, by="inspector Li", comment="hold restarted and completed", now=70)
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


# -- who answers which alarm --------------------------------------------------------------------


def raised_of(kind: AlarmKind) -> Alarm:
    [change] = reconcile([], [Condition(kind, "K2", "run 1", 10, "x")], now=10)
    return change.alarm


def test_every_kind_either_accuses_or_is_the_enterprises_to_acknowledge() -> None:
    assert ACCUSING.isdisjoint(ENTERPRISE_MAY_ACKNOWLEDGE)
    assert frozenset(AlarmKind) == ACCUSING | ENTERPRISE_MAY_ACKNOWLEDGE
    assert {AlarmKind.TAMPER, AlarmKind.HOLD_BROKEN, AlarmKind.TOO_FEW_PROBES} == ACCUSING


@pytest.mark.parametrize(
    ("principal", "side"),
    [
        (Principal("user", "user:op", frozenset(), role=Role.ENTERPRISE_OPERATOR), Side.ENTERPRISE),
        (Principal("user", "user:li", frozenset(), role=Role.INSPECTOR), Side.BUREAU),
        (Principal("user", "user:cz", frozenset(), role=Role.CERTIFYING_OFFICER), Side.BUREAU),
        (Principal("user", "user:ad", frozenset(), role=Role.ADMINISTRATOR), Side.BUREAU),
        (Principal("admin_token", "admin-token", frozenset()), Side.BUREAU),
        (Principal("cli", "cli:ops", frozenset()), Side.BUREAU),
        (Principal("device", "device:K2", frozenset(), facility="K2"), None),
    ],
)
def test_the_bureau_and_the_enterprise_are_told_apart_by_role(
    principal: Principal, side: Side | None
) -> None:
    assert side_of(principal) is side


@pytest.mark.parametrize("kind", sorted(ACCUSING))
def test_an_accusing_alarm_is_acknowledged_only_with_a_written_comment(kind: AlarmKind) -> None:
    alarm = raised_of(kind)
    for comment in ("", "ok", " \u200b  seen  \u200b ", "x" * (MIN_COMMENT - 1)):
        with pytest.raises(Refused) as refused:
            acknowledge(alarm, by="li", comment=comment, now=11)
        assert refused.value.kind is Kind.INVALID
        assert refused.value.message == say(
            Code.ALARM_ACK_NEEDS_COMMENT, kind=Word(kind.value), min=MIN_COMMENT
        )
    done = acknowledge(alarm, by="li", comment="x" * MIN_COMMENT, now=11)
    assert done.state is AlarmState.ACKNOWLEDGED


@pytest.mark.parametrize("kind", sorted(ACCUSING))
def test_the_enterprise_may_not_acknowledge_an_alarm_that_accuses_it(kind: AlarmKind) -> None:
    with pytest.raises(Refused) as refused:
        acknowledge_for_enterprise(raised_of(kind), by="op", comment="we fixed it, honest", now=11)
    assert refused.value.kind is Kind.FORBIDDEN
    assert refused.value.message == say(Code.ALARM_BUREAU_ONLY, kind=Word(kind.value))


def test_the_enterprises_acknowledgement_is_its_own_and_leaves_the_alarm_active() -> None:
    alarm = raised_of(AlarmKind.SENSOR_FAULT)
    done = acknowledge_for_enterprise(alarm, by="op", comment="probe C2 replaced", now=11)
    assert (done.state, done.acknowledged_by, done.acknowledged_at) == (
        AlarmState.ACTIVE,
        None,
        None,
    )
    assert (
        done.enterprise_acknowledged_by,
        done.enterprise_acknowledged_at,
        done.enterprise_comment,
    ) == ("op", 11, "probe C2 replaced")
    with pytest.raises(Refused) as again:
        acknowledge_for_enterprise(done, by="op2", comment="", now=12)
    assert again.value.message == say(Code.ALARM_ENTERPRISE_ACKED_ALREADY, by="op")
    bureau = acknowledge(done, by="li", comment="", now=13)  # the bureau's own, still needed
    assert (bureau.state, bureau.enterprise_acknowledged_by) == (AlarmState.ACKNOWLEDGED, "op")


def test_clearing_always_says_why_in_a_written_comment() -> None:
    acked = acknowledge(raised_of(AlarmKind.SENSOR_FAULT), by="li", comment="", now=11)
    for comment in ("", "fixed", "\u3000" * 20):
        with pytest.raises(Refused) as refused:
            clear(acked, by="li", comment=comment, now=12)
        assert (refused.value.kind, refused.value.message) == (
            Kind.INVALID,
            say(Code.ALARM_CLEAR_NEEDS_COMMENT, min=MIN_COMMENT),
        )
    done = clear(acked, by="li", comment="probe replaced, reads again", now=12)
    assert (done.state, done.cleared_by, done.clear_comment) == (
        AlarmState.CLEARED,
        "li",
        "probe replaced, reads again",
    )
