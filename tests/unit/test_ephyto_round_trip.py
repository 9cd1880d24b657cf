"""The round trip (docs/ephyto.md): any issued or cancelled certificate exported as ePhyto
validates against the schema and reads back with every exported field as it was: Chinese text,
many lines, the re-export box, treatments, status 40."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ephyto_certificates import issued
from phytowatch.domain.certificates.model import (
    Certificate,
    CertificateContent,
    CertificateKind,
    CertificateState,
    CertifiedLine,
    Party,
    ReexportDetails,
    TreatmentStatement,
)
from phytowatch.ephyto.codec import LxmlEphyto
from phytowatch.ephyto.export import instant_text
from phytowatch.ephyto.read import content_of

CODEC = LxmlEphyto()
CHINESE = st.sampled_from(["鲜苹果", "山东省烟台市", "纸箱", "冷处理", "王伟", "青岛港", "无"])
# what XML 1.0 carries: no control character but the newline, no surrogate, no unassigned
CHARACTERS = st.characters(exclude_categories=("Cs", "Cc", "Cn"), include_characters="\n")
TEXT = st.one_of(st.text(CHARACTERS, max_size=40), CHINESE)
COUNTRY = st.sampled_from(["AU", "US", "NZ", "JP", "TH", "VN", "DE", "BR"])
QUANTITY = st.one_of(
    st.builds(lambda n, u: f"{n} {u}", st.integers(0, 10**9), st.sampled_from(["kg", "t", "箱"])),
    TEXT,
)
LINE = st.builds(
    CertifiedLine,
    description=TEXT,
    botanical_name=TEXT,
    quantity=QUANTITY,
    packages=st.integers(0, 10**6),
    package_type=st.one_of(st.sampled_from(["carton", "纸箱", "bag", ""]), TEXT),
    product=TEXT,
    hs_code=st.from_regex(r"[0-9]{0,10}", fullmatch=True),
)
TREATMENT = st.builds(
    TreatmentStatement,
    run_id=st.integers(1, 2**31 - 1),
    schedule_id=TEXT,
    date=st.dates().map(str),
    method=TEXT,
    duration_and_temperature=st.one_of(
        st.sampled_from(["56 °C core for 30 min", "≤ 1.11 °C pulp for 14 d"]), TEXT
    ),
    chemical=TEXT,
    concentration=TEXT,
    facility=TEXT,
    treater_number=TEXT,
)
REEXPORT = st.builds(
    ReexportDetails,
    origin_country=COUNTRY,
    original_certificate=TEXT,
    certified_copy=st.booleans(),
    repacked=st.booleans(),
    new_containers=st.booleans(),
    additional_inspection=st.booleans(),
)


@st.composite
def certificates(draw: st.DrawFn) -> Certificate:
    reexport = draw(st.one_of(st.none(), REEXPORT))
    body = CertificateContent(
        kind=CertificateKind.PHYTOSANITARY if reexport is None else CertificateKind.REEXPORT,
        consignment=draw(TEXT),
        exporter=Party(draw(TEXT), draw(TEXT)),
        consignee=Party(draw(TEXT), draw(TEXT)),
        destination=draw(COUNTRY),
        lines=tuple(draw(st.lists(LINE, min_size=1, max_size=12))),
        packages=draw(TEXT),
        marks=draw(TEXT),
        place_of_origin=draw(TEXT),
        conveyance=draw(TEXT),
        point_of_entry=draw(TEXT),
        port_of_exit=draw(st.one_of(st.just(""), st.from_regex(r"[A-Z]{5}", fullmatch=True))),
        additional_declaration=draw(TEXT),
        treatments=tuple(draw(st.lists(TREATMENT, max_size=3))),
        reexport=reexport,
        containers=tuple(
            draw(st.lists(st.from_regex(r"[A-Z]{4}[0-9]{7}", fullmatch=True), max_size=4))
        ),
        remarks=draw(TEXT),
    )
    state = draw(
        st.sampled_from(
            [CertificateState.ISSUED, CertificateState.PRINTED, CertificateState.CANCELLED]
        )
    )
    certificate = issued(
        body,
        state=state,
        number=draw(st.from_regex(r"[A-Z]{2}20[0-9]{2}-[0-9]{6}", fullmatch=True)),
    )
    assert certificate.issue is not None
    return dataclasses.replace(
        certificate,
        issue=dataclasses.replace(
            certificate.issue,
            place_of_issue=draw(TEXT),
            officer=draw(TEXT),
            issued_at=draw(st.integers(946_684_800, 4_102_444_800)) * 1_000_000,
        ),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(certificates(), st.booleans())
def test_every_exported_field_reads_back_identically(
    certificate: Certificate, envelope: bool
) -> None:
    data = CODEC.export(certificate, envelope=envelope)
    checked = CODEC.check(data)
    assert checked.problems == ()
    received = checked.received
    assert received is not None
    assert content_of(received) == certificate.content
    issue = certificate.issue
    assert issue is not None
    assert received.number == issue.number
    assert received.place_of_issue == issue.place_of_issue
    assert received.officer == issue.officer
    assert received.issued == instant_text(issue.issued_at)
    expected_status = "40" if certificate.state is CertificateState.CANCELLED else "70"
    assert received.status_code == expected_status
    assert received.type_code == ("657" if certificate.content.reexport else "851")
    if envelope:
        assert received.envelope is not None
        assert (received.envelope.certificate_status, received.envelope.number) == (
            expected_status,
            issue.number,
        )
        assert received.envelope.receiver == certificate.content.destination
