"""Runs in memory (services.runs.RunStore), on an in-memory registry and its readings."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from fakes.registry import InMemoryRegistry
from phytowatch.domain.messages import Message
from phytowatch.services.ports import FacilityRef
from phytowatch.services.runs import RunRecord, StoredReading


@dataclass(frozen=True)
class _Run:
    """A run as the SQL store keeps it: params, offsets and judgement as JSON text."""

    id: int
    facility_id: int
    schedule_id: str
    schedule_version: str
    params: str
    offsets: str
    calibration_notes: tuple[Message, ...]
    load: str
    note: str
    started_at: int
    closed_at: int | None = None
    close_reason: str | None = None
    verdict: str | None = None
    judgement: str | None = None


class InMemoryRunStore:
    def __init__(self, registry: InMemoryRegistry) -> None:
        self.registry = registry
        self.runs: dict[int, _Run] = {}

    def facility_by_code(self, code: str) -> FacilityRef | None:
        return self.registry.facility_by_code(code)

    def latest_calibrations(self, facility_id: int) -> dict[str, tuple[str, int]]:
        latest = self.registry.latest_calibrations(facility_id)
        return {self._code(probe_id): (c.offset, c.due_at) for probe_id, c in latest.items()}

    def create_run(
        self,
        facility_id: int,
        schedule_id: str,
        schedule_version: str,
        params: str,
        offsets: str,
        calibration_notes: list[Message],
        load: str,
        note: str,
        started_at: int,
    ) -> int:
        run_id = len(self.runs) + 1
        self.runs[run_id] = _Run(
            run_id,
            facility_id,
            schedule_id,
            schedule_version,
            params,
            offsets,
            tuple(calibration_notes),
            load,
            note,
            started_at,
        )
        return run_id

    def run(self, run_id: int) -> RunRecord | None:
        found = self.runs.get(run_id)
        return None if found is None else self._record(found)

    def open_runs(self) -> list[RunRecord]:
        return [self._record(r) for _, r in sorted(self.runs.items()) if r.closed_at is None]

    def runs_of(self, facility_code: str | None = None, limit: int = 50) -> list[RunRecord]:
        records = [self._record(r) for _, r in sorted(self.runs.items(), reverse=True)]
        if facility_code is not None:
            records = [r for r in records if r.facility_code == facility_code]
        return records[:limit]

    def open_run_ids(self) -> set[int]:
        return {run_id for run_id, r in self.runs.items() if r.closed_at is None}

    def close_run(
        self, run_id: int, closed_at: int, reason: str, verdict: str, judgement: str
    ) -> bool:
        found = self.runs.get(run_id)
        if found is None or found.closed_at is not None:
            return False
        self.runs[run_id] = replace(
            found, closed_at=closed_at, close_reason=reason, verdict=verdict, judgement=judgement
        )
        return True

    def run_readings(
        self, facility_id: int, t_from: int, t_to: int | None, received_after: int | None
    ) -> list[StoredReading]:
        return [
            (self._code(probe_id), t, r.value, r.fault, r.received_at)
            for (probe_id, t), r in self.registry.readings.items()
            if r.facility_id == facility_id
            and t >= t_from
            and (t_to is None or t <= t_to)
            and (received_after is None or r.received_at > received_after)
        ]

    def batches_received(
        self, facility_ids: list[int], received_after: int
    ) -> list[tuple[int, int, int]]:
        counts: dict[tuple[int, int], int] = {}
        for r in self.registry.readings.values():
            if r.facility_id in facility_ids and r.received_at > received_after:
                key = (r.facility_id, r.received_at)
                counts[key] = counts.get(key, 0) + 1
        return [(facility_id, at, count) for (facility_id, at), count in counts.items()]

    def batch_readings(
        self, batches: list[tuple[int, int]]
    ) -> list[tuple[int, str, int, float | None, str | None, int]]:
        wanted = set(batches)
        return [
            (r.facility_id, self._code(probe_id), t, r.value, r.fault, r.received_at)
            for (probe_id, t), r in self.registry.readings.items()
            if (r.facility_id, r.received_at) in wanted
        ]

    def _code(self, probe_id: int) -> str:
        return self.registry.probe(probe_id)[1].code

    def _record(self, run: _Run) -> RunRecord:
        judgement: dict[str, Any] | None = None
        if run.judgement is not None:
            judgement = json.loads(run.judgement)
        return RunRecord(
            id=run.id,
            facility_id=run.facility_id,
            facility_code=self.registry.facilities[run.facility_id].code,
            schedule_id=run.schedule_id,
            schedule_version=run.schedule_version,
            params=json.loads(run.params),
            offsets=json.loads(run.offsets),
            calibration_notes=list(run.calibration_notes),
            load=run.load,
            note=run.note,
            started_at=run.started_at,
            closed_at=run.closed_at,
            close_reason=run.close_reason,
            verdict=run.verdict,
            judgement=judgement,
        )


if TYPE_CHECKING:  # the fake is its port, or mypy fails here
    from phytowatch.services.runs import RunStore

    _run_store: RunStore = InMemoryRunStore(InMemoryRegistry())
