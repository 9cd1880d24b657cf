"""Place names in both languages: the registry keeps a city as it was entered (one name, the
Chinese one for the bureau's province, by which an office covers it); a page shows it in the
reader's language when the catalogue knows the other name (``words.CITIES``, both ``.po``
files). A city the catalogue does not know is shown as it was entered, in either language.
"""

from __future__ import annotations

from functools import cache

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
