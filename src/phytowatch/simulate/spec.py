"""What to simulate: one facility from the command line, or a fleet from a JSON file.

A fleet file is a JSON list of facilities::

    [{"facility": "JX-0031-K2", "token": "pwd_…", "kind": "kiln",
      "probes": ["C1:product", "C2:product:40", "C3:product", "A1:air"],
      "faults": ["door@90m:10m", "outage@2h:30m"],
      "seed": 7, "interval": "60s", "set_point": 70}]

``faults``, ``seed`` (default: the command's ``--seed`` plus the facility's position),
``interval`` (default ``--interval``) and ``set_point`` (default: the kind's) are optional.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from phytowatch.domain.messages import Code
from phytowatch.simulate.faults import Fault, SpecError, parse_duration, parse_fault, refuse
from phytowatch.simulate.models import FacilityModel, Probe, parse_probe

_KEYS = {"facility", "token", "kind", "probes", "faults", "seed", "interval", "set_point"}


@dataclass(frozen=True)
class FacilitySpec:
    code: str
    token: str
    kind: str
    probes: tuple[Probe, ...]
    faults: tuple[Fault, ...]
    seed: int
    interval_s: int
    set_point: float | None = None

    def model(self, start: int) -> FacilityModel:
        """A fresh model of this facility whose first sample is at ``start`` (µs)."""
        return FacilityModel(
            self.kind,
            self.probes,
            start=start,
            interval_s=self.interval_s,
            seed=self.seed,
            faults=self.faults,
            set_point=self.set_point,
        )


def facility_spec(
    code: str,
    token: str,
    kind: str,
    probes: list[str],
    faults: list[str],
    *,
    seed: int,
    interval_s: int,
    set_point: float | None = None,
) -> FacilitySpec:
    """A checked spec; SpecError names the first problem."""
    if not code:
        raise refuse(Code.SIM_GIVE_FACILITY, option="--facility")
    if not token:
        raise refuse(Code.SIM_GIVE_TOKEN, facility=code, option="--token")
    if not probes:
        raise refuse(Code.SIM_GIVE_PROBES, facility=code, option="--probe")
    spec = FacilitySpec(
        code,
        token,
        kind,
        tuple(parse_probe(p) for p in probes),
        tuple(parse_fault(f) for f in faults),
        seed,
        interval_s,
        set_point,
    )
    try:
        spec.model(0)  # the model checks the kind, the probes and the faults' probes
    except SpecError as error:
        raise error.inside(Code.SIM_IN_FACILITY, facility=code) from None
    return spec


def fleet_specs(text: str, where: str, *, seed: int, interval_s: int) -> list[FacilitySpec]:
    """The facilities of a fleet file; SpecError names the file, the entry and the problem."""
    try:
        items = json.loads(text)
    except ValueError as error:
        raise refuse(Code.SIM_NOT_JSON, file=where, error=str(error)) from None
    if not isinstance(items, list) or not items:
        raise refuse(Code.SIM_FLEET_LIST, file=where, example='[{"facility": …}]')
    specs = []
    for n, item in enumerate(items):
        try:
            specs.append(_item(item, seed=seed + n, interval_s=interval_s))
        except SpecError as error:
            raise error.inside(Code.SIM_IN_FLEET_ITEM, file=where, n=n + 1) from None
    codes = [s.code for s in specs]
    for code in codes:
        if codes.count(code) > 1:
            raise refuse(Code.SIM_GIVEN_TWICE, file=where, facility=code)
    return specs


def _item(item: Any, *, seed: int, interval_s: int) -> FacilitySpec:
    if not isinstance(item, dict):
        raise refuse(Code.SIM_ITEM_OBJECT)
    unknown = set(item) - _KEYS
    if unknown:
        raise refuse(Code.SIM_UNKNOWN_KEYS, keys=", ".join(sorted(unknown)), known=", ".join(_KEYS))
    texts = {k: item.get(k) for k in ("facility", "token", "kind")}
    for key, value in texts.items():
        if not isinstance(value, str) or not value:
            raise refuse(Code.SIM_KEY_TEXT, key=key)
    probes, faults = item.get("probes"), item.get("faults", [])
    for key, value in (("probes", probes), ("faults", faults)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise refuse(Code.SIM_KEY_TEXTS, key=key)
    interval = item.get("interval", interval_s)
    if isinstance(interval, str):
        interval = parse_duration(interval, bare_seconds=True)
    if not isinstance(interval, int) or isinstance(interval, bool) or interval <= 0:
        raise refuse(Code.SIM_KEY_INTERVAL)
    item_seed = item.get("seed", seed)
    if not isinstance(item_seed, int) or isinstance(item_seed, bool):
        raise refuse(Code.SIM_KEY_SEED)
    set_point = item.get("set_point")
    if set_point is not None and (
        not isinstance(set_point, int | float) or isinstance(set_point, bool)
    ):
        raise refuse(Code.SIM_KEY_SET_POINT)
    return facility_spec(
        str(texts["facility"]),
        str(texts["token"]),
        str(texts["kind"]),
        list(probes or []),
        list(faults),
        seed=item_seed,
        interval_s=interval,
        set_point=None if set_point is None else float(set_point),
    )
