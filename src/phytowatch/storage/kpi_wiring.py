"""The bureau's figures wired: the SQL store, the offices, the schedules' expected intervals
between readings (what "online now" is judged by) and the port offices of ``ports.json``."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from phytowatch.schedules import load_catalog
from phytowatch.services.kpi import KpiService
from phytowatch.services.supervision.policy import PolicyService
from phytowatch.storage.accounts_repo import SqlAccountStore
from phytowatch.storage.kpi_sql import SqlKpiStore


def kpi_service(engine: Engine, policy: PolicyService) -> KpiService:
    schedules = load_catalog().latest()
    intervals = {s.id: s.max_sample_interval for s in schedules}
    # a facility with no open run expects no reading: the longest interval of any schedule
    default = max(intervals.values(), default=0)

    def port_offices() -> frozenset[str]:
        ports = policy.policy().ports.ports.values()
        return frozenset(port.office for port in ports if port.office)

    return KpiService(
        SqlKpiStore(engine, intervals, default), SqlAccountStore(engine), port_offices
    )
