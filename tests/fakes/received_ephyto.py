"""Received ePhytos in memory (services.certificates.ephyto.ReceivedStore)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from phytowatch.domain.certificates.ephyto import ReceivedEphyto, StoredEphyto
from phytowatch.services.paging import Found


class InMemoryReceivedEphytoStore:
    """``rows`` and ``raws`` by id; nothing is ever changed or removed, as in the database."""

    def __init__(self) -> None:
        self.rows: dict[int, StoredEphyto] = {}
        self.raws: dict[int, bytes] = {}

    def by_hash(self, sha256: str) -> StoredEphyto | None:
        return next((s for s in self.rows.values() if s.sha256 == sha256), None)

    def add(
        self,
        raw: bytes,
        sha256: str,
        received: ReceivedEphyto,
        *,
        kind: str,
        at: int,
        by: str,
    ) -> StoredEphyto:
        del kind
        if self.by_hash(sha256) is not None:
            raise ValueError("sha256 is unique")
        stored = StoredEphyto(len(self.rows) + 1, sha256, at, by, len(raw), received)
        self.rows[stored.id] = stored
        self.raws[stored.id] = raw
        return stored

    def received(self, received_id: int) -> StoredEphyto | None:
        return self.rows.get(received_id)

    def raw(self, received_id: int) -> bytes | None:
        return self.raws.get(received_id)

    def find(self, *, offset: int, limit: int) -> Found[StoredEphyto]:
        rows = sorted(self.rows.values(), key=lambda s: (s.imported_at, s.id), reverse=True)
        return Found(rows[offset : offset + limit], len(rows), offset, limit)


if TYPE_CHECKING:
    from phytowatch.services.certificates.ephyto import ReceivedStore

    _: ReceivedStore = InMemoryReceivedEphytoStore()
