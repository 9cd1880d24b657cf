"""Languages and time zones of the pages: the one gettext catalogue (``phytowatch.i18n``), the
language and zone a request asks for, instants shown in the reader's zone with UTC on hover, and
messages (``domain.messages``) said in the reader's language.

The language comes from the ``phytowatch_lang`` cookie (set by the switch on every page), else
from ``Accept-Language``, else Chinese; the zone from ``phytowatch_tz``, else Asia/Shanghai.
"""

from __future__ import annotations

import gettext
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup, escape

from phytowatch.domain.messages import Instant, Message
from phytowatch.i18n import catalogue

LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = catalogue.DEFAULT_LANGUAGE
LANG_COOKIE = "phytowatch_lang"
TZ_COOKIE = "phytowatch_tz"
DEFAULT_TZ = "Asia/Shanghai"
ZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Tokyo", "Europe/London", "UTC")
LOCALE_DIR = catalogue.LOCALE_DIR


def translations(language: str) -> gettext.NullTranslations:
    """The catalogue of ``language`` (read once; no build step)."""
    return catalogue.translations(language)


class _Shown:
    """An instant in a message, as a page shows it: ``<time>`` in the reader's zone."""

    def __init__(self, instant: Instant, zone_name: str) -> None:
        self.us = instant.us
        self.zone_name = zone_name

    def __html_format__(self, spec: str) -> Markup:
        if spec == "day":
            moment = datetime.fromtimestamp(self.us / 1_000_000, UTC).astimezone(
                zone(self.zone_name)
            )
            return Markup('<time datetime="{0}">{0}</time>').format(moment.strftime("%Y-%m-%d"))
        return local_time(self.us, self.zone_name, seconds=True)

    def __format__(self, spec: str) -> str:
        return str(self.__html_format__(spec).striptags())


def say(message: Message, language: str, zone_name: str) -> Markup:
    """A message in ``language``: the translation is ours (trusted), every parameter escaped."""
    template, params = catalogue.localise(
        message, language, instant=lambda instant: _Shown(instant, zone_name)
    )
    try:
        return Markup(escape(template)).format_map(params)
    except (KeyError, ValueError, IndexError, AttributeError):
        return Markup(escape(message.english()))


def say_any(text: Any, language: str, zone_name: str) -> Markup | str:
    """A message, or a text a page marked itself (``N_``), in ``language``; None as nothing."""
    if text is None or text == "":
        return ""
    if isinstance(text, Message):
        return say(text, language, zone_name)
    return escape(translations(language).gettext(str(text)))


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's language when it is one we have, else the best of Accept-Language."""
    if cookie in LANGUAGES:
        return cookie
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()))
    for quality, _, tag in sorted(ranked):
        if quality >= 0:
            continue
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE


def html_lang(language: str) -> str:
    return "zh-CN" if language == "zh_CN" else "en"


def pick_zone(cookie: str | None) -> str:
    return cookie if cookie in ZONES else DEFAULT_TZ


@cache
def zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # no tz database on this machine: China has kept UTC+8 without DST since 1991
        return timezone(timedelta(hours=8)) if name == DEFAULT_TZ else UTC


def to_datetime(instant: int | str | None) -> datetime | None:
    """µs since the epoch, or ISO 8601 text (as the APIs write it), as an aware datetime."""
    if instant is None or instant == "":
        return None
    if isinstance(instant, int):
        return datetime.fromtimestamp(instant / 1_000_000, UTC)
    return datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(UTC)


def local_time(instant: int | str | None, zone_name: str, *, seconds: bool = False) -> Markup:
    """``<time>`` in the reader's zone, the UTC instant in ``datetime`` and on hover."""
    moment = to_datetime(instant)
    if moment is None:
        return Markup("–")
    shown = moment.astimezone(zone(zone_name))
    pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    utc = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return Markup('<time datetime="{0}" title="{0} UTC">{1}</time>').format(
        escape(utc), escape(shown.strftime(pattern))
    )


def duration(seconds_: float | None, language: str) -> str:
    """A span for people: 45 s, 18 min, 3 h 20 min, 6 d 4 h."""
    if seconds_ is None:
        return "–"
    s = int(seconds_)
    zh = language == "zh_CN"
    if s < 60:
        return f"{s} 秒" if zh else f"{s} s"
    if s < 3600:
        return f"{s // 60} 分钟" if zh else f"{s // 60} min"
    if s < 86400:
        h, m = divmod(s // 60, 60)
        if zh:
            return f"{h} 小时 {m} 分" if m else f"{h} 小时"
        return f"{h} h {m} min" if m else f"{h} h"
    d, h = divmod(s // 3600, 24)
    if zh:
        return f"{d} 天 {h} 小时" if h else f"{d} 天"
    return f"{d} d {h} h" if h else f"{d} d"
