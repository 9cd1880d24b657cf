"""A declaration as JSON and its lines as CSV: never a crash, whatever is sent (a refusal names
each field or cell), and what is written is read back the same."""

from __future__ import annotations

import codecs
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phytowatch.domain.supervision.consignment import Declaration, Line, Party
from phytowatch.domain.supervision.validation import FieldsRefused
from phytowatch.formats import declaration_csv, declaration_json

text = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30
).map(str.strip)
quantities = st.decimals(
    min_value=Decimal("0.001"), max_value=Decimal("1e9"), places=3, allow_nan=False
)
lines = st.builds(
    Line,
    product=text,
    botanical_name=text,
    quantity=quantities,
    unit=text,
    packages=st.integers(0, 10**6),
    package_type=text,
    description=text,
)
upper = st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), max_size=11)
declarations = st.builds(
    Declaration,
    exporter=st.builds(Party, text, text),
    consignee=st.builds(Party, text, text),
    lines=st.lists(lines, max_size=4).map(tuple),
    destination=upper,
    port_of_exit=upper,
    conveyance=text,
    marks=text,
    containers=st.lists(upper, max_size=3).map(tuple),
    bases=st.lists(text, max_size=3).map(tuple),
    runs=st.lists(st.integers(1, 2**31 - 1), max_size=3).map(tuple),
    place_of_origin=text,
    point_of_entry=text,
    declared_value=st.none() | quantities,
    currency=upper,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=15), inner),
    max_leaves=20,
)


@settings(deadline=None)  # no test times things
@given(declarations)
def test_json_reads_back_what_it_wrote(declaration: Declaration) -> None:
    assert declaration_json.decode(declaration_json.encode(declaration)) == declaration
    text = declaration_json.canonical(declaration)
    assert declaration_json.loads(text) == declaration
    assert declaration_json.canonical(declaration_json.loads(text)) == text  # one text a value


@settings(max_examples=300, deadline=None)  # no test times things
@given(json_values)
def test_any_json_is_a_declaration_or_refused_naming_fields(value: object) -> None:
    try:
        declaration_json.decode(value)
    except FieldsRefused as refused:
        assert refused.problems and all(p.field for p in refused.problems)


@settings(deadline=None)  # no test times things
@given(
    st.fixed_dictionaries(
        {"lines": st.lists(st.fixed_dictionaries({"product": json_values}), max_size=3)}
    )
)
def test_a_line_of_any_shape_is_read_or_refused_by_its_path(value: dict[str, object]) -> None:
    try:
        declaration_json.decode(value)
    except FieldsRefused as refused:
        assert all(p.field.startswith("lines[") for p in refused.problems)


@settings(deadline=None)  # no test times things
@given(st.lists(lines, min_size=1, max_size=5), st.booleans())
def test_csv_reads_back_what_it_wrote_with_or_without_a_bom(written: list[Line], bom: bool) -> None:
    data = declaration_csv.encode(written).encode("utf-8")
    if bom:
        data = codecs.BOM_UTF8 + data
    assert declaration_csv.decode(data) == tuple(written)


@settings(max_examples=300, deadline=None)  # no test times things
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_are_lines_or_refused_naming_cells(data: bytes) -> None:
    try:
        declaration_csv.decode(data)
    except FieldsRefused as refused:
        assert refused.problems and all(p.field.startswith("csv") for p in refused.problems)


def test_a_refused_cell_is_named_by_its_csv_line_and_column() -> None:
    data = (
        b"product,quantity,unit,packages,package_type\n"
        b"mango,10,kg,1,box\n"
        b"mango,ten,kg,-1,box\n"
        b"mango,1,kg\n"
    )
    with pytest.raises(FieldsRefused) as refused:
        declaration_csv.decode(data)
    assert [p.field for p in refused.value.problems] == [
        "csv[3].quantity",
        "csv[3].packages",
        "csv[4]",
    ]


def test_a_header_without_a_needed_column_or_with_an_unknown_one_is_refused() -> None:
    with pytest.raises(FieldsRefused) as refused:
        declaration_csv.decode(b"product,qty,unit,packages,package_type\n")
    assert [p.message.code.value for p in refused.value.problems] == [
        "declaration.csv_column",
        "declaration.csv_missing",
    ]
    with pytest.raises(FieldsRefused) as latin:
        declaration_csv.decode("product\nm\xe4ngo\n".encode("latin-1"))
    assert latin.value.problems[0].message.code.value == "declaration.csv_not_utf8"


def test_the_template_is_a_header_and_an_example_that_reads() -> None:
    [line] = declaration_csv.decode(declaration_csv.template().encode())
    assert line.product == "citrus-navel-orange" and line.quantity == Decimal("12000.5")
