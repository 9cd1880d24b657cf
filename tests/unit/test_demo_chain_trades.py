"""What the demo's chain declares fits: each treatment's product and destination is one whose
requirement its schedule meets, the untreated goods need none, every pest is of its product,
container numbers carry their ISO 6346 check digit, and about forty enterprises are under
e-supervision with every declaring one but one among them."""

from __future__ import annotations

import random

from phytowatch.demo.chain import (
    BASES,
    NOT_E_SUPERVISED,
    PESTS,
    TRADES,
    UNTREATED_TRADES,
    container_numbers,
    declarant_login,
    declaring,
    e_supervised,
)
from phytowatch.demo.province import province
from phytowatch.domain.supervision.codes import container_ok, is_country, is_locode
from phytowatch.domain.supervision.requirements import requirement_for
from phytowatch.rules import load_shipped


def test_each_treatment_backs_a_product_and_destination_its_schedule_meets() -> None:
    policy = load_shipped()
    for schedule, trade in TRADES.items():
        assert trade.product in policy.products, schedule
        for buyer in trade.buyers:
            found = requirement_for(policy.destinations, buyer.destination, trade.product)
            assert found is not None and schedule in found.schedules, (schedule, buyer)
            assert is_locode(buyer.port_of_exit), buyer
            assert is_locode(buyer.point_of_entry) and buyer.point_of_entry[:2] == buyer.destination


def test_untreated_goods_need_no_treatment_where_they_go() -> None:
    policy = load_shipped()
    for enterprise, trade in UNTREATED_TRADES:
        assert trade.product in policy.products, enterprise
        for buyer in trade.buyers:
            assert is_country(buyer.destination), buyer
            found = requirement_for(policy.destinations, buyer.destination, trade.product)
            assert found is None or not found.schedules, (enterprise, buyer)


def test_every_product_declared_has_a_pest_and_bases_are_of_declaring_enterprises() -> None:
    products = {t.product for t in TRADES.values()} | {t.product for _, t in UNTREATED_TRADES}
    assert products <= set(PESTS)
    _, facilities = province()
    assert {enterprise for _, enterprise, *_ in BASES} <= set(declaring(facilities))
    assert sum(1 for *_, suspended in BASES if suspended) == 1


def test_container_numbers_carry_their_check_digit() -> None:
    numbers = container_numbers(random.Random(1), 50)
    assert len(set(numbers)) == 50 and all(container_ok(n) for n in numbers), numbers


def test_about_forty_under_e_supervision_and_one_declarant_each() -> None:
    enterprises, facilities = province()
    chosen = e_supervised(enterprises, facilities)
    assert len(chosen) == 40
    assert set(declaring(facilities)) - chosen == set(NOT_E_SUPERVISED)
    logins = [declarant_login(code) for code in declaring(facilities)]
    assert len(set(logins)) == len(logins) and "declarant" in logins
