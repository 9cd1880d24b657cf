"""The bureau's figures' use case on fakes: the period (whole days in UTC+8), and whose figures
a caller may see (an office's own staff, the province for an administrator)."""

from __future__ import annotations

from datetime import date

import pytest

from phytowatch.domain.accounts import ROLE_ACTIONS, Jurisdiction, Office, Principal, Role
from phytowatch.domain.messages import Code, Kind, Refused
from phytowatch.services.kpi import (
    Durations,
    Figures,
    KpiQuery,
    KpiService,
    Rate,
    Scope,
    instant_of,
    parse_period,
)

NOW = instant_of(date(2026, 5, 20)) + 3_600_000_000  # 20 May 2026, 01:00 UTC+8
GZ = Office("GZ", "Ganzhou", Jurisdiction(cities=frozenset({"赣州"})))
PORT = Office("XM", "Xiamen port", Jurisdiction())
EMPTY = Figures(
    0, 0, 0, 0, 0, Rate(0, 0), Rate(0, 0), Rate(0, 0), Durations(), (), (), Rate(0, 0),
    (), (), (), (), (),
)  # fmt: skip


class Offices:
    def office(self, code: str) -> Office | None:
        return {"GZ": GZ, "XM": PORT}.get(code)

    def list_offices(self) -> list[Office]:
        return [GZ, PORT]


class Store:
    def __init__(self) -> None:
        self.asked: list[KpiQuery] = []

    def figures(self, query: KpiQuery) -> Figures:
        self.asked.append(query)
        return EMPTY


def person(role: Role, office: str | None = None, everywhere: bool = False) -> Principal:
    reach = GZ.jurisdiction if office == "GZ" else Jurisdiction(everywhere=everywhere)
    return Principal(
        kind="user", actor=f"user:{role.value}", actions=ROLE_ACTIONS[role], role=role,
        office=office, jurisdiction=reach,
    )  # fmt: skip


def service() -> tuple[KpiService, Store]:
    store = Store()
    return KpiService(store, Offices(), lambda: frozenset({"XM"})), store


def test_a_period_is_whole_days_in_the_bureaus_zone() -> None:
    period = parse_period("2026-03-01", "2026-03-31", now=NOW)
    assert period.start == instant_of(date(2026, 3, 1))
    assert period.end - period.start == 31 * 86_400_000_000
    # midnight in Beijing is 16:00 UTC the day before
    assert period.start == 1772294400 * 1_000_000


def test_no_dates_mean_this_year_so_far() -> None:
    period = parse_period("", "", now=NOW)
    assert (period.first, period.last) == (date(2026, 1, 1), date(2026, 5, 20))


@pytest.mark.parametrize(
    ("first", "last", "code"),
    [
        ("2026-13-01", "", Code.KPI_BAD_DATE),
        ("", "yesterday", Code.KPI_BAD_DATE),
        ("2026-03-02", "2026-03-01", Code.KPI_PERIOD_BACKWARDS),
        ("2020-01-01", "2026-01-01", Code.KPI_PERIOD_TOO_LONG),
    ],
)
def test_a_period_that_is_not_one_is_said_so(first: str, last: str, code: Code) -> None:
    with pytest.raises(Refused) as refused:
        parse_period(first, last, now=NOW)
    assert refused.value.kind is Kind.INVALID
    assert refused.value.message.code is code


def test_an_administrator_sees_the_province_and_every_office() -> None:
    kpi, store = service()
    found = kpi.answer(person(Role.ADMINISTRATOR), office="", first="", last="", now=NOW)
    assert store.asked[0].scope == Scope(Jurisdiction(everywhere=True))
    assert found.offices == ("GZ", "XM")
    kpi.answer(person(Role.ADMINISTRATOR), office="GZ", first="", last="", now=NOW)
    assert store.asked[1].scope == Scope(GZ.jurisdiction, office="GZ")


def test_an_inspector_sees_their_own_office_and_no_other() -> None:
    kpi, store = service()
    inspector = person(Role.INSPECTOR, "GZ")
    found = kpi.answer(inspector, office="", first="", last="", now=NOW)
    assert store.asked[0].scope == Scope(GZ.jurisdiction, office="GZ")
    assert found.offices == ("GZ",)
    with pytest.raises(Refused) as refused:
        kpi.answer(inspector, office="XM", first="", last="", now=NOW)
    assert refused.value.kind is Kind.NOT_FOUND
    assert refused.value.message.code is Code.KPI_NO_OFFICE


def test_a_port_office_counts_what_was_transferred_to_it() -> None:
    kpi, store = service()
    kpi.answer(person(Role.PORT_OFFICER, "XM"), office="", first="", last="", now=NOW)
    assert store.asked[0].scope == Scope(Jurisdiction(), office="XM", port_office="XM")
