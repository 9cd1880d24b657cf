"""Schedule files are refused when malformed or contradictory, naming file and field (§2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from phytowatch.i18n.catalogue import render
from phytowatch.schedules import ScheduleFileError, load_catalog, load_file, parse_schedule


def shipped(schedule_id: str) -> dict[str, Any]:
    path = resources.files("phytowatch.schedules") / "data" / f"{schedule_id}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.pop(key)


def _set(*path: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        for key in path[:-1]:
            d = d[key]
        d[path[-1]] = value

    return change


CASES = [
    # (schedule, change, field named, words of the problem)
    ("ispm15-ht", _drop("min_probes"), "min_probes", "missing"),
    ("ispm15-ht", _drop("steps"), "steps", "missing"),
    ("ispm15-ht", _set("colour", value="red"), "colour", "unknown field"),
    ("ispm15-ht", _set("steps", 0, "thershold", value=56.0), "steps[0].thershold", "unknown"),
    ("ispm15-ht", _set("min_probes", value="3"), "min_probes", "whole number"),
    ("ispm15-ht", _set("min_probes", value=0), "min_probes", "whole number"),
    ("ispm15-ht", _set("steps", 0, "threshold", value="56"), "steps[0].threshold", "number"),
    ("ispm15-ht", _set("regime", value="warm"), "regime", "heat"),
    ("ispm15-ht", _set("judged_role", value="pulp"), "judged_role", "product"),
    ("ispm15-ht", _set("on_interruption", value="ignore"), "on_interruption", "restart"),
    ("ispm15-ht", _set("steps", 0, "duration", value="30 minutes"), "steps[0].duration", "30"),
    ("ispm15-ht", _set("max_sample_interval", value="5 minutes"), "max_sample_interval", "5"),
    ("ispm15-ht", _set("steps", value=[]), "steps", "at least one"),
    ("ispm15-ht", _set("steps", 0, "threshold", value=200.0), "steps[0].threshold", "range"),
    (
        "au-cold-citrus-medfly",
        _set("steps", 1, "threshold", value=1.0),
        "steps[1].threshold",
        "rise",
    ),
    (
        "au-cold-citrus-medfly",
        _set("steps", 1, "duration", value="13 d"),
        "steps[1].duration",
        "longer",
    ),
    (
        "au-cold-citrus-medfly",
        _set("steps", 1, "duration", value="14 d"),
        "steps[1].duration",
        "longer",
    ),
    ("hwt-mango", _set("tolerance", "lower", value=46.1), "tolerance.lower", "below"),
    ("hwt-mango", _set("tolerance", "lower", value=47.0), "tolerance.lower", "below"),
    ("vht-papaya-pt21", _set("criteria", 1, "during", value="airr"), "criteria[1].during", "airr"),
    (
        "hwt-mango",
        _set("params", "fruit_class", "choices", "500g", "durations", value=["75 min", "80 min"]),
        "params.fruit_class.choices.500g.durations",
        "one duration per step",
    ),
]


@pytest.mark.parametrize(
    ("schedule_id", "change", "field", "words"),
    CASES,
    ids=[f"{c[0]}:{c[2]}:{c[3]}" for c in CASES],
)
def test_a_malformed_or_contradictory_schedule_is_refused_naming_file_and_field(
    schedule_id: str, change: Callable[[dict[str, Any]], None], field: str, words: str
) -> None:
    data = shipped(schedule_id)
    change(data)
    with pytest.raises(ScheduleFileError) as error:
        parse_schedule(data, "site-schedule.json")
    message = str(error.value)
    assert message.startswith("site-schedule.json: ")
    assert f" {field}: " in message
    assert words in message
    assert error.value.field == field
    # a code with the file and the field as parameters, said in Chinese from the catalogue
    assert error.value.message.code.value.startswith("schedule_file.")
    assert error.value.message.params["file"] == "site-schedule.json"
    chinese = render(error.value.message, "zh_CN")
    assert chinese.startswith(f"site-schedule.json：{field}：") and chinese != message


def test_every_shipped_schedule_parses_unchanged() -> None:
    for schedule_id in ("ispm15-ht", "hwt-mango", "vht-papaya-pt21", "au-cold-citrus-medfly"):
        assert parse_schedule(shipped(schedule_id), f"{schedule_id}.json").id == schedule_id


def test_a_file_that_is_not_json_is_refused_with_its_name_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "id": "x",\n  oops\n}\n', encoding="utf-8")
    with pytest.raises(ScheduleFileError, match=r"broken\.json.*line 3"):
        load_file(path)


def test_a_site_yaml_schedule_is_validated_like_a_shipped_one(tmp_path: Path) -> None:
    data = shipped("ispm15-ht")
    data["id"] = "site-ht"
    data["min_probes"] = "three"
    import yaml

    (tmp_path / "site-ht.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ScheduleFileError, match=r"^site-ht\.yaml: min_probes: "):
        load_catalog([tmp_path])


def test_a_second_file_with_the_same_id_and_version_is_refused(tmp_path: Path) -> None:
    (tmp_path / "copy.json").write_text(json.dumps(shipped("ispm15-ht")), encoding="utf-8")
    with pytest.raises(ScheduleFileError, match=r"copy\.json: version: .*ispm15-ht"):
        load_catalog([tmp_path])


def test_the_cli_refuses_a_broken_site_file_naming_it_in_the_readers_language(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from phytowatch.cli.app import app

    data = shipped("ispm15-ht")
    data["id"] = "site-ht"
    data["steps"][0]["threshold"] = "56"
    (tmp_path / "site-ht.json").write_text(json.dumps(data), encoding="utf-8")
    for lang, said in (
        ("zh", '处理指标文件被拒绝: site-ht.json：steps[0].threshold："56"：必须是数字'),
        ("en", 'schedule file refused: site-ht.json: steps[0].threshold: "56": must be a number'),
    ):
        result = CliRunner().invoke(
            app, ["schedules", "--schedules-dir", str(tmp_path), "--lang", lang]
        )
        assert result.exit_code == 2
        assert result.stderr == f"phytowatch: {said}\n"
