"""The bureau's view: the figures the source report gives by hand, computed from the records.

Per office (the enterprises its jurisdiction covers; for a port office, also the consignments
transferred to it) and period (whole days in the bureau's zone, UTC+8). The store answers with
SQL aggregates (``storage/kpi_sql.py``); nothing here is stored, and nothing loops over rows.
Each figure's definition is in docs/kpi.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Protocol

from phytowatch.domain.accounts import Jurisdiction, Office, Principal
from phytowatch.domain.messages import Code, Kind, refused

BUREAU_ZONE = timezone(timedelta(hours=8))  # China Standard Time, no summer time
LONGEST_PERIOD = 3 * 366  # days: the figures of three years at most in one answer
MEDIAN = (1, 2)  # quantiles as fractions: nearest rank, ceil(q * n)
P90 = (9, 10)


@dataclass(frozen=True)
class Scope:
    """Whose figures: the enterprises ``reach`` covers, and, for a port office, the consignments
    transferred to ``port_office``."""

    reach: Jurisdiction
    office: str = ""  # "" for the whole province
    port_office: str = ""


@dataclass(frozen=True)
class KpiQuery:
    scope: Scope
    start: int  # µs, included
    end: int  # µs, excluded
    now: int  # µs: "online now"


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def share(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator


@dataclass(frozen=True)
class Durations:
    """How long something took: how many, and the median and 90th percentile (µs, nearest rank)."""

    count: int = 0
    median: int | None = None
    p90: int | None = None


@dataclass(frozen=True)
class ModeTimes:
    mode: str  # a supervision mode ("" when the consignment was never routed)
    times: Durations


@dataclass(frozen=True)
class DayTimes:
    day: str  # ISO date in the bureau's zone
    times: Durations


@dataclass(frozen=True)
class ScheduleRuns:
    schedule: str
    started: int
    closed: int
    passed: int

    @property
    def pass_rate(self) -> Rate:
        return Rate(self.passed, self.closed)


@dataclass(frozen=True)
class AlarmKindFigures:
    kind: str
    raised: int
    acknowledged: int
    to_acknowledge: Durations


@dataclass(frozen=True)
class InterceptionFigures:
    pest: str
    origin: str  # the enterprise's city, as recorded with the interception
    batches: int  # consignments in which the pest was found
    species_times: int  # interception records


@dataclass(frozen=True)
class ProductExports:
    product: str
    destination: str
    unit: str
    consignments: int
    quantity: Decimal


@dataclass(frozen=True)
class DestinationValue:
    destination: str
    currency: str
    consignments: int
    declared_value: Decimal


@dataclass(frozen=True)
class Figures:
    facilities: int  # registered, within the scope
    facilities_monitored: int
    facilities_online: int
    enterprises: int
    enterprises_e_supervised: int
    e_declaration: Rate
    e_certificate: Rate
    e_transfer: Rate
    release_times: Durations  # every mode together
    release_times_by_mode: tuple[ModeTimes, ...]
    release_times_by_day: tuple[DayTimes, ...]
    released_on_documents: Rate
    runs: tuple[ScheduleRuns, ...]
    alarms: tuple[AlarmKindFigures, ...]
    interceptions: tuple[InterceptionFigures, ...]
    exports: tuple[ProductExports, ...]
    export_values: tuple[DestinationValue, ...]

    @property
    def runs_pass_rate(self) -> Rate:
        return Rate(sum(r.passed for r in self.runs), sum(r.closed for r in self.runs))


class KpiStore(Protocol):
    def figures(self, query: KpiQuery) -> Figures:
        """Every figure of the query's scope and period, by SQL aggregates."""
        ...


class OfficeLookup(Protocol):
    def office(self, code: str) -> Office | None: ...

    def list_offices(self) -> list[Office]: ...


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # included

    @property
    def start(self) -> int:
        return instant_of(self.first)

    @property
    def end(self) -> int:
        return instant_of(self.last + timedelta(days=1))


def instant_of(day: date) -> int:
    """Midnight of ``day`` in the bureau's zone, µs since the epoch."""
    moment = datetime.combine(day, time(0), tzinfo=BUREAU_ZONE)
    return int(moment.timestamp()) * 1_000_000


def day_of(instant: int) -> date:
    return datetime.fromtimestamp(instant / 1_000_000, UTC).astimezone(BUREAU_ZONE).date()


def default_period(now: int) -> Period:
    """This year so far, in the bureau's zone."""
    today = day_of(now)
    return Period(date(today.year, 1, 1), today)


def parse_period(first: str, last: str, *, now: int) -> Period:
    """A period from two ISO dates (either empty: this year's first day, today)."""
    default = default_period(now)
    days: list[date] = []
    for name, text, fallback in (("from", first, default.first), ("to", last, default.last)):
        if not text.strip():
            days.append(fallback)
            continue
        try:
            days.append(date.fromisoformat(text.strip()))
        except ValueError:
            raise refused(Kind.INVALID, Code.KPI_BAD_DATE, field=name, value=text[:40]) from None
    period = Period(days[0], days[1])
    if period.last < period.first:
        raise refused(Kind.INVALID, Code.KPI_PERIOD_BACKWARDS, first=period.first.isoformat())
    if (period.last - period.first).days >= LONGEST_PERIOD:
        raise refused(Kind.INVALID, Code.KPI_PERIOD_TOO_LONG, days=LONGEST_PERIOD)
    return period


@dataclass(frozen=True)
class Answer:
    period: Period
    scope: Scope
    figures: Figures
    offices: tuple[str, ...] = field(default=())  # what the office picker offers


class KpiService:
    """Who may see which office's figures, and the figures."""

    def __init__(
        self, store: KpiStore, offices: OfficeLookup, port_offices: Callable[[], frozenset[str]]
    ) -> None:
        self.store = store
        self.offices = offices
        self.port_offices = port_offices  # the offices ``ports.json`` names at a port of exit, now

    @staticmethod
    def province_wide(principal: Principal) -> bool:
        """Whether the caller sees every office's figures (an administrator, or staff of an
        office that covers the whole province); others see their own office's."""
        return principal.sees_everything or (
            principal.jurisdiction is not None and principal.jurisdiction.everywhere
        )

    def offices_for(self, principal: Principal) -> tuple[str, ...]:
        """What the office picker offers the caller."""
        codes = tuple(o.code for o in self.offices.list_offices())
        if self.province_wide(principal):
            return codes
        return tuple(c for c in codes if c == principal.office)

    def scope_of(self, principal: Principal, office: str) -> Scope:
        """The scope of ``office`` ("": the whole province for those who see it, else the
        caller's own office)."""
        wide = self.province_wide(principal)
        if not office:
            if wide:
                return Scope(Jurisdiction(everywhere=True))
            office = principal.office or ""
        found = self.offices.office(office) if (wide or office == principal.office) else None
        if found is None:
            raise refused(Kind.NOT_FOUND, Code.KPI_NO_OFFICE, office=office[:32])
        port = office if office in self.port_offices() else ""
        return Scope(found.jurisdiction, office=office, port_office=port)

    def answer(
        self, principal: Principal, *, office: str, first: str, last: str, now: int
    ) -> Answer:
        period = parse_period(first, last, now=now)
        scope = self.scope_of(principal, office)
        figures = self.store.figures(KpiQuery(scope, period.start, period.end, now))
        return Answer(period, scope, figures, self.offices_for(principal))
