"""The official policy's stored versions (``services.supervision.policy.PolicyStore``) on
``policy_versions`` (append-only by trigger: a version is added, never changed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from phytowatch.domain.supervision.policy import PolicyKind
from phytowatch.services.supervision.policy import PolicyVersion
from phytowatch.storage.errors import storage_errors
from phytowatch.storage.supervision.policy_tables import policy_versions
from phytowatch.storage.unit import begin, connect


def _row(row: Any) -> PolicyVersion:
    return PolicyVersion(
        id=row.id,
        kind=PolicyKind(row.kind),
        version=row.version,
        body=row.body,
        sha256=row.sha256,
        created_at=row.created_at,
        actor=row.actor,
        note=row.note,
    )


class SqlPolicyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def newest_id(self) -> int:
        with storage_errors(), connect(self.engine) as conn:
            found = conn.execute(select(func.max(policy_versions.c.id))).scalar()
        return int(found or 0)

    def newest(self, kind: PolicyKind) -> PolicyVersion | None:
        query = (
            select(policy_versions)
            .where(policy_versions.c.kind == kind.value)
            .order_by(policy_versions.c.id.desc())
            .limit(1)
        )
        with storage_errors(), connect(self.engine) as conn:
            row = conn.execute(query).first()
        return None if row is None else _row(row)

    def versions(self, kind: PolicyKind) -> list[PolicyVersion]:
        query = (
            select(policy_versions)
            .where(policy_versions.c.kind == kind.value)
            .order_by(policy_versions.c.id.desc())
        )
        with storage_errors(), connect(self.engine) as conn:
            return [_row(row) for row in conn.execute(query)]

    def version(self, kind: PolicyKind, version: str) -> PolicyVersion | None:
        query = select(policy_versions).where(
            policy_versions.c.kind == kind.value, policy_versions.c.version == version
        )
        with storage_errors(), connect(self.engine) as conn:
            row = conn.execute(query).first()
        return None if row is None else _row(row)

    def add(
        self,
        kind: PolicyKind,
        version: str,
        *,
        body: str,
        sha256: str,
        at: int,
        actor: str,
        note: str,
    ) -> PolicyVersion:
        values = {
            "kind": kind.value,
            "version": version,
            "body": body,
            "sha256": sha256,
            "created_at": at,
            "actor": actor,
            "note": note,
        }
        with storage_errors(), begin(self.engine) as conn:
            new_id = conn.execute(
                insert(policy_versions).values(**values).returning(policy_versions.c.id)
            ).scalar_one()
        return PolicyVersion(
            id=new_id,
            kind=kind,
            version=version,
            body=body,
            sha256=sha256,
            created_at=at,
            actor=actor,
            note=note,
        )
