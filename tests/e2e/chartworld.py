"""Runs of every treatment kind for the chart tests, added to the page world
(tests/e2e/pageworld.py) before it is served, their readings then posted over HTTP as a device
sends them: a 17-day cold room (the bundled citrus example), a hot-water line whose water falls
below its tolerance (it fails), and a vapour-heat chamber with a humidity probe (the bundled
papaya example), each shifted so that it ends a few minutes ago.

``Made()`` is the hook ``browser_support.serving`` runs on the seeded database (it adds the
facilities and starts the runs, keeping their tokens and run ids: "cold", "hot_water",
"vapour"); ``made.post(server)`` posts the readings once serving.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from datetime import datetime
from importlib import resources
from typing import Any

import pageworld

from acting import ctx_at
from phytowatch.bootstrap import bootstrap
from phytowatch.config import load_settings
from phytowatch.services.provisioning import add_facility
from phytowatch.services.runs import start_run

# facility code -> (kind, bundled example, schedule, params, world.runs key)
RUNS = {
    "JX-0032-C1": ("cold_room", "citrus-cold-room.csv", "au-cold-citrus-medfly", {}, "cold"),
    "JX-0032-H1": ("hot_water_tank", "mango-hot-water.csv", "hwt-mango", {"fruit_class": "500g"},
                   "hot_water"),
    "JX-0032-V1": ("vapour_heat_chamber", "papaya-vapour-heat.csv", "vht-papaya-pt21", {},
                   "vapour"),
}  # fmt: skip


def _rows(example: str) -> tuple[list[tuple[str, str]], list[tuple[int, list[float]]]]:
    """The example's probes (code, role) and rows (epoch µs, values)."""
    text = resources.files("phytowatch.examples").joinpath(example).read_text()
    reader = csv.reader(text.splitlines())
    header = next(reader)
    probes = [(h.split("[")[0], h.split("[")[1].rstrip("]")) for h in header[1:]]
    rows = []
    for line in reader:
        at = datetime.fromisoformat(line[0].replace("Z", "+00:00"))
        rows.append((int(at.timestamp() * 1_000_000), [float(v) for v in line[1:]]))
    return probes, rows


class Made:
    """The seeding hook, then what it made."""

    def __init__(self) -> None:
        self.now = pageworld.now_us()
        self.tokens: dict[str, str] = {}
        self.runs: dict[str, int] = {}

    def shift(self, code: str) -> int:
        """How far the example's clock is moved: its last row lands two minutes ago."""
        _, rows = _rows(RUNS[code][1])
        return self.now - 2 * pageworld.MIN - rows[-1][0]

    def __call__(self, database_url: str) -> None:
        services = bootstrap(load_settings(database_url=database_url))
        try:
            for code, (kind, example, schedule, params, key) in RUNS.items():
                probes, rows = _rows(example)
                self.tokens[code] = add_facility(
                    services.registry, code, "0032", kind, [f"{p}:{r}" for p, r in probes],
                    ctx=ctx_at(self.now),
                ).token  # fmt: skip
                self.runs[key] = start_run(
                    services.runs, code, schedule, params=params, load="example load",
                    ctx=ctx_at(rows[0][0] + self.shift(code)),
                ).id  # fmt: skip
        finally:
            services.close()

    def post(self, server: Any) -> None:
        """Every run's readings, one batch per run; the server judges (and closes) them."""
        server.world.tokens.update(self.tokens)
        server.world.runs.update(self.runs)
        for code, batch in self.batches():
            server.post(code, batch)

    def batches(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for code, (_, example, *_rest) in RUNS.items():
            probes, rows = _rows(example)
            shift = self.shift(code)
            first = rows[0][0]
            readings: list[dict[str, Any]] = []
            for at, values in rows:
                stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime((at + shift) / 1e6))
                minute = (at - first) // pageworld.MIN
                for (probe, _), value in zip(probes, values, strict=True):
                    v = _value(code, minute, probe, value)
                    readings.append({"probe": probe, "t": stamp, "v": v})
            yield code, {"facility": code, "readings": readings}


def _value(code: str, minute: int, probe: str, value: float) -> float:
    """The hot-water line's water sags below its 45.4 °C tolerance after 20 minutes: it fails."""
    if code == "JX-0032-H1" and probe.startswith("W") and 20 <= minute < 34:
        return round(value - 1.6, 2)
    return value
