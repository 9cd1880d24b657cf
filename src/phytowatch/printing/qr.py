"""The QR code drawn on the certificate: segno's modules as vector rectangles (sharp at any
print resolution), error correction M (a printed sheet gets folded and stamped)."""

from __future__ import annotations

from typing import Any


def qr_code(text: str) -> Any:
    """The QR code of ``text``: error correction M, or L when M cannot hold it. The payload
    carries the first line of produce and a count of the rest, and names cut to 80 characters
    (``payload_of``), so it fits; should it not, the verification address alone (the online
    check still works; the offline one cannot be made from this print)."""
    import segno
    from segno.encoder import DataOverflowError

    for error in ("m", "l"):
        try:
            return segno.make(text, error=error, micro=False, boost_error=False)
        except DataOverflowError:
            continue
    return segno.make(text.partition("#")[0], error="m", micro=False, boost_error=False)


MIN_SIZE, MAX_SIZE = 32.0, 46.0  # mm, quiet zone included
MODULE = 0.42  # mm: what a phone's camera or a 100 dpi scan still reads


def qr_size(code: Any) -> float:
    """How wide to print ``code``: about 0.42 mm a module, 32 to 46 mm (a dense payload gets a
    larger code, the corner still leaves the title its room)."""
    modules = int(code.symbol_size(scale=1, border=4)[0])
    return min(MAX_SIZE, max(MIN_SIZE, modules * MODULE))


def draw_qr(pdf: Any, code: Any, *, x: float, y: float, size: float) -> None:
    """Draw ``code`` (``qr_code``) in the square at (x, y), ``size`` mm wide, quiet zone
    included."""
    rows = [list(row) for row in code.matrix_iter(scale=1, border=4)]
    module = size / len(rows)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            # a hair wider than the run: no hairline gaps between neighbours when rasterised
            pdf.rect(
                x + start * module,
                y + r * module,
                (c - start) * module + 0.01,
                module + 0.01,
                style="F",
            )
