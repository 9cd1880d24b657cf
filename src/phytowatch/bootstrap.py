"""The composition root: settings in, wired services out. Nothing happens at import.

:class:`Services` is typed by the ports (``services.*`` Protocols), not by the SQL classes that
implement them: what an adapter (the web, the CLI, the MQTT worker) may call is what the port
says. The engine is there for ``close``, ``schema_revision`` and the tests that look into the
database; no adapter uses it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from phytowatch.config import Settings
from phytowatch.domain.messages import Word
from phytowatch.ephyto.codec import LxmlEphyto
from phytowatch.notify import make_notifier
from phytowatch.notify.outbox_http import HttpTransport
from phytowatch.printing.pdf import PdfPrinter
from phytowatch.schedules import load_catalog
from phytowatch.services.alarms import AlarmService
from phytowatch.services.app import App
from phytowatch.services.audit import AuditLog
from phytowatch.services.certificates.ephyto import EphytoService
from phytowatch.services.clock import Clock, SystemClock
from phytowatch.services.outbox import SECOND, OutboxDelivery, receivers_of
from phytowatch.services.runs import RunMonitor
from phytowatch.services.supervision.policy import PolicyService
from phytowatch.storage.accounts_repo import SqlAccountStore
from phytowatch.storage.alarms_repo import SqlAlarmStore
from phytowatch.storage.audit_repo import SqlAuditStore
from phytowatch.storage.certificates.marks_wiring import marks_service
from phytowatch.storage.certificates.wiring import certificate_service
from phytowatch.storage.database import check_exists, make_engine, masked_url
from phytowatch.storage.ephyto_repo import SqlReceivedEphytoStore
from phytowatch.storage.errors import storage_errors
from phytowatch.storage.kpi_wiring import kpi_service
from phytowatch.storage.migrate import upgrade
from phytowatch.storage.outbox.repo import SqlOutbox, SqlOutboxStore
from phytowatch.storage.pages_repo import SqlPageStore
from phytowatch.storage.port.wiring import port_service
from phytowatch.storage.registry_repo import SqlRegistry
from phytowatch.storage.runs_repo import SqlRunStore
from phytowatch.storage.supervision.consignments_repo import SqlConsignmentStore
from phytowatch.storage.supervision.policy_repo import SqlPolicyStore
from phytowatch.storage.supervision.routing_wiring import routing_and_assessment
from phytowatch.storage.supervision.standing_repo import SqlFailedRuns, SqlStanding
from phytowatch.storage.transfers.wiring import transfer_service
from phytowatch.storage.writer import PostgresWriter, SqliteWriter, make_writer


@dataclass
class Services(App):
    """The application (``services.app.App``, typed by the ports) and, for the tests and the
    administration commands that look into the database itself, its engine. No adapter uses
    ``engine``: the web, the MQTT worker and the runtime are given an ``App``."""

    settings: Settings  # all of them (an App names only what its adapters read)
    # the stores themselves, for the tests that look at what is stored beyond a port's methods
    registry: SqlRegistry
    writer: SqliteWriter | PostgresWriter
    runs: SqlRunStore
    alarm_store: SqlAlarmStore
    accounts: SqlAccountStore
    pages: SqlPageStore
    engine: Engine


def bootstrap(
    settings: Settings, *, migrate: bool = True, clock: Clock | None = None, create: bool = True
) -> Services:
    """The services on ``settings``' database. ``ValueError`` for a URL of no supported
    database, ``StorageUnavailableError`` (with the driver's words) when it cannot be opened;
    without ``create``, ``DatabaseMissingError`` for a database that does not exist (nothing is
    created: the commands that only use a database)."""
    notifier = make_notifier(settings)  # first: bad rules fail before anything is opened
    try:
        engine = make_engine(settings.database_url, create=create)
    except BaseException:
        notifier.close()
        raise
    if not create:
        try:
            check_exists(engine)
        except BaseException:
            engine.dispose()
            notifier.close()
            raise
    if migrate:
        try:
            with storage_errors():
                upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
    registry = SqlRegistry(engine)
    writer = make_writer(engine, settings.write_queue, settings.write_workers)
    runs = SqlRunStore(engine, registry)
    audit = AuditLog(SqlAuditStore(engine))
    monitor = RunMonitor(runs, audit=audit)
    alarm_store = SqlAlarmStore(engine)

    def close() -> None:
        notifier.close()
        writer.close()
        engine.dispose()

    def schema_revision() -> str | None:
        from phytowatch.storage.migrate import current

        return current(engine)

    policy = PolicyService(SqlPolicyStore(engine), audit, schedules=load_catalog().ids())
    standing = SqlStanding(engine)  # read by routing on every submission
    consignments = SqlConsignmentStore(engine)
    chain = routing_and_assessment(engine, audit, policy, standing, consignments)
    certificates = certificate_service(
        engine,
        audit,
        settings,
        policy=policy,
        consignments=consignments,
        assessments=chain["assessments"],
        runs=runs,
    )
    return Services(
        settings=settings,
        registry=registry,
        writer=writer,
        runs=runs,
        monitor=monitor,
        alarm_store=alarm_store,
        alarms=AlarmService(alarm_store, monitor, audit=audit),
        notifier=notifier,
        audit=audit,
        accounts=SqlAccountStore(engine),
        pages=SqlPageStore(engine),
        clock=clock or SystemClock(),
        close=close,
        schema_revision=schema_revision,
        engine=engine,
        # -- the e-supervision chain: official policy --
        policy=policy,
        # -- the e-supervision chain: classification and raw-material bases --
        standing=standing,
        classification=standing,
        bases=standing,
        record_counters=[SqlFailedRuns(engine), consignments, chain["assessments"]],
        # -- the e-supervision chain: declarations --
        consignments=consignments,
        # -- the e-supervision chain: routing and conformity assessment --
        **chain,
        # -- step 4, certificates: the lifecycle, numbers, keys --
        certificates=certificates,
        # -- step 4, certificates: pages and forms --
        # -- step 4, certificates: the printed certificate, QR, public verification --
        printer=PdfPrinter(),
        public_url=settings.public_url,
        # -- step 4, IPPC ePhyto: export, validate, import --
        ephyto=EphytoService(LxmlEphyto(), SqlReceivedEphytoStore(engine), audit),
        # -- step 4, the IPPC mark for wood packaging --
        marks=marks_service(engine, audit),
        # -- step 5, e-transfer: transfers, retrieval, amendments --
        transfers=transfer_service(
            engine,
            audit,
            policy=policy,
            consignments=consignments,
            certificates=certificates,  # made and amended inside its issue and cancellation
            outbox=SqlOutbox(engine),
        ),
        # -- step 5, the outbox and the port's receiver --
        outbox=SqlOutbox(engine),
        deliveries=OutboxDelivery(
            SqlOutboxStore(engine),
            HttpTransport(),
            receivers_of(
                settings.receivers,
                settings.receiver_secrets.get_secret_value() if settings.receiver_secrets else "",
            ),
            clock or SystemClock(),
            audit=audit,
            cap=settings.outbox_backoff_cap_s * SECOND,
            lease=settings.outbox_lease_s * SECOND,
            flag_after=settings.outbox_flag_after_s * SECOND,
            batch=settings.outbox_batch,
        ),
        # -- step 6, port check and release --
        port=port_service(
            engine,
            audit,
            policy=policy,
            consignments=consignments,
            routes=chain["assessments"],
            standing=standing,
        ),
        # -- the six-step timeline --
        # -- the bureau's view (KPIs) --
        kpi=kpi_service(engine, policy),
        # -- steps 5-6, the demo province runs the whole chain --
    )


def describe_database(url: str) -> str | Word:
    """A database URL as a message may show it: without its password (a word of the catalogue
    when it is not a URL)."""
    shown = masked_url(url)
    return Word("(not a database URL)") if shown is None else shown
