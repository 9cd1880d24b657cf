"""The composition root: settings in, wired services out. Nothing happens at import."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from phytowatch.config import Settings
from phytowatch.notify import make_notifier
from phytowatch.services.alarms import AlarmService
from phytowatch.services.audit import AuditLog
from phytowatch.services.notify import Notifier
from phytowatch.services.runs import RunMonitor
from phytowatch.storage.accounts_repo import SqlAccountStore
from phytowatch.storage.alarms_repo import SqlAlarmStore
from phytowatch.storage.audit_repo import SqlAuditStore
from phytowatch.storage.database import make_engine
from phytowatch.storage.migrate import upgrade
from phytowatch.storage.pages_repo import SqlPageStore
from phytowatch.storage.registry_repo import SqlRegistry
from phytowatch.storage.runs_repo import SqlRunStore
from phytowatch.storage.writer import PostgresWriter, SqliteWriter, make_writer


@dataclass
class Services:
    settings: Settings
    engine: Engine
    registry: SqlRegistry
    writer: SqliteWriter | PostgresWriter
    runs: SqlRunStore
    monitor: RunMonitor
    alarm_store: SqlAlarmStore
    alarms: AlarmService
    notifier: Notifier
    audit: AuditLog
    accounts: SqlAccountStore
    pages: SqlPageStore  # what the pages read in bulk (charts, the wall's last verdicts)

    def schema_revision(self) -> str | None:
        from phytowatch.storage.migrate import current

        return current(self.engine)

    def close(self) -> None:
        self.notifier.close()
        self.writer.close()
        self.engine.dispose()


def bootstrap(settings: Settings, *, migrate: bool = True) -> Services:
    notifier = make_notifier(settings)  # first: bad rules fail before anything is opened
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    registry = SqlRegistry(engine)
    writer = make_writer(engine, settings.write_queue, settings.write_workers)
    runs = SqlRunStore(engine, registry)
    audit = AuditLog(SqlAuditStore(engine))
    monitor = RunMonitor(runs, audit=audit)
    alarm_store = SqlAlarmStore(engine)
    return Services(
        settings,
        engine,
        registry,
        writer,
        runs,
        monitor,
        alarm_store,
        AlarmService(alarm_store, monitor, audit=audit),
        notifier,
        audit,
        SqlAccountStore(engine),
        SqlPageStore(engine),
    )
