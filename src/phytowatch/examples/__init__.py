"""Example treatment logs shipped with the package (made by ``scripts/make_examples.py``).

``phytowatch demo`` tours them; the README's tour shows their real output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Example:
    file: str
    schedule: str
    story: dict[str, str]
    params: dict[str, str] = field(default_factory=dict)
    offsets: dict[str, str] = field(default_factory=dict)

    def path(self) -> Path:
        return Path(__file__).resolve().parent / self.file

    def argv(self) -> list[str]:
        args = [str(self.path()), "--schedule", self.schedule]
        for name, value in self.params.items():
            args += ["--param", f"{name}={value}"]
        for probe, delta in self.offsets.items():
            args += ["--offset", f"{probe}={delta}"]
        return args


EXAMPLES: tuple[Example, ...] = (
    Example(
        "kiln-door-opened.csv",
        "ispm15-ht",
        {
            "en": "A kiln heat-treats pine pallets. The door is opened mid-run: the coldest core "
            "dips below 56 °C, the hold restarts, and the run still passes 30 minutes later.",
            "zh": "窑炉对松木托盘进行热处理。运行中途开门，最冷的木芯跌破 56 °C，保持重新计时；"
            "30 分钟后仍然合格。",
        },
    ),
    Example(
        "kiln-probe-fault.csv",
        "ispm15-ht",
        {
            "en": "One of four wood-core probes reports an error during the hold. Three valid "
            "probes still carry the judgement, so the run passes, but an inspector must review it.",
            "zh": "四个木芯探头之一在保持期间报错。其余三个有效探头仍可判定，运行合格，"
            "但须检验员复核。",
        },
    ),
    Example(
        "citrus-cold-room.csv",
        "au-cold-citrus-medfly",
        {
            "en": "Gannan navel oranges precool in a cold room; timing starts only when all six "
            "pulp probes have reached 1.11 °C, and 14 days later the run passes.",
            "zh": "赣南脐橙在冷库中预冷；六个果肉探头全部达到 1.11 °C 后才开始计时，14 天后合格。",
        },
        offsets={"C4": "-0.05"},
    ),
    Example(
        "mango-hot-water.csv",
        "hwt-mango",
        {
            "en": "Mangoes (up to 500 g) in a hot-water tank. The heater falters and the water "
            "spends more than the 10 minutes allowed just below 46.1 °C: the run fails.",
            "zh": "500 克以下芒果热水处理。加热器波动，水温在 46.1 °C 以下的容差区间累计超过 "
            "10 分钟：不合格。",
        },
        params={"fruit_class": "500g"},
    ),
    Example(
        "papaya-vapour-heat.csv",
        "vht-papaya-pt21",
        {
            "en": "Papaya in a vapour-heat chamber: a slow 4-hour ramp, air at 48 °C for "
            "3.5 hours, fruit cores at 47.5 °C, humidity above 60 %. Four criteria, all met.",
            "zh": "番木瓜蒸热处理：4 小时缓慢升温，空气 48 °C 保持 3.5 小时，果心 47.5 °C，"
            "湿度 60 % 以上。四项条件全部满足。",
        },
    ),
)
