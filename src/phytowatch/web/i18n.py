"""Languages and time zones of the pages: gettext catalogues (``locale/*/LC_MESSAGES/*.po``,
compiled in memory with Babel when first used), the language and zone a request asks for, and
instants shown in the reader's zone with UTC on hover.

The language comes from the ``phytowatch_lang`` cookie (set by the switch on every page), else
from ``Accept-Language``, else Chinese; the zone from ``phytowatch_tz``, else Asia/Shanghai.
"""

from __future__ import annotations

import gettext
import io
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup, escape

LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"
LANG_COOKIE = "phytowatch_lang"
TZ_COOKIE = "phytowatch_tz"
DEFAULT_TZ = "Asia/Shanghai"
ZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Tokyo", "Europe/London", "UTC")
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue of ``language``, compiled from its ``.po`` in memory (no build step)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


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
