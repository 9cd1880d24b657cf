"""The audit trail in memory: its store (services.audit.AuditStore) and the recorder a use case
is given (services.audit.AuditRecorder)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from phytowatch.domain.audit import Anchor, AuditEntry, AuditRecord, GuardProblem, chain
from phytowatch.services.audit import AuditFilter
from phytowatch.services.paging import Found


class InMemoryAuditStore:
    """``rows`` is the trail itself and ``anchor_rows`` its anchors: tests may tamper with them
    (and set ``guards``, the append-only guards a test says are broken). A unit of work
    (``atomic``) that fails takes back the entries and anchors added in it, as the database's
    transaction does."""

    def __init__(self) -> None:
        self.rows: list[AuditEntry] = []
        self.anchor_rows: list[Anchor] = []
        self.guards: list[GuardProblem] = []
        self._lock = threading.RLock()  # the trail's write lock: an append, or a whole unit
        self._units = threading.local()  # how deep in units this thread is

    def append(self, record: AuditRecord) -> AuditEntry:
        with self._lock:
            entry = chain(record, self.head())
            self.rows.append(entry)
            return entry

    def entries(self) -> Iterator[AuditEntry]:
        return iter(sorted(self.rows, key=lambda entry: entry.seq))

    def head(self) -> AuditEntry | None:
        return max(self.rows, key=lambda entry: entry.seq, default=None)

    def latest(
        self, *, limit: int, object_type: str | None = None, object_id: str | None = None
    ) -> list[AuditEntry]:
        found = [
            entry
            for entry in sorted(self.rows, key=lambda entry: -entry.seq)
            if (object_type is None or entry.object_type == object_type)
            and (object_id is None or entry.object_id == object_id)
        ]
        return found[:limit]

    def entry(self, seq: int) -> AuditEntry | None:
        return next((entry for entry in self.rows if entry.seq == seq), None)

    def search(self, wanted: AuditFilter, *, offset: int, limit: int) -> Found[AuditEntry]:
        def holds(value: str, text: str) -> bool:
            return text.strip().lower() in value.lower()

        found = [
            e
            for e in sorted(self.rows, key=lambda entry: -entry.seq)
            if holds(e.actor, wanted.actor)
            and (not wanted.action or e.action == wanted.action)
            and (not wanted.object_type or e.object_type == wanted.object_type)
            and holds(e.object_id, wanted.subject)
            and (wanted.since is None or e.at >= wanted.since)
            and (wanted.until is None or e.at < wanted.until)
            and (wanted.upto is None or e.seq <= wanted.upto)
        ]
        return Found(found[offset : offset + limit], len(found), offset, limit)

    def broken_guards(self) -> list[GuardProblem]:
        return list(self.guards)

    def add_anchor(self, anchor: Anchor) -> None:
        with self._lock:
            self.anchor_rows.append(anchor)

    def anchors(self) -> list[Anchor]:
        return list(self.anchor_rows)

    def latest_anchor(self) -> Anchor | None:
        # the highest seq; of those, the newest (the last added)
        return max(reversed(self.anchor_rows), key=lambda anchor: anchor.seq, default=None)

    @contextmanager
    def atomic(self) -> Iterator[None]:
        with self._lock:  # held for the unit, as the database's lock is
            depth = getattr(self._units, "depth", 0)  # a unit inside a unit is the same unit
            self._units.depth = depth + 1
            kept, anchored = len(self.rows), len(self.anchor_rows)
            try:
                yield
            except BaseException:
                if depth == 0:
                    del self.rows[kept:]
                    del self.anchor_rows[anchored:]
                raise
            finally:
                self._units.depth = depth


class InMemoryAuditRecorder:
    """Entries as a use case records them, each saying whether it was written inside a unit of
    work (``atomic``), as a change and its entry must be."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.units = 0  # units open now

    @contextmanager
    def atomic(self) -> Iterator[None]:
        self.units += 1
        try:
            yield
        finally:
            self.units -= 1

    def record(
        self,
        *,
        actor: str,
        action: str,
        object_type: str,
        object_id: str,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        now: int,
    ) -> None:
        self.entries.append(
            {
                "actor": actor,
                "action": action,
                "object": f"{object_type}:{object_id}",
                "before": before,
                "after": after,
                "in_unit": self.units > 0,
            }
        )

    def actions(self) -> list[str]:
        return [e["action"] for e in self.entries]


if TYPE_CHECKING:  # each fake is its port, or mypy fails here
    from phytowatch.services.audit import AuditRecorder, AuditStore

    _audit_store: AuditStore = InMemoryAuditStore()
    _audit_recorder: AuditRecorder = InMemoryAuditRecorder()
