"""Every figure of the bureau's view, checked exactly against a known history (tests/kpiworld.py)
on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpiworld import DEFAULT_INTERVAL, END, INTERVALS, MIN, NOW, T0, H, build
from phytowatch.bootstrap import Services
from phytowatch.domain.accounts import Jurisdiction
from phytowatch.services.kpi import (
    AlarmKindFigures,
    DayTimes,
    DestinationValue,
    Durations,
    InterceptionFigures,
    KpiQuery,
    ModeTimes,
    ProductExports,
    Rate,
    ScheduleRuns,
    Scope,
)
from phytowatch.storage.kpi_sql import SqlKpiStore

pytestmark = pytest.mark.integration


def test_every_figure_of_a_known_history(services: Services) -> None:
    build(services.engine)
    store = SqlKpiStore(services.engine, INTERVALS, DEFAULT_INTERVAL)
    f = store.figures(KpiQuery(Scope(Jurisdiction(everywhere=True)), T0, END, NOW))
    assert (f.facilities, f.facilities_monitored, f.facilities_online) == (4, 3, 1)
    assert (f.enterprises, f.enterprises_e_supervised) == (3, 1)
    assert f.e_declaration == Rate(5, 5)
    assert f.e_certificate == Rate(5, 5)
    assert f.e_transfer == Rate(4, 5)  # C3 went to a port that takes paper
    assert f.release_times == Durations(5, 5 * H, 130 * H)
    assert f.release_times_by_mode == (
        ModeTimes("credit", Durations(4, 3 * H, 130 * H)),
        ModeTimes("general", Durations(1, 26 * H, 26 * H)),
    )
    assert f.release_times_by_day == (
        DayTimes("2026-03-01", Durations(1, 130 * H, 130 * H)),
        DayTimes("2026-03-02", Durations(1, 3 * H, 3 * H)),
        DayTimes("2026-03-03", Durations(1, H, H)),
        DayTimes("2026-03-05", Durations(1, 26 * H, 26 * H)),
        DayTimes("2026-03-06", Durations(1, 5 * H, 5 * H)),
    )
    assert f.released_on_documents == Rate(4, 5)
    assert f.runs == (ScheduleRuns("S1", 3, 2, 1), ScheduleRuns("S2", 1, 1, 1))
    assert f.runs_pass_rate == Rate(2, 3)
    assert f.alarms == (
        AlarmKindFigures("facility_silent", 1, 0, Durations()),
        AlarmKindFigures("hold_broken", 3, 3, Durations(3, 15 * MIN, 25 * MIN)),
        AlarmKindFigures("tamper", 1, 1, Durations(1, MIN, MIN)),
    )
    assert f.interceptions == (
        InterceptionFigures("Bactrocera dorsalis", "赣州", 2, 3),
        InterceptionFigures("Ceratitis capitata", "南昌", 1, 1),
    )
    assert f.exports == (
        ProductExports("citrus", "GB", "kg", 1, Decimal("300.000")),
        ProductExports("citrus", "US", "kg", 3, Decimal("2200.000")),
        ProductExports("tea", "GB", "kg", 1, Decimal("50.000")),
        ProductExports("tea", "US", "kg", 1, Decimal("200.000")),
    )
    assert f.export_values == (
        DestinationValue("GB", "", 1, Decimal("0.00")),
        DestinationValue("GB", "USD", 1, Decimal("3000.25")),
        DestinationValue("US", "USD", 3, Decimal("19000.50")),
    )


def test_an_office_counts_what_its_jurisdiction_covers(services: Services) -> None:
    build(services.engine)
    store = SqlKpiStore(services.engine, INTERVALS, DEFAULT_INTERVAL)
    f = store.figures(KpiQuery(Scope(Jurisdiction(cities=frozenset({"南昌"}))), T0, END, NOW))
    assert (f.facilities, f.facilities_monitored, f.facilities_online) == (1, 1, 0)
    assert (f.enterprises, f.enterprises_e_supervised) == (1, 0)
    assert f.e_declaration == Rate(1, 1)
    assert f.release_times == Durations()
    assert f.runs == ()
    assert f.interceptions == (InterceptionFigures("Ceratitis capitata", "南昌", 1, 1),)
    assert f.exports == (ProductExports("tea", "GB", "kg", 1, Decimal("50.000")),)
    # the same history a day later: K1 has been silent longer than its schedule allows
    later = store.figures(KpiQuery(Scope(Jurisdiction(everywhere=True)), T0, END, NOW + H))
    assert later.facilities_online == 0


def test_a_port_office_counts_what_was_transferred_to_it(services: Services) -> None:
    build(services.engine)
    store = SqlKpiStore(services.engine, INTERVALS, DEFAULT_INTERVAL)
    port = Scope(Jurisdiction(cities=frozenset({"厦门"})), office="PXMN", port_office="PXMN")
    f = store.figures(KpiQuery(port, T0, END, NOW))
    assert (f.facilities, f.enterprises, f.runs, f.alarms) == (0, 0, (), ())
    assert f.e_declaration == Rate(4, 4)  # C1, C2, C4, C6
    assert f.e_certificate == Rate(4, 4)
    assert f.e_transfer == Rate(4, 4)
    assert f.release_times == Durations(3, 3 * H, 5 * H)  # C2 1 h, C1 3 h, C6 5 h
    assert f.released_on_documents == Rate(3, 3)
    assert f.interceptions == (
        InterceptionFigures("Bactrocera dorsalis", "赣州", 1, 1),
        InterceptionFigures("Ceratitis capitata", "南昌", 1, 1),
    )
    ganzhou = Scope(Jurisdiction(cities=frozenset({"赣州"})), office="GZ")
    assert store.figures(KpiQuery(ganzhou, T0, END, NOW)).e_transfer == Rate(3, 4)
