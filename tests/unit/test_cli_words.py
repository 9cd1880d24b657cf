"""The CLI's own words come from the one catalogue: ``evaluate``'s argument errors and what
``schedules show`` says of a schedule read in Chinese with no English left over, and in English
as before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from phytowatch.cli.app import app
from phytowatch.cli.evaluate import run

LOG = str(Path(__file__).parents[2] / "src" / "phytowatch" / "examples" / "kiln-door-opened.csv")
HT = [LOG, "--schedule", "ispm15-ht"]


def _english_words(text: str, *allowed: str) -> set[str]:
    """The English words of ``text`` (three letters or more) outside the option names, file
    names, values and durations given: what a Chinese reader would still read in English."""
    for given in sorted(allowed, key=len, reverse=True):  # the longest first
        text = text.replace(given, "")
    # a duration is written with its units in both languages, as the evaluate report's (README)
    text = re.sub(r"\b\d+ (d|h|min|s)\b", "", text)
    return set(re.findall(r"[A-Za-z]{3,}", text))


def _evaluate(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = run(argv)
    out, err = capsys.readouterr()
    assert out == ""
    return code, err


# (arguments, the English line, what the Chinese line says, what may stay in it as given)
ARGUMENT_ERRORS = [
    (
        [*HT, "--offset", "C1=x"],
        "--offset C1=x: not a number",
        "不是数字",
        ("--offset", "C1=x"),
    ),
    (
        [*HT, "--offset", "C1=1e999999999"],
        "--offset C1=1e999999999: not a plausible calibration offset (at most ±20)",
        "不是合理的校准偏差（最多 ±20）",
        ("--offset", "C1=1e999999999"),
    ),
    (
        [*HT, "--offset", "C1=inf"],
        "--offset C1=inf: not a number",
        "不是数字",
        ("--offset", "C1=inf"),
    ),
    (
        [*HT, "--param", "fruit_class"],
        "--param 'fruit_class': write NAME=VALUE",
        "请写成 NAME=VALUE",
        ("--param", "fruit_class", "NAME=VALUE"),
    ),
    (
        [*HT, "--offset", "C1=1", "--offset", "C1=2"],
        "--offset C1 given twice",
        "重复给出",
        ("--offset",),
    ),
    (
        [LOG],
        "the following arguments are required: --schedule (see phytowatch evaluate --help)",
        "缺少必需的参数：--schedule",
        ("--schedule", "phytowatch evaluate --help"),
    ),
    (
        ["--schedule", "ispm15-ht"],
        "the following arguments are required: LOG.csv (see phytowatch evaluate --help)",
        "缺少必需的参数：LOG.csv",
        ("LOG.csv", "phytowatch evaluate --help"),
    ),
    (
        [*HT, "--colour"],
        "unrecognized arguments: --colour (see phytowatch evaluate --help)",
        "无法识别的参数：--colour",
        ("--colour", "phytowatch evaluate --help"),
    ),
    (
        [*HT, "--param"],
        "--param needs a value (see phytowatch evaluate --help)",
        "需要一个值",
        ("--param", "phytowatch evaluate --help"),
    ),
    (
        [*HT, "--json=yes"],
        "--json takes no value (see phytowatch evaluate --help)",
        "不接受值",
        ("--json", "phytowatch evaluate --help"),
    ),
    (
        [LOG, "--sched", "ispm15-ht"],
        "--sched could be --schedule, --schedules-dir: write it in full "
        "(see phytowatch evaluate --help)",
        "可能是 --schedule, --schedules-dir：请写全",
        ("--schedules-dir", "--schedule", "--sched", "phytowatch evaluate --help"),
    ),
]


@pytest.mark.parametrize(
    ("argv", "english", "chinese", "given"),
    ARGUMENT_ERRORS,
    ids=[english.split(" (")[0] for _, english, _, _ in ARGUMENT_ERRORS],
)
def test_an_argument_error_of_evaluate_is_one_line_in_the_readers_language(
    argv: list[str],
    english: str,
    chinese: str,
    given: tuple[str, ...],
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = _evaluate([*argv, "--lang", "en"], capsys)
    assert (code, err) == (2, f"phytowatch evaluate: {english}\n")
    code, err = _evaluate([*argv, "--lang", "zh"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert chinese in err
    assert _english_words(err, "phytowatch evaluate", *given) == set()


def test_evaluate_says_its_argument_errors_in_the_locales_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert _evaluate([*HT, "--offset", "C1=x"], capsys) == (
        2,
        "phytowatch evaluate: --offset C1=x：不是数字\n",
    )
    # a --lang that is not a language is said in the locale's
    assert _evaluate([*HT, "--lang", "fr"], capsys) == (
        2,
        "phytowatch evaluate: --lang 'fr'：应为 en, zh 之一（见 phytowatch evaluate --help）\n",
    )
    monkeypatch.setenv("LC_ALL", "C")
    assert _evaluate([*HT, "--lang", "fr"], capsys) == (
        2,
        "phytowatch evaluate: --lang 'fr': one of en, zh (see phytowatch evaluate --help)\n",
    )


def test_evaluates_usage_still_says_what_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run(["--help"])
    usage = capsys.readouterr().out
    assert "[-h] --schedule ID " in usage and "[--schedule ID]" not in usage
    assert "[LOG.csv]" not in usage


def _show(schedule: str, lang: str) -> str:
    result = CliRunner().invoke(app, ["schedules", "show", schedule, "--lang", lang])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_schedules_show_says_tolerance_start_condition_and_params_in_chinese() -> None:
    shown = _show("hwt-mango", "zh")
    assert "  容差              ≥ 45.4 °C；前 5 min 不计；区间内累计时长上限按参数而定\n" in shown
    assert "  起始条件          产品中心 在首个采样时刻 ≥ 21.1 °C\n" in shown
    assert "  参数 fruit_class  500g | 700g | 900g — " in shown
    lines = [line for line in shown.splitlines() if line.startswith(("  容差", "  起始", "  参数"))]
    assert len(lines) == 3
    assert _english_words("\n".join(lines), "fruit_class", "Fruit weight class: up to") == set()
    english = _show("hwt-mango", "en")
    assert "  tolerance            ≥ 45.4 °C; first 5 min free; band budget by param\n" in english
    assert "  start condition      product core ≥ 21.1 °C at the first sample\n" in english
    assert "  param fruit_class    500g | 700g | 900g — Fruit weight class" in english


def test_schedules_show_says_each_extra_criterion_in_chinese() -> None:
    shown = _show("vht-papaya-pt21", "zh")
    criteria = [line for line in shown.splitlines() if line.startswith("  附加判据")]
    assert criteria == [
        "  附加判据      air：空气 ≥ 48 °C 3 h 30 min（至少 1 个探头）",
        "  附加判据      humidity：相对湿度 在 air 保持期间始终 ≥ 60 %RH",
        "  附加判据      air_ramp：空气 从首个读数起至少经过 3 h 30 min 才达到 48.5 °C",
    ]
    # left: the criteria's keys (the schedule file's identifiers) and the units
    assert _english_words("\n".join(criteria), "air_ramp", "humidity", "air", "RH") == set()
    english = _show("vht-papaya-pt21", "en")
    assert "  criterion            air: air ≥ 48 °C 3 h 30 min (min 1 probes)\n" in english
    assert "humidity: relative humidity ≥ 60 %RH throughout the air hold\n" in english
    assert "air_ramp: air takes ≥ 3 h 30 min from its first reading to reach 48.5 °C\n" in english


def test_schedules_show_json_keeps_the_criteria_in_english_with_their_role_codes() -> None:
    result = CliRunner().invoke(
        app, ["schedules", "show", "vht-papaya-pt21", "--json", "--lang", "zh"]
    )
    assert result.exit_code == 0
    assert '"humidity: rh ≥ 60 %RH throughout the air hold"' in result.stdout


def _created(url: str) -> str:
    """The database, as ``db upgrade`` creates it: the other commands never create one."""
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings

    bootstrap(load_settings(database_url=url)).close()
    return url


def test_a_bad_param_and_an_unknown_run_are_said_in_the_locales_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = ["--database-url", _created(f"sqlite:///{tmp_path / 'empty.db'}")]
    start = ["runs", "start", "K1", "--schedule", "ispm15-ht", "--load", "pine"]
    said = {}
    for locale in ("zh_CN.UTF-8", "C"):
        monkeypatch.setenv("LC_ALL", locale)
        bad = CliRunner().invoke(app, [*start, "--param", "fruit_class", *database])
        missing = CliRunner().invoke(app, ["runs", "show", "7", *database])
        assert bad.exit_code == missing.exit_code == 2
        said[locale] = (bad.stderr, missing.stderr)
    assert said["C"] == (
        "phytowatch: --param 'fruit_class': write NAME=VALUE\n",
        "phytowatch: no run 7\n",
    )
    bad_zh, missing_zh = said["zh_CN.UTF-8"]
    assert bad_zh == "phytowatch: --param 'fruit_class'：请写成 NAME=VALUE\n"
    assert "7" in missing_zh and _english_words(missing_zh, "phytowatch") == set()
