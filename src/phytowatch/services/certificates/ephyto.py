"""IPPC ePhyto as use cases: validate a document, import a received one (validated, stored once,
audited), read what was received, and export one of our issued certificates.

The XML itself is the adapter's (``phytowatch.ephyto``), reached through :class:`EphytoCodec`;
what was received is kept by a :class:`ReceivedStore`, append-only. Who reads and imports is the
web's rule (``ephyto:read``, ``ephyto:import``); the use case checks the import again, so that a
caller that is neither (a token of another scope) is refused whatever adapter it came by. The
CLI's operator acts with the process's own authority, as its other commands do.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from phytowatch.domain.accounts import Action, Principal
from phytowatch.domain.certificates.ephyto import (
    Checked,
    Problem,
    ReceivedEphyto,
    StoredEphyto,
)
from phytowatch.domain.certificates.model import Certificate
from phytowatch.domain.messages import Code, Kind, Message, Refused, refused, say
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.context import Context
from phytowatch.services.paging import Found

MAX_BYTES = 5 * 1024 * 1024  # the largest document read (the XML adapter checks it again)
OPERATOR_KINDS = frozenset({"cli", "system"})  # the process's own authority (services.context)


class EphytoCodec(Protocol):
    """The XML adapter: validate and read a document, write one of ours."""

    def check(self, data: bytes) -> Checked:
        """Its kind and problems (and, valid, what it says); ``Refused`` for what is not safe
        XML, too large, or not an ePhyto document at all."""
        ...

    def export(self, certificate: Certificate, *, envelope: bool = True) -> bytes:
        """The validated document; ``Refused`` for a certificate that is not exchanged."""
        ...


class ReceivedStore(Protocol):
    """Received ePhytos, append-only: the raw bytes, their hash, the parsed fields."""

    def by_hash(self, sha256: str) -> StoredEphyto | None: ...

    def add(
        self,
        raw: bytes,
        sha256: str,
        received: ReceivedEphyto,
        *,
        kind: str,
        at: int,
        by: str,
    ) -> StoredEphyto: ...

    def received(self, received_id: int) -> StoredEphyto | None: ...

    def raw(self, received_id: int) -> bytes | None: ...

    def find(self, *, offset: int, limit: int) -> Found[StoredEphyto]:
        """Newest first."""
        ...


class ProblemsRefused(Refused):
    """A document that does not validate: every problem, by line and element."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__(Kind.INVALID, problem_message(first))


def problem_message(problem: Problem) -> Message:
    return say(
        Code.EPHYTO_INVALID, line=problem.line, element=problem.element, detail=problem.detail
    )


@dataclass(frozen=True)
class Imported:
    stored: StoredEphyto
    created: bool  # False: the same bytes were imported before (nothing stored again)

    @property
    def message(self) -> Message:
        if not self.created:
            return say(Code.EPHYTO_KNOWN, received=self.stored.id)
        return say(
            Code.EPHYTO_IMPORTED,
            received=self.stored.id,
            number=self.stored.received.number,
            country=self.stored.received.export_country,
        )


def _importer(principal: Principal) -> None:
    if principal.kind not in OPERATOR_KINDS and not principal.may(Action.EPHYTO_IMPORT):
        raise refused(Kind.FORBIDDEN, Code.EPHYTO_IMPORTER_ONLY)


class EphytoService:
    """``App.ephyto``."""

    def __init__(
        self,
        codec: EphytoCodec,
        store: ReceivedStore,
        audit: AuditRecorder,
    ) -> None:
        self.codec = codec
        self.store = store
        self.audit = audit

    def check(self, data: bytes) -> Checked:
        return self.codec.check(data)

    def import_xml(self, data: bytes, *, ctx: Context) -> Imported:
        """Validate and keep a received document; the same bytes again are recognised and not
        stored twice. ``ProblemsRefused`` names each problem's line and element."""
        _importer(ctx.principal)
        checked = self.codec.check(data)
        if checked.problems:
            raise ProblemsRefused(checked.problems)
        assert checked.received is not None
        digest = hashlib.sha256(data).hexdigest()
        with self.audit.atomic():  # the trail's lock: two imports of one document serialise
            known = self.store.by_hash(digest)
            if known is not None:
                return Imported(known, created=False)
            stored = self.store.add(
                data, digest, checked.received, kind=checked.kind, at=ctx.now, by=ctx.actor
            )
            self.audit.record(
                actor=ctx.actor,
                action="ephyto.imported",
                object_type="received_ephyto",
                object_id=str(stored.id),
                after={
                    "number": stored.received.number,
                    "from": stored.received.export_country,
                    "to": stored.received.import_country,
                    "type": stored.received.type_code,
                    "status": stored.received.status_code,
                    "sha256": digest,
                    "kind": checked.kind,
                },
                now=ctx.now,
            )
        return Imported(stored, created=True)

    def find(self, *, offset: int = 0, limit: int = 50) -> Found[StoredEphyto]:
        return self.store.find(offset=offset, limit=limit)

    def received(self, received_id: int) -> StoredEphyto:
        found = self.store.received(received_id)
        if found is None:
            raise refused(Kind.NOT_FOUND, Code.EPHYTO_NO_RECEIVED, received=received_id)
        return found

    def raw(self, received_id: int) -> bytes:
        found = self.store.raw(received_id)
        if found is None:
            raise refused(Kind.NOT_FOUND, Code.EPHYTO_NO_RECEIVED, received=received_id)
        return found

    def export(
        self, certificate: Certificate | None, *, shown: str, envelope: bool = True
    ) -> bytes:
        """One of our certificates as ePhyto; ``shown``: how the caller named it (for the 404)."""
        if certificate is None or certificate.issue is None:
            raise refused(Kind.NOT_FOUND, Code.EPHYTO_NO_CERTIFICATE, certificate=shown)
        return self.codec.export(certificate, envelope=envelope)
