"""Notifications: which rules a change goes out on, what it says, how it is signed."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from fakes import InMemoryNotificationChannel
from phytowatch.domain.alarms import Alarm, AlarmKind, AlarmState, Change, Severity
from phytowatch.domain.messages import Code, Instant, Word, say
from phytowatch.i18n.catalogue import render
from phytowatch.services.notify import (
    RoutingNotifier,
    Rule,
    RuleError,
    build_message,
    parse_rules,
    route,
    sign,
    verify,
    webhook_body,
)

T0 = 1_772_445_600_000_000  # 2026-03-02T10:00:00Z
SECRET = b"s3cret-shared"


def _alarm(
    kind: AlarmKind = AlarmKind.HOLD_BROKEN,
    severity: Severity = Severity.MAJOR,
    facility: str = "K1",
) -> Alarm:
    return Alarm(
        kind=kind,
        facility=facility,
        subject="run 7",
        severity=severity,
        state=AlarmState.ACTIVE,
        raised_at=T0,
        last_seen_at=T0,
        count=1,
        last_occurrence="x",
        message=say(
            Code.ALARM_HOLD_BROKEN_PROBES,
            at=Instant(T0),
            reason=Word("below_threshold"),
            probes="C2",
        ),
        id=12,
    )


def test_a_change_goes_out_on_every_rule_whose_severity_it_meets() -> None:
    rules = parse_rules(
        json.dumps(
            [
                {"channel": "email", "to": "duty@example.org", "min_severity": "critical"},
                {"channel": "email", "to": "lab@example.org", "min_severity": "major"},
                {"channel": "webhook", "min_severity": "warning"},
            ]
        )
    )
    major = Change("raised", _alarm(severity=Severity.MAJOR))
    assert [r.to for r in route(major, rules)] == ["lab@example.org", ""]
    critical = Change("raised", _alarm(AlarmKind.TAMPER, Severity.CRITICAL))
    assert len(route(critical, rules)) == 3
    warning = Change("raised", _alarm(AlarmKind.CALIBRATION_DUE, Severity.WARNING))
    assert [r.channel for r in route(warning, rules)] == ["webhook"]


def test_the_severity_order_is_critical_major_minor_warning() -> None:
    rule = Rule("webhook", "", Severity.MINOR)
    assert rule.matches(_alarm(severity=Severity.CRITICAL))
    assert rule.matches(_alarm(severity=Severity.MAJOR))
    assert rule.matches(_alarm(severity=Severity.MINOR))
    assert not rule.matches(_alarm(severity=Severity.WARNING))


def test_facility_and_kind_filters_narrow_a_rule() -> None:
    (rule,) = parse_rules(
        '[{"channel": "email", "to": "k@example.org", "min_severity": "warning",'
        ' "facilities": ["K1", "K2"], "kinds": ["hold_broken", "tamper"]}]'
    )
    assert rule.matches(_alarm(facility="K2"))
    assert not rule.matches(_alarm(facility="K3"))
    assert not rule.matches(_alarm(AlarmKind.SENSOR_FAULT, Severity.MINOR))


def test_raised_repeated_and_cleared_all_notify_and_say_which() -> None:
    channel = InMemoryNotificationChannel()
    notifier = RoutingNotifier([Rule("webhook", "")], {"webhook": channel}, clock=lambda: T0)
    alarm = _alarm()
    notifier.notify(Change("raised", alarm))
    notifier.notify(Change("repeated", replace(alarm, count=2)))
    notifier.notify(Change("cleared", replace(alarm, state=AlarmState.CLEARED, cleared_at=T0)))
    events = [message.event for _, message in channel.sent]
    assert events == ["alarm.raised", "alarm.repeated", "alarm.cleared"]
    subjects = [message.subject for _, message in channel.sent]
    assert "告警产生" in subjects[0] and "alarm raised" in subjects[0]
    assert "告警重复" in subjects[1] and "alarm repeated" in subjects[1]
    assert "告警解除" in subjects[2] and "alarm cleared" in subjects[2]


def test_a_change_no_rule_matches_sends_nothing() -> None:
    channel = InMemoryNotificationChannel()
    notifier = RoutingNotifier(
        [Rule("email", "a@example.org", Severity.CRITICAL)], {"email": channel}, clock=lambda: T0
    )
    notifier.notify(Change("raised", _alarm()))
    assert channel.sent == []
    notifier.close()
    assert channel.closed


def test_one_destination_named_twice_gets_one_message() -> None:
    rules = [Rule("email", "a@example.org", Severity.WARNING), Rule("email", "a@example.org")]
    assert len(route(Change("raised", _alarm()), rules)) == 1


def test_the_message_is_in_chinese_and_english() -> None:
    message = build_message(Change("repeated", replace(_alarm(), count=3)), now=T0)
    assert "保持中断" in message.subject and "hold_broken" in message.subject
    assert "K1" in message.subject and "#12" in message.subject
    assert "设施：K1" in message.body and "Facility: K1" in message.body
    assert "第 3 次" in message.body and "occurrence 3" in message.body
    assert "重要" in message.body and "Severity: major" in message.body
    assert "说明：保持于 2026-03-02T10:00:00Z 中断：低于指标（C2）" in message.body
    assert "Message: hold broken at 2026-03-02T10:00:00Z: below the threshold (C2)" in message.body


def test_the_payload_carries_the_event_the_alarm_and_when_it_was_sent() -> None:
    message = build_message(Change("raised", _alarm()), now=T0)
    payload = json.loads(webhook_body(message, sent_at=T0 + 1_000_000))
    assert payload["event"] == "alarm.raised"
    assert payload["sent_at"] == "2026-03-02T10:00:01Z"
    alarm = payload["alarm"]
    assert alarm["id"] == 12 and alarm["kind"] == "hold_broken"
    assert alarm["severity"] == "major" and alarm["state"] == "active"
    assert alarm["facility"] == "K1" and alarm["subject"] == "run 7"
    assert alarm["count"] == 1 and alarm["raised_at"] == "2026-03-02T10:00:00Z"
    assert alarm["message"] == "hold broken at 2026-03-02T10:00:00Z: below_threshold (C2)"
    assert alarm["code"] == "alarm.hold_broken_probes"
    assert alarm["params"] == {
        "at": "2026-03-02T10:00:00Z",
        "reason": "below_threshold",
        "probes": "C2",
    }


def test_a_receiver_can_verify_the_signature() -> None:
    body = webhook_body(build_message(Change("raised", _alarm()), now=T0), sent_at=T0)
    signature = sign(body, SECRET)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify(body, SECRET, signature)


def test_a_changed_body_or_another_secret_fails_verification() -> None:
    body = webhook_body(build_message(Change("raised", _alarm()), now=T0), sent_at=T0)
    signature = sign(body, SECRET)
    assert not verify(body.replace(b'"K1"', b'"K9"'), SECRET, signature)
    assert not verify(body, b"another secret", signature)
    assert not verify(body, SECRET, "sha256=" + "0" * 64)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not json", "not JSON"),
        ('{"channel": "email"}', "JSON list"),
        ('[{"channel": "sms", "to": "x"}]', "channel must be one of"),
        ('[{"channel": "email"}]', "needs to"),
        ('[{"channel": "email", "to": "a@b", "min_severity": "high"}]', "min_severity"),
        ('[{"channel": "webhook", "kinds": ["fire"]}]', "unknown kind"),
        ('[{"channel": "webhook", "facilities": "K1"}]', "list of strings"),
        ('[{"channel": "webhook", "severity": "major"}]', "unknown field"),
    ],
)
def test_a_bad_rule_is_refused_with_a_reason(text: str, says: str) -> None:
    with pytest.raises(RuleError, match=says) as error:
        parse_rules(text)
    assert error.value.message.code.value.startswith("notify_rule")  # a code, said in Chinese:
    assert render(error.value.message, "zh_CN") != str(error.value)


def test_a_bad_rule_names_the_rule_the_field_and_the_value() -> None:
    with pytest.raises(RuleError) as error:
        parse_rules('[{"channel": "email", "to": "a@b"}, {"channel": "sms", "to": "x"}]')
    assert error.value.message.params == {
        "rule": 1,
        "field": "channel",
        "options": "webhook, email",
        "value": '"sms"',
    }
    assert render(error.value.message, "zh_CN") == (
        '通知规则 1：channel 必须是以下之一：webhook, email（而不是 "sms"）'
    )


def test_no_rules_is_an_empty_list() -> None:
    assert parse_rules("") == []
    assert parse_rules("[]") == []
