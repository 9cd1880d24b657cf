"""A fleet of simulated facilities on an accelerated clock.

Simulated time runs ``speed`` times faster than the wall clock: the run's elapsed time is
``(wall - wall at start) * speed``. Each facility takes a sample when it is due and sends it
(one batch per sample, or the backlog in batches after an outage). The clocks are passed in
(``monotonic``, ``sleep``), so a test can drive the runner without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from phytowatch.domain.messages import Code, Instant, Message, Param, say
from phytowatch.simulate.device import Device, Transport
from phytowatch.simulate.faults import format_elapsed
from phytowatch.simulate.models import FacilityModel
from phytowatch.simulate.spec import FacilitySpec

_MAX_SLEEP_S = 0.25  # stay responsive to Ctrl-C and to Retry-After


@dataclass
class Running:
    """One facility of the fleet: its model, its device, the faults already announced."""

    spec: FacilitySpec
    model: FacilityModel
    device: Device
    started: set[int] = field(default_factory=set)
    ended: set[int] = field(default_factory=set)

    def online(self, elapsed: float) -> bool:
        return not any(f.kind == "outage" and f.active(elapsed) for f in self.spec.faults)


@dataclass
class Outcome:
    fleet: list[Running]
    elapsed_s: float
    interrupted: bool

    @property
    def unsent(self) -> int:
        return sum(r.device.pending for r in self.fleet)

    @property
    def failed(self) -> bool:
        return self.unsent > 0 or any(r.device.stopped for r in self.fleet)


Said = Callable[[Message], str]  # how a message is said: in English, or the reader's language


def at(elapsed: float, facility: str, said: Said) -> str:
    """The head of a progress line: the simulated time since the start, the facility."""
    return said(say(Code.SIM_AT, elapsed=format_elapsed(elapsed), facility=facility))


def status_line(running: Running, elapsed: float, said: Said = Message.english) -> str:
    """One short line: what the facility sent, what the server made of it, what is buffered."""
    s = running.device.stats
    status = say(
        Code.SIM_STATUS,
        sent=s.sent,
        accepted=s.accepted,
        duplicates=s.duplicates,
        rejected=s.rejected,
        buffer=running.device.pending,
    )
    line = f"{at(elapsed, running.spec.code, said)}  {running.spec.kind}  {said(status)}"
    if not running.online(elapsed):
        line += "  " + said(say(Code.SIM_OFFLINE))
    if running.device.stopped:
        line += "  " + said(say(Code.SIM_STOPPED))
    return line


def summary_lines(outcome: Outcome, said: Said = Message.english) -> list[str]:
    lines = []
    for r in outcome.fleet:
        s = r.device.stats
        counts: dict[str, Param] = {
            "facility": r.spec.code,
            "samples": s.samples,
            "sent": s.sent,
            "batches": s.batches,
            "accepted": s.accepted,
            "duplicates": s.duplicates,
            "rejected": s.rejected,
            "retries": s.retries,
            "unsent": r.device.pending,
        }
        if s.refused:
            lines.append(said(say(Code.SIM_SUMMARY_REFUSED, **counts, refused=s.refused)))
        else:
            lines.append(said(say(Code.SIM_SUMMARY, **counts)))
    total = sum(r.device.stats.sent for r in outcome.fleet)
    done = say(
        Code.SIM_INTERRUPTED if outcome.interrupted else Code.SIM_DONE,
        elapsed=format_elapsed(outcome.elapsed_s)[1:],
        facilities=len(outcome.fleet),
        sent=total,
        unsent=outcome.unsent,
    )
    lines.append(said(done))
    return lines


def run_fleet(
    specs: list[FacilitySpec],
    *,
    connect: Callable[[FacilitySpec], Transport],
    start: int,
    speed: float,
    duration_s: int | None,
    report_every_s: int,
    emit: Callable[[str], None],
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    drain_s: float = 30.0,
    said: Said = Message.english,
) -> Outcome:
    """Run until ``duration_s`` of simulated time (None: until Ctrl-C), then send the backlog.

    ``start`` is the true instant (µs) of every facility's first sample.
    """
    fleet = [Running(s, s.model(start), Device(s.code, connect(s), said=said)) for s in specs]
    wall0 = monotonic()
    horizon = 0.0
    next_report = float(report_every_s)
    interrupted = False
    try:
        while True:
            elapsed = (monotonic() - wall0) * speed
            horizon = elapsed if duration_s is None else min(elapsed, float(duration_s))
            for running in fleet:
                _step(running, horizon, monotonic(), emit, said)
            while report_every_s and horizon >= next_report:
                for running in fleet:
                    emit(status_line(running, next_report, said))
                next_report += report_every_s
            if duration_s is not None and elapsed >= duration_s:
                break
            due = min((r.model.elapsed_s - elapsed) / speed for r in fleet)
            sleep(min(_MAX_SLEEP_S, max(0.0, due)))
        _drain(fleet, horizon, monotonic, sleep, drain_s, emit, said)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        for running in fleet:
            running.device.transport.close()
    return Outcome(fleet, horizon, interrupted)


def _step(
    running: Running, horizon: float, now: float, emit: Callable[[str], None], said: Said
) -> None:
    model, device = running.model, running.device
    while model.elapsed_s <= horizon:
        device.record(model.next_sample())
    _announce(running, horizon, emit, said)
    device.flush(online=running.online(horizon), now=now)
    for message in device.messages:
        emit(f"{at(horizon, running.spec.code, said)}  {message}")
    device.messages.clear()


def _announce(running: Running, horizon: float, emit: Callable[[str], None], said: Said) -> None:
    """Say when a fault begins and ends; plan a resend when it is due."""
    code = running.spec.code
    for index, fault in enumerate(running.spec.faults):
        if index not in running.started and fault.active(horizon):
            if fault.kind == "resend":
                if not running.device.plan_resend():
                    continue  # nothing sent yet: try again at the next step
                running.ended.add(index)
            running.started.add(index)
            when = Instant(running.model.start + fault.start_s * 1_000_000)
            emit(f"{at(horizon, code, said)}  {said(fault.describe(when))}")
        elif index in running.started and index not in running.ended and not fault.active(horizon):
            running.ended.add(index)
            if fault.kind == "outage":
                over = say(Code.SIM_FAULT_OVER_BACKLOG, kind=fault.kind, n=running.device.pending)
            else:
                over = say(Code.SIM_FAULT_OVER, kind=fault.kind)
            emit(f"{at(horizon, code, said)}  {said(over)}")


def _drain(
    fleet: list[Running],
    horizon: float,
    monotonic: Callable[[], float],
    sleep: Callable[[float], None],
    drain_s: float,
    emit: Callable[[str], None],
    said: Said,
) -> None:
    """At the end the network is back: send what is left, for at most ``drain_s`` wall seconds."""
    deadline = monotonic() + drain_s
    while any(r.device.busy for r in fleet) and monotonic() < deadline:
        for running in fleet:
            running.device.flush(online=True, now=monotonic())
            for message in running.device.messages:
                emit(f"{at(horizon, running.spec.code, said)}  {message}")
            running.device.messages.clear()
        if any(r.device.busy for r in fleet):
            sleep(0.05)
