"""A small province for the browser tests and the pages benchmark, served by a real
``phytowatch serve``: enterprises, facilities, one person per role, a finished kiln run whose
readings arrive over HTTP as a device sends them (the server judges and closes it), an open run
that is still waiting, and a camera still.

Every password is ``PASSWORD``. Used by tests/e2e/test_pages_browser.py and benchmarks/pages.py.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from acting import ctx_at
from phytowatch.bootstrap import bootstrap
from phytowatch.config import load_settings
from phytowatch.services.accounts import add_office, add_user
from phytowatch.services.provisioning import (
    add_calibration,
    add_camera,
    add_enterprise,
    add_facility,
)
from phytowatch.services.runs import start_run

PASSWORD = "correct horse battery staple"
MIN = 60_000_000
HOSTILE = '<script>alert("x")</script> مرحبا שלום 恶意'
PEOPLE = {
    "operator": ("enterprise_operator", "0031", None),
    "declarant": ("enterprise_declarant", "0031", None),
    "inspector": ("inspector", None, "JX"),
    "certifier": ("certifying_officer", None, "JX"),
    "port": ("port_officer", None, "JX"),
    "admin": ("administrator", None, None),
}
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"


@dataclass
class World:
    database_url: str
    tokens: dict[str, str] = field(default_factory=dict)
    runs: dict[str, int] = field(default_factory=dict)
    kiln_start: int = 0


def now_us() -> int:
    return time.time_ns() // 1000


def seed(database_url: str, *, extra_facilities: int = 12) -> World:
    """The registry, people and two open runs (their readings are posted once serving)."""
    world = World(database_url)
    services = bootstrap(load_settings(database_url=database_url))
    now = now_us()
    try:
        r, audit = services.registry, services.audit
        add_enterprise(r, "0031", "赣州木业", "Ganzhou Wood", "赣州", "II", ctx=ctx_at(now))
        add_enterprise(r, "0032", "南康果业", "Nankang Fruit", "南昌", "I", ctx=ctx_at(now))
        add_enterprise(r, "0099", HOSTILE, HOSTILE, "九江", "III", ctx=ctx_at(now))
        kiln = ["C1:product", "C2:product", "C3:product", "A1:air"]
        for code, enterprise in (("JX-0031-K1", "0031"), ("JX-0031-K2", "0031")):
            world.tokens[code] = add_facility(
                r, code, enterprise, "kiln", kiln, ctx=ctx_at(now)
            ).token
            for probe in ("C1", "C2", "C3", "A1"):
                expired = probe == "C3" and code == "JX-0031-K1"
                due = now - 86_400_000_000 if expired else now + 300 * 86_400_000_000
                add_calibration(
                    r, code, probe, "0.00", calibrated_at=now - 400 * 86_400_000_000,
                    due_at=due, certificate=f"JJF-2026-{probe}", ctx=ctx_at(now),
                )  # fmt: skip
        add_camera(
            r, "JX-0031-K1", "door", "门口", ctx=ctx_at(now)
        )  # the still's camera (still_path)
        kinds = ("cold_room", "hot_water_tank", "kiln", "vapour_heat_chamber")
        enterprises = ("0031", "0032", "0099")
        for n in range(extra_facilities):
            code = f"JX-{enterprises[n % 3]}-F{n:03d}"
            probes = ["P1:product", "P2:product", "P3:product"]
            add_facility(r, code, enterprises[n % 3], kinds[n % 4], probes, ctx=ctx_at(now))
        add_office(
            services.accounts, audit, code="JX", name="江西局",
            cities=["赣州", "南昌", "九江"], ctx=ctx_at(now, "test"),
        )  # fmt: skip
        for login, (role, employer, office) in PEOPLE.items():
            add_user(
                services.accounts, audit, login=login, name=login.title(),
                role=role, password=PASSWORD, enterprise=employer, office=office, cost=10,
                ctx=ctx_at(now, "test"),
            )  # fmt: skip
        world.kiln_start = now - 200 * MIN
        world.runs["finished"] = start_run(
            services.runs, "JX-0031-K1", "ispm15-ht", load="1,200 pallets, pine",
            note=HOSTILE, ctx=ctx_at(world.kiln_start),
        ).id  # fmt: skip
        world.runs["open"] = start_run(
            services.runs, "JX-0031-K2", "ispm15-ht", load="800 crates", ctx=ctx_at(now - 40 * MIN)
        ).id
    finally:
        services.close()
    return world


def kiln_curve(minute: int, probe: str) -> float:
    """A kiln warming up, its door opened at minute 110 (C2 dips), then a full hold."""
    base = 20 + 42 * (1 - math.exp(-minute / 40))
    lag = {"C1": 0.0, "C2": 1.2, "C3": 0.6, "A1": -6.0}[probe]
    value = base - lag + 0.3 * math.sin(minute / 3 + len(probe))
    if probe == "C2" and 110 <= minute < 116:
        value -= 9
    return round(value, 2)


def finished_batches(world: World) -> list[dict[str, Any]]:
    """The finished kiln run's readings, one minute apart, in batches of 60 sample times."""
    batches = []
    readings: list[dict[str, Any]] = []
    for minute in range(1, 181):
        t = world.kiln_start + minute * MIN
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t / 1e6))
        for probe in ("C1", "C2", "C3", "A1"):
            readings.append({"probe": probe, "t": stamp, "v": kiln_curve(minute, probe)})
        if minute % 60 == 0:
            batches.append({"facility": "JX-0031-K1", "readings": readings})
            readings = []
    return batches


def waiting_batch(start_minutes_ago: int = 30, value: float = 55.0) -> dict[str, Any]:
    """The open kiln warming towards 56 °C, still below it: the run is WAITING."""
    now = now_us()
    readings = []
    for k in range(start_minutes_ago, 0, -1):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime((now - k * MIN) / 1e6))
        for probe in ("C1", "C2", "C3", "A1"):
            warm = value - k * 0.4 + (2 if probe == "A1" else 0)
            readings.append({"probe": probe, "t": stamp, "v": round(warm, 2)})
    return {"facility": "JX-0031-K2", "readings": readings}


def hot_batch(value: float = 57.5) -> dict[str, Any]:
    """Every probe of the open kiln above 56 °C now: the run starts HOLDING."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now_us() / 1e6))
    return {
        "facility": "JX-0031-K2",
        "readings": [{"probe": p, "t": stamp, "v": value} for p in ("C1", "C2", "C3", "A1")],
    }


def still_path(world: World) -> str:
    t = world.kiln_start + 112 * MIN
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t / 1e6))
    return f"/api/v1/facilities/JX-0031-K1/snapshots?camera=door&taken_at={stamp}"


def dump(world: World, path: Path) -> None:
    path.write_text(json.dumps(world.__dict__, indent=1))
