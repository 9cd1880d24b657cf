"""Write the example logs of src/phytowatch/examples/ (seeded, so the output never changes).

    python scripts/make_examples.py            # rewrite the files
    python scripts/make_examples.py --check    # exit 1 if a file differs from what this makes

Simple physical models: a wood core or fruit pulp follows the air with a first-order lag
(dT/dt = (T_air - T) / tau), plus sensor noise.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "phytowatch" / "examples"
Row = tuple[datetime, list[str]]


def _cell(value: float | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return f"{value:.2f}"


def _write(name: str, header: list[str], rows: list[Row]) -> str:
    lines = ["timestamp," + ",".join(header)]
    for moment, cells in rows:
        lines.append(moment.strftime("%Y-%m-%dT%H:%M:%SZ") + "," + ",".join(cells))
    return "\n".join(lines) + "\n"


def _lag(value: float, target: float, tau_min: float, step_min: float) -> float:
    return value + (target - value) * (1 - pow(2.718281828, -step_min / tau_min))


def kiln(
    seed: int, minutes: int, air_at: Callable[[int], float], faults: dict[int, set[int]]
) -> str:
    rng = random.Random(seed)
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    taus = [38.0, 45.0, 52.0, 60.0]
    cores = [18.0, 18.5, 17.8, 18.2]
    rows: list[Row] = []
    for minute in range(minutes):
        air = air_at(minute)
        cores = [_lag(c, air, tau, 1.0) for c, tau in zip(cores, taus, strict=True)]
        cells: list[float | str | None] = [
            "ERR" if minute in faults.get(k, set()) else c + rng.uniform(-0.08, 0.08)
            for k, c in enumerate(cores)
        ]
        cells.append(air + rng.uniform(-0.3, 0.3))
        rows.append((start + timedelta(minutes=minute), [_cell(v) for v in cells]))
    header = [f"C{k}[product]" for k in range(1, 5)] + ["A1[air]"]
    return _write("kiln", header, rows)


def kiln_air(door_open: range | None) -> Callable[[int], float]:
    def air(minute: int) -> float:
        if door_open is not None and minute in door_open:
            return 35.0
        return min(72.0, 20.0 + minute * 0.9)

    return air


def citrus() -> str:
    rng = random.Random(7)
    start = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    taus = [9.0, 10.0, 11.0, 12.0, 13.0, 14.0]
    pulps = [9.0, 8.8, 9.2, 8.9, 9.1, 9.0]
    rows: list[Row] = []
    for hour in range(17 * 24):
        air = 0.3 + (0.6 if hour % 8 == 0 and hour > 0 else 0.0)  # defrost every 8 h
        pulps = [_lag(p, 0.55, tau, 1.0) for p, tau in zip(pulps, taus, strict=True)]
        cells = [p + rng.uniform(-0.03, 0.03) for p in pulps]
        cells += [air + rng.uniform(-0.05, 0.05), air + rng.uniform(-0.05, 0.05)]
        rows.append((start + timedelta(hours=hour), [_cell(v) for v in cells]))
    header = [f"C{k}[product]" for k in range(1, 7)] + ["A1[air]", "A2[air]"]
    return _write("citrus", header, rows)


def mango() -> str:
    rng = random.Random(11)
    start = datetime(2026, 5, 20, 9, 0, tzinfo=UTC)
    pulps = [24.0, 23.5]
    rows: list[Row] = []
    for minute in range(80):
        water = 45.8 if 30 <= minute < 44 else 46.5
        waters = [water + rng.uniform(0.0, 0.08), water + rng.uniform(0.0, 0.08)]
        pulps = [_lag(p, water, 25.0, 1.0) for p in pulps]
        cells = [p + rng.uniform(-0.05, 0.05) for p in pulps] + waters
        rows.append((start + timedelta(minutes=minute), [_cell(v) for v in cells]))
    header = ["P1[product]", "P2[product]", "W1[water]", "W2[water]"]
    return _write("mango", header, rows)


def papaya() -> str:
    rng = random.Random(13)
    start = datetime(2026, 6, 3, 6, 0, tzinfo=UTC)
    cores = [26.0, 26.5, 25.8]
    rows: list[Row] = []
    for minute in range(8 * 60):
        air = min(48.8, 26.0 + minute * (22.8 / 245.0))
        cores = [_lag(c, air, tau, 1.0) for c, tau in zip(cores, (22.0, 26.0, 30.0), strict=True)]
        rh = 92.0 + rng.uniform(-2.0, 2.0)
        cells = [c + rng.uniform(-0.05, 0.05) for c in cores]
        cells += [air + rng.uniform(-0.05, 0.05), rh]
        rows.append((start + timedelta(minutes=minute), [_cell(v) for v in cells]))
    header = [f"K{k}[product]" for k in range(1, 4)] + ["A1[air]", "H1[rh]"]
    return _write("papaya", header, rows)


def examples() -> dict[str, str]:
    return {
        "kiln-door-opened.csv": kiln(3, 200, kiln_air(range(108, 124)), {}),
        "kiln-probe-fault.csv": kiln(5, 170, kiln_air(None), {2: set(range(120, 140))}),
        "citrus-cold-room.csv": citrus(),
        "mango-hot-water.csv": mango(),
        "papaya-vapour-heat.csv": papaya(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    stale = []
    for name, text in examples().items():
        path = OUT / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
