"""``phytowatch evaluate`` on a log it cannot read: one line, the file, the line and the problem,
in Chinese from the one catalogue (``FILE 第 N 行``) with no English problem words left, and in
English exactly as before (``FILE, line N: problem``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from phytowatch.cli.evaluate import run

# (the log, the English problem, the Chinese problem, the log's own values the lines quote)
BROKEN = [
    (
        "timestamp,C1,C2\n2026-03-01T10:00:00Z,56\n",
        "line 2: 2 cells, but the header has 3",
        "第 2 行：有 2 个单元格，但表头有 3 个",
        (),
    ),
    (
        "timestamp,C1\n2026-03-01T10:00:00Z,56\n253402300800,57\n",
        "line 3: unparseable timestamp '253402300800' (outside the years 1900 to 9998)",
        "第 3 行：无法解析的时间戳 '253402300800'（超出 1900 年至 9998 年的范围）",
        (),
    ),
    (
        "timestamp,C1\n2026-03-01T10:00:00Z,56\nyesterday,57\n",
        "line 3: unparseable timestamp 'yesterday'",
        "第 3 行：无法解析的时间戳 'yesterday'",
        ("yesterday",),
    ),
    (
        "timestamp,C1,C1[air]\n2026-03-01T10:00:00Z,56,57\n",
        "line 1: probe C1 appears twice (columns 2 and 3)",
        "第 1 行：探头 C1 出现两次（第 2 列和第 3 列）",
        (),
    ),
    (
        "timestamp,C1[pulp]\n2026-03-01T10:00:00Z,56\n",
        "line 1: column 2: unknown role 'pulp' (one of product, air, water, rh)",
        "第 1 行：第 2 列：未知的探头类型 'pulp'（可选：product, air, water, rh）",
        ("pulp", "product", "air", "water"),
    ),
    (
        "time,C1\n2026-03-01T10:00:00Z,56\n",
        "line 1: no timestamp column: the first column is 'time'",
        "第 1 行：缺少时间戳列：第一列是 'time'",
        ("time",),
    ),
    (
        "",
        "line 1: empty file: expected a header row starting with 'timestamp'",
        "第 1 行：空文件：第一行应为以 timestamp 开头的表头",
        ("timestamp",),
    ),
    (
        "timestamp,probe,role,value\n"
        "2026-03-01T10:00:00Z,C1,product,56\n2026-03-01T10:01:00Z,C1,air,56\n",
        "line 3: probe C1 is product elsewhere, air here",
        "第 3 行：探头 C1 在别处为 product，此处为 air",
        ("product", "air"),
    ),
    (
        "timestamp,C1\n2026-03-01T10:00:00Z,56\n2026-03-01T10:00:00Z,57\n",
        "line 3: C1 has a different reading at the same time as line 2",
        "第 3 行：C1 在同一时间的读数与第 2 行不同",
        (),
    ),
]


def _english_words(text: str, *allowed: str) -> set[str]:
    """The English words (three letters or more) left once the values given are taken out."""
    for given in sorted(allowed, key=len, reverse=True):
        text = text.replace(given, "")
    return set(re.findall(r"[A-Za-z]{3,}", text))


def _evaluate(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = run(argv)
    out, err = capsys.readouterr()
    assert out == ""
    return code, err


@pytest.mark.parametrize(
    ("text", "english", "chinese", "quoted"),
    BROKEN,
    ids=[english.split(": ", 1)[1][:40] for _, english, _, _ in BROKEN],
)
def test_a_broken_log_is_said_in_the_readers_language(
    text: str,
    english: str,
    chinese: str,
    quoted: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = tmp_path / "run.csv"
    log.write_text(text, encoding="utf-8")
    argv = [str(log), "--schedule", "ispm15-ht"]
    code, err = _evaluate([*argv, "--lang", "en"], capsys)
    assert (code, err) == (2, f"phytowatch evaluate: {log}, {english}\n")
    code, err = _evaluate([*argv, "--lang", "zh"], capsys)
    assert (code, err) == (2, f"phytowatch evaluate: {log} {chinese}\n")
    assert _english_words(err, "phytowatch evaluate", str(log), *quoted) == set()


def test_a_broken_log_is_said_in_the_locales_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "run.csv"
    log.write_text("timestamp,C1,C2\n2026-03-01T10:00:00Z,56\n", encoding="utf-8")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert _evaluate([str(log), "--schedule", "ispm15-ht"], capsys) == (
        2,
        f"phytowatch evaluate: {log} 第 2 行：有 2 个单元格，但表头有 3 个\n",
    )
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert _evaluate([str(log), "--schedule", "ispm15-ht"], capsys) == (
        2,
        f"phytowatch evaluate: {log}, line 2: 2 cells, but the header has 3\n",
    )


def test_a_log_that_cannot_be_read_names_the_file_in_either_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "missing.csv"
    argv = [str(log), "--schedule", "ispm15-ht"]
    code, err = _evaluate([*argv, "--lang", "en"], capsys)
    assert (code, err) == (
        2,
        f"phytowatch evaluate: {log}: cannot read the file (No such file or directory)\n",
    )
    code, err = _evaluate([*argv, "--lang", "zh"], capsys)
    assert (code, err) == (
        2,
        f"phytowatch evaluate: {log}：无法读取该文件（No such file or directory）\n",
    )
