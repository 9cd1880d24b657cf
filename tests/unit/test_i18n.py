"""The pages' languages: the language a request gets, instants in the reader's zone with UTC on
hover, spans for people, and catalogues that translate every message the pages mark."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from phytowatch.domain.accounts import Action, Role
from phytowatch.domain.alarms import AlarmKind, AlarmState, Severity
from phytowatch.domain.judgement.verdict import FindingKind, IndeterminateCause, Reason
from phytowatch.i18n import catalogue, words
from phytowatch.services.provisioning import FACILITY_KINDS
from phytowatch.web import i18n

WEB = Path(i18n.__file__).parent
CATALOGUE = Path(catalogue.__file__).parent


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, None, "zh_CN"),
        (None, "en-GB,en;q=0.9", "en"),
        (None, "zh-TW,zh;q=0.9", "zh_CN"),
        (None, "fr-FR,en;q=0.8,zh;q=0.9", "zh_CN"),  # the best we have, by quality
        (None, "fr-FR", "zh_CN"),
        (None, "en;q=0", "zh_CN"),
        (None, "en;q=banana", "zh_CN"),
        ("en", "zh-CN", "en"),  # the switch wins over the browser
        ("xx", "en", "en"),
    ],
)
def test_the_language_comes_from_the_cookie_then_accept_language_then_chinese(
    cookie: str | None, accept: str | None, expected: str
) -> None:
    assert i18n.pick_language(cookie, accept) == expected


def test_an_instant_is_shown_in_the_readers_zone_with_utc_on_hover() -> None:
    shown = i18n.local_time("2026-03-02T10:17:00Z", "Asia/Shanghai")
    assert shown == (
        '<time datetime="2026-03-02T10:17:00Z" title="2026-03-02T10:17:00Z UTC">'
        "2026-03-02 18:17</time>"
    )
    assert ">2026-03-02 10:17:00<" in i18n.local_time(1_772_446_620_000_000, "UTC", seconds=True)
    assert i18n.local_time(None, "UTC") == "–"
    assert i18n.pick_zone("Mars/Base") == "Asia/Shanghai"


def test_spans_are_for_people_in_both_languages() -> None:
    assert i18n.duration(1800, "en") == "30 min"
    assert i18n.duration(1800, "zh_CN") == "30 分钟"
    assert i18n.duration(14 * 86400, "en") == "14 d"
    assert i18n.duration(3 * 3600 + 20 * 60, "zh_CN") == "3 小时 20 分"
    assert i18n.duration(None, "en") == "–"


def _marked() -> set[str]:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for where in (WEB, CATALOGUE):
        for _, _, message, _, _ in extract_from_dir(str(where), method_map, options):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_the_pages_mark_has_a_chinese_translation() -> None:
    marked = _marked()
    assert len(marked) > 150  # the templates were read
    with (CATALOGUE / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    missing = sorted(m for m in marked if not ((found := catalog.get(m)) and found.string))
    assert missing == []
    assert i18n.translations("zh_CN").gettext("Wall") == "监控墙"
    assert i18n.translations("en").gettext("cold_room") == "cold room"
    assert i18n.translations("en").gettext("Wall") == "Wall"


def test_every_domain_word_a_page_shows_by_its_code_is_marked() -> None:
    assert {k.value for k in AlarmKind} <= set(words.ALARM_KINDS)
    assert {s.value for s in Severity} <= set(words.SEVERITIES)
    assert {s.value for s in AlarmState} <= set(words.ALARM_STATES)
    assert {f.value for f in FindingKind} <= set(words.FINDINGS)
    assert {r.value for r in Reason} <= set(words.REASONS)
    assert {c.value for c in IndeterminateCause} <= set(words.VERDICT_CAUSES)
    assert set(FACILITY_KINDS) <= set(words.FACILITY_KINDS)
    assert {r.value for r in Role} <= set(words.ROLES)
    assert {a.value for a in Action} <= set(words.ACTIONS)
