"""What free text may hold when it goes into a record: the one rule for every such field.

A name, a comment, a load, a certificate number or a device's fault is kept as written and shown
to others (on a page, in a printed record, in the audit trail), so it must read as it was written:

- no control characters (NUL, ESC, BEL, …) and no lone surrogates (a terminal's undecodable
  bytes), nor private-use or unassigned code points: a database and a reader cannot hold them as
  they are; a text of several lines (a comment, a note) may have the line breaks (and tabs) its
  field allows;
- no bidirectional controls (U+202A..U+202E, U+2066..U+2069): an override makes a text show
  other than it reads (``evil\u202egnp.exe``), in a legal record a forgery;
- no line or paragraph separators (U+2028, U+2029): a line break nobody sees as one;
- not only invisible characters (format characters, spaces): a text must show something.

Ordinary Chinese and English punctuation, the ideographic space, emoji and their joiners (U+200D)
are kept (docs/security.md). How long a text may be is its field's rule, not this one's.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
LINES = "\n"  # a text of several lines: line feeds
LINES_AND_TABS = "\t\n\r"  # ... and tabs and carriage returns, as pasted from elsewhere
# control (Cc), surrogate (Cs), private use (Co), unassigned (Cn), line and paragraph separators
_NEVER = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})
_INVISIBLE = frozenset({"Cf", "Zs"})


def plain_text(text: str, *, breaks: str = "") -> bool:
    """Whether ``text`` may be kept as written (the rules above); ``breaks``: the control
    characters a text of several lines may have besides (:data:`LINES`, :data:`LINES_AND_TABS`).
    The empty text is (a field that needs one says so itself)."""
    shown = False
    for c in text:
        if c in breaks:
            continue
        category = unicodedata.category(c)
        if category in _NEVER or c in BIDI_CONTROLS:
            return False
        shown = shown or category not in _INVISIBLE
    return shown or not text
