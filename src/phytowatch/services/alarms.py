"""Alarms from the live runs and the registry, raised the moment they are known.

:meth:`AlarmService.observe` looks at the runs just fed (a batch committed a moment ago): their
conditions are matched with those facilities' open alarms at once, so a broken hold is an alarm
within milliseconds of its reading. :meth:`AlarmService.tick` looks at every open run (with the
live state the monitor kept: nothing is re-judged) and, once a minute, at every calibration. Both
turn what they see into conditions, match them with the open alarms (one per cause, with a repeat
count) and store the changes. The tick runs on the serving process's timer, so an alarm rises
when nothing arrives (a silent facility), not only on data.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Protocol

from phytowatch.domain import alarms, approach
from phytowatch.domain.alarms import (
    COMMENT_MAX,
    Alarm,
    AlarmKind,
    AlarmState,
    Change,
    Condition,
    Severity,
    Side,
    side_of,
)
from phytowatch.domain.instants import US_PER_D, US_PER_MIN
from phytowatch.domain.judgement.verdict import FindingKind, IndeterminateCause, LiveState, Phase
from phytowatch.domain.messages import Code, Instant, Kind, Word, refused, say
from phytowatch.domain.schedule import Regime, Schedule
from phytowatch.domain.text import LINES, plain_text
from phytowatch.services.audit import AuditRecorder, atomic
from phytowatch.services.context import Context
from phytowatch.services.runs import LiveRun, RunMonitor

CLOCK_SKEW_US = 2 * US_PER_MIN
CALIBRATION_DUE_WITHIN = 7 * US_PER_D
CALIBRATION_EVERY = US_PER_MIN  # calibrations are looked at once a minute
RUN_KINDS = (
    AlarmKind.APPROACHING_LIMIT,
    AlarmKind.SENSOR_FAULT,
    AlarmKind.PROBE_EXCLUDED,
    AlarmKind.FACILITY_SILENT,
    AlarmKind.CLOCK_SKEW,
)
_RUN_KIND_VALUES = tuple(kind.value for kind in RUN_KINDS)  # an enum's .value costs a call


OPEN_STATES = frozenset({AlarmState.ACTIVE, AlarmState.ACKNOWLEDGED})


@dataclass(frozen=True)
class AlarmQuery:
    """Which alarms a list shows: every filter is optional; the store filters and pages in SQL.

    ``facilities``: the facilities the caller may see (None: every one). ``raised_from`` is
    inclusive, ``raised_before`` exclusive (µs). ``by_severity``: the most severe first, then the
    newest; else the newest first."""

    facilities: frozenset[str] | None = None
    facility: str | None = None
    city: str | None = None
    kind: AlarmKind | None = None
    severity: Severity | None = None
    states: frozenset[AlarmState] = OPEN_STATES
    raised_from: int | None = None
    raised_before: int | None = None
    by_severity: bool = True


@dataclass(frozen=True)
class ListedAlarm:
    """An alarm as a list shows it, with its facility's city (the filter's, and the export's)."""

    alarm: Alarm
    city: str


class AlarmStore(Protocol):
    def find_alarms(
        self, query: AlarmQuery, *, offset: int = 0, limit: int = 50
    ) -> list[ListedAlarm]: ...

    def count_alarms(self, query: AlarmQuery) -> int: ...

    def open_alarms(self, facilities: Collection[str] | None = None) -> list[Alarm]: ...

    def apply(self, changes: list[Change]) -> list[Change]: ...

    def alarm(self, alarm_id: int) -> Alarm | None: ...

    def list_alarms(
        self, *, open_only: bool = True, facility: str | None = None, limit: int = 200
    ) -> list[Alarm]: ...

    def save(self, alarm: Alarm) -> None: ...

    def facility_codes(self) -> list[str]: ...

    def calibrations(self) -> list[tuple[str, str, int]]: ...  # (facility, probe, due_at)

    def conflicts_since(self, after_id: int) -> list[tuple[int, str, str, int]]: ...


@dataclass
class AlarmService:
    store: AlarmStore
    monitor: RunMonitor
    _calibrations_at: int | None = None
    _conflict_id: int | None = None
    _calibration_conditions: list[Condition] = field(default_factory=list)
    audit: AuditRecorder | None = None  # what people do to alarms is recorded here
    # approaching the limit: each open run's hold criteria, watched with hysteresis
    _approach: dict[tuple[int, str], approach.Watch] = field(default_factory=dict)

    def observe(self, runs: Sequence[LiveRun], now: int) -> list[Change]:
        """The alarms of these runs alone, from their kept live state: for the runs a committed
        batch has just fed. Other facilities' alarms are not looked at (nor cleared)."""
        if not runs:
            return []
        conditions: list[Condition] = []
        observed: set[tuple[str, str]] = set()
        for live in runs:
            code = live.record.facility_code
            observed.update((kind, code) for kind in _RUN_KIND_VALUES)
            conditions.extend(
                _run_conditions(
                    live.record.id, code, live.schedule, live.fresh(now), live, now, self._approach
                )
            )
        facilities = {live.record.facility_code for live in runs}
        changes = alarms.reconcile(
            self.store.open_alarms(facilities), conditions, now=now, observed=observed
        )
        return self.store.apply(changes) if changes else []

    def tick(self, now: int) -> list[Change]:
        """Observe, match with the open alarms, store the changes; returns them (to notify)."""
        conditions: list[Condition] = []
        observed: set[tuple[str, str]] = set()
        facilities = self.store.facility_codes()
        for code in facilities:
            observed.update((kind, code) for kind in _RUN_KIND_VALUES)
        running: set[int] = set()
        for record, schedule, state, live in self.monitor.live_runs(now):
            running.add(record.id)
            conditions.extend(
                _run_conditions(
                    record.id, record.facility_code, schedule, state, live, now, self._approach
                )
            )
        for key in [k for k in self._approach if k[0] not in running]:  # closed runs
            del self._approach[key]
        if self._calibrations_at is None or now - self._calibrations_at >= CALIBRATION_EVERY:
            self._calibrations_at = now
            self._calibration_conditions = self._calibrations(now)
            for code in facilities:
                observed.add((AlarmKind.CALIBRATION_EXPIRED.value, code))
                observed.add((AlarmKind.CALIBRATION_DUE.value, code))
        conditions.extend(self._calibration_conditions)
        conditions.extend(self._tamper(now))
        changes = alarms.reconcile(self.store.open_alarms(), conditions, now=now, observed=observed)
        return self.store.apply(changes) if changes else []

    def _calibrations(self, now: int) -> list[Condition]:
        out = []
        for facility, probe, due_at in self.store.calibrations():
            if due_at < now:
                kind = AlarmKind.CALIBRATION_EXPIRED
                message = say(Code.ALARM_CALIBRATION_EXPIRED, probe=probe, due=Instant(due_at))
            elif due_at - now <= CALIBRATION_DUE_WITHIN:
                kind = AlarmKind.CALIBRATION_DUE
                message = say(
                    Code.ALARM_CALIBRATION_DUE,
                    probe=probe,
                    days=CALIBRATION_DUE_WITHIN // US_PER_D,
                    due=Instant(due_at),
                )
            else:
                continue
            out.append(Condition(kind, facility, probe, now, str(due_at), message))
        return out

    def _tamper(self, now: int) -> list[Condition]:
        if self._conflict_id is None:  # start from what exists: alarms are for what comes now
            rows = self.store.conflicts_since(-1)
            self._conflict_id = max((r[0] for r in rows), default=0)
            return []
        rows = self.store.conflicts_since(self._conflict_id)
        if rows:
            self._conflict_id = max(r[0] for r in rows)
        return [
            Condition(
                AlarmKind.TAMPER,
                facility,
                "readings",
                now,
                f"conflict {row_id}",
                say(Code.ALARM_CONFLICT, probe=probe, at=Instant(t)),
            )
            for row_id, facility, probe, t in rows
        ]

    def _audit(
        self, before: Alarm, after: Alarm, action: str, ctx: Context, by: str, comment: str
    ) -> None:
        if self.audit is None:
            return
        self.audit.record(
            actor=ctx.actor,
            action=action,
            object_type="alarm",
            object_id=str(after.id),
            before={"state": before.state.value},
            after={
                "state": after.state.value,
                "kind": after.kind.value,
                "facility": after.facility,
                "by": by,
                "comment": comment,
            },
            now=ctx.now,
        )

    def acknowledge(
        self, alarm_id: int, *, ctx: Context, comment: str = "", by: str | None = None
    ) -> Alarm:
        """Acknowledged by whoever acts: a person as themselves (their login), whatever ``by``
        says; an actor without a login (the admin token, the CLI) by the name given in ``by``,
        else by its own name.

        Bureau staff acknowledge for the bureau (an accusing alarm only with a written comment);
        the enterprise's people record the enterprise's own acknowledgement of what is theirs to
        act on, which leaves the alarm active for the bureau (domain/alarms.py)."""
        alarm = self._get(alarm_id)
        side = _side(ctx)
        by, now = _who_checked(ctx, by, Code.ALARM_WHO), ctx.now
        comment = _comment(comment)
        if side is Side.ENTERPRISE:
            updated = alarms.acknowledge_for_enterprise(alarm, by=by, comment=comment, now=now)
            action = "alarm.acknowledged_by_enterprise"
        else:
            updated = alarms.acknowledge(alarm, by=by, comment=comment, now=now)
            action = "alarm.acknowledged"
        with atomic(self.audit):  # the change and its entry: both, or neither
            self.store.save(updated)
            self._audit(alarm, updated, action, ctx, by, comment)
        return updated

    def clear(
        self, alarm_id: int, *, ctx: Context, comment: str = "", by: str | None = None
    ) -> Alarm:
        """Cleared by the bureau's staff, named as :meth:`acknowledge` names them, always with a
        written comment saying why."""
        alarm = self._get(alarm_id)
        if _side(ctx) is not Side.BUREAU:
            raise refused(Kind.FORBIDDEN, Code.ALARM_BUREAU_CLEARS)
        by, now = _who_checked(ctx, by, Code.ALARM_WHO_CLEARS), ctx.now
        comment = _comment(comment)
        updated = alarms.clear(alarm, by=by, comment=comment, now=now)
        with atomic(self.audit):
            self.store.save(updated)
            self._audit(alarm, updated, "alarm.cleared", ctx, by, comment)
        return updated

    def _get(self, alarm_id: int) -> Alarm:
        alarm = self.store.alarm(alarm_id)
        if alarm is None:
            raise refused(Kind.NOT_FOUND, Code.NO_ALARM, alarm=alarm_id)
        return alarm


def _side(ctx: Context) -> Side:
    side = side_of(ctx.principal)
    if side is None:  # a device's token: not a person
        raise refused(Kind.FORBIDDEN, Code.ALARM_NOT_A_PERSON)
    return side


def _comment(comment: str) -> str:
    """A comment as kept: stripped, at most :data:`COMMENT_MAX` characters of lines."""
    comment = comment.strip()
    if len(comment) > COMMENT_MAX or not plain_text(comment, breaks=LINES):
        raise refused(Kind.INVALID, Code.ALARM_COMMENT_TOO_LONG, max=COMMENT_MAX)
    return comment


def _who(ctx: Context, named: str | None) -> str:
    """The name an alarm keeps of who acknowledged or cleared it."""
    if ctx.principal.login is not None:
        return ctx.principal.login
    return ctx.actor if named is None else named


def _who_checked(ctx: Context, named: str | None, problem: Code) -> str:
    """:func:`_who`, by the rule of every text of a record (domain/text.py): 1 to 100 characters
    as written, stripped; the same for an acknowledgement and a clearing."""
    by = _who(ctx, named).strip()
    if not by or len(by) > 100 or not plain_text(by):
        raise refused(Kind.INVALID, problem)
    return by


def _approaching(
    run_id: int,
    facility: str,
    schedule: Schedule,
    state: LiveState,
    watches: dict[tuple[int, str], approach.Watch],
    now: int,
) -> list[Condition]:
    """Each hold criterion's watch (domain/approach.py) moved on to the last sample: a warning
    while its value drifts toward the limit during the hold, with hysteresis."""
    out: list[Condition] = []
    holding = state.phase is Phase.HOLDING
    for criterion in schedule.hold_criteria:
        key = (run_id, criterion.key)
        holds = [h for h in state.holds if h.criterion == criterion.key]
        value = state.governing.get(criterion.key)
        cold = criterion.regime is Regime.COLD
        if not holding or not holds or value is None:
            watches.pop(key, None)
            continue
        limit = max(h.threshold for h in holds) if cold else min(h.threshold for h in holds)
        margins = approach.margins_for(criterion.regime, criterion.role)
        # the drift needs points: at least two sampling intervals of the schedule
        margins = replace(margins, window=max(margins.window, 2 * schedule.max_sample_interval))
        watch = approach.step(
            watches.get(key, approach.Watch()),
            t=state.last_sample,
            value=value,
            limit=limit,
            regime=criterion.regime,
            margins=margins,
            holding=True,
        )
        watches[key] = watch
        if watch.warning:
            out.append(
                Condition(
                    AlarmKind.APPROACHING_LIMIT,
                    facility,
                    f"run {run_id}",
                    now,
                    "",
                    say(
                        Code.ALARM_APPROACHING,
                        key=Word(criterion.key),
                        value=value,
                        margin=approach.distance(value, limit, criterion.regime),
                        threshold=limit,
                    ),
                )
            )
    return out


def _run_conditions(
    run_id: int,
    facility: str,
    schedule: Schedule,
    state: LiveState,
    live: LiveRun,
    now: int,
    watches: dict[tuple[int, str], approach.Watch],
) -> list[Condition]:
    subject = f"run {run_id}"
    out: list[Condition] = []
    judgement = state.judgement
    if judgement.indeterminate_cause is IndeterminateCause.TOO_FEW_PROBES_INSTALLED:
        out.append(
            Condition(
                AlarmKind.TOO_FEW_PROBES,
                facility,
                subject,
                now,
                "start",
                say(Code.ALARM_TOO_FEW_PROBES),
            )
        )
    if judgement.interruptions:
        last = judgement.interruptions[-1]
        out.append(
            Condition(
                AlarmKind.HOLD_BROKEN,
                facility,
                subject,
                now,
                f"{last.at}:{last.step}",
                say(
                    Code.ALARM_HOLD_BROKEN_PROBES,
                    at=Instant(last.at),
                    reason=Word(last.reason.value),
                    probes=", ".join(last.probes),
                )
                if last.probes
                else say(
                    Code.ALARM_HOLD_BROKEN, at=Instant(last.at), reason=Word(last.reason.value)
                ),
            )
        )
    for finding in judgement.findings:
        if finding.kind is FindingKind.PROBE_EXCLUDED:
            if finding.end == state.last_sample and finding.probe:
                out.append(
                    Condition(
                        AlarmKind.PROBE_EXCLUDED,
                        facility,
                        finding.probe,
                        now,
                        "",
                        say(
                            Code.ALARM_PROBE_EXCLUDED,
                            probe=finding.probe,
                            cause=Word(str(finding.detail.get("cause"))),
                        ),
                    )
                )
        else:
            out.append(
                Condition(
                    AlarmKind.TAMPER,
                    facility,
                    subject,
                    now,
                    f"{finding.kind.value}:{finding.probe}:{finding.start}",
                    say(
                        Code.ALARM_FINDING_ON, finding=Word(finding.kind.value), probe=finding.probe
                    )
                    if finding.probe
                    else say(Code.ALARM_FINDING, finding=Word(finding.kind.value)),
                )
            )
    out.extend(_approaching(run_id, facility, schedule, state, watches, now))
    for probe, (_, fault) in sorted(live.latest.items()):
        if fault is not None:
            out.append(
                Condition(
                    AlarmKind.SENSOR_FAULT,
                    facility,
                    probe,
                    now,
                    "",
                    say(Code.ALARM_SENSOR_FAULT, probe=probe, fault=Word(fault)),
                )
            )
    heard_at = live.heard_at
    # a monitor that has just started (or restarted) cannot tell a silence from before it watched
    silent_since = max(heard_at if heard_at is not None else 0, live.watched_from)
    if now - silent_since > schedule.max_sample_interval:
        out.append(
            Condition(
                AlarmKind.FACILITY_SILENT,
                facility,
                facility,
                now,
                "",
                say(Code.ALARM_SILENT, at=Instant(silent_since)),
            )
        )
    device_t = live.heard_device_t
    if heard_at is not None and device_t is not None and device_t - heard_at > CLOCK_SKEW_US:
        out.append(
            Condition(
                AlarmKind.CLOCK_SKEW,
                facility,
                facility,
                now,
                "",
                say(Code.ALARM_CLOCK_SKEW, minutes=CLOCK_SKEW_US // US_PER_MIN),
                MappingProxyType({"skew_us": device_t - heard_at}),
            )
        )
    return out
