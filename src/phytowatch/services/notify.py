"""Alarm notifications: which rules a change is sent on, what the message says, how it is signed.

A :class:`Rule` sends the changes at or above its severity (critical > major > minor > warning),
optionally only for some facilities and alarm kinds, on one channel (``webhook`` or ``email``) to
one destination. :class:`RoutingNotifier` is the :class:`Notifier` the serving process uses: it
builds the message once and hands it to each matching :class:`NotificationChannel`, which must
not block (the adapters in ``phytowatch.notify`` queue it for a background thread). Pure apart
from the channels: time comes from the ``clock`` given.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from phytowatch.domain.alarms import Alarm, AlarmKind, Change, Severity
from phytowatch.domain.instants import format_instant
from phytowatch.domain.messages import Code, Invalid, Param, params_for_api, say
from phytowatch.i18n.catalogue import render, word

CHANNELS = ("webhook", "email")
Channel = Literal["webhook", "email"]
WHATS = ("raised", "repeated", "cleared")
SIGNATURE_HEADER = "X-Phytowatch-Signature"
TIMESTAMP_HEADER = "X-Phytowatch-Timestamp"

RANK: Mapping[Severity, int] = {
    Severity.WARNING: 0,
    Severity.MINOR: 1,
    Severity.MAJOR: 2,
    Severity.CRITICAL: 3,
}
WHAT_ZH: Mapping[str, str] = {"raised": "告警产生", "repeated": "告警重复", "cleared": "告警解除"}
WHAT_EN: Mapping[str, str] = {
    "raised": "alarm raised",
    "repeated": "alarm repeated",
    "cleared": "alarm cleared",
}


class RuleError(Invalid):
    """A notification rule that cannot be used; the message (a code) says which and why."""


def _refuse(code: Code, /, **params: Param) -> RuleError:
    return RuleError(say(code, **params))


@dataclass(frozen=True)
class Rule:
    channel: Channel
    to: str  # webhook: a URL ("" = the default URL); email: addresses, comma-separated
    min_severity: Severity = Severity.MAJOR
    facilities: frozenset[str] | None = None  # None: every facility
    kinds: frozenset[AlarmKind] | None = None  # None: every kind

    def matches(self, alarm: Alarm) -> bool:
        return (
            RANK[alarm.severity] >= RANK[self.min_severity]
            and (self.facilities is None or alarm.facility in self.facilities)
            and (self.kinds is None or alarm.kind in self.kinds)
        )


def parse_rules(text: str) -> list[Rule]:
    """Rules from their JSON list (``PHYTOWATCH_NOTIFY_RULES``); empty text: no rules."""
    if not text.strip():
        return []
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise _refuse(Code.NOTIFY_RULES_JSON, error=error.msg, position=error.pos) from None
    if not isinstance(items, list):
        raise _refuse(Code.NOTIFY_RULES_LIST)
    return [_rule(index, item) for index, item in enumerate(items)]


def _rule(index: int, item: object) -> Rule:
    where = index
    if not isinstance(item, dict):
        raise _refuse(Code.NOTIFY_RULE_OBJECT, rule=where)
    unknown = set(item) - {"channel", "to", "min_severity", "facilities", "kinds"}
    if unknown:
        raise _refuse(Code.NOTIFY_RULE_UNKNOWN, rule=where, fields=", ".join(sorted(unknown)))
    channel = item.get("channel")
    if channel not in CHANNELS:
        raise _refuse(
            Code.NOTIFY_RULE_CHOICE,
            rule=where,
            field="channel",
            options=", ".join(CHANNELS),
            value=_shown(channel),
        )
    to = item.get("to", "")
    if not isinstance(to, str):
        raise _refuse(Code.NOTIFY_RULE_TO_TEXT, rule=where)
    if channel == "email" and not to.strip():
        raise _refuse(Code.NOTIFY_RULE_EMAIL_TO, rule=where)
    try:
        severity = Severity(item.get("min_severity", Severity.MAJOR.value))
    except ValueError:
        raise _refuse(
            Code.NOTIFY_RULE_CHOICE,
            rule=where,
            field="min_severity",
            options=", ".join(s.value for s in Severity),
            value=_shown(item.get("min_severity")),
        ) from None
    facilities = _names(where, "facilities", item.get("facilities"))
    kind_names = _names(where, "kinds", item.get("kinds"))
    kinds = None
    if kind_names is not None:
        known = {kind.value for kind in AlarmKind}
        if kind_names - known:
            raise _refuse(
                Code.NOTIFY_RULE_KINDS, rule=where, kinds=", ".join(sorted(kind_names - known))
            )
        kinds = frozenset(AlarmKind(name) for name in kind_names)
    kind_of_channel: Channel = "webhook" if channel == "webhook" else "email"
    return Rule(kind_of_channel, to.strip(), severity, facilities, kinds)


def _shown(value: object) -> str:
    """A rule's value as it is written in the JSON."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _names(where: int, name: str, value: object) -> frozenset[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _refuse(Code.NOTIFY_RULE_NAMES, rule=where, field=name)
    return frozenset(value)


def route(change: Change, rules: Sequence[Rule]) -> list[Rule]:
    """The rules a change is sent on (each destination once, in rule order)."""
    out: list[Rule] = []
    seen: set[tuple[str, str]] = set()
    for rule in rules:
        if rule.matches(change.alarm) and (rule.channel, rule.to) not in seen:
            seen.add((rule.channel, rule.to))
            out.append(rule)
    return out


@dataclass(frozen=True)
class Message:
    """One notification: ``payload`` for the webhook (``sent_at`` is added when sent), the
    subject and body (Chinese, then English) for e-mail."""

    event: str
    payload: Mapping[str, Any]
    subject: str
    body: str
    created_at: int


def alarm_payload(alarm: Alarm) -> dict[str, Any]:
    def when(instant: int | None) -> str | None:
        return None if instant is None else format_instant(instant)

    return {
        "id": alarm.id,
        "kind": alarm.kind.value,
        "severity": alarm.severity.value,
        "state": alarm.state.value,
        "facility": alarm.facility,
        "subject": alarm.subject,
        "message": alarm.message.english(),
        "code": alarm.message.code.value,
        "params": params_for_api(alarm.message.params),
        "count": alarm.count,
        "raised_at": when(alarm.raised_at),
        "last_seen_at": when(alarm.last_seen_at),
        "acknowledged_by": alarm.acknowledged_by,
        "acknowledged_at": when(alarm.acknowledged_at),
        "comment": alarm.comment,
        "cleared_at": when(alarm.cleared_at),
        "cleared_by": alarm.cleared_by,
        "clear_comment": alarm.clear_comment,
        "enterprise_acknowledged_by": alarm.enterprise_acknowledged_by,
        "enterprise_acknowledged_at": when(alarm.enterprise_acknowledged_at),
        "enterprise_comment": alarm.enterprise_comment,
    }


def build_message(change: Change, *, now: int) -> Message:
    alarm = change.alarm
    what = change.what if change.what in WHATS else "raised"
    severity_zh = word(alarm.severity.value, "zh_CN")  # the words of the pages, one catalogue
    kind_zh = word(alarm.kind.value, "zh_CN")
    number = f"#{alarm.id}" if alarm.id is not None else ""
    subject = (
        f"[phytowatch] {WHAT_ZH[what]} {WHAT_EN[what]}{' ' + number if number else ''}: "
        f"{alarm.facility} {kind_zh} {alarm.kind.value} ({severity_zh} {alarm.severity.value})"
    )
    repeats_zh = f"（第 {alarm.count} 次）" if alarm.count > 1 else ""
    repeats_en = f" (occurrence {alarm.count})" if alarm.count > 1 else ""
    when = format_instant(
        alarm.cleared_at if what == "cleared" and alarm.cleared_at else alarm.last_seen_at
    )
    body = "\n".join(
        [
            f"{WHAT_ZH[what]}{repeats_zh} {number}",
            f"设施：{alarm.facility}",
            f"对象：{alarm.subject}",
            f"类型：{kind_zh}（{alarm.kind.value}）",
            f"级别：{severity_zh}（{alarm.severity.value}）",
            f"状态：{alarm.state.value}",
            f"说明：{render(alarm.message, 'zh_CN')}",
            f"首次产生：{format_instant(alarm.raised_at)}",
            f"时间：{when}",
            "",
            f"{WHAT_EN[what].capitalize()}{repeats_en} {number}",
            f"Facility: {alarm.facility}",
            f"Subject: {alarm.subject}",
            f"Kind: {alarm.kind.value}",
            f"Severity: {alarm.severity.value}",
            f"State: {alarm.state.value}",
            f"Message: {render(alarm.message, 'en')}",
            f"Raised at: {format_instant(alarm.raised_at)}",
            f"At: {when}",
            "",
            "-- phytowatch",
        ]
    )
    return Message(
        event=f"alarm.{what}",
        payload={"event": f"alarm.{what}", "alarm": alarm_payload(alarm)},
        subject=subject,
        body=body,
        created_at=now,
    )


def webhook_body(message: Message, *, sent_at: int) -> bytes:
    """The JSON body POSTed for a message, ``sent_at`` being this attempt's time."""
    payload = {**message.payload, "sent_at": format_instant(sent_at)}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(body: bytes, secret: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of the body>``: the ``X-Phytowatch-Signature`` header."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: bytes, signature: str) -> bool:
    """What a receiver does: recompute the signature, compare in constant time."""
    return hmac.compare_digest(sign(body, secret), signature)


class NotificationChannel(Protocol):
    """Sends messages to destinations; :meth:`send` must not block (queue, then return)."""

    def send(self, to: str, message: Message) -> None: ...

    def close(self) -> None: ...


class Notifier(Protocol):
    def notify(self, change: Change) -> None: ...

    def close(self) -> None: ...


@dataclass
class RoutingNotifier:
    """Sends each change on the rules it matches. A rule whose channel is missing is skipped
    (the composition root refuses such settings at start)."""

    rules: Sequence[Rule]
    channels: Mapping[str, NotificationChannel]
    clock: Callable[[], int]

    def notify(self, change: Change) -> None:
        matching = route(change, self.rules)
        if not matching:
            return
        message = build_message(change, now=self.clock())
        for rule in matching:
            channel = self.channels.get(rule.channel)
            if channel is not None:
                channel.send(rule.to, message)

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()
