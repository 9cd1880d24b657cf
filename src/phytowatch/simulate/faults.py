"""Faults on demand, as values: what goes wrong, to which probe, when and for how long.

The syntax (one ``--fault`` each; times are from the start of the run, with a unit)::

    door@90m:10m             the door is opened at 90 min for 10 min (the air dips)
    stuck:C2@2h[:30m]        C2 repeats its last value from 2 h (for 30 min, else to the end)
    pulled:C3@100m           C3 is pulled out of the wood at 100 min: it reads the air
    dropout:C1@1h:20m        C1 sends nothing for 20 min
    error:C2@30m:5m[:CODE]   C2 sends no value but an error code (default open_circuit)
    clock:+3m[@1h]           the device clock runs 3 min ahead (or -3m behind) (from 1 h)
    outage@2h:30m            the network is down for 30 min; the backlog follows, oldest first
    resend@3h                an already-sent batch is sent again: once identical, once changed
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

from phytowatch.domain.messages import Code, Instant, Invalid, Message, Param, say

PROBE_FAULTS = ("stuck", "pulled", "dropout", "error")
FACILITY_FAULTS = ("door", "outage", "resend", "clock")
KINDS = (*PROBE_FAULTS, *FACILITY_FAULTS)
_NEEDS_DURATION = ("door", "dropout", "error", "outage")
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_FAULT = re.compile(r"^(?P<kind>[a-z]+)(?::(?P<target>[^@]+))?(?:@(?P<when>.+))?$")
_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class SpecError(Invalid):
    """A fault, duration, probe or facility that cannot be read, as a message, and where it was
    found (``within``: the places around it, outermost first, each a code whose template ends in
    ``{problem}``). ``str()`` is the English line; :meth:`said` renders it in a language."""

    def __init__(self, message: Message, within: tuple[Message, ...] = ()) -> None:
        super().__init__(message)
        self.within = within
        self.args = (self.said(Message.english),)

    def inside(self, code: Code, /, **params: Param) -> SpecError:
        """The same problem, found in a place (a facility, a fleet file's entry, an option)."""
        return SpecError(self.message, (say(code, **params), *self.within))

    def said(self, render: Callable[[Message], str]) -> str:
        text = render(self.message)
        for place in reversed(self.within):
            text = render(Message(place.code, MappingProxyType({**place.params, "problem": text})))
        return text


def refuse(code: Code, /, **params: Param) -> SpecError:
    """``raise refuse(Code.SIM_GIVE_START)``."""
    return SpecError(say(code, **params))


def parse_duration(text: str, *, bare_seconds: bool = False) -> int:
    """``90m``, ``2h``, ``1h30m``, ``45s``, ``2d`` (or ``0``) to whole seconds.

    A bare number is seconds only when ``bare_seconds``: in a fault, ``door@90:10`` could mean
    seconds or minutes, so a unit is required there.
    """
    text = text.strip()
    if text.isdigit():
        if bare_seconds or int(text) == 0:
            return int(text)
        raise refuse(Code.SIM_DURATION_UNIT, text=text, bare=text)
    match = _DURATION.match(text)
    if not text or not match:
        raise refuse(Code.SIM_NOT_DURATION, text=text)
    return sum(int(n) * u for n, u in zip(match.groups(), _UNITS.values(), strict=True) if n)


def format_elapsed(seconds: float) -> str:
    """``+1h30m``, ``+45s``: time since the start of a run, for the progress lines."""
    rest = int(seconds)
    out = ""
    for unit, size in _UNITS.items():
        whole, rest = divmod(rest, size)
        if whole:
            out += f"{whole}{unit}"
    return "+" + (out or "0s")


@dataclass(frozen=True)
class Fault:
    """One fault: ``start_s`` from the start of the run; ``duration_s`` None means to the end."""

    kind: str
    start_s: int
    duration_s: int | None = None
    probe: str | None = None
    code: str = "open_circuit"  # error: the fault code sent instead of a value
    offset_s: int = 0  # clock: how far the device clock is off

    def active(self, elapsed_s: float) -> bool:
        if elapsed_s < self.start_s:
            return False
        return self.duration_s is None or elapsed_s < self.start_s + self.duration_s

    def describe(self, at: Instant) -> Message:
        """The fault as it begins (``at``: the instant it does), e.g. ``fault: door for 10m``."""
        if self.kind == "clock":
            sign = "+" if self.offset_s >= 0 else "-"
            offset = sign + format_elapsed(abs(self.offset_s))[1:]
            return say(Code.SIM_FAULT_BEGINS_CLOCK, offset=offset, at=at)
        who = f" {self.probe}" if self.probe else ""
        if self.duration_s:
            span = format_elapsed(self.duration_s)[1:]
            return say(Code.SIM_FAULT_BEGINS_FOR, kind=self.kind, probe=who, span=span, at=at)
        return say(Code.SIM_FAULT_BEGINS, kind=self.kind, probe=who, at=at)


def parse_fault(text: str) -> Fault:
    """One fault from its text (module docstring); SpecError names what is wrong."""
    match = _FAULT.match(text.strip())
    if not match or match.group("kind") not in KINDS:
        raise refuse(Code.SIM_NOT_FAULT, option="--fault", text=text, kinds=", ".join(KINDS))
    kind, target, when = match.group("kind", "target", "when")
    try:
        if kind == "clock":
            return _clock(target, when)
        return _timed(kind, target, when)
    except SpecError as error:
        raise error.inside(Code.SIM_IN_OPTION, option="--fault", text=text) from None


def _clock(target: str | None, when: str | None) -> Fault:
    if not target or target[0] not in "+-":
        raise refuse(Code.SIM_CLOCK_SIGN)
    offset = parse_duration(target[1:])
    start = parse_duration(when) if when else 0
    return Fault("clock", start, None, offset_s=offset if target[0] == "+" else -offset)


def _timed(kind: str, target: str | None, when: str | None) -> Fault:
    if kind in PROBE_FAULTS and not target:
        raise refuse(Code.SIM_NAME_PROBE, kind=kind)
    if kind in FACILITY_FAULTS and target:
        raise refuse(Code.SIM_WHOLE_FACILITY, kind=kind)
    if not when:
        raise refuse(Code.SIM_GIVE_START)
    parts = when.split(":")
    limit = 3 if kind == "error" else 1 if kind in ("pulled", "resend") else 2
    if len(parts) > limit:
        raise refuse(Code.SIM_TOO_MANY_PARTS, kind=kind)
    start = parse_duration(parts[0])
    duration = parse_duration(parts[1]) if len(parts) > 1 else None
    if kind in _NEEDS_DURATION and not duration:
        raise refuse(Code.SIM_NEEDS_DURATION, kind=kind)
    if kind == "resend":
        duration = None  # due from its time on; the runner does it once
    code = "open_circuit"
    if len(parts) == 3:
        code = parts[2]
        if not _CODE.match(code):
            raise refuse(Code.SIM_ERROR_CODE, code=code)
    return Fault(kind, start, duration, probe=target, code=code)
