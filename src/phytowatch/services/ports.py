"""What the use cases need from the outside world, as Protocols, and the values they exchange."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from phytowatch.domain.messages import Invalid
from phytowatch.domain.signoff import SignOff


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
    name: str = ""  # as registered; "" when none was given
    treater_number: str | None = None  # the treatment provider's registration number (IPPC mark)


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


class DatabaseUrlError(Invalid):
    """A database URL of no supported database, or no URL at all: why, as a message."""


class DatabaseMissingError(Invalid):
    """The database named does not exist, and what opens it was asked not to create one (every
    command but ``db upgrade``, ``serve`` and ``demo``): why, as a message."""


class StorageUnavailableError(Exception):
    """The database cannot be reached (HTTP 503); nothing of the batch was written."""


@dataclass(frozen=True)
class LastRun:
    """A facility's latest closed run as the wall shows it: its verdict, and what its review
    state is derived from (``domain.review.review_state``)."""

    id: int
    verdict: str | None
    closed_at: int
    judgement: dict[str, Any] | None
    calibration_notes: list[Any]
    signoff: SignOff | None


class PageQueries(Protocol):
    """What the pages read in bulk, computed by the database (a chart's buckets, the wall's last
    runs): the read side, apart from the use cases."""

    def buckets(
        self, facility_id: int, t_from: int, t_to: int, width: int
    ) -> list[tuple[str, int, float, float, int]]: ...

    def last_closed_runs(self) -> dict[str, LastRun]: ...


@dataclass(frozen=True)
class KnownStill:
    """A still stored already, as a resend finds it by its SHA-256."""

    id: int
    camera: str
    taken_at: int | None


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

    # what the pages and the API read
    def list_enterprises(self) -> list[EnterpriseRecord]: ...

    def list_facilities(self) -> list[dict[str, Any]]: ...

    def probes_of(self, facility_id: int) -> list[dict[str, Any]]: ...

    def calibrations_of(self, facility_id: int) -> list[dict[str, Any]]: ...

    def snapshots_of(self, facility_id: int, limit: int = 200) -> list[dict[str, Any]]: ...

    def snapshot(self, facility_id: int, snapshot_id: int) -> tuple[bytes, str] | None: ...

    def replace_tokens(self, facility_id: int, token_hash: str, hint: str, *, now: int) -> None: ...

    def revoke_tokens(self, facility_id: int, *, now: int) -> int: ...

    def snapshot_by_hash(self, facility_id: int, sha256: str) -> KnownStill | None: ...

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

    @property
    def backlog(self) -> int:
        """Batches waiting to be written (the health check shows it)."""
        ...

    def close(self) -> None: ...
