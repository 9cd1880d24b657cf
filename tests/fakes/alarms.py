"""Alarms in memory (services.alarms.AlarmStore), with the facilities, calibrations and refused
rewrites of an in-memory registry."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import TYPE_CHECKING

from fakes.registry import InMemoryRegistry
from phytowatch.domain.alarms import Alarm, Change, Severity
from phytowatch.services.alarms import AlarmQuery, ListedAlarm

_RANK = {severity: rank for rank, severity in enumerate(Severity)}


class InMemoryAlarmStore:
    def __init__(self, registry: InMemoryRegistry | None = None) -> None:
        self.registry = registry if registry is not None else InMemoryRegistry()
        self.alarms: dict[int, Alarm] = {}

    def open_alarms(self, facilities: Collection[str] | None = None) -> list[Alarm]:
        return [
            alarm
            for _, alarm in sorted(self.alarms.items())
            if alarm.open and (facilities is None or alarm.facility in facilities)
        ]

    def list_alarms(
        self, *, open_only: bool = True, facility: str | None = None, limit: int = 200
    ) -> list[Alarm]:
        found = [
            alarm
            for _, alarm in sorted(self.alarms.items(), reverse=True)
            if (not open_only or alarm.open) and (facility is None or alarm.facility == facility)
        ]
        return found[:limit]

    def _city(self, facility_code: str) -> str:
        facility = self.registry.facility_by_code(facility_code)
        if facility is None:
            return ""
        enterprise = self.registry.enterprises.get(facility.enterprise_id)
        return enterprise.city if enterprise is not None else ""

    def _selected(self, q: AlarmQuery) -> list[ListedAlarm]:
        found = [
            ListedAlarm(alarm, self._city(alarm.facility))
            for alarm in self.alarms.values()
            if (q.facilities is None or alarm.facility in q.facilities)
            and (q.facility is None or alarm.facility == q.facility)
            and (q.kind is None or alarm.kind is q.kind)
            and (q.severity is None or alarm.severity is q.severity)
            and alarm.state in q.states
            and (q.raised_from is None or alarm.raised_at >= q.raised_from)
            and (q.raised_before is None or alarm.raised_at < q.raised_before)
        ]
        if q.city is not None:
            found = [listed for listed in found if listed.city == q.city]
        found.sort(key=lambda listed: (-listed.alarm.raised_at, -(listed.alarm.id or 0)))
        if q.by_severity:
            found.sort(key=lambda listed: _RANK[listed.alarm.severity])  # stable: newest next
        return found

    def find_alarms(
        self, query: AlarmQuery, *, offset: int = 0, limit: int = 50
    ) -> list[ListedAlarm]:
        return self._selected(query)[max(0, offset) : max(0, offset) + max(0, limit)]

    def count_alarms(self, query: AlarmQuery) -> int:
        return len(self._selected(query))

    def apply(self, changes: list[Change]) -> list[Change]:
        out: list[Change] = []
        for change in changes:
            alarm = change.alarm
            if alarm.id is None:
                alarm = replace(alarm, id=len(self.alarms) + 1)
                out.append(Change(change.what, alarm))
            else:
                out.append(change)
            assert alarm.id is not None
            self.alarms[alarm.id] = alarm
        return out

    def alarm(self, alarm_id: int) -> Alarm | None:
        return self.alarms.get(alarm_id)

    def save(self, alarm: Alarm) -> None:
        if alarm.id in self.alarms:
            self.alarms[alarm.id] = alarm

    def facility_codes(self) -> list[str]:
        return [f.code for _, f in sorted(self.registry.facilities.items())]

    def calibrations(self) -> list[tuple[str, str, int]]:
        out = []
        for probe_id, calibration in self.registry.latest_calibrations().items():
            facility, probe = self.registry.probe(probe_id)
            out.append((facility.code, probe.code, calibration.due_at))
        return out

    def conflicts_since(self, after_id: int) -> list[tuple[int, str, str, int]]:
        out = []
        for conflict in self.registry.conflicts:
            if conflict.id > after_id:
                facility, probe = self.registry.probe(conflict.probe_id)
                out.append((conflict.id, facility.code, probe.code, conflict.t))
        return out


if TYPE_CHECKING:  # the fake is its port, or mypy fails here
    from phytowatch.services.alarms import AlarmStore

    _alarm_store: AlarmStore = InMemoryAlarmStore()
