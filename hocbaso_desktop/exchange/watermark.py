"""The large diagonal "BẢN NHÁP" stamp of an unsigned paper copy, as a picture.

Drawn as text, the rotated letters end up interleaved with the page's own lines when the PDF is
read back (pdftotext, copy-paste, screen readers); as an image the page text stays clean and the
small printed "BẢN NHÁP — chưa ký số" line remains the searchable mark. The picture is rasterised
once from the bundled font and stored once per PDF as a form XObject.
"""

from __future__ import annotations

from functools import lru_cache
from math import ceil

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from .pdf_fonts import fonts_dir

FORM_NAME = "hocbaDraftMark"
_ANGLE = 52  # degrees: roughly the A4 diagonal
_PX = 220  # raster font size; the stamp is soft-edged on purpose, so a modest resolution suffices


@lru_cache(maxsize=4)
def _stamp(text: str) -> tuple[ImageReader, int, int]:
    font = ImageFont.truetype(str(fonts_dir() / "LiberationSerif-Bold.ttf"), _PX)
    left, top, right, bottom = font.getbbox(text)
    pad = _PX // 5
    # FreeType's bbox is whole pixels, typed as float: round up so the stamp is never clipped
    img = Image.new("RGBA", (ceil(right - left) + 2 * pad, ceil(bottom - top) + 2 * pad), (255, 255, 255, 0))
    ImageDraw.Draw(img).text((pad - left, pad - top), text, font=font, fill=(205, 30, 30, 48))
    img = img.rotate(_ANGLE, resample=Image.Resampling.BICUBIC, expand=True)
    return ImageReader(img), img.width, img.height


def draw_draft_stamp(canvas: Canvas, text: str, cx: float, cy: float, width: float) -> None:
    """Centre the stamp at (cx, cy), `width` points wide; defines the shared XObject on first use."""
    reader, w, h = _stamp(text)
    height = width * h / w
    if not canvas.hasForm(FORM_NAME):
        canvas.beginForm(FORM_NAME, lowerx=0, lowery=0, upperx=width, uppery=height)
        canvas.drawImage(reader, 0, 0, width, height, mask="auto")
        canvas.endForm()
    canvas.saveState()
    canvas.translate(cx - width / 2, cy - height / 2)
    canvas.doForm(FORM_NAME)
    canvas.restoreState()
