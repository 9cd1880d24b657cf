"""The demo province: 77 export enterprises across Jiangxi's 11 prefecture-level cities.

Mostly wood-packaging kilns, navel-orange cold rooms in Ganzhou, a few hot-water lines and one
vapour-heat chamber. A fresh SQLite database is seeded (the province, its probes' calibrations,
a camera on each working facility), the service is started, and the working facilities run load
after load (demo/cycle.py), their simulated devices feeding the service over the public device
protocol on the demo's accelerated clock, with faults in some runs: a door opened, a probe pulled
out of the wood, a stuck probe, an error code, an outage with its backfill, and a hot-water line
that loses a probe (that run fails).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

# (code, Chinese, English): Jiangxi's 11 prefecture-level cities
CITIES = (
    ("NC", "南昌", "Nanchang"),
    ("JJ", "九江", "Jiujiang"),
    ("JD", "景德镇", "Jingdezhen"),
    ("PX", "萍乡", "Pingxiang"),
    ("XY", "新余", "Xinyu"),
    ("YT", "鹰潭", "Yingtan"),
    ("GZ", "赣州", "Ganzhou"),
    ("JA", "吉安", "Ji'an"),
    ("YC", "宜春", "Yichun"),
    ("FZ", "抚州", "Fuzhou"),
    ("SR", "上饶", "Shangrao"),
)
PER_CITY = 7  # 11 x 7 = 77 enterprises
GRADES = ("I", "II", "II", "III", "I", "II", "IV")

KILN_PROBES = ["C1:product:30", "C2:product:35", "C3:product:40", "C4:product:32", "A1:air"]
COLD_PROBES = [f"C{k}:product" for k in range(1, 7)] + ["A1:air", "A2:air"]
HWT_PROBES = ["W1:water", "W2:water", "P1:product", "P2:product"]
VHT_PROBES = ["K1:product", "K2:product", "K3:product", "A1:air", "H1:rh"]


@dataclass(frozen=True)
class DemoFacility:
    code: str
    enterprise: str
    kind: str  # the registry's kind
    sim_kind: str  # the simulator's model
    probes: list[str]
    schedule: str | None = None  # a run is started on it when set
    params: dict[str, str] | None = None
    # what goes wrong in its runs, one plan per run in turn (most runs go well)
    fault_plans: tuple[tuple[str, ...], ...] = ((),)
    load: str = ""
    interval_s: int = 60
    camera: str = ""  # a camera registered to it, which sends stills during its runs


@dataclass(frozen=True)
class DemoEnterprise:
    code: str
    name_zh: str
    name_en: str
    city: str
    grade: str


def province() -> tuple[list[DemoEnterprise], list[DemoFacility]]:
    """The enterprises and facilities of the demo, deterministic."""
    enterprises: list[DemoEnterprise] = []
    facilities: list[DemoFacility] = []
    for city_code, city_zh, city_en in CITIES:
        for n in range(1, PER_CITY + 1):
            code = f"{city_code}{n:02d}"
            grade = GRADES[n - 1]
            if city_code == "GZ" and n <= 4:
                trade_zh, trade_en = "脐橙果业", "Navel Orange"
                kind, sim, probes, interval = "cold_room", "cold_room", COLD_PROBES, 600
                schedule, load = "au-cold-citrus-medfly", "Gannan navel oranges, 20 t"
            elif city_code in {"JA", "GZ"} and n in {5, 6}:
                trade_zh, trade_en = "农产品", "Agricultural Products"
                # a sample every 20 s: the schedule allows a minute between two, and the demo's
                # clock runs fast enough for a second's delay to be half a minute
                kind, sim, probes, interval = "hot_water_tank", "hot_water_tank", HWT_PROBES, 20
                schedule, load = "hwt-mango", "mangoes up to 500 g, 2 t"
            elif city_code == "NC" and n == 7:
                trade_zh, trade_en = "蒸热处理", "Vapour Heat"
                kind, sim, probes, interval = (
                    "vapour_heat_chamber",
                    "vapour_heat_chamber",
                    (VHT_PROBES),
                    20,
                )
                schedule, load = "vht-papaya-pt21", "papaya, 1 t"
            else:
                trade_zh, trade_en = "木业包装", "Wood Packaging"
                # a sample every 30 s: a stuck probe then repeats itself 30 times within the hold
                kind, sim, probes, interval = "kiln", "kiln", KILN_PROBES, 30
                schedule, load = "ispm15-ht", f"{600 + 50 * n} pallets, pine"
            enterprises.append(
                DemoEnterprise(
                    code,
                    f"{city_zh}{trade_zh}有限公司（{n}）",
                    f"{city_en} {trade_en} Co., Ltd. ({n})",
                    city_zh,
                    grade,
                )
            )
            running = _runs_here(city_code, n, kind)
            facilities.append(
                DemoFacility(
                    code=f"JX-{code}-{kind[:1].upper()}1",
                    enterprise=code,
                    kind=kind,
                    sim_kind=sim,
                    probes=list(probes),
                    schedule=schedule if running else None,
                    params={"fruit_class": "500g"} if schedule == "hwt-mango" else None,
                    fault_plans=FAULT_PLANS[kind],
                    load=load,
                    interval_s=interval,
                    camera=CAMERAS[kind] if running else "",
                )
            )
    return enterprises, facilities


# One plan per run, taken in turn (each facility starts at its own place in the list).
FAULT_PLANS: dict[str, tuple[tuple[str, ...], ...]] = {
    "kiln": (
        (),
        ("door@100m:25m",),  # the hold breaks and restarts
        (),
        ("pulled:C3@90m",),  # the probe tracks the air: a finding, review required
        (),
        ("stuck:C2@170m:25m",),  # identical readings during the hold: a finding
        (),
        ("error:C4@70m:6m",),  # an error code, the run carries on on three probes
        (),
        ("outage@80m:20m",),  # the facility falls silent, then uploads its buffer
    ),
    # too few water probes for three minutes: the run fails
    "hot_water_tank": ((), ("dropout:W1@40m:3m",), ()),
    "vapour_heat_chamber": ((),),
    "cold_room": ((),),
}
CAMERAS = {
    "kiln": "door",
    "hot_water_tank": "tank",
    "vapour_heat_chamber": "chamber",
    "cold_room": "loading-bay",
}


def _runs_here(city_code: str, n: int, kind: str) -> bool:
    """Which facilities have a load in them now: about a quarter of the province."""
    if kind in {"cold_room", "hot_water_tank", "vapour_heat_chamber"}:
        return True
    return n in {1, 3} or (city_code in {"NC", "GZ"} and n == 2)


def admin_token() -> str:
    return "demo-" + secrets.token_urlsafe(16)


DEMO_OFFICE = ("JX", "Jiangxi bureau (demo) 江西局")
DEMO_ENTERPRISE = "GZ01"  # a Ganzhou kiln enterprise with runs under way
# (login, name, role, enterprise, office): one person per role
DEMO_PEOPLE = (
    ("operator", "Demo operator 操作员", "enterprise_operator", DEMO_ENTERPRISE, None),
    ("declarant", "Demo declarant 报检员", "enterprise_declarant", DEMO_ENTERPRISE, None),
    ("inspector", "Demo inspector 检验检疫官", "inspector", None, DEMO_OFFICE[0]),
    ("certifier", "Demo certifying officer 签证官", "certifying_officer", None, DEMO_OFFICE[0]),
    ("port", "Demo port officer 口岸官员", "port_officer", None, DEMO_OFFICE[0]),
    ("admin", "Demo administrator 管理员", "administrator", None, None),
)


def demo_password() -> str:
    """A fresh password per demo run: printed by the demo, never a fixed one to leak."""
    return "demo-" + secrets.token_urlsafe(9)
