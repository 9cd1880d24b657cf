"""The QR code's text taken apart, and its offline check with the office's public key."""

from __future__ import annotations

import json

import pytest

from certificatesamples import Signed, key_pair, signed
from phytowatch.domain.certificates.model import Issue
from phytowatch.domain.certificates.payload import b64url, unb64url
from phytowatch.domain.certificates.qr_text import parse_qr_text
from phytowatch.domain.messages import Code, Invalid
from phytowatch.services.certificates.offline import load_public_key, verify_qr
from phytowatch.services.certificates.printing import certificate_qr_text

URL = "https://verify.example.cn"


def _issue(s: Signed) -> Issue:
    assert s.certificate.issue is not None
    return s.certificate.issue


@pytest.fixture(scope="module")
def sample() -> tuple[Signed, str]:
    s = signed()
    assert s.certificate.issue is not None
    return s, certificate_qr_text(s.certificate, s.certificate.issue, URL)


def test_the_qr_text_opens_the_verification_address_and_carries_the_payload(
    sample: tuple[Signed, str],
) -> None:
    s, text = sample
    qr = parse_qr_text(text)
    assert qr.address == f"{URL}/verify/{_issue(s).token}"
    assert qr.payload.number == "3502-2026-000042"
    assert qr.payload.consignee.startswith("Bangkok Fresh")
    assert qr.payload.issued_on == "2026-11-30"


def test_a_genuine_payload_verifies_with_the_office_public_key(sample: tuple[Signed, str]) -> None:
    s, text = sample
    result = verify_qr(text, [load_public_key(s.public_pem)])
    assert result.genuine
    assert result.message.code is Code.QR_GENUINE
    assert result.key_id == _issue(s).key_id


def test_the_office_x509_certificate_serves_as_the_key(sample: tuple[Signed, str]) -> None:
    s, text = sample
    assert verify_qr(text, [load_public_key(s.certificate_pem)]).genuine


def test_a_changed_consignee_is_caught(sample: tuple[Signed, str]) -> None:
    s, text = sample
    head, _, fragment = text.partition("#")
    body, _, signature = fragment.partition(".")
    data = json.loads(unb64url(body))
    data["c"] = "Someone Else Trading Ltd."
    forged = b64url(json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
    result = verify_qr(f"{head}#{forged}.{signature}", [load_public_key(s.public_pem)])
    assert not result.genuine
    assert result.message.code is Code.QR_SIGNATURE_BAD
    assert result.qr.payload.consignee == "Someone Else Trading Ltd."


def test_a_payload_signed_by_another_key_of_the_same_id_fails(sample: tuple[Signed, str]) -> None:
    s, text = sample
    _, other_pem, _ = key_pair()
    other = load_public_key(other_pem)
    pretending = type(other)(_issue(s).key_id, other.key)
    result = verify_qr(text, [pretending])
    assert not result.genuine
    assert result.message.code is Code.QR_SIGNATURE_BAD


def test_a_key_not_given_is_said_and_nothing_is_verified(sample: tuple[Signed, str]) -> None:
    _, text = sample
    _, other_pem, other_id = key_pair()
    result = verify_qr(text, [load_public_key(other_pem)])
    assert not result.genuine and not result.key_known
    assert result.message.code is Code.QR_KEY_UNKNOWN
    assert result.message.params["key"] != other_id


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("https://example.com/some/page", Code.QR_NOT_OURS),
        (f"{URL}/verify/", Code.QR_NOT_OURS),
        (f"{URL}/verify/tok", Code.QR_NO_PAYLOAD),
        (f"{URL}/verify/tok#nodot", Code.QR_BAD_PAYLOAD),
        (f"{URL}/verify/tok#!!!.abc", Code.QR_BAD_PAYLOAD),
        (f"{URL}/verify/tok#{b64url(b'[1,2]')}.abc", Code.QR_BAD_PAYLOAD),
        (f"{URL}/verify/tok#{b64url(b'{}')}.abc", Code.QR_BAD_PAYLOAD),
        ("x" * 5000 + "/verify/t#a.b", Code.QR_NOT_OURS),
    ],
)
def test_text_that_is_not_a_certificate_qr_is_refused_with_its_reason(
    text: str, code: Code
) -> None:
    with pytest.raises(Invalid) as caught:
        parse_qr_text(text)
    assert caught.value.message.code is code


def test_a_padded_signature_is_not_a_second_spelling(sample: tuple[Signed, str]) -> None:
    _, text = sample
    with pytest.raises(Invalid):
        parse_qr_text(text + "=")


@pytest.mark.parametrize(
    "pem",
    [b"", b"not a key", b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"],
)
def test_what_is_not_an_ed25519_key_is_refused(pem: bytes) -> None:
    with pytest.raises(Invalid) as caught:
        load_public_key(pem)
    assert caught.value.message.code is Code.QR_BAD_KEY


def test_an_rsa_key_is_not_an_office_key() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=1024)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(Invalid):
        load_public_key(pem)


def test_the_words_the_cli_prints_beside_the_payload_are_translated() -> None:
    from phytowatch.cli.verify_qr_cmd import CLAIMS, FIELDS, SAYS
    from phytowatch.i18n.catalogue import translations

    zh = translations("zh_CN").entries
    assert [w for w in (*FIELDS, SAYS, CLAIMS) if w not in zh] == []


def test_a_certificate_of_sixty_lines_and_long_names_still_carries_its_signed_payload() -> None:
    from certificatesamples import long_content
    from phytowatch.domain.certificates.payload import payload_body, payload_of
    from phytowatch.printing.qr import qr_code

    content = long_content()
    assert len(content.lines) >= 45  # more than a payload of every line could hold
    payload = payload_of(
        content, number="GZ26P000001", office="GZ", issued_on="2026-12-05",
        content_hash="ab" * 32, key_id="0123456789abcdef",
    )  # fmt: skip
    first = content.lines[0]
    assert payload.produce.startswith(first.botanical_name[:40])
    assert payload.produce.endswith(f"(+{len(content.lines) - 1})")
    assert len(payload.consignee) <= 80
    text = f"https://verify.example.cn/verify/{'t' * 22}#{payload_body(payload)}.{'s' * 86}"
    code = qr_code(text)
    assert code.error == "M"  # the whole text, fragment included, at error correction M
