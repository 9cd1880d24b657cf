"""The offline check of a certificate's QR code: is its payload the office's, unaltered?

Given the QR text and the office's published public keys (PEM: a public key or the office's
X.509 certificate, as ``/verify/keys`` serves them), with no connection to us. The payload names
the key that signed it (``key_id``: the first 16 hex of the sha256 of the raw public key); the
signature is checked over the body's base64url text. ``cryptography`` is imported here, inside,
when a check is made (heavy things at the edge).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from phytowatch.domain.certificates.qr_text import QrText, parse_qr_text
from phytowatch.domain.messages import Code, Message, invalid, say


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    key: Any  # cryptography's Ed25519PublicKey


@dataclass(frozen=True)
class OfflineCheck:
    """The outcome: ``genuine`` when a given key of the payload's ``key_id`` verifies it."""

    qr: QrText
    genuine: bool
    key_id: str  # the key the payload names
    key_known: bool  # one of the given keys has that id
    message: Message


def key_id_of(raw_public_key: bytes) -> str:
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


def load_public_key(pem: bytes) -> PublicKey:
    """An Ed25519 public key from a PEM: the key itself or an X.509 certificate holding it;
    ``Invalid`` (``qr.bad_key``) otherwise."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key: object
    try:
        if b"-----BEGIN CERTIFICATE-----" in pem:
            key = x509.load_pem_x509_certificate(pem).public_key()
        else:
            key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError):
        raise invalid(Code.QR_BAD_KEY) from None
    if not isinstance(key, Ed25519PublicKey):
        raise invalid(Code.QR_BAD_KEY)
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return PublicKey(key_id_of(raw), key)


def verify_qr(text: str, keys: Sequence[PublicKey]) -> OfflineCheck:
    """Check a QR text against the given keys; ``Invalid`` when the text is not a certificate's
    QR text at all (a check that fails is an ``OfflineCheck`` with ``genuine`` false)."""
    from cryptography.exceptions import InvalidSignature

    qr = parse_qr_text(text)
    key_id = qr.payload.key_id
    matching = [k for k in keys if k.key_id == key_id]
    if not matching:
        return OfflineCheck(qr, False, key_id, False, say(Code.QR_KEY_UNKNOWN, key=key_id))
    try:
        matching[0].key.verify(qr.signature, qr.body.encode("ascii"))
    except InvalidSignature:
        return OfflineCheck(qr, False, key_id, True, say(Code.QR_SIGNATURE_BAD, key=key_id))
    return OfflineCheck(
        qr, True, key_id, True, say(Code.QR_GENUINE, number=qr.payload.number, key=key_id)
    )
