"""The band a trích lục carries on every page of its paper copy: it is a copy made from the paper
học bạ, never the original, and says from which paper book.

Drawn by the page decorations (paper_copy.py) above the top rule of every page, cover included, so
no single page of a transcribed year can be photocopied or shown as an original page.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from ..domain.record_data import RecordData
from .paper_style import LABELS, MARGIN_L, PAGE_H, TEXT_W
from .pdf_fonts import BOLD

BAND_H = 13.0
BAND_TOP = 10.5  # pt below the paper's edge: inside what printers print, above the draft/withdrawn notes
_RED = colors.Color(0.62, 0.0, 0.0)
_FILL = colors.Color(1.0, 0.93, 0.80)


def band_text(d: RecordData) -> str:
    ref = d.paper_book_ref.strip() or LABELS["transcribed_no_ref"]
    return LABELS["transcribed_band"].format(ref=ref)


def draw_transcription_band(canvas: Canvas, d: RecordData) -> None:
    """Nothing for a record made in học bạ số; the band for a trích lục."""
    if not d.transcribed:
        return
    canvas.saveState()
    bottom = PAGE_H - BAND_TOP - BAND_H
    canvas.setFillColor(_FILL)
    canvas.setStrokeColor(_RED)
    canvas.setLineWidth(0.8)
    canvas.rect(MARGIN_L, bottom, TEXT_W, BAND_H, fill=1, stroke=1)
    canvas.setFillColor(_RED)
    canvas.setFont(BOLD, 8.5)
    canvas.drawCentredString(MARGIN_L + TEXT_W / 2, bottom + 3.6, band_text(d))
    canvas.restoreState()
