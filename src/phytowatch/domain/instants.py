"""Instants and durations as exact integers.

Every device time in phytowatch is an ``int`` count of microseconds since the Unix epoch, UTC.
Integers keep "30 min means 1,800,000,000 µs" exact: no float subtraction can turn a hold of
exactly 30 minutes into 29:59.999999 (treatments.md §3.1: no rounding of times, ever).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from phytowatch.domain.messages import Code, Invalid, invalid

# the bureau's own zone, in which its days, years and numbers are counted: China Standard Time,
# UTC+8 with no summer time since 1991 (a fixed offset: no tz database needed)
BUREAU_ZONE = timezone(timedelta(hours=8))

US_PER_S = 1_000_000
US_PER_MIN = 60 * US_PER_S
US_PER_H = 60 * US_PER_MIN
US_PER_D = 24 * US_PER_H

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_ONE_US = timedelta(microseconds=1)
_UNIX = re.compile(r"^[+-]?\d+(\.\d+)?$")
_FRACTION = re.compile(r"[.,](\d+)")
_ON_SECONDS = re.compile(r"\d\d:?\d\d:?\d\d$")
# Device times are judged and printed as dates: keep them within years a log can have.
EARLIEST_INSTANT = -2_208_988_800 * US_PER_S  # 1900-01-01T00:00:00Z
LATEST_INSTANT = 253_370_764_800 * US_PER_S  # 9999-01-01T00:00:00Z

_UNITS = {
    "s": US_PER_S,
    "sec": US_PER_S,
    "min": US_PER_MIN,
    "h": US_PER_H,
    "d": US_PER_D,
}


def instant_from_datetime(moment: datetime) -> int:
    """Microseconds since the epoch; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _ONE_US


def datetime_from_instant(instant: int) -> datetime:
    return _EPOCH + timedelta(microseconds=instant)


def format_instant(instant: int) -> str:
    """UTC ISO 8601 with ``Z``; fractions of a second only when there are any."""
    moment = datetime_from_instant(instant)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def seconds(duration: int) -> int | float:
    """A duration in seconds for output: an int when whole, else the exact decimal as float."""
    whole, rest = divmod(duration, US_PER_S)
    if rest == 0:
        return whole
    return float(Decimal(duration) / US_PER_S)


def parse_duration(text: str | int | float) -> int:
    """``"30 min"``, ``"3.5 h"``, ``"18 d"``, ``"15 s"`` or a number of seconds, to microseconds.

    Raises ValueError for anything else, or for a duration that is not a whole number of
    microseconds (it would have to be rounded).
    """
    if isinstance(text, bool):
        raise invalid(Code.DURATION_NOT, text=text)
    if isinstance(text, int | float):
        amount, unit = Decimal(repr(text)), US_PER_S
    else:
        parts = text.strip().split()
        if len(parts) == 1:
            number = parts[0].rstrip("abcdefghijklmnopqrstuvwxyz")
            parts = [number, parts[0][len(number) :]] if number != parts[0] else [number, "s"]
        if len(parts) != 2 or parts[1] not in _UNITS:
            raise invalid(Code.DURATION_HOW, text=text)
        try:
            amount = Decimal(parts[0])
        except InvalidOperation:
            raise invalid(Code.DURATION_NOT, text=text) from None
        unit = _UNITS[parts[1]]
    if not amount.is_finite() or amount <= 0:
        raise invalid(Code.DURATION_NOT_POSITIVE, text=text)
    try:
        total = amount * unit
    except ArithmeticError:  # past the decimal context's exponent (1e999999999 s)
        raise invalid(Code.DURATION_NOT, text=text) from None
    if total != total.to_integral_value():
        raise invalid(Code.DURATION_FINER, text=text)
    return int(total)


def format_duration(duration: int) -> str:
    """A human duration: ``30 min``, ``14 d``, ``3 h 30 min``, ``1 min 5 s``."""
    if duration < 0:
        return "-" + format_duration(-duration)
    parts: list[str] = []
    rest = duration
    for unit_us, name in ((US_PER_D, "d"), (US_PER_H, "h"), (US_PER_MIN, "min")):
        whole, rest = divmod(rest, unit_us)
        if whole:
            parts.append(f"{whole} {name}")
    if rest or not parts:
        secs = seconds(rest)
        parts.append(f"{secs} s")
    return " ".join(parts)


def parse_instant(text: str, *, naive_is_utc: bool = True) -> int:
    """ISO 8601 (with an offset or ``Z``) or Unix seconds, to µs since the epoch.

    A timestamp without an offset is UTC when ``naive_is_utc`` (CSV logs), else refused (the
    device protocol). ValueError for anything else, and for a time finer than a microsecond
    (it would have to be rounded).
    """
    text = text.strip()
    if _UNIX.match(text):
        micros = Decimal(text) * US_PER_S
        if micros != micros.to_integral_value():
            raise invalid(Code.INSTANT_FINER)
        return _in_range(int(micros))
    if "." in text or "," in text:
        match = _FRACTION.search(text)
        if match:
            if not _ON_SECONDS.search(text[: match.start()]):
                raise invalid(Code.INSTANT_FRACTION)
            if len(match.group(1)) > 6:
                raise invalid(Code.INSTANT_FINER)
    try:
        moment = datetime.fromisoformat(text)
    except OverflowError:
        raise _outside_the_years() from None
    except ValueError as error:
        if "offset" in str(error) or "timedelta" in str(error):
            raise invalid(Code.INSTANT_OFFSET_RANGE) from None
        raise
    try:
        if moment.tzinfo is None:
            if not naive_is_utc:
                raise invalid(Code.INSTANT_NO_OFFSET)
            return _in_range((moment - _EPOCH_NAIVE) // _ONE_US)
        return _in_range((moment - _EPOCH) // _ONE_US)
    except OverflowError:
        raise _outside_the_years() from None


def _in_range(instant: int) -> int:
    if not EARLIEST_INSTANT <= instant < LATEST_INSTANT:
        raise _outside_the_years()
    return instant


def _outside_the_years() -> Invalid:
    return invalid(Code.INSTANT_YEARS, first=1900, last=9998)
