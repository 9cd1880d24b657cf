"""Our certificates as IPPC ePhyto (phytowatch/ephyto/export.py): types 851 and 657, statuses 70
and 40, the hub envelope around the certificate, every document valid against the shipped
schema; a treatment certificate, one never issued, and text XML cannot carry are refused."""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from ephyto_certificates import content, issued, reexport
from phytowatch.domain.certificates.model import CertificateKind, CertificateState
from phytowatch.domain.messages import Refused
from phytowatch.ephyto.codec import LxmlEphyto
from phytowatch.ephyto.validation import HUB, RAM

CODEC = LxmlEphyto()
NS = {"ram": RAM, "hub": HUB, "rsm": "urn:un:unece:uncefact:data:standard:SPSCertificate:17"}


def _xpath(data: bytes, path: str) -> list[str]:
    root = etree.fromstring(data)
    return [str(v) for v in root.xpath(path, namespaces=NS)]  # type: ignore[union-attr]


def test_an_issued_phytosanitary_certificate_is_a_valid_851_70_in_the_hub_envelope() -> None:
    data = CODEC.export(issued())
    checked = CODEC.check(data)
    assert checked.problems == () and checked.kind == "envelope"
    assert _xpath(data, "/*/hub:*/text()") == ["CN", "AU", "851", "70", "SD2026-000042"]
    assert _xpath(data, "//rsm:SPSExchangedDocument/ram:TypeCode/text()") == ["851"]
    assert _xpath(data, "//rsm:SPSExchangedDocument/ram:StatusCode/text()") == ["70"]


def test_the_certificate_alone_is_valid_too() -> None:
    data = CODEC.export(issued(), envelope=False)
    checked = CODEC.check(data)
    assert checked.problems == () and checked.kind == "certificate"


def test_a_cancelled_certificate_is_exported_with_status_40_in_both_places() -> None:
    data = CODEC.export(issued(state=CertificateState.CANCELLED))
    assert CODEC.check(data).problems == ()
    assert _xpath(data, "//hub:CertificateStatus/text()") == ["40"]
    assert _xpath(data, "//rsm:SPSExchangedDocument/ram:StatusCode/text()") == ["40"]


def test_a_printed_certificate_is_still_issued_70() -> None:
    data = CODEC.export(issued(state=CertificateState.PRINTED))
    assert _xpath(data, "//hub:CertificateStatus/text()") == ["70"]


def test_a_reexport_certificate_is_657_with_its_origin_and_original_certificate() -> None:
    data = CODEC.export(reexport())
    assert CODEC.check(data).problems == ()
    assert _xpath(data, "//hub:CertificateType/text()") == ["657"]
    line = "//ram:IncludedSPSTradeLineItem/ram:AdditionalInformationSPSNote"
    assert _xpath(data, f"{line}[ram:Subject='RPCRF']/ram:Content/text()") == ["NZ-2026-778899"]
    assert _xpath(data, "//ram:OriginSPSCountry/ram:ID/text()") == ["NZ"]
    assert _xpath(data, "//ram:ReExportSPSCountry/ram:ID/text()") == ["CN"]


def test_the_parties_lines_treatment_and_issue_are_where_an_nppo_looks_for_them() -> None:
    data = CODEC.export(issued())
    consignment = "//rsm:SPSConsignment"
    assert _xpath(data, f"{consignment}/ram:ConsignorSPSParty/ram:Name/text()") == [
        "山东鲁果进出口有限公司 Shandong Luguo Import & Export Co."
    ]
    assert _xpath(data, f"{consignment}/ram:ImportSPSCountry/ram:ID/text()") == ["AU"]
    assert _xpath(data, "//ram:IncludedSPSTradeLineItem/ram:ScientificName/text()") == [
        "Malus domestica"
    ]
    assert _xpath(data, "//ram:NetWeightMeasure/@unitCode") == ["KGM"]
    assert _xpath(data, "//ram:PhysicalSPSPackage/ram:TypeCode/text()") == ["CT"]
    assert _xpath(data, "//ram:PhysicalSPSPackage/ram:ItemQuantity/text()") == ["2400"]
    assert _xpath(data, "//ram:ApplicableSPSClassification/ram:ClassCode/text()") == ["080810"]
    assert "≤ 1.11 °C pulp for 14 d" in _xpath(
        data, "//ram:ApplicableSPSProcessCharacteristic/ram:Description/text()"
    )
    assert _xpath(data, "//ram:IssueSPSLocation/ram:Name/text()") == ["烟台 Yantai"]
    assert _xpath(data, "//ram:SpecifiedSPSPerson/ram:Name/text()") == ["王伟 Wang Wei"]
    assert _xpath(data, "//rsm:SPSExchangedDocument/ram:IssueDateTime/*/text()") == [
        "2026-05-28T20:26:40Z"
    ]
    assert _xpath(data, "//ram:IncludedSPSNote[ram:Subject='ADEDL']/ram:Content/text()") == [
        "The consignment was inspected and found free of Cydia pomonella."
    ]


def test_a_treatment_certificate_is_not_exported() -> None:
    treatment = issued(content(kind=CertificateKind.TREATMENT))
    with pytest.raises(Refused) as caught:
        CODEC.export(treatment)
    assert caught.value.message.code.value == "ephyto.treatment_certificate"


@pytest.mark.parametrize("state", [CertificateState.APPROVED, CertificateState.REPLACED])
def test_a_certificate_not_issued_or_cancelled_is_not_exported(state: CertificateState) -> None:
    with pytest.raises(Refused) as caught:
        CODEC.export(issued(state=state))
    assert caught.value.message.code.value == "ephyto.not_issued"


def test_a_certificate_never_issued_is_not_exported() -> None:
    draft = dataclasses.replace(issued(), state=CertificateState.DRAFT, issue=None)
    with pytest.raises(Refused) as caught:
        CODEC.export(draft)
    assert caught.value.message.code.value == "ephyto.not_issued"


def test_text_xml_cannot_carry_is_refused_with_a_message() -> None:
    with pytest.raises(Refused) as caught:
        CODEC.export(issued(content(marks="bad \x07 bell")))
    assert caught.value.message.code.value == "ephyto.not_xml_text"


def test_a_destination_the_schema_does_not_know_is_refused_not_written_invalid() -> None:
    with pytest.raises(Refused) as caught:
        CODEC.export(issued(content(destination="XX")))
    refusal = caught.value
    assert refusal.message.code.value == "ephyto.export_invalid"
    assert refusal.message.params["element"] == "ID"
