"""A declaration's lines as CSV, both ways: the bulk upload of many lines at once.

The first row is the header, naming the columns (:data:`COLUMNS`, in any order; ``product``,
``quantity``, ``unit``, ``packages`` and ``package_type`` must be there). UTF-8, with or without
a byte order mark; commas; quotes as RFC 4180. Each refused cell is named by its CSV line (the
header is line 1) and column: ``csv[3].quantity``. Every refusal is said at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from phytowatch.domain.messages import Code
from phytowatch.domain.supervision.consignment import Line
from phytowatch.domain.supervision.validation import FieldProblem, FieldsRefused, problem
from phytowatch.formats.declaration_json import decimal_text

COLUMNS = (
    "product",
    "botanical_name",
    "quantity",
    "unit",
    "packages",
    "package_type",
    "description",
)
REQUIRED = ("product", "quantity", "unit", "packages", "package_type")
EXAMPLE = ("citrus-navel-orange", "Citrus sinensis", "12000.5", "kg", "800", "cartons", "")
MAX_ROWS = 500
MAX_CELL = 2000


def field_of(row: int, column: str) -> str:
    return f"csv[{row}].{column}"


def decode(data: bytes) -> tuple[Line, ...]:
    """The lines of a CSV; :class:`FieldsRefused` naming every refused cell."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FieldsRefused([problem("csv", Code.DECL_CSV_NOT_UTF8)]) from None
    if "\x00" in text:
        raise FieldsRefused([problem("csv", Code.DECL_CSV_NOT_UTF8)])
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise FieldsRefused([problem("csv", Code.DECL_CSV_BROKEN)]) from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise FieldsRefused([problem("csv", Code.DECL_CSV_NO_HEADER, columns=",".join(COLUMNS))])
    out: list[FieldProblem] = []
    header = [cell.strip().lower() for cell in rows[0]]
    for i, name in enumerate(header):
        if name not in COLUMNS:
            out.append(
                problem(
                    f"csv[1][{i}]",
                    Code.DECL_CSV_COLUMN,
                    column=name[:40],
                    columns=",".join(COLUMNS),
                )
            )
    out += [
        problem("csv[1]", Code.DECL_CSV_MISSING, column=name)
        for name in REQUIRED
        if name not in header
    ]
    out += [
        problem(f"csv[1][{i}]", Code.DECL_TWICE, value=name[:40])
        for i, name in enumerate(header)
        if name in header[:i]
    ]
    if out:
        raise FieldsRefused(out)
    if len(rows) - 1 > MAX_ROWS:
        raise FieldsRefused([problem("csv", Code.DECL_TOO_MANY, max=MAX_ROWS)])
    lines = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            out.append(
                problem(f"csv[{number}]", Code.DECL_CSV_CELLS, count=len(row), expected=len(header))
            )
            continue
        lines.append(_line(number, dict(zip(header, row, strict=True)), out))
    if out:
        raise FieldsRefused(out)
    return tuple(lines)


def _line(number: int, cells: dict[str, str], out: list[FieldProblem]) -> Line:
    def cell(name: str) -> str:
        value = cells.get(name, "").strip()
        if len(value) > MAX_CELL:
            out.append(problem(field_of(number, name), Code.DECL_TOO_LONG, max=MAX_CELL))
            return ""
        return value

    quantity = Decimal(0)
    text = cell("quantity")
    try:
        quantity = Decimal(text)
        if not quantity.is_finite():
            raise ArithmeticError
    except ArithmeticError:
        out.append(problem(field_of(number, "quantity"), Code.DECL_QUANTITY, value=text[:40]))
        quantity = Decimal(0)
    packages = 0
    text = cell("packages")
    if text.isascii() and text.isdigit() and len(text) < 10:
        packages = int(text)
    else:
        out.append(problem(field_of(number, "packages"), Code.DECL_PACKAGES, value=text[:40]))
    return Line(
        product=cell("product"),
        botanical_name=cell("botanical_name"),
        quantity=quantity,
        unit=cell("unit"),
        packages=packages,
        package_type=cell("package_type"),
        description=cell("description"),
    )


def encode(lines: Sequence[Line]) -> str:
    """The lines as CSV text, with the header (what ``decode`` reads back)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for line in lines:
        writer.writerow(
            (
                line.product,
                line.botanical_name,
                decimal_text(line.quantity),
                line.unit,
                line.packages,
                line.package_type,
                line.description,
            )
        )
    return buffer.getvalue()


def template() -> str:
    """The header and an example line."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(EXAMPLE)
    return buffer.getvalue()
