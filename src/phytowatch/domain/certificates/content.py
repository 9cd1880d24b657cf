"""A certificate's content filled from a consignment's declaration: nothing is typed twice.

The exporter, consignee, lines (with botanical names and quantities), marks, origin,
conveyance, point of entry, port of exit and containers come from the newest declaration; the
additional declaration from the destination's requirements for its products (each text once, in
the policy's order); the treatment box from the signed-off runs' own judgements.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from phytowatch.domain.certificates.model import (
    CertificateContent,
    CertificateKind,
    CertifiedLine,
    Party,
    ReexportDetails,
    TreatmentStatement,
)
from phytowatch.domain.supervision.consignment import Declaration, Line
from phytowatch.domain.supervision.policy import DestinationRequirement
from phytowatch.domain.supervision.requirements import requirement_for


def quantity_text(quantity: Decimal, unit: str) -> str:
    """``24000 kg``: the quantity without exponent or trailing zeros."""
    text = format(quantity.normalize(), "f")
    return f"{text} {unit}".strip()


def _line(line: Line) -> CertifiedLine:
    return CertifiedLine(
        description=line.description or line.product,
        botanical_name=line.botanical_name,
        quantity=quantity_text(line.quantity, line.unit),
        packages=line.packages,
        package_type=line.package_type,
        product=line.product,
    )


def packages_text(lines: Sequence[Line]) -> str:
    """``1200 cartons; 20 pallets``: packages counted by type, in the order first declared."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.package_type] = counts.get(line.package_type, 0) + line.packages
    return "; ".join(f"{count} {kind}".strip() for kind, count in counts.items())


def additional_declaration(
    requirements: Sequence[DestinationRequirement], declaration: Declaration
) -> str:
    texts: list[str] = []
    for line in declaration.lines:
        found = requirement_for(requirements, declaration.destination, line.product)
        for text in () if found is None else found.additional_declarations:
            if text not in texts:
                texts.append(text)
    return " ".join(texts)


def content_of(
    declaration: Declaration,
    *,
    kind: CertificateKind,
    consignment: str,
    requirements: Sequence[DestinationRequirement],
    treatments: Sequence[TreatmentStatement],
    reexport: ReexportDetails | None = None,
) -> CertificateContent:
    return CertificateContent(
        kind=kind,
        consignment=consignment,
        exporter=Party(declaration.exporter.name, declaration.exporter.address),
        consignee=Party(declaration.consignee.name, declaration.consignee.address),
        destination=declaration.destination,
        lines=tuple(_line(line) for line in declaration.lines),
        packages=packages_text(declaration.lines),
        marks=declaration.marks,
        place_of_origin=declaration.place_of_origin,
        conveyance=declaration.conveyance,
        point_of_entry=declaration.point_of_entry,
        port_of_exit=declaration.port_of_exit,
        additional_declaration=(
            ""
            if kind is CertificateKind.TREATMENT
            else additional_declaration(requirements, declaration)
        ),
        treatments=tuple(treatments),
        reexport=reexport if kind is CertificateKind.REEXPORT else None,
        containers=tuple(declaration.containers),
    )
