"""First-order physical models of treatment facilities, with sensor noise and faults.

Pure and deterministic: the same seed, start and faults give the same readings, byte for byte;
nothing here reads a clock (the start instant is passed in, time advances one sample at a time).

- The medium (kiln air, cold-room air, tank water) is driven by its controller: a linear ramp to
  the set point (kiln, vapour-heat chamber) or a first-order approach (cold room, tank). An open
  door pulls it toward the ambient; a cold room defrosts every 8 h.
- Each product probe (wood core, fruit pulp) follows the medium with a first-order lag,
  dT/dt = (T_medium - T) / tau, whose time constant grows with the square of the piece's size
  (heat diffuses: tau = k * size_mm**2). A kiln core in 25 mm wood: tau = 40 min.
- Sensor noise is a bounded random walk per probe (real sensors drift, they do not jump), and
  values are read to 0.01 °C.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from phytowatch.domain.instants import format_instant
from phytowatch.domain.messages import Code
from phytowatch.simulate.faults import Fault, refuse

ROLES = ("product", "air", "water", "rh")
_SUBSTEP_S = 60  # integrate at least once a simulated minute
_PULLED_TAU_MIN = 0.5  # a bare probe in moving air: its own time constant


@dataclass(frozen=True)
class Physics:
    """The constants of one kind of facility (°C, minutes, millimetres)."""

    medium: str  # the role that reads the medium: "air" or "water"
    ambient: float
    medium_start: float
    set_point: float
    ramp_per_min: float | None  # linear heating to the set point; None: first-order control
    control_tau_min: float
    door_tau_min: float  # the medium toward the ambient while the door is open
    product_start: float
    product_k: float  # tau_min = product_k * size_mm ** 2
    size_mm: float  # the default size; product probe n gets size_mm * (1 + size_spread * n)
    size_spread: float
    product_noise: tuple[float, float]  # (bound, step) of the random walk
    medium_noise: tuple[float, float]
    defrost_every_min: float | None = None
    defrost_for_min: float = 0.0
    defrost_to: float = 0.0
    rh: float = 50.0


PHYSICS = {
    # ISPM 15 HT: air to 70 °C at 0.9 °C/min; 25 mm boards, tau 40 min at the core.
    "kiln": Physics(
        "air", 20.0, 20.0, 70.0, 0.9, 5.0, 3.0, 18.0, 0.064, 25.0, 0.1,
        (0.08, 0.02), (0.1, 0.03), rh=35.0,
    ),
    # Citrus cold treatment: air at 0.5 °C, 70 mm fruit (tau 10 h), loaded at 10 °C.
    "cold_room": Physics(
        "air", 15.0, 4.0, 0.5, None, 20.0, 8.0, 10.0, 0.1224, 70.0, 0.08,
        (0.03, 0.01), (0.05, 0.02), 480.0, 20.0, 3.0, rh=90.0,
    ),
    # Mango hot water: water held at 46.5 °C, 90 mm fruit (tau 25 min) loaded at 24 °C.
    "hot_water_tank": Physics(
        "water", 25.0, 46.5, 46.5, None, 4.0, 60.0, 24.0, 0.003086, 90.0, 0.1,
        (0.05, 0.02), (0.05, 0.02), rh=80.0,
    ),
    # Papaya vapour heat: air from 26 to 48.8 °C over 245 min, RH ~92 %, 100 mm fruit.
    "vapour_heat_chamber": Physics(
        "air", 26.0, 26.0, 48.8, 22.8 / 245.0, 2.0, 5.0, 26.0, 0.0026, 100.0, 0.1,
        (0.05, 0.02), (0.05, 0.02), rh=92.0,
    ),
}  # fmt: skip
PHYSICS["reefer"] = PHYSICS["cold_room"]
KINDS = tuple(PHYSICS)


@dataclass(frozen=True)
class Probe:
    """A probe as the device knows it; ``size_mm`` is the piece it is in (product probes)."""

    code: str
    role: str
    size_mm: float | None = None


def parse_probe(text: str) -> Probe:
    """``C1:product``, ``C1:product:40`` (in 40 mm wood / a 40 mm fruit), ``A1:air``."""
    parts = text.strip().split(":")
    if len(parts) not in (2, 3) or not parts[0] or parts[1] not in ROLES:
        raise refuse(Code.SIM_PROBE_FORM, option="--probe", text=text, roles=", ".join(ROLES))
    size = None
    if len(parts) == 3:
        try:
            size = float(parts[2].removesuffix("mm"))
        except ValueError:
            size = -1.0
        if not (0 < size <= 1000):
            raise refuse(Code.SIM_PROBE_SIZE, option="--probe", text=text)
    return Probe(parts[0], parts[1], size)


@dataclass(frozen=True)
class Reading:
    """One reading as the device sends it: device time in µs, a value or a fault code."""

    probe: str
    t: int
    value: float | None
    fault: str | None = None


@dataclass(frozen=True)
class Sample:
    """The readings of one sample time; ``elapsed_s`` from the start, ``t`` the true instant."""

    elapsed_s: int
    t: int
    readings: tuple[Reading, ...]


@dataclass
class _Noise:
    """A bounded random walk: each step moves at most ``step``, reflected at ``±bound``."""

    rng: random.Random
    bound: float
    step: float
    value: float = 0.0

    def next(self) -> float:
        value = self.value + self.rng.uniform(-self.step, self.step)
        if value > self.bound:
            value = 2 * self.bound - value
        elif value < -self.bound:
            value = -2 * self.bound - value
        self.value = value
        return value


def _lag(value: float, target: float, tau_min: float, dt_min: float) -> float:
    return value + (target - value) * (1.0 - math.exp(-dt_min / tau_min))


@dataclass
class FacilityModel:
    """One facility: call :meth:`next_sample` for the sample at start, start + interval, …"""

    kind: str
    probes: tuple[Probe, ...]
    start: int  # µs, the true instant of the first sample
    interval_s: int
    seed: int
    faults: tuple[Fault, ...] = ()
    set_point: float | None = None
    physics: Physics = field(init=False)
    _index: int = field(init=False, default=0)
    _medium: float = field(init=False)
    _cores: dict[str, float] = field(init=False)
    _taus: dict[str, float] = field(init=False)
    _pulled: dict[str, float] = field(init=False, default_factory=dict)
    _stuck: dict[str, Reading] = field(init=False, default_factory=dict)
    _noise: dict[str, _Noise] = field(init=False)

    def __post_init__(self) -> None:
        if self.kind not in PHYSICS:
            raise refuse(Code.FACILITY_KIND, kind=self.kind, kinds=", ".join(KINDS))
        if self.interval_s <= 0:
            raise refuse(Code.SIM_INTERVAL)
        codes = [p.code for p in self.probes]
        if len(set(codes)) != len(codes):
            raise refuse(Code.SIM_PROBE_TWICE, probes=", ".join(codes))
        for fault in self.faults:
            if fault.probe is not None and fault.probe not in codes:
                raise refuse(
                    Code.SIM_FAULT_NO_PROBE,
                    kind=fault.kind,
                    probe=fault.probe,
                    probes=", ".join(codes),
                )
        physics = PHYSICS[self.kind]
        self.physics = physics
        self._medium = physics.medium_start
        products = [p for p in self.probes if p.role == "product"]
        self._cores = {p.code: physics.product_start for p in products}
        self._taus = {}
        for n, probe in enumerate(products):
            size = probe.size_mm or physics.size_mm * (1 + physics.size_spread * n)
            self._taus[probe.code] = physics.product_k * size * size
        self._noise = {}
        for probe in self.probes:
            if probe.role == "product":
                bound, step = physics.product_noise
            elif probe.role == "rh":
                bound, step = 2.0, 0.5
            else:
                bound, step = physics.medium_noise
            rng = random.Random(f"{self.seed}:{self.kind}:{probe.code}")
            self._noise[probe.code] = _Noise(rng, bound, step)

    def tau_min(self, probe: str) -> float:
        """The time constant of a product probe's piece, in minutes."""
        return self._taus[probe]

    @property
    def elapsed_s(self) -> int:
        """Seconds from the start to the next sample."""
        return self._index * self.interval_s

    def next_sample(self) -> Sample:
        elapsed = self.elapsed_s
        if self._index:
            self._advance(elapsed - self.interval_s, elapsed)
        self._index += 1
        t = self.start + elapsed * 1_000_000
        skew = sum(f.offset_s for f in self.faults if f.kind == "clock" and f.active(elapsed))
        device_t = t + skew * 1_000_000
        readings = []
        for probe in self.probes:
            reading = self._read(probe, elapsed, device_t)
            if reading is not None:
                readings.append(reading)
        return Sample(elapsed, t, tuple(readings))

    # -- physics --------------------------------------------------------------------------------

    def _target(self, elapsed_min: float) -> float:
        physics = self.physics
        target = self.set_point if self.set_point is not None else physics.set_point
        every = physics.defrost_every_min
        if every and elapsed_min >= every and elapsed_min % every < physics.defrost_for_min:
            return physics.defrost_to
        return target

    def _advance(self, from_s: int, to_s: int) -> None:
        physics = self.physics
        now = from_s
        while now < to_s:
            dt_s = min(_SUBSTEP_S, to_s - now)
            now += dt_s
            dt = dt_s / 60.0
            door = any(f.kind == "door" and f.active(now) for f in self.faults)
            target = self._target(now / 60.0)
            medium = self._medium
            if door:
                medium = _lag(medium, physics.ambient, physics.door_tau_min, dt)
            elif physics.ramp_per_min is not None and medium < target:
                medium = min(target, medium + physics.ramp_per_min * dt)
            else:
                medium = _lag(medium, target, physics.control_tau_min, dt)
            self._medium = medium
            for code, core in self._cores.items():
                self._cores[code] = _lag(core, medium, self._taus[code], dt)
            for code, value in self._pulled.items():
                self._pulled[code] = _lag(value, medium, _PULLED_TAU_MIN, dt)
            for fault in self.faults:
                if fault.kind == "pulled" and fault.probe and fault.active(now):
                    self._pulled.setdefault(fault.probe, self._cores[fault.probe])

    def _true_value(self, probe: Probe) -> float:
        if probe.role == "product":
            if probe.code in self._pulled:
                return self._pulled[probe.code]
            return self._cores[probe.code]
        if probe.role == "rh":
            return self.physics.rh
        if probe.role == self.physics.medium:
            return self._medium
        return self.physics.ambient

    def _read(self, probe: Probe, elapsed: int, device_t: int) -> Reading | None:
        noise = self._noise[probe.code].next()  # every sample, so faults do not shift the noise
        mine = [f for f in self.faults if f.probe == probe.code and f.active(elapsed)]
        kinds = {f.kind for f in mine}
        if "stuck" not in kinds:
            self._stuck.pop(probe.code, None)
        if "dropout" in kinds:
            return None
        for fault in mine:
            if fault.kind == "error":
                return Reading(probe.code, device_t, None, fault.code)
        if "stuck" in kinds and probe.code in self._stuck:
            return Reading(probe.code, device_t, self._stuck[probe.code].value)
        value = round(self._true_value(probe) + noise, 2)
        if probe.role == "rh":
            value = min(100.0, value)
        reading = Reading(probe.code, device_t, value)
        if "stuck" in kinds:
            self._stuck[probe.code] = reading
        return reading


def log_csv(probes: tuple[Probe, ...], samples: list[Sample]) -> str:
    """The samples as a wide CSV treatment log (``phytowatch evaluate`` reads it); device times."""
    lines = ["timestamp," + ",".join(f"{p.code}[{p.role}]" for p in probes)]
    for sample in samples:
        if not sample.readings:
            continue
        cells = {r.probe: ("ERR" if r.value is None else f"{r.value:.2f}") for r in sample.readings}
        when = format_instant(sample.readings[0].t)
        lines.append(when + "," + ",".join(cells.get(p.code, "") for p in probes))
    return "\n".join(lines) + "\n"
