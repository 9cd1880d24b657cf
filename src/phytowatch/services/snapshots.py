"""A camera still of a facility, stored as it was received and recorded in the audit trail.

A still backs what an inspector sees of a treatment (the load in the kiln, the seals): it is kept
with its SHA-256, and its arrival is an audit entry in the same unit of work. The same still sent
again (a device's retry) is the stored one, not a second copy, and records nothing new.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from phytowatch.services.audit import AuditRecorder, atomic
from phytowatch.services.context import Context
from phytowatch.services.ports import FacilityRef, Registry


@dataclass(frozen=True)
class StoredSnapshot:
    id: int
    sha256: str
    size: int
    duplicate: bool


def add_snapshot(
    registry: Registry,
    audit: AuditRecorder | None,
    facility: FacilityRef,
    body: bytes,
    content_type: str,
    *,
    camera: str,
    taken_at: int | None,
    ctx: Context,
) -> StoredSnapshot:
    """Store the still (checked as a JPEG and its camera and time by the caller's protocol)."""
    now = ctx.now
    digest = hashlib.sha256(body).hexdigest()
    with atomic(audit):
        known = registry.snapshot_by_hash(facility.id, digest)
        if known is not None:
            return StoredSnapshot(known, digest, len(body), duplicate=True)
        snapshot_id = registry.add_snapshot(
            facility.id, body, digest, content_type, camera=camera, taken_at=taken_at, now=now
        )
        if audit is not None:
            audit.record(
                actor=ctx.actor,
                action="snapshot.added",
                object_type="facility",
                object_id=facility.code,
                after={
                    "snapshot": snapshot_id,
                    "sha256": digest,
                    "size": len(body),
                    "camera": camera,
                    "taken_at": taken_at,
                },
                now=now,
            )
    return StoredSnapshot(snapshot_id, digest, len(body), duplicate=False)
