"""What a declaration must be to be submitted: every field checked, every refusal naming its
field as a path (``consignee.name``, ``lines[2].quantity``, ``runs[0]``, ``containers[1]``).

:func:`problems` returns all the refusals at once, never only the first; a declarant corrects
them in one go. :func:`warnings` says what is not a refusal but will be looked at: a destination
requirement asking for a treatment that no linked run meets (routing inspects such a consignment,
a hard rule, rather than the declaration being refused: the treatment may be done at the port).

Pure: what the stores know (the catalogue, the bases, the runs) is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from phytowatch.domain.messages import Code, Kind, Message, Refused, say
from phytowatch.domain.supervision.codes import (
    UNITS,
    container_check_digit,
    container_shape_ok,
    is_country,
    is_locode,
)
from phytowatch.domain.supervision.consignment import BackingRun, Declaration, Line, Party
from phytowatch.domain.supervision.policy import DestinationRequirement, Product
from phytowatch.domain.supervision.registry import RawMaterialBase
from phytowatch.domain.supervision.requirements import meets, requirement_for

MAX_TEXT = 500  # a name, an address, marks, a conveyance
MAX_LINES = 500
MAX_LIST = 200  # containers, bases, runs


@dataclass(frozen=True)
class FieldProblem:
    """One field refused (or warned of), and why; ``message`` carries ``field`` too."""

    field: str
    message: Message

    def to_json(self) -> dict[str, object]:
        return {"field": self.field, **self.message.to_json()}


def problem(field: str, code: Code, /, **params: str | int) -> FieldProblem:
    return FieldProblem(field, say(code, field=field, **params))


class FieldsRefused(Refused):
    """A declaration refused, with every field's refusal (``problems``), in the order of the
    form."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__(Kind.INVALID, say(Code.DECL_REFUSED, count=len(problems)))
        self.problems = tuple(problems)


def _text(field: str, value: str, *, required: bool) -> list[FieldProblem]:
    if required and not value.strip():
        return [problem(field, Code.FIELD_REQUIRED)]
    if len(value) > MAX_TEXT:
        return [problem(field, Code.DECL_TOO_LONG, max=MAX_TEXT)]
    return []


def _party(field: str, party: Party) -> list[FieldProblem]:
    return _text(f"{field}.name", party.name, required=True) + _text(
        f"{field}.address", party.address, required=True
    )


def quantity_ok(quantity: Decimal) -> bool:
    """Above 0, finite, and at most 3 decimal places (the column is NUMERIC(18, 3))."""
    if not quantity.is_finite() or quantity <= 0 or quantity >= Decimal("1e15"):
        return False
    exponent = quantity.normalize().as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -3


def _line(field: str, line: Line, products: Mapping[str, Product]) -> list[FieldProblem]:
    out: list[FieldProblem] = []
    if not line.product.strip():
        out.append(problem(f"{field}.product", Code.FIELD_REQUIRED))
    elif line.product not in products:
        out.append(problem(f"{field}.product", Code.DECL_PRODUCT, value=line.product))
    out += _text(f"{field}.botanical_name", line.botanical_name, required=False)
    if not quantity_ok(line.quantity):
        out.append(problem(f"{field}.quantity", Code.DECL_QUANTITY, value=str(line.quantity)))
    if line.unit not in UNITS:
        out.append(
            problem(f"{field}.unit", Code.DECL_UNIT, value=line.unit, units=", ".join(UNITS))
        )
    if line.packages < 1:
        out.append(problem(f"{field}.packages", Code.DECL_PACKAGES, value=str(line.packages)))
    out += _text(f"{field}.package_type", line.package_type, required=True)
    out += _text(f"{field}.description", line.description, required=False)
    return out


def _twice(field: str, values: Iterable[object]) -> list[FieldProblem]:
    seen: set[object] = set()
    out = []
    for i, value in enumerate(values):
        if value in seen:
            out.append(problem(f"{field}[{i}]", Code.DECL_TWICE, value=str(value)))
        seen.add(value)
    return out


def _containers(numbers: Sequence[str]) -> list[FieldProblem]:
    out = []
    for i, number in enumerate(numbers):
        field = f"containers[{i}]"
        if not container_shape_ok(number):
            out.append(problem(field, Code.DECL_CONTAINER, value=number))
        elif container_check_digit(number[:10]) != int(number[10]):
            digit = container_check_digit(number[:10])
            out.append(problem(field, Code.DECL_CONTAINER_CHECK, value=number, digit=digit))
    return out + _twice("containers", numbers)


def _bases(
    numbers: Sequence[str], registered: Mapping[str, RawMaterialBase | None], enterprise: str
) -> list[FieldProblem]:
    out = []
    for i, number in enumerate(numbers):
        base = registered.get(number)
        # a base of another enterprise answers like one that is not registered
        if base is None or base.enterprise != enterprise:
            out.append(problem(f"bases[{i}]", Code.DECL_NO_BASE, value=number))
    return out + _twice("bases", numbers)


def run_problem(
    field: str, run_id: int, run: BackingRun | None, enterprise: str
) -> FieldProblem | None:
    """Why a run cannot back a consignment of ``enterprise`` (``None``: it can). A run of
    another enterprise answers like a run that does not exist."""
    if run is None or run.enterprise != enterprise:
        return problem(field, Code.DECL_NO_RUN, run=run_id)
    if not run.closed:
        return problem(field, Code.DECL_RUN_OPEN, run=run_id)
    if run.verdict != "PASS":
        return problem(field, Code.DECL_RUN_NOT_PASS, run=run_id, verdict=str(run.verdict))
    if not run.signed_off:
        return problem(field, Code.DECL_RUN_NOT_SIGNED, run=run_id)
    return None


def _limit(field: str, values: Sequence[object], most: int) -> list[FieldProblem]:
    return [problem(field, Code.DECL_TOO_MANY, max=most)] if len(values) > most else []


def problems(
    declaration: Declaration,
    *,
    enterprise: str,
    products: Mapping[str, Product],
    bases: Mapping[str, RawMaterialBase | None],
    runs: Mapping[int, BackingRun],
) -> list[FieldProblem]:
    """Every refusal of ``declaration`` for a submission by ``enterprise``, in the form's order.

    ``bases`` and ``runs`` are what the stores found of the numbers and ids it names."""
    d = declaration
    out = _party("exporter", d.exporter) + _party("consignee", d.consignee)
    if not d.lines:
        out.append(problem("lines", Code.DECL_NO_LINES))
    out += _limit("lines", d.lines, MAX_LINES)
    for i, line in enumerate(d.lines[:MAX_LINES]):
        out += _line(f"lines[{i}]", line, products)
    if not d.destination:
        out.append(problem("destination", Code.FIELD_REQUIRED))
    elif not is_country(d.destination):
        out.append(problem("destination", Code.DECL_COUNTRY, value=d.destination))
    if not d.port_of_exit:
        out.append(problem("port_of_exit", Code.FIELD_REQUIRED))
    elif not is_locode(d.port_of_exit):
        out.append(problem("port_of_exit", Code.DECL_LOCODE, value=d.port_of_exit))
    out += _text("conveyance", d.conveyance, required=True)
    out += _text("marks", d.marks, required=False)
    out += _limit("containers", d.containers, MAX_LIST) + _containers(d.containers[:MAX_LIST])
    out += _limit("bases", d.bases, MAX_LIST)
    out += _bases(d.bases[:MAX_LIST], bases, enterprise)
    out += _limit("runs", d.runs, MAX_LIST)
    for i, run_id in enumerate(d.runs[:MAX_LIST]):
        found = run_problem(f"runs[{i}]", run_id, runs.get(run_id), enterprise)
        if found is not None:
            out.append(found)
    out += _twice("runs", d.runs)
    out += _text("place_of_origin", d.place_of_origin, required=False)
    if d.point_of_entry:
        out += _text("point_of_entry", d.point_of_entry, required=False)
    return out


def warnings(
    declaration: Declaration,
    requirements: Sequence[DestinationRequirement],
    runs: Sequence[BackingRun],
) -> list[FieldProblem]:
    """The lines whose destination requirement asks for a treatment that no linked run meets:
    not a refusal; the routing inspects such a consignment (a hard rule)."""
    out = []
    for i, line in enumerate(declaration.lines):
        requirement = requirement_for(requirements, declaration.destination, line.product)
        if requirement is not None and not meets(requirement, runs):
            out.append(
                problem(
                    f"lines[{i}].product",
                    Code.DECL_REQUIREMENT_UNMET,
                    product=line.product,
                    destination=declaration.destination,
                    schedules=", ".join(requirement.schedules),
                )
            )
    return out


def with_defaults(
    declaration: Declaration, *, exporter: Party, products: Mapping[str, Product]
) -> Declaration:
    """The exporter (the enterprise's name and address) where none is given, and each line's
    botanical name from the catalogue where none is given."""
    name = declaration.exporter.name.strip() or exporter.name
    address = declaration.exporter.address.strip() or exporter.address
    lines = tuple(
        replace(line, botanical_name=products[line.product].botanical_name)
        if not line.botanical_name.strip() and line.product in products
        else line
        for line in declaration.lines
    )
    return replace(declaration, exporter=Party(name, address), lines=lines)
