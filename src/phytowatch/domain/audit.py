"""The audit trail as values: entries chained by SHA-256, and the check that finds tampering.

Each entry's hash covers every field of the entry (its ``seq`` and ``prev_hash`` included) in one
canonical JSON encoding, and ``prev_hash`` is the hash of the entry before it (the first entry
chains from ``GENESIS``). Editing a row, removing one or putting two in another order therefore
breaks the chain at that row, and ``verify`` says which row and what was done, in words.

What a chain cannot show on its own: rows removed from the end, and a rewrite of the whole trail
with every hash recomputed. Both are caught by comparing with a head (seq and hash) kept outside
the database: ``verify(..., anchor=...)``.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from phytowatch.domain.instants import format_instant

GENESIS = hashlib.sha256(b"phytowatch audit trail v1").hexdigest()
"""The ``prev_hash`` of entry 1: a fixed value, so that removing the first entry shows."""

FORMAT_VERSION = 1
_SEARCH = 1000  # how far away a moved row's original seq is looked for


def canonical_json(value: Any) -> str:
    """One text per value: sorted keys, no spaces, UTF-8 as is, no NaN or infinity."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


@dataclass(frozen=True)
class AuditRecord:
    """A change of state to record: who, when, what, before and after (canonical JSON text)."""

    at: int  # µs since the epoch, UTC
    actor: str  # "user:alice", "admin-token", "cli:root", "system"
    action: str  # a dotted verb: "run.started", "token.rotated"
    object_type: str
    object_id: str
    before: str | None  # canonical JSON of a mapping, or None
    after: str | None


@dataclass(frozen=True)
class AuditEntry:
    """A recorded entry, sealed into the chain."""

    seq: int
    at: int
    actor: str
    action: str
    object_type: str
    object_id: str
    before: str | None
    after: str | None
    prev_hash: str
    hash: str

    def before_data(self) -> Any:
        return None if self.before is None else json.loads(self.before)

    def after_data(self) -> Any:
        return None if self.after is None else json.loads(self.after)


def entry_hash(
    *,
    seq: int,
    at: int,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: str | None,
    after: str | None,
    prev_hash: str,
) -> str:
    payload = canonical_json(
        {
            "v": FORMAT_VERSION,
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "before": before,
            "after": after,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _rehash(entry: AuditEntry, seq: int) -> str:
    return entry_hash(
        seq=seq,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        before=entry.before,
        after=entry.after,
        prev_hash=entry.prev_hash,
    )


def chain(record: AuditRecord, head: AuditEntry | None) -> AuditEntry:
    """The entry that follows ``head`` (the newest entry, or None for an empty trail)."""
    seq = 1 if head is None else head.seq + 1
    prev_hash = GENESIS if head is None else head.hash
    unsealed = AuditEntry(
        seq=seq,
        at=record.at,
        actor=record.actor,
        action=record.action,
        object_type=record.object_type,
        object_id=record.object_id,
        before=record.before,
        after=record.after,
        prev_hash=prev_hash,
        hash="",
    )
    return replace(unsealed, hash=_rehash(unsealed, seq))


class Tampering(StrEnum):
    EDITED = "edited"
    REMOVED = "removed"
    REORDERED = "reordered"


@dataclass(frozen=True)
class AuditProblem:
    """The first bad row: its seq, what was done to the trail there, when, and in words."""

    seq: int
    kind: Tampering
    at: int | None  # the time the row says it was recorded (for a removed row: the one before)
    detail: str


@dataclass(frozen=True)
class Anchor:
    """A head kept outside the database: the trail must still hold entry ``seq`` with ``hash``."""

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """``SEQ:HASH`` as printed by ``phytowatch audit head``."""
        seq_text, sep, digest = text.strip().partition(":")
        digest = digest.strip().lower()
        if (
            not sep
            or not seq_text.strip().isdigit()
            or int(seq_text) < 1
            or len(digest) != 64
            or any(c not in "0123456789abcdef" for c in digest)
        ):
            raise ValueError(f"{text!r}: write SEQ:HASH, e.g. 42:{GENESIS[:12]}… (64 hex digits)")
        return cls(int(seq_text), digest)

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


@dataclass(frozen=True)
class ChainReport:
    count: int  # rows read
    head: AuditEntry | None  # the last row read
    problem: AuditProblem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def _when(instant: int) -> str:
    try:
        return format_instant(instant)
    except (ValueError, OverflowError, OSError):
        return f"(time {instant})"


def verify(entries: Iterable[AuditEntry], *, anchor: Anchor | None = None) -> ChainReport:
    """Walk the trail in ``seq`` order and report the first row that was tampered with.

    ``entries`` may be a stream: it is read once, and only a window of recent rows is kept.
    """
    stream = _Counted(entries)
    previous: AuditEntry | None = None
    recent: deque[str] = deque(maxlen=_SEARCH)  # hashes of the last rows read
    problem: AuditProblem | None = None
    for entry in stream:
        problem = _check(entry, previous, recent, stream)
        if (
            problem is None
            and anchor is not None
            and entry.seq == anchor.seq
            and entry.hash != anchor.hash
        ):
            problem = AuditProblem(
                entry.seq,
                Tampering.EDITED,
                entry.at,
                f"seq {entry.seq} is not the entry anchored as the head "
                f"(hash {anchor.hash[:12]}…, now {entry.hash[:12]}…): "
                "the trail was rewritten up to it, its hashes recomputed",
            )
        if problem is not None:
            stream.drain()
            return ChainReport(stream.count, stream.last, problem)
        previous = entry
        recent.append(entry.hash)
    if anchor is not None and (previous is None or previous.seq < anchor.seq):
        end = 0 if previous is None else previous.seq
        problem = AuditProblem(
            end + 1,
            Tampering.REMOVED,
            None if previous is None else previous.at,
            f"the trail ends at seq {end}, but the anchored head is seq {anchor.seq}: "
            + (
                f"seq {anchor.seq} was removed from the end"
                if anchor.seq == end + 1
                else f"seq {end + 1}…{anchor.seq} were removed from the end"
            ),
        )
    return ChainReport(stream.count, previous, problem)


def _check(
    entry: AuditEntry,
    previous: AuditEntry | None,
    recent: deque[str],
    rest: Iterator[AuditEntry],
) -> AuditProblem | None:
    expected = 1 if previous is None else previous.seq + 1
    link = GENESIS if previous is None else previous.hash
    if entry.seq < expected:
        return AuditProblem(
            entry.seq,
            Tampering.REORDERED,
            entry.at,
            f"seq {entry.seq} comes after seq {expected - 1}: the rows are out of order",
        )
    if entry.seq > expected:
        missing = entry.seq - expected
        between = (
            f"before the entry of {_when(entry.at)}"
            if previous is None
            else f"between the entries of {_when(previous.at)} and {_when(entry.at)}"
        )
        span = f"seq {expected}" if missing == 1 else f"seq {expected}…{entry.seq - 1}"
        return AuditProblem(
            expected,
            Tampering.REMOVED,
            entry.at if previous is None else previous.at,
            f"{span} {'is' if missing == 1 else 'are'} missing: "
            f"{missing} row{'s' if missing > 1 else ''} removed {between}",
        )
    if _rehash(entry, entry.seq) != entry.hash:
        original = _original_seq(entry)
        if original is None:
            return AuditProblem(
                entry.seq,
                Tampering.EDITED,
                entry.at,
                f"seq {entry.seq} ({entry.action} {entry.object_type} {entry.object_id}) was "
                "changed after it was recorded: its content no longer matches its hash",
            )
        if _predecessor_present(entry, recent, rest):
            return AuditProblem(
                entry.seq,
                Tampering.REORDERED,
                entry.at,
                f"seq {entry.seq} holds the row recorded as seq {original}: "
                "rows were put in another order",
            )
        return AuditProblem(
            entry.seq,
            Tampering.REMOVED,
            entry.at,
            f"seq {entry.seq} holds the row recorded as seq {original}, and the row it followed "
            "is gone: rows were removed and the later ones renumbered",
        )
    if entry.prev_hash != link:
        if previous is None:
            return AuditProblem(
                entry.seq,
                Tampering.EDITED,
                entry.at,
                f"seq {entry.seq} does not start from the genesis value: "
                "the first row was replaced",
            )
        if entry.prev_hash in recent:
            return AuditProblem(
                entry.seq,
                Tampering.REORDERED,
                entry.at,
                f"seq {entry.seq} does not follow seq {previous.seq}: "
                "rows were put in another order and their hashes recomputed",
            )
        return AuditProblem(
            previous.seq,
            Tampering.EDITED,
            previous.at,
            f"seq {previous.seq} was rewritten and its hash recomputed (or the rows after it "
            f"were removed and renumbered): seq {entry.seq} no longer links to it",
        )
    return None


def _original_seq(entry: AuditEntry) -> int | None:
    """The seq an intact row was recorded with, when it now sits at another one (nearby)."""
    for offset in range(1, _SEARCH + 1):
        for seq in (entry.seq + offset, entry.seq - offset):
            if seq >= 1 and _rehash(entry, seq) == entry.hash:
                return seq
    return None


def _predecessor_present(entry: AuditEntry, recent: deque[str], rest: Iterator[AuditEntry]) -> bool:
    """Is the row this one was chained to still in the trail (so it was moved, not orphaned)?

    Reads ``rest`` as far as needed; the caller drains what is left.
    """
    if entry.prev_hash == GENESIS or entry.prev_hash in recent:
        return True
    return any(later.hash == entry.prev_hash for later in rest)


class _Counted:
    """The rows as read, counting them and keeping the last, however far each reader goes."""

    def __init__(self, entries: Iterable[AuditEntry]) -> None:
        self._entries = iter(entries)
        self.count = 0
        self.last: AuditEntry | None = None

    def __iter__(self) -> Iterator[AuditEntry]:
        return self

    def __next__(self) -> AuditEntry:
        entry = next(self._entries)
        self.count += 1
        self.last = entry
        return entry

    def drain(self) -> None:
        for _ in self:
            pass
