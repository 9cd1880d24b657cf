"""The IPPC mark's service on SQL, as ``bootstrap`` wires it: the store, the audit trail, the
shipped mark policy (read once; a broken file stops the start with its file and field named),
and the accounts' failure counts that rate-limit public verification."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from phytowatch.rules.mark import load_mark_policy
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.certificates.marks import Marks
from phytowatch.storage.accounts_repo import SqlAccountStore
from phytowatch.storage.certificates.marks_repo import SqlMarkStore


def marks_service(engine: Engine, audit: AuditRecorder) -> Marks:
    return Marks(SqlMarkStore(engine), audit, load_mark_policy(), SqlAccountStore(engine))
