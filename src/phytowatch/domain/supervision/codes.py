"""The standard codes a declaration is checked against: countries (ISO 3166-1 alpha-2), ports
(UN/LOCODE's shape: a country and three letters or digits 2-9), container numbers (ISO 6346,
with its check digit) and the units of quantity the bureau accepts.

Standard library only; the tables are data, as the standards publish them.
"""

from __future__ import annotations

import re

# ISO 3166-1 alpha-2: the 249 officially assigned codes
COUNTRIES = frozenset((
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX",
    "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ",
    "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK",
    "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
    "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR",
    "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS",
    "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN",
    "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
    "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV",
    "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ",
    "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI",
    "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
    "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC",
    "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV",
    "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR",
    "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
))  # fmt: skip

# UN/LOCODE: ISO 3166-1 country, then 3 characters of A-Z and 2-9 (UNECE Rec. 16, 3.2)
_LOCODE = re.compile(r"[A-Z]{2}[A-Z2-9]{3}")

# the units a line's quantity may be given in (UN/ECE Rec. 20 names, as the bureau writes them)
UNITS = ("kg", "t", "m3", "l", "pieces", "stems", "bags", "cartons")

# ISO 6346: owner code (3 letters), category (U, J or Z), serial (6 digits), check digit
_CONTAINER = re.compile(r"[A-Z]{3}[UJZ][0-9]{6}[0-9]")


def is_country(code: str) -> bool:
    return code in COUNTRIES


def is_locode(code: str) -> bool:
    return bool(_LOCODE.fullmatch(code)) and code[:2] in COUNTRIES


def _letter_value(letter: str) -> int:
    """ISO 6346 Annex A: A=10, skipping the multiples of 11 (11, 22, 33)."""
    value = 10
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if value % 11 == 0:
            value += 1
        if c == letter:
            return value
        value += 1
    raise ValueError(letter)


def container_check_digit(first_ten: str) -> int:
    """The check digit of an owner code, category and serial (ISO 6346 Annex A)."""
    total = 0
    for position, c in enumerate(first_ten):
        value = int(c) if c.isdigit() else _letter_value(c)
        total += value * (2**position)
    return total % 11 % 10


def container_shape_ok(number: str) -> bool:
    return bool(_CONTAINER.fullmatch(number))


def container_ok(number: str) -> bool:
    return container_shape_ok(number) and container_check_digit(number[:10]) == int(number[10])
