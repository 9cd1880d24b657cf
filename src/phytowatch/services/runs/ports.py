"""A treatment run's record and its store (the port the SQL store and the fakes implement)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from phytowatch.domain.messages import Message
from phytowatch.services.ports import FacilityRef


@dataclass(frozen=True)
class RunRecord:
    id: int
    facility_id: int
    facility_code: str
    schedule_id: str
    schedule_version: str
    params: dict[str, str]
    offsets: dict[str, str]
    calibration_notes: list[Message]
    load: str
    note: str
    started_at: int
    closed_at: int | None = None
    close_reason: str | None = None
    verdict: str | None = None
    judgement: dict[str, Any] | None = None


StoredReading = tuple[str, int, float | None, str | None, int]  # probe, t, value, fault, received


class RunStore(Protocol):
    def facility_by_code(self, code: str) -> FacilityRef | None: ...

    def latest_calibrations(self, facility_id: int) -> dict[str, tuple[str, int]]: ...

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
    ) -> int: ...

    def run(self, run_id: int) -> RunRecord | None: ...

    def open_runs(self) -> list[RunRecord]: ...

    def runs_of(self, facility_code: str | None = None, limit: int = 50) -> list[RunRecord]: ...

    def open_run_ids(self) -> set[int]: ...

    def close_run(
        self, run_id: int, closed_at: int, reason: str, verdict: str, judgement: str
    ) -> bool: ...

    def run_readings(
        self, facility_id: int, t_from: int, t_to: int | None, received_after: int | None
    ) -> list[StoredReading]: ...

    def batches_received(
        self, facility_ids: list[int], received_after: int
    ) -> list[tuple[int, int, int]]: ...

    def batch_readings(
        self, batches: list[tuple[int, int]]
    ) -> list[tuple[int, str, int, float | None, str | None, int]]: ...
