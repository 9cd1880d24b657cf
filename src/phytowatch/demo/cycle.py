"""The demo's cycle: each working facility loads, treats, unloads and loads again, for as long as
the demo runs.

A :class:`Station` is one facility with a load in it or coming: it starts a run (a use case of the
service), its simulated device samples the load on the demo's one clock and sends the readings
over the public device protocol, its camera sends a still now and then, and once the service has
closed the run (passed or failed: the service decides, not the demo) the facility is unloaded and,
after a pause, starts the next run with the next of its fault plans. A run the service never
decides is closed by its operator after a generous time, as a real operator would.

At the start every station is part-way through its first run (started in the demo's past, never
so long ago that it could have been decided already): its device uploads what it recorded so far,
then carries on live. Nothing here reads a clock: :meth:`Cycle.step` is given the demo time and the
wall time, so a test can drive days of the demo in a second.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from phytowatch.demo.province import DemoFacility
from phytowatch.demo.still import still
from phytowatch.domain.instants import US_PER_D, US_PER_H, US_PER_MIN
from phytowatch.simulate.device import Device, Transport
from phytowatch.simulate.models import FacilityModel, Sample
from phytowatch.simulate.spec import facility_spec

CHECK_EVERY_S = 1.0  # wall seconds between two looks at whether a station's run is closed


@dataclass(frozen=True)
class Timing:
    """How a kind of facility works: the pause between two loads, how far into its first run a
    station may be when the demo starts (less than a run takes to be decided), how long an
    operator lets an undecided run go on, and how often its camera sends a still."""

    pause: int
    head_start: int
    give_up: int
    still_every: int


TIMINGS = {
    "kiln": Timing(40 * US_PER_MIN, 60 * US_PER_MIN, 7 * US_PER_H, 30 * US_PER_MIN),
    "hot_water_tank": Timing(30 * US_PER_MIN, 30 * US_PER_MIN, 3 * US_PER_H, 20 * US_PER_MIN),
    "vapour_heat_chamber": Timing(60 * US_PER_MIN, 2 * US_PER_H, 9 * US_PER_H, 60 * US_PER_MIN),
    "cold_room": Timing(US_PER_D, 13 * US_PER_D, 21 * US_PER_D, US_PER_D),
}


class Service(Protocol):
    """What the cycle asks of the service: the use cases of an operator and a camera."""

    def start(self, facility: DemoFacility, at: int) -> int:
        """Start a run on the facility at ``at`` (demo time); its id."""
        ...

    def is_open(self, run_id: int) -> bool: ...

    def close(self, run_id: int, at: int) -> None:
        """The operator closes a run the service has not decided."""
        ...

    def still(self, facility: DemoFacility, token: str, jpeg: bytes, taken_at: int) -> None:
        """The facility's camera sends a still (the device protocol's stills endpoint)."""
        ...


@dataclass
class Station:
    facility: DemoFacility
    token: str
    position: int  # in the province: its seed and where its fault plans begin
    runs_started: int = 0
    runs_closed: int = 0
    run_id: int | None = None
    started_at: int = 0
    next_start: int = 0
    next_still: int = 0
    model: FacilityModel | None = None
    device: Device | None = None
    last_sample: Sample | None = None
    checked_at: float = field(default=float("-inf"))  # wall time of the last look at the run

    @property
    def humidity(self) -> frozenset[str]:
        return frozenset(p.split(":")[0] for p in self.facility.probes if p.split(":")[1] == "rh")

    @property
    def timing(self) -> Timing:
        return TIMINGS[self.facility.kind]

    def online(self) -> bool:
        model = self.model
        if model is None:
            return True
        elapsed = model.elapsed_s
        return not any(f.kind == "outage" and f.active(elapsed) for f in model.faults)


class Cycle:
    """Every station of the demo, stepped on the demo's clock."""

    def __init__(
        self,
        facilities: list[tuple[DemoFacility, str]],
        *,
        service: Service,
        connect: Callable[[DemoFacility, str], Transport],
        now: int,
        seed: int = 7,
    ) -> None:
        self.service = service
        self.connect = connect
        rng = random.Random(seed)
        self.stations: list[Station] = []
        for position, (facility, token) in enumerate(facilities):
            station = Station(facility, token, position)
            # part-way through its first run, never far enough in for it to be decided
            start = now - int(rng.random() * station.timing.head_start)
            station.next_start = start - start % 1_000_000  # device times in whole seconds
            self.stations.append(station)

    @property
    def busy(self) -> bool:
        """A device still has readings to send."""
        return any(s.device is not None and s.device.busy for s in self.stations)

    @property
    def started(self) -> int:
        return sum(s.runs_started for s in self.stations)

    @property
    def closed(self) -> int:
        return sum(s.runs_closed for s in self.stations)

    def step(self, now: int, wall: float) -> None:
        """Do what is due at demo time ``now`` (wall time ``wall``: the devices' retries)."""
        for station in self.stations:
            self.step_one(station, now, wall)

    def step_one(self, station: Station, now: int, wall: float) -> None:
        """:meth:`step` for one station (the demo gives each its own thread: one slow answer
        must not hold the others' readings back)."""
        if station.run_id is None:
            if now < station.next_start:
                return
            self._start(station, station.next_start)
        model, device = station.model, station.device
        assert model is not None and device is not None and station.run_id is not None
        while model.start + model.elapsed_s * 1_000_000 <= now:
            station.last_sample = model.next_sample()
            device.record(station.last_sample)
        device.flush(online=station.online(), now=wall)
        device.messages.clear()
        if now >= station.next_still and station.last_sample is not None and station.online():
            taken = station.last_sample.t
            view = _view(station.last_sample, station.humidity, f"{station.facility.code} {taken}")
            self.service.still(station.facility, station.token, view, taken)
            station.next_still = max(station.next_still + station.timing.still_every, now)
        if wall - station.checked_at < 0.0 or wall - station.checked_at >= CHECK_EVERY_S:
            station.checked_at = wall
            if not self.service.is_open(station.run_id):
                self._unload(station, now)
            elif now - station.started_at > station.timing.give_up:
                self.service.close(station.run_id, now)
                self._unload(station, now)

    def _start(self, station: Station, at: int) -> None:
        facility = station.facility
        station.run_id = self.service.start(facility, at)
        station.started_at = at
        plans = facility.fault_plans or ((),)
        faults = plans[(station.position + station.runs_started) % len(plans)]
        spec = facility_spec(
            facility.code,
            station.token,
            facility.sim_kind,
            facility.probes,
            list(faults),
            seed=7 + station.position + 1000 * station.runs_started,
            interval_s=facility.interval_s,
        )
        station.model = spec.model(at)
        station.device = Device(facility.code, self.connect(facility, station.token))
        station.next_still = at
        station.last_sample = None
        station.runs_started += 1

    def _unload(self, station: Station, now: int) -> None:
        if station.device is not None:
            station.device.transport.close()
        station.run_id = station.model = station.device = None
        station.runs_closed += 1
        station.next_start = now + station.timing.pause
        station.next_start -= station.next_start % 1_000_000


def _view(sample: Sample, humidity: frozenset[str], comment: str) -> bytes:
    """The camera's still: lighter the warmer the load (0 to 80 °C)."""
    values = [r.value for r in sample.readings if r.value is not None and r.probe not in humidity]
    warmest = max(values, default=20.0)
    return still(int(40 + 200 * max(0.0, min(1.0, warmest / 80.0))), comment)
