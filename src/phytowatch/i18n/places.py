"""Place names in both languages: the registry keeps a city as it was entered (one name, the
Chinese one for the bureau's province, by which an office covers it); a page shows it in the
reader's language when the catalogue knows the other name (``words.CITIES``, both ``.po``
files). A city the catalogue does not know is shown as it was entered, in either language.

A country is stored as its ISO 3166-1 alpha-2 code and named from the Unicode CLDR's territory
names that Babel ships (a pinned dependency: no network, no file of ours to keep up to date).
"""

from __future__ import annotations

from functools import cache

from babel import Locale

from phytowatch.i18n import words
from phytowatch.i18n.catalogue import translations


@cache
def _by_name() -> dict[str, tuple[str, str]]:
    """Every known city under both its names (casefolded): its (Chinese, English) pair."""
    english = translations("en")
    pairs = [(zh, english.gettext(zh)) for zh in words.CITIES]
    return {name.casefold(): pair for pair in pairs for name in pair}


def city_name(city: str, language: str) -> str:
    """The city in ``language`` ("zh_CN" or "en") when known, else as it was entered."""
    pair = _by_name().get(city.strip().casefold())
    if pair is None:
        return city
    return pair[0] if language == "zh_CN" else pair[1]


def city_en(city: str) -> str:
    """A city's English name when the catalogue knows it, else as it was entered."""
    return city_name(city, "en")


@cache
def _territories(language: str) -> dict[str, str]:
    return dict(Locale.parse("zh_CN" if language == "zh_CN" else "en").territories)


def country_name(code: str, language: str) -> str:
    """An ISO 3166-1 alpha-2 code's country in ``language`` ("zh_CN" or "en"), e.g. 德国 or
    Germany; a code CLDR does not know (or ``*``) as it was given."""
    return (
        _territories(language).get(code.strip().upper(), code) if len(code.strip()) == 2 else code
    )
