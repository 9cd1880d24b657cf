"""Recording changes of state in the audit trail, and checking the trail.

Every use case that changes state calls ``AuditLog.record`` after the change is made: who (the
actor, given by the web or CLI layer), when (``now``), what (a dotted verb and the object), and
the object's state before and after, as JSON-able mappings. The change and its entry are made
inside ``with audit.atomic():``, one transaction: both are stored, or neither (a crash between
the two can no longer keep the change and lose its entry).

``AuditLog.check`` is what ``audit verify`` does: the chain against every anchored head, and the
append-only guards; when all holds, the head it verified is anchored. ``AuditLog.anchor_head`` is
the periodic anchoring (``serve``'s tick): it anchors the newest entry only when it extends the
latest anchor, so that a cut or a rewrite is never anchored over (docs/audit.md).

Secrets are never recorded. A key of ``before`` / ``after`` (at any depth) whose name contains one
of ``SECRET_KEY_PARTS`` (password, passwd, token, secret, hash, api_key, apikey, credential,
private_key, cookie, session_id, csrf; any case, ``-`` read as ``_``) has its value replaced by
``"[redacted]"``: the entry still says that the secret changed, never what it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from phytowatch.domain.audit import (
    Anchor,
    AnchorSource,
    AuditEntry,
    AuditRecord,
    ChainReport,
    GuardProblem,
    canonical_json,
    verify,
)
from phytowatch.domain.messages import Code, Kind, refused
from phytowatch.services.paging import Found

SECRET_KEY_PARTS = (
    "password",
    "passwd",
    "token",
    "secret",
    "hash",
    "api_key",
    "apikey",
    "credential",
    "private_key",
    "cookie",
    "session_id",
    "csrf",
)
REDACTED = "[redacted]"

# Column sizes of the audit table: longer text (a name typed at a login form) is cut, not refused,
# so that recording never fails the action it records.
MAX_ACTOR = 200
MAX_OBJECT_TYPE = 64
MAX_OBJECT_ID = 200
# "object.verb" ("run.started", "token.rotated"); a lone verb ("login") is accepted too.
_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\Z")
_MAX_DEPTH = 20


class AuditRecorder(Protocol):
    """What a use case needs of the audit trail: :class:`AuditLog`, or a fake in unit tests."""

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
    ) -> None: ...

    def atomic(self) -> AbstractContextManager[None]:
        """One transaction for the changes made inside and their entries: all, or nothing."""
        ...


def atomic(audit: AuditRecorder | None) -> AbstractContextManager[None]:
    """``audit.atomic()``, or nothing to share for a use case run without an audit trail."""
    return nullcontext() if audit is None else audit.atomic()


@dataclass(frozen=True)
class AuditFilter:
    """Which entries the audit page lists: each field given narrows it. ``actor`` and
    ``subject`` (the object's id) hold the text in any case; ``action`` and ``object_type`` are
    exact; ``since`` and ``until`` bound ``at`` (µs, ``until`` excluded); ``upto`` is the
    highest ``seq`` (to open the trail at one entry)."""

    actor: str = ""
    action: str = ""
    object_type: str = ""
    subject: str = ""
    since: int | None = None
    until: int | None = None
    upto: int | None = None


class AuditStore(Protocol):
    """Where the trail is kept. ``append`` seals the record onto the newest entry (with
    ``domain.audit.chain``) and stores it, with no other append in between."""

    def append(self, record: AuditRecord) -> AuditEntry: ...

    def entries(self) -> Iterator[AuditEntry]:
        """Every entry in ``seq`` order, as stored (read as a stream)."""
        ...

    def head(self) -> AuditEntry | None: ...

    def latest(
        self, *, limit: int, object_type: str | None = None, object_id: str | None = None
    ) -> list[AuditEntry]:
        """The newest entries first, of one object type (and id) when given."""
        ...

    def entry(self, seq: int) -> AuditEntry | None:
        """The entry stored at ``seq``, if any."""
        ...

    def search(self, wanted: AuditFilter, *, offset: int, limit: int) -> Found[AuditEntry]:
        """The entries ``wanted`` holds, newest first, a page of them, counted in the store."""
        ...

    def broken_guards(self) -> list[GuardProblem]:
        """The append-only guards (triggers) of the trail and of its anchors that are missing,
        disabled, or not as the migrations made them."""
        ...

    def add_anchor(self, anchor: Anchor) -> None:
        """Record an anchor (append-only, as the trail is); inside a unit, with it."""
        ...

    def anchors(self) -> list[Anchor]:
        """Every anchor recorded, oldest first."""
        ...

    def latest_anchor(self) -> Anchor | None:
        """The anchor of the highest seq (the newest of those, when several)."""
        ...

    def atomic(self) -> AbstractContextManager[None]:
        """A unit of work: every store's changes inside, and the entries, in one transaction."""
        ...


class AnchorOutcome(StrEnum):
    """What :meth:`AuditLog.anchor_head` did."""

    ANCHORED = "anchored"
    UNCHANGED = "unchanged"  # the head is anchored already
    EMPTY = "empty"  # nothing to anchor yet
    REFUSED = "refused"  # the head does not extend the latest anchor: cut or rewritten


@dataclass(frozen=True)
class TrailCheck:
    """What ``audit verify`` found: the chain's report, the guards that are not as made, and the
    anchor recorded when everything held."""

    report: ChainReport
    guards: list[GuardProblem]
    anchored: Anchor | None

    @property
    def passed(self) -> bool:
        return self.report.intact and not self.guards


def is_secret_key(key: str) -> bool:
    name = key.lower().replace("-", "_")
    return any(part in name for part in SECRET_KEY_PARTS)


def redact(value: Any, depth: int = 0) -> Any:
    """``value`` with the value of every secret-named key replaced by ``REDACTED``."""
    if depth > _MAX_DEPTH:
        raise refused(Kind.INVALID, Code.AUDIT_STATE_TOO_DEEP)
    if isinstance(value, Mapping):
        return {
            str(key): REDACTED if is_secret_key(str(key)) else redact(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item, depth + 1) for item in value]
    return value


def _state(value: Mapping[str, Any] | None, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise refused(
            Kind.INVALID, Code.AUDIT_STATE_NOT_MAPPING, name=name, type=type(value).__name__
        )
    try:
        return canonical_json(redact(value))
    except (TypeError, ValueError) as error:
        raise refused(
            Kind.INVALID, Code.AUDIT_STATE_NOT_JSON, name=name, error=str(error)
        ) from None


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


class AuditLog:
    """The use cases of the audit trail: record a change, read the trail, verify it."""

    def __init__(self, store: AuditStore) -> None:
        self.store = store

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
        """Append one entry. Secret-named keys are redacted (see the module's docstring)."""
        if not _ACTION.match(action):
            raise refused(Kind.INVALID, Code.AUDIT_ACTION_FORM, action=action)
        if not actor.strip():
            raise refused(Kind.INVALID, Code.AUDIT_NO_ACTOR)
        if not object_type.strip():
            raise refused(Kind.INVALID, Code.AUDIT_NO_OBJECT_TYPE)
        self.store.append(
            AuditRecord(
                at=int(now),
                actor=_cut(actor.strip(), MAX_ACTOR),
                action=action,
                object_type=_cut(object_type, MAX_OBJECT_TYPE),
                object_id=_cut(str(object_id), MAX_OBJECT_ID),
                before=_state(before, "before"),
                after=_state(after, "after"),
            )
        )

    def atomic(self) -> AbstractContextManager[None]:
        return self.store.atomic()

    def verify(self, *, anchor: Anchor | None = None) -> ChainReport:
        """Read the whole trail and report its first tampered row, if any: checked against
        every anchor recorded, and against ``anchor`` (a head given by hand) too."""
        return verify(self.store.entries(), anchor=anchor, anchors=self.store.anchors())

    def check(self, *, now: int, anchor: Anchor | None = None) -> TrailCheck:
        """What ``audit verify`` does: the chain against its anchors, and the append-only
        guards. When all holds, the head just verified is anchored (``AnchorSource.VERIFY``)."""
        guards = self.store.broken_guards()
        report = self.verify(anchor=anchor)
        anchored = None
        if report.intact and not guards and report.head is not None:
            anchored = Anchor(
                report.head.seq, report.head.hash, at=int(now), source=AnchorSource.VERIFY
            )
            self.store.add_anchor(anchored)
        return TrailCheck(report, guards, anchored)

    def anchor_head(self, *, now: int, source: AnchorSource = AnchorSource.SERVE) -> AnchorOutcome:
        """Anchor the trail's newest entry, unless it is anchored already or does not extend the
        latest anchor (a trail cut below it, or rewritten up to it, is never anchored over: the
        next ``audit verify`` reports it). Checks one entry, not the whole chain: cheap enough for
        a periodic job."""
        with self.store.atomic():  # the trail's write lock: no append between read and anchor
            head = self.store.head()
            latest = self.store.latest_anchor()
            if head is None:
                return AnchorOutcome.EMPTY
            if latest is not None:
                if head.seq < latest.seq:
                    return AnchorOutcome.REFUSED
                kept = head if head.seq == latest.seq else self.store.entry(latest.seq)
                if kept is None or kept.hash != latest.hash:
                    return AnchorOutcome.REFUSED
                if head.seq == latest.seq:
                    return AnchorOutcome.UNCHANGED
            self.store.add_anchor(Anchor(head.seq, head.hash, at=int(now), source=source))
            return AnchorOutcome.ANCHORED

    def head(self) -> AuditEntry | None:
        return self.store.head()

    def broken_guards(self) -> list[GuardProblem]:
        return self.store.broken_guards()

    def anchors(self) -> list[Anchor]:
        return self.store.anchors()

    def latest(
        self, *, limit: int = 50, object_type: str | None = None, object_id: str | None = None
    ) -> list[AuditEntry]:
        return self.store.latest(limit=limit, object_type=object_type, object_id=object_id)

    def search(self, wanted: AuditFilter, *, offset: int, limit: int) -> Found[AuditEntry]:
        """What the audit page lists: newest first, filtered and paged by the store."""
        return self.store.search(wanted, offset=offset, limit=limit)

    def latest_anchor(self) -> Anchor | None:
        return self.store.latest_anchor()
