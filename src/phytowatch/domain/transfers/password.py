"""A transfer's password: derived, never stored in clear.

``HMAC-SHA256(secret, number)`` read as an integer and written in 10 letters and digits of an
alphabet without 0/O, 1/I/L (31 symbols, ~49 bits), shown in two groups of five
(``ABCDE-FGHJK``). The secret is 32 random bytes made by migration 0021 and kept in the
database (``transfer_secrets``); the same number always gives the same password, so the page
can show it again to the declarant, and a database copy without that table gives none. Typed
back, case, spaces and dashes do not matter."""

from __future__ import annotations

import hashlib
import hmac

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
LENGTH = 10


def derive(secret: bytes, number: str) -> str:
    digest = hmac.new(secret, number.encode("utf-8"), hashlib.sha256).digest()
    value = int.from_bytes(digest, "big")
    out = []
    for _ in range(LENGTH):
        value, index = divmod(value, len(ALPHABET))
        out.append(ALPHABET[index])
    return "".join(out)


def shown(password: str) -> str:
    """As printed for a person: two groups of five."""
    return f"{password[:5]}-{password[5:]}"


def normalised(typed: str) -> str:
    return "".join(ch for ch in typed.upper() if ch not in " -\t")


def matches(secret: bytes, number: str, typed: str) -> bool:
    return hmac.compare_digest(derive(secret, number), normalised(typed)[:64])
