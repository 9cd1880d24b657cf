"""The official policy in force, as the chain's use cases read it (``PolicySource``), and its
edits.

The document in force for a kind is its newest stored version, else the shipped file
(``phytowatch.rules``). An edit is a whole new document: validated with the others in force by
the same loader (refused naming file and field, nothing stored), numbered ``<base>+<n>`` (the
document's own version without its suffix, and the count of stored versions of the kind), stored
append-only and audited (``policy.edit``) in one transaction. :class:`PolicyService` keeps the
parsed policy and re-reads it only when the newest stored version's id has changed: routing asks
for it on every submission.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from phytowatch.domain.accounts import Action
from phytowatch.domain.messages import Code, Kind, Refused, refused
from phytowatch.domain.supervision.policy import Policy, PolicyKind
from phytowatch.rules import (
    SHIPPED,
    PolicyFileError,
    canonical,
    file_name,
    head_of,
    parse_json,
    policy_of,
    sha256_of,
    shipped_documents,
)
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.context import Context

EDIT_ACTION = "policy.edit"
OBJECT_TYPE = "policy"
SHIPPED_ORIGIN = "shipped"
STORED_ORIGIN = "stored"
log = logging.getLogger(__name__)
MAX_CHANGES = 50  # the changed fields an audit entry lists (and how many more there were)


@dataclass(frozen=True)
class StaticPolicy:
    """A policy that does not change while the process runs: the shipped files."""

    fixed: Policy

    def policy(self) -> Policy:
        return self.fixed


@dataclass(frozen=True)
class PolicyVersion:
    """One stored version of a policy document (a row of ``policy_versions``)."""

    id: int
    kind: PolicyKind
    version: str
    body: str  # canonical JSON
    sha256: str
    created_at: int  # µs
    actor: str
    note: str


@dataclass(frozen=True)
class PolicyDocument:
    """A document as it is in force or was: its body, version and where it comes from."""

    kind: PolicyKind
    version: str
    origin: str  # "shipped" | "stored"
    body: Mapping[str, Any]
    stored: PolicyVersion | None = None  # the row, for a stored one


class PolicyStore(Protocol):
    """The stored versions (``storage.supervision.policy_repo``; a fake in tests)."""

    def newest_id(self) -> int:
        """The highest id of any stored version; 0 for none (cheap: asked on every read)."""
        ...

    def newest(self, kind: PolicyKind) -> PolicyVersion | None: ...

    def versions(self, kind: PolicyKind) -> list[PolicyVersion]:
        """Every stored version of ``kind``, newest first."""
        ...

    def version(self, kind: PolicyKind, version: str) -> PolicyVersion | None: ...

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
    ) -> PolicyVersion: ...


def base_version(version: str) -> str:
    """``2026.1+3`` -> ``2026.1``."""
    return version.split("+", 1)[0]


def changes(before: Any, after: Any, path: str = "") -> list[str]:
    """The field paths whose values differ between two documents (lists of objects by index)."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[str] = []
        for key in sorted(set(before) | set(after), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in before or key not in after:
                found.append(where)
            else:
                found.extend(changes(before[key], after[key], where))
        return found
    if (
        isinstance(before, list)
        and isinstance(after, list)
        and all(isinstance(x, dict) for x in before + after)
    ):
        found = []
        for index in range(max(len(before), len(after))):
            where = f"{path}[{index}]"
            if index >= len(before) or index >= len(after):
                found.append(where)
            else:
                found.extend(changes(before[index], after[index], where))
        return found
    return [] if before == after else [path or "."]


def _refusal(error: PolicyFileError) -> Refused:
    return Refused(Kind.INVALID, error.message)


class PolicyService:
    """The policy in force (``PolicySource``), its documents, versions and edits."""

    def __init__(
        self,
        store: PolicyStore,
        audit: AuditRecorder,
        *,
        schedules: Collection[str],
        shipped: Path = SHIPPED,
    ) -> None:
        self.store = store
        self.audit = audit
        self.schedules = frozenset(schedules)
        self.shipped_dir = shipped
        self._shipped: dict[PolicyKind, Any] | None = None
        self._lock = threading.Lock()
        self._cached: tuple[int, Policy] | None = None

    # -- reading --------------------------------------------------------------------------------

    def shipped(self) -> dict[PolicyKind, Any]:
        if self._shipped is None:
            self._shipped = shipped_documents(self.shipped_dir)
        return copy.deepcopy(self._shipped)

    def _stored_document(self, row: PolicyVersion) -> PolicyDocument:
        body = parse_json(row.body, file_name(row.kind))
        return PolicyDocument(row.kind, row.version, STORED_ORIGIN, body, row)

    def document(self, kind: PolicyKind) -> PolicyDocument:
        """The document of ``kind`` in force."""
        row = self.store.newest(kind)
        if row is not None:
            return self._stored_document(row)
        body = self.shipped()[kind]
        return PolicyDocument(kind, str(body.get("version", "")), SHIPPED_ORIGIN, body)

    def documents(self) -> dict[PolicyKind, PolicyDocument]:
        return {kind: self.document(kind) for kind in PolicyKind}

    def policy(self) -> Policy:
        """The policy in force, parsed once per stored version (one cheap query otherwise)."""
        newest = self.store.newest_id()
        cached = self._cached
        if cached is not None and cached[0] == newest:
            return cached[1]
        # read and parsed with no lock held: this is called inside units that hold the
        # database's write lock (issuing a certificate reads the ports), and a thread that waited
        # here for another one's reads could hold that lock for as long; two threads parsing the
        # same version at once is only work done twice
        parsed = self._parse(self.documents())
        with self._lock:
            self._cached = (newest, parsed)
        return parsed

    def _parse(self, docs: dict[PolicyKind, PolicyDocument]) -> Policy:
        """The documents in force as one policy. A stored document that no longer validates
        (a schedule it names was removed since) gives way to the shipped file of its kind,
        with a warning in the log, rather than stop every consignment's routing."""
        for _ in PolicyKind:
            try:
                return policy_of(
                    {kind: doc.body for kind, doc in docs.items()},
                    schedules=self.schedules,
                    origins={kind: doc.origin for kind, doc in docs.items()},
                )
            except PolicyFileError as error:
                refused_kind = next((k for k in PolicyKind if file_name(k) == error.where), None)
                if refused_kind is None or docs[refused_kind].origin != STORED_ORIGIN:
                    raise
                log.warning(
                    "policy: stored %s version %s no longer valid (%s); the shipped file is "
                    "in force",
                    refused_kind.value,
                    docs[refused_kind].version,
                    error.message.english(),
                )
                body = self.shipped()[refused_kind]
                docs[refused_kind] = PolicyDocument(
                    refused_kind, str(body.get("version", "")), SHIPPED_ORIGIN, body
                )
        return policy_of({kind: doc.body for kind, doc in docs.items()}, schedules=self.schedules)

    def history(self, kind: PolicyKind) -> list[PolicyVersion]:
        """Every stored version of ``kind``, newest first (the shipped file is not one)."""
        return self.store.versions(kind)

    def old(self, kind: PolicyKind, version: str) -> PolicyDocument:
        """A stored version of ``kind``, or the shipped file by its version."""
        row = self.store.version(kind, version)
        if row is not None:
            return self._stored_document(row)
        body = self.shipped()[kind]
        if body.get("version") == version:
            return PolicyDocument(kind, version, SHIPPED_ORIGIN, body)
        raise refused(Kind.NOT_FOUND, Code.POLICY_NO_VERSION, kind=kind.value, version=version)

    def check(self, kind: PolicyKind, body: Any) -> Policy:
        """The policy there would be with ``body`` in force for ``kind``: refused naming the file
        and field when it is not valid, alone or with the other documents in force."""
        docs = {k: d.body for k, d in self.documents().items()}
        docs[kind] = body
        try:
            head_of(kind, body)
            return policy_of(docs, schedules=self.schedules)
        except PolicyFileError as error:
            raise _refusal(error) from None

    # -- editing --------------------------------------------------------------------------------

    def edit(self, kind: PolicyKind, body: Any, *, note: str, ctx: Context) -> PolicyVersion:
        """Put a whole new document of ``kind`` in force, numbered, stored and audited."""
        principal = ctx.principal
        if principal.kind != "cli" and not principal.may(Action.POLICY_WRITE):
            raise refused(Kind.FORBIDDEN, Code.POLICY_WRITE_ONLY)
        if not isinstance(note, str) or not note.strip():
            raise refused(Kind.INVALID, Code.POLICY_NOTE_MISSING, field="note")
        self.check(kind, body)  # the document as given: its own version, fields and values
        document = copy.deepcopy(body)
        if kind is PolicyKind.PRODUCTS:  # a product the shipped file does not have is the site's
            shipped_codes = {p.get("code") for p in self.shipped()[kind]["products"]}
            for product in document["products"]:
                if product["code"] not in shipped_codes:
                    product["site"] = True
        current = self.document(kind)
        if _same_but_version(current.body, document):
            raise refused(
                Kind.CONFLICT, Code.POLICY_UNCHANGED, kind=kind.value, version=current.version
            )
        changed = changes(_without_version(current.body), _without_version(document))
        with self.audit.atomic():  # the audit trail's lock: one edit numbers at a time
            count = len(self.store.versions(kind))
            document["version"] = f"{base_version(str(document['version']))}+{count + 1}"
            row = self.store.add(
                kind,
                document["version"],
                body=canonical(document),
                sha256=sha256_of(document),
                at=ctx.now,
                actor=ctx.actor,
                note=note.strip(),
            )
            self.audit.record(
                actor=ctx.actor,
                action=EDIT_ACTION,
                object_type=OBJECT_TYPE,
                object_id=kind.value,
                before={
                    "version": current.version,
                    "origin": current.origin,
                    "sha256": sha256_of(current.body),
                },
                after={
                    "version": row.version,
                    "sha256": row.sha256,
                    "note": row.note,
                    "changed": changed[:MAX_CHANGES],
                    "changed_more": max(0, len(changed) - MAX_CHANGES),
                },
                now=ctx.now,
            )
        return row


def _without_version(body: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "version"}


def _same_but_version(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return canonical(_without_version(a)) == canonical(_without_version(b))
