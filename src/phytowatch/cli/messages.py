"""What the CLI says, in English or Chinese (zh-CN), from the one catalogue (i18n/): its labels
and the domain's words by their msgid, its messages by their code. The CLI keeps no dictionary of
its own, so a word is said the same way on a page, in an e-mail and here. Standard library only:
``evaluate`` is fast."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phytowatch.domain.messages import Message

LANGS = ("en", "zh")


def default_lang() -> str:
    """``zh`` when the locale says Chinese, else ``en``."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(variable, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


# What the CLI adds to a message: how to give what is missing, in its own options' words. Option
# names belong to the CLI alone: the message itself (on a page, in the API) never names one.
CLI_HINTS: dict[str, str] = {
    "param.missing": "--param {param}=VALUE",
    "role.needs_enterprise": "--enterprise CODE",
    "role.needs_office": "--office CODE",
    "probe.none": "--probe C1:product",
    "calibration.offset_no_probe": "--offset {probe}=…",
}


def catalogue_language(lang: str) -> str:
    return "zh_CN" if lang == "zh" else "en"


def say(message: Message, lang: str | None = None) -> str:
    """A message in the CLI's language (the locale's, unless given), from the one catalogue,
    with the CLI's hint on how to give what is missing."""
    from phytowatch.i18n.catalogue import render

    text = render(message, catalogue_language(lang or default_lang()))
    hint = CLI_HINTS.get(message.code.value)
    if hint is not None:
        text += f" ({hint.format_map(message.params)})"
    return text


def t(text: str, lang: str) -> str:
    """A label or a word of the domain (a reason, a finding, a role), by its msgid, in ``lang``
    as the one catalogue says it."""
    from phytowatch.i18n.catalogue import word

    return word(text, catalogue_language(lang))


def verdict_word(verdict: str, lang: str) -> str:
    """A verdict with its code beside the word when they differ (``合格 PASS``): the code is
    what a certificate and the JSON say."""
    said = t(verdict, lang)
    return said if said == verdict else f"{said} {verdict}"
