"""``evaluate``'s text report as a stranger reads it: the whole log's extent and how far
judgement went are two lines, and a vapour-heat schedule's criteria are said in the reader's
words, not by the schedule file's keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from phytowatch.cli.evaluate import run
from phytowatch.examples import EXAMPLES

PAPAYA = str(next(e.path() for e in EXAMPLES if e.file == "papaya-vapour-heat.csv"))


def _report(capsys: pytest.CaptureFixture[str], lang: str) -> list[str]:
    assert run([PAPAYA, "--schedule", "vht-papaya-pt21", "--lang", lang]) == 0
    return capsys.readouterr().out.splitlines()


def test_the_log_and_what_was_judged_are_said_apart(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _report(capsys, "en")
    log = next(line for line in lines if line.startswith("  Log: "))
    judged = next(line for line in lines if line.startswith("  Judged: "))
    assert log.endswith("480 sample times, 2026-06-03T06:00:00Z … 2026-06-03T13:59:00Z")
    assert judged == (
        "  Judged: 448 sample times, 2026-06-03T06:00:00Z … 2026-06-03T13:27:00Z: the verdict "
        "was decided there; the rest of the log, to 2026-06-03T13:59:00Z, was not needed"
    )


def test_vapour_heat_criteria_are_named_in_the_readers_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    english = [line for line in _report(capsys, "en") if line.startswith("  Criteria: ")]
    assert english == [
        "  Criteria: product core ≥ 47.5 °C for 20 min — met at 2026-06-03T10:48:00Z",
        "  Criteria: air ≥ 48 °C for 3 h 30 min — met at 2026-06-03T13:27:00Z",
        "  Criteria: relative humidity ≥ 60 %RH throughout the air hold — met at "
        "2026-06-03T13:27:00Z",
        "  Criteria: air takes at least 3 h 30 min from its first reading to reach 48.5 °C — "
        "met at 2026-06-03T09:30:00Z",
    ]
    chinese = [line for line in _report(capsys, "zh") if line.startswith("  各项条件: ")]
    assert chinese[0].startswith("  各项条件: 产品中心 ≥ 47.5 °C，保持 20 min")
    assert chinese[2].startswith("  各项条件: 相对湿度 在空气保持期间始终 ≥ 60 %RH")
    assert "air_ramp" not in "\n".join(chinese) and "humidity" not in "\n".join(chinese)


def test_a_log_that_ends_with_its_verdict_is_judged_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = Path(PAPAYA).read_text(encoding="utf-8").splitlines()
    cut = tmp_path / "cut.csv"
    cut.write_text("\n".join(rows[:449]) + "\n", encoding="utf-8")  # header + to 13:27
    assert run([str(cut), "--schedule", "vht-papaya-pt21", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert (
        "  Judged: 448 sample times, 2026-06-03T06:00:00Z … 2026-06-03T13:27:00Z: the whole log"
        in out
    )
