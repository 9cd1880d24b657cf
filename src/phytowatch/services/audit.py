"""Recording changes of state in the audit trail, and checking the trail.

Every use case that changes state calls ``AuditLog.record`` after the change is made: who (the
actor, given by the web or CLI layer), when (``now``), what (a dotted verb and the object), and
the object's state before and after, as JSON-able mappings. The change and its entry are made
inside ``with audit.atomic():``, one transaction: both are stored, or neither (a crash between
the two can no longer keep the change and lose its entry).

Secrets are never recorded. A key of ``before`` / ``after`` (at any depth) whose name contains one
of ``SECRET_KEY_PARTS`` (password, passwd, token, secret, hash, api_key, apikey, credential,
private_key, cookie, session_id, csrf; any case, ``-`` read as ``_``) has its value replaced by
``"[redacted]"``: the entry still says that the secret changed, never what it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol

from phytowatch.domain.audit import (
    Anchor,
    AuditEntry,
    AuditRecord,
    ChainReport,
    canonical_json,
    verify,
)

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

    def missing_guards(self) -> list[str]:
        """The append-only guards (triggers) that should be there and are not, or disabled."""
        ...

    def atomic(self) -> AbstractContextManager[None]:
        """A unit of work: every store's changes inside, and the entries, in one transaction."""
        ...


def is_secret_key(key: str) -> bool:
    name = key.lower().replace("-", "_")
    return any(part in name for part in SECRET_KEY_PARTS)


def redact(value: Any, depth: int = 0) -> Any:
    """``value`` with the value of every secret-named key replaced by ``REDACTED``."""
    if depth > _MAX_DEPTH:
        raise ValueError("audit: before/after nested too deep")
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
        raise TypeError(f"audit: {name} must be a mapping or None, not {type(value).__name__}")
    try:
        return canonical_json(redact(value))
    except (TypeError, ValueError) as error:
        raise ValueError(f"audit: {name} is not JSON-able: {error}") from None


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
            raise ValueError(
                f"audit: action {action!r} is not a lower-case dotted verb like 'run.started'"
            )
        if not actor.strip():
            raise ValueError("audit: say who did it (actor)")
        if not object_type.strip():
            raise ValueError("audit: say what kind of object changed (object_type)")
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
        """Read the whole trail and report its first tampered row, if any."""
        return verify(self.store.entries(), anchor=anchor)

    def head(self) -> AuditEntry | None:
        return self.store.head()

    def missing_guards(self) -> list[str]:
        return self.store.missing_guards()

    def latest(
        self, *, limit: int = 50, object_type: str | None = None, object_id: str | None = None
    ) -> list[AuditEntry]:
        return self.store.latest(limit=limit, object_type=object_type, object_id=object_id)
