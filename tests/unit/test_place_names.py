"""City names in the reader's language: the registry keeps a city by its Chinese name (offices
cover cities by it); the one catalogue says it in English. The demo province's cities are all
there, with the English names the demo gives them."""

from __future__ import annotations

from phytowatch.demo.province import CITIES, province
from phytowatch.i18n import words
from phytowatch.i18n.catalogue import translations


def test_every_city_of_the_demo_province_is_said_in_both_languages() -> None:
    for _, zh, en in CITIES:
        assert translations("zh_CN").gettext(zh) == zh
        assert translations("en").gettext(zh) == en
    assert {zh for _, zh, _ in CITIES} == set(words.CITIES)
    assert {e.city for e in province()[0]} == set(words.CITIES)  # registered by these names


def test_a_city_the_catalogue_does_not_know_is_shown_as_registered() -> None:
    assert translations("en").gettext("大余") == "大余"


def test_a_country_is_named_in_the_readers_language_from_its_iso_code() -> None:
    from phytowatch.i18n.places import country_name

    assert country_name("DE", "zh_CN") == "德国" and country_name("DE", "en") == "Germany"
    assert country_name("uz", "zh_CN") == "乌兹别克斯坦"  # a code as typed is still known
    assert country_name("*", "en") == "*" and country_name("QQ", "en") == "QQ"  # unknown: as given
