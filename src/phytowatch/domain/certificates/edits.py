"""What an applicant may change in a draft (or returned) certificate: the free fields only.

The lines, the exporter, the destination and the treatment box come from the declaration and
the runs and are never typed; a wrong one is corrected on the declaration. Each refused field is
named with its message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from phytowatch.domain.certificates.model import (
    CertificateContent,
    CertificateKind,
    Party,
    ReexportDetails,
)
from phytowatch.domain.messages import Code, Message, say

MAX_TEXT = 2000
MAX_NAME = 500
TEXT_FIELDS = ("marks", "point_of_entry", "conveyance", "additional_declaration", "remarks")
EDITABLE = (*TEXT_FIELDS, "consignee", "reexport")
_REEXPORT_FLAGS = ("certified_copy", "repacked", "new_containers", "additional_inspection")


def _printable(text: str) -> bool:
    return all(ch.isprintable() or ch in "\n\t" for ch in text)


def _party(value: object, name: str, wrong: list[tuple[str, Message]]) -> Party | None:
    if not isinstance(value, Mapping) or set(value) - {"name", "address"}:
        wrong.append((name, say(Code.FIELD_INVALID, field=name)))
        return None
    parts: dict[str, str] = {}
    for part in ("name", "address"):
        text = value.get(part, "")
        field = f"{name}.{part}"
        if (
            not isinstance(text, str)
            or not text.strip()
            or len(text) > MAX_NAME
            or not _printable(text)
        ):
            wrong.append((field, say(Code.FIELD_TEXT, field=field, max=MAX_NAME)))
        else:
            parts[part] = text.strip()
    return Party(**parts) if len(parts) == 2 else None


def _reexport(
    value: object, current: ReexportDetails | None, wrong: list[tuple[str, Message]]
) -> ReexportDetails | None:
    if not isinstance(value, Mapping):
        wrong.append(("reexport", say(Code.FIELD_INVALID, field="reexport")))
        return None
    known = {"origin_country", "original_certificate", *_REEXPORT_FLAGS}
    for extra in sorted(set(value) - known):
        wrong.append((f"reexport.{extra}", say(Code.FIELD_UNKNOWN, field=f"reexport.{extra}")))
    origin = value.get("origin_country", current.origin_country if current else "")
    original = value.get("original_certificate", current.original_certificate if current else "")
    if not isinstance(origin, str) or len(origin) != 2 or not origin.isalpha():
        field = "reexport.origin_country"
        wrong.append((field, say(Code.CERT_COUNTRY, field=field)))
    if not isinstance(original, str) or not original.strip() or len(original) > 100:
        field = "reexport.original_certificate"
        wrong.append((field, say(Code.FIELD_TEXT, field=field, max=100)))
    flags: dict[str, bool] = {}
    for flag in _REEXPORT_FLAGS:
        given = value.get(flag, getattr(current, flag) if current else False)
        if not isinstance(given, bool):
            wrong.append((f"reexport.{flag}", say(Code.FIELD_BOOLEAN, field=f"reexport.{flag}")))
        else:
            flags[flag] = given
    if wrong:
        return None
    assert isinstance(origin, str) and isinstance(original, str)
    return ReexportDetails(origin.upper(), original.strip(), **flags)


def reexport_problems(details: ReexportDetails | None) -> list[tuple[str, Message]]:
    """A re-export certificate's box, checked as an edit would check it."""
    if details is None:
        return [("reexport", say(Code.FIELD_REQUIRED, field="reexport"))]
    wrong: list[tuple[str, Message]] = []
    _reexport(dataclasses.asdict(details), None, wrong)
    return wrong


def apply_changes(
    content: CertificateContent, changes: Mapping[str, object]
) -> tuple[CertificateContent, list[tuple[str, Message]]]:
    """The content with ``changes`` made, and every refused field (the content unchanged then)."""
    wrong: list[tuple[str, Message]] = []
    values: dict[str, object] = {}
    for name, value in changes.items():
        if name not in EDITABLE:
            wrong.append((name, say(Code.CERT_FIELD_FIXED, field=name)))
        elif name == "consignee":
            party = _party(value, name, wrong)
            if party is not None:
                values[name] = party
        elif name == "reexport":
            if content.kind is not CertificateKind.REEXPORT:
                wrong.append((name, say(Code.CERT_FIELD_FIXED, field=name)))
                continue
            details = _reexport(value, content.reexport, wrong)
            if details is not None:
                values[name] = details
        elif not isinstance(value, str) or len(value) > MAX_TEXT or not _printable(value):
            wrong.append((name, say(Code.FIELD_AT_MOST, field=name, max=MAX_TEXT)))
        else:
            values[name] = value.strip()
    if wrong:
        return content, wrong
    return dataclasses.replace(content, **values), []  # type: ignore[arg-type]
