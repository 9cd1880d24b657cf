"""The IPPC mark's policy as data (``data/ippc-mark.json``): the country and bureau codes, the
facility kinds that treat wood packaging, and which schedules are which ISPM 15 treatment.

Read like the other policy documents: a broken file is refused with a message naming the file
and the field (``PolicyFileError``), never half-loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from phytowatch.domain.certificates.mark import (
    BUREAU_PATTERN,
    MarkPolicy,
    Method,
    ScheduleMethod,
    Sourced,
)
from phytowatch.domain.messages import Code, say
from phytowatch.domain.schedule import Confidence
from phytowatch.rules.format import SHIPPED, PolicyFileError, read_json, shown

MARK_FILE = SHIPPED / "ippc-mark.json"
KIND = "ippc-mark"
_TOP = {"kind", "version", "source", "country", "bureau_codes", "facility_kinds", "schedules"}


def _refuse(where: str, field: str, value: Any, expected: str) -> PolicyFileError:
    return PolicyFileError(
        say(Code.MARK_POLICY_FIELD, file=where, field=field, value=shown(value), expected=expected)
    )


def _object(where: str, field: str, value: Any, keys: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PolicyFileError(say(Code.POLICY_FILE_OBJECT, file=where, field=field))
    for key in value:
        if key not in keys:
            raise PolicyFileError(say(Code.POLICY_FILE_UNKNOWN, file=where, field=f"{field}.{key}"))
    for key in keys - {"note"}:
        if key not in value:
            raise PolicyFileError(say(Code.POLICY_FILE_MISSING, file=where, field=f"{field}.{key}"))
    return value


def _text(where: str, field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PolicyFileError(say(Code.POLICY_FILE_TEXT, file=where, field=field))
    return value


def _confidence(where: str, field: str, value: Any) -> Confidence:
    try:
        return Confidence(value)
    except ValueError:
        raise _refuse(where, field, value, "C, C2 or M") from None


def _list(where: str, field: str, value: Any) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise PolicyFileError(say(Code.POLICY_FILE_LIST, file=where, field=field))
    return value


def mark_policy_of(body: Any, where: str) -> MarkPolicy:
    """A parsed document as the policy; ``PolicyFileError`` naming the field otherwise."""
    if not isinstance(body, dict):
        raise PolicyFileError(say(Code.POLICY_FILE_TOP, file=where))
    top = _object(where, "(top)", body, _TOP)
    if top["kind"] != KIND:
        raise PolicyFileError(
            say(Code.POLICY_FILE_KIND, file=where, value=shown(top["kind"]), expected=KIND)
        )
    version = _text(where, "version", top["version"])
    _text(where, "source", top["source"])
    country = _object(where, "country", top["country"], {"value", "confidence", "source"})
    code = country["value"]
    if not isinstance(code, str) or len(code) != 2 or not code.isascii() or not code.isupper():
        raise _refuse(where, "country.value", code, "a 2-letter country code such as CN")
    _confidence(where, "country.confidence", country["confidence"])
    bureaus: dict[str, Sourced] = {}
    for i, item in enumerate(_list(where, "bureau_codes", top["bureau_codes"])):
        field = f"bureau_codes[{i}]"
        entry = _object(where, field, item, {"office", "value", "confidence", "source"})
        office = _text(where, f"{field}.office", entry["office"])
        value = entry["value"]
        if not isinstance(value, str) or not BUREAU_PATTERN.match(value):
            raise _refuse(where, f"{field}.value", value, "2 or 4 digits")
        if office in bureaus:
            raise PolicyFileError(
                say(Code.POLICY_FILE_TWICE, file=where, field=f"{field}.office", value=office)
            )
        bureaus[office] = Sourced(
            value,
            _confidence(where, f"{field}.confidence", entry["confidence"]),
            _text(where, f"{field}.source", entry["source"]),
        )
    kinds = _list(where, "facility_kinds", top["facility_kinds"])
    for i, kind in enumerate(kinds):
        _text(where, f"facility_kinds[{i}]", kind)
    schedules: dict[str, ScheduleMethod] = {}
    methods = ", ".join(m.value for m in Method)
    for i, item in enumerate(_list(where, "schedules", top["schedules"])):
        field = f"schedules[{i}]"
        entry = _object(where, field, item, {"schedule", "method", "confidence", "source"})
        schedule = _text(where, f"{field}.schedule", entry["schedule"])
        try:
            method = Method(entry["method"])
        except ValueError:
            raise _refuse(where, f"{field}.method", entry["method"], methods) from None
        if schedule in schedules:
            raise PolicyFileError(
                say(Code.POLICY_FILE_TWICE, file=where, field=f"{field}.schedule", value=schedule)
            )
        schedules[schedule] = ScheduleMethod(
            schedule,
            method,
            _confidence(where, f"{field}.confidence", entry["confidence"]),
            _text(where, f"{field}.source", entry["source"]),
        )
    return MarkPolicy(
        version=version,
        country=code,
        bureau_codes=bureaus,
        schedules=schedules,
        facility_kinds=frozenset(kinds),
    )


def load_mark_policy(path: Path = MARK_FILE) -> MarkPolicy:
    """The mark's policy from ``path`` (the shipped file by default)."""
    return mark_policy_of(read_json(path), path.name)
