"""Passwords as scrypt hashes (per-user salt), and the SHA-256 of random secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from phytowatch.domain.messages import Code, Kind, refused

MIN_HASH_COST = 10  # log2 of scrypt's N; 15 by default (docs/accounts.md)
MAX_HASH_COST = 20


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, cost: int) -> str:
    """``scrypt$<log2 N>$<r>$<p>$<salt>$<hash>``: the cost travels with the hash."""
    if not MIN_HASH_COST <= cost <= MAX_HASH_COST:
        raise refused(Kind.INVALID, Code.HASH_COST, cost=cost, min=MIN_HASH_COST, max=MAX_HASH_COST)
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, cost, 8, 1)
    return f"scrypt${cost}$8$1${_b64(salt)}${_b64(digest)}"


def _scrypt(password: str, salt: bytes, cost: int, r: int, p: int) -> bytes:
    n = 2**cost
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r + 2**20, dklen=32
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, cost, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        given = _scrypt(password, base64.b64decode(salt), int(cost), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(given, base64.b64decode(digest))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
