"""route() (domain/supervision/routing.py): every matrix cell, every hard rule, the draw's
boundary, the draw itself; the same inputs always give the same route."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phytowatch.domain.messages import Code
from phytowatch.domain.supervision.consignment import BackingRun, Declaration, Line, Party
from phytowatch.domain.supervision.policy import RiskLevel, RouteOutcome, SupervisionMode
from phytowatch.domain.supervision.registry import BaseStatus, EnterpriseStanding, RawMaterialBase
from phytowatch.domain.supervision.routing import (
    BASE_SUSPENDED,
    INSPECTED_BEFORE,
    INSPECTION_OWED,
    KEY_LIST,
    NOT_E_SUPERVISED,
    REQUIREMENT_NOT_MET,
    RUN_WITH_FINDINGS,
    decide,
    gather,
    route,
    sampling_draw,
)
from phytowatch.rules import load_shipped

POLICY = load_shipped()
RULES = POLICY.routing
CLASSES = POLICY.classification.scheme.classes
PRODUCT_OF = {
    RiskLevel.HIGH: "mango",
    RiskLevel.ELEVATED: "ginger-fresh",
    RiskLevel.GENERAL: "tea-green",
}


def _line(product: str) -> Line:
    return Line(product, "", Decimal("10"), "t", 100, "cartons")


def _declaration(*products: str, destination: str = "SG", **changes: Any) -> Declaration:
    return Declaration(
        exporter=Party("E", "a"),
        consignee=Party("C", "b"),
        lines=tuple(_line(p) for p in products),
        destination=destination,
        port_of_exit="CNNCH",
        conveyance="truck",
        marks="",
        containers=(),
        bases=changes.get("bases", ()),
        runs=changes.get("runs", ()),
    )


def _standing(klass: str = "I", **changes: Any) -> EnterpriseStanding:
    standing = EnterpriseStanding("E1", "cn-class", klass, True, False, 0, "user:root")
    return replace(standing, **changes)


def _run(run_id: int, schedule: str = "usda-t107a-medfly", **changes: Any) -> BackingRun:
    run = BackingRun(run_id, "E1", "F1", schedule, True, "PASS", True, False)
    return replace(run, **changes)


def _inputs(
    declaration: Declaration | None = None,
    *,
    standing: EnterpriseStanding | None = None,
    draw: str = "0.999999",
    runs: dict[int, BackingRun] | None = None,
    bases: dict[str, RawMaterialBase | None] | None = None,
    inspected_before: bool = False,
    owed: tuple[str, ...] = (),
    rules: Any = RULES,
) -> dict[str, Any]:
    return gather(
        number="C-1",
        enterprise="E1",
        declaration=declaration or _declaration("tea-green"),
        rules=rules,
        classes=CLASSES,
        standing=standing if standing is not None else _standing(),
        products=POLICY.products,
        requirements=POLICY.destinations,
        runs=runs or {},
        bases=bases or {},
        draw=Decimal(draw),
        inspected_before=inspected_before,
        owed=owed,
    )


@pytest.mark.parametrize("klass", CLASSES)
@pytest.mark.parametrize("risk", list(RiskLevel))
def test_every_matrix_cell_gives_its_mode_and_ratio(klass: str, risk: RiskLevel) -> None:
    decided = decide(_inputs(_declaration(PRODUCT_OF[risk]), standing=_standing(klass)))
    mode = RULES.matrix[(klass, risk)]
    assert decided.mode is mode
    assert decided.ratio == RULES.ratios[mode]
    cell = next(m for m in decided.reasons if m.code is Code.ROUTE_CELL)
    assert cell.params["klass"] == klass
    assert format(cell.params["risk"]) == risk.value
    assert decided.fired == ()


def test_the_highest_risk_of_the_lines_governs() -> None:
    inputs = _inputs(_declaration("tea-green", "ginger-fresh", "mango"), standing=_standing("II"))
    assert inputs["risk"] == "high"
    assert decide(inputs).mode is SupervisionMode.GENERAL


def test_the_draw_boundary_inspects_below_the_ratio_and_releases_at_it() -> None:
    # class II x general risk -> verification, 5 %
    below = decide(_inputs(standing=_standing("II"), draw="0.049999"))
    at = decide(_inputs(standing=_standing("II"), draw="0.050000"))
    assert below.outcome is RouteOutcome.INSPECT
    assert below.reasons[-1].code is Code.ROUTE_DRAW_INSPECT
    assert at.outcome is RouteOutcome.DOCUMENTS
    assert at.reasons[-1].code is Code.ROUTE_DRAW_DOCUMENTS
    assert at.reasons[-1].params == {"draw": "0.050000", "ratio": "0.05"}


def test_special_supervision_inspects_whatever_the_draw() -> None:
    decided = decide(_inputs(_declaration("mango"), standing=_standing("IV"), draw="0.999999"))
    assert decided.mode is SupervisionMode.SPECIAL
    assert decided.outcome is RouteOutcome.INSPECT


def _fired(inputs: dict[str, Any]) -> tuple[str, ...]:
    decided = decide(inputs)
    assert decided.outcome is RouteOutcome.INSPECT
    assert decided.reasons[-1].code is Code.ROUTE_DRAW_MOOT
    return decided.fired


def test_a_key_list_enterprise_is_always_inspected() -> None:
    assert _fired(_inputs(standing=_standing(key_list=True))) == (KEY_LIST,)


def test_an_enterprise_not_under_e_supervision_is_always_inspected() -> None:
    assert _fired(_inputs(standing=_standing(e_supervised=False))) == (NOT_E_SUPERVISED,)


def test_an_enterprise_with_no_standing_is_inspected_and_its_class_said_unknown() -> None:
    inputs = gather(
        number="C-1",
        enterprise="E1",
        declaration=_declaration("tea-green"),
        rules=RULES,
        classes=CLASSES,
        standing=None,
        products=POLICY.products,
        requirements=POLICY.destinations,
        runs={},
        bases={},
        draw=Decimal("0.9"),
        inspected_before=False,
        owed=(),
    )
    decided = decide(inputs)
    assert decided.fired == (NOT_E_SUPERVISED,)
    assert decided.reasons[0].code is Code.ROUTE_NOT_CLASSIFIED
    assert decided.reasons[0].params["klass"] == "IV"
    assert inputs["class"] == "IV" and inputs["classified"] is False


def test_a_destination_requirement_no_run_meets_inspects() -> None:
    declaration = _declaration("citrus-navel-orange", destination="US", runs=(7,))
    unmet = _inputs(declaration, runs={7: _run(7, "ispm15-ht")})
    assert _fired(unmet) == (REQUIREMENT_NOT_MET,)
    message = decide(unmet).reasons[-2]
    assert message.code is Code.ROUTE_REQUIREMENT_NOT_MET
    assert message.params["schedules"] == "usda-t107a-medfly"
    met = decide(_inputs(declaration, runs={7: _run(7)}))
    assert REQUIREMENT_NOT_MET not in met.fired


def test_a_run_with_findings_inspects() -> None:
    inputs = _inputs(_declaration("tea-green", runs=(3,)), runs={3: _run(3, has_findings=True)})
    assert _fired(inputs) == (RUN_WITH_FINDINGS,)


@pytest.mark.parametrize("base", [None, "suspended"])
def test_a_suspended_or_unregistered_base_inspects(base: str | None) -> None:
    known = None
    if base is not None:
        known = RawMaterialBase("B1", "E1", "orchard", ("tea-green",), "x", BaseStatus(base), 0)
    inputs = _inputs(_declaration("tea-green", bases=("B1",)), bases={"B1": known})
    assert _fired(inputs) == (BASE_SUSPENDED,)
    valid = RawMaterialBase("B1", "E1", "orchard", ("tea-green",), "x", BaseStatus.VALID, 0)
    assert decide(_inputs(bases={"B1": valid})).fired == ()


def test_a_correction_of_a_consignment_routed_to_inspect_stays_inspected() -> None:
    assert _fired(_inputs(inspected_before=True)) == (INSPECTED_BEFORE,)


def test_an_inspection_owed_after_a_withdrawal_is_taken_over() -> None:
    decided = decide(_inputs(owed=("C-0",)))
    assert decided.fired == (INSPECTION_OWED,)
    assert decided.reasons[-2].params == {"number": "C-0"}


def test_a_hard_rule_turned_off_does_not_fire_but_the_anti_gaming_ones_always_do() -> None:
    off = replace(RULES, hard_rules=frozenset())
    assert decide(_inputs(standing=_standing(key_list=True), rules=off)).fired == ()
    assert decide(_inputs(owed=("C-0",), rules=off)).fired == (INSPECTION_OWED,)


def test_a_product_not_in_the_catalogue_is_taken_as_high_risk_and_said_so() -> None:
    inputs = _inputs(_declaration("durian"), standing=_standing("II"))
    assert inputs["risk"] == "high"
    assert decide(inputs).reasons[0].code is Code.ROUTE_PRODUCT_UNKNOWN


def test_the_draw_is_the_hmac_of_the_number_and_the_rules_version() -> None:
    key = bytes(range(32))
    draw = sampling_draw(key, "C-1", "2026.1")
    assert draw == sampling_draw(key, "C-1", "2026.1")
    assert Decimal(0) <= draw < Decimal(1)
    assert draw.as_tuple().exponent == -6
    assert draw != sampling_draw(key, "C-2", "2026.1")
    assert draw != sampling_draw(b"another key" * 3, "C-1", "2026.1")


def test_the_route_carries_its_version_inputs_and_reasons() -> None:
    inputs = _inputs(standing=_standing("II"), draw="0.734000")
    decided = route(5, 2, inputs, now=99)
    assert (decided.consignment_id, decided.version, decided.at) == (5, 2, 99)
    assert decided.outcome is RouteOutcome.DOCUMENTS
    assert decided.rules_version == "2026.1"
    assert decided.draw == Decimal("0.734000")
    assert decided.inputs is inputs


@given(
    klass=st.sampled_from(CLASSES),
    risk=st.sampled_from(list(RiskLevel)),
    key_list=st.booleans(),
    e_supervised=st.booleans(),
    key=st.binary(min_size=16, max_size=32),
    number=st.text(alphabet="ABC0123456789-", min_size=1, max_size=12),
)
def test_the_same_inputs_always_give_the_same_route(
    klass: str, risk: RiskLevel, key_list: bool, e_supervised: bool, key: bytes, number: str
) -> None:
    standing = _standing(klass, key_list=key_list, e_supervised=e_supervised)
    draw = sampling_draw(key, number, RULES.version)
    first = _inputs(_declaration(PRODUCT_OF[risk]), standing=standing, draw=str(draw))
    again = _inputs(_declaration(PRODUCT_OF[risk]), standing=standing, draw=str(draw))
    assert first == again
    assert decide(first) == decide(again)
    # a correction keeps the number, so it keeps the draw
    assert sampling_draw(key, number, RULES.version) == draw
