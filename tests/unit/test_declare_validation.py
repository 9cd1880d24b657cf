"""What a declaration must be to be submitted: each field refused names itself, every refusal
is said at once; the standard codes (ISO 3166-1, UN/LOCODE, ISO 6346) as the standards say."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from phytowatch.domain.supervision.codes import (
    COUNTRIES,
    container_check_digit,
    container_ok,
    is_locode,
)
from phytowatch.domain.supervision.consignment import BackingRun, Declaration, Line, Party
from phytowatch.domain.supervision.registry import BaseStatus, RawMaterialBase
from phytowatch.domain.supervision.validation import problems, quantity_ok
from phytowatch.rules import load_shipped

PRODUCTS = load_shipped().products
GOOD = Declaration(
    exporter=Party("Ganzhou Fruit", "赣州"),
    consignee=Party("Pacific Fruit Co.", "Long Beach"),
    lines=(Line("mango", "Mangifera indica", Decimal("10.5"), "kg", 10, "crates"),),
    destination="US",
    port_of_exit="CNSHA",
    conveyance="vessel",
    marks="",
    containers=("CSQU3054383",),
    bases=(),
    runs=(),
)


def fields(declaration: Declaration, **kw: object) -> list[str]:
    found = problems(
        declaration,
        enterprise="E1",
        products=PRODUCTS,
        bases=kw.get("bases", {}),  # type: ignore[arg-type]
        runs=kw.get("runs", {}),  # type: ignore[arg-type]
    )
    for p in found:
        assert p.message.params["field"] == p.field  # the message names its field
    return [p.field for p in found]


def test_a_complete_declaration_is_not_refused() -> None:
    assert fields(GOOD) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"exporter": Party("", "赣州")}, "exporter.name"),
        ({"consignee": Party("Pacific", "")}, "consignee.address"),
        ({"lines": ()}, "lines"),
        ({"destination": ""}, "destination"),
        ({"destination": "XX"}, "destination"),
        ({"destination": "UK"}, "destination"),  # a pattern's match, not a code (GB is)
        ({"port_of_exit": "CNSH1"}, "port_of_exit"),
        ({"port_of_exit": "XXSHA"}, "port_of_exit"),
        ({"conveyance": " "}, "conveyance"),
        ({"containers": ("CSQU305438",)}, "containers[0]"),
        ({"containers": ("CSQU3054383", "CSQU3054383")}, "containers[1]"),
        ({"bases": ("GZ-1",)}, "bases[0]"),
        ({"runs": (5,)}, "runs[0]"),
        ({"marks": "x" * 501}, "marks"),
    ],
)
def test_each_refused_field_names_itself(change: dict[str, object], field: str) -> None:
    assert fields(replace(GOOD, **change)) == [field]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (Line("", "", Decimal(1), "kg", 1, "box"), "lines[1].product"),
        (Line("durian", "", Decimal(1), "kg", 1, "box"), "lines[1].product"),
        (Line("mango", "", Decimal(0), "kg", 1, "box"), "lines[1].quantity"),
        (Line("mango", "", Decimal("-2"), "kg", 1, "box"), "lines[1].quantity"),
        (Line("mango", "", Decimal("1.0005"), "kg", 1, "box"), "lines[1].quantity"),
        (Line("mango", "", Decimal("NaN"), "kg", 1, "box"), "lines[1].quantity"),
        (Line("mango", "", Decimal(1), "lb", 1, "box"), "lines[1].unit"),
        (Line("mango", "", Decimal(1), "kg", 0, "box"), "lines[1].packages"),
        (Line("mango", "", Decimal(1), "kg", 1, ""), "lines[1].package_type"),
    ],
)
def test_a_refused_line_is_named_by_its_index_and_field(line: Line, field: str) -> None:
    assert fields(replace(GOOD, lines=(GOOD.lines[0], line))) == [field]


def test_runs_refused_say_why_and_another_enterprises_is_as_if_missing() -> None:
    def backing(run_id: int, **kw: object) -> BackingRun:
        base = BackingRun(run_id, "E1", "K1", "ispm15-ht", True, "PASS", True, False)
        return replace(base, **kw)  # type: ignore[arg-type]

    runs = {
        1: backing(1),
        2: backing(2, enterprise="E2"),
        3: backing(3, closed=False, verdict=None),
        4: backing(4, verdict="FAIL"),
        5: backing(5, signed_off=False),
    }
    found = problems(
        replace(GOOD, runs=(1, 2, 3, 4, 5, 6)),
        enterprise="E1",
        products=PRODUCTS,
        bases={},
        runs=runs,
    )
    assert [(p.field, p.message.code.value) for p in found] == [
        ("runs[1]", "declaration.no_run"),
        ("runs[2]", "declaration.run_open"),
        ("runs[3]", "declaration.run_not_pass"),
        ("runs[4]", "declaration.run_not_signed"),
        ("runs[5]", "declaration.no_run"),
    ]


def test_a_base_must_be_registered_to_this_enterprise() -> None:
    mine = RawMaterialBase("GZ-1", "E1", "orchard", ("mango",), "赣州", BaseStatus.VALID, 0)
    theirs = replace(mine, number="NC-1", enterprise="E2")
    bases = {"GZ-1": mine, "NC-1": theirs}
    assert fields(replace(GOOD, bases=("GZ-1", "NC-1")), bases=bases) == ["bases[1]"]


def test_all_refusals_are_said_at_once() -> None:
    bad = replace(GOOD, consignee=Party("", ""), destination="ZZ", containers=("X",))
    assert fields(bad) == ["consignee.name", "consignee.address", "destination", "containers[0]"]


def test_the_standard_codes() -> None:
    assert len(COUNTRIES) == 249 and {"CN", "US", "GB", "HK", "TW"} <= COUNTRIES
    assert "UK" not in COUNTRIES and "EU" not in COUNTRIES
    assert is_locode("CNSHA") and is_locode("USLGB") and is_locode("CNZ29")
    assert not is_locode("CNSH1") and not is_locode("cnsha") and not is_locode("ZZSHA")
    # ISO 6346 Annex A's example, and one of a real box
    assert container_check_digit("CSQU305438") == 3 and container_ok("CSQU3054383")
    assert not container_ok("CSQU3054384") and not container_ok("CSQX3054383")
    assert quantity_ok(Decimal("0.001")) and not quantity_ok(Decimal("0.0001"))
    assert quantity_ok(Decimal("1E+3")) and not quantity_ok(Decimal("Infinity"))
