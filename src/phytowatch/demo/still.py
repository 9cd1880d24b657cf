"""A camera still for the demo: a small baseline JPEG of one grey level, written here.

The level follows the medium's temperature (a thermal camera's view, warmer is lighter), so each
still differs and a resend of one is the same bytes. Baseline JPEG (ITU T.81), one component,
every 8×8 block flat: the first block's DC difference carries the level, the others are zero.
"""

from __future__ import annotations

import struct

WIDTH, HEIGHT = 160, 120

# the standard luminance DC table (T.81 Table K.3): code lengths 1..16, then the symbols
_DC_COUNTS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_SYMBOLS = tuple(range(12))


def _segment(marker: int, body: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body


def _dc_codes() -> dict[int, tuple[int, int]]:
    """symbol -> (code, length), canonical Huffman from the counts."""
    codes: dict[int, tuple[int, int]] = {}
    code, k = 0, 0
    for length, count in enumerate(_DC_COUNTS, start=1):
        for _ in range(count):
            codes[_DC_SYMBOLS[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


class _Bits:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, value: int, length: int) -> None:
        for shift in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> shift) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0x00)  # byte stuffing
                self.acc = self.n = 0

    def done(self) -> bytes:
        if self.n:
            self.put((1 << (8 - self.n)) - 1, 8 - self.n)  # pad with ones
        return bytes(self.out)


def still(level: int, comment: str = "") -> bytes:
    """A WIDTH×HEIGHT JPEG, every pixel ``level`` (0 to 255), with ``comment`` (a COM segment:
    which camera, when) so that no two stills are the same bytes."""
    level = max(0, min(255, level))
    dc = (level - 128) * 8  # a flat block's DC coefficient, quantised by 1
    header = _segment(0xFE, comment.encode()[:60000]) if comment else b""
    header += _segment(0xDB, bytes([0]) + bytes([1] * 64))  # DQT: table 0, all ones
    header += _segment(0xC0, struct.pack(">BHHBBBB", 8, HEIGHT, WIDTH, 1, 1, 0x11, 0))
    dht_dc = bytes([0x00, *_DC_COUNTS, *_DC_SYMBOLS])
    dht_ac = bytes([0x10, 1, *([0] * 15), 0x00])  # one AC symbol: end of block, code "0"
    header += _segment(0xC4, dht_dc) + _segment(0xC4, dht_ac)
    header += _segment(0xDA, bytes([1, 1, 0x00, 0, 63, 0]))
    codes = _dc_codes()
    bits = _Bits()
    blocks = (WIDTH // 8) * (HEIGHT // 8)
    for k in range(blocks):
        diff = dc if k == 0 else 0
        size = abs(diff).bit_length()
        code, length = codes[size]
        bits.put(code, length)
        if size:
            bits.put(diff if diff > 0 else diff + (1 << size) - 1, size)
        bits.put(0, 1)  # end of block
    return b"\xff\xd8" + header + bits.done() + b"\xff\xd9"
