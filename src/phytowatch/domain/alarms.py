"""Alarms as values: what is wrong now, one open alarm per cause, and its lifecycle.

Each tick the service observes **conditions** (a probe is faulty now; a hold just broke). An
alarm is keyed by its cause (kind, facility, subject): while it is open, the same cause seen
again does not open another alarm, it counts a **repeat** (a new occurrence, e.g. another break)
or just stays (a condition that continues). Lifecycle: ``active`` → ``acknowledged`` (who, when,
comment) → ``cleared``. An alarm whose cause can end (``continuing`` kinds) clears itself when its
condition is no longer observed; an alarm about an event (a break, a tamper) stays until a person
clears it. Pure: time is a parameter.

Who may act (docs/operations.md, "Who acts on an alarm"): the state above is the **bureau's**.
Only bureau staff acknowledge and clear; an alarm that accuses the supervised enterprise
(:data:`ACCUSING`) is acknowledged only with a written comment, and clearing always says why. An
enterprise acknowledges what is its to act on (:data:`ENTERPRISE_MAY_ACKNOWLEDGE`) as its own
acknowledgement (who, when, comment), which leaves the alarm ``active`` for the bureau.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from phytowatch.domain.accounts import Principal
from phytowatch.domain.messages import Code, Kind, Message, Word, refused, say
from phytowatch.domain.signoff import MIN_COMMENT, written_length

_NO_MESSAGE = say(Code.TEXT, text="")


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    WARNING = "warning"


class AlarmKind(StrEnum):
    HOLD_BROKEN = "hold_broken"
    APPROACHING_LIMIT = "approaching_limit"
    SENSOR_FAULT = "sensor_fault"
    PROBE_EXCLUDED = "probe_excluded"
    FACILITY_SILENT = "facility_silent"
    CALIBRATION_EXPIRED = "calibration_expired"
    CALIBRATION_DUE = "calibration_due"
    CLOCK_SKEW = "clock_skew"
    TAMPER = "tamper"
    TOO_FEW_PROBES = "too_few_probes"


SEVERITY: MappingProxyType[AlarmKind, Severity] = MappingProxyType(
    {
        AlarmKind.TAMPER: Severity.CRITICAL,
        AlarmKind.TOO_FEW_PROBES: Severity.CRITICAL,
        AlarmKind.HOLD_BROKEN: Severity.MAJOR,
        AlarmKind.FACILITY_SILENT: Severity.MAJOR,
        AlarmKind.CALIBRATION_EXPIRED: Severity.MAJOR,
        AlarmKind.SENSOR_FAULT: Severity.MINOR,
        AlarmKind.PROBE_EXCLUDED: Severity.MINOR,
        AlarmKind.CLOCK_SKEW: Severity.MINOR,
        AlarmKind.APPROACHING_LIMIT: Severity.WARNING,
        AlarmKind.CALIBRATION_DUE: Severity.WARNING,
    }
)

# Kinds whose cause can end by itself: the alarm clears when the condition is gone.
CONTINUING: frozenset[AlarmKind] = frozenset(
    {
        AlarmKind.APPROACHING_LIMIT,
        AlarmKind.SENSOR_FAULT,
        AlarmKind.PROBE_EXCLUDED,
        AlarmKind.FACILITY_SILENT,
        AlarmKind.CALIBRATION_EXPIRED,
        AlarmKind.CALIBRATION_DUE,
        AlarmKind.CLOCK_SKEW,
    }
)


# Alarms that accuse the supervised enterprise (its run was tampered with, its hold broke, it
# treated with too few probes): only bureau staff acknowledge and clear them, with a written
# comment each time. The enterprise may not answer them for the bureau.
ACCUSING: frozenset[AlarmKind] = frozenset(
    {AlarmKind.TAMPER, AlarmKind.HOLD_BROKEN, AlarmKind.TOO_FEW_PROBES}
)

# What the enterprise acts on itself (its probes, its device, its calibrations, its clock, the
# heat it gives): it may record its own acknowledgement of these. Every kind is in exactly one of
# the two sets (tests/unit/test_alarm_lifecycle.py).
ENTERPRISE_MAY_ACKNOWLEDGE: frozenset[AlarmKind] = frozenset(
    {
        AlarmKind.SENSOR_FAULT,
        AlarmKind.PROBE_EXCLUDED,
        AlarmKind.FACILITY_SILENT,
        AlarmKind.CALIBRATION_DUE,
        AlarmKind.CALIBRATION_EXPIRED,
        AlarmKind.CLOCK_SKEW,
        AlarmKind.APPROACHING_LIMIT,
    }
)

COMMENT_MAX = 2000  # characters of an acknowledgement's or a clearing's comment


class Side(StrEnum):
    """On whose behalf a person acts on an alarm."""

    BUREAU = "bureau"  # inspectors, certifying officers, administrators; the admin token, the CLI
    ENTERPRISE = "enterprise"  # the supervised enterprise's own people


def side_of(principal: Principal) -> Side | None:
    """The bureau's staff (a bureau role or an administrator; the break-glass admin token and
    the server's own CLI, which only the bureau runs), or the enterprise's people; a device is
    neither."""
    if principal.kind in {"admin_token", "cli", "system"}:
        return Side.BUREAU
    if principal.role is None:
        return None
    if principal.role.is_enterprise:
        return Side.ENTERPRISE
    return Side.BUREAU  # a bureau role or the administrator


def accuses(kind: AlarmKind) -> bool:
    return kind in ACCUSING


class AlarmState(StrEnum):
    ACTIVE = "active"
    ACKNOWLEDGED = "acknowledged"
    CLEARED = "cleared"


AlarmKey = tuple[str, str, str]  # (kind, facility, subject)


@dataclass(frozen=True)
class Condition:
    """Something observed now. ``occurrence`` tells a new event (a second break) from the same
    one seen again; ``subject`` is what it is about within the facility (a probe, a run)."""

    kind: AlarmKind
    facility: str
    subject: str
    at: int
    occurrence: str = ""
    message: Message = _NO_MESSAGE
    detail: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def key(self) -> AlarmKey:
        return (self.kind.value, self.facility, self.subject)


@dataclass(frozen=True)
class Alarm:
    kind: AlarmKind
    facility: str
    subject: str
    severity: Severity
    state: AlarmState
    raised_at: int
    last_seen_at: int
    count: int  # occurrences while open (1 when raised)
    last_occurrence: str
    message: Message
    id: int | None = None
    acknowledged_by: str | None = None
    acknowledged_at: int | None = None
    comment: str = ""
    cleared_at: int | None = None
    cleared_by: str | None = None
    clear_comment: str = ""  # why a person cleared it (a clearing by itself has none)
    # the enterprise's own acknowledgement: recorded and shown, never the bureau's state
    enterprise_acknowledged_by: str | None = None
    enterprise_acknowledged_at: int | None = None
    enterprise_comment: str = ""

    @property
    def key(self) -> AlarmKey:
        return (self.kind.value, self.facility, self.subject)

    @property
    def open(self) -> bool:
        return self.state is not AlarmState.CLEARED


@dataclass(frozen=True)
class Change:
    """What a tick did to an alarm: ``raised``, ``repeated`` or ``cleared`` (notify on these)."""

    what: str
    alarm: Alarm


def reconcile(
    open_alarms: Iterable[Alarm],
    conditions: Iterable[Condition],
    *,
    now: int,
    observed: set[tuple[str, str]] | None = None,
) -> list[Change]:
    """Match this tick's conditions with the open alarms.

    ``observed``: the (kind, facility) pairs this tick looked at; a continuing alarm clears only
    when its kind was looked at for its facility and its condition was not seen (a facility whose
    readings were not examined this tick keeps its alarms).
    """
    by_key = {alarm.key: alarm for alarm in open_alarms}
    seen: dict[AlarmKey, Condition] = {}
    for condition in conditions:
        seen.setdefault(condition.key, condition)
    changes: list[Change] = []
    for key, condition in seen.items():
        alarm = by_key.get(key)
        if alarm is None:
            changes.append(
                Change(
                    "raised",
                    Alarm(
                        kind=condition.kind,
                        facility=condition.facility,
                        subject=condition.subject,
                        severity=SEVERITY[condition.kind],
                        state=AlarmState.ACTIVE,
                        raised_at=now,
                        last_seen_at=now,
                        count=1,
                        last_occurrence=condition.occurrence,
                        message=condition.message,
                    ),
                )
            )
        elif condition.occurrence != alarm.last_occurrence:
            changes.append(
                Change(
                    "repeated",
                    replace(
                        alarm,
                        count=alarm.count + 1,
                        last_seen_at=now,
                        last_occurrence=condition.occurrence,
                        message=condition.message
                        if condition.message is not _NO_MESSAGE
                        else alarm.message,
                    ),
                )
            )
    for key, alarm in by_key.items():
        if key in seen or alarm.kind not in CONTINUING:
            continue
        if observed is not None and (alarm.kind.value, alarm.facility) not in observed:
            continue
        changes.append(Change("cleared", replace(alarm, state=AlarmState.CLEARED, cleared_at=now)))
    return changes


def acknowledge(alarm: Alarm, *, by: str, comment: str, now: int) -> Alarm:
    """The bureau acknowledges: the alarm leaves ``active``. An accusing alarm needs a written
    comment (at least :data:`MIN_COMMENT` characters a reader sees, as a sign-off's)."""
    if alarm.state is AlarmState.CLEARED:
        raise refused(Kind.CONFLICT, Code.ALARM_ACK_CLEARED)
    if alarm.state is AlarmState.ACKNOWLEDGED:
        raise refused(Kind.CONFLICT, Code.ALARM_ACKED_ALREADY, by=alarm.acknowledged_by or "?")
    if accuses(alarm.kind) and written_length(comment) < MIN_COMMENT:
        raise refused(
            Kind.INVALID, Code.ALARM_ACK_NEEDS_COMMENT, kind=Word(alarm.kind.value), min=MIN_COMMENT
        )
    return replace(
        alarm,
        state=AlarmState.ACKNOWLEDGED,
        acknowledged_by=by,
        acknowledged_at=now,
        comment=comment,
    )


def acknowledge_for_enterprise(alarm: Alarm, *, by: str, comment: str, now: int) -> Alarm:
    """The enterprise records its own acknowledgement of what is its to act on; the alarm keeps
    its state: it stays ``active`` for the bureau (the wall and the facility still count it)."""
    if alarm.kind not in ENTERPRISE_MAY_ACKNOWLEDGE:
        raise refused(Kind.FORBIDDEN, Code.ALARM_BUREAU_ONLY, kind=Word(alarm.kind.value))
    if alarm.state is AlarmState.CLEARED:
        raise refused(Kind.CONFLICT, Code.ALARM_ACK_CLEARED)
    if alarm.enterprise_acknowledged_by is not None:
        raise refused(
            Kind.CONFLICT, Code.ALARM_ENTERPRISE_ACKED_ALREADY, by=alarm.enterprise_acknowledged_by
        )
    return replace(
        alarm,
        enterprise_acknowledged_by=by,
        enterprise_acknowledged_at=now,
        enterprise_comment=comment,
    )


def clear(alarm: Alarm, *, by: str, comment: str, now: int) -> Alarm:
    """The bureau clears an alarm (an event alarm, once dealt with): it must be acknowledged,
    and clearing always says why (a written comment, as for an accusing acknowledgement)."""
    if alarm.state is AlarmState.CLEARED:
        raise refused(Kind.CONFLICT, Code.ALARM_CLEARED_ALREADY)
    if alarm.state is not AlarmState.ACKNOWLEDGED:
        raise refused(Kind.CONFLICT, Code.ALARM_ACK_FIRST)
    if written_length(comment) < MIN_COMMENT:
        raise refused(Kind.INVALID, Code.ALARM_CLEAR_NEEDS_COMMENT, min=MIN_COMMENT)
    return replace(
        alarm, state=AlarmState.CLEARED, cleared_at=now, cleared_by=by, clear_comment=comment
    )
