"""What the use cases need from the outside world, as Protocols, and the values they exchange."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol


@dataclass(frozen=True)
class ProbeRef:
    id: int
    code: str
    role: str


@dataclass(frozen=True)
class FacilityRef:
    id: int
    code: str
    enterprise_id: int
    kind: str
    probes: dict[str, ProbeRef] = field(default_factory=dict)


@dataclass(frozen=True)
class EnterpriseRecord:
    id: int
    code: str
    name_zh: str
    name_en: str
    city: str
    grade: str


class StoredItem(NamedTuple):
    """One reading to store; ``position`` is its index in the device's batch.

    A named tuple, not a frozen dataclass: one is built per reading on the ingest path, and a
    frozen dataclass costs several times more to build.
    """

    position: int
    probe_id: int
    t: int
    value: float | None
    fault: str | None


@dataclass(frozen=True)
class ReadingBatch:
    facility_id: int
    channel: str  # "http" | "mqtt"
    received_at: int
    items: tuple[StoredItem, ...]


@dataclass(frozen=True)
class StoreOutcome:
    """How a batch was stored. ``conflicts`` were refused (the stored value is kept)."""

    inserted: int
    duplicates: tuple[int, ...]  # indexes
    conflicts: tuple[int, ...]  # indexes


class WriterBusyError(Exception):
    """The write queue is full: the device should retry later (HTTP 503, Retry-After)."""


class StorageUnavailableError(Exception):
    """The database cannot be reached (HTTP 503); nothing of the batch was written."""


class Registry(Protocol):
    def facility_by_code(self, code: str) -> FacilityRef | None: ...

    def facility_by_token_hash(self, token_hash: str) -> FacilityRef | None: ...

    def add_enterprise(
        self, code: str, name_zh: str, name_en: str, city: str, grade: str, *, now: int
    ) -> EnterpriseRecord: ...

    def enterprise_by_code(self, code: str) -> EnterpriseRecord | None: ...

    def add_facility(
        self,
        code: str,
        enterprise_id: int,
        kind: str,
        probes: list[tuple[str, str, str]],
        *,
        name: str,
        treater_number: str | None,
        now: int,
    ) -> FacilityRef: ...

    def add_token(self, facility_id: int, token_hash: str, hint: str, *, now: int) -> None: ...

    def add_calibration(
        self,
        probe_id: int,
        calibrated_at: int,
        offset: str,
        due_at: int,
        certificate: str,
        *,
        now: int,
    ) -> None: ...

    def add_camera(self, facility_id: int, code: str, description: str, *, now: int) -> None: ...

    def cameras_of(self, facility_id: int) -> dict[str, str]: ...

    def replace_tokens(self, facility_id: int, token_hash: str, hint: str, *, now: int) -> None: ...

    def revoke_tokens(self, facility_id: int, *, now: int) -> int: ...

    def snapshot_by_hash(self, facility_id: int, sha256: str) -> int | None: ...

    def add_snapshot(
        self,
        facility_id: int,
        data: bytes,
        sha256: str,
        content_type: str,
        *,
        camera: str,
        taken_at: int | None,
        now: int,
    ) -> int: ...


class ReadingWriter(Protocol):
    """Stores batches atomically; the future resolves once the batch is committed."""

    def submit(self, batch: ReadingBatch) -> Future[StoreOutcome]: ...

    def close(self) -> None: ...
