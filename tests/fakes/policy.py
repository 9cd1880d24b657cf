"""The stored policy versions in memory (services.supervision.policy.PolicyStore)."""

from __future__ import annotations

from phytowatch.domain.supervision.policy import PolicyKind
from phytowatch.services.supervision.policy import PolicyVersion


class InMemoryPolicyStore:
    def __init__(self) -> None:
        self.rows: list[PolicyVersion] = []
        self.newest_asked = 0  # how often the cheap check ran

    def newest_id(self) -> int:
        self.newest_asked += 1
        return max((row.id for row in self.rows), default=0)

    def newest(self, kind: PolicyKind) -> PolicyVersion | None:
        return next(iter(self.versions(kind)), None)

    def versions(self, kind: PolicyKind) -> list[PolicyVersion]:
        return sorted((r for r in self.rows if r.kind is kind), key=lambda r: -r.id)

    def version(self, kind: PolicyKind, version: str) -> PolicyVersion | None:
        return next((r for r in self.rows if r.kind is kind and r.version == version), None)

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
        row = PolicyVersion(len(self.rows) + 1, kind, version, body, sha256, at, actor, note)
        self.rows.append(row)
        return row
