"""Certificates to print and verify in tests: the three kinds, a long one, and an issue signed
with a throwaway Ed25519 key the way issuing signs (the canonical bytes, and the QR payload's
body)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from phytowatch.domain.certificates.canonical import canonical_bytes, content_hash
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
from phytowatch.domain.certificates.payload import b64url, payload_body, payload_of

ISSUED_AT = 1_796_000_000_000_000  # 2026-11-30, µs
TREATMENT = TreatmentStatement(
    run_id=7,
    schedule_id="T106-a-2",
    date="2026-11-28",
    method="cold treatment",
    duration_and_temperature="≤ 1.11 °C pulp for 14 d",
    facility="FJ-XM-COLD-01",
    treater_number="3502-001",
)


def content(
    kind: CertificateKind = CertificateKind.PHYTOSANITARY, **changes: object
) -> CertificateContent:
    base = CertificateContent(
        kind=kind,
        consignment="CD2026-000123",
        exporter=Party("厦门绿源果业有限公司", "福建省厦门市湖里区象屿路 88 号"),
        consignee=Party("Bangkok Fresh Fruit Import Co., Ltd.", "99 Rama IV Road, Bangkok 10500"),
        destination="TH",
        lines=(
            CertifiedLine("Fresh oranges 鲜橙", "Citrus sinensis", "24000 kg", 2400, "cartons"),
        ),
        packages="2400 cartons",
        marks="LY-TH-2026",
        place_of_origin="福建省平和县 Pinghe, Fujian",
        conveyance="vessel 船舶 COSCO SHIPPING TAURUS",
        point_of_entry="THLCH Laem Chabang",
        port_of_exit="CNXMN",
        additional_declaration="The fruit was cold treated in transit per the bilateral protocol.",
        treatments=(TREATMENT,),
        containers=("CSNU1234567",),
    )
    if kind is CertificateKind.REEXPORT:
        base = dataclasses.replace(
            base,
            reexport=ReexportDetails(
                "US",
                "US-2026-99812",
                certified_copy=True,
                repacked=True,
                new_containers=True,
                additional_inspection=True,
            ),
        )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def long_content() -> CertificateContent:
    lines = tuple(
        CertifiedLine(
            f"Fresh produce line {i} 新鲜水果第{i}项",
            f"Malus domestica var. {i}",
            f"{1000 + i} kg",
            100 + i,
            "cartons",
        )
        for i in range(1, 61)
    )
    consignee = Party(
        "The Very Long Name International Fresh Fruit and Vegetable Import, Export, Storage and "
        "Distribution Corporation of the Southern Provinces, Limited Liability Company",
        "Unit 1207-1210, Tower B, Harbourfront Commercial Centre, 1 Harbour Road, Wan Chai",
    )
    return content(
        lines=lines,
        consignee=consignee,
        additional_declaration="Inspected and found free of Bactrocera dorsalis. " * 6,
    )


@dataclass(frozen=True)
class Signed:
    certificate: Certificate
    public_pem: bytes
    certificate_pem: bytes
    private_key: object


def key_pair() -> tuple[object, bytes, str]:
    import hashlib

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, pem, hashlib.sha256(raw).hexdigest()[:16]


def self_signed(private: object) -> bytes:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Xiamen office 3502")])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())  # type: ignore[attr-defined]
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=3650))
        .sign(private, None)  # type: ignore[arg-type]
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def signed(
    body: CertificateContent | None = None,
    *,
    number: str = "3502-2026-000042",
    state: CertificateState = CertificateState.ISSUED,
    token: str = "tk_Zm9vYmFyYmF6cXV4cXV1eA",
    check_code: str = "7KQ4-M2XP",
) -> Signed:
    body = body or content()
    private, pem, key_id = key_pair()
    data = canonical_bytes(
        body,
        number=number,
        office="3502",
        place_of_issue="Xiamen 厦门",
        issued_at=ISSUED_AT,
        officer="Lin Wei 林伟",
    )
    digest = content_hash(data)
    payload = payload_of(
        body,
        number=number,
        office="3502",
        issued_on="2026-11-30",
        content_hash=digest,
        key_id=key_id,
    )
    sign = private.sign  # type: ignore[attr-defined]
    issue = Issue(
        certificate_id=1,
        number=number,
        office="3502",
        place_of_issue="Xiamen 厦门",
        issued_at=ISSUED_AT,
        officer="Lin Wei 林伟",
        officer_actor="user:linwei",
        key_id=key_id,
        content_hash=digest,
        signature=b64url(sign(data)),
        token=token,
        check_code=check_code,
        payload_signature=b64url(sign(payload_body(payload).encode("ascii"))),
    )
    certificate = Certificate(
        id=1,
        kind=body.kind,
        consignment_id=3,
        office="3502",
        enterprise="E3502001",
        city="厦门",
        state=state,
        revision=2,
        content=body,
        created_at=ISSUED_AT - 10**9,
        created_by="user:ent",
        issue=issue,
    )
    return Signed(certificate, pem, self_signed(private), private)
