"""The registry in memory (services.ports.Registry), and the readings its facilities send
(services.ports.ReadingWriter): what the SQL registry and writers keep in their tables."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from phytowatch.domain.messages import Code, Kind, refused
from phytowatch.services.ports import (
    EnterpriseRecord,
    FacilityRef,
    KnownStill,
    ProbeRef,
    ReadingBatch,
    StorageUnavailableError,
    StoredItem,
    StoreOutcome,
)


@dataclass
class DeviceToken:
    id: int
    facility_id: int
    token_hash: str
    hint: str
    created_at: int
    revoked_at: int | None = None


@dataclass(frozen=True)
class Calibration:
    id: int
    probe_id: int
    calibrated_at: int
    offset: str
    due_at: int
    certificate: str
    recorded_at: int


@dataclass(frozen=True)
class Snapshot:
    id: int
    facility_id: int
    camera: str
    taken_at: int | None
    received_at: int
    sha256: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class StoredReading:
    facility_id: int
    value: float | None
    fault: str | None
    received_at: int


@dataclass(frozen=True)
class Conflict:
    """A reading offered for a probe and time already stored with another value."""

    id: int
    facility_id: int
    probe_id: int
    t: int
    stored: tuple[float | None, str | None]
    offered: tuple[float | None, str | None]
    received_at: int
    channel: str


class InMemoryRegistry:
    """Enterprises, facilities with their probes, device tokens, calibrations, cameras and
    stills; and, as the database does, the readings stored and the rewrites refused."""

    def __init__(self) -> None:
        self.enterprises: dict[int, EnterpriseRecord] = {}
        self.facilities: dict[int, FacilityRef] = {}
        self.tokens: list[DeviceToken] = []
        self.calibrations: list[Calibration] = []
        self.cameras: dict[int, dict[str, str]] = {}  # facility id -> code -> description
        self.snapshots: list[Snapshot] = []
        self.readings: dict[tuple[int, int], StoredReading] = {}  # (probe id, t) ->
        self.conflicts: list[Conflict] = []
        self._probe_ids = 0
        self.placements: dict[int, str] = {}  # probe id -> where it sits in the load

    # -- enterprises ---------------------------------------------------------------------------

    def enterprise_by_code(self, code: str) -> EnterpriseRecord | None:
        return next((e for e in self.enterprises.values() if e.code == code), None)

    def add_enterprise(
        self, code: str, name_zh: str, name_en: str, city: str, grade: str, *, now: int
    ) -> EnterpriseRecord:
        if self.enterprise_by_code(code) is not None:
            raise refused(Kind.CONFLICT, Code.ENTERPRISE_EXISTS, code=code)
        record = EnterpriseRecord(len(self.enterprises) + 1, code, name_zh, name_en, city, grade)
        self.enterprises[record.id] = record
        return record

    # -- facilities ----------------------------------------------------------------------------

    def facility_by_code(self, code: str) -> FacilityRef | None:
        return next((f for f in self.facilities.values() if f.code == code), None)

    def facility_by_token_hash(self, token_hash: str) -> FacilityRef | None:
        for token in self.tokens:
            if token.token_hash == token_hash and token.revoked_at is None:
                return self.facilities[token.facility_id]
        return None

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
    ) -> FacilityRef:
        if self.facility_by_code(code) is not None:
            raise refused(Kind.CONFLICT, Code.FACILITY_EXISTS, code=code)
        refs: dict[str, ProbeRef] = {}
        for probe_code, role, placement in probes:
            self._probe_ids += 1
            refs[probe_code] = ProbeRef(self._probe_ids, probe_code, role)
            self.placements[self._probe_ids] = placement
        facility = FacilityRef(
            len(self.facilities) + 1, code, enterprise_id, kind, refs, name, treater_number
        )
        self.facilities[facility.id] = facility
        return facility

    def probe(self, probe_id: int) -> tuple[FacilityRef, ProbeRef]:
        """The facility a probe belongs to, and the probe."""
        for facility in self.facilities.values():
            for probe in facility.probes.values():
                if probe.id == probe_id:
                    return facility, probe
        raise KeyError(probe_id)

    # -- device tokens -------------------------------------------------------------------------

    def add_token(self, facility_id: int, token_hash: str, hint: str, *, now: int) -> None:
        self.tokens.append(DeviceToken(len(self.tokens) + 1, facility_id, token_hash, hint, now))

    def replace_tokens(self, facility_id: int, token_hash: str, hint: str, *, now: int) -> None:
        self.revoke_tokens(facility_id, now=now)
        self.add_token(facility_id, token_hash, hint, now=now)

    def revoke_tokens(self, facility_id: int, *, now: int) -> int:
        live = [t for t in self.tokens if t.facility_id == facility_id and t.revoked_at is None]
        for token in live:
            token.revoked_at = now
        return len(live)

    # -- calibrations and cameras --------------------------------------------------------------

    def add_calibration(
        self,
        probe_id: int,
        calibrated_at: int,
        offset: str,
        due_at: int,
        certificate: str,
        *,
        now: int,
    ) -> None:
        self.calibrations.append(
            Calibration(
                len(self.calibrations) + 1,
                probe_id,
                calibrated_at,
                offset,
                due_at,
                certificate,
                now,
            )
        )

    def latest_calibrations(self, facility_id: int | None = None) -> dict[int, Calibration]:
        """Each probe's latest calibration, by its date (of the facility's probes, if given)."""
        latest: dict[int, Calibration] = {}
        for calibration in sorted(self.calibrations, key=lambda c: (c.calibrated_at, c.id)):
            facility, _ = self.probe(calibration.probe_id)
            if facility_id is None or facility.id == facility_id:
                latest[calibration.probe_id] = calibration
        return latest

    def add_camera(self, facility_id: int, code: str, description: str, *, now: int) -> None:
        self.cameras.setdefault(facility_id, {})[code] = description

    def cameras_of(self, facility_id: int) -> dict[str, str]:
        return dict(sorted(self.cameras.get(facility_id, {}).items()))

    # -- camera stills -------------------------------------------------------------------------

    def snapshot_by_hash(self, facility_id: int, sha256: str) -> KnownStill | None:
        found = (s for s in self.snapshots if s.facility_id == facility_id and s.sha256 == sha256)
        return next((KnownStill(s.id, s.camera, s.taken_at) for s in found), None)

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
    ) -> int:
        snapshot = Snapshot(
            len(self.snapshots) + 1,
            facility_id,
            camera,
            taken_at,
            now,
            sha256,
            content_type,
            data,
        )
        self.snapshots.append(snapshot)
        return snapshot.id

    # -- what the pages and the API read ---------------------------------------------------------

    def list_enterprises(self) -> list[EnterpriseRecord]:
        return sorted(self.enterprises.values(), key=lambda e: e.code)

    def list_facilities(self) -> list[dict[str, Any]]:
        by_id = {e.id: e.code for e in self.enterprises.values()}
        return [
            {
                "code": f.code,
                "kind": f.kind,
                "enterprise": by_id.get(f.enterprise_id, ""),
                "probes": len(f.probes),
            }
            for f in sorted(self.facilities.values(), key=lambda f: f.code)
        ]

    def probes_of(self, facility_id: int) -> list[dict[str, Any]]:
        facility = self.facilities[facility_id]
        return [
            {"code": p.code, "role": p.role, "placement": self.placements.get(p.id, "")}
            for p in sorted(facility.probes.values(), key=lambda p: p.id)
        ]

    def calibrations_of(self, facility_id: int) -> list[dict[str, Any]]:
        out = []
        for c in sorted(self.calibrations, key=lambda c: (c.calibrated_at, c.id)):
            facility, probe = self.probe(c.probe_id)
            if facility.id == facility_id:
                out.append(
                    {
                        "probe": probe.code,
                        "calibrated_at": c.calibrated_at,
                        "offset": c.offset,
                        "due_at": c.due_at,
                        "certificate": c.certificate,
                    }
                )
        return out

    def snapshots_of(self, facility_id: int, limit: int = 200) -> list[dict[str, Any]]:
        found = [s for s in self.snapshots if s.facility_id == facility_id]
        return [
            {
                "id": s.id,
                "camera": s.camera,
                "taken_at": s.taken_at,
                "received_at": s.received_at,
                "sha256": s.sha256,
                "size": len(s.data),
                "content_type": s.content_type,
            }
            for s in sorted(found, key=lambda s: -s.id)[:limit]
        ]

    def snapshot(self, facility_id: int, snapshot_id: int) -> tuple[bytes, str] | None:
        for s in self.snapshots:
            if s.id == snapshot_id and s.facility_id == facility_id:
                return s.data, s.content_type
        return None


class InMemoryReadingWriter:
    """Stores each batch at once into its registry, as the SQL writers store it: a new reading
    is kept, a resend of a stored one is a duplicate, another value for a stored probe and time
    is refused (the stored one stays) and kept as a conflict; two offers in one batch for the
    same probe and time are judged against the first."""

    def __init__(self, registry: InMemoryRegistry) -> None:
        self.registry = registry
        self.closed = False

    def submit(self, batch: ReadingBatch) -> Future[StoreOutcome]:
        if self.closed:
            raise StorageUnavailableError("the writer is shutting down")
        future: Future[StoreOutcome] = Future()
        future.set_result(self._store(batch))
        return future

    def close(self) -> None:
        self.closed = True

    @property
    def backlog(self) -> int:
        return 0  # stored at once

    def _store(self, batch: ReadingBatch) -> StoreOutcome:
        readings = self.registry.readings
        inserted = 0
        duplicates: list[int] = []
        conflicts: list[int] = []
        for item in batch.items:
            key = (item.probe_id, item.t)
            stored = readings.get(key)
            if stored is None:
                readings[key] = StoredReading(
                    batch.facility_id, item.value, item.fault, batch.received_at
                )
                inserted += 1
            elif _same(stored, item):
                duplicates.append(item.position)
            else:
                conflicts.append(item.position)
                self._conflict(batch, item, stored)
        return StoreOutcome(inserted, tuple(sorted(duplicates)), tuple(sorted(conflicts)))

    def _conflict(self, batch: ReadingBatch, item: StoredItem, stored: StoredReading) -> None:
        conflicts = self.registry.conflicts
        conflicts.append(
            Conflict(
                len(conflicts) + 1,
                batch.facility_id,
                item.probe_id,
                item.t,
                (stored.value, stored.fault),
                (item.value, item.fault),
                batch.received_at,
                batch.channel,
            )
        )


def _same(stored: StoredReading, item: StoredItem) -> bool:
    return stored.value == item.value and stored.fault == item.fault


if TYPE_CHECKING:  # each fake is its port, or mypy fails here
    from phytowatch.services.ports import ReadingWriter, Registry

    _registry: Registry = InMemoryRegistry()
    _reading_writer: ReadingWriter = InMemoryReadingWriter(InMemoryRegistry())
