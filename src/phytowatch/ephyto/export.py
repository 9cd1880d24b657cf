"""Our issued (or cancelled) certificate as an IPPC ePhyto: the UN/CEFACT SPSCertificate, inside
the hub's ``ePhytoEnvelope`` (From, To, CertificateType, CertificateStatus,
NPPOCertificateNumber). docs/ephyto.md maps every field; every document written is validated
against the shipped schema before it is handed out.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from phytowatch.domain.certificates.ephyto import STATUS_CANCELLED, STATUS_ISSUED
from phytowatch.domain.certificates.model import (
    EPHYTO_TYPE,
    ISSUED_STATES,
    Certificate,
    CertificateKind,
    CertificateState,
    CertifiedLine,
    TreatmentStatement,
)
from phytowatch.domain.messages import Code, Kind, Word, refused
from phytowatch.ephyto import mapping as m
from phytowatch.ephyto.validation import EPH, HUB, RAM, RSM, UDT

if TYPE_CHECKING:
    from lxml import etree

NPPO_COUNTRY = "CN"
NPPO_NAME = "General Administration of Customs of the People's Republic of China"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT}
ENVELOPE_NSMAP = {"eph": EPH, "hub": HUB, **NSMAP}
_QUANTITY = re.compile(r"([0-9]+(?:\.[0-9]+)?) (\S(?:.*\S)?)", re.S)


def status_code(certificate: Certificate) -> str:
    """70 for an issued (or printed) certificate, 40 for a cancelled one; refused otherwise."""
    if certificate.kind is CertificateKind.TREATMENT:
        raise refused(Kind.CONFLICT, Code.EPHYTO_TREATMENT_CERTIFICATE)
    if certificate.issue is not None and certificate.state in ISSUED_STATES:
        return STATUS_ISSUED
    if certificate.issue is not None and certificate.state is CertificateState.CANCELLED:
        return STATUS_CANCELLED
    raise refused(
        Kind.CONFLICT,
        Code.EPHYTO_NOT_ISSUED,
        certificate=certificate.id,
        state=Word(certificate.state.value),
    )


def instant_text(us: int) -> str:
    """µs since the epoch as the ePhyto's date and time, UTC, to the second."""
    return datetime.fromtimestamp(us // 1_000_000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Writer:
    def __init__(self) -> None:
        from lxml import etree

        self.etree = etree

    def el(self, parent: etree._Element, ns: str, name: str, text: str | None = None,
           **attrs: str) -> etree._Element:  # fmt: skip
        node = self.etree.SubElement(parent, f"{{{ns}}}{name}", attrs)
        if text is not None:
            node.text = text
        return node

    def ram(self, parent: etree._Element, name: str, text: str | None = None,
            **attrs: str) -> etree._Element:  # fmt: skip
        return self.el(parent, RAM, name, text, **attrs)

    def when(self, parent: etree._Element, name: str, text: str) -> None:
        self.el(self.ram(parent, name), UDT, "DateTimeString", text)

    def note(self, parent: etree._Element, tag: str, subject: str, content: str) -> None:
        """An IPPC subject (``Subject``) or a national one (``SubjectCode``, ``CN-...``)."""
        node = self.ram(parent, tag)
        if subject.startswith("CN-"):
            self.ram(node, "Content", content)
            self.ram(node, "SubjectCode", subject)
        else:
            self.ram(node, "Subject", subject)
            self.ram(node, "Content", content)

    def party(self, parent: etree._Element, tag: str, name: str, address: str) -> None:
        node = self.ram(parent, tag)
        self.ram(node, "Name", name)
        if address:
            self.ram(self.ram(node, "SpecifiedSPSAddress"), "LineOne", address)

    def characteristic(self, process: etree._Element, subject: str, value: str) -> None:
        node = self.ram(process, "ApplicableSPSProcessCharacteristic")
        self.ram(node, "Description", subject)
        self.ram(node, "Description", value)


def _yes(flag: bool) -> str:
    return "true" if flag else "false"


def _treatment(w: _Writer, line: etree._Element, t: TreatmentStatement) -> None:
    process = w.ram(line, "AppliedSPSProcess")
    w.ram(process, "TypeCode", m.PROCESS_TYPE)
    period = w.ram(process, "CompletionSPSPeriod")
    w.when(period, "StartDateTime", t.date)
    w.characteristic(process, m.TREATMENT_TYPE, t.method)
    w.characteristic(process, m.TREATMENT_DURATION_TEMPERATURE, t.duration_and_temperature)
    for subject, value in (
        (m.TREATMENT_CHEMICAL, t.chemical),
        (m.TREATMENT_CONCENTRATION, t.concentration),
        (m.TREATMENT_RUN, str(t.run_id)),
        (m.TREATMENT_SCHEDULE, t.schedule_id),
        (m.TREATMENT_FACILITY, t.facility),
        (m.TREATMENT_TREATER, t.treater_number),
    ):
        if value:
            w.characteristic(process, subject, value)
    words = "; ".join(
        part for part in (t.date, t.method, t.chemical, t.duration_and_temperature,
                          t.concentration) if part
    )  # fmt: skip
    w.characteristic(process, m.TREATMENT_FREE_TEXT, words)


def _line(
    w: _Writer, item: etree._Element, number: int, line: CertifiedLine, certificate: Certificate
) -> None:
    content = certificate.content
    node = w.ram(item, "IncludedSPSTradeLineItem")
    w.ram(node, "SequenceNumeric", str(number))
    w.ram(node, "Description", line.description)
    if line.botanical_name:
        w.ram(node, "ScientificName", line.botanical_name)
    quantity = _QUANTITY.fullmatch(line.quantity)
    if quantity and quantity[2] in m.WEIGHT_UNITS:
        w.ram(node, "NetWeightMeasure", quantity[1], unitCode=m.WEIGHT_UNITS[quantity[2]])
    described = f"{line.packages} {line.package_type}" if line.package_type else str(line.packages)
    w.note(node, "AdditionalInformationSPSNote", m.PACKAGES_OF_LINE, described)
    if quantity:
        w.note(node, "AdditionalInformationSPSNote", m.QUANTITY_VALUE, quantity[1])
        w.note(node, "AdditionalInformationSPSNote", m.QUANTITY_UNIT, quantity[2])
    elif line.quantity:
        w.note(node, "AdditionalInformationSPSNote", m.QUANTITY_VALUE, line.quantity)
    if line.product:
        w.note(node, "AdditionalInformationSPSNote", m.NATIONAL_PRODUCT, line.product)
    reexport = content.reexport
    if reexport is not None:
        for subject, value in (
            (m.REEXPORT_ORIGIN, reexport.origin_country),
            (m.REEXPORT_REFERENCE, reexport.original_certificate),
            (m.REEXPORT_ORIGINAL, _yes(not reexport.certified_copy)),
            (m.REEXPORT_CERTIFIED_COPY, _yes(reexport.certified_copy)),
            (m.REEXPORT_REPACKED, _yes(reexport.repacked)),
            (m.REEXPORT_ORIGINAL_CONTAINERS, _yes(not reexport.new_containers)),
            (m.REEXPORT_NEW_CONTAINERS, _yes(reexport.new_containers)),
            (m.REEXPORT_ADDITIONAL_INSPECTION, _yes(reexport.additional_inspection)),
        ):
            w.note(node, "AdditionalInformationSPSNote", subject, value)
    if line.hs_code:
        classification = w.ram(node, "ApplicableSPSClassification")
        w.ram(classification, "SystemName", m.HS)
        w.ram(classification, "ClassCode", line.hs_code)
    package = w.ram(node, "PhysicalSPSPackage")
    w.ram(package, "LevelCode", m.PACKAGE_LEVEL)
    code = m.PACKAGE_CODES.get(line.package_type.strip().lower(), m.PACKAGE_OTHER)
    w.ram(package, "TypeCode", code)
    w.ram(package, "ItemQuantity", str(line.packages))
    origin = w.ram(node, "OriginSPSCountry")
    w.ram(origin, "ID", reexport.origin_country if reexport is not None else NPPO_COUNTRY)
    if content.place_of_origin:
        w.ram(w.ram(origin, "SubordinateSPSCountrySubDivision"), "Name", content.place_of_origin)
    for treatment in content.treatments:
        _treatment(w, node, treatment)


def certificate_element(certificate: Certificate, *, issuer: str = NPPO_NAME) -> etree._Element:
    """The SPSCertificate element (``Refused`` for what cannot be exchanged)."""
    status = status_code(certificate)
    issue = certificate.issue
    assert issue is not None  # status_code refuses a certificate never issued
    content = certificate.content
    if not content.lines:
        raise refused(Kind.CONFLICT, Code.EPHYTO_NO_LINES, certificate=issue.number)
    w = _Writer()
    root = w.etree.Element(f"{{{RSM}}}SPSCertificate", nsmap=NSMAP)
    document = w.el(root, RSM, "SPSExchangedDocument")
    w.ram(document, "ID", issue.number)
    w.ram(document, "TypeCode", EPHYTO_TYPE[certificate.kind])
    w.ram(document, "StatusCode", status)
    w.when(document, "IssueDateTime", instant_text(issue.issued_at))
    issuer_party = w.ram(document, "IssuerSPSParty")
    w.ram(issuer_party, "ID", issue.office)
    w.ram(issuer_party, "Name", issuer)
    for subject, value in (
        (m.ADDITIONAL_DECLARATION, content.additional_declaration),
        (m.MARKS, content.marks),
        (m.NATIONAL_PACKAGES, content.packages),
        (m.NATIONAL_REMARKS, content.remarks),
    ):
        if value:
            w.note(document, "IncludedSPSNote", subject, value)
    signatory = w.ram(document, "SignatorySPSAuthentication")
    w.when(signatory, "ActualDateTime", instant_text(issue.issued_at))
    w.ram(w.ram(signatory, "IssueSPSLocation"), "Name", issue.place_of_issue)
    provider = w.ram(signatory, "ProviderSPSParty")
    w.ram(provider, "Name", issuer)
    w.ram(w.ram(provider, "SpecifiedSPSPerson"), "Name", issue.officer)

    consignment = w.el(root, RSM, "SPSConsignment")
    w.ram(consignment, "ID", content.consignment)
    w.party(consignment, "ConsignorSPSParty", content.exporter.name, content.exporter.address)
    w.party(consignment, "ConsigneeSPSParty", content.consignee.name, content.consignee.address)
    w.ram(w.ram(consignment, "ExportSPSCountry"), "ID", NPPO_COUNTRY)
    if content.reexport is not None:
        w.ram(w.ram(consignment, "ReExportSPSCountry"), "ID", NPPO_COUNTRY)
    if content.port_of_exit:
        loading = w.ram(consignment, "LoadingBaseportSPSLocation")
        w.ram(loading, "ID", content.port_of_exit)
        w.ram(loading, "Name", content.port_of_exit)
    w.ram(w.ram(consignment, "ImportSPSCountry"), "ID", content.destination)
    if content.point_of_entry:
        unloading = w.ram(consignment, "UnloadingBaseportSPSLocation")
        w.ram(unloading, "Name", content.point_of_entry)
    examination = w.ram(w.ram(consignment, "ExaminationSPSEvent"), "OccurrenceSPSLocation")
    w.ram(examination, "Name", issue.place_of_issue)
    if content.conveyance:
        movement = w.ram(consignment, "MainCarriageSPSTransportMovement")
        w.ram(movement, "ModeCode", m.TRANSPORT_MODE_UNSPECIFIED)
        w.ram(w.ram(movement, "UsedSPSTransportMeans"), "Name", content.conveyance)
    for container in content.containers:
        w.ram(w.ram(consignment, "UtilizedSPSTransportEquipment"), "ID", container)
    item = w.ram(consignment, "IncludedSPSConsignmentItem")
    for number, line in enumerate(content.lines, start=1):
        _line(w, item, number, line, certificate)
    return root


def envelope_element(
    certificate: Certificate, *, issuer: str = NPPO_NAME, sender: str = NPPO_COUNTRY
) -> etree._Element:
    """The hub's ``ePhytoEnvelope`` around the certificate."""
    inner = certificate_element(certificate, issuer=issuer)
    w = _Writer()
    root = w.etree.Element(f"{{{EPH}}}ePhytoEnvelope", nsmap=ENVELOPE_NSMAP)
    issue = certificate.issue
    assert issue is not None
    for name, value in (
        ("From", sender),
        ("To", certificate.content.destination),
        ("CertificateType", EPHYTO_TYPE[certificate.kind]),
        ("CertificateStatus", status_code(certificate)),
        ("NPPOCertificateNumber", issue.number),
    ):
        w.el(root, HUB, name, value)
    root.append(inner)
    return root


def export(certificate: Certificate, *, envelope: bool = True, issuer: str = NPPO_NAME) -> bytes:
    """The document's bytes (UTF-8, with its declaration); ``Refused`` for a certificate that is
    not exchanged, a text XML cannot carry, or (a bug) a document the schema refuses."""
    from lxml import etree

    from phytowatch.ephyto.parsing import safe_parser
    from phytowatch.ephyto.validation import locate, problems

    try:
        root = (
            envelope_element(certificate, issuer=issuer)
            if envelope
            else certificate_element(certificate, issuer=issuer)
        )
    except ValueError:  # lxml: "All strings must be XML compatible"
        raise refused(Kind.INVALID, Code.EPHYTO_NOT_XML_TEXT) from None
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    reparsed = etree.fromstring(data, safe_parser())
    wrong = problems(locate(reparsed))
    if wrong:
        first = wrong[0]
        raise refused(
            Kind.INVALID,
            Code.EPHYTO_EXPORT_INVALID,
            line=first.line,
            element=first.element,
            detail=first.detail,
        )
    return data
