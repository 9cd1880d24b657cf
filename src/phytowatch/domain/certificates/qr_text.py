"""Reading a certificate's QR text back: ``<public_url>/verify/<token>#<body>.<signature>``.

Pure: what the text says, and what is wrong with it, as a message. Whether the signature is the
office's is :mod:`phytowatch.services.certificates.offline` (it needs the public key).
"""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass

from phytowatch.domain.certificates.payload import QrPayload, b64url, unb64url
from phytowatch.domain.messages import Code, invalid

MAX_QR_TEXT = 4096  # a QR code holds at most 2,953 bytes: anything longer is not ours


@dataclass(frozen=True)
class QrText:
    """A certificate's QR text, taken apart."""

    address: str  # the online check: <public_url>/verify/<token>
    token: str
    body: str  # base64url of the payload's canonical JSON: what the office key signed
    signature: bytes
    payload: QrPayload


def qr_text(public_url: str, token: str, body: str, signature: str) -> str:
    """The text a certificate's QR code carries."""
    return f"{public_url.rstrip('/')}/verify/{token}#{body}.{signature}"


def parse_qr_text(text: str) -> QrText:
    """The parts of a certificate's QR text; ``Invalid`` (``qr.not_ours``, ``qr.no_payload``,
    ``qr.bad_payload``) for text that is not one."""
    text = text.strip()
    if len(text) > MAX_QR_TEXT or "/verify/" not in text:
        raise invalid(Code.QR_NOT_OURS)
    address, hash_sign, fragment = text.partition("#")
    token = address.rsplit("/verify/", 1)[1]
    if not token or "/" in token or "?" in token:
        raise invalid(Code.QR_NOT_OURS)
    if not hash_sign or not fragment:
        raise invalid(Code.QR_NO_PAYLOAD)
    body, dot, signature = fragment.partition(".")
    if not dot or not body or not signature:
        raise invalid(Code.QR_BAD_PAYLOAD)
    try:
        if not body.isascii() or not signature.isascii():
            raise ValueError(body)
        raw_signature = unb64url(signature)
        data = json.loads(unb64url(body).decode("utf-8"))
        if not isinstance(data, dict):
            raise TypeError(data)
        payload = QrPayload.from_json(data)
        if b64url(raw_signature) != signature:  # one spelling only: no malleable padding
            raise ValueError(signature)
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise invalid(Code.QR_BAD_PAYLOAD) from None
    return QrText(address, token, body, raw_signature, payload)
