"""The simulator and the demo say everything from the one catalogue: under a Chinese locale their
progress, fault, summary and refusal lines are Chinese (only names, codes, numbers, times and
the fault syntax stay as written); in English they read as they always have."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import pytest

from phytowatch.cli.messages import say
from phytowatch.demo.run import new_alarms
from phytowatch.domain.messages import Code, Instant, Message
from phytowatch.domain.messages import say as message
from phytowatch.simulate.device import Answer
from phytowatch.simulate.faults import SpecError
from phytowatch.simulate.runner import run_fleet, summary_lines
from phytowatch.simulate.spec import facility_spec, fleet_specs

START = 1_772_352_000_000_000  # 2026-03-01T08:00:00Z
ZH = partial(say, lang="zh")


def _english_words(text: str, *allowed: str) -> set[str]:
    """Words of three letters or more left in English, outside what is allowed."""
    for given in sorted(allowed, key=len, reverse=True):
        text = text.replace(given, "")
    return set(re.findall(r"[A-Za-z]{3,}", text))


class Server:
    """Answers every batch: accepted, one reading refused with the server's code."""

    channel = "memory"

    def send(self, payload: dict[str, Any]) -> Answer:
        n = len(payload["readings"])
        refused = {"index": 0, "reason": "no time (t)", "code": "reading.no_time", "params": {}}
        return Answer(200, {"accepted": n - 1, "duplicates": 0, "rejected": [refused]})

    def close(self) -> None:
        pass


def _fleet(said: Any) -> list[str]:
    spec = facility_spec(
        "K1",
        "t",
        "kiln",
        ["C1:product", "A1:air"],
        ["door@20m:10m", "outage@40m:10m", "clock:+3m@50m"],
        seed=1,
        interval_s=600,
    )
    ticks = iter(range(100_000))  # each look at the clock: 0.05 s later, 3 simulated minutes
    lines: list[str] = []
    outcome = run_fleet(
        [spec],
        connect=lambda _spec: Server(),
        start=START,
        speed=3600.0,
        duration_s=3600,
        report_every_s=1800,
        emit=lines.append,
        monotonic=lambda: next(ticks) * 0.05,
        sleep=lambda _s: None,
        said=said,
    )
    return lines + summary_lines(outcome, said)


def test_the_simulators_lines_are_chinese_under_a_chinese_locale() -> None:
    english = _fleet(Message.english)
    chinese = _fleet(ZH)
    assert len(english) == len(chinese)
    assert any(line.startswith("    +30m  K1  kiln  sent ") for line in english)
    assert any("fault: door for 10m (at 2026-03-01T08:20:00Z)" in line for line in english)
    assert any("fault over: outage: sending the backlog of " in line for line in english)
    assert english[-1].startswith("simulate done after 1h simulated: 1 facilities, ")
    text = "\n".join(chinese)
    assert "已发送" in text and "故障：door，持续 10m" in text and "模拟完成" in text
    assert "拒收：缺少 't'（设备时间）" in text  # the server's reason, from its code
    allowed = ("K1", "kiln", "door", "outage", "clock", "simulate")
    assert _english_words(text, *allowed) == set(), text


def test_a_refused_fleet_file_is_said_in_chinese_where_it_was_found() -> None:
    text = '[{"facility": "K1", "token": "t", "kind": "oven", "probes": ["C1:product"]}]'
    with pytest.raises(SpecError) as caught:
        fleet_specs(text, "fleet.json", seed=7, interval_s=60)
    error = caught.value
    assert str(error).startswith("fleet.json, facility 1: K1: kind 'oven': one of kiln")
    chinese = error.said(ZH)
    assert chinese.startswith("fleet.json，第 1 个处理设施：K1：类型 oven")
    kinds = ("kiln", "cold_room", "hot_water_tank", "vapour_heat_chamber", "reefer", "oven")
    assert _english_words(chinese, "fleet.json", *kinds) == set()


def test_the_demos_lines_are_chinese_under_a_chinese_locale() -> None:
    lines = [
        message(
            Code.DEMO_LIVE,
            enterprises=77,
            cities=11,
            facilities=77,
            working=30,
            start=Instant(START),
            speed="60",
        ),
        message(Code.DEMO_WALL, url="http://127.0.0.1:8000/wall"),
        message(Code.DEMO_PEOPLE, office="JX", enterprise="GZ01"),
        message(Code.DEMO_STOP),
        message(
            Code.DEMO_SUMMARY,
            now=Instant(START),
            started=40,
            closed=12,
            passed=9,
            failed=3,
            holding=8,
            waiting=10,
            alarms=4,
        ),
    ]
    english = [m.english() for m in lines]
    assert "77 enterprises in 11 cities" in english[0]
    assert "runs: 40 started, 12 closed (9 pass, 3 fail" in english[-1]
    chinese = "\n".join(ZH(m) for m in lines)
    assert "演示省已运行" in chinese and "已开始 40" in chinese
    assert _english_words(chinese, "http://127.0.0.1:8000/wall", "Ctrl", "GZ01") == set()
    assert callable(new_alarms)
