"""The IPPC mark for wood packaging (ISPM 15): its text, which schedules may back it, and when
an inspector may authorise it for a load.

ISPM 15 Annex 2 composes the mark of the IPPC symbol, the ISO 3166-1 country code, a unique code
the NPPO gives the producer or treatment provider, and the treatment code (HT, DH, MB, SF). In
China the provider's code is the supervising bureau's code followed by the provider's 3-digit
treater number; the mark prints ``CN-4401 001`` over ``HT``, which one line writes as
``CN-4401 001 HT`` (docs/ippc-mark.md; the bureau code's layout is [C2]).

Pure: the facts come in as values, a refusal goes out as a message (``None``: it may).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from phytowatch.domain.messages import Code, Message, Word, say
from phytowatch.domain.schedule import Confidence
from phytowatch.domain.signoff import Decision


class Method(StrEnum):
    """The ISPM 15 treatment codes a mark may carry (SF, sulfuryl fluoride, is not offered)."""

    HT = "HT"  # heat treatment: 56 °C at the core for 30 continuous minutes
    DH = "DH"  # dielectric heating: 60 °C through the profile for 1 continuous minute
    MB = "MB"  # methyl bromide fumigation (no schedule of the catalogue: never authorised)


class Unit(StrEnum):
    """How a load of wood packaging is counted."""

    PIECES = "pieces"
    PALLETS = "pallets"
    CRATES = "crates"
    CUBIC_METRES = "m3"


NUMBER_PREFIX = "MK"
NUMBER_PATTERN = re.compile(r"^MK(\d{4})-(\d{6})$")
TREATER_PATTERN = re.compile(r"^\d{3}$")
BUREAU_PATTERN = re.compile(r"^(\d{2}|\d{4})$")
CHECK_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read off a print
CHECK_LENGTH = 6
MAX_LOAD = 500
MAX_QUANTITY = Decimal(10**9)


@dataclass(frozen=True)
class Sourced:
    """A value of the mark's policy, with where it comes from and how sure it is."""

    value: str
    confidence: Confidence
    source: str

    @property
    def verified(self) -> bool:
        return self.confidence is Confidence.CHECKED


@dataclass(frozen=True)
class ScheduleMethod:
    """The ISPM 15 treatment a schedule of the catalogue is."""

    schedule_id: str
    method: Method
    confidence: Confidence
    source: str


@dataclass(frozen=True)
class MarkPolicy:
    """The mark's policy as data (rules/data/ippc-mark.json)."""

    version: str
    country: str  # ISO 3166-1 alpha-2: CN
    bureau_codes: Mapping[str, Sourced]  # office code (or "*", any other) -> bureau code
    schedules: Mapping[str, ScheduleMethod]  # schedule id -> its method
    facility_kinds: frozenset[str]  # the facility kinds that may treat wood packaging

    def bureau_code(self, office: str) -> Sourced | None:
        return self.bureau_codes.get(office) or self.bureau_codes.get("*")

    def method_of(self, schedule_id: str) -> ScheduleMethod | None:
        return self.schedules.get(schedule_id)


@dataclass(frozen=True)
class MarkRun:
    """What the rule needs of a run."""

    run_id: int
    schedule_id: str
    closed: bool
    verdict: str | None
    decision: Decision | None  # the inspector's sign-off, if any


@dataclass(frozen=True)
class MarkFacility:
    """What the rule needs of the run's facility."""

    code: str
    kind: str
    enterprise: str
    city: str
    treater_number: str | None


@dataclass(frozen=True)
class Load:
    """The wood packaging a mark is authorised for."""

    description: str
    quantity: Decimal
    unit: Unit


@dataclass(frozen=True)
class Authorisation:
    """One authorisation of the mark for a load: a legal record, kept as written."""

    number: str  # MK2026-000001
    run_id: int
    facility: str
    enterprise: str
    treater_number: str
    bureau_code: str
    mark: str  # CN-4401 001 HT
    method: Method
    schedule_id: str
    load: Load
    office: str
    by: str  # actor
    at: int  # µs
    token: str  # unguessable: the verification address
    check_code: str  # short, printed: typed with the number


@dataclass(frozen=True)
class Revocation:
    """An authorisation withdrawn (the load was found untreated, the record wrong): its own
    record, kept as written; the authorisation itself is never changed."""

    number: str  # the authorisation's
    reason: str
    office: str
    by: str
    at: int


MAX_REASON = 2000


def mark_text(country: str, bureau_code: str, treater_number: str, method: Method) -> str:
    """``CN-4401 001 HT``: the mark on one line (ISPM 15 Annex 2 prints the method below)."""
    return f"{country}-{bureau_code} {treater_number} {method.value}"


def mark_lines(mark: str) -> tuple[str, str]:
    """The mark as printed: country, bureau and treater code over the treatment code."""
    head, _, method = mark.rpartition(" ")
    return head, method


def number_of(year: int, serial: int) -> str:
    return f"{NUMBER_PREFIX}{year:04d}-{serial:06d}"


def check_code(token: str) -> str:
    """The short code printed beside the number: derived from the token, so the pair (number,
    check code) proves the holder saw the record, and the number alone reveals nothing."""
    digest = hashlib.sha256(("ippc-mark-check:" + token).encode()).digest()
    value = int.from_bytes(digest[:8], "big")
    out = []
    for _ in range(CHECK_LENGTH):
        value, rest = divmod(value, len(CHECK_ALPHABET))
        out.append(CHECK_ALPHABET[rest])
    return "".join(out)


def normal_check(text: str) -> str:
    """A typed check code as stored: upper case, without spaces or dashes."""
    return "".join(c for c in text.upper() if c not in " -")


def may_authorise(
    run: MarkRun,
    facility: MarkFacility,
    schedule: ScheduleMethod | None,
    *,
    wanted: Method | None = None,
    kinds: frozenset[str] = frozenset({"kiln"}),
) -> Message | None:
    """Why the mark cannot be authorised on this run, or ``None`` when it can.

    The run must be closed, PASS and signed off (not rejected: docs/accounts.md, "Sign-off"),
    under a schedule that is an ISPM 15 treatment (the method asked, when one is), at a facility
    of a kind that treats wood packaging and registered with a 3-digit treater number."""
    if not run.closed:
        return say(Code.MARK_RUN_OPEN, run=run.run_id)
    if run.verdict != "PASS":
        return say(
            Code.MARK_NOT_PASS, run=run.run_id, verdict=Word(run.verdict or "without a verdict")
        )
    if run.decision is Decision.REJECTED:
        return say(Code.MARK_REJECTED, run=run.run_id)
    if run.decision is not Decision.SIGNED_OFF:
        return say(Code.MARK_NOT_SIGNED_OFF, run=run.run_id)
    if schedule is None:
        return say(Code.MARK_SCHEDULE, run=run.run_id, schedule=run.schedule_id)
    if wanted is not None and schedule.method is not wanted:
        return say(
            Code.MARK_METHOD,
            schedule=run.schedule_id,
            method=schedule.method.value,
            wanted=wanted.value,
        )
    if facility.kind not in kinds or not facility.treater_number:
        return say(Code.MARK_NOT_REGISTERED, facility=facility.code)
    if not TREATER_PATTERN.match(facility.treater_number):
        return say(Code.MARK_TREATER_NUMBER, facility=facility.code, number=facility.treater_number)
    return None


def parse_load(description: str, quantity: str, unit: str) -> Load | Message:
    """The load as typed, or the first thing wrong with it (the field named)."""
    text = " ".join(description.split())
    if not text:
        return say(Code.FIELD_REQUIRED, field="load")
    if len(text) > MAX_LOAD or not text.isprintable():
        return say(Code.FIELD_TEXT, field="load", max=MAX_LOAD)
    try:
        amount = Decimal(quantity.strip())
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount <= 0 or amount > MAX_QUANTITY or amount != round(amount, 3):
        return say(Code.MARK_QUANTITY, field="quantity", max=int(MAX_QUANTITY))
    try:
        chosen = Unit(unit.strip())
    except ValueError:
        return say(Code.FIELD_CHOICE, field="unit", choices=", ".join(u.value for u in Unit))
    return Load(text, amount.to_integral() if amount == amount.to_integral() else amount, chosen)
