"""The one catalogue: every word and message phytowatch shows, in Chinese and English.

The gettext catalogues ``locale/{zh_CN,en}/LC_MESSAGES/messages.po`` are read here, with the
standard library only (the CLI's fast ``evaluate`` path uses them too), and kept once read. A
:class:`~phytowatch.domain.messages.Message` is rendered from its code's English template (the
msgid) translated, with its parameters: words translated, instants as the caller shows them (the
pages in the reader's zone). A translation that does not fit its parameters falls back to the
English text: a broken catalogue entry never breaks a page.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from phytowatch.domain.messages import Instant, Message, Word

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(.)")


def _unquote(line: str) -> str:
    body = line.strip()
    if len(body) < 2 or body[0] != '"' or body[-1] != '"':
        raise ValueError(f"not a quoted string: {line!r}")
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[1]), body[1:-1])


def read_po(text: str) -> dict[str, str]:
    """msgid -> msgstr of a ``.po`` text; untranslated and fuzzy entries are left out."""
    entries: dict[str, str] = {}
    msgid: list[str] = []
    msgstr: list[str] = []
    current: list[str] | None = None
    fuzzy = next_fuzzy = False

    def flush() -> None:
        key, value = "".join(msgid), "".join(msgstr)
        if key and value and not fuzzy:
            entries[key] = value

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#,"):
            next_fuzzy = "fuzzy" in line
        elif not line or line.startswith("#"):
            continue
        elif line.startswith("msgid "):
            flush()
            fuzzy, next_fuzzy = next_fuzzy, False
            msgid, msgstr = [_unquote(line[6:])], []
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [_unquote(line[7:])]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(_unquote(line))
    flush()
    return entries


class Catalogue(gettext.NullTranslations):
    """gettext over a dict read from a ``.po``."""

    def __init__(self, entries: Mapping[str, str]) -> None:
        super().__init__()
        self.entries = dict(entries)

    def gettext(self, message: str) -> str:
        return self.entries.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)


@cache
def translations(language: str) -> Catalogue:
    """The catalogue of ``language`` (empty, so English, for a language we do not have)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language not in LANGUAGES or not path.exists():
        return Catalogue({})
    return Catalogue(read_po(path.read_text(encoding="utf-8")))


def english_instant(instant: Instant) -> Any:
    return instant


def localise(
    message: Message,
    language: str,
    *,
    instant: Callable[[Instant], Any] = english_instant,
) -> tuple[str, dict[str, Any]]:
    """The translated template and the parameters to fill it: words translated, instants as
    ``instant`` makes them (an object whose ``__format__`` takes ``""`` and ``"day"``)."""
    say = translations(language).gettext
    params: dict[str, Any] = {}
    for name, value in message.params.items():
        if isinstance(value, Word):
            params[name] = say(value.code)
        elif isinstance(value, Instant):
            params[name] = instant(value)
        else:
            params[name] = value
    return say(message.code.template), params


def render(
    message: Message,
    language: str,
    *,
    instant: Callable[[Instant], Any] = english_instant,
) -> str:
    """The message as plain text in ``language`` (the CLI, the notifications)."""
    template, params = localise(message, language, instant=instant)
    try:
        return template.format_map(params)
    except (KeyError, ValueError, IndexError, AttributeError):
        return message.english()


def word(code: str, language: str) -> str:
    """A word of the vocabulary (a finding, a role, a state) in ``language``."""
    return translations(language).gettext(code)
