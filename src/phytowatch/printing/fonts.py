"""The certificate's fonts: Noto Sans SC (regular and bold), embedded in every PDF, so that the
Chinese prints on a machine with no Chinese font installed.

The font files are the front-end assets ``make assets`` copies from the npm package
``@expo-google-fonts/noto-sans-sc`` (OFL, ``NotoSansSC.LICENSE`` beside them). Each is 10 MB:
reading one and subsetting it for every PDF takes about 0.4 s. So, once per process, each is cut
down to the characters a certificate uses (Latin, punctuation, symbols and the 6,763 hanzi of
GB 2312) and its metrics kept; a document then opens that small font lazily (about 0.1 s a
PDF). The cut font is kept beside the font file (``*.cut1.ttf``), so only the first process
after ``make assets`` pays the cut (about 4 s). A text with a character outside it (a rare
hanzi in a name) is set with the full font, slower but never missing a glyph.
"""

from __future__ import annotations

import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from phytowatch.domain.messages import Code, invalid

VENDOR = Path(__file__).resolve().parent.parent / "web" / "static" / "vendor"
FILES = {"": "NotoSansSC-Regular.ttf", "B": "NotoSansSC-Bold.ttf"}
FAMILY = "notosanssc"
CUT_VERSION = 1  # bump when _common_characters or the subsetting options change

_lock = threading.Lock()
_small: dict[str, bytes] = {}  # style -> the cut-down font's bytes
_templates: dict[tuple[str, bool], Any] = {}  # (style, full) -> a parsed TTFFont to copy


def _common_characters() -> set[int]:
    chars = set(range(0x20, 0x250))  # Latin, Latin-1, Latin Extended-A/B
    for start, end in (
        (0x2000, 0x2070),  # general punctuation
        (0x2100, 0x2200),  # letterlike symbols, number forms
        (0x2190, 0x2300),  # arrows, mathematical operators (≤ ≥)
        (0x25A0, 0x2600),  # geometric shapes (☐ ■)
        (0x2610, 0x2613),  # ballot boxes
        (0x3000, 0x3040),  # CJK symbols and punctuation
        (0xFF00, 0xFFF0),  # full-width forms
    ):
        chars.update(range(start, end))
    for high in range(0xB0, 0xF8):  # GB 2312's hanzi rows
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return chars


def font_path(style: str) -> Path:
    path = VENDOR / FILES[style]
    if not path.is_file():
        raise invalid(Code.PRINT_FONT_MISSING, font=FILES[style])
    return path


def check_fonts() -> None:
    """``Invalid`` naming ``make assets`` when a font file is missing."""
    for style in FILES:
        font_path(style)


def _small_font(style: str) -> bytes:
    found = _small.get(style)
    if found is None:
        found = _small[style] = _cached(style) or _cut(style)
    return found


def _cache_path(style: str) -> Path:
    """Where the cut-down font is kept between processes: beside the font it was cut from."""
    return VENDOR / FILES[style].replace(".ttf", f".cut{CUT_VERSION}.ttf")


def _cached(style: str) -> bytes | None:
    """The cut-down font a process before this one kept, unless the font changed since."""
    cache = _cache_path(style)
    try:
        if cache.stat().st_mtime_ns >= font_path(style).stat().st_mtime_ns:
            return cache.read_bytes()
    except OSError:
        return None
    return None


def _cut(style: str) -> bytes:
    """Cut the font down (about 2 s of CPU a style) and keep it for the next process when the
    folder is writable; an installed package that is not just cuts it again."""
    from fontTools import subset, ttLib  # type: ignore[import-untyped]

    font = ttLib.TTFont(font_path(style), recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.drop_tables += ["GSUB", "GPOS", "GDEF"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_common_characters())
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    found = out.getvalue()
    cache = _cache_path(style)
    partial = cache.with_name(f".{cache.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        partial.write_bytes(found)
        os.replace(partial, cache)  # whole or not at all, whoever else is writing it
    except OSError:
        partial.unlink(missing_ok=True)
    return found


@dataclass(frozen=True)
class _Source:
    style: str
    full: bool

    def open(self) -> Any:
        return io.BytesIO(_small_font(self.style)) if not self.full else font_path(self.style)


def covers(text: str) -> bool:
    """Whether the small fonts hold every character of ``text``."""
    with _lock:
        template = _template(_Source("", False), None)
    cmap = template.cmap
    return all(ord(ch) in cmap or ch in "\n\r\t" for ch in text)


def _template(source: _Source, pdf: Any) -> Any:
    from fpdf import FPDF
    from fpdf.fonts import TTFFont

    key = (source.style, source.full)
    found = _templates.get(key)
    if found is None:
        found = _templates[key] = TTFFont(
            pdf if pdf is not None else FPDF(),
            source.open(),
            FAMILY + source.style,
            source.style,
        )
    return found


def add_fonts(pdf: Any, *, full: bool = False) -> None:
    """Register the regular and bold fonts on a new document, from the parsed templates (the
    glyph metrics are shared; the font file and the subset used are the document's own)."""
    from fontTools import ttLib
    from fpdf.fonts import SubsetMap, TTFFont

    for style in FILES:
        source = _Source(style, full)
        with _lock:
            template = _template(source, pdf)
            opened = source.open()
        font = TTFFont.__new__(TTFFont)
        for slot in TTFFont.__slots__:
            if hasattr(template, slot):
                setattr(font, slot, getattr(template, slot))
        font.i = len(pdf.fonts) + 1
        font.ttfont = ttLib.TTFont(opened, recalcTimestamp=False, lazy=True)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font._hbfont = None  # fpdf2's own slot, reset as its __deepcopy__ does
        font.subset = SubsetMap(font)
        pdf.fonts[FAMILY + style] = font
