"""Transfer numbers: per origin office and year, gapless, like the certificates' numbers.

``{office}ZD{year}{sequence:06d}``, e.g. ``NCHZD2026000123`` (ZD: 转单). The sequence comes from
the office's counter of the year, locked and incremented in the issuing transaction: a rollback
gives it back (no gap), two issues never take the same one (no duplicate)."""

from __future__ import annotations

import re

from phytowatch.domain.messages import Code, Kind, refused

MAX_SEQUENCE = 999_999
NUMBER = re.compile(r"^[A-Z0-9_.-]{1,24}ZD[0-9]{4}[0-9]{6}$")


def transfer_number(office: str, year: int, sequence: int) -> str:
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise refused(Kind.CONFLICT, Code.TRANSFER_YEAR_FULL, office=office, year=year)
    return f"{office.upper()}ZD{year:04d}{sequence:06d}"


def looks_like_number(text: str) -> bool:
    return bool(NUMBER.match(text.strip().upper()))
