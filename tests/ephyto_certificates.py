"""Issued certificates to export as ePhyto, for the ePhyto tests (no database)."""

from __future__ import annotations

import dataclasses

from phytowatch.domain.certificates.model import (
    Certificate,
    CertificateContent,
    CertificateKind,
    CertificateState,
    CertifiedLine,
    Issue,
    Party,
    ReexportDetails,
    TreatmentStatement,
)

ISSUED_AT = 1_780_000_000_000_000  # 2026-05-28T20:26:40Z


def content(**changes: object) -> CertificateContent:
    base = CertificateContent(
        kind=CertificateKind.PHYTOSANITARY,
        consignment="CD2026-000123",
        exporter=Party(
            "山东鲁果进出口有限公司 Shandong Luguo Import & Export Co.", "烟台市芝罘区 1 号"
        ),
        consignee=Party("Fresh Fruit Pty Ltd", "12 Market St\nSydney NSW 2000"),
        destination="AU",
        lines=(
            CertifiedLine(
                description="鲜苹果 Fresh apples",
                botanical_name="Malus domestica",
                quantity="24000 kg",
                packages=2400,
                package_type="carton",
                product="apple",
                hs_code="080810",
            ),
        ),
        packages="2400 cartons 纸箱",
        marks="LUGUO / N/M",
        place_of_origin="山东省烟台市",
        conveyance="By sea: COSCO PRIDE V.026E",
        point_of_entry="Sydney",
        port_of_exit="CNYNT",
        additional_declaration="The consignment was inspected and found free of Cydia pomonella.",
        treatments=(
            TreatmentStatement(
                run_id=41,
                schedule_id="T107-a",
                date="2026-05-20",
                method="cold treatment",
                duration_and_temperature="≤ 1.11 °C pulp for 14 d",
                facility="YT-CS-01",
            ),
        ),
        containers=("COSU1234567",),
        remarks="",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def issued(
    body: CertificateContent | None = None,
    *,
    state: CertificateState = CertificateState.ISSUED,
    number: str = "SD2026-000042",
    certificate_id: int = 7,
) -> Certificate:
    body = body or content()
    return Certificate(
        id=certificate_id,
        kind=body.kind,
        consignment_id=3,
        office="3700",
        enterprise="E-SD-001",
        city="烟台",
        state=state,
        revision=1,
        content=body,
        created_at=ISSUED_AT - 10**9,
        created_by="user:declarant",
        issue=Issue(
            certificate_id=certificate_id,
            number=number,
            office="3700",
            place_of_issue="烟台 Yantai",
            issued_at=ISSUED_AT,
            officer="王伟 Wang Wei",
            officer_actor="user:wangwei",
            key_id="abcd1234abcd1234",
            content_hash="0" * 64,
            signature="sig",
            token="tok",
            check_code="K7Q2",
            payload_signature="psig",
        ),
    )


def reexport() -> Certificate:
    return issued(
        content(
            kind=CertificateKind.REEXPORT,
            reexport=ReexportDetails(
                origin_country="NZ",
                original_certificate="NZ-2026-778899",
                certified_copy=True,
                repacked=True,
            ),
        ),
        number="SD2026-000043",
    )
