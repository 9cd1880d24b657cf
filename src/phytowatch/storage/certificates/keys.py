"""Office keys and signatures with ``cryptography`` (``services.certificates.store.Signer``).

Ed25519 keys; each with a self-signed X.509 certificate whose subject names the office (what
the bureau publishes for others to verify with); the private key kept as PKCS8 PEM, encrypted
with the signing passphrase when one is set. ``cryptography`` is imported inside the methods:
nothing heavy happens at import.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from phytowatch.services.certificates.ports import OfficeKey
from phytowatch.services.certificates.store import NewKey

ALGORITHM = "Ed25519"
VALID_YEARS = 10  # the published certificate's validity; a rotation replaces it sooner


def key_id_of(raw_public_key: bytes) -> str:
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


class Ed25519Signer:
    def new_key(
        self, office: str, office_name: str, *, now: int, actor: str, passphrase: str | None
    ) -> NewKey:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.x509.oid import NameOID

        private = Ed25519PrivateKey.generate()
        public = private.public_key()
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, office_name[:64] or office),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, office[:64]),
                x509.NameAttribute(NameOID.COMMON_NAME, f"phytowatch certificates {office}"[:64]),
            ]
        )
        start = datetime.fromtimestamp(now / 1_000_000, UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(public)
            .serial_number(int.from_bytes(hashlib.sha256(raw).digest()[:16], "big") >> 1)
            .not_valid_before(start - timedelta(minutes=5))
            .not_valid_after(start + timedelta(days=365 * VALID_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(private, None)
        )
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
            if passphrase
            else serialization.NoEncryption()
        )
        private_pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        ).decode("ascii")
        public_pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")
        key = OfficeKey(
            key_id=key_id_of(raw),
            office=office,
            algorithm=ALGORITHM,
            public_key_pem=public_pem,
            certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            created_at=now,
            created_by=actor,
            active=True,
        )
        return NewKey(key, private_pem, encrypted=bool(passphrase))

    def sign(self, private_key_pem: str, data: bytes, *, passphrase: str | None) -> bytes:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        try:
            private = serialization.load_pem_private_key(
                private_key_pem.encode("ascii"),
                password=passphrase.encode("utf-8") if passphrase else None,
            )
        except (TypeError, ValueError) as exc:  # wrong, missing or unwanted passphrase
            raise ValueError("the private key cannot be opened") from exc
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError("not an Ed25519 key")
        return private.sign(data)

    def verify(self, public_key_pem: str, signature: bytes, data: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            public = serialization.load_pem_public_key(public_key_pem.encode("ascii"))
        except ValueError:
            return False
        if not isinstance(public, Ed25519PublicKey):
            return False
        try:
            public.verify(signature, data)
        except InvalidSignature:
            return False
        return True
