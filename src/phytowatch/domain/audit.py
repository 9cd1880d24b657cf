"""The audit trail as values: entries chained by SHA-256, and the check that finds tampering.

Each entry's hash covers every field of the entry (its ``seq`` and ``prev_hash`` included) in one
canonical JSON encoding, and ``prev_hash`` is the hash of the entry before it (the first entry
chains from ``GENESIS``). Editing a row, removing one or putting two in another order therefore
breaks the chain at that row, and ``verify`` says which row and what was done, as a message
code with its parameters (``domain.messages``): the seq, the hashes expected and found.

What a chain cannot show on its own: rows removed from the end, and a rewrite of the whole trail
with every hash recomputed. Both are caught by comparing with a head (seq and hash) anchored
earlier: kept in the database's own append-only table of anchors, or given by hand
(``verify(..., anchors=..., anchor=...)``). The append-only triggers that keep the two tables as
written are checked too: :class:`GuardProblem` is one that is missing, disabled or altered.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from phytowatch.domain.messages import Code, Instant, Kind, Message, Word, refused, say

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
    """The first bad row: its seq, what was done to the trail there, when, and what exactly does
    not fit (a message: its code and parameters)."""

    seq: int
    kind: Tampering
    at: int | None  # the time the row says it was recorded (for a removed row: the one before)
    message: Message

    def headline(self) -> Message:
        """``audit trail TAMPERED: first bad row seq …, <kind> (row of …)``."""
        if self.at is None:
            return say(Code.AUDIT_TAMPERED_UNTIMED, seq=self.seq, kind=Word(self.kind.value))
        return say(
            Code.AUDIT_TAMPERED, seq=self.seq, kind=Word(self.kind.value), at=Instant(self.at)
        )


class GuardState(StrEnum):
    MISSING = "missing"
    DISABLED = "disabled"
    ALTERED = "altered"


_GUARD_CODES = {
    GuardState.MISSING: Code.AUDIT_GUARD_MISSING,
    GuardState.DISABLED: Code.AUDIT_GUARD_DISABLED,
    GuardState.ALTERED: Code.AUDIT_GUARD_ALTERED,
}


@dataclass(frozen=True)
class GuardProblem:
    """An append-only trigger (of ``audit_log`` or ``audit_anchor``) that is not as made."""

    table: str
    trigger: str
    state: GuardState

    @property
    def message(self) -> Message:
        return say(_GUARD_CODES[self.state], trigger=self.trigger, table=self.table)


class AnchorSource(StrEnum):
    """Who recorded an anchor in the database."""

    SERVE = "serve"  # the periodic anchoring of ``phytowatch serve``
    VERIFY = "verify"  # an ``audit verify`` that passed


@dataclass(frozen=True)
class Anchor:
    """A head anchored earlier: the trail must still hold entry ``seq`` with ``hash``.

    Given by hand (``audit verify --head``: only ``seq`` and ``hash``), or recorded in the
    database's table of anchors, with when (``at``) and by whom (``source``). ``signature`` is the
    seam for the bureau's office keys: it stays ``None`` until those keys exist, and will then
    hold a signature of :func:`anchor_payload` (nothing is signed today, and nothing pretends to
    be).
    """

    seq: int
    hash: str
    at: int | None = None  # µs since the epoch, UTC, when recorded in the database
    source: str = ""  # an AnchorSource value, for an anchor recorded in the database
    signature: str | None = None

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
            raise refused(Kind.INVALID, Code.AUDIT_HEAD_FORMAT, text=text, example=GENESIS[:12])
        return cls(int(seq_text), digest)

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


def anchor_payload(anchor: Anchor) -> bytes:
    """The bytes an office key will sign: the anchor's seq, hash, time and source, in one
    canonical JSON text (the signature itself is not part of it)."""
    return canonical_json(
        {
            "v": FORMAT_VERSION,
            "seq": anchor.seq,
            "hash": anchor.hash,
            "at": anchor.at,
            "source": anchor.source,
        }
    ).encode("utf-8")


@dataclass(frozen=True)
class ChainReport:
    count: int  # rows read
    head: AuditEntry | None  # the last row read
    problem: AuditProblem | None
    anchor: Anchor | None = None  # the highest of the recorded anchors it was checked against

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify(
    entries: Iterable[AuditEntry],
    *,
    anchor: Anchor | None = None,
    anchors: Iterable[Anchor] = (),
) -> ChainReport:
    """Walk the trail in ``seq`` order and report the first row that was tampered with.

    Every anchor (``anchor``, a head given by hand, and ``anchors``, those recorded) must still
    be in the trail with its hash: a trail that ends below the highest, or holds another hash at
    an anchored seq, was cut or rewritten. ``entries`` may be a stream: it is read once, and only
    a window of recent rows is kept.
    """
    recorded = list(anchors)
    kept = [*recorded, *([anchor] if anchor is not None else [])]
    by_seq: dict[int, list[Anchor]] = {}
    for each in kept:
        by_seq.setdefault(each.seq, []).append(each)
    top = max(kept, key=lambda a: a.seq, default=None)
    highest = max(recorded, key=lambda a: a.seq, default=None)
    stream = _Counted(entries)
    previous: AuditEntry | None = None
    recent: deque[str] = deque(maxlen=_SEARCH)  # hashes of the last rows read
    problem: AuditProblem | None = None
    for entry in stream:
        problem = _check(entry, previous, recent, stream)
        if problem is None:
            problem = _against_anchors(entry, by_seq.get(entry.seq, ()))
        if problem is not None:
            stream.drain()
            return ChainReport(stream.count, stream.last, problem, highest)
        previous = entry
        recent.append(entry.hash)
    if top is not None and (previous is None or previous.seq < top.seq):
        end = 0 if previous is None else previous.seq
        message = (
            say(Code.AUDIT_CUT, end=end, head=top.seq)
            if top.seq == end + 1
            else say(Code.AUDIT_CUT_MANY, end=end, head=top.seq, first=end + 1)
        )
        problem = AuditProblem(
            end + 1, Tampering.REMOVED, None if previous is None else previous.at, message
        )
    return ChainReport(stream.count, previous, problem, highest)


def _against_anchors(entry: AuditEntry, anchors: Iterable[Anchor]) -> AuditProblem | None:
    for anchored in anchors:
        if anchored.hash != entry.hash:
            return AuditProblem(
                entry.seq,
                Tampering.EDITED,
                entry.at,
                say(
                    Code.AUDIT_ANCHOR_MISMATCH,
                    seq=entry.seq,
                    anchored=anchored.hash,
                    found=entry.hash,
                ),
            )
    return None


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
            say(Code.AUDIT_OUT_OF_ORDER, seq=entry.seq, previous=expected - 1),
        )
    if entry.seq > expected:
        return _missing(entry, previous, expected)
    found = _rehash(entry, entry.seq)
    if found != entry.hash:
        original = _original_seq(entry)
        if original is None:
            return AuditProblem(
                entry.seq,
                Tampering.EDITED,
                entry.at,
                say(
                    Code.AUDIT_CHANGED,
                    seq=entry.seq,
                    action=entry.action,
                    object=f"{entry.object_type} {entry.object_id}",
                    expected=found,
                    found=entry.hash,
                ),
            )
        moved = _predecessor_present(entry, recent, rest)
        return AuditProblem(
            entry.seq,
            Tampering.REORDERED if moved else Tampering.REMOVED,
            entry.at,
            say(
                Code.AUDIT_MOVED if moved else Code.AUDIT_RENUMBERED,
                seq=entry.seq,
                original=original,
            ),
        )
    if entry.prev_hash != link:
        if previous is None:
            return AuditProblem(
                entry.seq,
                Tampering.EDITED,
                entry.at,
                say(Code.AUDIT_NOT_GENESIS, seq=entry.seq, found=entry.prev_hash),
            )
        if entry.prev_hash in recent:
            return AuditProblem(
                entry.seq,
                Tampering.REORDERED,
                entry.at,
                say(Code.AUDIT_RELINKED, seq=entry.seq, previous=previous.seq),
            )
        return AuditProblem(
            previous.seq,
            Tampering.EDITED,
            previous.at,
            say(
                Code.AUDIT_REWRITTEN,
                seq=previous.seq,
                next=entry.seq,
                expected=previous.hash,
                found=entry.prev_hash,
            ),
        )
    return None


def _missing(entry: AuditEntry, previous: AuditEntry | None, expected: int) -> AuditProblem:
    """Rows ``expected`` … ``entry.seq - 1`` are not there."""
    count = entry.seq - expected
    after = Instant(entry.at)
    if previous is None:
        message = (
            say(Code.AUDIT_MISSING_FIRST, seq=expected, after=after)
            if count == 1
            else say(
                Code.AUDIT_MISSING_FIRST_MANY,
                first=expected,
                last=entry.seq - 1,
                count=count,
                after=after,
            )
        )
    else:
        before = Instant(previous.at)
        message = (
            say(Code.AUDIT_MISSING, seq=expected, before=before, after=after)
            if count == 1
            else say(
                Code.AUDIT_MISSING_MANY,
                first=expected,
                last=entry.seq - 1,
                count=count,
                before=before,
                after=after,
            )
        )
    return AuditProblem(
        expected, Tampering.REMOVED, entry.at if previous is None else previous.at, message
    )


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


def entry_state(text: str | None) -> tuple[dict[str, Any] | None, str]:
    """The mapping an entry's before/after text holds, or None and the raw text when it holds
    none (how ``audit list`` and the audit page read a change)."""
    if text is None:
        return None, ""
    try:
        value = json.loads(text)
    except ValueError:
        return None, text
    return (value, "") if isinstance(value, dict) else (None, text)


def shown_value(value: Any) -> str:
    """A state's value as text: a text as it is, anything else as JSON (Chinese kept)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
