"""Validation against the shipped schemas (phytowatch/ephyto/validation.py), on the reference
material of other countries' systems: the reference certificates and the hub's SOAP delivery are
valid; the test certificate with two elements out of the UN/CEFACT order is not, and both are
named with their lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from phytowatch.ephyto.codec import LxmlEphyto
from phytowatch.ephyto.validation import CERTIFICATE_XSD, HUB_XSD, SCHEMAS

SAMPLES = Path(__file__).parents[1] / "ephyto_samples"
CODEC = LxmlEphyto()


def test_the_schemas_are_shipped_inside_the_package_with_their_notice() -> None:
    assert CERTIFICATE_XSD.is_file() and HUB_XSD.is_file()
    notice = (SCHEMAS / "NOTICE").read_text()
    assert "Copyright (C) UN/CEFACT" in notice
    assert "aa462618fb2382eea84a8e8ab41a8120cd37699c" in notice
    assert "UN/CEFACT" in CERTIFICATE_XSD.read_text()


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("co-pe-reference.xml", "certificate"),
        ("co-pe-reference-signed.xml", "certificate"),
        ("bo-ar-hub-envelope-soap.xml", "soap"),
    ],
)
def test_the_reference_documents_are_valid(name: str, kind: str) -> None:
    checked = CODEC.check((SAMPLES / name).read_bytes())
    assert checked.problems == ()
    assert checked.kind == kind


def test_the_out_of_order_sample_names_both_elements_with_their_lines() -> None:
    checked = CODEC.check((SAMPLES / "ar-ec-test-out-of-order.xml").read_bytes())
    assert [(p.line, p.element) for p in checked.problems] == [
        (84, "ReferenceSPSReferencedDocument"),
        (127, "TransitSPSCountry"),
    ]
    assert checked.problems[1].detail.startswith("This element is not expected.")
    assert "ConsignorSPSParty" in checked.problems[1].detail  # namespaces left out
    assert checked.received is None


def test_a_received_certificate_is_read_into_what_a_port_officer_reads() -> None:
    checked = CODEC.check((SAMPLES / "co-pe-reference-signed.xml").read_bytes())
    received = checked.received
    assert received is not None
    assert (received.number, received.type_code, received.status_code) == (
        "123456789CO",
        "851",
        "70",
    )
    assert (received.export_country, received.import_country) == ("CO", "PE")
    assert received.transit_countries == ("EC",)
    assert received.officer == "John Doe" and received.place_of_issue == "Bogota D.C"
    assert received.exporter.address.splitlines()[0] == "123 Exporter Street"
    assert received.additional_declarations[0] == "Phyllocnistiscitrella is absent in Colombia"
    assert received.signed
    [line] = received.lines
    assert (line.scientific_name, line.quantity, line.hs_code) == (
        "Widgeticus",
        "8 Packets",
        "100590",
    )
    assert line.package_type == "100 Bags of 20 Cardboard Boxes"
    [treatment] = line.treatments
    assert treatment.value("TTL1") == "CHT" and treatment.value("TTTM") == "32.0000 CEL"
    assert treatment.duration == "3 HUR"


def test_the_hub_envelope_header_is_read_from_the_soap_delivery() -> None:
    checked = CODEC.check((SAMPLES / "bo-ar-hub-envelope-soap.xml").read_bytes())
    assert checked.received is not None
    header = checked.received.envelope
    assert header is not None
    assert (header.sender, header.receiver, header.certificate_type) == ("BO", "AR", "851")
    assert header.number == "BO-5845145424"


def test_a_bad_envelope_header_is_named_as_well_as_the_certificate() -> None:
    text = (SAMPLES / "bo-ar-hub-envelope-soap.xml").read_text()
    broken = text.replace("<hub:CertificateType>851<", "<hub:CertificateType>eight<")
    checked = CODEC.check(broken.encode())
    assert [(p.line, p.element) for p in checked.problems] == [(9, "CertificateType")]


def test_an_envelope_without_a_certificate_is_not_valid() -> None:
    text = (SAMPLES / "bo-ar-hub-envelope-soap.xml").read_text()
    start, end = text.index("<urn:SPSCertificate>"), text.index("</urn:SPSCertificate>")
    hollow = text[:start] + text[end + len("</urn:SPSCertificate>") :]
    checked = CODEC.check(hollow.encode())
    assert [p.element for p in checked.problems] == ["ePhytoEnvelope"]
