"""The mã tra cứu as a QR code, drawn as vector squares on a reportlab canvas.

We take the module matrix from the `qrcode` package (so a test can compare what was drawn with the
encoder) and paint horizontal runs of dark modules as single rectangles: crisp at any print
resolution and a few hundred PDF operations per code instead of thousands.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of white border the QR standard asks for


@lru_cache(maxsize=256)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """Dark/light modules of the code for `data`, without the quiet zone (cached: one per page)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, box_size=1)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(bool(m) for m in row) for row in code.get_matrix())


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw the code with its lower-left corner (quiet zone included) at (x, y), `size` points wide."""
    matrix = qr_matrix(data)
    n = len(matrix)
    module = size / (n + 2 * QUIET_ZONE)
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)  # white quiet zone even over a watermark
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        top = y + size - (QUIET_ZONE + r + 1) * module
        c = 0
        while c < n:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < n and row[c]:
                c += 1
            path.rect(x + (QUIET_ZONE + start) * module, top, (c - start) * module, module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def draw_qr_form(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Like draw_qr, but stored once per PDF as a form XObject and reused on every page of the student."""
    name = "qr" + hashlib.sha1(data.encode("utf-8")).hexdigest()  # stable across runs, unlike hash()
    if not canvas.hasForm(name):
        canvas.beginForm(name, lowerx=0, lowery=0, upperx=size, uppery=size)
        draw_qr(canvas, data, 0, 0, size)
        canvas.endForm()
    canvas.saveState()
    canvas.translate(x, y)
    canvas.doForm(name)
    canvas.restoreState()
