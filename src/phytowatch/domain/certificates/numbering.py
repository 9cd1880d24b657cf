"""A certificate's number, from its office's pattern: per office and year, no gaps.

A pattern is text with fields in braces: ``{office}`` (the office code), ``{yy}`` or ``{yyyy}``
(the year of issue), ``{kind}`` (P phytosanitary, R re-export, T treatment) and ``{seq}`` (the
sequence within the office and year, with an optional width: ``{seq:06d}``). The default,
``{office}{yy}{kind}{seq:06d}``, gives ``440100 26 P 000123`` without the spaces:
``44010026P000123``. The counter is per office and year whatever the kind, so that every number
of an office's year is accounted for in one series.

A pattern must name the office and the year (numbers of two offices or two years must never be
able to collide) and the sequence; anything else between the fields is kept as written
(letters, digits, ``-``, ``/``, ``.``).
"""

from __future__ import annotations

import re

from phytowatch.domain.certificates.model import CertificateKind
from phytowatch.domain.messages import Code, Message, say

DEFAULT_PATTERN = "{office}{yy}{kind}{seq:06d}"
MAX_PATTERN = 100
MAX_NUMBER = 64  # the stored column's width

KIND_LETTER: dict[CertificateKind, str] = {
    CertificateKind.PHYTOSANITARY: "P",
    CertificateKind.REEXPORT: "R",
    CertificateKind.TREATMENT: "T",
}

_FIELD = re.compile(r"\{([a-z]+)(?::0?([1-9])d)?\}")
_LITERAL = re.compile(r"[A-Za-z0-9\-/.]*\Z")
_KNOWN = {"office", "yy", "yyyy", "kind", "seq"}


def pattern_problem(pattern: str) -> Message | None:
    """What is wrong with a pattern, or None."""
    if not pattern or len(pattern) > MAX_PATTERN:
        return say(Code.FIELD_TEXT, field="pattern", max=MAX_PATTERN)
    between = say(Code.CERT_PATTERN_BETWEEN, pattern=pattern)
    names: list[str] = []
    position = 0
    for match in _FIELD.finditer(pattern):
        if not _LITERAL.match(pattern[position : match.start()]):
            return between
        name = match.group(1)
        if name not in _KNOWN:
            return say(Code.CERT_PATTERN_FIELD, field=name)
        if match.group(2) and name != "seq":
            return say(Code.CERT_PATTERN_WIDTH, field=name)
        names.append(name)
        position = match.end()
    if not _LITERAL.match(pattern[position:]):
        return between
    for needed in ("office", "seq"):
        if names.count(needed) != 1:
            return say(Code.CERT_PATTERN_NEEDS, field=needed)
    if names.count("yy") + names.count("yyyy") != 1:
        return say(Code.CERT_PATTERN_NEEDS, field="yy")
    return None


def format_number(
    pattern: str, *, office: str, year: int, kind: CertificateKind, sequence: int
) -> str:
    """The number; ``ValueError`` for a pattern with a problem (``pattern_problem``)."""
    problem = pattern_problem(pattern)
    if problem is not None:
        raise ValueError(problem.english())

    def field(match: re.Match[str]) -> str:
        name, width = match.group(1), match.group(2)
        if name == "office":
            return office
        if name == "yy":
            return f"{year % 100:02d}"
        if name == "yyyy":
            return f"{year:04d}"
        if name == "kind":
            return KIND_LETTER[kind]
        return f"{sequence:0{width}d}" if width else str(sequence)

    return _FIELD.sub(field, pattern)
