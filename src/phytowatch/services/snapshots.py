"""A camera still of a facility, stored as it was received and recorded in the audit trail.

A still backs what an inspector sees of a treatment (the load in the kiln, the seals): it is kept
with its SHA-256, and its arrival is an audit entry in the same unit of work. The same still sent
again (a device's retry) is the stored one, not a second copy, and records nothing new; the same
image sent again under another camera or time is refused (409), never filed silently.

A still names a camera registered to its facility (``phytowatch cameras add``), or none; its
``taken_at`` follows the readings' rule (services/ingest.py): not before 2000, and not later than
the server's clock plus the deployment's future tolerance. A still that breaks either is refused
and nothing is stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from phytowatch.domain.messages import Code, Instant, Kind, Message, refused, say
from phytowatch.services.audit import AuditRecorder, atomic
from phytowatch.services.context import Context
from phytowatch.services.ingest import EARLIEST
from phytowatch.services.ports import FacilityRef, Registry


@dataclass(frozen=True)
class StoredSnapshot:
    id: int
    sha256: str
    size: int
    duplicate: bool


def taken_at_problem(taken_at: int | None, *, now: int, future_tolerance: int) -> Message | None:
    """What is wrong with a still's device time, by the readings' rule; None when nothing."""
    if taken_at is None:
        return None
    if taken_at > now + future_tolerance:
        return say(Code.STILL_FUTURE, taken_at=Instant(taken_at))
    if taken_at < EARLIEST:
        return say(Code.STILL_BEFORE_2000, taken_at=Instant(taken_at))
    return None


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
    """Store the still (checked as a JPEG, and its time by the rule above, by the caller's
    protocol); a camera not registered to the facility is refused."""
    now = ctx.now
    if camera:
        cameras = registry.cameras_of(facility.id)
        if camera not in cameras:
            raise refused(
                Kind.INVALID,
                Code.STILL_CAMERA,
                camera=camera,
                facility=facility.code,
                cameras=", ".join(sorted(cameras)) or "-",
            )
    digest = hashlib.sha256(body).hexdigest()
    with atomic(audit):
        known = registry.snapshot_by_hash(facility.id, digest)
        if known is not None:
            if (known.camera, known.taken_at) != (camera, taken_at):
                # the same image under another camera or time: a resend would lose it silently
                raise refused(
                    Kind.CONFLICT,
                    Code.STILL_STORED_OTHERWISE,
                    still=known.id,
                    camera=known.camera or "-",
                    taken_at="-" if known.taken_at is None else Instant(known.taken_at),
                )
            return StoredSnapshot(known.id, digest, len(body), duplicate=True)
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
