"""The registry in SQL: enterprises, facilities, probes, device tokens, camera stills."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from phytowatch.domain.accounts import Jurisdiction
from phytowatch.domain.messages import Code, Kind, Message, Refused, say
from phytowatch.services.lists import EnterpriseQuery, EnterpriseRow, FacilityQuery, FacilityRow
from phytowatch.services.ports import EnterpriseRecord, FacilityRef, KnownStill, ProbeRef
from phytowatch.storage import lists_sql
from phytowatch.storage.errors import translating
from phytowatch.storage.tables import (
    calibrations,
    cameras,
    device_tokens,
    enterprises,
    facilities,
    probes,
    reading_conflicts,
    readings,
    snapshots,
)
from phytowatch.storage.unit import begin, connect


@contextmanager
def _unique(message: Message) -> Iterator[None]:
    """Two requests creating the same code at once: the loser gets the usual answer."""
    try:
        yield
    except IntegrityError:
        raise Refused(Kind.CONFLICT, message) from None


def _enterprise(row: Any) -> EnterpriseRecord:
    return EnterpriseRecord(row.id, row.code, row.name_zh, row.name_en, row.city, row.grade)


@translating
class SqlRegistry:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- enterprises ------------------------------------------------------------------------

    def enterprise_by_code(self, code: str) -> EnterpriseRecord | None:
        with connect(self.engine) as conn:
            row = conn.execute(select(enterprises).where(enterprises.c.code == code)).first()
        return None if row is None else _enterprise(row)

    def add_enterprise(
        self, code: str, name_zh: str, name_en: str, city: str, grade: str, *, now: int
    ) -> EnterpriseRecord:
        with _unique(say(Code.ENTERPRISE_EXISTS, code=code)), begin(self.engine) as conn:
            new_id = conn.execute(
                insert(enterprises).values(
                    code=code,
                    name_zh=name_zh,
                    name_en=name_en,
                    city=city,
                    grade=grade,
                    created_at=now,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        return EnterpriseRecord(new_id, code, name_zh, name_en, city, grade)

    def list_enterprises(self) -> list[EnterpriseRecord]:
        with connect(self.engine) as conn:
            rows = conn.execute(select(enterprises).order_by(enterprises.c.code)).all()
        return [_enterprise(row) for row in rows]

    # -- facilities ----------------------------------------------------------------------------

    def _facility(self, conn: Connection, row: Any) -> FacilityRef:
        probe_rows = conn.execute(
            select(probes.c.id, probes.c.code, probes.c.role)
            .where(probes.c.facility_id == row.id)
            .order_by(probes.c.id)
        ).all()
        return FacilityRef(
            id=row.id,
            code=row.code,
            enterprise_id=row.enterprise_id,
            kind=row.kind,
            probes={p.code: ProbeRef(p.id, p.code, p.role) for p in probe_rows},
            name=row.name or "",
            treater_number=row.treater_number,
        )

    def facility_by_code(self, code: str) -> FacilityRef | None:
        with connect(self.engine) as conn:
            row = conn.execute(select(facilities).where(facilities.c.code == code)).first()
            return None if row is None else self._facility(conn, row)

    def facility_by_token_hash(self, token_hash: str) -> FacilityRef | None:
        """The facility of a live device token, with its probes: one query (every ingest
        request asks, twice)."""
        query = (
            select(
                facilities.c.id,
                facilities.c.code,
                facilities.c.enterprise_id,
                facilities.c.kind,
                probes.c.id,
                probes.c.code,
                probes.c.role,
                facilities.c.name,
                facilities.c.treater_number,
            )
            .join(device_tokens, device_tokens.c.facility_id == facilities.c.id)
            .outerjoin(probes, probes.c.facility_id == facilities.c.id)
            .where(device_tokens.c.token_hash == token_hash)
            .where(device_tokens.c.revoked_at.is_(None))
            .order_by(probes.c.id)  # registry order, as facility_by_code gives them
        )
        with connect(self.engine) as conn:
            rows = conn.execute(query).all()
        if not rows:
            return None
        first = rows[0]
        return FacilityRef(
            id=first[0],
            code=first[1],
            enterprise_id=first[2],
            kind=first[3],
            probes={r[5]: ProbeRef(r[4], r[5], r[6]) for r in rows if r[4] is not None},
            name=first[7] or "",
            treater_number=first[8],
        )

    def add_facility(
        self,
        code: str,
        enterprise_id: int,
        kind: str,
        probe_specs: list[tuple[str, str, str]],
        *,
        name: str,
        treater_number: str | None,
        now: int,
    ) -> FacilityRef:
        with _unique(say(Code.FACILITY_EXISTS, code=code)), begin(self.engine) as conn:
            facility_id = conn.execute(
                insert(facilities).values(
                    code=code,
                    enterprise_id=enterprise_id,
                    kind=kind,
                    name=name,
                    treater_number=treater_number,
                    created_at=now,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            conn.execute(
                insert(probes),
                [
                    {
                        "facility_id": facility_id,
                        "code": probe_code,
                        "role": role,
                        "placement": placement,
                        "created_at": now,
                    }
                    for probe_code, role, placement in probe_specs
                ],
            )
            row = conn.execute(select(facilities).where(facilities.c.id == facility_id)).one()
            return self._facility(conn, row)

    def list_facilities(self) -> list[dict[str, Any]]:
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(
                    facilities.c.code,
                    facilities.c.kind,
                    enterprises.c.code.label("enterprise"),
                    func.count(probes.c.id).label("probes"),
                )
                .join(enterprises, enterprises.c.id == facilities.c.enterprise_id)
                .outerjoin(probes, probes.c.facility_id == facilities.c.id)
                .group_by(facilities.c.code, facilities.c.kind, enterprises.c.code)
                .order_by(facilities.c.code)
            ).all()
        return [dict(row._mapping) for row in rows]

    # -- the lists (filtered, sorted and paged in SQL: storage/lists_sql.py) ---------------------

    def list_facility_rows(self, query: FacilityQuery) -> tuple[int, list[FacilityRow]]:
        with connect(self.engine) as conn:
            return lists_sql.list_facility_rows(conn, query)

    def list_enterprise_rows(self, query: EnterpriseQuery) -> tuple[int, list[EnterpriseRow]]:
        with connect(self.engine) as conn:
            return lists_sql.list_enterprise_rows(conn, query)

    def cities(self, reach: Jurisdiction) -> list[str]:
        with connect(self.engine) as conn:
            return lists_sql.cities(conn, reach)

    # -- tokens ------------------------------------------------------------------------------------

    def add_token(self, facility_id: int, token_hash: str, hint: str, *, now: int) -> None:
        with begin(self.engine) as conn:
            conn.execute(
                insert(device_tokens).values(
                    facility_id=facility_id, token_hash=token_hash, hint=hint, created_at=now
                )
            )

    def replace_tokens(self, facility_id: int, token_hash: str, hint: str, *, now: int) -> None:
        """Revoke every token of the facility and add the new one, in one transaction (the
        facility row is locked, so two rotations at once leave one token, not two)."""
        with begin(self.engine) as conn:
            conn.execute(
                select(facilities.c.id).where(facilities.c.id == facility_id).with_for_update()
            )
            conn.execute(
                update(device_tokens)
                .where(device_tokens.c.facility_id == facility_id)
                .where(device_tokens.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            conn.execute(
                insert(device_tokens).values(
                    facility_id=facility_id, token_hash=token_hash, hint=hint, created_at=now
                )
            )

    def revoke_tokens(self, facility_id: int, *, now: int) -> int:
        with begin(self.engine) as conn:
            result = conn.execute(
                update(device_tokens)
                .where(device_tokens.c.facility_id == facility_id)
                .where(device_tokens.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        return int(result.rowcount)

    # -- calibrations and cameras ---------------------------------------------------------------

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
        with begin(self.engine) as conn:
            conn.execute(
                insert(calibrations).values(
                    probe_id=probe_id,
                    calibrated_at=calibrated_at,
                    offset=offset,
                    due_at=due_at,
                    certificate=certificate,
                    recorded_at=now,
                )
            )

    def calibrations_of(self, facility_id: int) -> list[dict[str, Any]]:
        """Every calibration of the facility's probes, oldest first."""
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(
                    probes.c.code.label("probe"),
                    calibrations.c.calibrated_at,
                    calibrations.c.offset,
                    calibrations.c.due_at,
                    calibrations.c.certificate,
                )
                .join(probes, probes.c.id == calibrations.c.probe_id)
                .where(probes.c.facility_id == facility_id)
                .order_by(calibrations.c.calibrated_at, calibrations.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    def add_camera(self, facility_id: int, code: str, description: str, *, now: int) -> None:
        del now
        with begin(self.engine) as conn:
            conn.execute(
                insert(cameras).values(facility_id=facility_id, code=code, description=description)
            )

    def cameras_of(self, facility_id: int) -> dict[str, str]:
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(cameras.c.code, cameras.c.description)
                .where(cameras.c.facility_id == facility_id)
                .order_by(cameras.c.code)
            ).all()
        return {row.code: row.description for row in rows}

    def probes_of(self, facility_id: int) -> list[dict[str, Any]]:
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(probes.c.code, probes.c.role, probes.c.placement)
                .where(probes.c.facility_id == facility_id)
                .order_by(probes.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    # -- camera stills ---------------------------------------------------------------------------

    def snapshot_by_hash(self, facility_id: int, sha256: str) -> KnownStill | None:
        with connect(self.engine) as conn:
            found = conn.execute(
                select(snapshots.c.id, snapshots.c.camera, snapshots.c.taken_at)
                .where(snapshots.c.facility_id == facility_id)
                .where(snapshots.c.sha256 == sha256)
            ).first()
        if found is None:
            return None
        taken_at = None if found.taken_at is None else int(found.taken_at)
        return KnownStill(int(found.id), found.camera or "", taken_at)

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
        with begin(self.engine) as conn:
            new_id = conn.execute(
                insert(snapshots).values(
                    facility_id=facility_id,
                    camera=camera,
                    taken_at=taken_at,
                    received_at=now,
                    sha256=sha256,
                    size=len(data),
                    content_type=content_type,
                    data=data,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        return int(new_id)

    def snapshots_of(self, facility_id: int, limit: int = 200) -> list[dict[str, Any]]:
        """The facility's stills, newest first, without their bytes."""
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(
                    snapshots.c.id,
                    snapshots.c.camera,
                    snapshots.c.taken_at,
                    snapshots.c.received_at,
                    snapshots.c.sha256,
                    snapshots.c.size,
                    snapshots.c.content_type,
                )
                .where(snapshots.c.facility_id == facility_id)
                .order_by(snapshots.c.id.desc())
                .limit(limit)
            ).all()
        return [dict(row._mapping) for row in rows]

    def snapshot(self, facility_id: int, snapshot_id: int) -> tuple[bytes, str] | None:
        """One still's bytes and content type, if it is this facility's."""
        with connect(self.engine) as conn:
            row = conn.execute(
                select(snapshots.c.data, snapshots.c.content_type)
                .where(snapshots.c.facility_id == facility_id)
                .where(snapshots.c.id == snapshot_id)
            ).first()
        return None if row is None else (bytes(row[0]), str(row[1]))

    # -- reading queries (for tests and the live service) ---------------------------------------

    def reading_count(self, facility_id: int | None = None) -> int:
        query = select(func.count()).select_from(readings)
        if facility_id is not None:
            query = query.where(readings.c.facility_id == facility_id)
        with connect(self.engine) as conn:
            return int(conn.execute(query).scalar_one())

    def readings_of(self, facility_id: int) -> list[tuple[str, int, float | None, str | None]]:
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(probes.c.code, readings.c.t, readings.c.value, readings.c.fault)
                .join(probes, probes.c.id == readings.c.probe_id)
                .where(readings.c.facility_id == facility_id)
                .order_by(readings.c.t, probes.c.code)
            ).all()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def conflicts_of(self, facility_id: int) -> list[dict[str, Any]]:
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(reading_conflicts)
                .where(reading_conflicts.c.facility_id == facility_id)
                .order_by(reading_conflicts.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]
