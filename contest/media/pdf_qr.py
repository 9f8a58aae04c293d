"""A QR code drawn into an fpdf2 page as vector rectangles (crisp in print), with the URL as a link on it."""

from __future__ import annotations

import segno
from fpdf import FPDF


def draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """`url`'s code in a `size` mm square (its quiet zone included) at (x, y): one rectangle per run of dark
    modules in a row."""
    code = segno.make(url, error="m")
    rows = [list(row) for row in code.matrix_iter(scale=1, border=4)]
    module = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(x + start * module, y + r * module, (c - start) * module, module * 1.02, style="F")
            else:
                c += 1
    pdf.link(x, y, size, size, url)
