"""The policy documents' loader: the shipped files load; every broken document is refused
naming its file and field, never with a crash."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phytowatch.domain.messages import Code
from phytowatch.domain.schedule import Confidence
from phytowatch.domain.supervision.policy import PolicyKind, RiskLevel, SupervisionMode
from phytowatch.rules import (
    PolicyFileError,
    kind_of,
    load_shipped,
    policy_of,
    read_json,
    shipped_documents,
)
from phytowatch.schedules import load_catalog

SCHEDULES = frozenset(load_catalog().ids())
SHIPPED = shipped_documents()


def docs() -> dict[PolicyKind, Any]:
    return copy.deepcopy(SHIPPED)


def refusal(docs_: dict[PolicyKind, Any]) -> PolicyFileError:
    with pytest.raises(PolicyFileError) as caught:
        policy_of(docs_, schedules=SCHEDULES)
    return caught.value


def test_the_shipped_policy_loads_with_every_schedule_named_known() -> None:
    policy = load_shipped(schedules=SCHEDULES)
    assert len(policy.products) >= 20
    assert len(policy.destinations) >= 8
    named = {s for r in policy.destinations for s in r.schedules}
    assert named == SCHEDULES  # every shipped schedule is required somewhere
    assert policy.classification.scheme.code == "cn-class"
    assert policy.classification.scheme.classes == ("I", "II", "III", "IV")
    assert {s.code for s in policy.classification.schemes} == {"cn-class", "credit-grade"}
    assert policy.routing.matrix[("IV", RiskLevel.HIGH)] is SupervisionMode.SPECIAL
    assert policy.routing.ratios[SupervisionMode.CREDIT] == Decimal("0.02")
    assert set(policy.versions) == set(PolicyKind)
    assert all(info.origin == "shipped" for info in policy.documents.values())
    assert policy.products["citrus-navel-orange"].botanical_name == "Citrus sinensis"
    assert all(len(p.hs_code) == 6 for p in policy.products.values())


def _set(path: list[Any], value: Any) -> Callable[[dict[PolicyKind, Any]], None]:
    def change(d: dict[PolicyKind, Any]) -> None:
        target = d[path[0]]
        for key in path[1:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


_DELETE = object()
P, D, R, C = (PolicyKind.PRODUCTS, PolicyKind.DESTINATIONS, PolicyKind.ROUTING,
              PolicyKind.CLASSIFICATION)  # fmt: skip
PT = PolicyKind.PORTS

BAD = [
    # (change, file, field, code)
    (_set([R, "matrix", "III", "high"], "strictt"), "routing.json", "matrix.III.high",
     Code.POLICY_FILE_CHOICE),
    (_set([R, "matrix", "II", "elevated"], _DELETE), "routing.json", "matrix.II.elevated",
     Code.POLICY_FILE_CELL_MISSING),
    (_set([R, "matrix", "IV"], _DELETE), "routing.json", "matrix.IV",
     Code.POLICY_FILE_CELL_MISSING),
    (_set([R, "matrix", "V"], {"high": "strict"}), "routing.json", "matrix.V",
     Code.POLICY_FILE_CLASS),
    (_set([R, "matrix", "I", "low"], "credit"), "routing.json", "matrix.I.low",
     Code.POLICY_FILE_UNKNOWN),
    (_set([R, "ratios", "credit"], 0.02), "routing.json", "ratios.credit", Code.POLICY_FILE_RATIO),
    (_set([R, "ratios", "strict"], "1.5"), "routing.json", "ratios.strict", Code.POLICY_FILE_RATIO),
    (_set([R, "ratios", "general"], "-0.1"), "routing.json", "ratios.general",
     Code.POLICY_FILE_RATIO),
    (_set([R, "ratios", "special"], _DELETE), "routing.json", "ratios.special",
     Code.POLICY_FILE_RATIO_MISSING),
    (_set([R, "ratios", "credit"], {"ratio": "0.02", "confidence": "X"}), "routing.json",
     "ratios.credit.confidence", Code.POLICY_FILE_CHOICE),
    (_set([R, "hard_rules", 0], "always"), "routing.json", "hard_rules[0]",
     Code.POLICY_FILE_CHOICE),
    (_set([R, "scheme"], "nope"), "routing.json", "scheme", Code.POLICY_FILE_SCHEME),
    (_set([R, "confidence"], "C3"), "routing.json", "confidence", Code.POLICY_FILE_CHOICE),
    (_set([R, "version"], "1"), "routing.json", "version", Code.POLICY_FILE_VERSION),
    (_set([R, "colour"], "red"), "routing.json", "colour", Code.POLICY_FILE_UNKNOWN),
    (_set([P, "products", 0, "hs_code"], "0805"), "products.json", "products[0].hs_code",
     Code.POLICY_FILE_HS),
    (_set([P, "products", 0, "hs_code"], 80510), "products.json", "products[0].hs_code",
     Code.POLICY_FILE_HS),
    (_set([P, "products", 1, "risk"], "low"), "products.json", "products[1].risk",
     Code.POLICY_FILE_CHOICE),
    (_set([P, "products", 1, "code"], "citrus-navel-orange"), "products.json",
     "products[1].code", Code.POLICY_FILE_TWICE),
    (_set([P, "products", 2, "name_zh"], ""), "products.json", "products[2].name_zh",
     Code.POLICY_FILE_TEXT),
    (_set([P, "products", 0, "eppo_code"], "cidsi"), "products.json", "products[0].eppo_code",
     Code.POLICY_FILE_EPPO),
    (_set([P, "products", 0, "site"], "yes"), "products.json", "products[0].site",
     Code.POLICY_FILE_BOOL),
    (_set([P, "products", 0, "price"], 3), "products.json", "products[0].price",
     Code.POLICY_FILE_UNKNOWN),
    (_set([P, "products"], []), "products.json", "products", Code.POLICY_FILE_EMPTY),
    (_set([P, "kind"], "routing"), "products.json", "", Code.POLICY_FILE_KIND),
    (_set([D, "requirements", 0, "destination"], "USA"), "destinations.json",
     "requirements[0].destination", Code.POLICY_FILE_COUNTRY),
    (_set([D, "requirements", 0, "destination"], "us"), "destinations.json",
     "requirements[0].destination", Code.POLICY_FILE_COUNTRY),
    (_set([D, "requirements", 0, "product"], "banana"), "destinations.json",
     "requirements[0].product", Code.POLICY_FILE_PRODUCT),
    (_set([D, "requirements", 0, "schedules", 0], "usda-t107-z"), "destinations.json",
     "requirements[0].schedules[0]", Code.POLICY_FILE_SCHEDULE),
    (_set([D, "requirements", 0, "schedules"], "usda-t107a-medfly"), "destinations.json",
     "requirements[0].schedules", Code.POLICY_FILE_LIST),
    (_set([D, "requirements", 1, "product"], "citrus-navel-orange"), "destinations.json",
     "requirements[1].product", Code.POLICY_FILE_TWICE),
    (_set([C, "rules", 0, "measure"], "complaints"), "classification.json", "rules[0].measure",
     Code.POLICY_FILE_CHOICE),
    (_set([C, "rules", 0, "at_most"], 1), "classification.json", "rules[0].at_most",
     Code.POLICY_FILE_THRESHOLD),
    (_set([C, "rules", 0, "steps"], 0), "classification.json", "rules[0].steps",
     Code.POLICY_FILE_INTEGER),
    (_set([C, "rules", 0, "period_days"], "365"), "classification.json", "rules[0].period_days",
     Code.POLICY_FILE_INTEGER),
    (_set([C, "in_force"], "stars"), "classification.json", "in_force", Code.POLICY_FILE_CHOICE),
    (_set([C, "schemes", 0, "names", "II"], ["Class II"]), "classification.json",
     "schemes[0].names.II", Code.POLICY_FILE_NAMES),
    (_set([C, "schemes", 0, "classes", 1], "I"), "classification.json",
     "schemes[0].classes[1]", Code.POLICY_FILE_TWICE),
    # ports.json (step 5): a bad UN/LOCODE, office, percent, a ``how`` on a text, a port twice
    (_set([PT, "ports", 0, "code"], "CN-SHA"), "ports.json", "ports[0].code",
     Code.POLICY_FILE_LOCODE),
    (_set([PT, "ports", 0, "code"], "cnsha"), "ports.json", "ports[0].code",
     Code.POLICY_FILE_LOCODE),
    (_set([PT, "ports", 1, "office"], "P NGB!"), "ports.json", "ports[1].office",
     Code.POLICY_FILE_OFFICE),
    (_set([PT, "amendments", 0, "percent"], "110"), "ports.json", "amendments[0].percent",
     Code.POLICY_FILE_PERCENT),
    (_set([PT, "amendments", 0, "percent"], 10), "ports.json", "amendments[0].percent",
     Code.POLICY_FILE_PERCENT),
    (_set([PT, "amendments", 1, "how"], "decrease"), "ports.json", "amendments[1].how",
     Code.POLICY_FILE_NOT_NUMERIC),
    (_set([PT, "ports", 1, "code"], "CNSHA"), "ports.json", "ports[1].code",
     Code.POLICY_FILE_TWICE),
]  # fmt: skip


@pytest.mark.parametrize(("change", "where", "field", "code"), BAD)
def test_a_broken_document_is_refused_naming_file_and_field(
    change: Callable[[dict[PolicyKind, Any]], None], where: str, field: str, code: Code
) -> None:
    d = docs()
    change(d)
    error = refusal(d)
    assert error.message.code is code
    assert error.where == where
    assert error.field == field
    said = error.message.english()
    assert said.startswith(f"{where}: ")
    if field:
        assert f": {field}" in said


def test_the_message_reads_as_the_issue_says() -> None:
    d = docs()
    d[R]["matrix"]["III"]["high"] = "strictt"
    assert refusal(d).message.english() == (
        'routing.json: matrix.III.high: "strictt": must be one of credit, verification, '
        "general, strict, special"
    )


def test_a_cell_or_a_ratio_may_carry_its_own_confidence() -> None:
    d = docs()
    d[R]["matrix"]["I"]["high"] = {"mode": "general", "confidence": "C"}
    d[R]["ratios"]["special"] = {"ratio": "1", "confidence": "C2"}
    routing = policy_of(d, schedules=SCHEDULES).routing
    assert routing.matrix[("I", RiskLevel.HIGH)] is SupervisionMode.GENERAL
    assert routing.confidence_of("matrix.I.high") is Confidence.CHECKED
    assert routing.confidence_of("ratios.special") is Confidence.SECONDARY
    assert routing.confidence_of("ratios.credit") is Confidence.UNVERIFIED  # the document's


def test_routing_on_the_credit_grades_needs_their_classes() -> None:
    d = docs()
    d[R]["scheme"] = "credit-grade"
    error = refusal(d)
    assert (error.field, error.message.code) == ("matrix.I", Code.POLICY_FILE_CLASS)


def test_a_file_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "routing.json"
    bad.write_text('{"kind": "routing",', "utf-8")
    with pytest.raises(PolicyFileError) as caught:
        read_json(bad)
    assert caught.value.message.code is Code.POLICY_FILE_JSON
    assert caught.value.where == "routing.json"


def test_the_kind_is_read_off_the_document() -> None:
    assert kind_of(SHIPPED[R], "x.json") is PolicyKind.ROUTING
    with pytest.raises(PolicyFileError) as caught:
        kind_of({"kind": "schedule"}, "x.json")
    assert caught.value.message.code is Code.POLICY_FILE_NO_KIND


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*path, index))
    return found


ODD = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False), st.text(max_size=6),
    st.sampled_from(["", "*", "I", "credit", "high", "M", "0.5", "2", "US", "citrus-mandarin"]),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(),
                                                          max_size=2),
)  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(kind=st.sampled_from(list(PolicyKind)), pick=st.integers(0, 10_000), value=ODD,
       delete=st.booleans())  # fmt: skip
def test_a_random_mutation_is_refused_or_loads_never_crashes(
    kind: PolicyKind, pick: int, value: Any, delete: bool
) -> None:
    d = docs()
    paths = [p for p in _paths(d[kind]) if p]
    path = paths[pick % len(paths)]
    target = d[kind]
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    try:
        policy_of(d, schedules=SCHEDULES)
    except PolicyFileError as error:
        # the mutated file, or one that cross-checks it (a product a requirement names, the
        # classes the matrix is indexed by)
        dependents = {P: {P, D}, D: {D}, R: {R}, C: {C, R}, PolicyKind.PORTS: {PolicyKind.PORTS}}[
            kind
        ]
        assert error.where in {f"{k.value}.json" for k in dependents}
        assert error.message.english()
        json.dumps(error.message.params, default=str)
