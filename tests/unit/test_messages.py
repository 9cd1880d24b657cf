"""Everything said to a person is a code with parameters, rendered from one catalogue: every
code has its Chinese, with the same parameters; messages render in both languages, instants in
the reader's zone; a stored message survives its round trip; and no use case or rule writes a
sentence of its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from phytowatch.domain.messages import (
    Code,
    Instant,
    Invalid,
    Kind,
    Message,
    Refused,
    Word,
    code_of,
    message_json,
    placeholders,
    refused,
    say,
    stored_message,
)
from phytowatch.i18n import catalogue
from phytowatch.web import i18n
from phytowatch.web.errors import STATUS, ApiError

SRC = Path(catalogue.__file__).parents[1]
T = 1_772_446_620_000_000  # 2026-03-02T10:17:00Z


def test_every_code_has_one_value_and_one_template() -> None:
    assert len(Code.__members__) == len(list(Code))  # no alias hides a second code
    assert all(code_of(code.value) is code for code in Code)


@pytest.mark.parametrize("code", list(Code), ids=lambda c: c.value)
def test_every_code_is_said_in_chinese_with_the_same_parameters(code: Code) -> None:
    zh = catalogue.translations("zh_CN").entries.get(code.template)
    assert zh, f"{code.value}: no Chinese for {code.template!r}"
    assert placeholders(zh) == placeholders(code.template)
    en = catalogue.translations("en").entries.get(code.template)
    assert en is None or placeholders(en) == placeholders(code.template)


def test_the_catalogue_reader_agrees_with_babel() -> None:
    from babel.messages.pofile import read_po

    for language in catalogue.LANGUAGES:
        path = catalogue.LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as po:
            theirs = {m.id: m.string for m in read_po(po) if m.id and m.string and not m.fuzzy}
        assert catalogue.read_po(path.read_text(encoding="utf-8")) == theirs


def test_a_fuzzy_or_untranslated_entry_is_not_used() -> None:
    text = '#, fuzzy\nmsgid "a"\nmsgstr "甲"\n\nmsgid "b"\nmsgstr ""\n\nmsgid "c"\nmsgstr "丙"\n'
    assert catalogue.read_po(text) == {"c": "丙"}


def test_an_alarm_message_is_english_for_the_api_and_chinese_on_a_page() -> None:
    message = say(
        Code.ALARM_HOLD_BROKEN_PROBES, at=Instant(T), reason=Word("below_threshold"), probes="C1"
    )
    assert message.english() == "hold broken at 2026-03-02T10:17:00Z: below_threshold (C1)"
    page = i18n.say(message, "zh_CN", "Asia/Shanghai")
    assert "2026-03-02 18:17:00</time>" in page
    assert "低于指标" in page and "C1" in page and "中断" in page
    english_page = i18n.say(message, "en", "UTC")
    assert "below the threshold" in english_page and "10:17:00</time>" in english_page


def test_numbers_keep_their_format_in_both_languages() -> None:
    message = say(
        Code.ALARM_APPROACHING, key=Word("product"), value=56.4, margin=0.4, threshold=56.0
    )
    assert message.english() == "product at 56.4, 0.40 from 56"
    assert catalogue.render(message, "zh_CN") == "产品中心：56.4，距指标 56 仅差 0.40"


def test_a_day_is_the_readers_day() -> None:
    due = Instant(1_772_409_600_000_000 + 20 * 3_600_000_000)  # 2026-03-02T20:00Z
    message = say(Code.ALARM_CALIBRATION_EXPIRED, probe="C1", due=due)
    assert message.english() == "C1: calibration expired (2026-03-02)"
    assert ">2026-03-03</time>" in i18n.say(message, "zh_CN", "Asia/Shanghai")


def test_a_parameter_is_escaped_on_a_page_and_kept_verbatim() -> None:
    message = say(Code.NO_USER, login="<b>x</b>")
    shown = i18n.say(message, "en", "UTC")
    assert "<b>" not in shown and "&lt;b&gt;x&lt;/b&gt;" in shown


def test_a_stored_message_comes_back_as_it_was() -> None:
    message = say(Code.NOTE_CALIBRATION_EXPIRED, probe="C2", due=Instant(T))
    assert Message.from_json(message.to_json()) == message
    assert stored_message(message.to_json()) == message
    # a sentence stored before codes, or a code this version does not know: as written
    assert stored_message("C1: something old").english() == "C1: something old"
    assert stored_message({"code": "from.the.future", "params": {}}).code is Code.TEXT


def test_the_api_gets_the_english_the_code_and_plain_params() -> None:
    body = message_json(say(Code.NOTE_CALIBRATION_EXPIRED, probe="C2", due=Instant(T)))
    assert body == {
        "code": "note.calibration_expired",
        "params": {"probe": "C2", "due": "2026-03-02T10:17:00Z"},
        "message": "C2: calibration expired 2026-03-02T10:17:00Z; judged raw",
    }


def test_a_refusals_status_comes_from_its_kind_in_one_table() -> None:
    assert set(STATUS) == set(Kind)
    error = ApiError.of(Refused(Kind.THROTTLED, say(Code.LOGIN_LOCKED, seconds=3), retry_after=3))
    assert (error.status, error.headers) == (429, {"Retry-After": "3"})
    assert error.body() == {
        "error": "too many failed logins: try again in 3 s",
        "code": "login.locked",
        "params": {"seconds": 3},
    }
    assert str(refused(Kind.NOT_FOUND, Code.NO_RUN, run=7)) == "no run 7"


def test_the_cli_names_its_options_and_the_message_does_not() -> None:
    from phytowatch.cli.messages import say as cli_say

    message = say(Code.PARAM_MISSING, schedule="cold", param="variety", options="a | b")
    assert "--" not in message.english()
    assert cli_say(message, "en").endswith("(--param variety=VALUE)")
    assert "需要参数" in cli_say(message, "zh")


def test_a_broken_translation_falls_back_to_english(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = dict(catalogue.translations("zh_CN").entries)
    entries[Code.NO_RUN.template] = "没有 {number}"  # a translator's slip: an unknown name
    monkeypatch.setattr(catalogue, "translations", lambda _: catalogue.Catalogue(entries))
    assert catalogue.render(say(Code.NO_RUN, run=7), "zh_CN") == "no run 7"


def _names_a_code(call: ast.Call) -> bool:
    """A ``Code.X`` among the call's arguments: the text before it is a field's path (a schedule
    file's ``steps[0].threshold``), said inside the code's message."""
    return any(
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Code"
        for arg in (*call.args, *(keyword.value for keyword in call.keywords))
        for node in ast.walk(arg)
    )


def _sentences_raised(path: Path) -> list[str]:
    """`raise X("…")` or `raise X(f"…")` of any X, with no code: a sentence written where a
    code belongs, as ``path::function:line``."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                first = node.exc.args[0] if node.exc.args else None
                texts = isinstance(first, ast.JoinedStr) or (
                    isinstance(first, ast.Constant) and isinstance(first.value, str)
                )
                if texts and not _names_a_code(node.exc):
                    found.append(f"{path.relative_to(SRC)}::{function.name}:{node.lineno}")
    return sorted(set(found))


# No rule, use case, codec or schedule loader raises a sentence any more; what would be allowed
# to, with its reason, is listed here (docs/development.md, "Messages").
_NOT_YET: tuple[str, ...] = ()


@pytest.mark.parametrize(
    "package", ["domain", "services", "formats", "schedules", "simulate", "demo"]
)
def test_no_rule_or_use_case_raises_a_sentence(package: str) -> None:
    found = [
        where
        for path in sorted((SRC / package).rglob("*.py"))
        for where in _sentences_raised(path)
        if not where.startswith(_NOT_YET)
    ]
    assert found == []


def test_the_cli_says_a_domain_word_in_chinese_as_the_catalogue_does() -> None:
    from phytowatch.cli import messages
    from phytowatch.cli.messages import t, verdict_word
    from phytowatch.i18n import words

    # no second dictionary: the CLI's module holds no table of texts of its own
    tables = [
        name
        for name, value in vars(messages).items()
        if isinstance(value, dict) and name != "CLI_HINTS" and not name.startswith("__")
    ]
    assert tables == []
    for language, lang in (("zh_CN", "zh"), ("en", "en")):
        said = catalogue.translations(language).gettext
        for word in (*words.REASONS, *words.FINDINGS, *words.PROBE_ROLES, *words.CLI):
            assert t(word, lang) == said(word)
    assert t("below_threshold", "zh") == "低于指标"
    assert t("below_threshold", "en") == "below the threshold"  # the catalogue's, not the CLI's
    assert verdict_word("PASS", "zh") == "合格 PASS" and verdict_word("PASS", "en") == "PASS"


def _cli_labels() -> set[str]:
    """Every text the CLI's modules hand to ``t("…")`` as a literal."""
    found = set()
    for path in (SRC / "cli").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def test_every_label_the_cli_says_is_in_the_catalogue_in_both_languages() -> None:
    from phytowatch.i18n import words

    labels = _cli_labels()
    assert {"Source", "Why", "Review required: no"} <= labels  # the scan sees the report
    zh = catalogue.translations("zh_CN").entries
    assert sorted(label for label in labels if label not in zh) == []
    marked = set(words.CLI) | set(words.REGIMES) | set(words.VERDICTS)
    unmarked = {label for label in labels if label not in marked}
    assert unmarked <= {"Hold", "Longest hold", "Interruptions", "Findings", "none"}  # the pages'


def test_a_bad_time_or_duration_is_a_code_and_its_english_is_the_protocols() -> None:
    from phytowatch.domain.instants import parse_duration, parse_instant

    with pytest.raises(Invalid) as error:
        parse_instant("2026-03-01T10:43:00", naive_is_utc=False)
    assert error.value.message.code is Code.INSTANT_NO_OFFSET
    assert str(error.value) == "no UTC offset (write Z or +08:00)"  # device-protocol.md's words
    assert "缺少 UTC 偏移" in catalogue.render(error.value.message, "zh_CN")
    with pytest.raises(Invalid) as error:
        parse_instant("1800-01-01T00:00:00Z")
    assert str(error.value) == "outside the years 1900 to 9998"
    with pytest.raises(Invalid) as error:
        parse_duration("3 weeks")
    assert error.value.message == say(Code.DURATION_HOW, text="3 weeks")


def test_the_engine_refuses_input_built_wrongly_with_a_code() -> None:
    from phytowatch.domain.judgement.judge import Judge
    from phytowatch.domain.series import downsample
    from phytowatch.schedules import load_one

    schedule = load_one("ispm15-ht")
    with pytest.raises(Invalid) as error:
        Judge(schedule, [("C1", "product"), ("C1", "product")])
    assert error.value.message == say(Code.JUDGE_PROBE_TWICE, probe="C1")
    with pytest.raises(Invalid) as error:
        Judge(schedule, [("C1", "product")], offsets={"C1": "25"})
    assert error.value.message.code is Code.JUDGE_OFFSET_LARGE
    with pytest.raises(Invalid) as error:
        downsample([], 10, 10, 5)
    assert error.value.message.code is Code.SERIES_SPAN
