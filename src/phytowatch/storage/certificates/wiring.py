"""The certificates' service wired for ``bootstrap``: the SQL store, the Ed25519 signer, and
what it reads of the chain (consignments, assessments, policy, runs and their sign-offs, the
offices)."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.engine import Engine

from phytowatch.schedules import load_catalog
from phytowatch.services.audit import AuditRecorder
from phytowatch.services.certificates.lifecycle import AssessmentLookup, CertificateService
from phytowatch.services.certificates.treatments import RunTreatments
from phytowatch.services.signoff import RunLookup
from phytowatch.services.supervision.ports import ConsignmentLookup, PolicySource
from phytowatch.storage.accounts_repo import SqlAccountStore
from phytowatch.storage.certificates.keys import Ed25519Signer
from phytowatch.storage.certificates.repo import SqlCertificateStore


class _Secret(Protocol):
    def get_secret_value(self) -> str: ...


class _Settings(Protocol):
    @property
    def signing_passphrase(self) -> _Secret | None: ...


def certificate_service(
    engine: Engine,
    audit: AuditRecorder,
    settings: _Settings,
    *,
    policy: PolicySource,
    consignments: ConsignmentLookup,
    assessments: AssessmentLookup,
    runs: RunLookup,
) -> CertificateService:
    accounts = SqlAccountStore(engine)
    catalog = load_catalog()
    secret = settings.signing_passphrase
    return CertificateService(
        SqlCertificateStore(engine),
        signer=Ed25519Signer(),
        consignments=consignments,
        assessments=assessments,
        policy=policy,
        treatments=RunTreatments(runs, accounts, catalog.get),
        offices=accounts,
        audit=audit,
        passphrase=secret.get_secret_value() if secret is not None else None,
    )
