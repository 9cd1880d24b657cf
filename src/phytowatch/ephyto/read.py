"""A received ePhyto read into the values a port officer reads (``ReceivedEphyto``), and our own
export read back into a certificate's content (the round trip, ``content_of``).

Reading is lenient where NPPOs differ (a quantity as notes or as a net weight, packages as a
description or as codes); it reads only a document that ``validation`` found valid.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from phytowatch.domain.certificates.ephyto import (
    EnvelopeHeader,
    ReceivedEphyto,
    ReceivedLine,
    ReceivedParty,
    ReceivedTreatment,
)
from phytowatch.domain.certificates.model import (
    CertificateContent,
    CertificateKind,
    CertifiedLine,
    Party,
    ReexportDetails,
    TreatmentStatement,
)
from phytowatch.ephyto import mapping as m
from phytowatch.ephyto.validation import HUB, RAM, RSM, Found

if TYPE_CHECKING:
    from lxml import etree

DS = "http://www.w3.org/2000/09/xmldsig#"


def _q(name: str) -> str:
    return f"{{{RAM}}}{name}"


def _all(node: etree._Element | None, *path: str) -> list[etree._Element]:
    """The elements at ``path`` (RAM names) under ``node``."""
    found = [] if node is None else [node]
    for name in path:
        found = [child for parent in found for child in parent.iterchildren(_q(name))]
    return found


def _text(node: etree._Element | None, *path: str) -> str:
    found = _all(node, *path)
    return (found[0].text or "") if found else ""


def _texts(node: etree._Element | None, *path: str) -> tuple[str, ...]:
    return tuple(n.text or "" for n in _all(node, *path))


def _when(node: etree._Element | None, name: str) -> str:
    for holder in _all(node, name):
        for child in holder:
            return child.text or ""
    return ""


def _notes(node: etree._Element, tag: str) -> tuple[tuple[str, str], ...]:
    out = []
    for note in _all(node, tag):
        subject = _text(note, "Subject") or _text(note, "SubjectCode")
        out.append((subject, "\n".join(_texts(note, "Content"))))
    return tuple(out)


def _party(node: etree._Element | None) -> ReceivedParty:
    address = _all(node, "SpecifiedSPSAddress")
    lines: list[str] = []
    for part in address[:1]:
        for child in part:
            if isinstance(child.tag, str) and child.text:
                lines.append(child.text)
    return ReceivedParty(name=_text(node, "Name"), address="\n".join(lines))


def _country(node: etree._Element) -> str:
    code = _text(node, "ID")
    places = [
        n for sub in _all(node, "SubordinateSPSCountrySubDivision") for n in _texts(sub, "Name")
    ]
    return f"{code} ({', '.join(places)})" if places else code


def _treatment(node: etree._Element) -> ReceivedTreatment:
    period = _all(node, "CompletionSPSPeriod")
    first = period[0] if period else None
    duration = _all(first, "DurationMeasure")
    characteristics = []
    for characteristic in _all(node, "ApplicableSPSProcessCharacteristic"):
        words = _texts(characteristic, "Description")
        measure = _all(characteristic, "ValueMeasure")
        if measure:
            value = f"{measure[0].text or ''} {measure[0].get('unitCode', '')}".strip()
        else:
            value = "\n".join(words[1:])
        characteristics.append((words[0] if words else "", value))
    return ReceivedTreatment(
        type_code=_text(node, "TypeCode"),
        start=_when(first, "StartDateTime"),
        end=_when(first, "EndDateTime"),
        duration=(
            f"{duration[0].text or ''} {duration[0].get('unitCode', '')}".strip()
            if duration
            else ""
        ),
        characteristics=tuple(characteristics),
    )


def _quantity(node: etree._Element, notes: dict[str, str]) -> str:
    if notes.get(m.QUANTITY_VALUE):
        unit = notes.get(m.QUANTITY_UNIT, "")
        return f"{notes[m.QUANTITY_VALUE]} {unit}" if unit else notes[m.QUANTITY_VALUE]
    units = {code: word for word, code in m.WEIGHT_UNITS.items()}
    for name in ("NetWeightMeasure", "GrossWeightMeasure", "NetVolumeMeasure"):
        for measure in _all(node, name):
            unit = measure.get("unitCode", "")
            return f"{measure.text or ''} {units.get(unit, unit)}".strip()
    return ""


def _line(node: etree._Element) -> ReceivedLine:
    notes = _notes(node, "AdditionalInformationSPSNote")
    first: dict[str, str] = {}
    for subject, content in notes:
        first.setdefault(subject, content)
    packages = 0
    codes = []
    for package in _all(node, "PhysicalSPSPackage"):
        quantity = _text(package, "ItemQuantity")
        with contextlib.suppress(ValueError, OverflowError):
            packages += int(float(quantity))
        codes.append(_text(package, "TypeCode"))
    described = first.get(m.PACKAGES_OF_LINE)
    if described is not None:
        head, _, rest = described.partition(" ")
        package_type = rest if head == str(packages) else described
    else:
        package_type = " ".join(codes)
    hs = next(
        (_text(c, "ClassCode") for c in _all(node, "ApplicableSPSClassification")
         if m.HS in _texts(c, "SystemName")),
        "",
    )  # fmt: skip
    sequence = _text(node, "SequenceNumeric")
    return ReceivedLine(
        sequence=int(float(sequence)) if sequence.replace(".", "", 1).isdigit() else 0,
        description="\n".join(_texts(node, "Description")),
        common_name="\n".join(_texts(node, "CommonName")),
        scientific_name="\n".join(_texts(node, "ScientificName")),
        quantity=_quantity(node, first),
        packages=packages,
        package_type=package_type,
        hs_code=hs,
        intended_use="\n".join(_texts(node, "IntendedUse")),
        origin="; ".join(_country(c) for c in _all(node, "OriginSPSCountry")),
        notes=notes,
        treatments=tuple(_treatment(p) for p in _all(node, "AppliedSPSProcess")),
    )


def _header(envelope: etree._Element | None) -> EnvelopeHeader | None:
    if envelope is None:
        return None

    def field(name: str) -> str:
        found = envelope.find(f"{{{HUB}}}{name}")
        return "" if found is None else (found.text or "")

    return EnvelopeHeader(
        sender=field("From"),
        receiver=field("To"),
        certificate_type=field("CertificateType"),
        certificate_status=field("CertificateStatus"),
        number=field("NPPOCertificateNumber"),
        hub_delivery_number=field("hubDeliveryNumber"),
    )


def received(found: Found) -> ReceivedEphyto:
    """The certificate's fields as written (a valid document: ``validation.problems`` empty)."""
    root = found.certificate
    assert root is not None
    document = root.find(f"{{{RSM}}}SPSExchangedDocument")
    consignment = root.find(f"{{{RSM}}}SPSConsignment")
    signatory = _all(document, "SignatorySPSAuthentication")
    first_signatory = signatory[0] if signatory else None
    movements = []
    for movement in _all(consignment, "MainCarriageSPSTransportMovement"):
        means = _text(movement, "UsedSPSTransportMeans", "Name")
        identity = _text(movement, "ID")
        movements.append(" ".join(p for p in (means, identity) if p))
    containers = []
    for equipment in _all(consignment, "UtilizedSPSTransportEquipment"):
        seals = _texts(equipment, "AffixedSPSSeal", "ID")
        identity = _text(equipment, "ID")
        containers.append(identity + (f" ({', '.join(seals)})" if seals else ""))
    lines = [
        _line(line)
        for item in _all(consignment, "IncludedSPSConsignmentItem")
        for line in _all(item, "IncludedSPSTradeLineItem")
    ]
    return ReceivedEphyto(
        number=_text(document, "ID"),
        type_code=_text(document, "TypeCode"),
        status_code=_text(document, "StatusCode"),
        issued=_when(document, "IssueDateTime"),
        issuer=_text(document, "IssuerSPSParty", "Name"),
        place_of_issue=_text(first_signatory, "IssueSPSLocation", "Name"),
        officer=_text(first_signatory, "ProviderSPSParty", "SpecifiedSPSPerson", "Name"),
        consignment=_text(consignment, "ID"),
        exporter=_party(_all(consignment, "ConsignorSPSParty")[0]),
        consignee=_party(_all(consignment, "ConsigneeSPSParty")[0]),
        export_country=_text(consignment, "ExportSPSCountry", "ID"),
        import_country=_text(consignment, "ImportSPSCountry", "ID"),
        reexport_countries=_texts(consignment, "ReExportSPSCountry", "ID"),
        transit_countries=_texts(consignment, "TransitSPSCountry", "ID"),
        port_of_loading=_text(consignment, "LoadingBaseportSPSLocation", "ID")
        or _text(consignment, "LoadingBaseportSPSLocation", "Name"),
        point_of_entry=_text(consignment, "UnloadingBaseportSPSLocation", "Name"),
        examination_place=_text(
            consignment, "ExaminationSPSEvent", "OccurrenceSPSLocation", "Name"
        ),
        conveyance="; ".join(movements),
        containers=tuple(containers),
        notes=_notes(document, "IncludedSPSNote") if document is not None else (),
        lines=tuple(lines),
        envelope=_header(found.envelope),
        signed=root.find(f"{{{DS}}}Signature") is not None,
    )


# -- our own export read back (the round trip) -----------------------------------------------------


def _flag(text: str) -> bool:
    return text == "true"


def _statement(t: ReceivedTreatment) -> TreatmentStatement:
    run = t.value(m.TREATMENT_RUN)
    return TreatmentStatement(
        run_id=int(run) if run.isdigit() else 0,
        schedule_id=t.value(m.TREATMENT_SCHEDULE),
        date=t.start,
        method=t.value(m.TREATMENT_TYPE),
        duration_and_temperature=t.value(m.TREATMENT_DURATION_TEMPERATURE),
        chemical=t.value(m.TREATMENT_CHEMICAL),
        concentration=t.value(m.TREATMENT_CONCENTRATION),
        facility=t.value(m.TREATMENT_FACILITY),
        treater_number=t.value(m.TREATMENT_TREATER),
    )


def content_of(ephyto: ReceivedEphyto) -> CertificateContent:
    """The certificate content an export of ours carries (docs/ephyto.md: what round-trips)."""
    first = ephyto.lines[0]
    reexport = None
    if ephyto.type_code == "657":
        reexport = ReexportDetails(
            origin_country=first.note(m.REEXPORT_ORIGIN),
            original_certificate=first.note(m.REEXPORT_REFERENCE),
            certified_copy=_flag(first.note(m.REEXPORT_CERTIFIED_COPY)),
            repacked=_flag(first.note(m.REEXPORT_REPACKED)),
            new_containers=_flag(first.note(m.REEXPORT_NEW_CONTAINERS)),
            additional_inspection=_flag(first.note(m.REEXPORT_ADDITIONAL_INSPECTION)),
        )
    origin = first.origin
    place = origin.split(" (", 1)[1][:-1] if " (" in origin else ""
    return CertificateContent(
        kind=CertificateKind.REEXPORT if reexport is not None else CertificateKind.PHYTOSANITARY,
        consignment=ephyto.consignment,
        exporter=Party(ephyto.exporter.name, ephyto.exporter.address),
        consignee=Party(ephyto.consignee.name, ephyto.consignee.address),
        destination=ephyto.import_country,
        lines=tuple(
            CertifiedLine(
                description=line.description,
                botanical_name=line.scientific_name,
                quantity=line.quantity,
                packages=line.packages,
                package_type=line.package_type,
                product=line.note(m.NATIONAL_PRODUCT),
                hs_code=line.hs_code,
            )
            for line in ephyto.lines
        ),
        packages="\n".join(ephyto.notes_on(m.NATIONAL_PACKAGES)),
        marks="\n".join(ephyto.marks),
        place_of_origin=place,
        conveyance=ephyto.conveyance,
        point_of_entry=ephyto.point_of_entry,
        port_of_exit=ephyto.port_of_loading,
        additional_declaration="\n".join(ephyto.additional_declarations),
        treatments=tuple(_statement(t) for t in first.treatments),
        reexport=reexport,
        containers=ephyto.containers,
        remarks="\n".join(ephyto.notes_on(m.NATIONAL_REMARKS)),
    )
