"""A declaration as JSON, both ways: what the API takes and answers, what a version stores.

``decode`` reads a client's (or a file's) JSON value: every key is optional (a draft may be
incomplete), a key of no field, a value of the wrong type, a quantity that is not a decimal are
refused, all of them at once (:class:`~phytowatch.domain.supervision.validation.FieldsRefused`),
each naming its field (``lines[2].quantity``). Country, port and container codes are taken in
capitals. ``encode`` gives the value back; ``canonical`` the text a version stores and hashes
(sorted keys, no spaces, UTF-8), so that the same content always has the same sha-256.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from phytowatch.domain.messages import Code
from phytowatch.domain.supervision.consignment import Declaration, Line, Party
from phytowatch.domain.supervision.validation import FieldProblem, FieldsRefused, problem

_PARTY = ("name", "address")
_LINE = ("product", "botanical_name", "quantity", "unit", "packages", "package_type", "description")
_TOP = (
    "exporter", "consignee", "lines", "destination", "port_of_exit", "conveyance", "marks",
    "containers", "bases", "runs", "place_of_origin", "point_of_entry", "declared_value",
    "currency",
)  # fmt: skip
MAX_CHARS = 2000  # a text longer than this is refused here, before the rules see it
MAX_ITEMS = 1000  # lines, containers, bases, runs


class _Reader:
    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def refuse(self, field: str, code: Code, **params: str | int) -> None:
        self.problems.append(problem(field, code, **params))

    def obj(self, field: str, value: Any, keys: tuple[str, ...]) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.refuse(field, Code.DECL_WRONG_TYPE, expected="object")
            return {}
        for key in value:
            if key not in keys:
                # a key that is no name (empty, spaces, a long text) is quoted, and cut
                name = key if key.isidentifier() and len(key) <= 40 else json.dumps(key[:40])
                self.refuse(f"{field}.{name}" if field else name, Code.DECL_UNKNOWN_FIELD)
        return value

    def text(self, field: str, value: Any, *, upper: bool = False) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.refuse(field, Code.DECL_WRONG_TYPE, expected="text")
            return ""
        if len(value) > MAX_CHARS:
            self.refuse(field, Code.DECL_TOO_LONG, max=MAX_CHARS)
            return ""
        text: str = value.strip()
        return text.upper() if upper else text

    def items(self, field: str, value: Any) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.refuse(field, Code.DECL_WRONG_TYPE, expected="array")
            return []
        if len(value) > MAX_ITEMS:
            self.refuse(field, Code.DECL_TOO_MANY, max=MAX_ITEMS)
            return []
        return value

    def decimal(self, field: str, value: Any) -> Decimal | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.refuse(field, Code.DECL_WRONG_TYPE, expected="decimal")
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.refuse(field, Code.DECL_QUANTITY, value=str(value)[:40])
            return None
        return number

    def integer(self, field: str, value: Any) -> int:
        if value is None or value == "":
            return 0
        if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 10:
            return int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            self.refuse(field, Code.DECL_WRONG_TYPE, expected="integer")
            return 0
        if not 0 <= value < 2**31:
            self.refuse(field, Code.DECL_PACKAGES, value=str(value)[:40])
            return 0
        return value

    def party(self, field: str, value: Any) -> Party:
        data = self.obj(field, value, _PARTY)
        return Party(
            self.text(f"{field}.name", data.get("name")),
            self.text(f"{field}.address", data.get("address")),
        )

    def line(self, field: str, value: Any) -> Line:
        data = self.obj(field, value, _LINE)
        return Line(
            product=self.text(f"{field}.product", data.get("product")),
            botanical_name=self.text(f"{field}.botanical_name", data.get("botanical_name")),
            quantity=self.decimal(f"{field}.quantity", data.get("quantity")) or Decimal(0),
            unit=self.text(f"{field}.unit", data.get("unit")),
            packages=self.integer(f"{field}.packages", data.get("packages")),
            package_type=self.text(f"{field}.package_type", data.get("package_type")),
            description=self.text(f"{field}.description", data.get("description")),
        )


def decode(value: Any) -> Declaration:
    """A declaration from a JSON value; :class:`FieldsRefused` naming every field refused."""
    r = _Reader()
    if not isinstance(value, dict):
        r.refuse("(body)", Code.DECL_WRONG_TYPE, expected="object")
        raise FieldsRefused(r.problems)
    data = r.obj("", value, _TOP)
    lines = tuple(
        r.line(f"lines[{i}]", v) for i, v in enumerate(r.items("lines", data.get("lines")))
    )
    containers = tuple(
        r.text(f"containers[{i}]", v, upper=True)
        for i, v in enumerate(r.items("containers", data.get("containers")))
    )
    bases = tuple(
        r.text(f"bases[{i}]", v) for i, v in enumerate(r.items("bases", data.get("bases")))
    )
    runs = []
    for i, v in enumerate(r.items("runs", data.get("runs"))):
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v < 2**31:
            r.refuse(f"runs[{i}]", Code.DECL_WRONG_TYPE, expected="run number")
        else:
            runs.append(v)
    declaration = Declaration(
        exporter=r.party("exporter", data.get("exporter")),
        consignee=r.party("consignee", data.get("consignee")),
        lines=lines,
        destination=r.text("destination", data.get("destination"), upper=True),
        port_of_exit=r.text("port_of_exit", data.get("port_of_exit"), upper=True),
        conveyance=r.text("conveyance", data.get("conveyance")),
        marks=r.text("marks", data.get("marks")),
        containers=containers,
        bases=bases,
        runs=tuple(runs),
        place_of_origin=r.text("place_of_origin", data.get("place_of_origin")),
        point_of_entry=r.text("point_of_entry", data.get("point_of_entry")),
        declared_value=r.decimal("declared_value", data.get("declared_value")),
        currency=r.text("currency", data.get("currency"), upper=True),
    )
    if r.problems:
        raise FieldsRefused(r.problems)
    return declaration


def decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")  # 12.50 -> "12.5", 1E+2 -> "100": one text per value


def encode(declaration: Declaration) -> dict[str, Any]:
    d = declaration
    return {
        "exporter": {"name": d.exporter.name, "address": d.exporter.address},
        "consignee": {"name": d.consignee.name, "address": d.consignee.address},
        "lines": [
            {
                "product": line.product,
                "botanical_name": line.botanical_name,
                "quantity": decimal_text(line.quantity),
                "unit": line.unit,
                "packages": line.packages,
                "package_type": line.package_type,
                "description": line.description,
            }
            for line in d.lines
        ],
        "destination": d.destination,
        "port_of_exit": d.port_of_exit,
        "conveyance": d.conveyance,
        "marks": d.marks,
        "containers": list(d.containers),
        "bases": list(d.bases),
        "runs": list(d.runs),
        "place_of_origin": d.place_of_origin,
        "point_of_entry": d.point_of_entry,
        "declared_value": None if d.declared_value is None else decimal_text(d.declared_value),
        "currency": d.currency,
    }


def canonical(declaration: Declaration) -> str:
    """The text a version stores: sorted keys, no spaces, non-ASCII as written."""
    return json.dumps(
        encode(declaration), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def loads(text: str) -> Declaration:
    """A declaration as stored (``canonical``)."""
    return decode(json.loads(text))
