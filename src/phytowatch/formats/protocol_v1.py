"""Device protocol v1 on the wire (docs/device-protocol.md): a batch's bytes to its JSON object,
and each reading's time, value and fault as the protocol writes them.

A body that is not a protocol batch is refused whole (:class:`PayloadError`, HTTP 422): not UTF-8
JSON, a key twice in one object, neither or both of the two forms. A reading whose time or value
cannot be read raises :class:`TimeError` or :class:`ReadingError` alone, so the caller rejects that
reading and keeps the rest. Every refusal is a message code with parameters
(:mod:`phytowatch.domain.messages`), never a sentence. Which probes and which times a facility
accepts is the use case's (services.ingest).
"""

from __future__ import annotations

import codecs
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any

from phytowatch.domain.instants import EARLIEST_INSTANT, LATEST_INSTANT, US_PER_S
from phytowatch.domain.messages import Code, Message, say
from phytowatch.domain.text import plain_text

MAX_FAULT_CHARS = 64
_SHOWN_NUMBER = 24  # a number too long to read is named by its first characters

# The device times the protocol allows, matched whole before anything is parsed (ASCII digits
# only): an ISO 8601 calendar date and time of day with its offset, or Unix seconds.
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?",
    re.ASCII,
)
_UNIX_TEXT = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def printable(text: str) -> bool:
    """Text a database and a JSON answer can hold as it is, and a record shows as it reads: the
    one rule of free text (domain/text.py: no control characters, lone surrogates or direction
    overrides, not only invisible characters)."""
    return plain_text(text)


class ProtocolError(ValueError):
    """What a device sent, refused, and why: a message (code and parameters)."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.english())
        self.message = message


class PayloadError(ProtocolError):
    """The body is not a protocol batch (HTTP 422): refused whole, nothing stored."""


class ReadingError(ProtocolError):
    """One reading's value or fault cannot be read: that reading is rejected."""


class TimeProblem(StrEnum):
    """Why a device time cannot be read (the caller says it for its field: ``t``, ``taken_at``)."""

    BOOLEAN = "boolean"  # true/false
    TYPE = "type"  # not a text or a number
    FORMAT = "format"  # a text of no form the protocol allows
    CONTROL = "control"  # a control character (NUL…) or a lone surrogate in the text
    NO_OFFSET = "no_offset"  # an ISO 8601 time without its UTC offset
    FINE = "fine"  # finer than a microsecond
    RANGE = "range"  # outside the years 1900 to 9998
    OFFSET = "offset"  # a UTC offset beyond ±23:59
    DATE = "date"  # no such date or time of day (02-30, 25:00)


class TimeError(ValueError):
    def __init__(self, problem: TimeProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class FaultWithoutColumn:
    """A position of ``columns.faults[probe]`` for a probe with no column of values: a reading
    offered that the batch does not give, rejected as such (never dropped silently)."""

    probe: str


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are each given once: ``{"facility": "B", "facility": "A"}`` is
    refused, not read as its last key."""
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise PayloadError(say(Code.PAYLOAD_DUPLICATE_KEY, key=key))
            seen.add(key)
    return data


def _refuse_constant(name: str) -> float:
    raise PayloadError(say(Code.PAYLOAD_CONSTANT, constant=name))


def _shown_number(text: str) -> str:
    return text if len(text) <= _SHOWN_NUMBER else text[:_SHOWN_NUMBER] + "…"


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except ArithmeticError:  # an exponent beyond what Decimal holds
        raise PayloadError(say(Code.PAYLOAD_NUMBER, number=_shown_number(text))) from None


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # longer than Python converts (sys.get_int_max_str_digits)
        raise PayloadError(say(Code.PAYLOAD_NUMBER, number=_shown_number(text))) from None


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object of a batch; PayloadError for anything else."""
    if body.startswith(codecs.BOM_UTF8):
        raise PayloadError(say(Code.PAYLOAD_BOM))
    nul = body.find(b"\x00")  # never in JSON text: UTF-16 or UTF-32 (json.loads would guess)
    if nul >= 0:
        raise PayloadError(say(Code.PAYLOAD_NOT_UTF8, byte=nul))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PayloadError(say(Code.PAYLOAD_NOT_UTF8, byte=error.start)) from None
    try:
        # numbers with a fraction as Decimal: a time finer than a microsecond is refused, not
        # rounded by a float on the way in
        data = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_decimal,
            parse_int=_integer,
            object_pairs_hook=_unique_keys,
        )
    except PayloadError:
        raise
    except json.JSONDecodeError as error:
        raise PayloadError(
            say(
                Code.PAYLOAD_NOT_JSON,
                problem=error.msg,
                line=error.lineno,
                column=error.colno,
                char=error.pos,
            )
        ) from None
    except RecursionError:
        raise PayloadError(say(Code.PAYLOAD_TOO_DEEP)) from None
    if not isinstance(data, dict):
        raise PayloadError(say(Code.PAYLOAD_NOT_OBJECT))
    facility = data.get("facility")
    if not isinstance(facility, str) or not facility:
        raise PayloadError(say(Code.PAYLOAD_FACILITY))
    if "readings" not in data and "columns" not in data:
        raise PayloadError(say(Code.PAYLOAD_NO_READINGS))
    if "readings" in data and "columns" in data:  # one would be dropped: refuse, store nothing
        raise PayloadError(say(Code.PAYLOAD_BOTH_FORMS))
    return data


def instant(value: Any) -> int:
    """A reading's ``t`` in µs; TimeError when it is not a device time."""
    if isinstance(value, bool):
        raise TimeError(TimeProblem.BOOLEAN)
    if isinstance(value, int):
        return _seconds(Decimal(value))
    if isinstance(value, Decimal | float):
        return _seconds(Decimal(value))
    if isinstance(value, str):
        return _text_instant(value)
    raise TimeError(TimeProblem.TYPE)


def _seconds(seconds: Decimal) -> int:
    """Unix seconds, exactly, to µs."""
    if not seconds.is_finite():
        raise TimeError(TimeProblem.FORMAT)
    try:
        micros = seconds * US_PER_S
        if not EARLIEST_INSTANT <= micros < LATEST_INSTANT:
            raise TimeError(TimeProblem.RANGE)
        if micros != micros.to_integral_value():
            raise TimeError(TimeProblem.FINE)
    except ArithmeticError:  # an exponent beyond the context's
        raise TimeError(TimeProblem.RANGE) from None
    return int(micros)


def _text_instant(text: str) -> int:
    """A device time given as text, matched whole: no spaces around it, no control characters,
    ASCII digits only, no ``+`` before Unix seconds."""
    if not printable(text):
        raise TimeError(TimeProblem.CONTROL)
    if _UNIX_TEXT.fullmatch(text):
        return _seconds(Decimal(text))
    match = _ISO.fullmatch(text)
    if match is None:
        raise TimeError(TimeProblem.FORMAT)
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    if zulu is None and sign is None:
        raise TimeError(TimeProblem.NO_OFFSET)
    if fraction is not None and len(fraction) > 6:
        raise TimeError(TimeProblem.FINE)
    offset = timedelta(0)
    if sign is not None:
        hours, minutes = int(off_h), int(off_m or 0)
        if hours > 23 or minutes > 59:
            raise TimeError(TimeProblem.OFFSET)
        offset = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "").ljust(6, "0")),
            tzinfo=timezone(offset),
        )
    except ValueError:
        raise TimeError(TimeProblem.DATE) from None
    try:
        micros = (moment - _EPOCH) // timedelta(microseconds=1)
    except OverflowError:
        raise TimeError(TimeProblem.RANGE) from None
    if not EARLIEST_INSTANT <= micros < LATEST_INSTANT:
        raise TimeError(TimeProblem.RANGE)
    return micros


def value_of(value: Any, fault: Any) -> tuple[float | None, str | None]:
    """A reading's ``v`` and ``fault`` as (value, fault); ReadingError when they cannot be read."""
    if fault is not None:
        if not isinstance(fault, str) or not fault.strip() or len(fault) > MAX_FAULT_CHARS:
            raise ReadingError(say(Code.READING_FAULT_TEXT, max=MAX_FAULT_CHARS))
        if not printable(fault):
            raise ReadingError(say(Code.READING_FAULT_PRINTABLE))
        if value is not None:
            raise ReadingError(say(Code.READING_VALUE_AND_FAULT))
        return None, fault.strip()
    if value is None:
        return None, "no_value"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ReadingError(say(Code.READING_VALUE))
    try:
        number = float(value)
    except OverflowError:
        raise ReadingError(say(Code.READING_VALUE_LARGE)) from None
    if not math.isfinite(number):
        raise ReadingError(say(Code.READING_VALUE_LARGE))
    return number, None


def _probe_keys(columns: dict[str, Any]) -> list[str]:
    return [key for key in columns if key not in {"t", "faults"}]


def _faults_only(columns: dict[str, Any]) -> list[str]:
    """The probes ``columns.faults`` names that have no column of values."""
    faults = columns.get("faults")
    if not isinstance(faults, dict):
        return []
    return [
        probe
        for probe, listed in faults.items()
        if isinstance(listed, list) and (probe not in columns or probe in {"t", "faults"})
    ]


def count_items(data: dict[str, Any]) -> int:
    """How many readings a parsed batch offers, cheaply (before any is checked)."""
    if "readings" in data:
        readings = data["readings"]
        return len(readings) if isinstance(readings, list) else 0
    columns = data.get("columns")
    if not isinstance(columns, dict) or not isinstance(columns.get("t"), list):
        return 0
    probes = len(_probe_keys(columns)) + len(_faults_only(columns))
    return len(columns["t"]) * probes


def items(data: dict[str, Any]) -> list[Any]:
    """The readings of either form, as a list of dicts (or junk, rejected one by one).

    In the columnar form, probe after probe in the order of the keys, each over all the times;
    then, for each probe that ``columns.faults`` names without a column of values, one
    :class:`FaultWithoutColumn` per time (rejected, so that the answer accounts for it)."""
    if "readings" in data:
        readings = data["readings"]
        if not isinstance(readings, list):
            raise PayloadError(say(Code.PAYLOAD_READINGS_LIST))
        return readings
    columns = data["columns"]
    if not isinstance(columns, dict) or not isinstance(columns.get("t"), list):
        raise PayloadError(say(Code.PAYLOAD_COLUMNS))
    times = columns["t"]
    all_faults = columns.get("faults") or {}
    if not isinstance(all_faults, dict):
        raise PayloadError(say(Code.PAYLOAD_FAULTS))
    for probe, faults in all_faults.items():
        if faults is not None and (not isinstance(faults, list) or len(faults) != len(times)):
            raise PayloadError(say(Code.PAYLOAD_FAULTS_LENGTH, probe=probe))
    out: list[Any] = []
    for probe in _probe_keys(columns):
        values = columns[probe]
        if not isinstance(values, list) or len(values) != len(times):
            raise PayloadError(say(Code.PAYLOAD_COLUMN_LENGTH, probe=probe))
        faults = all_faults.get(probe)
        for k, value in enumerate(values):
            item = {"probe": probe, "t": times[k], "v": value}
            if faults is not None and faults[k] is not None:
                item["fault"] = faults[k]
            out.append(item)
    for probe in _faults_only(columns):
        out.extend(FaultWithoutColumn(probe) for _ in times)
    return out
