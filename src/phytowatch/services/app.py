"""The application as its adapters see it: the use cases' collaborators, typed by their ports.

``bootstrap`` builds it (with the SQL stores, the writers and the channels); the web, the MQTT
worker and the live-judging thread are given it and type against it, never against a SQL class
or the engine. The settings an adapter reads are named here as a Protocol, so that the services
layer need not import the configuration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from phytowatch.services.accounts import AccountStore, Found
from phytowatch.services.alarms import AlarmService, AlarmStore
from phytowatch.services.audit import AuditLog
from phytowatch.services.certificates.ephyto import EphytoService
from phytowatch.services.certificates.marks import Marks
from phytowatch.services.certificates.ports import Certificates
from phytowatch.services.certificates.printing import CertificatePrinter
from phytowatch.services.clock import Clock
from phytowatch.services.kpi import KpiService
from phytowatch.services.lists import RegistryListing, RunListing
from phytowatch.services.notify import Notifier
from phytowatch.services.outbox import OutboxDelivery
from phytowatch.services.port.ports import Port
from phytowatch.services.ports import PageQueries, ReadingWriter, Registry
from phytowatch.services.runs import RunMonitor, RunStore
from phytowatch.services.signoff import SignOffStore
from phytowatch.services.supervision.assessment import Assessments
from phytowatch.services.supervision.bases import BaseStore
from phytowatch.services.supervision.consignments import ConsignmentStore
from phytowatch.services.supervision.policy import PolicyService
from phytowatch.services.supervision.ports import (
    RecordCounter,
    Router,
    StandingLookup,
)
from phytowatch.services.supervision.standing import StandingStore
from phytowatch.services.transfers.ports import Outbox, Transfers


class Secret(Protocol):
    def get_secret_value(self) -> str: ...


class Accounts(AccountStore, SignOffStore, Protocol):
    """The accounts' store, which also keeps the runs' sign-offs and knows each facility's
    owner (its enterprise and city: who may see it)."""

    def facility_owners(self) -> dict[str, tuple[str, str]]: ...

    # what the administration lists read, a page at a time (web/pages/admin.py)
    def find_facilities(
        self, text: str, kind: str | None, *, offset: int, limit: int
    ) -> Found[dict[str, Any]]: ...

    def find_enterprises(self, text: str, *, offset: int, limit: int) -> Found[dict[str, Any]]: ...

    def registry_counts(self) -> dict[str, int]: ...


class Runs(RunStore, RunListing, Protocol):
    """The runs' store, which also answers the runs list and the inspector's queue."""


class ListedRegistry(Registry, RegistryListing, Protocol):
    """The registry, which also answers the facilities and enterprises lists."""


class AppSettings(Protocol):
    """What the adapters read of the settings (``config.Settings`` has them all)."""

    @property
    def admin_token(self) -> Secret | None: ...
    @property
    def session_ttl_s(self) -> int: ...
    @property
    def session_idle_s(self) -> int: ...
    @property
    def cookie_secure(self) -> bool: ...
    @property
    def password_hash_cost(self) -> int: ...
    @property
    def max_body_bytes(self) -> int: ...
    @property
    def max_readings_per_batch(self) -> int: ...
    @property
    def max_snapshot_bytes(self) -> int: ...
    @property
    def future_tolerance_s(self) -> int: ...
    @property
    def verify_rate_per_minute(self) -> int: ...


@dataclass
class App:
    settings: AppSettings
    registry: ListedRegistry
    writer: ReadingWriter
    runs: Runs
    monitor: RunMonitor
    alarm_store: AlarmStore
    alarms: AlarmService
    notifier: Notifier
    audit: AuditLog
    accounts: Accounts
    pages: PageQueries  # what the pages read in bulk (charts, the wall's last verdicts)
    clock: Clock  # the one "now" of the product (a FixedClock in tests)
    close: Callable[[], None]  # the notifier, the writer and the database, in that order
    schema_revision: Callable[[], str | None]  # the database's Alembic revision
    # -- the e-supervision chain: official policy --
    # products, destination requirements, routing, classification: ``policy()`` in force
    # (``PolicySource``), its documents, versions and edits
    policy: PolicyService

    # -- the e-supervision chain: classification and raw-material bases --
    standing: StandingLookup  # an enterprise's class, e-supervision, key list; its bases
    classification: StandingStore  # standing history and the proposed up/downgrades
    bases: BaseStore  # raw-material bases and their history
    # what the classification rules count (``failed_runs`` here; the declarations' and the
    # assessments' stores append theirs)
    record_counters: list[RecordCounter]

    # -- the e-supervision chain: declarations --
    consignments: ConsignmentStore  # consignments, versions, timeline; declarations' counts

    # -- the e-supervision chain: routing and conformity assessment --
    router: Router  # routes a submitted declaration (called by the submission, in its unit)
    assessments: Assessments  # routes, assessments, interceptions; the queue; who owns what

    # -- step 4, certificates: the lifecycle, numbers, keys --
    certificates: Certificates  # drafts to issue and replacement; prints; office keys; numbers

    # -- step 4, certificates: pages and forms --

    # -- step 4, certificates: the printed certificate, QR, public verification --
    printer: CertificatePrinter  # renders a certificate's PDF (printing/pdf.py)
    public_url: str  # where the public reaches us: the QR codes' and printed addresses' base

    # -- step 4, IPPC ePhyto: export, validate, import --
    ephyto: EphytoService  # received ePhytos (import, read) and our certificates' export

    # -- step 4, the IPPC mark for wood packaging --
    marks: Marks  # authorise, list, read and verify the IPPC mark's authorisations

    # -- step 5, e-transfer: transfers, retrieval, amendments --
    transfers: Transfers  # made at certification; taken at the port; amended by the rules

    # -- step 5, the outbox and the port's receiver --
    outbox: Outbox  # messages to other systems, put in the caller's unit, delivered later
    deliveries: OutboxDelivery  # the outbox's delivery (worker, status, retry; services/outbox.py)

    # -- step 6, port check and release --
    port: Port  # the port's draw, check, hold and release; the clearance records (通关单)

    # -- the six-step timeline --

    # -- the bureau's view (KPIs) --
    kpi: KpiService  # the bureau's figures, per office and period, from the records

    # -- steps 5-6, the demo province runs the whole chain --
